"""Normalisation keeps an exact way back to the original characters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize import Normalizer, deletions
from tests.conftest import CORPUS, SEED_004, read

_N = Normalizer()

PIECES = ["漵浦縣", "發(fā)展", "區(qū)", "工(gōng)作", "（一）", "，", "：", "１２３", "ＡＢ", "\r\n", "\n", "　",
          "實施方案", "規模工業增加值增長7%", "PM2.5", "(VOCs)", "后來", "﹒", "牽頭單位", "a", " ", "乾淨"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_every_normalised_character_maps_back(pieces: list[str]) -> None:
    original = "".join(pieces)
    nt = _N.normalize(original)
    assert len(nt.starts) == len(nt.text) == len(nt.ends)
    prev = 0
    for i in range(len(nt.text)):
        s, e = nt.starts[i], nt.ends[i]
        assert prev <= s < e <= len(original)
        prev = s
        # the original stretch normalises to this character (one-to-one pieces)
        if e - s == 1:
            assert _N.to_simplified(original[s:e]) == nt.text[i] or original[s:e] in "\r"
    # any span round-trips: the original slice of a span is what span() reports
    for a in range(0, len(nt.text), 3):
        for b in range(a, min(len(nt.text), a + 7) + 1):
            sp = nt.span(a, b)
            assert original[sp.start : sp.end] == sp.text
            assert sp.text_norm == nt.text[a:b]


def test_pinyin_glosses_are_dropped_and_mapped() -> None:
    original = "穩(wěn)就業(yè)，發(fā)展"
    nt = _N.normalize(original)
    assert nt.text == "稳就业,发展"
    sp = nt.span(4, 6)
    assert sp.text == "發(fā)展" and sp.text_norm == "发展"


def test_latin_brackets_are_kept() -> None:
    assert _N.normalize("挥发性有机物(VOCs)和氮氧化物(NOX)").text == "挥发性有机物(VOCs)和氮氧化物(NOX)"
    assert deletions("物(VOCs)") == []


def test_width_and_small_forms() -> None:
    assert _N.normalize("（一）１﹒牵头单位：县发改局；").text == "(一)1.牵头单位:县发改局;"


def test_crlf_is_one_newline_but_offsets_keep_it() -> None:
    nt = _N.normalize("一、总则\r\n二、任务")
    assert nt.text == "一、总则\n二、任务"
    sp = nt.span(5, 9)
    assert sp.text == "二、任务" and sp.start == 6


def test_traditional_seed_keeps_length_and_converts() -> None:
    original = read(SEED_004)
    nt = _N.normalize(original)
    assert len(nt.text) == len(original)
    assert nt.text.startswith("溆政办发〔2024〕5号")
    assert _N.script(original) == "traditional"


def test_script_detection() -> None:
    assert _N.script(read(CORPUS / "dev" / "d01.txt")) == "simplified"
    assert _N.script(read(CORPUS / "dev" / "d04.txt")) == "traditional"
    assert _N.script("") == "simplified"
