"""Clause grammar: a responsibility clause cut into parts, each a unit list with the role cue or label around it.

A clause (a bracket after a task, a labelled line, a table cell, a sentence) is cut at commas and semicolons
(and right after a lead cue: A牵头、B…; A会同B…); a part is [由][label:] list [cue][tail], its items
separated by 、/和/及 (and by blanks in a cell).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.extractors.responsibilities.mentions import _free_item, _Grammar
from pipeline.extractors.responsibilities.model import Mention
from pipeline.stages.grid import ColumnLexicon

if TYPE_CHECKING:
    from pipeline.extractors.ner_units import NerUnits
    from pipeline.extractors.quantities import Numerals

_OPEN = "(〔【["
_CLOSE = ")〕】]"



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
    cut_off: bool = False  # the list ran into the end of an excerpt: more units were named than survive



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


def _top_seps(text: str, s: int, e: int, seps: str) -> Iterator[int]:
    """Positions of the separators in ``text[s:e]`` that stand outside every bracket."""
    depth = 0
    for i in range(s, e):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps:
            yield i


def _split_top(text: str, s: int, e: int, seps: str) -> list[tuple[int, int, str]]:
    """Split ``text[s:e]`` at top-level separators: (start, end, separator after)."""
    out = []
    start = s
    for i in _top_seps(text, s, e, seps):
        out.append((start, i, text[i]))
        start = i + 1
    out.append((start, e, ""))
    return out


def _next_top(text: str, pos: int, end: int, seps: str) -> int:
    """Position of the next top-level separator in ``text[pos:end]`` (or ``end``)."""
    return next(_top_seps(text, pos, end, seps), end)


class ClauseGrammar:
    """Parsing of clauses into parts; owns nothing but what ``UnitExtractor`` gives it."""

    g: _Grammar
    columns: ColumnLexicon
    numerals: Numerals
    ner: NerUnits | None
    cue_any: re.Pattern[str]
    cue_word: re.Pattern[str]

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
        pending: list[tuple[int, int]] = []  # bare place names waiting for a shared body
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
                if closes or nxt >= end or text[nxt] in "、,;。:*) \t\n" or self.cue_any.match(text, nxt) \
                        or self._convention_bracket(text, nxt, end) or re.match(
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
                pm = g.prefix_rx.fullmatch(text, pos, iend) if seg else None
                sep_m = re.match(r"\s*、\s*", text[iend:end])
                if pm is not None and pm.group("places") and sep_m and pm.group("lv") not in ("乡", "镇", "街道"):
                    pending.append((pos, iend))  # 哈尔滨、黑河、绥芬河市政府: places sharing the last item's body
                    pos = iend + sep_m.end()
                    continue
                sm = g.p["sector_item"].fullmatch(text, pos, iend) if seg else None
                if sm is not None and g.p["sector_list_end"].search(text, pos, _next_top(text, pos, end, ",;。")):
                    body = sm.group("body")  # 市发展改革、财政、规划等相关部门: each field is a department
                    mn_s = Mention(pos, iend, sm.group("pre"), body + "部门", "", "government", None, False, "sector")
                    item = _Item(pos, iend, mn_s, False)
                elif not seg or len(seg) > 24 or g.p["not_item"].search(seg) or seg.count("(") != seg.count(")"):
                    break
                elif g.p["group"].search(seg):
                    item = _Item(pos, iend, None, True)
                else:
                    # in running text a free name counts only right before its role cue (由丹凤街道牵头)
                    fm = _free_item(g, text, pos, iend) if strict or cue is not None else None
                    if fm is None and strict:
                        fm = _elided_suffix(g, text, pos, iend, end)  # 人民大垸、荒湖管理区
                    if fm is None and self.ner is not None:
                        fm = self.ner.item(text, pos, iend)
                    if fm is None:
                        break
                    item = _Item(pos, iend, fm, False)
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
            if pending and item.mention is not None and item.mention.prefix and not item.generic:
                mn = item.mention
                lv = mn.prefix[-1] if mn.prefix[-1:] in "省市县区州旗盟" else ""  # 绥芬河市政府: the level is shared
                for a, b in pending:
                    pre = text[a:b] + ("" if text[b - 1] in "省市县区州旗盟" else lv)
                    items.append(_Item(a, b, Mention(a, b, pre, mn.full, mn.sub, mn.kind, mn.level, mn.complete,
                                                     mn.rule, mn.form), False))
            pending = []
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

    def _convention_bracket(self, text: str, pos: int, end: int) -> bool:
        """A bracket at ``pos`` stating a convention (市财政局(第一责任单位为牵头单位,下同)): it ends the list."""
        if text[pos:pos + 1] != "(":
            return False
        close = text.find(")", pos, end)
        inner = text[pos:close if close > 0 else end]
        return any(self.g.p[k].search(inner) for k in
                   ("convention", "convention_all_lead", "convention_joint", "convention_bold"))

    def _cue_in(self, text: str, s: int, e: int) -> int | None:
        """Start of the first role cue inside ``text[s:e]`` after at least two characters."""
        m = self.cue_word.search(text, s + 2, e) if e - s > 2 else None
        if m is None:
            return None
        p = m.start()
        while p > s + 2 and text[p - 1].isspace():  # the blanks before the cue belong to it (as in cue_any)
            p -= 1
        return p

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
        if self._convention_bracket(text, pos2 + len(rest) - len(rest.lstrip()), e):
            rest = ""  # 责任单位:A、B(第一责任单位为牵头单位,下同): the convention is read by RoleResolver
        if g.p["all_lead"].search(rest):
            return _Part(items, "lead", "")
        cut = False
        if strict or label_role:
            # an excerpt cut off in the middle of a list (…、区统计局、区): the whole names before the cut stand
            cut = e >= _content_end(text) and len(rest.strip(" 、|")) <= 3 and (
                label_role in ("lead", "co", "resp") or strict)
            spaced = label_role is not None and rest[:1].isspace()  # 配合单位:A、B 鄞州 海曙…: the list ends at a blank
            if rest.strip() and not g.p["cue_tail"].match(rest) and not cut and not spaced \
                    and not (cue == "lead" and not strict):
                return None
        role = cue or (label_role if label_role != "neutral" else None)
        if label_role in ("lead", "co") and cue in (None, "resp"):
            role = label_role
        return _Part(items, role, "", cut_off=bool((strict or label_role) and rest.strip(" 、|") and cut))

    def _parse_clause(self, text: str, s: int, e: int, strict: bool, default: str | None = None) -> list[_Part]:
        """Parts of a clause separated by , ; 。 (top level)."""
        parts: list[_Part] = []
        for ps, pe, sep in self._clause_parts(text, s, e):
            if self.g.p["all_lead"].search(text, ps, pe):
                for q in parts:
                    q.role = "lead"
                continue
            cm = self.g.p["convention"].search(text, ps, pe)
            lead_in = text[ps:cm.start()].strip(" (,") if cm else ""
            if (cm and (not lead_in or self.g.p["convention_local"].fullmatch(lead_in))) \
                    or self.g.p["convention_scope"].fullmatch(
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

    def _cell_parts(self, text: str, s: int, e: int, role: str) -> list[_Part]:
        """A unit-column cell as clause parts; the column gives the role of a bare list.

        White space separates units in a cell (``市规划局 市建设局``, one unit per line); a person's name
        after a unit (``市民政局 伍泽国``, a 牵头单位及主要负责人 cell) is skipped.
        """
        segs = [(m.start(), m.end()) for m in re.finditer(r"\S+(?:(?<=[、,;])\s+\S+)*", text[s:e])]
        if len(segs) > 1:
            out: list[_Part] = []
            for a, b in segs:
                seg = text[s + a:s + b]
                if re.fullmatch(r"[\u4e00-\u9fff]{2,3}", seg) and self.g.match_at(text, s + a, s + b) is None:
                    continue  # a person in charge
                ps = self._cell_parts(text, s + a, s + b, role)
                if not ps:
                    return []
                out += ps
            return out
        parts = self._parse_clause(text, s, e, strict=True, default=role)
        if not any(p.items for p in parts):
            return []
        consumed = all(p.items or not text[ps:pe].strip()
                       for p, (ps, pe, _) in zip(parts, self._clause_parts(text, s, e), strict=False))
        return parts if consumed else []


def _content_end(text: str) -> int:
    """``len(text.rstrip())`` without copying the text (it is asked once per clause)."""
    k = len(text)
    while k and text[k - 1].isspace():
        k -= 1
    return k


def _elided_suffix(g: _Grammar, text: str, s: int, e: int, end: int) -> Mention | None:
    """A bare name sharing the unit suffix of the next list item (人民大垸、荒湖管理区 = 人民大垸管理区、荒湖管理区).

    The Names rule of the guideline: a shared suffix elided in a list leaves each body a unit, its span as written.
    """
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", text[s:e]) or text[e:e + 1] != "、":
        return None
    nxt = _next_top(text, e + 1, end, "、,;。:")
    m = g.p["item"].fullmatch(text, e + 1, nxt)
    suf = g.p["item_end"].search(text, e + 1, nxt) if m else None
    if suf is None or suf.start() - (e + 1) < 2:
        return None
    return Mention(s, e, "", text[s:e] + suf.group(0), "", g._free_kind(suf.group(0)), None, False, "item")
