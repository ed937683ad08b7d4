"""Duty sentences: a unit list opening a sentence as the subject of a duty (县河长办要…, 第四条 市建设行政主管部门负责…).

Two conventions of the genre, both read from ``unit_grammar.yaml``:

- A subject declared the lead in prose (海关总署要继续做好牵头工作, 市经委作为…牵头责任部门) leads in any document.
- In a document with no other responsibility clause (no bracket, label, table column or 由…牵头 sentence: meeting
  minutes, notices, regulations), the subject of a duty verb (要/负责/应当/将/承担) is the responsibility clause of
  that duty: one specific unit leads, several are joint; so is a unit doing a step right after the due date that
  opens its sentence (2019年3月底前,国家卫生健康委推行…: the dated steps of an implementation document).
  Supervision and assessment of the whole notice (督查, 考核, 通报…) is not such a duty, and neither is the issuing
  government speaking of itself (市政府将…) or a category of departments (发展改革部门要…) — unless the document
  named that body with its level before (市建设行政主管部门 … 建设行政主管部门应当…). Where a document does write
  responsibility clauses, sentences in its body describe roles without being the clause of a task, so they are
  left out.
"""

from __future__ import annotations

import re

from pipeline.extractors.responsibilities.clauses import _Item, _Part
from pipeline.extractors.responsibilities.model import Mention
from pipeline.extractors.responsibilities.roles import RoleResolver
from pipeline.models import Responsibility
from pipeline.stages.document import PolicyDoc

#: Where a sentence starts: the text's start, a line, a sentence end, an opening quote, a 第N条 of a regulation,
#: the main clause after a condition (…取得…奖励的,市建设行政主管部门应当…), a clause after any comma: a clause has its
#: own subject (县发改局要加强统筹,县财政局要保障资金; 第四季度,市住房城乡建设局要…; …报区局办公室,区局办公室将负责…).
_END = re.compile(r"[。;!?\n”]")
_SUBJECT_MAX = 80  # characters of a duty sentence's subject list, at most
_LIST_MAX = 300  # characters of a list after 由, at most
_DUTY_MAX = 120  # characters of a duty read for supervision words
_PART_END = re.compile(r"[。;!?\n,:]")
_LEVEL_CHARS = "省市县区旗州"  # a level word in front of a bare name named in full (市建设行政主管部门)
#: Characters before 由 that make it the opener of its clause (read by ``ClauseSources._sentences``).
_OPENERS = ",;。:!?\n(“"
_START = re.compile(r"(?:^|(?<=[\n。;!?“,]))[ \t\u3000]*(?:第[一二三四五六七八九十百零〇\d]{1,5}条[ \t\u3000]*)?")


class SubjectSentences(RoleResolver):
    """Units made responsible as the subject of a duty sentence (read by ``UnitExtractor.responsibilities``)."""

    def _subjects(self, doc: PolicyDoc, covered: bytearray, prose_only: bool) -> list[Responsibility]:
        """Subjects declared the lead in prose; with ``prose_only`` (no other clause), subjects of duty verbs too."""
        text = doc.text
        g = self.g
        marker_end = {h.nstart: h.nstart + len(h.marker) for h in doc.headings}
        out: list[Responsibility] = []
        end = -1  # the end of the sentence being read (found once per sentence: starts inside it reuse it)
        for sm in _START.finditer(text):
            s = max(sm.end(), marker_end.get(sm.start(), 0))
            while s < len(text) and text[s] in " \t\u3000":
                s += 1
            if s >= len(text) or covered[s]:
                continue
            if not g.anchors.starts_at(text, s):
                continue
            if end < s:
                e = _END.search(text, s)
                end = e.start() if e else len(text)
            limit = min(end, s + _SUBJECT_MAX)  # a subject is a short list: no scan of a long sentence per start
            mn = g.match_at(text, s, limit)
            dated = prose_only and mn is not None and _verb_after(text, mn.nend) \
                and g.p["subject_dated_before"].search(text, max(0, s - 24), s) is not None
            cut = g.p["subject_cut"].search(text, mn.nend if mn else s, limit)
            if dated and mn is not None and (cut is None or cut.start() > mn.nend):
                out += self._dated_subject(doc, mn, s, end, covered)  # 2019年3月底前,国家卫生健康委建立…
                continue
            if cut is None:
                continue
            items, pos = self._parse_list(text, s, cut.end("tail"), strict=True)
            if not items and mn is not None:  # a unit right before its verb (县河长办要…) ends no list
                items, pos = [_Item(mn.nstart, mn.nend, mn, False)], mn.nend
            if pos < cut.end("tail"):
                continue  # the subject is more than a unit list (县河长办和各镇要…)
            pos = cut.end()
            first = items[0].mention if items else None
            if first is None or items[0].generic or not self._a_body(text, first):
                continue
            if g.p["subject_lead"].match(text, pos, end):
                role = "lead"
            elif prose_only and g.p["subject_duty"].match(text, pos, end) and not g.p["supervision"].search(
                    text, pos, min(end, pos + _DUTY_MAX)):
                role = "resp"
            else:
                continue
            out += self._resolve(doc, [_Part(items, role, "")], s, end, ())
            covered[s:pos] = b"\x01" * (pos - s)
        return out

    def _a_body(self, text: str, mn: Mention) -> bool:
        """Whether a subject names one body: not a category of departments (发展改革部门要…), not the issuer itself
        (市政府将…); a bare name (认真研究所…) only with its level in front somewhere (县人民政府森林防火指挥部负责…)."""
        if mn.rule in ("item", "sector") and not mn.prefix and not _named_before(text, mn.nstart, mn.nend):
            return False
        return not self.g.p["subject_not"].fullmatch(text, mn.nstart, mn.nend)

    def _dated_subject(self, doc: PolicyDoc, mn: Mention, s: int, end: int, covered: bytearray
                       ) -> list[Responsibility]:
        """One specific unit doing a task right after the due date opening its sentence: it is responsible."""
        item = _Item(mn.nstart, mn.nend, mn, False)
        if not self._a_body(doc.text, mn):
            return []
        found = self._resolve(doc, [_Part([item], "resp", "")], s, end, ())
        if any(r.generic for r in found):
            return []
        covered[s:mn.nend] = b"\x01" * (mn.nend - s)
        return found

    def _by_inside(self, doc: PolicyDoc, covered: bytearray) -> list[Responsibility]:
        """由 inside a clause, after its topic: 具体考核细则由镇组织办、纪检办、宣传办负责; …扣2分由市统计局考评.

        The list after 由 must end in a role cue that closes the clause (nothing but a blank or 工作/落实 after it);
        建立由A牵头的机制 names who leads a mechanism, not a task's unit.
        """
        text = doc.text
        g = self.g
        out: list[Responsibility] = []
        end = -1
        for m in g.p["by_inside"].finditer(text):
            s = m.end()
            if s >= len(text) or covered[s] or (m.start() > 0 and text[m.start() - 1] in _OPENERS):
                continue  # a clause opened by 由 is read by the running-text source
            if not g.anchors.starts_at(text, s):
                continue  # the list after 由 starts with a unit (a place, a level word or a unit type)
            if end < s:
                e = _PART_END.search(text, s)
                end = e.start() if e else len(text)
            cue = self.cue_word.search(text, s, min(end, s + _LIST_MAX))
            if cue is None:
                continue  # no role cue closes a list here: nothing to parse
            items, pos = self._parse_list(text, s, cue.start(), strict=True)
            if not items or not any(not it.generic for it in items):
                continue
            role, after = self._cue(text, pos, end)
            if role is None or not g.p["cue_tail"].match(text[after:_blank(text, after, min(end, after + 12))]):
                continue
            out += self._resolve(doc, [_Part(items, role, "")], s, end, ())
        return out


def _verb_after(text: str, pos: int) -> bool:
    """A CJK character that can open a predicate right after a subject (建立, 印发), not a list joiner or 的."""
    return pos < len(text) and "\u4e00" <= text[pos] <= "\u9fff" and text[pos] not in "的和及与等、或"


def _blank(text: str, pos: int, end: int) -> int:
    """The first blank in ``text[pos:end]`` (or ``end``): a scoring sheet separates its items by blanks."""
    m = re.compile(r"\s").search(text, pos, end)
    return m.start() if m else end


def _named_before(text: str, s: int, e: int) -> bool:
    """Whether the bare name ``text[s:e]`` stands earlier with a level in front (市建设行政主管部门 … 建设行政主管部门应当):
    a regulation names its competent body in full once, then by its bare type."""
    i = text.find(text[s:e], 0, s)
    while i != -1:
        if i > 0 and text[i - 1] in _LEVEL_CHARS:
            return True
        i = text.find(text[s:e], i + 1, s)
    return False
