"""The shared regex fragments of lexicons/common.yaml (issue 15: one definition per concept)."""

from __future__ import annotations

import re

import pytest

from pipeline.lexicon import LexiconError, compile_patterns, lexicon_dir, read_yaml, with_common

COMMON = read_yaml("common.yaml")["fragments"]


@pytest.mark.parametrize(("name", "text", "match"), [
    ("year_digits", "2024", True), ("year_digits", "1998", True), ("year_digits", "2100", False),
    ("year_digits", "1899", False), ("year_digits", "２０２４", False),  # full width is normalised before
    ("year_cn", "二〇二四", True), ("year_cn", "二○一二", True), ("year_cn", "二零二三", True),
    ("year_cn", "一九九八", False), ("year_cn", "二〇二", False),
    ("doc_number_year", "〔2023〕", True), ("doc_number_year", "[2024]", True), ("doc_number_year", "【 2021 】", True),
    ("doc_number_year", "(2022)", True), ("doc_number_year", "〔2023", False), ("doc_number_year", "(第2022)", False),
])
def test_common_fragments(name: str, text: str, match: bool) -> None:
    rx = compile_patterns({}, {"x": "{" + name + "}"}, "test")["x"]
    assert bool(rx.fullmatch(text)) is match


def test_a_file_may_not_define_a_shared_fragment_again() -> None:
    with pytest.raises(LexiconError, match="year_digits"):
        with_common({"year_digits": r"(?:19|20)\d{2}"}, "x.yaml")
    assert with_common({"year_digits": COMMON["year_digits"], "own": "a"})["own"] == "a"  # the same text is fine


def test_years_are_written_once() -> None:
    """No lexicon but common.yaml spells out a 19xx/20xx year: they refer to {year_digits}."""
    for path in sorted(lexicon_dir().glob("*.yaml")):
        if path.name != "common.yaml":
            assert not re.search(r"19\|20", path.read_text(encoding="utf-8")), path.name
