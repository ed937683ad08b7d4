"""Sentence, cell and clause bounds of a document (pipeline/stages/sentences.py), found once by the structure stage."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.stages.normalize import Normalizer
from pipeline.stages.sentences import Sentences
from pipeline.stages.structure import Structurer

TEXT = "2022年,全市生产总值增长6.3%;力争2025年达到100亿元。|指标|目标值|\n(一)由县发改局牵头,县财政局配合!"


def _at(text: str, word: str) -> int:
    return text.index(word)


@pytest.mark.parametrize(("word", "sentence", "full", "clause", "clause_end"), [
    ("全市", "2022年", "2022年", "全市生产总值增长6.3%", "全市生产总值增长6.3%"),
    ("力争", "力争2025年", "2022年", "力争2025年达到100亿元", "力争2025年达到100亿元"),  # ; cuts a sentence only
    ("目标值", "目标值", "目标值", "目标值", "目标值"),  # a table cell
    ("县财政局", "(一)由县发改局", "(一)由县发改局", "县财政局配合", "县财政局配合"),
])
def test_bounds(word: str, sentence: str, full: str, clause: str, clause_end: str) -> None:
    b, p = Sentences(TEXT), _at(TEXT, word)
    assert TEXT[b.sentence_start(p):].startswith(sentence)
    assert TEXT[b.full_sentence_start(p):].startswith(full)
    assert TEXT[b.clause_start(p):b.clause_end(p)] == clause
    assert TEXT[b.clause_start(p):b.clause_end(p + 1)] == clause_end


def test_spans() -> None:
    b = Sentences(TEXT)
    assert [TEXT[s:e] for s, e in b.spans()] == [
        "2022年,全市生产总值增长6.3%", "力争2025年达到100亿元", "|指标|目标值|",
        "(一)由县发改局牵头,县财政局配合"]
    assert [TEXT[s:e] for s, e in b.spans(with_end=True)][:2] == [
        "2022年,全市生产总值增长6.3%;", "力争2025年达到100亿元。"]  # a line end is not kept


@pytest.mark.parametrize("text", ["", "。", ";\n\n!?", "\n"])
def test_no_sentences(text: str) -> None:
    b = Sentences(text)
    assert list(b.spans()) == [] and list(b.spans(with_end=True)) == []
    assert b.sentence_start(len(text)) == len(text) if text else b.sentence_start(0) == 0


def _walk_back(text: str, p: int, seps: str) -> int:
    while p > 0 and text[p - 1] not in seps:
        p -= 1
    return p


def _walk_forward(text: str, p: int, seps: str) -> int:
    while p < len(text) and text[p] not in seps:
        p += 1
    return p


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="。;!?\n|,:、甲乙 ", max_size=40))
def test_bounds_equal_the_walks_each_stage_made(text: str) -> None:
    """The targets stage walked to these separators, the units and NER stages split on a regex."""
    b = Sentences(text)
    for p in range(len(text) + 1):
        assert b.sentence_start(p) == _walk_back(text, p, "。;!?\n|")
        assert b.sentence_start(p, cells=False) == _walk_back(text, p, "。;!?\n")
        assert b.full_sentence_start(p) == _walk_back(text, p, "。!?\n|")
        assert b.clause_start(p) == _walk_back(text, p, "。;!?\n|,:")
        assert b.clause_end(p) == _walk_forward(text, p, "。;!?\n|,:")
    assert list(b.spans()) == [m.span() for m in re.finditer(r"[^。;!?\n]+", text)]
    assert list(b.spans(with_end=True)) == [m.span() for m in re.finditer(r"[^。;!?\n]+[。;!?]?", text)]


def test_the_structure_stage_finds_them_once(normalizer: Normalizer) -> None:
    doc = Structurer().build("x", "x.txt", normalizer.normalize(TEXT))
    assert doc._sentences is not None and doc.sentences is doc.sentences
