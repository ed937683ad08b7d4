"""The runner: a runaway document becomes an error row under the per-document time limit; the run goes on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.models import DocResult


class _SlowOnStuck:
    """A stand-in pipeline: a file named ``stuck*`` never finishes (sleeps), others succeed."""

    def __init__(self, **_: object) -> None:
        pass

    def process_file(self, path: Path, source: str) -> DocResult:
        if path.name.startswith("stuck"):
            while True:
                time.sleep(5)
        return DocResult(doc_id=path.stem, source=source)


@pytest.mark.parametrize("jobs", [1, 2])
def test_runaway_document_becomes_an_error_row_and_the_run_goes_on(monkeypatch, tmp_path: Path, jobs: int) -> None:
    monkeypatch.setattr(runner, "Pipeline", _SlowOnStuck)
    inputs = []
    for name in ("a.txt", "stuck.txt", "b.txt"):
        (tmp_path / name).write_text("文本", encoding="utf-8")
        inputs.append((tmp_path / name, name))
    results = runner.run(inputs, jobs=jobs, doc_timeout=0.3)
    assert [r.source for r in results] == ["a.txt", "stuck.txt", "b.txt"]
    assert [r.status for r in results] == ["ok", "error", "ok"]
    assert results[1].error is not None and results[1].error.startswith("E012: took longer than")
    assert "0.3 s" in results[1].error


def test_no_limit_leaves_the_alarm_alone(monkeypatch, tmp_path: Path) -> None:
    import signal

    monkeypatch.setattr(runner, "Pipeline", _SlowOnStuck)
    (tmp_path / "a.txt").write_text("文本", encoding="utf-8")
    before = signal.getsignal(signal.SIGALRM)
    assert runner.run([(tmp_path / "a.txt", "a.txt")], doc_timeout=1.0)[0].status == "ok"
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_time_limit_in_the_workers_that_write_their_own_rows(monkeypatch, tmp_path: Path) -> None:
    """``extract --jobs N`` goes through parts.run_parts: its workers apply the limit too."""
    from pipeline.io import parts

    monkeypatch.setattr(parts, "Pipeline", _SlowOnStuck)
    inputs = []
    for name in ("a.txt", "stuck.txt", "b.txt"):
        (tmp_path / name).write_text("文本", encoding="utf-8")
        inputs.append((tmp_path / name, name))
    results, folder = parts.run_parts(inputs, tmp_path / "out", jobs=2, report=False, doc_timeout=0.3)
    tables = parts.read_parts(folder)
    assert [r.status for r in results] == ["ok", "error", "ok"]
    assert results[1].error is not None and results[1].error.startswith("E012: took longer than")
    assert tables["documents"].num_rows == 3
