"""A run killed (SIGKILL) while its worker processes work: the workers end too, so they neither linger nor keep
the lock on OUT that would refuse the next run ("in use by another policy-extract run") until killed by hand."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.io.outlock import LOCK_NAME

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")


def _children(pid: int) -> set[int]:
    kids: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            kids |= {int(k) for k in (task / "children").read_text().split()}
    return kids


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended (its new parent has not reaped it yet)


def test_the_workers_of_a_killed_run_end_and_free_the_output_folder(tmp_path: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "seeds").glob("*.txt"))]
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for i in range(160):
        (folder / f"{i:04d}.txt").write_text(f"{texts[i % len(texts)]}\n{i}\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(folder), "--out", str(out),
                             "--jobs", "2", "--quiet", "--no-report"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while not list((out / ".parts").glob("*/documents/part-*.parquet")):  # the workers are at work
            assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert workers
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 30
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_running(w) for w in workers), "workers outlived their killed run"
        with (out / LOCK_NAME).open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody holds OUT any more: the next run may start
    finally:
        for w in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(w, signal.SIGKILL)
