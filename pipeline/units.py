"""Responsible units: every organisation mention, and the units made responsible for tasks with their role.

A mention is an optional region prefix (省/市/县… or a place name from
``regions.tsv``) + a body (an alias from ``departments.tsv``, a compound name
such as 人行郑州中心支行, or a free name ending in a unit suffix) + an optional
sub-unit (溆浦分局) and bracketed alias ((区整违办)). All lexicon words are
compiled into a few trie-shaped regexes once, in ``UnitExtractor()``.

Responsibilities come from *clauses*: a bracket after a task (A牵头,B、C按职责分工负责),
labelled lines (牵头单位:A / 责任单位:B、C), running text (由A牵头,B配合) and table
unit columns. A clause is cut into parts at commas and semicolons; each part is
a unit list followed by a role cue (牵头 → lead, 配合/参与/协作/协办 → co,
负责/责任单位 → lead if it is the only unit, co beside a lead, joint otherwise).
The document's own conventions (排第一位的为牵头单位, 下同) are applied in their scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from pipeline.document import PolicyDoc, TableRow
from pipeline.grid import ColumnLexicon
from pipeline.lexicon import compile_patterns, read_tsv, read_yaml
from pipeline.models import DocMeta, Organization, Responsibility

_OPEN = "(〔【["
_CLOSE = ")〕】]"
_LEVEL_OF_CHAR = {
    "省": "province", "自治区": "province", "市": "city", "州": "city", "盟": "city", "地区": "city",
    "自治州": "city", "县": "county", "区": "county", "旗": "county", "自治县": "county",
    "乡": "township", "镇": "township", "街道": "township",
}
#: A new numbered item or heading at a line start: labelled lists on either side belong to different tasks.
_ITEM_START = re.compile(r"\n[ \t\u3000]*(?:[0-9]{1,3}[.、)]|[(][0-9一二三四五六七八九十]{1,3}[)]|[一二三四五六七八九十]{1,3}、|[①-⑳⑴-⒇⒈-⒛])")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "1": 1, "2": 2, "3": 3}
_SUFFIX_KIND = (
    ("专班", "task_force"), ("领导小组办公室", "task_force"), ("管委会", "development_zone"),
    ("公司", "enterprise"), ("集团", "enterprise"), ("行", "enterprise"), ("中心", "public_institution"),
    ("院", "public_institution"), ("站", "public_institution"), ("所", "public_institution"),
    ("馆", "public_institution"),
)


def trie_regex(words: Iterable[str]) -> str:
    """One regex alternation shaped as a trie (longest alternative first), for fast literal matching."""
    root: dict[str, dict] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        end = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(root)


@dataclass(frozen=True, slots=True)
class Mention:
    """A recognised unit mention in the normalised text (internal to this stage and its tests)."""

    nstart: int
    nend: int
    prefix: str  # region prefix as written: 县, 市, 溆浦县, 河南, '' …
    full: str  # the body with its type expanded: 发展和改革局; the whole name for a compound
    sub: str  # a sub-unit after the body: 溆浦分局
    kind: str
    level: str | None
    complete: bool  # compound names are complete as written
    rule: str
    form: str = ""  # how the canonical name is built: 中共{region}{full}; '' = {region}{full}


@dataclass(frozen=True, slots=True)
class Town:
    """The township a township-level document governs (DocMeta stops at the county)."""

    township: str  # 石马镇
    county: str | None = None  # 永丰县: the DocMeta county, or the county named before the township
    city: str | None = None


_TOWN_RX = re.compile(
    r"(?:(?<![\u4e00-\u9fff])|(?P<cty>[\u4e00-\u9fff]{1,6}?(?:县|区|市|旗)))"
    r"(?P<t>(?!各|全|本|我|该)[\u4e00-\u9fff]{1,4}?(?<!乡)(?:镇|乡|街道))"
    r"(?:人民政府|党委|政府|办事处|\d{4}年|[(〔]?\d{4}[)〕]?年)"
)


@dataclass(frozen=True, slots=True)
class _Item:
    """A list item of a responsibility clause."""

    nstart: int
    nend: int
    mention: Mention | None
    generic: bool
    star: bool = False


@dataclass(slots=True)
class _Part:
    """A unit list with the role cue or label that follows or introduces it."""

    items: list[_Item]
    role: str | None  # lead | co | resp | None (no cue yet)
    sep: str  # the separator after the part: ',' ';' '' (end)
    all_lead: bool = False


@dataclass(frozen=True, slots=True)
class _Convention:
    """A document statement of which listed units lead (排第一位的为牵头单位)."""

    nstart: int
    scope_start: int
    scope_end: int
    n: int  # first n units lead; 0 = units marked with *
    kind: str = "first"  # first (n listed lead), star, all_lead, joint, bold_lost


class _Grammar:
    """The compiled lexicons: regions, unit types, clause grammar."""

    def __init__(self) -> None:
        self.places: dict[str, str] = {}  # place as written → level
        self.short_of: dict[str, str] = {}  # full region name → short name (汉阴县 → 汉阴)
        self.parent_city: dict[str, set[str]] = {}  # county-level name → the cities it may belong to
        for r in read_tsv("regions.tsv"):
            self.short_of.setdefault(r["name"], r["short"])
            if r["level"] == "county" and r.get("city"):
                self.parent_city.setdefault(r["name"], set()).add(r["city"])
            for name in (r["name"], r["short"]):
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
        y = read_yaml("unit_grammar.yaml")
        self.sector_types: dict[str, list[str]] = dict(y["sector_types"])
        self.township_types: dict[str, str] = dict(y["township_types"])
        self.township_abbr: dict[str, str] = dict(y["township_abbreviations"])
        self.township_stations: dict[str, str] = dict(y["township_stations"])
        frags = dict(y["fragments"])
        frags["place"] = trie_regex(sorted(self.places))
        frags["alias"] = trie_regex(a for a in self.types if len(a) >= 3)
        frags["alias_short"] = trie_regex(a for a in self.types if len(a) <= 2)
        self.frags = frags
        p = compile_patterns(frags, y["patterns"], "unit_grammar.yaml")
        self.p = p
        self.prefix_rx = re.compile(
            "(?P<places>(?:(?:" + frags["place"] + ")){0,2})(?P<lv>" + frags["level"] + ")?"
        )
        # every mention starts with a place, a level word or an alias: a one-character lookahead lets
        # the scanners skip the other positions without entering the big tries
        first = {w[0] for w in self.places} | {a[0] for a in self.types} | set(y["first_chars"])
        gate = "(?=[" + "".join(re.escape(c) for c in sorted(first)) + "])"
        prefix_first = {w[0] for w in self.places} | set(y["first_chars"])
        pgate = "(?=[" + "".join(re.escape(c) for c in sorted(prefix_first)) + "])"
        self.recognizers = tuple(
            (rule, re.compile(g + extra + "(?:" + p[key].pattern + ")"))
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
            return _LEVEL_OF_CHAR.get(lv)
        if places:
            pm = re.fullmatch("(?:" + self.frags["place"] + ")+", places)
            if pm:
                for k in range(len(places), 0, -1):
                    tail = places[-k:]
                    if tail in self.places:
                        return self.places[tail]
        return None

    @staticmethod
    def _free_kind(body: str) -> str:
        if body.startswith("委") or "党" in body:
            return "party"
        for suf, kind in _SUFFIX_KIND:
            if body.endswith(suf):
                return kind
        return "government"

    def find_all(self, text: str) -> list[Mention]:
        """Every mention in ``text``: longest first, lexicon before free names, no overlaps."""
        cands: list[tuple[int, int, Mention]] = []
        for prio, (rule, rx) in enumerate(self.recognizers):
            for m in rx.finditer(text):
                if m.end() > m.start():
                    cands.append((0 if rule != "free" else 1, prio, self._mention(rule, m)))
        cands.sort(key=lambda c: (c[0], -(c[2].nend - c[2].nstart), c[1], c[2].nstart))
        taken: list[Mention] = []
        occupied = bytearray(len(text) + 1)
        for _, _, mn in cands:
            if any(occupied[mn.nstart:mn.nend]):
                continue
            occupied[mn.nstart:mn.nend] = b"\x01" * (mn.nend - mn.nstart)
            taken.append(mn)
        taken.sort(key=lambda x: x.nstart)
        return taken

    def match_at(self, text: str, pos: int, end: int) -> Mention | None:
        """The longest mention starting exactly at ``pos`` and ending by ``end``."""
        best: Mention | None = None
        for rule, rx in self.recognizers:
            m = rx.match(text, pos, end)
            if not m or m.end() <= pos:
                continue
            longer = best is None or m.end() > best.nend
            if longer and (best is None or rule != "free" or best.rule == "free"):
                best = self._mention(rule, m)
        return best

    # ------------------------------------------------------------ canonical
    def town_of(self, meta: DocMeta, text: str) -> Town | None:
        """The township of a township document: named at the start of its title, issuer or first line."""
        first = text.lstrip()[:80].split("\n", 1)[0]
        for src in (meta.title or "", meta.issuer or "", first):
            m = _TOWN_RX.match(src)
            if not m:
                continue
            t = m.group("t")
            cty = m.group("cty") if m.group("cty") in self.parent_city else None
            for k in ([] if cty or meta.county else [k.start() for k in re.finditer(t, text[:400])]):
                cty = next((text[j:k] for j in range(max(0, k - 6), k) if text[j:k] in self.parent_city), None)
                if cty:
                    break
            county = meta.county or cty
            cities = self.parent_city.get(county or "", set())
            city = meta.city or (next(iter(cities)) if len(cities) == 1 else None)
            return Town(t, county, city)
        return None

    def _township_name(self, mn: Mention, town: Town) -> str | None:
        """Canonical name of a township body in a township document (镇党政办 → 石马镇党政办公室), or None."""
        pm = self.prefix_rx.fullmatch(mn.prefix) if mn.prefix else None
        places, lv = (pm.group("places"), pm.group("lv")) if pm else ("", None)
        short = re.sub("(?:镇|乡|街道)$", "", town.township)
        full = mn.full
        own = lv in ("镇", "乡", "街道") and places in ("", short)
        station = full if own or (places == short and not lv) else None
        if mn.rule == "item" and not mn.prefix and full.startswith(short):
            station = full[len(short):]
        if station in self.township_stations and town.county:
            bureau = self.township_stations[station]
            if bureau == "公安局" and town.county.endswith("区") and town.city:
                return f"{town.city}公安局{self.short_of.get(town.county, town.county)}分局{short}{station}"
            return f"{town.county}{bureau}{short}{station}"
        if not own:
            return None
        if mn.rule == "lexicon":
            full = self.township_types.get(full, full)
            form = self.forms.get(mn.full, "")
            if form:
                return form.format(region=town.township, short=short, full=full) + mn.sub
            return town.township + full + mn.sub
        full = self.township_abbr.get(full, full)
        if full.endswith("办"):
            full += "公室"
        return town.township + full

    def region_for(self, places: str, lv: str | None, meta: DocMeta) -> str:
        """The region a prefix stands for: the place as written, or the document's region for a level word."""
        if places:
            return places + (lv or "")
        if not lv:
            return ""
        level = _LEVEL_OF_CHAR.get(lv)
        region: str | None = None
        if level == "province":
            region = meta.province
        elif level == "city" and meta.county and meta.county.endswith("市"):
            region = meta.county  # a county-level city calls itself 市
        elif level == "city":
            region = meta.city or (meta.province if meta.province and meta.province.endswith("市") else None)
        elif level == "county":
            region = meta.county
        return region or lv

    def canonical(self, mn: Mention, meta: DocMeta, inherited: str | None = None, town: Town | None = None) -> str:
        """Full canonical name (see ``_canonical``); 管委会 is always written out as 管理委员会."""
        return re.sub("管委会$", "管理委员会", self._canonical(mn, meta, inherited, town))

    def _canonical(self, mn: Mention, meta: DocMeta, inherited: str | None, town: Town | None) -> str:
        """Full canonical name: abbreviation expanded, region attached.

        With no prefix (and none inherited from the list) a lexicon or sector mention
        belongs to the document's own region: 发改部门 in a 安康市 document →
        安康市发展和改革委员会; a development zone takes the short place name
        (经开区 → 汉阴经济技术开发区管理委员会).
        """
        doc_region = meta.county or meta.city or meta.province or ""
        if mn.complete:
            full = re.sub("^(?:人行|人民银行)", "中国人民银行", re.sub("管委会$", "管理委员会", mn.full))
            # 甘肃银保监局 → 中国银行保险监督管理委员会甘肃监管局 (the regulator's full name, 2018–2023)
            return re.sub("^(.+?)银保监(分)?局$", r"中国银行保险监督管理委员会\1监管\2局", full)
        if mn.form == "{full}":
            return mn.full + mn.sub  # a central body (财政部, 海关总署): its name has no region
        if town is not None:
            name = self._township_name(mn, town)
            if name:
                return name
        written = mn.prefix + mn.full
        if meta.county and self.p["subcounty"].fullmatch(written):
            return meta.county + written  # 吴家营街道办事处 in a 呈贡区 document → 呈贡区吴家营街道办事处
        if mn.rule == "item":
            if mn.prefix:
                return self._region(mn.prefix, meta)[0] + mn.full
            return (doc_region if mn.kind == "task_force" else "") + mn.full
        prefix = mn.prefix or inherited or ""
        full, form = mn.full, mn.form
        if mn.rule == "sector":
            pm = self.prefix_rx.fullmatch(prefix) if prefix else None
            level = _LEVEL_OF_CHAR.get(pm.group("lv") or "") if pm else None
            types = self.sector_types.get(full[:-2])
            if types is not None:
                full = types[{"province": 0, "city": 1}.get(level or _doc_level(meta) or "county", 2)]
                form = self.forms.get(full, "")
        if prefix:
            region, named = self._region(prefix, meta)
        else:
            region, named = doc_region, bool(doc_region)
        if named and form:
            return form.format(region=region, short=self.short_of.get(region, region), full=full) + mn.sub
        return region + full + mn.sub

    def _region(self, prefix: str, meta: DocMeta) -> tuple[str, bool]:
        """The region a prefix names and whether it is a real place (not a bare level word)."""
        pm = self.prefix_rx.fullmatch(prefix)
        places, lv = (pm.group("places"), pm.group("lv")) if pm else (prefix, None)
        region = self.region_for(places, lv, meta)
        if places and meta.city and not meta.county and meta.city in self.parent_city.get(region, ()):
            region = meta.city + region  # 鲤城区 in a 泉州市 document → 泉州市鲤城区
        return region, bool(places) or region != (lv or "")


@cache
def _grammar() -> _Grammar:
    """The compiled lexicons (built once per process; lexicon files are read-only data)."""
    return _Grammar()


def canonical_name(mention_norm: str, meta: DocMeta, inherited_prefix: str | None = None,
                   town: Town | None = None) -> str:
    """Canonical name of a normalised unit mention in a document with ``meta``.

    县发改局 in a 溆浦县 document → 溆浦县发展和改革局; 省发展改革委 in a 河南省 document
    → 河南省发展和改革委员会; with no known region the type alone is expanded (县发展和改革局);
    ``inherited_prefix`` is the prefix of the first item of a list (省商务厅、财政厅 → 省);
    ``town`` is the township of a township document (镇党政办 → 石马镇党政办公室).
    """
    g = _grammar()
    text = mention_norm.strip()
    mn = g.match_at(text, 0, len(text))
    if mn is None or mn.nend != len(text):
        mn = _free_item(g, text, 0, len(text))
    if mn is None:
        return text
    return g.canonical(mn, meta, inherited_prefix, town)


def _doc_level(meta: DocMeta) -> str | None:
    """The level of the region the document governs."""
    return "county" if meta.county else "city" if meta.city else "province" if meta.province else None


def _free_item(g: _Grammar, text: str, s: int, e: int) -> Mention | None:
    """A list item that is not in the lexicon but ends in a unit suffix (国际物流枢纽公司, 会计科)."""
    m = g.p["item"].fullmatch(text, s, e)
    if not m:
        return None
    pm = g.prefix_rx.match(text, s, e)
    pre = pm.group(0) if pm and pm.end() < e - 1 else ""
    body = text[s + len(pre):e]
    places, lv = (pm.group("places"), pm.group("lv")) if pre and pm else ("", None)
    return Mention(s, e, pre, body, "", g._free_kind(body), g._level(places, lv), False, "item")


def _brackets(text: str) -> list[tuple[int, int, bool]]:
    """Top-level bracket groups as (content start, content end, closed); an unclosed one ends at the line end."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in _OPEN:
            depth, j = 0, i
            while j < n:
                ch = text[j]
                if ch in _OPEN:
                    depth += 1
                elif ch in _CLOSE:
                    depth -= 1
                    if depth == 0:
                        break
                elif ch == "\n":
                    break
                j += 1
            closed = j < n and text[j] in _CLOSE
            out.append((i + 1, j, closed))
            i = j + 1 if closed else j
        else:
            i += 1
    return out


def _split_top(text: str, s: int, e: int, seps: str) -> list[tuple[int, int, str]]:
    """Split ``text[s:e]`` at top-level separators: (start, end, separator after)."""
    out = []
    depth, start = 0, s
    for i in range(s, e):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps:
            out.append((start, i, ch))
            start = i + 1
    out.append((start, e, ""))
    return out


def _next_top(text: str, pos: int, end: int, seps: str) -> int:
    """Position of the next top-level separator in ``text[pos:end]`` (or ``end``)."""
    depth = 0
    for i in range(pos, end):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps:
            return i
    return end


class UnitExtractor:
    """Organisation mentions and responsibilities of a ``PolicyDoc``."""

    def __init__(self) -> None:
        self.g = _grammar()
        self.columns = ColumnLexicon()
        self.cue_any = re.compile(
            "(?:" + "|".join(self.g.p[k].pattern for k in ("lead_cue", "co_cue", "resp_cue")) + ")"
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
        town = self.g.town_of(doc.meta, text)
        out: list[Organization] = []
        prev: tuple[int, str] | None = None  # (end, prefix) of the previous mention with a prefix
        for mn in self.g.find_all(text):
            inherited = None
            if not mn.prefix and prev and text[prev[0]:mn.nstart] == "、":
                inherited = prev[1]
            pre = mn.prefix or inherited or ""
            prev = (mn.nend, pre) if pre else None
            level = mn.level
            if inherited and not mn.prefix:
                pm = self.g.prefix_rx.fullmatch(inherited)
                level = self.g._level(pm.group("places"), pm.group("lv")) if pm else level
            out.append(Organization(doc.span(mn.nstart, mn.nend), self.g.canonical(mn, doc.meta, inherited, town),
                                    mn.kind, level, f"units.org.{mn.rule}"))
        seen = {(o.span.start, o.span.end) for o in out}
        for r in responsibilities if responsibilities is not None else self.responsibilities(doc):
            if r.generic or (r.span.start, r.span.end) in seen:
                continue
            if any(o.span.start < r.span.end and r.span.start < o.span.end for o in out):
                continue
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
        seen: set[tuple[int, int]] = set()
        out = []
        for r in sorted(results, key=lambda r: r.span.start):
            if (r.span.start, r.span.end) not in seen:
                seen.add((r.span.start, r.span.end))
                out.append(r)
        return out

    # ------------------------------------------------------------ lists and parts
    def _list_only(self, text: str, s: int, e: int, parts: Sequence[_Part], ruled: bool = False) -> bool:
        """A bracket that holds nothing but specific units after a sentence (。(县林业局)): a clause.

        Under a document convention (排第一位的为牵头单位) such brackets are how responsibility is
        written, so a group reference (各市县政府) or a bare name may stand among them if the first
        item is a recognised unit.
        """
        if not parts or any(p.role or not p.items for p in parts):
            return False
        items = [it for p in parts for it in p.items]
        if ruled:
            first = items[0]
            if first.generic or first.mention is None or first.mention.rule == "item":
                return False
        elif any(it.generic or it.mention is None or it.mention.rule == "item" for it in items):
            return False
        if self.g.p["alias_before"].search(text, max(0, s - 12), s - 1):
            return False  # 镇应急管理办(镇安监站): the bracket is the alias of the unit before it
        before = text[max(0, s - 2):s - 1].strip()
        after = text[e + 1:e + 2] if e + 1 <= len(text) else ""
        return before in ("。", ".", ";", "!") or after in ("\n", "")

    def _parse_list(self, text: str, pos: int, end: int, strict: bool) -> tuple[list[_Item], int]:
        """Unit items from ``pos``: separated by 、/和/及, each maybe followed by 等相关部门."""
        g = self.g
        items: list[_Item] = []
        while pos < end:
            while pos < end and text[pos] in " \t":
                pos += 1
            star = False
            if pos < end and text[pos] == "*":
                star, pos = True, pos + 1
            mn = g.match_at(text, pos, end)
            item: _Item | None = None
            if mn is not None:
                after = mn.nend
                tail = g.p["list_tail"].match(text, after, end)
                nxt = tail.end() if tail and tail.end() > after else after
                mark = g.p["lead_mark"].match(text, nxt, end)
                if mark:
                    nxt = mark.end()
                aside = g.p["aside"].match(text, nxt, end)
                if aside:
                    nxt = aside.end()
                while nxt < end and text[nxt] in " \t" and text[nxt:end].strip() == "":
                    nxt += 1  # trailing blanks before the end of the list (…县发改局 【责任单位】…)
                closes = tail is not None and tail.end() > after  # …区教育局等部门共同推进: 等 closes the list
                if closes or nxt >= end or text[nxt] in "、,;。:*)" or self.cue_any.match(text, nxt) or re.match(
                        r"\s*(?:和|及|以及|与)", text[nxt:end]):
                    item = _Item(mn.nstart, mn.nend, mn, False)
            if item is None:
                chunk_end = _next_top(text, pos, end, "、,;。:")
                cue = self._cue_in(text, pos, chunk_end)
                iend = cue if cue is not None else chunk_end
                mark = re.search(g.p["lead_mark"].pattern + r"\s*$", text[pos:iend])
                if mark and mark.start() > 0:
                    iend = pos + mark.start()
                tail = re.search(g.p["list_tail"].pattern + r"\s*$", text[pos:iend])
                if tail and tail.start() > 0:
                    iend = pos + tail.start()
                while iend > pos and text[iend - 1] in " \t*":
                    iend -= 1
                seg = text[pos:iend]
                if not seg or len(seg) > 24 or g.p["not_item"].search(seg) or seg.count("(") != seg.count(")"):
                    break
                if g.p["group"].search(seg):
                    item = _Item(pos, iend, None, True)
                elif strict:
                    fm = _free_item(g, text, pos, iend)
                    if fm is None:
                        break
                    item = _Item(pos, iend, fm, False)
                else:
                    break
            if not item.generic and items and items[-1].generic and re.fullmatch(
                    r"各[省市县区乡镇旗]{1,2}", text[items[-1].nstart:items[-1].nend]):
                item = _Item(item.nstart, item.nend, item.mention, True)  # 各县、区人民政府: 各 covers the list
            elif (not item.generic and items and items[-1].generic and item.mention is not None
                  and item.mention.kind == "development_zone"
                  and g.p["territorial"].search(text[items[-1].nstart:items[-1].nend])):
                item = _Item(item.nstart, item.nend, item.mention, True)  # 各市政府、雄安新区管委会: zones join the group
            if pos < item.nend < end and text[item.nend] == "*":
                star = True
            mark = g.p["lead_mark"].match(text, item.nend, end)
            star = star or mark is not None
            items.append(_Item(item.nstart, item.nend, item.mention, item.generic, star))
            pos = mark.end() if mark else item.nend
            aside = g.p["aside"].match(text, pos, end)
            if aside:
                pos = aside.end()
            tail = g.p["list_tail"].match(text, pos, end)
            if tail and tail.end() > pos:
                pos = tail.end()
            if pos < end and text[pos] == "*":
                pos += 1
            j = re.match(r"\s*(?:、|以及|及|和|与)\s*", text[pos:end])
            if j and pos + j.end() < end:
                pos += j.end()
                continue
            break
        return items, pos

    def _cue_in(self, text: str, s: int, e: int) -> int | None:
        """Start of the first role cue inside ``text[s:e]`` after at least two characters."""
        m = self.cue_any.search(text, s + 2, e) if e - s > 2 else None
        return m.start() if m else None

    def _cue(self, text: str, pos: int, end: int) -> tuple[str | None, int]:
        for role, key in (("lead", "lead_cue"), ("co", "co_cue"), ("resp", "resp_cue")):
            m = self.g.p[key].match(text, pos, end)
            if m and m.end() > pos:
                return role, m.end()
        return None, pos

    def _parse_part(self, text: str, s: int, e: int, strict: bool) -> _Part | None:
        """One part of a clause: [由][label:] list [cue][tail]."""
        g = self.g
        pos = s
        while pos < e and text[pos] in " \t\n":
            pos += 1
        op = g.p["opener"].match(text, pos, e)
        if op:
            pos = op.end()
        label_role = None
        lm = g.p["label"].match(text, pos, e)
        if lm:
            label_role = next(k for k in ("lead", "co", "resp", "neutral") if lm.group(k))
            pos = lm.end()
            while pos < e and text[pos] == " ":
                pos += 1
        items, pos = self._parse_list(text, pos, e, strict or label_role is not None)
        if not items:
            return None
        cue, pos2 = self._cue(text, pos, e)
        rest = text[pos2:e]
        if g.p["all_lead"].search(rest):
            return _Part(items, "lead", "", all_lead=True)
        if strict or label_role:
            cut = label_role in ("lead", "co", "resp") and e >= len(text.rstrip()) and not rest.strip(" 、")
            if rest.strip() and not g.p["cue_tail"].match(rest) and not cut and not (cue == "lead" and not strict):
                return None
        role = cue or (label_role if label_role != "neutral" else None)
        if label_role in ("lead", "co") and cue in (None, "resp"):
            role = label_role
        return _Part(items, role, "")

    def _parse_clause(self, text: str, s: int, e: int, strict: bool, default: str | None = None) -> list[_Part]:
        """Parts of a clause separated by , ; 。 (top level)."""
        parts: list[_Part] = []
        for ps, pe, sep in self._clause_parts(text, s, e):
            if self.g.p["all_lead"].search(text, ps, pe):
                for q in parts:
                    q.role, q.all_lead = "lead", True
                continue
            if self.g.p["convention"].search(text, ps, pe) or self.g.p["convention_scope"].fullmatch(
                    text[ps:pe].strip()):
                continue  # a statement of the document's convention, read by _conventions
            p = self._parse_part(text, ps, pe, strict)
            if p is None:
                if text[ps:pe].strip():
                    parts.append(_Part([], None, sep))
                continue
            if p.role is None and default:
                p.role = default
            p.sep = sep
            parts.append(p)
        return parts

    def _clause_parts(self, text: str, s: int, e: int, seps: str = ",;。") -> list[tuple[int, int, str]]:
        """Top-level parts at ``seps`` and right after a lead cue (A牵头、B、C按职责分工负责; A会同B、C).

        A part cut after 会同 gets the separator ``会同``: its bare list takes part beside the lead.
        """
        out = []
        for ps, pe, sep in _split_top(text, s, e, seps):
            cut = ps
            for m in self.g.p["lead_after"].finditer(text, ps, pe):
                out.append((cut, m.start("sep"), ","))
                cut = m.end()
            out.append((cut, pe, sep))
        return [(a, b, "会同" if text[max(s, a - 2):a] == "会同" and k > 0 else sep)
                for k, (a, b, sep) in enumerate(out)]

    # ------------------------------------------------------------ roles
    def _resolve(self, doc: PolicyDoc, parts: list[_Part], s: int, e: int,
                 conventions: Sequence[_Convention], closed: bool = True) -> list[Responsibility]:
        """Roles for the items of one clause."""
        # a bare list takes the cue of the next part in the same sentence
        for k, p in enumerate(parts):
            if p.items and p.role is None:
                for q in parts[k + 1:]:
                    if q.role:
                        p.role = q.role
                        break
                    if not q.items or q.sep in ";。":
                        break
        if closed:
            for p in parts:
                if p.items and p.role is None:
                    p.role = "resp"
        has_lead = any(p.role == "lead" for p in parts) or any(it.star for p in parts for it in p.items)
        roles: dict[tuple[int, int], str] = {}
        resp_items = [it for p in parts if p.role == "resp" for it in p.items]
        conv = next((c for c in reversed(conventions) if c.scope_start <= e and s < c.scope_end
                     and c.nstart <= e), None)
        for p in parts:
            for it in p.items:
                if it.star or p.role == "lead":
                    roles[(it.nstart, it.nend)] = "lead"
                elif p.role == "co":
                    roles[(it.nstart, it.nend)] = "co"
        if resp_items:
            specific = [it for it in resp_items if not it.generic]
            if has_lead:
                role_of = {(it.nstart, it.nend): "co" for it in resp_items}
            elif conv is not None and conv.kind == "all_lead" and specific:
                role_of = {(it.nstart, it.nend): "lead" for it in resp_items}
            elif conv is not None and conv.n > 0 and len(resp_items) > 1 and specific:
                # the first listed lead, even a group reference (各区人民政府、市住建局 → 市住建局 co)
                lead_keys = {(it.nstart, it.nend) for it in resp_items[:conv.n]}
                role_of = {(it.nstart, it.nend): "lead" if (it.nstart, it.nend) in lead_keys else "co"
                           for it in resp_items}
            elif len(specific) == 1:
                role_of = {(it.nstart, it.nend): "lead" for it in resp_items}
            else:
                role_of = {(it.nstart, it.nend): "joint" for it in resp_items}
            for it in resp_items:
                roles.setdefault((it.nstart, it.nend), role_of[(it.nstart, it.nend)])
        text = doc.text
        leads = {text[a:b] for (a, b), r in roles.items() if r == "lead"}
        for key, r in roles.items():
            if r == "co" and text[key[0]:key[1]] in leads:
                roles[key] = "lead"  # the lead named again in the 责任单位 list stays the lead
        out: list[Responsibility] = []
        town = self.g.town_of(doc.meta, text)
        for p in parts:
            inherited: str | None = None
            for k, it in enumerate(p.items):
                role = roles.get((it.nstart, it.nend))
                if role is None:
                    continue
                mn = it.mention
                canonical = text[it.nstart:it.nend]
                if mn is not None:
                    if k == 0 or mn.prefix:
                        inherited = mn.prefix or None
                    canonical = self.g.canonical(mn, doc.meta, None if mn.prefix else inherited, town)
                decided = "resp"
                if conv is not None and (it.nstart, it.nend) in {(x.nstart, x.nend) for x in resp_items} \
                        and not has_lead:
                    decided = f"conv_{conv.kind}"
                out.append(Responsibility(doc.span(it.nstart, it.nend), canonical, role, it.generic,
                                          None, f"units.{decided}.{mn.rule if mn else 'group'}"))
        return out

    def _conventions(self, doc: PolicyDoc) -> list[_Convention]:
        """Statements of which listed units lead, with their scope.

        A statement about one item (该项) holds on its line; one that says 下同/以下/均 holds to the end
        of the document; any other holds to the end of the section it stands in (the task-division
        section above a table), or the whole document when it stands in the preamble.
        """
        text = doc.text
        found: list[tuple[re.Match[str], str]] = [(m, "first") for m in self.g.p["convention"].finditer(text)]
        for kind in ("all_lead", "joint", "bold_lost"):
            key = "convention_bold" if kind == "bold_lost" else f"convention_{kind}"
            found += [(m, kind) for m in self.g.p[key].finditer(text)]
        out = []
        for m, kind in sorted(found, key=lambda x: x[0].start()):
            n = 0
            if kind == "first":
                if "*" in m.group(0) or "牵头)" in m.group(0):
                    kind = "star"
                else:
                    n = _CN_NUM.get(m.group("n") or m.group("n2") or "一", 1)
            line_s = text.rfind("\n", 0, m.start()) + 1
            line_e = text.find("\n", m.end())
            line_e = len(text) if line_e < 0 else line_e
            around = text[max(line_s, m.start() - 8):m.end() + 8]
            if self.g.p["convention_local"].search(around) and not re.search("下同", around):
                end = line_e
            elif kind != "first" or self.g.p["convention_global"].search(text, m.end(), min(len(text), m.end() + 30)):
                end = len(text)
            else:
                end = _section_end(doc, m.start())
            out.append(_Convention(m.start(), line_s, end, n, kind))
        return out

    # ------------------------------------------------------------ sources
    def _labelled(self, doc: PolicyDoc, covered: bytearray, conventions: Sequence[_Convention]
                  ) -> list[Responsibility]:
        """Blocks of labelled lists outside brackets: 牵头责任单位:A。 协同责任单位:B、C。"""
        text = doc.text
        blocks: list[list[tuple[int, int]]] = []
        last_end = -10**9
        for m in self.g.p["label"].finditer(text):
            if covered[m.start()]:
                continue
            end = _next_top(text, m.end(), len(text), "。;\n")
            nl = re.search(r"[\u4e00-\u9fff]{2,8}:", text[m.end():end])
            if nl and nl.start() > 0:
                end = m.end() + nl.start()
            nxt_label = self.g.p["label"].search(text, m.end(), end)
            if nxt_label:  # 【牵头单位】A 【责任单位】B: the next label ends this list
                end = nxt_label.start()
            if m.start() - last_end <= 30 and blocks and not _ITEM_START.search(text, max(0, last_end), m.start()):
                blocks[-1].append((m.start(), end))
            else:
                blocks.append([(m.start(), end)])
            last_end = end
        out: list[Responsibility] = []
        for block in blocks:
            parts: list[_Part] = []
            for s, e in block:
                ps = self._parse_clause(text, s, e, strict=True)
                parts += ps
            if any(p.items for p in parts):
                out += self._resolve(doc, parts, block[0][0], block[-1][1], conventions,
                                     closed=not (block[-1][1] >= len(text.rstrip())))
                for s, e in block:
                    covered[s:e] = b"\x01" * (e - s)
        return out

    def _cell_parts(self, text: str, s: int, e: int, role: str) -> list[_Part]:
        """A unit-column cell as clause parts; the column gives the role of a bare list."""
        parts = self._parse_clause(text, s, e, strict=True, default=role)
        if not any(p.items for p in parts):
            return []
        consumed = all(p.items or not text[ps:pe].strip()
                       for p, (ps, pe, _) in zip(parts, self._clause_parts(text, s, e), strict=False))
        return parts if consumed else []

    def _tables(self, doc: PolicyDoc, covered: bytearray, conventions: Sequence[_Convention]
                ) -> list[Responsibility]:
        """Unit columns of the structure stage's table rows (else a table flattened onto one line)."""
        out: list[Responsibility] = []
        for row in doc.table_rows:
            out += self._row(doc, row, covered, conventions)
        if not doc.table_rows:
            out += self._flat_table(doc, covered, conventions)
        return out

    def _row(self, doc: PolicyDoc, row: TableRow, covered: bytearray, conventions: Sequence[_Convention]
             ) -> list[Responsibility]:
        """The units of one table row, by the roles of its columns.

        主责 leads unless a 牵头 column stands beside it; with no unit column at all, a unit standing
        alone in a 备注 column is the row's unit.
        """
        text = doc.text
        roles = list(row.roles)
        has_lead = "lead" in roles
        unit_cols = [(k, ("co" if has_lead else "lead") if r == "main" else r)
                     for k, r in enumerate(roles) if r in self.columns.unit_roles]
        if not unit_cols and "remarks" in roles and not any(
                self.columns.column(h).role in self.columns.unit_roles for h in row.header):
            unit_cols = [(k, "resp") for k, r in enumerate(roles) if r == "remarks"]
        parts: list[_Part] = []
        for k, role in unit_cols:
            c = row.cells[k]
            if c.nstart < c.nend:
                parts += self._cell_parts(text, c.nstart, c.nend, role or "resp")
        parts = [p for p in parts if p.items and not covered[p.items[0].nstart]]
        if not parts:
            return []
        res = self._resolve(doc, parts, row.cells[0].nstart, row.cells[-1].nend, conventions)
        for p in parts:
            for it in p.items:
                covered[it.nstart:it.nend] = b"\x01" * (it.nend - it.nstart)
        return res

    def _flat_table(self, doc: PolicyDoc, covered: bytearray, conventions: Sequence[_Convention]
                    ) -> list[Responsibility]:
        """A table flattened onto one line: header tokens separated by spaces, then unit tokens."""
        text = doc.text
        out: list[Responsibility] = []
        for lm in re.finditer(r"[^\n]+", text):
            s, e = lm.start(), lm.end()
            toks = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[s:e])]
            cols = [self.columns.column(text[s + a:s + b]) for a, b in toks]
            roles = [c.role for c in cols if c.role is not None and c.role in self.columns.unit_roles]
            if len(roles) < 2:
                continue
            role = _majority([("co" if "lead" in roles else "lead") if r == "main" else r for r in roles])
            hdr_end = s + max(b for (a, b), c in zip(toks, cols, strict=True) if c.role in self.columns.unit_roles)
            for a, b in toks:
                ts, te = s + a, s + b
                if ts < hdr_end or covered[ts] or any(c in text[ts:te] for c in "()"):
                    continue
                mn = self.g.match_at(text, ts, te)
                if mn is None or mn.nend != te:
                    continue
                out += self._resolve(doc, [_Part([_Item(ts, te, mn, False)], "co" if role == "co" else role,
                                                 "")], ts, te, conventions)
        return out

    def _sentences(self, doc: PolicyDoc, covered: bytearray) -> list[Responsibility]:
        """Running text: a part that starts with a unit list followed by 牵头 (or 由…负责), then co parts."""
        text = doc.text
        out: list[Responsibility] = []
        for sm in re.finditer(r"[^。;!?\n]+", text):
            s, e = sm.start(), sm.end()
            if "牵头" not in text[s:e] and "负责" not in text[s:e] and not self.g.p["with_joint"].search(text, s, e):
                continue  # 会同 names partners only when they act together (A会同B、C等部门共同推进)
            parts: list[_Part] = []
            seen_lead = False
            for ps, pe, sep in self._clause_parts(text, s, e, ",:"):
                if covered[ps:pe].count(1) > 0:
                    continue
                p = self._parse_part(text, ps, pe, strict=False)
                if p is not None and p.role is None and sep == "会同" and seen_lead:
                    p.role = "co"  # A会同B、C等部门共同推进: B and C take part
                if p is None or p.role is None:
                    continue
                opener = self.g.p["opener"].match(text, ps, pe) is not None
                if p.role == "lead" or (p.role == "resp" and opener):
                    seen_lead = True  # 由A牵头 / 由A负责: units named after it with 配合 are co
                elif not seen_lead and (p.role == "co" or not opener):
                    continue  # 配合/负责 in running text only beside a lead (or after 由)
                p.sep = sep
                parts.append(p)
            if parts:
                out += self._resolve(doc, parts, s, e, ())
        return out


def _section_end(doc: PolicyDoc, pos: int) -> int:
    """End of the section that contains ``pos``: the next heading of the same or a higher level."""
    before = [h for h in doc.headings if h.nstart <= pos]
    if not before:
        return len(doc.text)
    level = before[-1].level
    nxt = [h.nstart for h in doc.headings if h.nstart > pos and h.level <= level]
    return nxt[0] if nxt else len(doc.text)


def _majority(roles: Sequence[str]) -> str:
    """The role most unit columns of a header have (lead wins ties)."""
    counts = {r: roles.count(r) for r in roles}
    return max(counts, key=lambda r: (counts[r], r == "lead"))

