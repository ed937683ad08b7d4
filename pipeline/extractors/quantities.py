"""Numerals and measure units: pure parsing of short spans, never of whole texts.

``Numerals.parse_number`` reads one written number (Arabic with decimals and thousands
commas, Chinese numerals such as 一千二百 / 两 / 三点五, 百分之七, and a trailing
magnitude 万/亿). ``UnitTable`` knows the measure units and classifiers of
``lexicons/measure_units.tsv`` and composes magnitude prefixes (万户 = 万 + 户) and
per-units (元/吨, 万元/亩) from them. Number words live in ``lexicons/numbers.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.lexicon import LexiconError, read_tsv, read_yaml

NUMBERS_LEXICON = "numbers.yaml"
UNITS_LEXICON = "measure_units.tsv"
_TIMES = "次"  # a count unit followed by 次 counts item-occasions (辆次, 架次), composed rather than listed

_ARABIC = re.compile(r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def round_base(x: float) -> float:
    """Round away binary noise of a scaled value (5.14 × 1e4 → 51400.0)."""
    return float(f"{x:.12g}")


class Numerals:
    """The number words of ``numbers.yaml`` and the one parser of written numerals that reads them.

    Each stage that reads numbers builds one (figures, targets, structure, deadlines) and keeps it.
    """

    def __init__(self, name: str | Path = NUMBERS_LEXICON) -> None:
        data: dict[str, Any] = read_yaml(name)
        for key in ("cn_digits", "cn_units", "cn_sections", "magnitudes"):
            if not isinstance(data.get(key), dict) or not data[key]:
                raise LexiconError(f"{name}: {key} must be a non-empty mapping")
        self.words = data
        self.digits: dict[str, int] = data["cn_digits"]
        self.units: dict[str, int] = data["cn_units"]
        self.sections: dict[str, int] = data["cn_sections"]
        self.point: str = data.get("cn_point", "点")
        self.percent_prefix: str = data.get("percent_prefix", "百分之")
        #: what joins the two ends of a range (10-50万元, 1~2个, 3至5年)
        self.range_separators = frozenset(data["range_separators"])
        #: magnitude words with their factor, longest first
        self.magnitudes: list[tuple[str, float]] = sorted(
            ((k, float(v)) for k, v in data["magnitudes"].items()), key=lambda kv: -len(kv[0]))

    def parse_chinese(self, s: str) -> float | None:
        """Value of a Chinese numeral (一千二百 → 1200, 两 → 2, 三点五 → 3.5, 二〇二三 → 2023); None if malformed."""
        digits = self.digits
        if not s:
            return None
        whole, _, frac = s.partition(self.point)
        if frac and not all(c in digits for c in frac):
            return None
        if whole and all(c in digits for c in whole) and len(whole) > 1:
            value = float("".join(str(digits[c]) for c in whole))  # digit-by-digit: 二〇二三
        else:
            iv = _chinese_int(whole, digits, self.units, self.sections)
            if iv is None:
                return None
            value = float(iv)
        if frac:
            value += float("0." + "".join(str(digits[c]) for c in frac))
        return value

    def parse_number(self, s: str) -> float | None:
        """Value of one written number; None if ``s`` is not a number.

        '5.14' → 5.14, '1,200' → 1200, '-19' → -19, '一千二百' → 1200, '两' → 2,
        '三点五' → 3.5, '百分之七' → 7 (the caller knows it is a percentage),
        '5.14万' → 51400, '68亿' → 6.8e9.
        """
        s = s.strip()
        if not s:
            return None
        if s.startswith(self.percent_prefix):
            return self.parse_number(s[len(self.percent_prefix):])
        for mag, factor in self.magnitudes:
            if s.endswith(mag) and len(s) > len(mag):
                head = s[: -len(mag)]
                if _ARABIC.fullmatch(head):  # 5.14万; a Chinese numeral carries its own 万/亿 (一千二百, 五千万)
                    return float(head.replace(",", "").replace("−", "-")) * factor
                break
        if _ARABIC.fullmatch(s):
            return float(s.replace(",", "").replace("−", "-"))
        return self.parse_chinese(s)

    def range_gap(self, gap: str) -> bool:
        """The text between two numbers makes them the ends of one range (a separator, blanks around it)."""
        return gap.strip() in self.range_separators

    def parse_int(self, s: str) -> int | None:
        """A whole number in Arabic digits or a Chinese numeral, as dates and counts write it (十二, 二十一,
        二〇二四 or 二○二四 with a circle, 两); None for anything else (半, 1.5, 三点五, 三四十, '')."""
        s = s.strip()
        if s.isdigit():
            return int(s)
        if self.point in s:
            return None
        v = self.parse_chinese(s.replace("○", "〇"))
        return None if v is None else int(v)


#: a target's comparator for each qualifier: every floor is >=, every ceiling <= (ANNOTATION.md)
_COMPARATOR = {">": ">=", ">=": ">=", "<": "<=", "<=": "<=", "~": "~"}


class Qualifiers:
    """The one reader of the qualifier words next to a number (不低于, 超过, 以上, 以内, 左右…: ``numbers.yaml``).

    A figure keeps the strict reading (超过 → '>'); a target the comparator of the same word (超过 → '>=').
    """

    def __init__(self, numerals: Numerals) -> None:
        words = numerals.words
        self.before: list[tuple[str, str]] = sorted(words["qualifiers_before"].items(), key=lambda kv: -len(kv[0]))
        self.after: list[tuple[str, str]] = sorted(words["qualifiers_after"].items(), key=lambda kv: -len(kv[0]))
        self.blockers: tuple[str, ...] = tuple(words.get("qualifier_blockers", []))
        # every word at once (one str.endswith/startswith call) before the loops look for the longest
        self._before_words = tuple(w for w, _ in self.before)
        self._after_words = tuple(w for w, _ in self.after)

    @staticmethod
    def comparator(qualifier: str | None) -> str | None:
        """A target's comparator for a qualifier: '>' → '>=', '<' → '<='; None for None."""
        return _COMPARATOR.get(qualifier or "")

    def before_at(self, text: str, start: int, lo: int = 0) -> tuple[str, str] | None:
        """(word, qualifier) written right before ``start`` and not before ``lo``, unless the word ends a longer
        word that is no qualifier (最近3年); None when there is none."""
        head = text[max(lo, start - 6):start]
        if not head.endswith(self._before_words):
            return None
        for word, q in self.before:
            if head.endswith(word):
                return None if head.endswith(self.blockers) else (word, q)
        return None

    def after_at(self, text: str, end: int) -> tuple[str, str] | None:
        """(word, qualifier) written right at ``end`` (after the unit), or None."""
        if not text.startswith(self._after_words, end):
            return None
        for word, q in self.after:
            if text.startswith(word, end):
                return word, q
        return None


def _chinese_int(s: str, digits: dict[str, int], units: dict[str, int], sections: dict[str, int]) -> int | None:
    """Integer value of a Chinese numeral without a decimal part."""
    if not s:
        return None
    total, section, current = 0, 0, None
    last_unit = 10**13
    for ch in s:
        if ch in digits:
            if current is not None and digits[ch] != 0 and current != 0:
                return None  # two digits in a row (三四十): an estimate, not a number
            current = digits[ch]
        elif ch in units:
            u = units[ch]
            if u >= last_unit:
                return None
            section += (1 if current is None else current) * u
            current, last_unit = None, u
        elif ch in sections:
            sec = sections[ch]
            section += current or 0
            if section == 0 and total == 0:
                return None
            if total < sec:
                total = (total + section) * sec  # 一万亿: the larger section multiplies what came before
            else:
                total += section * sec  # 一亿二千万
            section, current, last_unit = 0, None, 10**13
        else:
            return None
    return total + section + (current or 0)


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """A unit as written, its base unit and the factor to the base (万元 → 元, 1e4)."""

    unit: str
    unit_base: str | None
    scale: float
    kind: str = "measure"  # money | percent | multiple | measure | count | time | denominator
    cn_ok: bool = True  # may a Chinese numeral carry it (一千元 yes; 五十条措施 no)


@dataclass(frozen=True, slots=True)
class _UnitRow:
    info: UnitInfo
    mag_ok: bool
    per_ok: bool
    context: re.Pattern[str] | None


class UnitTable:
    """Units of ``lexicons/measure_units.tsv`` with magnitude and per-unit composition."""

    def __init__(self, name: str | Path = UNITS_LEXICON, numerals: Numerals | None = None) -> None:
        self._rows: dict[str, _UnitRow] = {}
        for i, r in enumerate(read_tsv(name), start=1):
            unit = r.get("unit", "")
            if not unit or not r.get("base") or not r.get("kind"):
                raise LexiconError(f"{name}: row {i} needs unit, base and kind")
            try:
                ctx = re.compile(r["context"]) if r.get("context") else None
                scale = float(r.get("scale") or 1)
            except (re.error, ValueError) as exc:
                raise LexiconError(f"{name}: row {i} ({unit}): {exc}") from exc
            info = UnitInfo(unit, r["base"], scale, r["kind"], r.get("cn", "y") == "y")
            self._rows[unit] = _UnitRow(info, r.get("mag", "n") == "y", r.get("per", "n") == "y", ctx)
        self._by_first: dict[str, list[str]] = {}
        for unit in sorted(self._rows, key=len, reverse=True):
            self._by_first.setdefault(unit[0], []).append(unit)
        numerals = numerals if numerals is not None else Numerals()
        self._mags = numerals.magnitudes
        self._mag_factor = dict(self._mags)
        self._per_markers: list[str] = list(numerals.words.get("per_markers", ["/"]))

    def lookup(self, unit_text: str) -> UnitInfo | None:
        """The unit of ``unit_text`` as written (simplified): 万元, 万户, 元/吨, 万元/亩, %; None if unknown."""
        row = self._rows.get(unit_text)
        if row is not None and row.info.kind != "denominator":
            return row.info
        if unit_text.endswith(_TIMES) and len(unit_text) > 1 and unit_text not in self._rows:
            inner = self.lookup(unit_text[: -len(_TIMES)])  # 辆次, 万辆次: a count of items times occasions
            if inner is not None and inner.kind == "count" and inner.unit_base and not inner.unit_base.endswith(_TIMES):
                return UnitInfo(unit_text, inner.unit_base + _TIMES, inner.scale, "count", inner.cn_ok)
        for marker in self._per_markers:
            num, sep, den = unit_text.partition(marker)
            if sep and num and den:
                top = self.lookup(num)
                bottom = self._denominator(den)
                if top is None or top.kind == "denominator" or bottom is None:
                    return None
                return UnitInfo(unit_text, f"{top.unit_base}/{bottom}", top.scale, top.kind, top.cn_ok)
        for mag, factor in self._mags:
            rest = unit_text[len(mag):]
            if unit_text.startswith(mag) and rest:
                base = self._rows.get(rest)
                if base is not None and base.mag_ok:
                    i = base.info
                    return UnitInfo(unit_text, i.unit_base, i.scale * factor, i.kind, i.cn_ok)
        return None

    def _denominator(self, text: str) -> str | None:
        """Base of a per-unit denominator (月, 人·月, 立方米); compound parts joined by ·."""
        parts = re.split(r"[·・]", text)
        bases = []
        for p in parts:
            row = self._rows.get(p)
            if row is None or not row.per_ok:
                return None
            bases.append(row.info.unit_base or p)
        return "·".join(bases)

    def match_at(self, text: str, pos: int) -> str | None:
        """The longest unit written at ``text[pos:]`` (checking its context), as written; None if none.

        A magnitude prefix is not consumed here; see ``match_unit``.
        """
        if pos >= len(text):
            return None
        for unit in self._by_first.get(text[pos], ()):
            if text.startswith(unit, pos):
                row = self._rows[unit]
                if row.context is not None and not row.context.match(text, pos + len(unit)):
                    continue
                return unit
        return None

    def match_unit(self, text: str, pos: int, allow_denominator: bool = False) -> str | None:
        """A unit at ``pos`` possibly followed by a per-unit (元/吨, 元/月·人, 微克每立方米)."""
        unit = self.match_at(text, pos)
        if unit is None:
            return None
        if self._rows[unit].info.kind == "denominator" and not allow_denominator:
            return None
        end = pos + len(unit)
        times = self._rows.get(_TIMES)
        if self._rows[unit].info.kind == "count" and not unit.endswith(_TIMES) and text.startswith(_TIMES, end) \
                and times is not None and (times.context is None or times.context.match(text, end + 1)):
            return unit + _TIMES  # 5万辆次, 300架次 (not 3个次要)
        for marker in self._per_markers:
            if text.startswith(marker, end):
                den = self._match_denominator(text, end + len(marker))
                if den:
                    return unit + marker + den
        return unit

    def _match_denominator(self, text: str, pos: int) -> str | None:
        """A denominator (one per-unit or two joined by ·) at ``pos``."""
        first = self._den_at(text, pos)
        if first is None:
            return None
        end = pos + len(first)
        if end < len(text) and text[end] in "·・":
            second = self._den_at(text, end + 1)
            if second is not None:
                return first + text[end] + second
        return first

    def _den_at(self, text: str, pos: int) -> str | None:
        for unit in self._by_first.get(text[pos], ()) if pos < len(text) else ():
            if text.startswith(unit, pos) and self._rows[unit].per_ok:
                return unit
        return None

    def magnitude_at(self, text: str, pos: int) -> str | None:
        """The longest magnitude word (万, 亿, 千万…) at ``pos``; None if none."""
        for mag, _ in self._mags:
            if text.startswith(mag, pos):
                return mag
        return None

    def magnitude_factor(self, mag: str) -> float:
        """Factor of a magnitude word (万 → 1e4)."""
        return self._mag_factor[mag]

    def info(self, unit: str) -> UnitInfo | None:
        """The table row of a plain unit (no composition)."""
        row = self._rows.get(unit)
        return row.info if row else None
