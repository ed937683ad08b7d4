"""Mention recognition: region prefix + unit body (lexicon alias, compound name, free name) + sub-unit + alias.

A mention is an optional region prefix (省/市/县… or a place name from ``regions.tsv``) + a body (an alias
from ``departments.tsv``, a compound name such as 人行郑州中心支行, or a free name ending in a unit suffix) +
an optional sub-unit (溆浦分局) and bracketed alias ((区整违办)). All lexicon words are compiled into a few
trie-shaped regexes once, when the owner (``UnitExtractor``) builds its ``_Grammar``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence

from pipeline.extractors.responsibilities.canonical import CanonicalNames
from pipeline.extractors.responsibilities.model import Mention
from pipeline.lexicon import compile_patterns, read_tsv, read_yaml
from pipeline.models import DocMeta
from pipeline.recache import compile_cached
from pipeline.stages.towns import Town
from pipeline.stages.wordscan import WordScanner

_Trie = dict[str, "_Trie"]  # a character -> the subtree after it; "" marks a word's end
#: a trie node with more alternatives than this is cut into buckets (``trie_regex``)
_BUCKETED = 16


def trie_regex(words: Iterable[str]) -> str:
    """One regex alternation shaped as a trie (longest alternative first), for fast literal matching.

    ``re`` tries the alternatives of a node one by one (the place root has ~1,000), so a wide node is cut
    into about sqrt(n) buckets behind a lookahead of their first characters: the same matches, since the
    alternatives of a node start with distinct characters, at a few dozen tests instead of a thousand.
    """
    root: _Trie = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        end = "" in node
        chars = [ch for ch in sorted(node) if ch]
        alts = [re.escape(ch) + build(node[ch]) for ch in chars]
        if not alts:
            return ""
        if len(alts) > _BUCKETED:
            k = math.isqrt(len(alts)) + 1
            alts = ["(?=[" + "".join(re.escape(ch) for ch in chars[i:i + k]) + "])(?:" + "|".join(alts[i:i + k]) + ")"
                    for i in range(0, len(alts), k)]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(root)


class _Grammar(CanonicalNames):
    """The compiled lexicons: regions, unit types, clause grammar."""

    def __init__(self) -> None:
        self.places: dict[str, str] = {}  # place as written → level
        self.short_of: dict[str, str] = {}  # full region name → short name (汉阴县 → 汉阴)
        self.parent_city: dict[str, set[str]] = {}  # county-level name → the cities it may belong to
        y = read_yaml("unit_grammar.yaml")
        word_places = set(y["word_places"])  # 会同, 通道…: common words, no prefix unless named in full
        for r in read_tsv("regions.tsv"):
            self.short_of.setdefault(r["name"], r["short"])
            if r["level"] == "county" and r.get("city"):
                self.parent_city.setdefault(r["name"], set()).add(r["city"])
            for name in (r["name"], r["short"]):
                if name in word_places and name != r["name"]:
                    continue
                if len(name) >= 2 and not (len(name) == 2 and name.endswith("区")):
                    self.places.setdefault(name, r["level"])
        self.types: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # alias → (full, kind, levels)
        self.forms: dict[str, str] = {}  # full type → canonical form
        self.own_names: set[str] = set()  # aliases that are complete names in some region: kept as written
        for r in read_tsv("departments.tsv"):
            levels = tuple(x for x in r["levels"].split("|") if x)
            self.forms[r["full"]] = r.get("form", "")
            own = {a for a in r.get("own_names", "").split("|") if a}
            for a in (*r["aliases"].split("|"), *own):
                if a:
                    self.types[a] = (r["full"], r["kind"], levels)
            self.own_names |= own
        self.sector_types: dict[str, list[str]] = dict(y["sector_types"])
        self.township_types: dict[str, str] = dict(y["township_types"])
        self.township_abbr: dict[str, str] = dict(y["township_abbreviations"])
        self.township_stations: dict[str, str] = dict(y["township_stations"])
        self.level_of_char: dict[str, str] = dict(y["level_of_char"])
        self.suffix_kind: list[tuple[str, str]] = [(suf, kind) for suf, kind in y["suffix_kind"]]
        self.complete_renames = [(re.compile(a), b) for a, b in y["complete_renames"]]
        self.central_issuer = re.compile(y["central_issuer"])
        self.central_names: dict[str, str] = dict(y["central_names"])  # 发展和改革委员会 → 国家发展和改革委员会
        self.canonical_renames = [(re.compile(a), b) for a, b in y["canonical_renames"]]
        frags = dict(y["fragments"])
        frags["place"] = trie_regex(sorted(self.places))
        frags["alias"] = trie_regex(a for a in self.types if len(a) >= 3)
        frags["alias_short"] = trie_regex(a for a in self.types if len(a) <= 2)
        self.frags = frags
        p = compile_patterns(frags, y["patterns"], "unit_grammar.yaml")
        self.p = p
        self.places_rx = compile_cached("(?:" + frags["place"] + ")+")
        self.prefix_rx = compile_cached(
            "(?P<places>(?:(?:" + frags["place"] + ")){0,2})(?P<lv>" + frags["level"] + ")?"
        )
        # every mention starts with a place, a level word or an alias: a one-character lookahead lets
        # the scanners skip the other positions without entering the big tries
        first = {w[0] for w in self.places} | {a[0] for a in self.types} | set(y["first_chars"])
        gate = "(?=[" + "".join(re.escape(c) for c in sorted(first)) + "])"
        prefix_first = {w[0] for w in self.places} | set(y["first_chars"])
        pgate = "(?=[" + "".join(re.escape(c) for c in sorted(prefix_first)) + "])"
        # the words a mention can start with: recognisers are tried only where one starts (``find_all``)
        self.anchors = WordScanner([*self.places, *self.types, *frags["level"].split("|"), *y["mention_anchors"]])
        self.region_only_types = frozenset(y["region_only_types"])  # 人民政府: a body only with its region
        level_chars = set("".join(frags["level"].split("|")))
        #: level character → (word holding it, its index there): 直辖市, 城市, 区域 (``_class_tail``)
        self.level_char_words: dict[str, list[tuple[str, int]]] = {}
        for w in y["level_char_words"]:
            for i, c in enumerate(w):
                if c in level_chars:
                    self.level_char_words.setdefault(c, []).append((w, i))
        self.recognizers = tuple(
            (rule, compile_cached(g + extra + "(?:" + p[key].pattern + ")"))
            for rule, key, g, extra in (
                ("compound", "compound", pgate, p["gate_compound"].pattern),
                ("lexicon", "lexicon", gate, ""),
                ("lexicon", "lexicon_short", pgate, ""),
                ("sector", "sector", gate, p["gate_sector"].pattern),
                ("town", "town", pgate, ""),
                ("free", "free", pgate, ""),
            )
        )

    # ------------------------------------------------------------ mentions
    def _mention(self, rule: str, m: re.Match[str]) -> Mention:
        text = m.group(0)
        if rule == "compound":
            pm = self.prefix_rx.match(text)
            level = self._level(pm.group("places") if pm else "", pm.group("lv") if pm else None)
            kind = "development_zone" if text.endswith("管委会") else "other"
            return Mention(m.start(), m.end(), "", text, "", kind, level, True, rule)
        pre, body = m.group("pre") or "", m.group("body")
        sub = (m.groupdict().get("sub") or "") if rule == "lexicon" else ""
        pm = self.prefix_rx.fullmatch(pre)
        places, lv = (pm.group("places"), pm.group("lv")) if pm else ("", None)
        if rule == "lexicon":
            full, kind, levels = self.types[body]
            if body in self.own_names:
                full = ("人民" + body) if body.startswith("政府") else body
        elif rule == "town":
            full, kind, levels = body, self._free_kind(body), ("township",)
        else:
            full, kind, levels = body, self._free_kind(body), ()
        level = self._level(places, lv) or (levels[0] if len(levels) == 1 else None)
        return Mention(m.start(), m.end(), pre, full, sub, kind, level, False, rule, self.forms.get(full, ""))

    def _level(self, places: str, lv: str | None) -> str | None:
        if lv:
            return self.level_of_char.get(lv)
        if places:
            pm = self.places_rx.fullmatch(places)
            if pm:
                for k in range(len(places), 0, -1):
                    tail = places[-k:]
                    if tail in self.places:
                        return self.places[tail]
        return None

    def _free_kind(self, body: str) -> str:
        if body.startswith("委") or "党" in body:
            return "party"
        for suf, kind in self.suffix_kind:
            if body.endswith(suf):
                return kind
        return "government"

    def find_all(self, text: str) -> list[Mention]:
        """Every mention in ``text``: longest first, lexicon before free names, no overlaps."""
        # (free last, longest first, recogniser order, start, rule, match): a Mention is built for the taken only
        cands: list[tuple[int, int, int, int, str, re.Match[str]]] = []
        starts = [s for s in self.anchors.starts(text) if not self._class_tail(text, s)]
        for prio, (rule, rx) in enumerate(self.recognizers):
            for m in _finditer_at(rx, text, starts):
                if m.end() > m.start():
                    cands.append((0 if rule != "free" else 1, m.start() - m.end(), prio, m.start(), rule, m))
        cands.sort(key=lambda c: c[:4])
        taken: list[Mention] = []
        occupied = bytearray(len(text) + 1)
        for _, _, _, s, rule, m in cands:
            e = m.end()
            if occupied.find(1, s, e) >= 0:
                continue
            occupied[s:e] = b"\x01" * (e - s)
            taken.append(self._mention(rule, m))
        taken.sort(key=lambda x: x.nstart)
        return taken

    def _class_tail(self, text: str, pos: int) -> bool:
        """The level character at ``pos`` is part of a word (直辖市, 城市, 区域): a mention never starts there."""
        return any(pos >= i and text.startswith(w, pos - i) for w, i in self.level_char_words.get(text[pos:pos + 1], ()))

    def match_at(self, text: str, pos: int, end: int) -> Mention | None:
        """The longest mention starting exactly at ``pos`` and ending by ``end``."""
        best: Mention | None = None
        if not self.anchors.starts_at(text, pos) or self._class_tail(text, pos):
            return None  # every mention starts with an anchor word
        for rule, rx in self.recognizers:
            m = rx.match(text, pos, end)
            if not m or m.end() <= pos:
                continue
            longer = best is None or m.end() > best.nend
            if longer and (best is None or rule != "free" or best.rule == "free"):
                best = self._mention(rule, m)
        return best



def _finditer_at(rx: re.Pattern[str], text: str, starts: Sequence[int]) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)`` when matches can only start at ``starts`` (sorted): tries those positions only."""
    last = 0
    for p in starts:
        if p < last:
            continue
        m = rx.match(text, p)
        if m is None:
            continue
        if m.end() == p:  # an empty match: finditer's rules for those differ; keep its exact behaviour
            yield from (x for x in rx.finditer(text, p) if x.start() >= p)
            return
        yield m
        last = m.end()


def canonical_name(g: _Grammar, mention_norm: str, meta: DocMeta, inherited_prefix: str | None = None,
                   town: Town | None = None) -> str:
    """Canonical name of a normalised unit mention in a document with ``meta``.

    县发改局 in a 溆浦县 document → 溆浦县发展和改革局; 省发展改革委 in a 河南省 document
    → 河南省发展和改革委员会; with no known region the type alone is expanded (县发展和改革局);
    ``inherited_prefix`` is the prefix of the first item of a list (省商务厅、财政厅 → 省);
    ``town`` is the township of a township document (镇党政办 → 石马镇党政办公室); ``g`` the owner's grammar.
    """
    text = mention_norm.strip()
    mn = g.match_at(text, 0, len(text))
    if mn is None or mn.nend != len(text):
        mn = _free_item(g, text, 0, len(text))
    if mn is None:
        return text
    return g.canonical(mn, meta, inherited_prefix, town)


def _free_item(g: _Grammar, text: str, s: int, e: int) -> Mention | None:
    """A list item that is not in the lexicon but ends in a unit suffix (国际物流枢纽公司, 会计科)."""
    m = g.p["item"].fullmatch(text, s, e)
    if not m or (text[e - 1] == "所" and g.p["item_particle"].match(text, e)):
        return None  # 研究所负责的工作: 所 is the particle of 所V的
    pm = g.prefix_rx.match(text, s, e)
    pre = pm.group(0) if pm and pm.end() < e - 1 else ""
    body = text[s + len(pre):e]
    places, lv = (pm.group("places"), pm.group("lv")) if pre and pm else ("", None)
    return Mention(s, e, pre, body, "", g._free_kind(body), g._level(places, lv), False, "item")
