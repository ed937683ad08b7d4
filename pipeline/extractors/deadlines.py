"""Deadlines stage: time expressions that bound or schedule work.

Every rule is data in ``lexicons/time.yaml``: named patterns (each with a
stable id, a ``kind`` and the name of a normaliser in ``timenorm.py``), blockers for
contexts that hold times but no deadlines (cited names, document numbers,
metadata, as-of dates, baseline years), and table-column cues; the title lines
and signature dates are the structure stage's (``PolicyDoc.title_spans``,
``signature_spans``).
Normalisers turn a hit into ``date_start``/``date_end``/``granularity`` using
the document's ``ref_year`` only (never the clock); a relative expression in
a document without a known year gets null dates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.extractors.quantities import Numerals
from pipeline.extractors.timenorm import _NEEDS_NO_YEAR, NORMALISERS, Groups
from pipeline.lexicon import LexiconError, compile_patterns, read_yaml
from pipeline.models import Deadline
from pipeline.recache import first_char_gate
from pipeline.stages.document import PolicyDoc
from pipeline.stages.spans import SpanSet
from pipeline.stages.spans import overlaps as _overlaps

KINDS = ("deadline", "period", "duration", "frequency", "auto")


# ---------------------------------------------------------------- rules
@dataclass(frozen=True, slots=True)
class TimePattern:
    """One named pattern of ``time.yaml``."""

    id: str
    kind: str
    norm: str
    rx: re.Pattern[str]
    item: re.Pattern[str] | None  # for list patterns: the regex of one item
    past_is_fact: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    """A candidate time expression on the normalised text."""

    nstart: int
    nend: int
    rule: str
    kind: str
    norm: str
    groups: tuple[tuple[str, str | None], ...]
    order: int
    past_is_fact: bool = False


@dataclass(frozen=True, slots=True)
class TimeRules:
    """Everything compiled from ``time.yaml``."""

    patterns: tuple[TimePattern, ...]
    blockers: tuple[tuple[str, re.Pattern[str]], ...]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    next_words: tuple[str, ...]
    relative: Mapping[str, int]
    caption_line: re.Pattern[str]
    report_window: re.Pattern[str]
    from_mark: re.Pattern[str]
    past_event: re.Pattern[str]
    year_cell: re.Pattern[str]
    section_plan: re.Pattern[str]


def load_rules(name: str | Path = "time.yaml") -> TimeRules:
    """Compile ``time.yaml`` (validated: known kinds and normalisers, unique ids); its owner keeps the result."""
    data: dict[str, Any] = read_yaml(name)
    frags = data["fragments"]
    raw: dict[str, str] = {}
    seen: set[str] = set()
    for p in data["patterns"]:
        pid = p["id"]
        if pid in seen:
            raise LexiconError(f"{name}: duplicate pattern id {pid!r}")
        seen.add(pid)
        if p["kind"] not in KINDS:
            raise LexiconError(f"{name}: pattern {pid!r} has unknown kind {p['kind']!r}")
        if p["norm"] not in NORMALISERS:
            raise LexiconError(f"{name}: pattern {pid!r} has unknown normaliser {p['norm']!r}")
        raw[f"p:{pid}"] = p["regex"]
        if p.get("split"):
            raw[f"i:{pid}"] = p["split"]
    for b in data["blockers"]:
        raw[f"b:{b['id']}"] = b["regex"]
    for key in ("caption_line", "report_window", "from_mark", "past_event", "year_cell", "section_plan"):
        raw[key] = data[key]
    rx = compile_patterns(frags, raw, str(name))
    patterns = tuple(
        TimePattern(
            p["id"], p["kind"], p["norm"], first_char_gate(rx[f"p:{p['id']}"]), rx.get(f"i:{p['id']}"),
            bool(p.get("past_is_fact"))
        )
        for p in data["patterns"]
    )
    marks = data["deadline_marks"]
    return TimeRules(
        patterns=patterns,
        blockers=tuple((b["id"], first_char_gate(rx[f"b:{b['id']}"])) for b in data["blockers"]),
        prefixes=tuple(marks["prefixes"]),
        suffixes=tuple(marks["suffixes"]),
        next_words=tuple(marks["next_words"]),
        relative={str(k): int(v) for k, v in data["relative_years"].items()},
        caption_line=re.compile(rx["caption_line"].pattern, re.M),
        report_window=re.compile(rx["report_window"].pattern, re.M),
        from_mark=rx["from_mark"],
        past_event=rx["past_event"],
        year_cell=rx["year_cell"],
        section_plan=rx["section_plan"],
    )


class DeadlineExtractor:
    """Finds deadline, period, duration and frequency expressions in a ``PolicyDoc``."""

    def __init__(self) -> None:
        self.rules = load_rules()
        self.numerals = Numerals()

    def __call__(self, doc: PolicyDoc) -> list[Deadline]:
        text = doc.text
        hits = self.select(self.candidates(text))
        cells = SpanSet([(c.nstart, c.nend) for row in doc.table_rows for c in row.cells])
        blocked_spans = self.blocked_spans(doc)
        if doc.report:
            blocked_spans += [(m.start("x"), m.end("x")) for m in self.rules.report_window.finditer(text)]
        blocked = SpanSet(blocked_spans)
        retro, limit = (SpanSet(x) for x in self.column_spans(doc))
        captions = SpanSet([(m.start(), m.end()) for m in self.rules.caption_line.finditer(text)])
        out: list[Deadline] = []
        for h in hits:
            if _overlaps(h.nstart, h.nend, blocked):
                continue
            kind = self.kind_of(h, text)
            in_limit = _overlaps(h.nstart, h.nend, limit)
            if in_limit and kind == "period" and h.norm not in ("year", "year_range", "plan"):
                kind = "deadline"
            if kind in ("deadline", "duration") and _overlaps(h.nstart, h.nend, retro):
                continue  # when something was done, in a progress column
            if h.past_is_fact and self._before_ref(h, doc.meta.ref_year):
                continue  # 2021年,累计投入… in a 2022 document: a report of what was done
            if doc.report and h.rule == "y_clause":
                continue  # 2020年,省委和省政府坚持… in a progress report: the year reported on
            if kind == "period" and _overlaps(h.nstart, h.nend, captions) and not _overlaps(h.nstart, h.nend, cells):
                continue  # a caption or heading naming an event
            if kind == "period" and doc.in_fact_section(h.nstart) and not self.rules.section_plan.match(text, h.nend):
                continue  # 全年救助… under 一、2016年主要工作回顾: when the reported work was done
            rec = self.record(doc, h, kind)
            if h.norm == "day_squeezed" and rec.date_end is None:
                continue  # 2020111日: two readings (1月11日, 11月1日), so none
            issued = doc.meta.issue_date
            if issued and rec.date_end and rec.date_end < issued and dict(h.groups).get("y") \
                    and self.rules.past_event.match(text, h.nend):
                continue  # 2013年2月25日市政府常务会议审议通过: an event before the document was issued
            if kind in ("deadline", "period") and self.rules.from_mark.match(text, h.nend):
                rec = dataclasses.replace(rec, kind="period", date_end=None)  # 2021年5月1日起: from, open-ended
            out.append(rec)
        taken = [(d.span.start, d.span.end) for d in out]
        out += [d for d in self.year_cells(doc) if not _overlaps(d.span.start, d.span.end, taken)]
        return sorted(out, key=lambda d: d.span.start)

    def year_cells(self, doc: PolicyDoc) -> list[Deadline]:
        """Bare years in a table's period column (建设起止年限 | 2022 | or 2022-2023): the years the work is for."""
        out = []
        for row in doc.table_rows:
            for cell, role in zip(row.cells, row.roles, strict=False):
                m = self.rules.year_cell.fullmatch(cell.text) if role == "period" else None
                if m is None:
                    continue
                y0, y1 = int(m.group(1)), int(m.group(2) or m.group(1))
                if y1 < y0:
                    continue
                out.append(Deadline(doc.span(cell.nstart, cell.nend), "period", dt.date(y0, 1, 1), dt.date(y1, 12, 31),
                                    "year" if y0 == y1 else "multi_year", None, "time.table.year_cell"))
        return out

    # ------------------------------------------------------------ candidates
    def candidates(self, text: str) -> list[Hit]:
        """Every pattern hit (list patterns split into one hit per item)."""
        hits: list[Hit] = []
        for order, p in enumerate(self.rules.patterns):
            for m in p.rx.finditer(text):
                s, e = _strip(text, m.start(), m.end())
                if s >= e:
                    continue
                if p.item is None:
                    hits.append(Hit(s, e, p.id, p.kind, p.norm, tuple(m.groupdict().items()), order, p.past_is_fact))
                    continue
                hits.extend(self._split(text, s, e, p, order))
        return hits

    def _split(self, text: str, s: int, e: int, p: TimePattern, order: int) -> list[Hit]:
        """One hit per 、-separated item of a list match; the last keeps the shared tail."""
        out = []
        pos = s
        parts = text[s:e].split("、")
        for k, part in enumerate(parts):
            im = p.item.search(part) if p.item else None
            if im:
                ps = pos if k == len(parts) - 1 else pos + im.start()
                pe = pos + len(part) if k == len(parts) - 1 else pos + im.end()
                out.append(Hit(ps, pe, p.id, p.kind, p.norm, tuple(im.groupdict().items()), order))
            pos += len(part) + 1
        return out

    @staticmethod
    def select(hits: list[Hit]) -> list[Hit]:
        """Non-overlapping hits: longest first, ties by pattern order; returned in text order."""
        taken: list[Hit] = []
        used = bytearray(max((h.nend for h in hits), default=0) + 1)  # characters of the hits taken so far
        for h in sorted(hits, key=lambda h: (-(h.nend - h.nstart), h.order, h.nstart)):
            free = used.find(1, h.nstart, h.nend) < 0 if h.nstart < h.nend else \
                not any(h.nstart < t.nend and t.nstart < h.nend for t in taken)
            if free:
                taken.append(h)
                used[h.nstart:h.nend] = b"\x01" * (h.nend - h.nstart)
        return sorted(taken, key=lambda h: h.nstart)

    # ------------------------------------------------------------ context
    def blocked_spans(self, doc: PolicyDoc) -> list[tuple[int, int]]:
        """Spans whose times are not deadlines: blockers, and the title lines and signature dates the structure
        stage found."""
        text = doc.text
        out = [*doc.title_spans, *doc.signature_spans]
        for _, rx in self.rules.blockers:
            for m in rx.finditer(text):
                if "x" in rx.groupindex and m.group("x") is not None:
                    out.append((m.start("x"), m.end("x")))
                else:
                    out.append((m.start(), m.end()))
        return [(s, e) for s, e in out if s < e]

    def column_spans(self, doc: PolicyDoc) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Cells of fact columns (进展情况: reports) and of deadline columns (完成时限), by the table model's roles."""
        retro: list[tuple[int, int]] = []
        limit: list[tuple[int, int]] = []
        for row in doc.table_rows:
            for cell, role in zip(row.cells, row.roles, strict=False):
                if cell.nstart >= cell.nend:
                    continue
                if role in ("progress", "status"):
                    retro.append((cell.nstart, cell.nend))
                elif role == "deadline":
                    limit.append((cell.nstart, cell.nend))
        return retro, limit

    def kind_of(self, h: Hit, text: str) -> str:
        """The hit's kind; ``auto`` is a deadline when marked (到…, …前/底/末, …投入使用), else a period."""
        if h.kind != "auto":
            return h.kind
        span = text[h.nstart:h.nend]
        if span.startswith(self.rules.prefixes) or span.endswith(self.rules.suffixes):
            return "deadline"
        if text[h.nend:h.nend + 4].lstrip().startswith(self.rules.next_words):
            return "deadline"
        return "period"

    def _before_ref(self, h: Hit, ref_year: int | None) -> bool:
        y = dict(h.groups).get("y")
        year = self.numerals.parse_int(y) if y else None
        return ref_year is not None and year is not None and year < ref_year

    # ------------------------------------------------------------ records
    def year_of(self, groups: Mapping[str, str | None], ref_year: int | None) -> int | None:
        """Explicit year of the hit, else ``ref_year`` shifted by a relative word (明年 → +1)."""
        y = groups.get("y")
        if y:
            return self.numerals.parse_int(y)
        if ref_year is None:
            return None
        return ref_year + self.rules.relative.get(groups.get("rel") or "", 0)

    def record(self, doc: PolicyDoc, h: Hit, kind: str) -> Deadline:
        """The ``Deadline`` record of a hit (null dates for durations and frequencies)."""
        groups = dict(h.groups)
        y = None if h.norm in _NEEDS_NO_YEAR else self.year_of(groups, doc.meta.ref_year)
        start, end, gran = NORMALISERS[h.norm](Groups(groups, self.numerals), y)
        if kind in ("duration", "frequency"):
            start = end = None
        return Deadline(doc.span(h.nstart, h.nend), kind, start, end, gran, None, h.rule)


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
