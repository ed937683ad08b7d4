"""The scorer follows ANNOTATION.md: overlap, greedy one-to-one, field conditions, generic dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.scorer import GoldError, char_f1, load_gold, match, resolve, score_field


def g(start: int, end: int, **kw: object) -> dict[str, object]:
    return {"start": start, "end": end, **kw}


def test_resolve_occurrences() -> None:
    assert resolve("县发改局、县财政局、县发改局", "县发改局", 2) == (10, 14)
    with pytest.raises(GoldError):
        resolve("县发改局", "县发改局", 2)


def test_units_need_same_role_and_drop_generic() -> None:
    gold = [g(0, 4, role="lead"), g(5, 9, role="co")]
    pred = [g(0, 4, role="lead"), g(5, 9, role="joint"), g(10, 14, role="co", generic=True)]
    s = score_field("units", gold, pred)
    assert (s.tp, s.n_pred, s.n_gold) == (1, 2, 2)
    assert s.precision == 0.5 and s.recall == 0.5


def test_greedy_largest_overlap_first_one_to_one() -> None:
    gold = [g(0, 10), g(8, 12)]
    pred = [g(2, 10), g(9, 11)]
    pairs = match(gold, pred, lambda p, q: True)
    assert sorted(pairs) == [(0, 0), (1, 1)]
    # two predictions on one gold item: only one matches
    s = score_field("deadlines", [g(0, 5, kind="deadline", date_end="2024-12-31")],
                    [g(0, 5, date_end="2024-12-31"), g(1, 3, date_end=None)])
    assert (s.tp, s.n_pred) == (1, 2)
    assert s.accuracy("date_end") == 1.0


def test_targets_need_value_and_unit_then_sub_accuracies() -> None:
    gold = [g(0, 5, value=8, unit="%", comparator=">=", kind="growth", indicator="规模工业增加值")]
    good = [g(0, 3, value=8.0, unit="%", comparator=">=", kind="level", indicator="工业增加值")]
    s = score_field("targets", gold, good)
    assert s.tp == 1
    assert s.accuracy("comparator") == 1.0 and s.accuracy("kind") == 0.0 and s.accuracy("indicator") == 1.0
    assert [(e["type"], e["kind"], e["got"]) for e in s.errors] == [("wrong kind", "growth", "level")]
    assert score_field("targets", gold, [g(0, 3, value=8, unit=None)]).tp == 0
    assert score_field("targets", gold, [g(0, 3, value=8.000001, unit="%")]).tp == 0


def test_figures_need_value_base() -> None:
    gold = [g(0, 6, value_base=51400, unit_base="户")]
    assert score_field("figures", gold, [g(0, 6, value_base=51400.0)]).tp == 1
    assert score_field("figures", gold, [g(0, 6, value_base=5.14)]).tp == 0


def test_char_f1() -> None:
    assert char_f1("工业投资增速", "工业投资增速") == 1.0
    assert char_f1("投资", "工业投资增速") == pytest.approx(2 * (1 * 1 / 3) / (1 + 1 / 3))
    assert char_f1(None, "x") == 0.0


def test_empty_lists_score_perfectly_and_missing_keys_are_not_scored(tmp_path: Path) -> None:
    s = score_field("targets", [], [])
    assert s.f1 == 1.0
    p = tmp_path / "x.gold.json"
    p.write_text(json.dumps({"doc": "x.txt", "ref_year": 2024, "targets": [],
                             "units": [{"text": "县发改局", "occ": 1, "role": "lead"}]}), encoding="utf-8")
    gold = load_gold(p, "由县发改局牵头")
    assert "figures" not in gold and gold["units"][0]["start"] == 1
