"""The before/after row comparison used to check that speed work changes no output."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pipeline.evaluation.tabledigest import differences, main, without
from tests.conftest import SEED_004


def test_differences_name_document_table_and_row() -> None:
    before: dict[str, dict[str, list[str]]] = {"a.txt": {"targets": ["r1", "r2"], "tasks": ["t"]}, "b.txt": {"targets": []}}
    after: dict[str, dict[str, list[str]]] = {"a.txt": {"targets": ["r1", "r2x"], "tasks": ["t"]}, "c.txt": {"targets": []}}
    out = differences(before, after)
    assert out[0].startswith("a.txt [targets] rows 2 → 2; first difference at row 1")
    assert "before: r2" in out[0] and "after:  r2x" in out[0]
    assert out[1:] == ["b.txt: only before", "c.txt: only after"]
    assert differences(before, before) == []


def test_save_then_compare_same_code_is_identical(tmp_path: Path) -> None:
    ref = tmp_path / "rows.json.gz"
    assert main([str(SEED_004), "--save", str(ref)]) == 0
    assert main([str(SEED_004), "--compare", str(ref)]) == 0
    with gzip.open(ref, "rt", encoding="utf-8") as fh:
        rows = json.load(fh)
    rows[SEED_004.name]["targets"].pop()
    with gzip.open(ref, "wt", encoding="utf-8") as fh:
        json.dump(rows, fh)
    assert main([str(SEED_004), "--compare", str(ref)]) == 1


def test_without_leaves_a_column_out_of_the_comparison() -> None:
    """--without rule: rows that differ only in their rule compare equal, other differences still show."""
    before = {"a.txt": {"targets": ['{"rule": "targets", "value": 1.0}']}}
    renamed = {"a.txt": {"targets": ['{"rule": "targets.commit.verb_before", "value": 1.0}']}}
    changed = {"a.txt": {"targets": ['{"rule": "targets.commit.verb_before", "value": 2.0}']}}
    assert differences(before, renamed)
    assert differences(without(before, ["rule"]), without(renamed, ["rule"])) == []
    assert differences(without(before, ["rule"]), without(changed, ["rule"]))
    assert without(before, []) is before
