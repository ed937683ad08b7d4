"""Numeral parsing and the unit table (pipeline/extractors/quantities.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.extractors.quantities import Numerals, Qualifiers, UnitInfo, UnitTable
from pipeline.lexicon import LexiconError

NUMBERS = [
    ("5.14", 5.14), ("68", 68.0), ("1,200", 1200.0), ("-19", -19.0), ("0.75", 0.75),
    ("一千二百", 1200.0), ("两", 2.0), ("三点五", 3.5), ("百分之七", 7.0), ("百分之三十五点五", 35.5),
    ("十", 10.0), ("十二", 12.0), ("二十", 20.0), ("一百零五", 105.0), ("两万", 20000.0),
    ("五千万", 5.0e7), ("一亿二千万", 1.2e8), ("二〇二三", 2023.0), ("5.14万", 51400.0), ("68亿", 6.8e9),
    ("3千万", 3.0e7),
]
NOT_NUMBERS = ["", "abc", "十四五", "三四十", "万", "12.5%", "统一", "5G"]


@pytest.fixture(scope="module")
def numerals() -> Numerals:
    return Numerals()


@pytest.mark.parametrize(("text", "value"), NUMBERS)
def test_parse_number(text: str, value: float, numerals: Numerals) -> None:
    assert numerals.parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_not_a_number(text: str, numerals: Numerals) -> None:
    assert numerals.parse_number(text) is None


@pytest.fixture(scope="module")
def table() -> UnitTable:
    return UnitTable()


UNITS = [
    ("万元", "元", 1e4), ("亿元", "元", 1e8), ("元", "元", 1.0), ("万户", "户", 1e4), ("%", "%", 1.0),
    ("个百分点", "百分点", 1.0), ("万亩", "亩", 1e4), ("万平方米", "平方米", 1e4), ("千万元", "元", 1e7),
    ("元/吨", "元/吨", 1.0), ("万元/亩", "元/亩", 1e4), ("元/月·人", "元/月·人", 1.0),
    ("微克每立方米", "微克/立方米", 1.0), ("个工作日", "工作日", 1.0), ("个月", "月", 1.0),
    ("千米", "千米", 1.0), ("蒸吨", "蒸吨", 1.0), ("倍", "倍", 1.0), ("万吨/年", "吨/年", 1e4),
]


@pytest.mark.parametrize(("unit", "base", "scale"), UNITS)
def test_lookup(table: UnitTable, unit: str, base: str, scale: float) -> None:
    info = table.lookup(unit)
    assert isinstance(info, UnitInfo)
    assert (info.unit, info.unit_base, info.scale) == (unit, base, scale)


@pytest.mark.parametrize("unit", ["月", "foo", "元/foo", "号", "页", "万"])
def test_unknown_units(table: UnitTable, unit: str) -> None:
    assert table.lookup(unit) is None


def test_classifiers_refuse_chinese_numerals(table: UnitTable) -> None:
    assert table.lookup("条").cn_ok is False  # type: ignore[union-attr]
    assert table.lookup("元").cn_ok is True  # type: ignore[union-attr]


def test_unit_context(table: UnitTable) -> None:
    assert table.match_unit("家庭", 0) is None
    assert table.match_unit("家企业", 0) == "家"
    assert table.match_unit("元/吨和", 0) == "元/吨"
    assert table.match_unit("日内办结", 0) == "日"
    assert table.match_unit("日前", 0) is None


def test_bad_lexicon_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "measure_units.tsv"
    bad.write_text("# bad\nunit\tbase\tscale\tkind\tcn\tmag\tper\tcontext\n元\t\t1\tmoney\ty\ty\tn\t\n", encoding="utf-8")
    with pytest.raises(LexiconError):
        UnitTable(bad)


# One parser of whole numbers for dates, quarters and counts (issue 15): what the deadlines stage's cn_int, the
# targets stage's quarter digits and the units stage's 排前N位 digits read, from real strings of the corpus.
INTS = [
    ("2023", 2023), ("二〇二三", 2023), ("二○一二", 2012), ("二零二四", 2024),  # 二○一二年十二月 (a signature)
    ("十二", 12), ("二十一", 21), ("三十一", 31), ("十", 10), ("7", 7), (" 6 ", 6), ("两", 2), ("一", 1),
    ("四", 4), ("零", 0), ("〇五", 5),
]
NOT_INTS = ["", "半", "三点五", "1.5", "三四十", "十十", "二十三四", "初", "上", "廿一", "5G"]


@pytest.mark.parametrize(("text", "value"), INTS)
def test_parse_int(text: str, value: int, numerals: Numerals) -> None:
    got = numerals.parse_int(text)
    assert got == value and isinstance(got, int)


@pytest.mark.parametrize("text", NOT_INTS)
def test_parse_int_yields_nothing(text: str, numerals: Numerals) -> None:
    assert numerals.parse_int(text) is None


def _old_cn_int(s: str) -> int | None:
    """The deadlines stage's own reader before issue 15 (月/日/季度/年), kept here as the reference."""
    digits = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(c not in digits and c != "十" for c in s):
        return None
    if "十" not in s:
        return int("".join(str(digits[c]) for c in s))
    tens, _, ones = s.partition("十")
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def test_parse_int_reads_what_the_deadline_reader_read(numerals: Numerals) -> None:
    """Every day, month, quarter and year shape the deadline patterns capture (十二, 二十一, 三十, 二〇二四, 二○二四)
    reads the same, tried exhaustively."""
    digits = ["", *"〇○零一二两三四五六七八九"]
    shapes = [a + t + b for a in digits for t in ("", "十") for b in digits]
    shapes += ["二" + a + b + c for a in "〇○零" for b in "一二" for c in "〇一二三四五九"]
    for s in shapes:
        assert numerals.parse_int(s) == _old_cn_int(s), s


# One qualifier reader for figures and targets (issue 15): the word before or after a number, its strict reading
# for the figures table and its comparator for a target (超过 → '>' and '>=', ANNOTATION.md).
QUALIFIED = [
    ("主营业务收入超400亿元", "400亿元", ">", ">="),  # pool p064: 超 was a target comparator only
    ("新增就业人数超过3000人", "3000人", ">", ">="),
    ("单位GDP能耗不高于0.5吨标准煤", "0.5吨", "<=", "<="),
    ("一般不到3个月", "3个月", "<", "<="),
    ("PM2.5浓度控制在35微克/立方米以下水平", "35微克/立方米", "<=", "<="),
    ("农田2万亩左右", "2万亩", "~", "~"),
    ("覆盖率达到95%以上", "95%", ">=", ">="),
]
UNQUALIFIED = ["最近3年新增企业10家", "全县新增企业10家", "附近5公里"]


@pytest.fixture(scope="module")
def qualifiers(numerals: Numerals) -> Qualifiers:
    return Qualifiers(numerals)


@pytest.mark.parametrize(("text", "figure", "qualifier", "comparator"), QUALIFIED)
def test_one_qualifier_reading(text: str, figure: str, qualifier: str, comparator: str,
                               qualifiers: Qualifiers) -> None:
    s = text.index(figure)
    e = s + len(figure)
    found = qualifiers.after_at(text, e) or qualifiers.before_at(text, s)
    assert found is not None and found[1] == qualifier
    assert Qualifiers.comparator(found[1]) == comparator


@pytest.mark.parametrize("text", UNQUALIFIED)
def test_no_qualifier(text: str, qualifiers: Qualifiers) -> None:
    for m in re.finditer(r"\d+", text):
        assert qualifiers.before_at(text, m.start()) is None and qualifiers.after_at(text, m.end() + 1) is None


def test_figures_and_targets_read_the_same_words(normalizer, qualifiers: Qualifiers) -> None:
    """超400亿元: the figure is '>' and the target '>=' from the same word, spans from the same reading."""
    from pipeline.extractors.figures import FigureExtractor
    from pipeline.extractors.targets import TargetExtractor
    from tests.conftest import make_doc

    doc = make_doc(normalizer, "装备制造板块主营业务收入超400亿元。", ref_year=2023)
    hits = FigureExtractor().hits(doc)
    assert [(h.unit, h.qualifier) for h in hits] == [("亿元", ">")]
    assert [(t.span.text, t.comparator) for t in TargetExtractor()(doc, hits, [])] == [("超400亿元", ">=")]


@pytest.mark.parametrize(("gap", "joined"), [
    ("-", True), ("~", True), (" 至 ", True), ("到", True), ("—", True), ("–", True),  # 10-50万元, 3至5年
    ("", False), ("、", False), ("和", False), ("--", False), ("至2", False), (" ", False),
])
def test_range_gap(gap: str, joined: bool, numerals: Numerals) -> None:
    """One reading of a range for both stages: figures share the upper end's unit, targets make one floor of it."""
    assert numerals.range_gap(gap) is joined
    assert bool(re.match(r"^\s*[~\-—–至到]\s*$", gap)) is joined  # the targets stage's own test before issue 15


def test_qualifier_readers_give_the_longest_listed_word(qualifiers: Qualifiers) -> None:
    """``before_at``/``after_at`` test every word in one call first: the same (word, qualifier) as the word loop."""
    words = [*sorted({w for w, _ in qualifiers.before} | {w for w, _ in qualifiers.after}), "的", "最近", "近"]
    texts = [*(a + "5" + b for a in words for b in words[::3]), "5", "", "不低于"]
    for text in texts:
        for pos in range(len(text) + 1):
            head = text[max(0, pos - 6):pos]
            before = next(((w, q) for w, q in qualifiers.before if head.endswith(w)), None)
            if before is not None and head.endswith(qualifiers.blockers):
                before = None
            after = next(((w, q) for w, q in qualifiers.after if text.startswith(w, pos)), None)
            assert qualifiers.before_at(text, pos) == before
            assert qualifiers.after_at(text, pos) == after
