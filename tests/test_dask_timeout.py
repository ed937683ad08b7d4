"""``--executor dask`` applies the per-document time limit: a runaway document becomes an E012 row.

The stand-in pipeline (``tests.test_runner._SlowOnStuck``, built by name in the workers' document process)
never finishes a file named ``stuck*``; ``deaf*`` files also block the alarm, as a C call that never checks
for signals would, so only killing the process stops them; ``crash*`` files kill it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from pipeline.io.parts import read_parts
from pipeline.models import DocResult
from tests.test_runner import _SlowOnStuck

pytest.importorskip("distributed")
pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="needs POSIX signal masks")

STAND_IN = f"{__name__}:_Runaway"


class _Runaway(_SlowOnStuck):
    def process_file(self, path: Path, source: str) -> DocResult:
        if path.name.startswith("deaf"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            while True:
                time.sleep(5)
        if path.name.startswith("crash"):
            os._exit(3)
        return super().process_file(path, source)


def _files(tmp: Path, names: list[str]) -> list[tuple[Path, str]]:
    for name in names:
        (tmp / name).write_text(f"文本 {name}", encoding="utf-8")  # distinct: identical files are one document
    return [(tmp / name, name) for name in names]


def test_a_runaway_document_under_dask_becomes_the_same_e012_row_and_the_run_goes_on(tmp_path: Path) -> None:
    from pipeline.dask_exec import run_dask

    names = ["a.txt", "stuck.txt", "b.txt", "deaf.txt", "c.txt", "crash.txt", "d.txt", "e.txt"]
    inputs = _files(tmp_path, names)
    started = time.monotonic()
    results, folder = run_dask(inputs, tmp_path / "out", n_workers=2, report=False, doc_timeout=0.5,
                               factory=STAND_IN)
    tables = read_parts(folder)
    assert time.monotonic() - started < 60  # the runaway documents did not hold the run
    assert [r.source for r in results] == names
    assert [r.status for r in results] == ["ok", "error", "ok", "error", "ok", "error", "ok", "ok"]
    for r in (results[1], results[3]):  # stopped by the child's own alarm; killed past the limit
        assert r.error == "E012: took longer than the per-document time limit (0.5 s; split the document or " \
                          "raise --doc-timeout)"
    assert results[5].error == "E099: internal error while processing (worker process crashed on this document)"
    docs = tables["documents"].to_pylist()
    assert [d["source"] for d in docs] == names and [d["error"] for d in docs] == [r.error for r in results]


def test_the_limit_is_the_local_runs_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same inputs through the local executor give the same error rows (E012 for both runaways)."""
    from pipeline import runner

    monkeypatch.setattr(runner, "Pipeline", _Runaway)
    inputs = _files(tmp_path, ["a.txt", "stuck.txt"])
    local = runner.run(inputs, jobs=1, doc_timeout=0.5)
    from pipeline.dask_exec import run_dask

    dask, _ = run_dask(inputs, tmp_path / "out", n_workers=1, report=False, doc_timeout=0.5, factory=STAND_IN)
    assert [(r.status, r.error) for r in dask] == [(r.status, r.error) for r in local]
