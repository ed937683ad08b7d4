"""Where responsibility clauses come from: labelled lines, table unit columns, flattened tables, running text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.extractors.responsibilities.clauses import _CLOSE, _OPEN, _content_end, _Item, _next_top, _Part
from pipeline.extractors.responsibilities.roles import RoleResolver, _Convention, _majority
from pipeline.models import Responsibility
from pipeline.stages.document import PolicyDoc, TableRow

#: A new numbered item or heading at a line start: labelled lists on either side belong to different tasks.
_ITEM_START = re.compile(r"\n[ \t\u3000]*(?:[0-9]{1,3}[.、)]|[(][0-9一二三四五六七八九十]{1,3}[)]|[一二三四五六七八九十]{1,3}、|[①-⑳⑴-⒇⒈-⒛])")


class ClauseSources(RoleResolver):
    """The clause sources besides brackets (read by ``UnitExtractor.responsibilities``)."""

    # ------------------------------------------------------------ sources
    def _labelled(self, doc: PolicyDoc, covered: bytearray, conventions: Sequence[_Convention]
                  ) -> list[Responsibility]:
        """Blocks of labelled lists outside brackets: 牵头责任单位:A。 协同责任单位:B、C。"""
        text = doc.text
        blocks: list[list[tuple[int, int]]] = []
        last_end = -10**9
        top = (-1, -1)  # the last (start, end) of a list: reused while no bracket lies between (a run of labels)
        for m in self.g.p["label"].finditer(text):
            if covered[m.start()]:
                continue
            if top[0] <= m.end() <= top[1] and not any(ch in _OPEN or ch in _CLOSE for ch in text[top[0]:m.end()]):
                end = top[1]
            else:
                end = _next_top(text, m.end(), len(text), "。;\n")
            top = (m.end(), end)
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
                                     closed=not (block[-1][1] >= _content_end(text)))
                for s, e in block:
                    covered[s:e] = b"\x01" * (e - s)
        return out


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
            if len(toks) < 2:
                continue  # a header names two unit columns: a line of one token (most lines of prose) is none
            cols = [self.columns.column(text[s + a:s + b]) for a, b in toks]
            roles = [c.role for c in cols if c.role is not None and c.role in self.columns.unit_roles]
            if len(roles) < 2:
                continue
            role = _majority([("co" if "lead" in roles else "lead") if r == "main" else r for r in roles])
            hdr_end = s + max(b for (a, b), c in zip(toks, cols, strict=True) if c.role in self.columns.unit_roles)
            if not text[hdr_end:e].strip():
                out += self._flat_rows(doc, e, roles, covered, conventions)
                continue
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

    def _flat_rows(self, doc: PolicyDoc, start: int, roles: list[str], covered: bytearray,
                   conventions: Sequence[_Convention]) -> list[Responsibility]:
        """Rows of a table flattened one row per line with cells separated by spaces (cells have spaces too):
        the unit lists of a row fill the header's unit columns in order."""
        text = doc.text
        has_lead = "lead" in roles
        order = [("co" if has_lead else "lead") if r == "main" else ("co" if r == "resp" and has_lead else r)
                 for r in roles]
        out: list[Responsibility] = []
        misses = 0
        for lm in re.finditer(r"[^\n]+", text[start:]):
            s, e = start + lm.start(), start + lm.end()
            parts: list[_Part] = []
            k = 0
            for m in re.finditer(r"\S+", text[s:e]):
                ts, te = s + m.start(), s + m.end()
                if covered[ts]:
                    continue
                ps = [p for p in self._cell_parts(text, ts, te, order[min(k, len(order) - 1)]) if p.items]
                if ps:
                    parts += ps
                    k += 1
            if not parts:
                misses += 1
                if misses >= 3:
                    break
                continue
            misses = 0
            out += self._resolve(doc, parts, s, e, conventions)
            for p in parts:
                for it in p.items:
                    covered[it.nstart:it.nend] = b"\x01" * (it.nend - it.nstart)
        return out

    def _sentences(self, doc: PolicyDoc, covered: bytearray) -> list[Responsibility]:
        """Running text: a part that starts with a unit list followed by 牵头 (or 由…负责), then co parts."""
        text = doc.text
        out: list[Responsibility] = []
        # a heading's marker is not part of its sentence: (一)省监察厅牵头的工作 → 省监察厅 leads the section
        body_of = {h.nstart: h.nstart + len(h.marker) for h in doc.headings}
        for s, e in doc.sentences.spans():
            lead_ws = len(text[s:e]) - len(text[s:e].lstrip())
            s = body_of.get(s + lead_ws, s)
            if not self.g.p["sentence_cue"].search(text, s, e) and not self.g.p["with_joint"].search(text, s, e) \
                    and not (self.g.p["partners"].search(text, s, e) and not self.g.p["supervision"].search(text, s, e)):
                continue  # 会同 names partners of a task, not of supervising the notice (A会同B…督查)
            parts: list[_Part] = []
            seen_lead = False
            for ps, pe, sep in self._clause_parts(text, s, e, ",:"):
                if covered[ps:pe].count(1) > 0:
                    continue
                if self.g.p["approval"].match(text, ps, pe):
                    continue  # 经生态环境部会同有关部门评审通过后实施: an approval step, not the task's unit
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
