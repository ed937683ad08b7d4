"""Commitment rules of the targets stage: is a number something the document commits to reach (not a fact,
a parameter, a scope or a name)? The ordered rules of ``lexicons/commitment.yaml`` (their conditions compiled
here, the predicates they name registered in ``_PREDICATES``) and the report, table and section conventions
the predicates use."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from typing import Any

from pipeline.extractors.targets.indicators import IndicatorRules
from pipeline.extractors.targets.model import (
    _CJK,
    _LIST_NEXT,
    _MAX_SENTENCE,
    LEXICON,
    _alternation,
    _Ctx,
    _DocScan,
    _drop_parens,
    _inside_parens,
    _inside_quotes,
    _Num,
    _unit_core,
)
from pipeline.lexicon import LexiconError, compile_patterns, read_yaml
from pipeline.ruletable import Rule, RuleTable
from pipeline.stages.document import PolicyDoc
from pipeline.stages.segment import Segmenter

#: a heading's label before a colon, the rest of the line running on as its paragraph (1、创业就业工程:…)
_RUN_IN_LABEL = re.compile(r"[^:;。,\n]{1,24}:")
#: the first sentence of a heading line that runs on as a paragraph
_RUN_IN_SENTENCE = re.compile(r"^[^。\n]*。")

RULES = "commitment.yaml"


class _Facts:
    """One number under decision and the text windows around it, each cut once when a rule first asks."""

    __slots__ = ("_core", "_w", "c", "ctxs", "doc", "i", "n", "nums", "r", "scan", "text")

    def __init__(self, r: CommitmentRules, text: str, doc: PolicyDoc, nums: list[_Num], ctxs: list[_Ctx],
                 i: int, scan: _DocScan) -> None:
        self.r, self.text, self.doc, self.nums, self.ctxs, self.i = r, text, doc, nums, ctxs, i
        self.scan = scan
        self.n, self.c = nums[i], ctxs[i]
        self._core: str | bool | None = False
        self._w: dict[str, str] = {}

    @property
    def unit_core(self) -> str | None:
        if self._core is False:
            self._core = _unit_core(self.n.unit)
        return self._core  # type: ignore[return-value]

    def window(self, name: str) -> str:
        """The text window ``name`` (see the header of ``lexicons/commitment.yaml``)."""
        w = self._w.get(name)
        if w is None:
            w = self._w[name] = _WINDOWS[name](self)
        return w


_WINDOWS: dict[str, Callable[[_Facts], str]] = {
    "before_sent": lambda f: f.text[f.c.sent_start:f.c.span_start],
    "before_sent_bare": lambda f: _drop_parens(f.window("before_sent")),
    "before_clause_raw": lambda f: f.text[f.c.clause_start:f.c.span_start],
    "before_clause": lambda f: _drop_parens(f.window("before_clause_raw")),
    "clause": lambda f: f.text[f.c.clause_start:f.c.clause_end],
    "after": lambda f: f.text[f.c.span_end:f.c.clause_end],
    "noun": lambda f: f.r._noun_after(f.text, f.c),
    "lead_in": lambda f: f.text[f.c.seg_start:f.n.nstart],
    "seg": lambda f: f.r._trim(f.text[f.c.seg_start:f.c.span_start]),
}


def _window(name: str) -> str:
    if name not in _WINDOWS:
        raise KeyError(f"unknown window {name!r}")
    return name


#: The predicates a rule of ``commitment.yaml`` may name (``pred: NAME``): tests that need code.
_PREDICATES: dict[str, Callable[[_Facts], bool]] = {
    "baseline_of_next": lambda f: bool(f.c.extra.get("baseline_of_next")),
    "in_news_report": lambda f: f.n.nstart >= f.scan.news_from,
    "past_year_opener": lambda f: f.r._past_opener(f.doc, f.text, f.c),
    "reported": lambda f: f.r._reported(f.doc, f.text, f.c),
    "parameter_word": lambda f: f.r._parameter_word(f.window("clause")),
    "inside_aside": lambda f: _inside_parens(f.window("before_sent"), f.r._pat["aside_open"]),
    "in_progress_column": lambda f: f.r._in_progress_column(f.doc, f.n.nstart),
    "in_fact_section": lambda f: f.doc.in_fact_section(f.n.nstart),
    "inside_quotes": lambda f: _inside_quotes(f.window("before_sent")),
    "time_limit_verb": lambda f: bool(f.r._time_limit_verb(f.text, f.c)),
    "modifier": lambda f: f.r._is_modifier(f.text, f.nums, f.ctxs, f.i),
    "next_in_goal_list": lambda f: bool(f.scan.last and f.scan.last[0] == f.c.sent_start
                                        and len(f.window("before_clause")) <= 20),
    "item_headline": lambda f: f.r._item_headline(f.doc, f.text, f.c, f.unit_core),
    "not_a_report": lambda f: not f.doc.report,
    "no_tally_before": lambda f: not (f.i and f.c.sent_start <= f.ctxs[f.i - 1].span_start < f.c.clause_start),
}


class CommitmentRules(IndicatorRules):
    """Decides whether a number is committed, by the ordered rules of ``lexicons/commitment.yaml``."""

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        super().__init__(segmenter)
        lex, cues = read_yaml(RULES), read_yaml(LEXICON)
        own = lex["patterns"]
        self._rule_rx: dict[str, re.Pattern[str]] = dict(self._pat)
        for k, v in compile_patterns(own["fragments"], {k: v for k, v in own.items() if k != "fragments"},
                                     RULES).items():
            if k in self._rule_rx:
                raise LexiconError(f"{RULES}: pattern {k!r} is also a pattern of {LEXICON}")
            self._rule_rx[k] = v
        self._rule_lists: dict[str, list[str]] = {k: v for sec in ("kind", "commitment") for k, v in cues[sec].items()
                                                  if isinstance(v, list)}
        for k, words in self._rule_lists.items():
            if k in self._rule_rx:
                raise LexiconError(f"{LEXICON}: word list {k!r} has the name of a pattern")
            self._rule_rx[k] = re.compile(_alternation(words))
        self._commitment = RuleTable[_Facts](RULES, lex["rules"], ("commit", "reject"), self._condition,
                                             prefix="targets.commit.")

    # ------------------------------------------------------------ the rule table
    def _committed(self, text: str, doc: PolicyDoc, nums: list[_Num], ctxs: list[_Ctx], i: int,
                   scan: _DocScan) -> bool:
        """Is number ``i`` something the document commits to reach?"""
        return self._decide(text, doc, nums, ctxs, i, scan).verdict == "commit"

    def _decide(self, text: str, doc: PolicyDoc, nums: list[_Num], ctxs: list[_Ctx], i: int,
                scan: _DocScan) -> Rule[_Facts]:
        """The commitment rule that decides number ``i`` (its id goes into the target's ``rule``)."""
        return self._commitment.decide(_Facts(self, text, doc, nums, ctxs, i, scan))

    def _condition(self, cond: Mapping[str, Any]) -> Callable[[_Facts], bool]:
        """One condition mapping of the rule table as a test (see the header of ``commitment.yaml``)."""
        if "not" in cond:
            inner = self._condition(cond["not"])
            return lambda f: not inner(f)
        if "pred" in cond:
            name = cond["pred"]
            if name not in _PREDICATES:
                raise KeyError(f"unknown predicate {name!r}")
            return _PREDICATES[name]
        if "has" in cond:
            attr = {"comparator_before": "cmp_before", "comparator_after": "cmp_after"}.get(cond["has"])
            if attr is not None:
                return lambda f: bool(getattr(f.c, attr))
            if cond["has"] != "range":
                raise KeyError(f"unknown position fact {cond['has']!r}")
            return lambda f: f.n.range_floor
        if "unit_is" in cond:
            unit = str(cond["unit_is"])
            return lambda f: f.n.unit == unit
        if "unit_in" in cond or "unit_core_in" in cond:
            core = "unit_core_in" in cond
            units = set(self._rule_lists[cond["unit_core_in" if core else "unit_in"]])
            return (lambda f: f.unit_core in units) if core else (lambda f: f.n.unit in units)
        if "empty" in cond:
            window = _window(cond["empty"])
            return lambda f: not f.window(window)
        window = _window(cond["in"])
        if "words" in cond:
            rx = self._rule_rx[cond["words"]]
            return lambda f: self._word_in(rx, f.window(window))
        if "ends_with" in cond:
            ends = tuple(self._rule_lists[cond["ends_with"]])
            return lambda f: f.window(window).endswith(ends)
        how = "search" if "search" in cond else "match"
        rx = self._rule_rx[cond[how]]
        if how == "search":
            return lambda f: rx.search(f.window(window)) is not None
        return lambda f: rx.match(f.window(window)) is not None

    def _item_headline(self, doc: PolicyDoc, text: str, c: _Ctx, unit_core: str | None) -> bool:
        """A numbered item whose first sentence is a name and a count ((3)新生儿疾病免费筛查3700人。).

        Lists of 民生实事 and projects state each planned quantity this way, without a verb.
        """
        rx = self._rule_rx
        if unit_core not in self._count_units or c.span_end >= len(text) or not rx["headline_end"].match(text, c.span_end):
            return False
        task = doc.task_at(c.span_start)
        if task is None or task.kind != "item" or c.sent_start > task.nstart + 8:
            return False
        name = text[task.nstart:c.span_start]
        marker = rx["headline_marker"].match(name)
        return not rx["headline_break"].search(name, marker.end() if marker else 0)

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
        start = max(doc.sentences.full_sentence_start(c.sent_start), c.span_start - _MAX_SENTENCE)
        if self._pat["plan_cue"].search(text, start, c.span_start):
            return False  # 2022年,力争…: still a plan, whatever ref_year says
        for s in (start, c.clause_start):
            m = self._pat["past_opener"].match(text, s, c.span_start)
            if m and int(m.group("y")) < ref:
                return True
        return False

    def _parameter_word(self, clause: str) -> bool:
        """A parameter word in the clause (给予, 补贴, 最高), not one inside a funding noun (补助资金)."""
        masked = self._param_exempt.sub(lambda m: "_" * len(m.group(0)), clause)
        return self._word_in(self._param, masked)

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
            if _CJK.match(gap) and not self._rule_rx["list_break"].search(gap) and not self._pat["each_of"].search(gap) \
                    and _unit_core(nums[j].unit) in self._count_units:
                return True
        return False

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
        commits = self._pat["report_commit"].search(sent) or self._pat["yoy_commit"].search(sent)
        if not commits and (self._pat["yoy_fact"].search(before) or self._pat["yoy_after"].match(text, c.span_end)
                            or self._pat["yoy_earlier"].search(text, c.sent_start, c.span_start)
                            or self._pat["rank_after"].match(text, c.span_end)):
            return True
        if not self._pat["report_commit"].search(sent) and self._completion(text, c, before):
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

    def _completion(self, text: str, c: _Ctx, before: str) -> bool:
        """A realised amount followed by the share of its task (…25.47亿元,完成全年任务(42.5亿元)的59.94%), or that
        share when the task amount stands in brackets or a realised amount ends the clause before: reached, in any
        document (a plan's milestone 6月底前完成全年任务的60% names no amount reached)."""
        if self._pat["completion_after"].match(text, c.span_end):
            return True
        m = self._pat["completion_rate"].search(before)
        return m is not None and (")" in m.group(0)
                                  or self._pat["realised_before"].search(text, c.sent_start, c.clause_start) is not None)

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
