"""Responsible units (a package cut along its seams: ``model``, ``mentions`` (recognition), ``canonical``
(names), ``clauses`` (grammar), ``roles`` (and conventions), ``sources`` (where clauses come from)): every organisation mention, and the units made responsible for tasks with their role.

A mention is an optional region prefix (省/市/县… or a place name from
``regions.tsv``) + a body (an alias from ``departments.tsv``, a compound name
such as 人行郑州中心支行, or a free name ending in a unit suffix) + an optional
sub-unit (溆浦分局) and bracketed alias ((区整违办)). All lexicon words are
compiled into a few trie-shaped regexes once, in ``UnitExtractor()``.

Responsibilities come from *clauses*: a bracket after a task (A牵头,B、C按职责分工负责),
labelled lines (牵头单位:A / 责任单位:B、C), running text (由A牵头,B配合; …细则由A、B负责) and table
unit columns; in a document that writes none of these, the subject of a duty sentence (县河长办要…,
第四条 市建设行政主管部门负责…; ``subjects``). A clause is cut into parts at commas and semicolons; each part is
a unit list followed by a role cue (牵头 → lead, 配合/参与/协作/协办 → co,
负责/责任单位 → lead if it is the only unit, co beside a lead, joint otherwise).
The document's own conventions (排第一位的为牵头单位, 下同) are applied in their scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pipeline.extractors.quantities import Numerals
from pipeline.extractors.responsibilities.clauses import _brackets
from pipeline.extractors.responsibilities.mentions import _Grammar, canonical_name, trie_regex
from pipeline.extractors.responsibilities.model import Mention
from pipeline.extractors.responsibilities.roles import RoleRules
from pipeline.extractors.responsibilities.sources import ClauseSources
from pipeline.extractors.responsibilities.subjects import SubjectSentences
from pipeline.models import Organization, Responsibility, Span
from pipeline.stages.document import PolicyDoc
from pipeline.stages.grid import ColumnLexicon
from pipeline.stages.towns import Town

if TYPE_CHECKING:
    from pipeline.extractors.ner_units import NerUnits

__all__ = ["Mention", "Town", "UnitExtractor", "_Grammar", "canonical_name", "trie_regex"]


class UnitExtractor(ClauseSources, SubjectSentences):
    """Organisation mentions and responsibilities of a ``PolicyDoc``."""

    def __init__(self, ner: NerUnits | None = None, grammar: _Grammar | None = None) -> None:
        self.g = grammar if grammar is not None else _Grammar()  # the compiled unit lexicons, shared with ``ner``
        self.columns = ColumnLexicon()
        self.numerals = Numerals()  # n of 排前两位的为牵头单位
        self.ner = ner  # optional: asked about list items the grammar cannot parse (pipeline/extractors/ner_units.py)
        self.role_rules = RoleRules()
        self.cue_any = re.compile(
            "(?:" + "|".join(self.g.p[k].pattern for k in ("lead_cue", "co_cue", "resp_cue")) + ")"
        )
        # the cues without their leading \s*, for searching (a \s* re-run from every blank of a run is quadratic)
        self.cue_word = re.compile(
            "(?:" + "|".join(self.g.p[k].pattern.removeprefix(r"\s*") for k in ("lead_cue", "co_cue", "resp_cue")) + ")"
        )

    # ------------------------------------------------------------ public API
    def user_words(self) -> list[str]:
        """Unit aliases for the segmenter's user dictionary (so 发改局 stays one word)."""
        return sorted(a for a in self.g.types if len(a) >= 2)

    def organizations(
        self, doc: PolicyDoc, responsibilities: list[Responsibility] | None = None
    ) -> list[Organization]:
        """Every mention of a body anywhere in the document (group references excluded).

        Responsibility mentions the lexicon scan missed are added too; pass the
        stage's ``responsibilities`` to avoid computing them again.
        """
        text = doc.text
        town = doc.town
        out: list[Organization] = []
        prev: tuple[int, str] | None = None  # (end, prefix) of the previous mention with a prefix
        for mn in self.g.find_all(text):
            if not mn.prefix and self.g.p["group_head_before"].search(text, max(0, mn.nstart - 12), mn.nstart):
                continue  # 各县(市、区)人民政府: a group reference, not a body
            inherited = None
            if not mn.prefix and prev and text[prev[0]:mn.nstart] == "、":
                inherited = prev[1]
            pre = mn.prefix or inherited or ""
            prev = (mn.nend, pre) if pre else None
            if not pre and mn.full in self.g.region_only_types:
                continue  # 各省级人民政府, 地方各级人民政府: a class of governments
            level = mn.level
            if inherited and not mn.prefix:
                pm = self.g.prefix_rx.fullmatch(inherited)
                level = self.g._level(pm.group("places"), pm.group("lv")) if pm else level
            canonical = self.g.canonical(mn, doc.meta, inherited, town)
            if level is None and self.g.central_body(mn, doc.meta, inherited) is not None:
                level = "central"  # 发展改革委 in a 国务院 document: the 国家发展和改革委员会
            out.append(Organization(doc.span(mn.nstart, mn.nend), canonical, mn.kind, level, f"units.org.{mn.rule}"))
        seen = {(o.span.start, o.span.end) for o in out}
        covered = _Coverage(o.span for o in out)
        for r in responsibilities if responsibilities is not None else self.responsibilities(doc):
            if r.generic or (r.span.start, r.span.end) in seen:
                continue
            if covered.overlaps(r.span.start, r.span.end, out):
                continue
            covered.add(r.span)
            out.append(Organization(r.span, r.canonical, self.g._free_kind(r.span.text_norm), None,
                                    "units.org.clause"))
        out.sort(key=lambda o: o.span.start)
        return out

    def responsibilities(self, doc: PolicyDoc) -> list[Responsibility]:
        """Units named as responsible for tasks, with role, generic flag and canonical name."""
        text = doc.text
        conventions = self._conventions(doc)
        covered = bytearray(len(text) + 1)
        results: list[Responsibility] = []
        # 1. bracket clauses after tasks
        for s, e, closed in _brackets(text):
            parts = self._parse_clause(text, s, e, strict=True)
            if not parts or not any(p.items for p in parts):
                continue
            has_cue = any(p.role for p in parts)
            ruled = any(c.scope_start <= s < c.scope_end and c.nstart < s for c in conventions)
            if not has_cue and not (closed and self._list_only(text, s, e, parts, ruled)):
                continue
            results += self._resolve(doc, parts, s, e, conventions, closed=closed)
            covered[s:e] = b"\x01" * (e - s)
        # 2. labelled lines
        results += self._labelled(doc, covered, conventions)
        # 3. table unit columns
        results += self._tables(doc, covered, conventions)
        # 4. running text: 由A牵头,B配合 / A牵头抓总
        results += self._sentences(doc, covered)
        results += self._by_inside(doc, covered)  # …细则由A、B负责 (pipeline/extractors/responsibilities/subjects.py)
        # 5. duty sentences: 县河长办要… where nothing else names a responsible unit (pipeline/extractors/responsibilities/subjects.py)
        results += self._subjects(doc, covered, prose_only=not results)
        seen: set[tuple[int, int]] = set()
        out = []
        for r in sorted(results, key=lambda r: r.span.start):
            if (r.span.start, r.span.end) not in seen:
                seen.add((r.span.start, r.span.end))
                out.append(r)
        return out


class _Coverage:
    """The characters covered by non-empty spans, to test a new span for overlap without a scan."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self.cover = bytearray()
        self.exact = True  # an empty span is not in the map: then overlaps falls back to the scan
        for s in spans:
            self.add(s)

    def add(self, s: Span) -> None:
        if s.end <= s.start:
            self.exact = False
            return
        if s.end > len(self.cover):
            self.cover.extend(bytes(s.end - len(self.cover)))
        self.cover[s.start:s.end] = b"\x01" * (s.end - s.start)

    def overlaps(self, start: int, end: int, orgs: Sequence[Organization]) -> bool:
        """Does ``[start, end)`` overlap one of ``orgs`` (whose spans were added)?"""
        if self.exact and start < end:
            return self.cover.find(1, start, end) >= 0
        return any(o.span.start < end and start < o.span.end for o in orgs)
