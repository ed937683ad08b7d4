"""Normalisers of time expressions: a hit's groups and the resolved year → (date_start, date_end, granularity).

Each normaliser is named by the patterns of ``lexicons/time.yaml`` (``norm:``); they read the document's
``ref_year`` only, never the clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Mapping

from pipeline.extractors.quantities import Numerals

Dates = tuple[dt.date | None, dt.date | None, str | None]


class Groups:
    """A time hit's named groups, whole numbers read by the owning stage's numeral parser (``Numerals``)."""

    __slots__ = ("_g", "_numerals")

    def __init__(self, groups: Mapping[str, str | None], numerals: Numerals) -> None:
        self._g = groups
        self._numerals = numerals

    def get(self, key: str) -> str | None:
        """The group as written, or None."""
        return self._g.get(key)

    def int(self, *keys: str, default: str = "") -> int | None:
        """The first non-empty group of ``keys`` (else ``default``) as a whole number: 十二 → 12, 二〇二四 → 2024;
        None when there is none or it is no whole number."""
        for k in keys:
            v = self._g.get(k)
            if v:
                return self._numerals.parse_int(v)
        return self._numerals.parse_int(default) if default else None


def _month_last(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _valid(y: int, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


# ---------------------------------------------------------------- normalisers
# Each takes the hit's groups and the resolved year (None when unknown).

def _norm_day(g: Groups, y: int | None) -> Dates:
    m, d = g.int("m"), g.int("d")
    if y is None or m is None or d is None or not _valid(y, m, d):
        return None, None, "day"
    day = dt.date(y, m, d)
    return day, day, "day"


def _norm_day_range(g: Groups, y: int | None) -> Dates:
    """3月11日至10月31日 (one year), 2019年1月1日至2020年12月31日 (y0 … y): from the first day to the last."""
    _, end, gran = _norm_day(g, y)
    m0, d0 = g.int("m0"), g.int("d0")
    y0 = g.int("y0") if g.get("y0") else y
    if end is None or y0 is None or m0 is None or d0 is None or not _valid(y0, m0, d0):
        return end, end, gran
    start = dt.date(y0, m0, d0)
    return (start if start <= end else end), end, gran


def _norm_month(g: Groups, y: int | None) -> Dates:
    m = g.int("m", "m2")
    if y is None or m is None or not 1 <= m <= 12:
        return None, None, "month"
    return dt.date(y, m, 1), _month_last(y, m), "month"


def _norm_month_range(g: Groups, y: int | None) -> Dates:
    m1, m2 = g.int("m"), g.int("m2")
    if y is None or m1 is None or m2 is None or not 1 <= m1 <= m2 <= 12:
        return None, None, "month"
    return dt.date(y, m1, 1), _month_last(y, m2), "month"


def _norm_xun(g: Groups, y: int | None) -> Dates:
    """上旬 → 1st–10th, 中旬 → 11th–20th, 下旬 → 21st–month end."""
    m = g.int("m")
    if y is None or m is None or not 1 <= m <= 12:
        return None, None, "day"
    first = {"上": 1, "中": 11, "下": 21}[g.get("xun") or "下"]
    last = {"上": dt.date(y, m, 10), "中": dt.date(y, m, 20)}.get(g.get("xun") or "", _month_last(y, m))
    return dt.date(y, m, first), last, "day"


def _quarter_bounds(y: int, q: int) -> tuple[dt.date, dt.date]:
    return dt.date(y, 3 * q - 2, 1), _month_last(y, 3 * q)


def _norm_quarter(g: Groups, y: int | None) -> Dates:
    q = g.int("q")
    if y is None or q is None or not 1 <= q <= 4:
        return None, None, "quarter"
    return (*_quarter_bounds(y, q), "quarter")


def _norm_quarter_range(g: Groups, y: int | None) -> Dates:
    q1, q2 = g.int("q", default="1"), g.int("q2")
    if y is None or q1 is None or q2 is None or not 1 <= q1 <= q2 <= 4:
        return None, None, "quarter"
    return _quarter_bounds(y, q1)[0], _quarter_bounds(y, q2)[1], "quarter"


def _norm_half(g: Groups, y: int | None) -> Dates:
    if y is None:
        return None, None, "half"
    if g.get("h") == "上":
        return dt.date(y, 1, 1), dt.date(y, 6, 30), "half"
    return dt.date(y, 7, 1), dt.date(y, 12, 31), "half"


def _norm_year(g: Groups, y: int | None) -> Dates:
    if y is None:
        return None, None, "year"
    return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"


def _norm_year_range(g: Groups, y: int | None) -> Dates:
    y2 = g.int("y2")
    if y is None or y2 is None or y2 < y:
        return None, None, "multi_year"
    return dt.date(y, 1, 1), dt.date(y2, 12, 31), "multi_year"


def _plan_years(g: Groups) -> tuple[int, int] | None:
    """Years of the N-th five-year plan (三五 = 1966–1970 onwards; 十四五 = 2021–2025)."""
    n = g.int("plan")
    if n is None:
        return None
    n += 10  # the pattern captures the digit after 十
    start = 1966 + 5 * (n - 3)
    return start, start + 4


def _norm_plan(g: Groups, y: int | None) -> Dates:
    yrs = _plan_years(g)
    if yrs is None:
        return None, None, "multi_year"
    return dt.date(yrs[0], 1, 1), dt.date(yrs[1], 12, 31), "multi_year"


def _norm_plan_end(g: Groups, y: int | None) -> Dates:
    yrs = _plan_years(g)
    if yrs is None:
        return None, None, "year"
    return dt.date(yrs[1], 1, 1), dt.date(yrs[1], 12, 31), "year"


def _norm_none(g: Groups, y: int | None) -> Dates:
    return None, None, None


def _norm_day_squeezed(g: Groups, y: int | None) -> Dates:
    """2020415日前 (a web page dropped 年/月): month and day from the digits, only when one reading is valid."""
    md = g.get("md") or ""
    if y is None:
        return None, None, "day"
    readings = {(int(md[:k]), int(md[k:])) for k in (1, 2) if 0 < k < len(md) and md[k] != "0"}
    valid = [(m, d) for m, d in readings if _valid(y, m, d)]
    if len(valid) != 1:
        return None, None, "day"
    day = dt.date(y, *valid[0])
    return day, day, "day"


def _norm_next_years(g: Groups, y: int | None) -> Dates:
    """今明两年: this year and the next."""
    if y is None:
        return None, None, "multi_year"
    return dt.date(y, 1, 1), dt.date(y + 1, 12, 31), "multi_year"


def _norm_national_day(g: Groups, y: int | None) -> Dates:
    """十一之前 / 国庆节前: before 1 October."""
    if y is None:
        return None, None, "day"
    return dt.date(y, 10, 1), dt.date(y, 10, 1), "day"


NORMALISERS: dict[str, Callable[[Groups, int | None], Dates]] = {
    "day_squeezed": _norm_day_squeezed,
    "next_years": _norm_next_years,
    "national_day": _norm_national_day,
    "day": _norm_day,
    "day_range": _norm_day_range,
    "month": _norm_month,
    "month_range": _norm_month_range,
    "xun": _norm_xun,
    "quarter": _norm_quarter,
    "quarter_range": _norm_quarter_range,
    "quarters_to": _norm_quarter_range,
    "half": _norm_half,
    "year": _norm_year,
    "year_range": _norm_year_range,
    "plan": _norm_plan,
    "plan_end": _norm_plan_end,
    "none": _norm_none,
}
_NEEDS_NO_YEAR = {"plan", "plan_end", "none"}


_PERIOD_QUARTER = re.compile(r"([一二三四1-4])季度")
_PERIOD_MONTH = re.compile(r"(\d{1,2})月")


def period_end(period: str, ref_year: int | None, numerals: Numerals, year: re.Pattern[str]) -> dt.date | None:
    """Last day of a target's period word (2024年, 一季度, 上半年, 全年, 6月) given the reference year: the end
    the deadline normalisers give the same quarter, half, month or year; None without a year. ``year`` matches
    a year with its 年 (the lexicon's {year_digits}年)."""
    m = year.match(period)
    year_of = int(m.group(0).rstrip("年").strip()) if m else ref_year
    if year_of is None:
        return None
    rest = period[m.end():] if m else period
    q = _PERIOD_QUARTER.search(rest)
    if q:
        return _norm_quarter(Groups({"q": q.group(1)}, numerals), year_of)[1]
    if "上半年" in rest:
        return _norm_half(Groups({"h": "上"}, numerals), year_of)[1]
    mm = _PERIOD_MONTH.search(rest)
    if mm and 1 <= int(mm.group(1)) <= 12:
        return _norm_month(Groups({"m": mm.group(1)}, numerals), year_of)[1]
    return _norm_year(Groups({}, numerals), year_of)[1]
