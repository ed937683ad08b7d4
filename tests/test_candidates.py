"""Candidates first: the one-pass word scans give exactly what the full regex scans gave."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.responsibilities import Mention, _Grammar
from pipeline.io.ingest import iter_inputs, read_document
from pipeline.lexicon import read_yaml
from pipeline.stages.gazetteer import Gazetteer
from pipeline.stages.normalize import Normalizer
from pipeline.stages.wordscan import WordScanner
from tests.conftest import CORPUS

WORDS = ["河南", "河南省", "南省", "省", "发改局", "发改", "改局", "局"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="河南省发改局市", max_size=30))
def test_longest_equals_a_longest_first_alternation(text: str) -> None:
    rx = re.compile("|".join(map(re.escape, sorted(WORDS, key=len, reverse=True))))
    assert WordScanner(WORDS).longest(text) == [m.span() for m in rx.finditer(text)]


_FILLER = "的一是了在有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主年动同工也能下过子说产种面而方后多定行"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*WORDS, "县", "乡镇", *_FILLER[:8]]), max_size=40).map("".join))
def test_longest_where_word_ends_are_sparse(core: str) -> None:
    """Few word ends in the text: ``longest`` looks up the substrings ending there, not the automaton."""
    words = [*WORDS, "河南省县", "改局县", "局县", "乡镇", "镇"]
    rx = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    ws = WordScanner(words)
    assert ws._ends is not None
    pad = "的" * (4 * len(core))  # at most a fifth of the characters can end a word
    for text in (pad + core, core + pad):
        assert ws.longest(text) == [m.span() for m in rx.finditer(text)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([*_FILLER, *(_FILLER[k:k + 3] for k in range(0, 52, 3))]), max_size=40).map("".join))
def test_longest_with_many_distinct_word_ends(text: str) -> None:
    """Words ending in many characters: ``longest`` reads the whole text with the automaton."""
    words = [_FILLER[k:k + 2] for k in range(54)] + [_FILLER[k:k + 3] for k in range(0, 52, 3)]
    rx = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    ws = WordScanner(words)
    assert ws._ends is None
    assert ws.longest(text) == [m.span() for m in rx.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="河南省发改局市", max_size=30))
def test_starts_are_every_word_start(text: str) -> None:
    ws = WordScanner(WORDS)
    expect = sorted({i for i in range(len(text)) for w in WORDS if text.startswith(w, i)})
    assert ws.starts(text) == expect
    assert [i for i in range(len(text)) if ws.starts_at(text, i)] == expect


def test_anchor_list_covers_the_literal_heads_of_compound_and_sector() -> None:
    y = read_yaml("unit_grammar.yaml")
    anchors = set(y["mention_anchors"])
    assert "(?P<body>(?:{sector_word})部门)" in y["patterns"]["sector"], \
        "the sector pattern changed shape: update this test and mention_anchors"
    assert set(y["fragments"]["sector_word"].split("|")) <= anchors
    for branch in y["patterns"]["compound"].split("|(?:{place})")[0:1]:
        heads = re.match(r"\(\?:([^()]*)\)", branch)
        assert heads and set(heads.group(1).split("|")) <= anchors
    for head in re.findall(r"\|([\u4e00-\u9fff]+)(?:\(|\{)", y["patterns"]["compound"]):
        assert head in anchors, head


def _docs() -> list[str]:
    norm = Normalizer()
    return [norm.normalize(read_document(p).text).text for p, _ in iter_inputs([CORPUS])]


@pytest.fixture(scope="module")
def corpus_texts() -> list[str]:
    return _docs()


@pytest.fixture(scope="module")
def g() -> _Grammar:
    return _Grammar()


def _find_all_full_scan(g: _Grammar, text: str) -> list[Mention]:
    """``find_all`` as it was: every recogniser over the whole text (no mention at a class of divisions' 市)."""
    cands = []
    for prio, (rule, rx) in enumerate(g.recognizers):
        pos = 0
        while (m := rx.search(text, pos)) is not None:
            if g._class_tail(text, m.start()):
                pos = m.start() + 1  # 直辖市人民政府: search again after the class's 市
                continue
            if m.end() > m.start():
                cands.append((0 if rule != "free" else 1, prio, g._mention(rule, m)))
            pos = max(m.end(), m.start() + 1)
    cands.sort(key=lambda c: (c[0], -(c[2].nend - c[2].nstart), c[1], c[2].nstart))
    taken: list[Mention] = []
    occupied = bytearray(len(text) + 1)
    for _, _, mn in cands:
        if any(occupied[mn.nstart:mn.nend]):
            continue
        occupied[mn.nstart:mn.nend] = b"\x01" * (mn.nend - mn.nstart)
        taken.append(mn)
    return sorted(taken, key=lambda x: x.nstart)


def test_find_all_equals_the_full_scan_on_the_corpus(corpus_texts: list[str], g: _Grammar) -> None:
    for text in corpus_texts:
        assert g.find_all(text) == _find_all_full_scan(g, text)


def test_match_at_equals_the_full_recognisers_on_the_corpus(corpus_texts: list[str], g: _Grammar) -> None:
    for text in corpus_texts[:40]:
        for pos in range(0, len(text), 7):
            end = min(len(text), pos + 30)
            full = [rx.match(text, pos, end) for _, rx in g.recognizers]
            got = g.match_at(text, pos, end)
            if got is None:
                assert all(m is None or m.end() <= pos for m in full)
            else:
                assert any(m is not None and m.end() == got.nend for m in full)


def test_gazetteer_equals_the_regex_alternation_on_the_corpus(corpus_texts: list[str]) -> None:
    gz = Gazetteer()
    names = sorted((n for n in gz.by_name if len(n) > 2), key=len, reverse=True)
    rx = re.compile("|".join(map(re.escape, names)))
    for text in corpus_texts:
        assert gz.mentions(text) == Counter(m.group(0) for m in rx.finditer(text))
