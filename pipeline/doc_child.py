"""Documents processed in a child interpreter that can be killed: the per-document limit inside Dask tasks.

A Dask worker runs each task in a thread of its own, and ``SIGALRM`` (the
local executors' limit, ``runner.process_limited``) reaches only a process's
main thread. What else could stop a runaway document there, and why not:

- an exception raised in the task's thread (``PyThreadState_SetAsyncExc``) is
  only seen between bytecodes, so a long regex match in C runs on, and it can
  land anywhere (inside a lock, half way through a cache) of a pipeline that
  the next documents reuse;
- forking the worker: it has other threads (event loop, comms), whose locks a
  forked child can inherit held;
- ``multiprocessing`` children: Dask's worker processes are daemons by
  default, and a daemon process may not have any.

So a task hands its document to a child interpreter (``subprocess``: fork and
exec, nothing inherited) that builds the pipeline once and processes documents
one at a time, requests and answers as JSON lines on its stdin/stdout. The
child's main thread applies the same ``SIGALRM`` limit as a local run, so a
runaway document ends with the same E012 row and the child goes on; if no
answer comes ``GRACE`` seconds after the limit (a C call that never checks for
signals; no ``setitimer``), the task kills the child and reports the timeout
itself, and the next document starts a new child. A child that dies on a
document (out of memory, a native crash) is reported as such. Idle children
are kept per worker and pipeline options, and exit with their worker (end of
their stdin, or ``atexit``).
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from pipeline.io.remote import is_url

#: seconds past the limit before a child that has not answered is killed
GRACE = 2.0
#: the class built once per child: ``module:name``, called with the pipeline options (a stand-in in tests)
PIPELINE = "pipeline.compose:Pipeline"
_BOOT = ("import json, sys; setup = json.loads(sys.stdin.readline()); sys.path[:] = setup['sys_path']; "
         "from pipeline.doc_child import serve; serve(setup)")


class ChildDied(RuntimeError):
    """The child exited without answering (it crashed, or was killed by the system)."""


class DocChild:
    """One child interpreter with its pipeline; ``ask`` sends a document and waits at most a given time."""

    def __init__(self, factory: str, options: dict[str, Any]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, encoding="utf-8")
        self._answers: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_pump, args=(self.proc.stdout, self._answers), daemon=True).start()
        self._send({"sys_path": sys.path, "factory": factory, "options": options})
        if self._answer(None) != {"ready": True}:  # the pipeline's build is no document: it has no limit
            raise ChildDied("the document process did not start")

    def ask(self, request: dict[str, Any], wait: float) -> dict[str, Any] | None:
        """The child's answer about one document, or None when none came within ``wait`` s (it is then killed)."""
        self._send(request)
        try:
            return self._answer(wait)
        except queue.Empty:
            self.close()
            return None

    def _send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except OSError as exc:  # a pipe broken by a dead child
            raise ChildDied("the document process is gone") from exc

    def _answer(self, wait: float | None) -> dict[str, Any]:
        line = self._answers.get(timeout=wait)
        if line is None:
            self.proc.wait()
            raise ChildDied(f"the document process exited with code {self.proc.returncode}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        """Kill the child (if it still runs) and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def _pump(stream: IO[str], answers: queue.Queue[str | None]) -> None:
    for line in stream:
        answers.put(line)
    answers.put(None)


_IDLE: dict[str, list[DocChild]] = {}  # per worker process: children waiting for a document
_LOCK = threading.Lock()
_CLEANUP: list[bool] = []  # whether the worker closes its idle children at exit (registered once)


def ask_child(factory: str, options: dict[str, Any], request: dict[str, Any], limit: float) -> dict[str, Any] | None:
    """Process ``request`` in an idle child (or a new one); None when it ran past ``limit`` + ``GRACE`` s.

    Raises ``ChildDied`` when the child exits on the document.
    """
    key = json.dumps([factory, options], sort_keys=True)
    with _LOCK:
        idle = _IDLE.setdefault(key, [])
        child = idle.pop() if idle else None
        if not _CLEANUP:
            _CLEANUP.append(True)
            atexit.register(_close_all)
    child = child or DocChild(factory, options)
    answer = child.ask({**request, "timeout": limit}, limit + GRACE)
    if answer is None:
        return None
    with _LOCK:
        _IDLE[key].append(child)
    if "error" in answer:
        raise RuntimeError(answer["error"])
    summary: dict[str, Any] = answer["summary"]
    return summary


def _close_all() -> None:
    with _LOCK:
        for children in _IDLE.values():
            for child in children:
                child.close()
        _IDLE.clear()


def serve(setup: dict[str, Any]) -> None:
    """The child's loop: build the pipeline, then one answer line per request line until stdin ends."""
    from pipeline.io.parts import finish_documents
    from pipeline.runner import process_limited

    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else written to stdout goes to stderr, not into the answers
    sys.stdout = sys.stderr
    module, _, name = setup["factory"].partition(":")
    pipe = getattr(importlib.import_module(module), name)(**setup["options"])
    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    for line in sys.stdin:
        req = json.loads(line)
        path, source = Path(req["path"]), req["source"]
        try:
            r = process_limited(pipe, req["path"] if is_url(req["path"]) else path, source, req["timeout"])
            loc = {source: tuple(req["location"])} if req.get("location") else None
            summary = finish_documents(Path(req["out_dir"]), Path(req["parts_dir"]), req["index"], [(path, r)],
                                       req["report"], loc)[0]
            answer: dict[str, Any] = {"summary": summary}
        except Exception as exc:  # writing the parts failed: the task reports it, the child goes on
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
