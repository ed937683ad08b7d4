"""Commitment rules of the targets stage: is a number something the document commits to reach (not a fact,
a parameter, a scope or a name)? The ordered checks of ``_committed`` and the report, table and section
conventions they use."""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from pipeline.document import PolicyDoc

if TYPE_CHECKING:
    pass
from pipeline.targets.indicators import IndicatorRules
from pipeline.targets.model import (
    _CJK,
    _FULL_SENT_SEP,
    _LIST_NEXT,
    _Ctx,
    _drop_parens,
    _inside_parens,
    _inside_quotes,
    _Num,
    _unit_core,
)

#: a heading's label before a colon, the rest of the line running on as its paragraph (1、创业就业工程:…)
_RUN_IN_LABEL = re.compile(r"[^:;。,\n]{1,24}:")
#: the first sentence of a heading line that runs on as a paragraph
_RUN_IN_SENTENCE = re.compile(r"^[^。\n]*。")


class CommitmentRules(IndicatorRules):
    """Decides whether a number is committed."""

    def _committed(self, text: str, doc: PolicyDoc, nums: list[_Num], ctxs: list[_Ctx], i: int) -> bool:
        """Is number ``i`` something the document commits to reach?"""
        n, c = nums[i], ctxs[i]
        if c.extra.get("baseline_of_next") or n.unit in self._non_target_units:
            return False
        before_sent = text[c.sent_start:c.span_start]
        clause = text[c.clause_start:c.clause_end]
        if n.nstart >= self._news_from:
            return False
        if self._word_in(self._fact, before_sent) or self._pat["fact_frame"].search(before_sent):
            return False
        if self._past_opener(doc, text, c) or self._reported(doc, text, c):
            return False
        raised = self._pat["raise_to"].search(text[c.clause_start:c.span_start]) is not None
        if (not raised and self._is_param(clause, before_sent, text[c.span_end:c.clause_end])) \
                or _inside_parens(before_sent, self._pat["aside_open"]):
            return False
        annual_plan = self._pat["annual_plan"].search(text, c.clause_start, c.span_start)
        if self._in_progress_column(doc, n.nstart) or (self._in_fact_section(n.nstart) and not annual_plan):
            return False
        after = text[c.span_end:c.clause_end]
        noun = self._noun_after(text, c)
        if self._names.match(after) or noun.endswith(self._name_suffix) or _inside_quotes(before_sent):
            return False
        unit_core = _unit_core(n.unit)
        if unit_core in self._time_units and self._time_limit_verb(text, c):
            return True  # 对投诉举报7个工作日内办结: a service time limit, whatever the clause opens with
        if unit_core not in self._count_units and self._scope_nouns.search(noun):
            return False
        before_clause = _drop_parens(text[c.clause_start:c.span_start])
        if self._word_in(self._scope_before, before_clause) or self._pat["scope_object"].search(before_clause):
            return False  # 涉及楼栋1083栋, 确保剩余387户…脱贫, 对全镇156家养殖场户…: the scope, not the goal
        if unit_core in self._count_units and self._pat["count_of_rate"].match(after):
            return False  # 27个省级地表水监测断面优良率达到90%: the items a rate is over, not a goal
        if self._pat["scope_frame_before"].search(before_clause) and self._pat["scope_frame_after"].match(after):
            return False  # 以全市7600多名持证残疾人为主要对象: who the work is for
        if unit_core in self._time_units:  # a time needs a verb, unless it is the value of a span indicator
            return bool(self._time_verbs.search(text[c.seg_start:n.nstart])
                        or self._pat["span_indicator"].search(before_clause))
        if self._is_modifier(text, nums, ctxs, i):
            return False
        if n.unit != "%" and c.cmp_after and text.startswith("的", c.span_end):
            return False  # 100户以上的安置点: a threshold defining the items, not an amount
        if n.unit != "%" and c.cmp_after and _CJK.match(after) and self._pat["later_comparator"].search(after):
            return False  # 单户授信1000万元及以下普惠型小微企业贷款增速不低于…: the class, not the goal
        if n.unit == "次" and self._pat["per_cycle_times"].search(before_clause):
            return False  # 每周到村督导不少于2次: a frequency rule
        if self._verbs.search(before_clause) or c.cmp_before or c.cmp_after or n.range_floor:
            return True
        if before_clause.startswith("其中") and self._verbs.search(_drop_parens(before_sent)):
            return True
        if self._last and self._last[0] == c.sent_start and len(before_clause) <= 20:
            return True  # the next item of a list of goals in one sentence (…产值90亿元,规模工业产值12亿元)
        seg = self._trim(text[c.seg_start:c.span_start])
        if not seg and self._after_verbs.search(after):
            return True
        if self._item_headline(doc, text, c, unit_core):
            return True
        if n.unit == "%" and not doc.report and self._pat["rate_value"].search(before_clause) \
                and not (i and c.sent_start <= ctxs[i - 1].span_start < c.clause_start):
            return True  # a rate alone, not the last of a sentence of tallies (5项滞后,滞后项目占比50%)
        return any(seg.endswith(s) for s in self._kind["growth_indicator_suffix"])

    def _item_headline(self, doc: PolicyDoc, text: str, c: _Ctx, unit_core: str | None) -> bool:
        """A numbered item whose first sentence is a name and a count ((3)新生儿疾病免费筛查3700人。).

        Lists of 民生实事 and projects state each planned quantity this way, without a verb.
        """
        if unit_core not in self._count_units or c.span_end >= len(text) or text[c.span_end] not in "。;\n":
            return False
        task = doc.task_at(c.span_start)
        if task is None or task.kind != "item" or c.sent_start > task.nstart + 8:
            return False
        return not re.search(r"[,:、]", text[task.nstart:c.span_start].lstrip(" \t(0123456789.、)一二三四五六七八九十"))

    def _time_limit_verb(self, text: str, c: _Ctx) -> str:
        """The service verb after a time limit (3个工作日内办结 → 办结), or ''."""
        if c.cmp_after != "<=":
            return ""
        m = self._time_limit.match(text, c.span_end)
        return m.group(0).strip() if m else ""

    def _past_opener(self, doc: PolicyDoc, text: str, c: _Ctx) -> bool:
        """The number stands in a sentence (up to 。) or clause opened by a year before ``ref_year``.

        2022年,全市…同比增长6.3%;…: a report of the past year in a plan's preamble, not a goal.
        """
        ref = doc.meta.ref_year
        if ref is None:
            return False
        start = c.sent_start
        while start > 0 and text[start - 1] not in _FULL_SENT_SEP:
            start -= 1
        if self._pat["plan_cue"].search(text, start, c.span_start):
            return False  # 2022年,力争…: still a plan, whatever ref_year says
        for s in (start, c.clause_start):
            m = self._pat["past_opener"].match(text, s, c.span_start)
            if m and int(m.group("y")) < ref:
                return True
        return False

    def _is_param(self, clause: str, before_sent: str, after: str) -> bool:
        """A policy parameter: a parameter word in the clause (not in a funding noun), or 按…N元(的)标准."""
        masked = self._param_exempt.sub(lambda m: "_" * len(m.group(0)), clause)
        if self._word_in(self._param, masked):
            return True
        return bool(self._pat["param_frame"].search(before_sent) and self._pat["param_frame_after"].match(after))

    def _word_in(self, pat: re.Pattern[str], s: str) -> bool:
        """A cue word of ``pat`` in ``s`` that is a whole word for jieba (目前 is not in 项目前期)."""
        for m in pat.finditer(s):
            if len(m.group(0)) == 1 or not re.fullmatch(r"[\u3400-\u9fff]+", m.group(0)):
                return True
            lo, hi = max(0, m.start() - 6), min(len(s), m.end() + 6)
            bounds = {lo}
            for _, a, b in self._tokenizer.tokenize(s[lo:hi]):
                bounds.update((lo + a, lo + b))
            if m.start() in bounds and m.end() in bounds:
                return True
        return False

    def _is_modifier(self, text: str, nums: list[_Num], ctxs: list[_Ctx], i: int) -> bool:
        """A number qualifying a noun that another number counts (5000万元以上产业项目…10个)."""
        n, c = nums[i], ctxs[i]
        after = text[c.span_end:c.clause_end]
        if not after or not _CJK.match(after.lstrip("的")) or _LIST_NEXT.match(after):
            return False  # 8%和9%: the next item of a list of values, not a noun the number qualifies
        # numbers are in text order, so clause starts never decrease: a later number of the clause is the next one
        later = i + 1 < len(nums) and ctxs[i + 1].clause_start == c.clause_start
        non_count = _unit_core(n.unit) not in self._count_units
        if later and (c.cmp_after or non_count) \
                and not self._pat["coordinated"].fullmatch(text, c.span_end, nums[i + 1].nstart):
            return True
        if later and i + 1 < len(nums) and self._pat["each_of"].search(text[c.span_end:nums[i + 1].nstart]):
            return True  # 12个村集体经济收入均达到5万元以上: the set the goal ranges over, not the goal

        for j in range(i - 1, -1, -1):
            if ctxs[j].clause_start != c.clause_start:
                break
            gap = text[ctxs[j].span_end:c.span_start]
            if _CJK.match(gap) and not re.search(r"[、,;。和与及或]", gap) and not self._pat["each_of"].search(gap) \
                    and _unit_core(nums[j].unit) in self._count_units:
                return True
        return False

    def _fact_sections_of(self, doc: PolicyDoc) -> list[tuple[int, bool]]:
        """(start, under a situation or results heading at any level) for each heading (一、基本情况)."""
        out: list[tuple[int, bool]] = []
        stack: list[tuple[int, bool]] = []
        for h in doc.headings:
            while stack and stack[-1][0] >= h.level:
                stack.pop()
            stack.append((h.level, bool(self._pat["fact_heading"].search(h.title))))
            out.append((h.nstart, any(is_fact for _, is_fact in stack)))
        return out

    def _in_fact_section(self, pos: int) -> bool:
        """The number stands in a section whose heading chain reports the situation or past results."""
        k = bisect.bisect_right(self._fact_sections, (pos, True)) - 1
        return k >= 0 and self._fact_sections[k][1]

    def _reported(self, doc: PolicyDoc, text: str, c: _Ctx) -> bool:
        """Progress-report conventions: a results label line; in a document the structure stage found to be a
        report, a realised rate or year-on-year change, and body sentences opened by a reporting window or
        holding no plan word."""
        if c.cmp_before or c.cmp_after:
            return False  # a qualified value (200个以上, 不低于5%) is a commitment
        line_start = text.rfind("\n", 0, c.span_start) + 1
        if self._pat["report_label"].match(text, line_start):
            return True
        sent = text[c.sent_start:c.clause_end]
        before = text[c.clause_start:c.span_start]
        if self._pat["yoy_fact"].search(before) and not self._pat["report_commit"].search(sent) \
                and not self._pat["yoy_commit"].search(sent):
            return True
        if not doc.report:
            return False
        if self._pat["report_fact"].search(before) and not self._pat["report_commit"].search(sent):
            return True
        if self._pat["report_done_after"].match(text, c.span_end) \
                and not self._pat["report_commit"].search(text, c.sent_start, c.span_start):
            return True
        if doc.row_at(c.span_start) is not None:
            return False  # (table cells are read by their column roles)
        if self._pat["report_window"].match(text, c.sent_start):
            return True
        return not self._in_heading_title(doc, c.span_start) and not self._pat["report_plan"].search(
            text[c.sent_start:c.span_start])

    @staticmethod
    def _in_heading_title(doc: PolicyDoc, pos: int) -> bool:
        """The position is in the title of a heading (a report's headings restate the goals it reports on).

        A numbered line that runs on as a paragraph is titled by its label (1、创业就业工程:全年新增就业9789人, up
        to the colon) or by its first sentence (4.拆除违法建筑10万平方米。1-6月,仅完成…, up to the full stop).
        """
        k = bisect.bisect_right(doc.headings, pos, key=lambda h: h.nstart) - 1
        if k < 0 or not doc.headings[k].nstart <= pos < doc.headings[k].nend:
            return False
        h = doc.headings[k]
        line_end = doc.text.find("\n", h.nstart)
        line = doc.text[h.nstart:line_end if line_end >= 0 else len(doc.text)].rstrip()
        label = _RUN_IN_LABEL.match(line) or _RUN_IN_SENTENCE.search(line)
        return label is None or pos < h.nstart + label.end()

    @staticmethod
    def _row_indicator(doc: PolicyDoc, pos: int) -> str | None:
        """The indicator cell left of a table cell that holds only a change and a value (指标 | 增长5.5%)."""
        row = doc.row_at(pos)
        if row is None:
            return None
        cells = [c.text for c, r in zip(row.cells, row.roles, strict=False)
                 if r == "task" and c.nend <= pos and 2 <= len(c.text) <= 30]
        return cells[-1] if cells else None

    def _in_progress_column(self, doc: PolicyDoc, pos: int) -> bool:
        """The number stands in a table cell of a fact column (progress, status, remarks: reports, not goals)."""
        row = doc.row_at(pos, end_inclusive=True)
        return row is not None and row.role_at(pos) in ("progress", "status", "remarks")
