"""``make bench``'s ``--jobs`` line: the wall ratio and the idle 2-core estimate from the processes' CPU."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.evaluation.bench import _jobs
from tests.conftest import CORPUS


def test_jobs_line_splits_parent_and_worker_cpu_and_estimates_the_idle_speed_up(tmp_path: Path,
                                                                               capsys: pytest.CaptureFixture[str]) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "seeds").glob("*.txt"))[:8]]
    _jobs(texts, tmp_path)
    out = capsys.readouterr().out
    splits = re.findall(r"\(([\d.]+) s CPU: parent ([\d.]+) s, workers ([\d.]+) s\)", out)
    assert len(splits) == 2, out
    for total, parent, workers in splits:  # the parent alone, its reaped workers apart (its exit comes after)
        assert float(parent) > 0 and float(workers) > 0
        assert float(parent) + float(workers) <= float(total) + 0.01
    found = re.search(r"speed-up --jobs 2 / --jobs 1: ([\d.]+)x wall; ([\d.]+)x estimated", out)
    assert found is not None, out
    _, estimate = found.groups()
    (_, p1, w1), (_, p2, w2) = splits
    assert float(estimate) == pytest.approx((float(p1) + float(w1)) / (float(p2) + float(w2) / 2), abs=0.05)
