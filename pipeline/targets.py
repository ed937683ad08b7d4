"""Targets: quantified goals (indicator + comparator + value + period).

A target is a number the document commits to reach (力争, 确保, 达到, 新增,
不低于, 增长, planned quantities of a task list), not a fact about the past
(1-6月 actuals, 截至…, a 进展情况 column) nor a policy parameter (subsidy
rates, caps, eligibility thresholds). The stage reads the number hits of the
figures stage, adds the unit-less committed numbers it needs itself
(系数达到0.6以上, 床人比不低于1:1.6), and reads every decision from the cue
words of ``lexicons/comparators.yaml``: comparator, kind, indicator, period,
and the one-target-per-value rule of 分别 lists.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.document import PolicyDoc
from pipeline.lexicon import compile_patterns, read_yaml
from pipeline.models import Deadline, Target
from pipeline.numbers import parse_number
from pipeline.segment import Segmenter
from pipeline.table_targets import TableTargets

if TYPE_CHECKING:
    from pipeline.figures import NumberHit

LEXICON = "comparators.yaml"

_SENT_SEP = set("。;!?\n|")
_CLAUSE_SEP = _SENT_SEP | set(",:")
_FULL_SENT_SEP = set("。!?\n|")
_LIST_GAP = re.compile(r"^\s*(?:、|和|及|与|以及|,)\s*$")
_LIST_NEXT = re.compile(r"^\s*(?:和|及|与|以及)\s*[-\d]")
_RANGE_GAP = re.compile(r"^\s*[~\-—–至到]\s*$")
_CJK = re.compile(r"[\u3400-\u9fffA-Za-z“\"]")
_QUOTES = "“”\"'‘’《》"
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUALIFIER_MAP = {">": ">=", ">=": ">=", "<": "<=", "<=": "<=", "~": "~"}


@dataclass(slots=True)
class _Num:
    """A number candidate: figure hit or unit-less committed number (normalised offsets)."""

    nstart: int
    nend: int
    value: float
    unit: str | None
    value_base: float
    unit_base: str | None
    qualifier: str | None = None
    range_floor: bool = False


@dataclass(slots=True)
class _Ctx:
    """Where a number stands: its sentence, clause and own segment, its adjacent qualifiers."""

    sent_start: int
    clause_start: int
    clause_end: int
    seg_start: int
    span_start: int  # with an adjacent qualifier word before (不低于20%)
    span_end: int  # with an adjacent qualifier word after (8%以上)
    cmp_before: str | None = None
    cmp_after: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


class TargetExtractor:
    """Finds targets in a document from its number hits; owns its compiled cue lexicon."""

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        lex = read_yaml(LEXICON)
        cmp_, kind, com, ind = lex["comparator"], lex["kind"], lex["commitment"], lex["indicator"]
        pats = lex["patterns"]
        self._pat = compile_patterns(pats["fragments"], {k: v for k, v in pats.items() if k != "fragments"},
                                     LEXICON)
        self._before = [(w, ">=") for w in cmp_["floor_before"]] + [(w, "<=") for w in cmp_["ceiling_before"]]
        self._before += [(w, "~") for w in cmp_["approx_before"]]
        self._before.sort(key=lambda x: -len(x[0]))
        self._ceiling_verbs = sorted(cmp_["ceiling_verbs"], key=len, reverse=True)
        self._after = [(w, ">=") for w in cmp_["floor_after"]] + [(w, "<=") for w in cmp_["ceiling_after"]]
        self._after += [(w, "~") for w in cmp_["approx_after"]]
        self._after.sort(key=lambda x: -len(x[0]))
        self._strive = re.compile(_alternation(cmp_["strive"]))
        self._strive_clause = re.compile(_alternation(cmp_["strive_clause"]))
        self._kind = kind
        self._count_units = set(kind["count_units"])
        self._growth_units = set(kind["growth_units"])
        self._verbs = re.compile(_alternation(com["verbs"]))
        self._verb_run = re.compile(f"(?:{_alternation(com['verbs'])})+")
        self._after_verbs = re.compile(_alternation(com["after_verbs"]))
        self._fact = re.compile(_alternation(com["fact_words"]))
        self._param = re.compile(_alternation(com["parameter_words"]))
        self._names = re.compile("^(?:" + _alternation(com["name_nouns"]) + ")")
        self._name_suffix = tuple(com["name_suffix"])
        self._scope_nouns = re.compile(_alternation(com["scope_nouns"]))
        self._scope_before = re.compile(_alternation(com["scope_before"]))
        self._param_exempt = re.compile(_alternation(com["parameter_exempt"]))
        self._time_units = set(com["time_units"])
        self._non_target_units = set(com["non_target_units"])
        self._time_verbs = re.compile(_alternation(com["time_verbs"]))
        self._time_limit = re.compile(r"\s*(?:" + _alternation(com["time_limit_after"]) + ")")
        self._strip_suffix = sorted(ind["strip_suffix"], key=len, reverse=True)
        self._strip_prefix = sorted(ind["strip_prefix"], key=len, reverse=True)
        self._noun_stop = set(ind["noun_stop"])
        self._head_rx = re.compile(f"(?:{ind['head_nouns']})$")
        self._growth_verbs = sorted(kind["growth_verbs"], key=len, reverse=True)
        self._reduction_verbs = sorted(kind["reduction_verbs"], key=len, reverse=True)
        self._table = TableTargets()
        if segmenter is None:
            segmenter = Segmenter()
        self._segmenter = segmenter  # the segmentation stage's own instance, never jieba's global one

    @property
    def _tokenizer(self) -> Any:
        """The segmenter's jieba tokenizer, loaded on first use."""
        return self._segmenter.tokenizer

    # ------------------------------------------------------------------ API
    def __call__(self, doc: PolicyDoc, hits: list[NumberHit], deadlines: list[Deadline]) -> list[Target]:
        """Targets of ``doc`` (task_id/lead_units left for the linking step)."""
        text = doc.text
        nums = self._numbers(text, hits)
        ctxs = [self._context(text, n, nums[i - 1] if i else None) for i, n in enumerate(nums)]
        out: list[Target] = []
        baseline: dict[int, float] = {}
        for i, n in enumerate(nums):
            nxt = nums[i + 1] if i + 1 < len(nums) else None
            if nxt is not None and self._pat["baseline_change"].match(text[ctxs[i].span_end:nxt.nstart]) \
                    and re.search(r"[从由]\s*(?:不低于|不少于|不超过)?\s*$", text[ctxs[i].seg_start:n.nstart]):
                baseline[i + 1] = n.value
                ctxs[i].extra["baseline_of_next"] = True
        m = self._pat["news_marker"].search(text)
        self._news_from = m.start() if m else len(text)
        self._fact_sections = self._fact_sections_of(doc)
        # (sentence start, indicator, kind, unit) of the previous target
        self._last: tuple[int, str, str, str | None] | None = None
        for group in self._groups(text, nums, ctxs):
            out.extend(self._group_targets(doc, nums, ctxs, group, baseline, deadlines))
        taken = [(t.span.start, t.span.end) for t in out]
        out += [t for t in self._table(doc, self._kind_of) if not any(a < t.span.end and t.span.start < b for a, b in taken)]
        return sorted(out, key=lambda t: t.span.start)

    # -------------------------------------------------------------- numbers
    def _numbers(self, text: str, hits: list[NumberHit]) -> list[_Num]:
        """Figure hits (ranges merged) plus unit-less committed numbers, in text order."""
        nums = [_Num(h.nstart, h.nend, h.value, h.unit, h.value_base, h.unit_base, h.qualifier)
                for h in sorted(hits, key=lambda h: h.nstart)]
        merged: list[_Num] = []
        for n in nums:
            prev = merged[-1] if merged else None
            if prev is not None and _RANGE_GAP.match(text[prev.nend:n.nstart]) \
                    and (prev.unit is None or prev.unit == n.unit):
                scale = n.value_base / n.value if n.value else 1.0
                merged[-1] = _Num(prev.nstart, n.nend, prev.value, n.unit, prev.value * scale, n.unit_base,
                                  ">=", True)
                continue
            merged.append(n)
        # a bare number is a target only when a cue verb commits it (see the unit-less pattern below)
        merged = [n for n in merged if n.unit is not None or n.range_floor]
        taken = bytearray(len(text) + 1)  # characters of the unit-bearing numbers (a sweep, not a scan per match)
        for n in merged:
            taken[n.nstart:n.nend] = b"\x01" * (n.nend - n.nstart)
        for m in self._pat["unitless"].finditer(text):
            s, e = m.start("val"), m.end("val")
            if taken.find(1, s, e) >= 0:
                continue
            raw = m.group("val")
            val = float(raw.split(":")[-1])
            merged.append(_Num(s, e, val, None, val, None, None))
        for m in self._pat["cn_count"].finditer(text):
            s, e = m.start("val"), m.end("unit")
            cval = parse_number(m.group("val"))
            if cval is not None and taken.find(1, s, e) < 0:
                merged.append(_Num(s, e, cval, m.group("unit"), cval, m.group("unit"), None))
        merged.sort(key=lambda n: n.nstart)
        return merged

    def _context(self, text: str, n: _Num, prev: _Num | None) -> _Ctx:
        """Sentence/clause bounds and adjacent qualifier words of one number."""
        p = n.nstart
        sent_start = p
        while sent_start > 0 and text[sent_start - 1] not in _SENT_SEP:
            sent_start -= 1
        clause_start = p
        while clause_start > 0 and text[clause_start - 1] not in _CLAUSE_SEP:
            clause_start -= 1
        clause_end = n.nend
        while clause_end < len(text) and text[clause_end] not in _CLAUSE_SEP:
            clause_end += 1
        ctx = _Ctx(sent_start, clause_start, clause_end, clause_start, n.nstart, n.nend)
        for w, c in self._after:
            if text.startswith(w, n.nend):
                ctx.span_end, ctx.cmp_after = n.nend + len(w), c
                break
        for w, c in self._before:
            if text.endswith(w, clause_start, n.nstart):
                ctx.span_start, ctx.cmp_before = n.nstart - len(w), c
                break
        else:
            if any(text.endswith(w, clause_start, n.nstart) for w in self._ceiling_verbs):
                ctx.cmp_before = "<="

        if prev is not None and prev.nend > clause_start:
            seg = prev.nend
            for w, _ in self._after:
                if text.startswith(w, seg):
                    seg += len(w)
                    break
            if re.match(r"\s*(?:、|和|及|与|以及)", text[seg:n.nstart]):
                ctx.seg_start = min(seg, ctx.span_start)
        return ctx

    def _groups(self, text: str, nums: list[_Num], ctxs: list[_Ctx]) -> list[list[int]]:
        """Consecutive values joined only by 、/和 (a 分别 or shared-indicator list) form one group."""
        groups: list[list[int]] = []
        for i in range(len(nums)):
            if groups and i - 1 == groups[-1][-1] and _LIST_GAP.match(text[ctxs[i - 1].span_end:ctxs[i].span_start]) \
                    and "," not in text[ctxs[i - 1].span_end:ctxs[i].span_start]:
                groups[-1].append(i)
            else:
                groups.append([i])
        return groups

    # ----------------------------------------------------------- decisions
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
        if self._in_progress_column(doc, n.nstart) or self._in_fact_section(n.nstart):
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
        if unit_core in self._time_units:
            return bool(self._time_verbs.search(text[c.seg_start:n.nstart]))
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
        if later and (c.cmp_after or non_count):
            return True
        if later and i + 1 < len(nums) and self._pat["each_of"].search(text[c.span_end:nums[i + 1].nstart]):
            return True  # 12个村集体经济收入均达到5万元以上: the set the goal ranges over, not the goal

        for j in range(i - 1, -1, -1):
            if ctxs[j].clause_start != c.clause_start:
                break
            gap = text[ctxs[j].span_end:c.span_start]
            if _CJK.match(gap) and not re.search(r"[、,;。和]", gap) and not self._pat["each_of"].search(gap) \
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
        if not doc.report:
            return False
        if self._pat["report_fact"].search(before) and not self._pat["report_commit"].search(sent):
            return True
        if any(r.cells and r.cells[0].nstart <= c.span_start < r.cells[-1].nend
                                           for r in doc.table_rows):
            return False  # (table cells are read by their column roles)
        if self._pat["report_window"].match(text, c.sent_start):
            return True
        return not self._in_heading_title(doc, c.span_start) and not self._pat["report_plan"].search(
            text[c.sent_start:c.span_start])

    @staticmethod
    def _in_heading_title(doc: PolicyDoc, pos: int) -> bool:
        k = bisect.bisect_right([h.nstart for h in doc.headings], pos) - 1
        return k >= 0 and doc.headings[k].nstart <= pos < doc.headings[k].nend

    @staticmethod
    def _row_indicator(doc: PolicyDoc, pos: int) -> str | None:
        """The indicator cell left of a table cell that holds only a change and a value (指标 | 增长5.5%)."""
        for row in doc.table_rows:
            if row.cells and row.cells[0].nstart <= pos < row.cells[-1].nend:
                cells = [c.text for c, r in zip(row.cells, row.roles, strict=False)
                         if r == "task" and c.nend <= pos and 2 <= len(c.text) <= 30]
                return cells[-1] if cells else None
        return None

    def _in_progress_column(self, doc: PolicyDoc, pos: int) -> bool:
        """The number stands in a table cell of a fact column (progress, status, remarks: reports, not goals)."""
        for row in doc.table_rows:
            if row.cells and row.cells[0].nstart <= pos <= row.cells[-1].nend:
                return row.role_at(pos) in ("progress", "status", "remarks")
        return False

    # -------------------------------------------------------------- targets
    def _group_targets(self, doc: PolicyDoc, nums: list[_Num], ctxs: list[_Ctx], group: list[int],
                       baseline: dict[int, float], deadlines: list[Deadline]) -> list[Target]:
        """Targets of one value or of one list of values sharing an indicator (分别, 不低于A、B、C)."""
        text = doc.text
        first = group[0]
        if not self._committed(text, doc, nums, ctxs, first):
            kept = [i for i in group[1:] if self._committed(text, doc, nums, ctxs, i)]
            return [t for i in kept for t in self._group_targets(doc, nums, ctxs, [i], baseline, deadlines)]
        c0 = ctxs[first]
        indicator, pred = self._indicator(text, nums[first], c0, len(group) == 1)
        indicator = self._pat["period_in_indicator"].sub("", indicator).strip("、 ") or indicator
        indicator = self._pat["raise_to"].sub("", indicator).strip() or indicator  # …标准提高到每人每月
        inherited_kind = None
        if indicator in self._kind["rate_words"] and self._last and self._last[0] == c0.sent_start:
            if not indicator and self._last[3] == nums[first].unit:
                inherited_kind = self._last[2]
            indicator = self._last[1] + indicator
        if not indicator:
            indicator = text[c0.seg_start:c0.span_start].strip(" ,、")
        if not indicator or indicator in self._growth_verbs or indicator in self._reduction_verbs:
            indicator = self._row_indicator(doc, nums[first].nstart) or indicator  # 地区生产总值 | 增长5.5%
        if _unit_core(nums[first].unit) in self._time_units:
            verb = self._time_limit_verb(text, c0)
            if verb:  # 投诉举报7个工作日内办结 → 投诉举报办结
                indicator = self._pat["time_limit_before"].sub("", indicator.removesuffix(verb)) + verb
        indicators = [indicator] * len(group)
        if len(group) > 1:
            indicators = self._distribute(indicator, len(group)) or indicators
        periods = self._periods(text, c0, len(group))
        shared = c0.cmp_before or self._shared_comparator(text[c0.seg_start:c0.span_start])
        last = nums[group[-1]]
        last_after = ctxs[group[-1]].cmp_after
        strive = self._strive.search(text[c0.sent_start:c0.span_start]) \
            or self._strive_clause.search(text[c0.clause_start:c0.span_start])
        lead = self._verb_run.match(self._trim_lead_only(_drop_parens(text[c0.clause_start:c0.span_start])))
        lead_verb = lead.group(0) if lead else ""
        out = []
        for k, i in enumerate(group):
            n, c = nums[i], ctxs[i]
            unit, value_base, unit_base = n.unit, n.value_base, n.unit_base
            if k < len(group) - 1 and last.unit and (unit is None or last.unit.startswith(unit)) and n.value:
                unit, unit_base = last.unit, last.unit_base
                value_base = n.value * (last.value_base / last.value if last.value else 1.0)
            hit_cmp = _QUALIFIER_MAP.get(n.qualifier or "")
            cmp_ = c.cmp_after or c.cmp_before or hit_cmp or shared or last_after
            if n.range_floor:
                cmp_ = ">="
            if cmp_ is None:
                cmp_ = ">=" if strive else "="
            ind = indicators[k]
            kind = inherited_kind or self._kind_of(ind, pred, unit, lead_verb)
            period, pspan = periods[k]
            out.append(Target(
                span=doc.span(c.span_start, c.span_end), indicator=ind, kind=kind, comparator=cmp_,
                value=n.value, unit=unit, value_base=value_base, unit_base=unit_base,
                baseline_value=baseline.get(i), period=period, due=self._due(doc, period, pspan, deadlines),
                rule="targets",
            ))
        self._last = (c0.sent_start, indicators[-1], out[-1].kind, out[-1].unit)
        return out

    def _shared_comparator(self, left: str) -> str | None:
        """A comparator word not adjacent to the number (不低于…标准的1.5倍)."""
        for w, cmp_ in self._before:
            if len(w) > 1 and w in left:
                return cmp_
        return None

    # ------------------------------------------------------------ indicator
    def _trim(self, s: str) -> str:
        """Drop clause noise around an indicator: time words, scope words, predicates, comparators."""
        s = s.strip()
        changed = True
        while changed and s:
            changed = False
            m = self._pat["lead_noise"].match(s)
            if m and m.end() > 0:
                s, changed = s[m.end():].strip(), True
                continue
            for w in self._strip_prefix:
                if s.startswith(w):
                    s, changed = s[len(w):].strip(), True
                    break
            if changed:
                continue
            m = self._pat["baseline_ref"].search(s)
            if m:
                s, changed = s[:m.start()].strip(), True
                continue
            for w in self._strip_suffix:
                if s.endswith(w):
                    s, changed = s[: -len(w)].strip(), True
                    break
            if not changed and s and s[-1] in ",、:;":
                s, changed = s[:-1], True
        return _strip_trailing_paren(s)

    def _predicate(self, left: str) -> str:
        """The predicate words between indicator and number (增长, 提高到, 下降…)."""
        pred = ""
        s = left.rstrip()
        changed = True
        while changed and s:
            changed = False
            for w in self._strip_suffix:
                if s.endswith(w) and len(s) > len(w):
                    pred, s, changed = w + pred, s[: -len(w)].rstrip(), True
                    break
        return pred

    def _indicator(self, text: str, n: _Num, c: _Ctx, single: bool = True) -> tuple[str, str]:
        """Shortest phrase naming what is measured, and the predicate before the value."""
        left = text[c.seg_start:c.span_start]
        opened = left.rfind("(")
        if opened >= 0 and ")" not in left[opened:] and self._pat["aside_open"].match(left, opened + 1):
            left = left[opened + 1:]  # 农田2万亩(其中高效节水灌溉0.8万亩): the part names its own indicator
        cut = self._pat["baseline_cut"].search(left)
        if cut and cut.start() >= 2:
            left = left[: cut.start()]
        pred = self._predicate(left)
        core = self._trim(left)
        inner = self._pat["inner_comparator"].search(left)
        if inner and self._trim(left[: inner.start()]):
            core = self._trim(left[: inner.start()])
        noun = self._noun_after(text, c)
        if not noun:
            if single and "等" in core and _has_list(core.split("等")[0]):
                tail = core.rsplit("等", 1)[1]
                core = tail if len(tail) >= 2 else core
            return core, pred
        if not core:
            return noun, pred
        if _has_list(core) or "等" in core:
            m = self._verb_run.match(self._trim_lead_only(text[c.clause_start:c.span_start]))
            verb = m.group(0) if m else ""
            return verb + noun, pred
        m = re.search(f"(?:{self._verb_run.pattern})$", core)
        if m:
            return m.group(0) + noun, pred
        return core + noun, pred

    def _trim_lead_only(self, s: str) -> str:
        s = s.strip()
        changed = True
        while changed and s:
            changed = False
            m = self._pat["lead_noise"].match(s)
            if m and m.end() > 0:
                s, changed = s[m.end():].strip(), True
                continue
            for w in self._strip_prefix:
                if s.startswith(w) and w not in ("实现", "完成"):
                    s, changed = s[len(w):].strip(), True
                    break
        return s

    def _noun_after(self, text: str, c: _Ctx) -> str:
        """The noun counted by the number when it follows it (8家卫生院, 90%的乡镇卫生院达到…)."""
        s = c.span_end
        if text.startswith("的", s):
            s += 1
        if s >= len(text) or not _CJK.match(text[s]):
            return ""
        e = s
        share_phrase = text.startswith("的", c.span_end)
        while e < c.clause_end and (text[e] not in self._noun_stop or (share_phrase and text[e] in "和及")):
            e += 1
        noun = text[s:e].strip()
        if noun and noun[0] in "“\"" and noun[-1] in "”\"":
            noun = noun[1:-1]
        return noun

    def _distribute(self, indicator: str, k: int) -> list[str] | None:
        """Split a listed subject (A、B和C总产值) into k indicators sharing the head noun."""
        parts = _split_list(_strip_outer(indicator))
        if len(parts) != k:
            return None
        last = parts[-1]
        head = ""
        if "等" in last:
            name, rest = last.split("等", 1)
            head = self._head(rest) or rest
            parts[-1] = name
        else:
            head = self._head(last)
            if head and len(head) < len(last):
                parts[-1] = last[: -len(head)]
            else:
                head = ""
        return [p + head if head and not p.endswith(head) else p for p in parts]

    def _head(self, s: str) -> str:
        """The head noun of an indicator phrase (排放总量, 总产值, 开工率): a known head, else jieba's last word."""
        m = self._head_rx.search(s)
        if m:
            return m.group(0)
        words = self._tokenizer.lcut(s)
        return words[-1] if len(words) > 1 and len(words[-1]) > 1 else ""

    # --------------------------------------------------------------- kinds
    def _kind_of(self, indicator: str, pred: str, unit: str | None, lead_verb: str = "") -> str:
        """growth / reduction / share / count / level from predicate, indicator, unit and the clause's verb.

        ``lead_verb`` is the verb opening the clause before the indicator (压减炼钢产能500万吨 → 压减).
        """
        to_value = any(pred.endswith(w) for w in self._kind["to_words"])
        core = _unit_core(unit)
        if not to_value and any(v in pred for v in self._reduction_verbs):
            return "reduction"
        if not pred and any(lead_verb.startswith(v) for v in self._reduction_verbs) \
                and not any(lead_verb.endswith(w) for w in self._kind["to_words"]):
            return "reduction"
        if any(indicator.endswith(s) for s in self._kind["reduction_indicator_suffix"]):
            return "reduction"
        growth_pred = not to_value and any(v in pred for v in self._growth_verbs)
        if (growth_pred or any(indicator.endswith(s) for s in self._kind["growth_indicator_suffix"])) \
                and (unit in self._growth_units or core in self._growth_units):
            return "growth"
        if unit in self._kind["share_units"]:
            return "share"
        if any(w in indicator for w in self._kind["level_indicator_contains"]):
            return "level"
        level_pred = to_value or any(pred.endswith(v) for v in self._kind["level_verbs"])
        countable = core in self._count_units or (core is not None and core.endswith("次")
                                                  and core[:-1] in self._count_units)  # 辆次, 家次
        if countable and not level_pred \
                and not any(indicator.endswith(s) for s in self._kind["level_indicator_suffix"]):
            return "count"
        return "level"

    # -------------------------------------------------------------- periods
    def _periods(self, text: str, c: _Ctx, k: int) -> list[tuple[str | None, tuple[int, int] | None]]:
        """Period of each of ``k`` values: a period list (一、二季度) or the nearest period word.

        A period word counts in the value's own clause, or in an earlier clause of the sentence
        that is nothing but the period (2022年,全市新建…); 到2025年 / 年底前 are deadlines, not periods.
        """
        before = text[c.sent_start:c.span_start]
        if k > 1:
            for m in self._pat["period_list"].finditer(before):
                items = _expand_quarters(m.group(0))
                if len(items) == k:
                    return [(q, None) for q in items]
        found = None
        for m in self._pat["period"].finditer(before):
            s, e = c.sent_start + m.start(), c.sent_start + m.end()
            if re.fullmatch(r"(?:19|20)\d{2}年", m.group(0)):
                nxt = text[e:e + 4]
                lead = self._pat["period_year_lead"].search(text[c.sent_start:s])
                if not (nxt[:1] in ",:" or self._verbs.match(nxt) or lead):
                    continue
            if s >= c.clause_start:
                found = (m.group(0), (s, e))
                continue
            clause_end = e
            while clause_end < len(text) and text[clause_end] == " ":
                clause_end += 1
            cs = s
            while cs > c.sent_start and text[cs - 1] not in _CLAUSE_SEP:
                cs -= 1
            solo = text[clause_end:clause_end + 1] in (",", ":") and not self._trim(text[cs:s])
            led = bool(self._pat["period_year_lead"].search(text[c.sent_start:s]))
            if solo or (led and re.match(r"(?:19|20)\d{2}年", m.group(0))):
                found = (m.group(0), (s, e))
        if found is None:
            return [(None, None)] * k
        return [found] * k

    def _due(self, doc: PolicyDoc, period: str | None, pspan: tuple[int, int] | None,
             deadlines: list[Deadline]) -> dt.date | None:
        """End date of the period: from an overlapping deadline record, else computed with ref_year."""
        if period is None:
            return None
        if pspan is not None:
            sp = doc.span(*pspan)
            for d in deadlines:
                if d.span.start < sp.end and sp.start < d.span.end and d.date_end is not None:
                    return d.date_end
        return period_end(period, doc.meta.ref_year)


# ------------------------------------------------------------------ helpers
def period_end(period: str, ref_year: int | None) -> dt.date | None:
    """Last day of a period word (2024年, 一季度, 上半年, 全年, 6月) given the reference year."""
    m = re.match(r"((?:19|20)\d{2})年", period)
    year = int(m.group(1)) if m else ref_year
    if year is None:
        return None
    rest = period[m.end():] if m else period
    q = re.search(r"([一二三四1-4])季度", rest)
    if q:
        month = 3 * _CN_DIGITS[q.group(1)]
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if "上半年" in rest:
        return dt.date(year, 6, 30)
    mm = re.search(r"(\d{1,2})月", rest)
    if mm and 1 <= int(mm.group(1)) <= 12:
        month = int(mm.group(1))
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date(year, 12, 31)


def _expand_quarters(s: str) -> list[str]:
    """一、二季度 → [一季度, 二季度]; 一至四季度 → four quarters; 2023年、2024年 → the years."""
    years = re.findall(r"(?:19|20)\d{2}年", s)
    if years:
        return years
    names = "一二三四"
    m = re.match(r"([一1])\s*[至到-]\s*([二三四2-4])季度", s)
    if m:
        return [f"{names[i]}季度" for i in range(_CN_DIGITS[m.group(2)])]
    return [f"{names[_CN_DIGITS[d] - 1]}季度" for d in re.findall(r"[一二三四1-4]", s)]


def _unit_core(unit: str | None) -> str | None:
    """The unit without a magnitude prefix (万户 → 户, 亿元 → 元)."""
    if not unit:
        return None
    core = re.sub(r"^[万亿千百十]+", "", unit)
    return core or unit


def _inside_parens(s: str, aside_open: re.Pattern[str] | None = None) -> bool:
    """The text ends inside a bracket, unless the bracket opens a part of the goal (其中…)."""
    depth, opened = 0, -1
    for k, ch in enumerate(s):
        if ch == "(":
            depth, opened = depth + 1, k
        elif ch == ")" and depth:
            depth -= 1
    if depth <= 0:
        return False
    return not (aside_open is not None and aside_open.match(s, opened + 1))


def _inside_quotes(s: str) -> bool:
    """The text ends inside a “quoted” name or rule (落实“…比例不低于40%”政策)."""
    return s.count("“") > s.count("”")


def _drop_parens(s: str) -> str:
    """Text without bracketed asides (新(改、扩)建 → 新建), for cue search."""
    return re.sub(r"\([^()]*\)", "", s)


def _split_list(s: str) -> list[str]:
    """Split A、B和C on list separators outside brackets."""
    parts, depth, cur, i = [], 0, "", 0
    while i < len(s):
        ch = s[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth <= 0 and (ch in "、和" or (ch == "及" and not s.startswith("及其", i))):
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    return [p for p in parts if p]


def _has_list(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "、" and depth <= 0:
            return True
    return False


def _strip_trailing_paren(s: str) -> str:
    """空气质量优良天数比例(AQI达标率) → 空气质量优良天数比例 (an alias after the indicator)."""
    m = re.search(r"\([^()]*\)$", s)
    if m and m.start() > 1:
        return s[: m.start()]
    return s


def _strip_outer(s: str) -> str:
    return s.strip(_QUOTES + " ")
