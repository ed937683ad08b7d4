"""Roles: lead / co / joint for the items of a clause, by cue words and by the document's own conventions.

A convention is read as position × role × scope (排第一位的为牵头单位, 下同; 责任单位为…牵头单位; 均为同责单位;
加黑的为牵头单位 with the bold lost); the kind that decided a row is named in its ``rule``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.document import PolicyDoc
from pipeline.models import Responsibility
from pipeline.units.clauses import ClauseGrammar, _Part


@dataclass(frozen=True, slots=True)
class _Convention:
    """A document statement of which listed units lead (排第一位的为牵头单位)."""

    nstart: int
    scope_start: int
    scope_end: int
    n: int  # first n units lead; 0 = units marked with *
    kind: str = "first"  # first (n listed lead), star, all_lead, joint, bold_lost


class RoleResolver(ClauseGrammar):
    """Roles of parsed clause parts, under the document's conventions."""

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
        # a convention holds from the start of the line it stands on (责任单位:A、B(第一责任单位为牵头单位,下同))
        conv = next((c for c in reversed(conventions) if c.scope_start <= e and s < c.scope_end), None)
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
            elif any(p.role == "co" and p.items for p in parts) and specific:
                # 责任单位:A 配合单位:B — the responsible unit named beside co-operating ones leads
                role_of = {(it.nstart, it.nend): "lead" for it in resp_items}
            elif conv is not None and conv.kind == "all_lead" and specific:
                role_of = {(it.nstart, it.nend): "lead" for it in resp_items}
            elif conv is not None and conv.n > 0 and len(resp_items) > 1 and specific:
                # the first listed lead, even a group reference (各区人民政府、市住建局 → 市住建局 co)
                lead_keys = {(it.nstart, it.nend) for it in resp_items[:conv.n]}
                role_of = {(it.nstart, it.nend): "lead" if (it.nstart, it.nend) in lead_keys else "co"
                           for it in resp_items}
            elif len(specific) == 1 and not any(p.cut_off for p in parts):
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
