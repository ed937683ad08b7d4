"""Roles: lead / co / joint for the items of a clause, by cue words and by the document's own conventions.

A convention is read as position × role × scope (排第一位的为牵头单位, 下同; 责任单位为…牵头单位; 均为同责单位;
加黑的为牵头单位 with the bold lost); the kind that decided a row is named in its ``rule``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.extractors.responsibilities.clauses import ClauseGrammar, _Item, _Part
from pipeline.lexicon import LexiconError, read_yaml
from pipeline.models import Responsibility
from pipeline.ruletable import RuleTable
from pipeline.stages.document import PolicyDoc


@dataclass(frozen=True, slots=True)
class _Convention:
    """A document statement of which listed units lead (排第一位的为牵头单位)."""

    nstart: int
    scope_start: int
    scope_end: int
    n: int  # first n units lead; 0 = units marked with *
    kind: str = "first"  # first (n listed lead), star, all_lead, joint, bold_lost


@dataclass(frozen=True, slots=True)
class _ClauseFacts:
    """What the clause rules of ``roles.yaml`` look at: the parts, their responsible units, the convention."""

    parts: Sequence[_Part]
    resp_items: Sequence[_Item]
    has_lead: bool
    conv: _Convention | None


_CLAUSE_FACTS: dict[str, Callable[[_ClauseFacts], bool]] = {
    "lead_named": lambda f: f.has_lead,
    "co_named": lambda f: any(p.role == "co" and p.items for p in f.parts),
    "specific": lambda f: any(not it.generic for it in f.resp_items),
    "several": lambda f: len(f.resp_items) > 1,
    "one_specific": lambda f: sum(not it.generic for it in f.resp_items) == 1,
    "cut_off": lambda f: any(p.cut_off for p in f.parts),
}


class RoleRules:
    """The three ordered rule tables of ``lexicons/roles.yaml`` (item, clause, recheck), compiled once."""

    FILE = "roles.yaml"

    def __init__(self) -> None:
        y = read_yaml(self.FILE)
        self.item = RuleTable[tuple[_Part, _Item]](self.FILE, y["item"], ("lead", "co", "clause", "none"),
                                                   _item_condition)
        self.clause = RuleTable[_ClauseFacts](self.FILE, y["clause"], ("lead", "co", "joint", "first_n"),
                                              _clause_condition)
        self.recheck = RuleTable[tuple[str, bool]](self.FILE, y["recheck"], ("lead", "keep"), _recheck_condition)
        ids = [*self.item.ids, *self.clause.ids, *self.recheck.ids]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise LexiconError(f"{self.FILE}: rule ids used in two tables: {sorted(dup)}")

    @property
    def ids(self) -> tuple[str, ...]:
        """Every rule id of the three tables."""
        return (*self.item.ids, *self.clause.ids, *self.recheck.ids)


def _item_condition(cond: Mapping[str, Any]) -> Callable[[tuple[_Part, _Item]], bool]:
    if cond.get("item") == "star":
        return lambda pi: pi[1].star
    role = cond["part"]
    if role not in ("lead", "co", "resp"):
        raise ValueError(f"unknown part role {role!r}")
    return lambda pi: pi[0].role == role


def _clause_condition(cond: Mapping[str, Any]) -> Callable[[_ClauseFacts], bool]:
    if "not" in cond:
        inner = _clause_condition(cond["not"])
        return lambda f: not inner(f)
    if "clause" in cond:
        return _CLAUSE_FACTS[cond["clause"]]
    kind = cond["convention"]
    if kind == "numbered":
        return lambda f: f.conv is not None and f.conv.n > 0
    if kind not in ("first", "star", "all_lead", "joint", "bold_lost"):
        raise ValueError(f"unknown convention {kind!r}")
    return lambda f: f.conv is not None and f.conv.kind == kind


def _recheck_condition(cond: Mapping[str, Any]) -> Callable[[tuple[str, bool]], bool]:
    if "role" in cond:
        role = cond["role"]
        return lambda rn: rn[0] == role
    want = bool(cond["named_as_lead"])
    return lambda rn: rn[1] == want


class RoleResolver(ClauseGrammar):
    """Roles of parsed clause parts, under the document's conventions (the rules of ``lexicons/roles.yaml``)."""

    role_rules: RoleRules

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
        rules = self.role_rules
        roles: dict[tuple[int, int], tuple[str, str]] = {}  # (start, end) → (role, id of the rule that set it)
        resp_items = [it for p in parts if p.role == "resp" for it in p.items]
        # a convention holds from the start of the line it stands on (责任单位:A、B(第一责任单位为牵头单位,下同))
        conv = next((c for c in reversed(conventions) if c.scope_start <= e and s < c.scope_end), None)
        for p in parts:
            for it in p.items:
                ri = rules.item.decide((p, it))
                if ri.verdict in ("lead", "co"):
                    roles[(it.nstart, it.nend)] = (ri.verdict, ri.id)
        if resp_items:
            rc = rules.clause.decide(_ClauseFacts(parts, resp_items, has_lead, conv))
            lead_keys = {(it.nstart, it.nend) for it in resp_items[:conv.n]} if rc.verdict == "first_n" and conv \
                else set()
            for it in resp_items:
                key = (it.nstart, it.nend)
                role = ("lead" if key in lead_keys else "co") if rc.verdict == "first_n" else rc.verdict
                roles.setdefault(key, (role, rc.id))
        text = doc.text
        leads = {text[a:b] for (a, b), (r, _) in roles.items() if r == "lead"}
        for key, (role, _) in roles.items():
            again = rules.recheck.decide((role, text[key[0]:key[1]] in leads))
            if again.verdict == "lead":
                roles[key] = ("lead", again.id)
        out: list[Responsibility] = []
        town = doc.town
        for p in parts:
            inherited: str | None = None
            for k, it in enumerate(p.items):
                decided = roles.get((it.nstart, it.nend))
                if decided is None:
                    continue
                mn = it.mention
                canonical = text[it.nstart:it.nend]
                if mn is not None:
                    if k == 0 or mn.prefix:
                        inherited = mn.prefix or None
                    canonical = self.g.canonical(mn, doc.meta, None if mn.prefix else inherited, town)
                out.append(Responsibility(doc.span(it.nstart, it.nend), canonical, decided[0], it.generic,
                                          None, f"units.{decided[1]}.{mn.rule if mn else 'group'}"))
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
                    n = self.numerals.parse_int(m.group("n") or m.group("n2") or "一") or 1
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
