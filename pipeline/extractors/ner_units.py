"""NER unit candidates for the list items the unit grammar could not parse.

``UnitExtractor`` asks ``NerUnits.item`` only at one point: a list item in a
responsibility clause, a unit cell or a list after a role word (由…牵头, 责任单位:)
that is neither in the lexicon nor a free name with a unit suffix. The tagger
reads the sentence or cell around the item; when it tags the whole item as an
organisation (or as a township/zone place, 漾月街道), the item becomes a unit
mention that the role logic treats like any other. Its canonical name is built
by the grammar's list-item rule (a region prefix is expanded, else the name as
written). An item in which the grammar finds a lexicon mention is left to the
rules: NER never overrides them. Everything else never reaches the tagger,
which keeps it cheap.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from pipeline.extractors.ner import NerBackend
from pipeline.extractors.responsibilities import Mention, _Grammar
from pipeline.lexicon import read_tsv, read_yaml

_CACHE_SIZE = 64


class NerUnits:
    """Unit candidates from a NER backend (one instance per pipeline; the backend loads once)."""

    def __init__(self, backend: NerBackend, grammar: _Grammar | None = None) -> None:
        self.backend = backend
        y = read_yaml("ner.yaml")
        self.org_labels = frozenset(y["org_labels"])
        self.loc_body = re.compile(y["loc_body"])
        self.stops = str(y["context_stops"])
        self.width = int(y["context_chars"])
        self.shape = re.compile(y["name_shape"])
        self.not_name = re.compile(y["not_name"])
        self.measures = frozenset(r["unit"] for r in read_tsv("measure_units.tsv"))  # 万只 in a table cell is no body
        self.slot_before = re.compile(y["unit_slot_before"])
        self.g = grammar if grammar is not None else _Grammar()  # the unit stage's grammar when it has one
        self.cue = re.compile("(?:" + "|".join(self.g.p[k].pattern for k in ("lead_cue", "co_cue", "resp_cue")) + ")")
        self._cache: OrderedDict[str, list[tuple[int, int, str]]] = OrderedDict()
        self.calls = 0  # items asked about
        self.accepted = 0  # items that became units

    def _context(self, text: str, s: int, e: int) -> tuple[int, int]:
        """The sentence or cell around ``text[s:e]``, at most ``width`` characters on each side."""
        a = s
        while a > max(0, s - self.width) and text[a - 1] not in self.stops:
            a -= 1
        b = e
        while b < min(len(text), e + self.width) and text[b] not in self.stops:
            b += 1
        return a, b

    def _entities(self, ctx: str) -> list[tuple[int, int, str]]:
        hit = self._cache.get(ctx)
        if hit is None:
            hit = self.backend.entities(ctx)
            self._cache[ctx] = hit
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return hit

    def accepts(self, label: str, name: str) -> bool:
        """An organisation, or a place that names a body (a township, a sub-district, a zone)."""
        return label in self.org_labels or (label == "LOC" and self.loc_body.search(name) is not None)

    def in_unit_slot(self, text: str, s: int, e: int) -> bool:
        """A name-shaped item where a unit is expected (after 、/由/a label/a cell border, or before a cue)."""
        if not self.shape.fullmatch(text, s, e) or self.not_name.search(text, s, e):
            return False
        if text[s:e] in self.measures or (text[s] in "万亿千百十" and text[s + 1:e] in self.measures):
            return False
        return bool(self.slot_before.search(text[max(0, s - 8):s]) or self.cue.match(text, e))

    def item(self, text: str, s: int, e: int) -> Mention | None:
        """A unit mention for the list item ``text[s:e]`` when the tagger names it whole, else None."""
        while s < e and text[s] in " \t\u3000":
            s += 1
        while e > s and text[e - 1] in " \t\u3000":
            e -= 1
        if not self.in_unit_slot(text, s, e):
            return None
        self.calls += 1
        if any(m.rule != "free" for m in self.g.find_all(text[s:e])):
            return None  # a lexicon mention inside: the rules decide
        a, b = self._context(text, s, e)
        if not any(a + x == s and a + y == e and self.accepts(lab, text[s:e])
                   for x, y, lab in self._entities(text[a:b])):
            return None
        self.accepted += 1
        return self.mention(text, s, e)

    def mention(self, text: str, s: int, e: int) -> Mention:
        """The mention of a name the tagger found: region prefix split off as the grammar does for list items."""
        g = self.g
        pm = g.prefix_rx.match(text, s, e)
        pre = pm.group(0) if pm and pm.end() < e - 1 else ""
        body = text[s + len(pre):e]
        places, lv = (pm.group("places"), pm.group("lv")) if pre and pm else ("", None)
        return Mention(s, e, pre, body, "", g._free_kind(body), g._level(places, lv), False, "item")
