"""The on-disk cache of big compiled regexes, and a build that loads nothing it does not need."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.recache import MIN_CACHED_LEN, cache_dir, compile_cached


def _big(words: int = 2000, extra: str = "") -> str:
    return "(?P<w>" + "|".join(f"词{i:05d}" for i in range(words)) + extra + ")(?P<tail>局|委)?"


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POLICY_EXTRACT_CACHE", str(tmp_path / "c"))
    return tmp_path / "c"


def test_cache_dir_from_environment(cache: Path) -> None:
    assert cache_dir() == cache


def test_cached_pattern_matches_like_re(cache: Path) -> None:
    pat = _big()
    assert len(pat) >= MIN_CACHED_LEN
    ref = re.compile(pat)
    first = compile_cached(pat)
    files = list(cache.glob("re-*.bin"))
    assert len(files) == 1  # written on the first compile
    again = compile_cached(pat)  # loaded from the file
    for rx in (first, again):
        assert rx.pattern == pat and rx.groupindex == ref.groupindex
        for s in ("xx词01999局", "词00001", "词2", "词00000委词00007"):
            assert [m.span() + m.groups() for m in rx.finditer(s)] == [m.span() + m.groups() for m in ref.finditer(s)]
    assert list(cache.glob("re-*.bin")) == files


def test_changed_pattern_gets_a_new_entry(cache: Path) -> None:
    compile_cached(_big())
    rx = compile_cached(_big(extra="|新词"))
    assert len(list(cache.glob("re-*.bin"))) == 2
    assert rx.search("一个新词局").group(0) == "新词局"  # type: ignore[union-attr]


def test_corrupt_entry_is_rebuilt(cache: Path) -> None:
    pat = _big()
    compile_cached(pat)
    (f,) = cache.glob("re-*.bin")
    f.write_bytes(b"\x00garbage")
    assert compile_cached(pat).fullmatch("词00042局")
    assert f.read_bytes() != b"\x00garbage"


def test_unwritable_cache_still_compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("POLICY_EXTRACT_CACHE", str(blocker / "sub"))
    assert compile_cached(_big()).fullmatch("词00042")


def test_small_patterns_are_not_cached(cache: Path) -> None:
    assert compile_cached("发改局|财政局").search("县财政局")
    assert not cache.exists()


def test_segmenter_loads_jieba_on_first_use() -> None:
    from pipeline.extractors.targets import TargetExtractor
    from pipeline.stages.segment import Segmenter

    seg = Segmenter(["发改局"])
    TargetExtractor(seg)
    assert seg._tokenizer is None  # building the stages loads no dictionary
    assert "发改局" in seg.tokenizer.lcut("县发改局牵头")
    assert seg._tokenizer is not None


def test_preload_loads_the_segmenter_before_any_document() -> None:
    from pipeline.compose import Pipeline

    pipe = Pipeline()
    assert pipe.resources.segmenter._tokenizer is None
    pipe.preload()
    assert pipe.resources.segmenter._tokenizer is not None


GATE_CASES = [
    r"(?:到|至)?(?P<y>20[0-9]{2})年(?:底|末)?",
    r"(?<=[由和])(?:本|今|明)年(?:度)?",
    r"(?m)^[ \t]*(第[一二三]章)",
    r"(?:(?<=\n)|^|(?<=[。;])[ \t]*)[ \t]*([(〔][一二三][)〕])",
    r"(?=[年月])[年月]份?|季度",
    r"(?<![\d.])\d{1,2}\s*日(?!以?内)",
    r"(?<!\d)(?P<n>\d+)\s*[+×*]\s*(?:\d+|[A-Za-z]+)",
    r"(?:(?<=\|)|^)\s*(?P<y>20\d{2})年",
]


@pytest.mark.parametrize("pattern", GATE_CASES)
def test_first_char_gate_changes_no_match(pattern: str) -> None:
    from pipeline.recache import first_char_gate

    rx = re.compile(pattern)
    gated = first_char_gate(rx)
    assert gated is not rx and gated.pattern == rx.pattern
    assert gated.groupindex == rx.groupindex and gated.groups == rx.groups
    texts = ["到2025年底完成,今年度由明年", "\n第一章 总则\n 第二章", "工作。(一)牵头\n〔二〕", "年月份季度", "",
             "3日 12日内 1.5日 ٣日 5+2 7×A|2024年 | 2025年", "１２日\u3000２０２３年"]
    for t in texts:
        assert [m.span() + m.groups() for m in gated.finditer(t)] == [m.span() + m.groups() for m in rx.finditer(t)]
        for p in range(len(t) + 1):
            for op in ("match", "search", "fullmatch"):
                a, b = getattr(gated, op)(t, p), getattr(rx, op)(t, p)
                assert (a and a.span() + a.groups()) == (b and b.span() + b.groups())


@pytest.mark.parametrize("pattern", [r"\w+年", r"(?:年)?", r".年", r"[^年]月", r"(?i)q[1-4]", r"(?i:q)[1-4]"])
def test_first_char_gate_leaves_unknown_starts_alone(pattern: str) -> None:
    from pipeline.recache import first_char_gate

    rx = re.compile(pattern)
    assert first_char_gate(rx) is rx


@pytest.mark.parametrize("pattern", [r"每(?:个)?(?:月|季度)", r"(?P<rel>今|本)年(?:度)?", r"[两二三]\s*(?:年|月)一", r"经过\s*\d+年"])
def test_first_char_gate_leaves_a_literal_or_charset_start_to_re(pattern: str) -> None:
    """re skips to such a start itself (a C loop over the text); a lookahead gate would make it try every position."""
    from pipeline.recache import first_char_gate

    rx = re.compile(pattern)
    assert first_char_gate(rx) is rx
