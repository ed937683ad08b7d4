"""The output folder of a run: checked before any work, then locked for the whole run.

Two runs writing one ``--out`` at once would race on the DuckDB store, and
a program holding ``policy.duckdb`` open (a notebook, DBeaver) makes the
final merge fail after all the work is done. So ``extract`` first checks
that ``--out`` is a writable folder, takes an exclusive lock on
``OUT/.policy-extract.lock`` (an advisory ``flock``: released by the
kernel when the process ends, even after ``kill -9``; the file says which
process holds it and since when) and checks that the store can be opened
for writing, all before reading any document. Every problem is an
:class:`OutputError` with a one-line message.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import duckdb

LOCK_NAME = ".policy-extract.lock"
#: Seconds between two looks at a store held by another program (``--wait``).
POLL_SECONDS = 1.0
_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


class OutputError(Exception):
    """``--out`` cannot be used (one line, for the user); the CLI exits 2."""


def say(msg: str) -> None:
    """A waiting or progress message of the commands on stderr (``policy-extract: …``)."""
    print(f"policy-extract: {msg}", file=sys.stderr)


def check_out_dir(out: Path) -> None:
    """Create ``out`` if needed; fail when it is a file, below a file, or not writable."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"--out {out} is below a file, not a folder") from None
    except OSError as exc:
        raise OutputError(f"cannot create --out {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"--out {out} is not writable (read-only folder?)")


class OutLock:
    """An exclusive lock on the output folder, held from before the work until the store is written."""

    def __init__(self, out: Path) -> None:
        self.path = out / LOCK_NAME
        self._fh: IO[str] | None = None

    def acquire(self, wait: bool, say: Callable[[str], None]) -> None:
        """Take the lock; if another run holds it, raise (naming it) or, with ``wait``, wait for it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputError(f"cannot create the lock file {self.path}: {exc.strerror or exc}") from None
        fh = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = fh.read().strip() or "holder unknown"
            if not wait:
                fh.close()
                raise OutputError(f"{self.path.parent} is in use by another policy-extract run ({holder}); "
                                  "wait for it to finish or pass --wait") from None
            say(f"waiting for the other run on {self.path.parent} ({holder}) to finish…")
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        fh.write(f"pid {os.getpid()}, started {started}\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        """Let the next run in (the file stays; only the lock matters)."""
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def wait_for_store(db: Path, wait: bool, say: Callable[[str], None]) -> None:
    """Check that the store can be opened for writing: not corrupt, not held by another program.

    A store held elsewhere (a notebook's connection, even read-only) raises
    naming the holder, or with ``wait`` is polled until it is free. A file
    that is not a DuckDB store is never overwritten: the message says how
    to move it aside.
    """
    from pipeline.io.store import connect_rw

    if not db.exists():
        return
    told = False
    while True:
        try:
            connect_rw(db).close()
            return
        except duckdb.Error as exc:
            msg = str(exc)
            m = _HOLDER.search(msg)
            if m is None and "lock" not in msg.lower():
                first = " ".join(msg.split())[:200]
                raise OutputError(f"{db} is not a readable DuckDB store ({first}); it was left as it is: move it "
                                  f"aside (mv {db} {db}.bad) and run again") from None
            holder = f"{Path(m.group(1)).name}, pid {m.group(2)}" if m else "another program"
            if not wait:
                raise OutputError(f"{db} is open in another program ({holder}); close that connection "
                                  "(e.g. the notebook's) or pass --wait") from None
            if not told:
                say(f"waiting for {holder} to close {db}…")
                told = True
            time.sleep(POLL_SECONDS)
