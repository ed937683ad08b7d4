"""Figures: every number with its unit, scaled to the base unit.

The stage scans the normalised text for number tokens (Arabic, Chinese
numerals, 百分之N), drops those inside exclusion patterns (dates, document and
section numbers, ordinals, codes and slogans such as “12812” / 5+N / 4×4, page
boilerplate: ``masks`` in ``lexicons/numbers.yaml``), reads the magnitude and
unit written after each number (``lexicons/measure_units.tsv``), shares the unit of a
range's upper end with its lower end (10-50万元), and picks up an adjacent
qualifier word (以上, 不低于, 左右…). Only the short spans found are parsed;
the text itself is never rewritten.

``FigureExtractor.hits`` returns every quantity as a ``NumberHit``: figures
(a unit from the table or %) and, for the targets stage, unit-less Arabic
numbers (系数0.6以上), ``1:N`` ratios (value N) and bare magnitudes (68亿, unit
'亿', ``unit_base`` None). ``FigureExtractor.__call__`` keeps the figures.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pipeline.extractors.quantities import Numerals, Qualifiers, UnitInfo, UnitTable, round_base
from pipeline.lexicon import compile_patterns
from pipeline.models import Figure
from pipeline.recache import first_char_gate
from pipeline.stages.document import PolicyDoc

_CJK = re.compile(r"[\u4e00-\u9fff]")
_BLANKS = frozenset(" \u3000\u00a0")  # one of these may stand between a number and its unit
_LIST_SEP = "、"  # separator of a list of numbers sharing one trailing unit (10、35、50毫克/立方米)


@dataclass(frozen=True, slots=True)
class NumberHit:
    """A parsed quantity in normalised coordinates (reused by the targets stage)."""

    nstart: int  # the figure span: number + magnitude + unit, no qualifier words
    nend: int
    value: float  # as written: 5.14 for 5.14万户
    unit: str | None  # as written, simplified: 万户 (None: a bare number)
    value_base: float  # scaled: 51400
    unit_base: str | None  # 户; money in 元; % stays %; None for bare numbers and magnitudes
    qualifier: str | None  # '>=', '>', '<=', '<', '~' or None
    qual_nstart: int | None  # where the adjacent qualifier word is
    qual_nend: int | None
    unit_kind: str | None = None  # money | percent | multiple | measure | count | time (None: no unit)
    rule: str = ""  # which rule produced it: unit | range_low | list_shared | percent_cn | magnitude | bare | ratio

    @property
    def is_figure(self) -> bool:
        """True when the hit carries a measure unit or % (what the figures table holds)."""
        return self.unit_base is not None


@dataclass(slots=True)
class _Token:
    """A number token and what follows it, before qualifiers are read."""

    start: int  # first char of the number (or of 百分之)
    num_end: int  # end of the numeral itself
    end: int  # end of numeral + magnitude + unit
    value: float
    chinese: bool
    mag: str = ""
    unit: str = ""  # unit as written without the magnitude
    info: UnitInfo | None = None
    infix: str | None = None  # qualifier from 余/多
    rule: str = "unit"


class FigureExtractor:
    """Finds quantities and figures in a ``PolicyDoc`` (build once, call per document)."""

    def __init__(self) -> None:
        self._numerals = Numerals()
        words = self._numerals.words
        where = "numbers.yaml"
        self._patterns = compile_patterns(words["fragments"], words["patterns"], where)
        masks = compile_patterns(words["fragments"], words["masks"], f"{where}:masks")
        self._masks = {k: first_char_gate(rx) for k, rx in masks.items()}  # same matches, fewer positions tried
        self._units = UnitTable(numerals=self._numerals)
        self._qualifiers = Qualifiers(self._numerals)
        self._infix: dict[str, str] = dict(words.get("approx_infix", {}))
        self._cn_count_min = float(words.get("cn_count_min_value", 1000))
        self._cn_sections = sorted([*words["cn_sections"], "万亿"], key=len, reverse=True)

    # -- public API ---------------------------------------------------------------------------------

    def hits(self, doc: PolicyDoc) -> list[NumberHit]:
        """All quantities of the document (figures, unit-less numbers, ratios, bare magnitudes)."""
        return self.hits_in(doc.text)

    def __call__(self, doc: PolicyDoc) -> list[Figure]:
        """The figures of the document (hits with a unit or %), task_id left for the linker."""
        return self.figures_from_hits(doc, self.hits(doc))

    def figures_from_hits(self, doc: PolicyDoc, hits: list[NumberHit]) -> list[Figure]:
        """Figure records of the hits that carry a unit or % (hits computed once, shared with targets)."""
        out = []
        for h in hits:
            if not h.is_figure:
                continue
            out.append(
                Figure(
                    span=doc.span(h.nstart, h.nend),
                    value=h.value,
                    unit=h.unit,
                    value_base=h.value_base,
                    unit_base=h.unit_base,
                    qualifier=h.qualifier,
                    rule=f"figure:{h.rule}",
                )
            )
        return out

    def hits_in(self, text: str) -> list[NumberHit]:
        """All quantities of a normalised text, in reading order."""
        masked = self._mask(text)
        ratio_hits, taken = self._ratios(text)
        tokens = [t for t in self._tokens(text, taken) if not any(masked[t.start : t.num_end])]
        tokens = self._link_ranges(text, tokens)
        hits = list(ratio_hits)
        prev_end = -1
        for tok in tokens:
            hit = self._to_hit(text, tok, prev_end)
            if hit is not None:
                hits.append(hit)
            prev_end = tok.end
        hits.sort(key=lambda h: (h.nstart, h.nend))
        return hits

    # -- steps ----------------------------------------------------------------------------------------

    def _mask(self, text: str) -> bytearray:
        """1 for every character inside an exclusion pattern (dates, document numbers, codes…)."""
        masked = bytearray(len(text))
        for rx in self._masks.values():
            for m in rx.finditer(text):
                masked[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        return masked

    def _ratios(self, text: str) -> tuple[list[NumberHit], bytearray]:
        """``1:N`` ratios (床人比不低于1:1.6 → value 1.6, no unit) and the characters they take."""
        taken = bytearray(len(text))
        out = []
        for m in self._patterns["ratio"].finditer(text):
            value = float(m.group("num"))
            q, qs, qe = self._qualifier_before(text, m.start())
            out.append(NumberHit(m.start(), m.end(), value, None, value, None, q, qs, qe, None, "ratio"))
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        return out, taken

    def _tokens(self, text: str, taken: bytearray) -> list[_Token]:
        """Number tokens with their magnitude and unit (百分之N first, then numerals)."""
        toks: list[_Token] = []
        for m in self._patterns["percent_cn"].finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            value = self._numerals.parse_number(m.group("num"))
            if value is None:
                continue
            info = self._units.lookup("%")
            toks.append(_Token(m.start(), m.end(), m.end(), value, True, "", "%", info, rule="percent_cn"))
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        for m in self._patterns["number"].finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            tok = self._read_token(text, m.start(), m.end(), m.group("num"))
            if tok is not None:
                toks.append(tok)
        toks.sort(key=lambda t: t.start)
        return toks

    def _read_token(self, text: str, start: int, end: int, num: str) -> _Token | None:
        """Parse the numeral and read magnitude, 余/多 and unit after it."""
        chinese = not num[0].isdigit()
        mag = ""
        if chinese:
            for sec in self._cn_sections:  # 五千万 → 五千 + 万 (value as written, 万 joins the unit)
                head = num[: -len(sec)]
                if num.endswith(sec) and head and not any(s in head for s in self._cn_sections):
                    num, mag = head, sec
                    break
        value = self._numerals.parse_number(num)
        if value is None:
            return None
        num_end = start + len(num)
        pos = num_end + len(mag)
        if not chinese and not mag:
            pos = self._after_blank(text, pos)
        infix = None
        if pos < len(text) and text[pos] in self._infix:
            infix, pos = self._infix[text[pos]], pos + 1
        if not mag and not chinese and self._longer_after_magnitude(text, pos):
            # a magnitude only where no unit starts (35千伏, 5万元 and 3千米 are units of their own),
            # or where magnitude + unit reads further than a unit holding the magnitude (万吨标准煤 > 万吨)
            mag = self._units.magnitude_at(text, pos) or ""
            pos += len(mag)
            if mag and infix is None and pos < len(text) and text[pos] in self._infix:
                infix, pos = self._infix[text[pos]], pos + 1
        tok = _Token(start, num_end, pos, value, chinese, mag, infix=infix)
        unit = self._units.match_unit(text, pos)
        if unit is not None:
            info = self._units.lookup(mag + unit)
            if info is not None:
                tok.unit, tok.info, tok.end = unit, info, pos + len(unit)
        if tok.info is None and infix is not None and not mag:
            tok.end, tok.infix = num_end, None  # 100多 with nothing after: not ours to read
        return tok

    def _after_blank(self, text: str, pos: int) -> int:
        """Past one blank between an Arabic number and its unit (``605 万平方米``, ``15546 套``: text copied
        from PDF and Word keeps a space there), when a unit or a magnitude + unit follows; else ``pos``."""
        if pos + 1 >= len(text) or text[pos] not in _BLANKS or text[pos + 1].isspace():
            return pos
        nxt = pos + 1
        if self._units.match_unit(text, nxt) is not None:
            return nxt
        mag = self._units.magnitude_at(text, nxt)
        if mag and self._units.match_unit(text, nxt + len(mag)) is not None:
            return nxt
        return pos

    def _longer_after_magnitude(self, text: str, pos: int) -> bool:
        """True when a magnitude should be read at ``pos``: no unit starts there, or 万 + unit is longer."""
        own = self._units.match_unit(text, pos)
        if own is None:
            return True
        mag = self._units.magnitude_at(text, pos)
        if not mag:
            return False
        after = self._units.match_unit(text, pos + len(mag))
        return after is not None and len(mag + after) > len(own) and self._units.lookup(mag + after) is not None

    def _link_ranges(self, text: str, toks: list[_Token]) -> list[_Token]:
        """A unit-less lower end followed by a separator and a unit-bearing upper end shares its unit."""
        for a, b in itertools.pairwise(toks):
            if a.info is not None or b.info is None or a.chinese != b.chinese:
                continue
            if not self._numerals.range_gap(text[a.end : b.start]):
                continue
            info = self._units.lookup(self._lower_unit(a.mag, b.mag + b.unit))
            if info is None:
                continue
            # the lower end's span stays its number alone; the shared unit (with magnitude) scales it
            a.unit, a.info, a.rule = b.unit, info, "range_low"
        return self._link_lists(text, toks)

    def _link_lists(self, text: str, toks: list[_Token]) -> list[_Token]:
        """Unit-less Arabic numbers listed with 、 before a unit-bearing one share its unit.

        分别不高于10、35、50毫克/立方米 → three figures in 毫克/立方米; each earlier item's span is its
        number alone (as for a range's lower end), scaled by the shared unit.
        """
        run: list[_Token] = []
        for tok in toks:
            if run and (tok.chinese or text[run[-1].end : tok.start].strip() != _LIST_SEP):
                run = []
            if tok.chinese:
                continue
            k = tok.start
            while k > 0 and text[k - 1].isspace():
                k -= 1
            if not run and text.endswith((_LIST_SEP, "第"), 0, k):
                continue  # not the first item of a list (第1、2、3条: the first is an ordinal)
            run.append(tok)
            if tok.info is None or len(run) < 2:
                continue
            items = run[:-1]
            if all(t.info is None and not t.infix for t in items):
                for t in items:
                    info = self._units.lookup(self._lower_unit(t.mag, tok.mag + tok.unit))
                    if info is not None:
                        t.unit, t.info, t.rule = tok.unit, info, "list_shared"
            run = []
        return toks

    def _lower_unit(self, own_mag: str, upper_unit: str) -> str:
        """Unit of a range's lower end: the upper end's, with the lower end's own magnitude if written.

        10-50万元 → 万元; 2万—3万元 → 万元; 5000万-1亿元 → 万元.
        """
        if not own_mag or upper_unit.startswith(own_mag):
            return upper_unit
        mag = self._units.magnitude_at(upper_unit, 0)
        rest = upper_unit[len(mag):] if mag and self._units.lookup(upper_unit[len(mag):]) else upper_unit
        return own_mag + rest

    def _to_hit(self, text: str, tok: _Token, prev_end: int) -> NumberHit | None:
        """Turn a token into a hit, applying the Chinese-numeral, sign and qualifier rules."""
        start, value = tok.start, tok.value
        if tok.start > 0 and text[tok.start - 1] in "-−" and not tok.chinese:
            before = text[tok.start - 2] if tok.start >= 2 else ""
            if prev_end != tok.start - 1 and not (before.isdigit() or (before.isascii() and before.isalpha())):
                start, value = tok.start - 1, -value
        info = tok.info
        if tok.chinese:
            if info is None:
                return None
            if info.kind == "count":
                if value * info.scale < self._cn_count_min:
                    return None  # 五十条措施, 两条底线, 三张清单: names, not figures
            elif not info.cn_ok:
                return None  # 三年行动, 统一升级
        end = tok.end
        if tok.rule in ("range_low", "list_shared"):
            end = tok.num_end  # the lower end's (or earlier list item's) span is its number alone
        q, qs, qe = self._qualifier_after(text, tok.end)
        if q is None:
            q, qs, qe = self._qualifier_before(text, start)
        if q is None and tok.infix is not None:
            q = tok.infix
        if info is not None:
            unit = info.unit
            return NumberHit(
                start, end, value, unit, round_base(value * info.scale), info.unit_base, q, qs, qe, info.kind, tok.rule
            )
        if tok.mag:
            factor = self._units.magnitude_factor(tok.mag)
            return NumberHit(start, end, value, tok.mag, round_base(value * factor), None, q, qs, qe, None, "magnitude")
        if tok.chinese or self._year_like(value, text[tok.start : tok.num_end]):
            return None
        return NumberHit(start, tok.num_end, value, None, value, None, q, qs, qe, None, "bare")

    @staticmethod
    def _year_like(value: float, written: str) -> bool:
        """A bare four-digit integer 1900-2100 is a year (2022政府工作报告), not a quantity."""
        return written.isdigit() and len(written) == 4 and 1900 <= value <= 2100

    def _qualifier_before(self, text: str, start: int) -> tuple[str | None, int | None, int | None]:
        found = self._qualifiers.before_at(text, start)
        return (found[1], start - len(found[0]), start) if found else (None, None, None)

    def _qualifier_after(self, text: str, end: int) -> tuple[str | None, int | None, int | None]:
        found = self._qualifiers.after_at(text, end)
        return (found[1], end, end + len(found[0])) if found else (None, None, None)

