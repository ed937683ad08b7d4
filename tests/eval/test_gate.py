"""The quality gate: no evaluation figure may drop below its pinned floor.

Floors live in ``tests/eval/floors.json`` (per corpus group and overall).
Raising a floor is a deliberate commit: run ``make eval`` and copy the new
figures (``policy-extract eval --corpus corpus --json FILE`` writes them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.run import run_summary
from tests.conftest import CORPUS

FLOORS = Path(__file__).with_name("floors.json")


@pytest.fixture(scope="module")
def current() -> dict[str, dict[str, float]]:
    return run_summary(CORPUS)


def _cases() -> list[tuple[str, str, float]]:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    return [(g, k, v) for g, figs in floors.items() for k, v in figs.items()]


@pytest.mark.parametrize(("group", "figure", "floor"), _cases())
def test_figure_not_below_floor(current: dict[str, dict[str, float]], group: str, figure: str, floor: float) -> None:
    value = current.get(group, {}).get(figure)
    assert value is not None, f"{group}.{figure} is no longer measured"
    assert value >= floor - 1e-9, f"{group}.{figure} dropped to {value:.4f}, floor {floor:.4f}"


def test_every_field_is_gated() -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    for group in ("real", "synthetic", "seeds", "dev", "real30", "holdout"):
        for field in ("units", "deadlines", "targets", "figures"):
            assert f"{field}.f1" in floors[group], f"{group}.{field}.f1 has no floor"
