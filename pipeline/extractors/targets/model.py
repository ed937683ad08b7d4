"""Data and small text helpers of the targets stage: a number and its context, list and bracket helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

LEXICON = "targets.yaml"

#: how far back a number's sentence may reach: a text with no stop in sight (a run of thousands of 1%) is read in
#: windows, so that the cue checks per number stay bounded (the longest sentence of corpus/ has ~430 characters)
_MAX_SENTENCE = 500
_LIST_GAP = re.compile(r"^\s*(?:、|和|及|与|以及|,)\s*$")
_LIST_NEXT = re.compile(r"^\s*(?:和|及|与|以及)\s*[-\d]")
_PAREN = re.compile(r"[()]")
_LIST_MARK = re.compile(r"[()、]")
_CJK = re.compile(r"[\u3400-\u9fffA-Za-z“\"]")
_QUOTES = "“”\"'‘’《》"


@dataclass(slots=True)
class _Num:
    """A number candidate: figure hit or unit-less committed number (normalised offsets)."""

    nstart: int
    nend: int
    value: float
    unit: str | None
    value_base: float
    unit_base: str | None
    qualifier: str | None = None
    range_floor: bool = False


@dataclass(slots=True)
class _Ctx:
    """Where a number stands: its sentence, clause and own segment, its adjacent qualifiers."""

    sent_start: int
    clause_start: int
    clause_end: int
    seg_start: int
    span_start: int  # with an adjacent qualifier word before (不低于20%)
    span_end: int  # with an adjacent qualifier word after (8%以上)
    cmp_before: str | None = None
    cmp_after: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _DocScan:
    """Per-document state of one targets run, passed explicitly (the extractor itself keeps none)."""

    news_from: int  # where a news or report part starts: numbers from here on are no goals
    last: tuple[int, str, str, str | None] | None = None  # (sentence start, indicator, kind, unit) of the last target


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _unit_core(unit: str | None) -> str | None:
    """The unit without a magnitude prefix (万户 → 户, 亿元 → 元)."""
    if not unit:
        return None
    core = re.sub(r"^[万亿千百十]+", "", unit)
    return core or unit


def _inside_parens(s: str, aside_open: re.Pattern[str] | None = None) -> bool:
    """The text ends inside a bracket, unless the bracket opens a part of the goal (其中…)."""
    depth, opened = 0, -1
    for m in _PAREN.finditer(s):  # the brackets only, not every character
        if m.group(0) == "(":
            depth, opened = depth + 1, m.start()
        elif depth:
            depth -= 1
    if depth <= 0:
        return False
    return not (aside_open is not None and aside_open.match(s, opened + 1))


def _inside_quotes(s: str) -> bool:
    """The text ends inside a “quoted” name or rule (落实“…比例不低于40%”政策); a quoted passage whose clauses run on
    with commas (其中第176项的主要内容为,“落实公交优先战略,加快轨道交通建设,新增通车里程62公里”) is the plan's own text,
    judged as any other."""
    if s.count("“") <= s.count("”"):
        return False
    return not re.search(r"[,;]", s[s.rfind("“"):])


def _drop_parens(s: str) -> str:
    """Text without bracketed asides (新(改、扩)建 → 新建), for cue search."""
    return re.sub(r"\([^()]*\)", "", s)


def _split_list(s: str) -> list[str]:
    """Split A、B和C on list separators outside brackets."""
    parts, depth, cur, i = [], 0, "", 0
    while i < len(s):
        ch = s[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth <= 0 and (ch in "、和" or (ch == "及" and not s.startswith("及其", i))):
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    return [p for p in parts if p]


def _has_list(s: str) -> bool:
    depth = 0
    for m in _LIST_MARK.finditer(s):  # the brackets and 、 only, not every character
        ch = m.group(0)
        depth += ch == "("
        depth -= ch == ")"
        if ch == "、" and depth <= 0:
            return True
    return False


def _strip_trailing_paren(s: str) -> str:
    """空气质量优良天数比例(AQI达标率) → 空气质量优良天数比例 (an alias after the indicator)."""
    m = re.search(r"\([^()]*\)$", s)
    if m and m.start() > 1:
        return s[: m.start()]
    return s


def _strip_outer(s: str) -> str:
    return s.strip(_QUOTES + " ")
