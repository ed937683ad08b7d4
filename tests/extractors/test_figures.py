"""Figures example table (tests/examples/figures.yaml) and the hit API used by the targets stage."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.extractors.figures import FigureExtractor, NumberHit
from pipeline.stages.document import PolicyDoc
from pipeline.stages.normalize import Normalizer
from tests.example_tables import load, params, spans_point_back

EXAMPLES: list[dict[str, Any]] = load("figures")


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer()


@pytest.fixture(scope="module")
def extractor() -> FigureExtractor:
    return FigureExtractor()


def make_doc(normalizer: Normalizer, sentence: str) -> PolicyDoc:
    return PolicyDoc("t", "t.txt", normalizer.normalize(sentence))


def test_table_is_large_enough() -> None:
    assert len(EXAMPLES) >= 60
    assert any(not case["figures"] for case in EXAMPLES)


@pytest.mark.parametrize("case", params(EXAMPLES, "sentence"))
def test_example(case: dict[str, Any], normalizer: Normalizer, extractor: FigureExtractor) -> None:
    doc = make_doc(normalizer, case["sentence"])
    got = [
        [f.span.text, f.value, f.unit, f.value_base, f.unit_base, f.qualifier]
        for f in extractor(doc)
    ]
    want = [[str(w[0]), float(w[1]), w[2], float(w[3]), w[4], w[5]] for w in case["figures"]]
    assert got == want
    spans_point_back(doc.original, extractor(doc), "figure:")
    assert all(f.task_id is None for f in extractor(doc))


def test_hits_include_unitless_numbers_and_ratios(normalizer: Normalizer, extractor: FigureExtractor) -> None:
    doc = make_doc(normalizer, "系数达到0.6以上,床人比不低于1:1.6,总投资68亿。")
    hits = extractor.hits(doc)
    assert [(doc.text[h.nstart : h.nend], h.value, h.unit, h.value_base, h.unit_base, h.qualifier, h.rule)
            for h in hits] == [
        ("0.6", 0.6, None, 0.6, None, ">=", "bare"),
        ("1:1.6", 1.6, None, 1.6, None, ">=", "ratio"),
        ("68亿", 68.0, "亿", 6.8e9, None, None, "magnitude"),
    ]
    assert not any(h.is_figure for h in hits)
    assert extractor(doc) == []


def test_qualifier_position(normalizer: Normalizer, extractor: FigureExtractor) -> None:
    doc = make_doc(normalizer, "固定资产投资增长不低于10%,进口整车5000辆以上。")
    first, second = extractor.hits(doc)
    assert isinstance(first, NumberHit)
    assert doc.text[first.qual_nstart : first.qual_nend] == "不低于" and first.qualifier == ">="
    assert doc.text[second.qual_nstart : second.qual_nend] == "以上" and second.qualifier == ">="
    assert doc.text[second.nstart : second.nend] == "5000辆"


def test_hits_skip_dates_sections_and_ordinals(normalizer: Normalizer, extractor: FigureExtractor) -> None:
    text = "一、主要目标\n1.到2025年,第3批项目于6月底前开工。(详见附件2)"
    assert extractor.hits(make_doc(normalizer, text)) == []
