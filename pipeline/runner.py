"""Running the pipeline over many files: worker processes, progress, failure isolation.

Each worker process builds its own ``Pipeline`` once. A document that fails
becomes an error result; a worker that dies (out of memory, a crash in a
native library) turns its unfinished documents into error results and the
run goes on in a fresh pool.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from pipeline.compose import Pipeline, file_id
from pipeline.errors import DocumentError
from pipeline.models import DocResult

_WORKER: Pipeline | None = None


DEFAULT_DOC_TIMEOUT = 60.0


class _DocTimeout(BaseException):
    """Raised by the alarm inside a runaway document (a BaseException, so no ``except Exception`` swallows it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _DocTimeout


def process_limited(pipe: Pipeline, path: Path | str, source: str, timeout: float | None) -> DocResult:
    """``pipe.process_file`` under a time limit: past ``timeout`` seconds the document becomes an E012 row.

    The limit is a ``SIGALRM`` timer in the process that does the work (a
    worker, or the parent with one job), so the run goes on with the next
    document; regex matching checks for signals, so a runaway pattern stops too.
    """
    main = threading.current_thread() is threading.main_thread()  # signals reach the main thread only
    if not timeout or timeout <= 0 or not hasattr(signal, "setitimer") or not main:
        return pipe.process_file(path, source)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            return pipe.process_file(path, source)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _DocTimeout:
        return timeout_result(path, source, timeout)
    finally:
        signal.signal(signal.SIGALRM, previous)


def timeout_result(path: Path | str, source: str, timeout: float) -> DocResult:
    """The E012 error row of a document stopped after ``timeout`` seconds (every executor gives this one)."""
    detail = f"{timeout:g} s; split the document or raise --doc-timeout"
    return DocResult(doc_id=_fallback_id(path), source=source, status="error",
                     error=DocumentError("E012", detail).one_line())


def watch_parent(interval: float = 0.5) -> None:
    """In a worker process: end it once the process that started it is gone.

    A pool's worker whose parent was killed (SIGKILL, out of memory) would
    otherwise wait for tasks forever, holding what it inherited — the lock on
    ``OUT`` among them, so the next run on ``OUT`` was refused until the
    worker was killed by hand. A thread looks every ``interval`` seconds
    whether the worker has a new parent (the killed one's is gone).
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _init_worker(options: dict[str, Any], doc_timeout: float | None = None) -> None:
    global _WORKER, _TIMEOUT
    watch_parent()
    _WORKER = Pipeline(**options)
    _TIMEOUT = doc_timeout


_TIMEOUT: float | None = None


def _work(path: str, source: str) -> DocResult:
    assert _WORKER is not None, "worker not initialised"
    return process_limited(_WORKER, Path(path), source, _TIMEOUT)


def run(
    inputs: Sequence[tuple[Path, str]],
    jobs: int = 1,
    progress: Callable[[DocResult], None] | None = None,
    options: dict[str, Any] | None = None,
    doc_timeout: float | None = DEFAULT_DOC_TIMEOUT,
) -> list[DocResult]:
    """Process ``(path, source)`` pairs; results come back in input order.

    ``options`` are passed to every ``Pipeline`` (e.g. ``ner_model``);
    ``doc_timeout`` seconds per document (None: no limit).
    """
    options = options or {}
    if jobs <= 1 or len(inputs) <= 1:
        pipe = Pipeline(**options)
        results = []
        for p, s in inputs:
            r = process_limited(pipe, p, s, doc_timeout)
            results.append(r)
            if progress:
                progress(r)
        return results
    done: dict[int, DocResult] = {}
    pending = list(range(len(inputs)))
    while pending:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options, doc_timeout)) as pool:
            futs: dict[int, Future[DocResult]] = {i: pool.submit(_work, str(inputs[i][0]), inputs[i][1])
                                                  for i in pending}
            broken = False
            for i, f in futs.items():
                try:
                    r = f.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                done[i] = r
                if progress:
                    progress(r)
            if not broken:
                break
            # the pool died: the documents it had not finished are retried one at a time
            retry = [i for i in pending if i not in done]
            first = retry[0]
            try:
                with ProcessPoolExecutor(max_workers=1, initializer=_init_worker, initargs=(options, doc_timeout)) as single:
                    done[first] = single.submit(_work, str(inputs[first][0]), inputs[first][1]).result()
            except BrokenProcessPool:
                done[first] = DocResult(
                    doc_id=_fallback_id(inputs[first][0]), source=inputs[first][1], status="error",
                    error=DocumentError("E099", "worker process crashed on this document").one_line(),
                )
            if progress:
                progress(done[first])
            pending = [i for i in retry if i != first]
    return [done[i] for i in range(len(inputs))]


def _fallback_id(path: Path | str) -> str:
    try:
        return file_id(Path(path))  # a URL has no local file: its name is hashed below
    except OSError:
        return hashlib.sha256(str(path).encode()).hexdigest()[:16]


class Progress:
    """A tqdm bar on a terminal; silent otherwise or when quiet."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.bar = None
        self.start = time.perf_counter()
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, r: DocResult) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(r.source[-30:], refresh=False)
            self.bar.update(1)

    def close(self) -> float:
        if self.bar is not None:
            self.bar.close()
        return time.perf_counter() - self.start
