"""Targets: quantified goals (indicator + comparator + value + period).

A target is a number the document commits to reach (力争, 确保, 达到, 新增,
不低于, 增长, planned quantities of a task list), not a fact about the past
(1-6月 actuals, 截至…, a 进展情况 column) nor a policy parameter (subsidy
rates, caps, eligibility thresholds). The stage reads the number hits of the
figures stage, adds the unit-less committed numbers it needs itself
(系数达到0.6以上, 床人比不低于1:1.6), and reads every decision from the cue
words of ``lexicons/targets.yaml``: comparator, kind, indicator, period,
and the one-target-per-value rule of 分别 lists.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.extractors.quantities import Qualifiers
from pipeline.models import Deadline, Target
from pipeline.stages.document import PolicyDoc

if TYPE_CHECKING:
    from pipeline.extractors.figures import NumberHit
from pipeline.extractors.targets.commitment import CommitmentRules
from pipeline.extractors.targets.model import (
    _LIST_GAP,
    _MAX_SENTENCE,
    _Ctx,
    _DocScan,
    _drop_parens,
    _Num,
    _unit_core,
)

__all__ = ["TargetExtractor"]


class TargetExtractor(CommitmentRules):
    """Finds targets in a document from its number hits; owns its compiled cue lexicon."""

    def __call__(self, doc: PolicyDoc, hits: list[NumberHit], deadlines: list[Deadline]) -> list[Target]:
        """Targets of ``doc`` (task_id/lead_units left for the linking step)."""
        text = doc.text
        nums = self._numbers(text, hits)
        ctxs = [self._context(doc, n, nums[i - 1] if i else None) for i, n in enumerate(nums)]
        out: list[Target] = []
        baseline: dict[int, float] = {}
        for i, n in enumerate(nums):
            nxt = nums[i + 1] if i + 1 < len(nums) else None
            if nxt is not None and self._pat["baseline_change"].match(text[ctxs[i].span_end:nxt.nstart]) \
                    and re.search(r"[从由]\s*(?:不低于|不少于|不超过)?\s*$", text[ctxs[i].seg_start:n.nstart]):
                baseline[i + 1] = n.value
                ctxs[i].extra["baseline_of_next"] = True
        m = self._pat["news_marker"].search(text)
        scan = _DocScan(m.start() if m else len(text))
        for group in self._groups(text, nums, ctxs):
            out.extend(self._group_targets(doc, nums, ctxs, group, baseline, deadlines, scan))
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
            if prev is not None and self._numerals.range_gap(text[prev.nend:n.nstart]) \
                    and (prev.unit is None or prev.unit == n.unit) \
                    and not self._pat["identifier_part"].match(text, n.nstart):
                scale = n.value_base / n.value if n.value else 1.0
                merged[-1] = _Num(prev.nstart, n.nend, prev.value, n.unit, prev.value * scale, n.unit_base,
                                  ">=", True)
                continue
            merged.append(n)
        # a bare number is a target only when a cue verb commits it (see the unit-less pattern below)
        merged = [n for n in merged if (n.unit is not None or n.range_floor)
                  and not self._pat["unit_in_word"].match(text, n.nend)]
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
            cval = self._numerals.parse_number(m.group("val"))
            if cval is not None and taken.find(1, s, e) < 0:
                merged.append(_Num(s, e, cval, m.group("unit"), cval, m.group("unit"), None))
        merged.sort(key=lambda n: n.nstart)
        return merged

    def _context(self, doc: PolicyDoc, n: _Num, prev: _Num | None) -> _Ctx:
        """Sentence/clause bounds (the document's) and adjacent qualifier words of one number."""
        text, bounds = doc.text, doc.sentences
        clause_start = bounds.clause_start(n.nstart)
        # bounded windows: a text with no stop in sight (thousands of 1% in a row) stays linear
        clause_start = max(clause_start, n.nstart - _MAX_SENTENCE)
        ctx = _Ctx(max(bounds.sentence_start(n.nstart), n.nstart - _MAX_SENTENCE), clause_start,
                   min(bounds.clause_end(n.nend), n.nend + _MAX_SENTENCE), clause_start, n.nstart, n.nend)
        after = self._qualifiers.after_at(text, n.nend)
        if after:
            ctx.span_end, ctx.cmp_after = n.nend + len(after[0]), Qualifiers.comparator(after[1])
        else:  # 2.5万场(次)以上: the unit's bracketed variant before the qualifier
            variant = self._pat["unit_variant"].match(text, n.nend)
            after = self._qualifiers.after_at(text, variant.end()) if variant else None
            if variant and after:
                ctx.span_end, ctx.cmp_after = variant.end() + len(after[0]), Qualifiers.comparator(after[1])
        before = self._qualifiers.before_at(text, n.nstart, clause_start)
        if before:
            ctx.span_start, ctx.cmp_before = n.nstart - len(before[0]), Qualifiers.comparator(before[1])
        elif text.endswith(self._ceiling_verbs, clause_start, n.nstart):
            ctx.cmp_before = "<="

        if prev is not None and prev.nend > clause_start:
            seg = prev.nend
            after = self._qualifiers.after_at(text, seg)
            if after:
                seg += len(after[0])
            if re.match(r"\s*(?:、|和|及|与|以及)", text[seg:n.nstart]):
                ctx.seg_start = min(seg, ctx.span_start)
            else:  # 500万平方米老小区改善与300个…, 2项工作以及市七件重点民生实事7个…: the previous item ends at 与/以及
                joined = self._pat["coordinated_gap"].match(text, seg, n.nstart)
                if joined:
                    ctx.seg_start = joined.end()
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

    # -------------------------------------------------------------- targets
    def _group_targets(self, doc: PolicyDoc, nums: list[_Num], ctxs: list[_Ctx], group: list[int],
                       baseline: dict[int, float], deadlines: list[Deadline], scan: _DocScan) -> list[Target]:
        """Targets of one value or of one list of values sharing an indicator (分别, 不低于A、B、C);
        records the last target in ``scan``."""
        text = doc.text
        first = group[0]
        decided = self._decide(text, doc, nums, ctxs, first, scan)
        if decided.verdict != "commit":
            kept = [i for i in group[1:] if self._committed(text, doc, nums, ctxs, i, scan)]
            return [t for i in kept for t in self._group_targets(doc, nums, ctxs, [i], baseline, deadlines, scan)]
        c0 = ctxs[first]
        indicator, pred = self._indicator(text, nums[first], c0, len(group) == 1)
        indicator = self._pat["period_in_indicator"].sub("", indicator).strip("、 ") or indicator
        indicator = self._pat["raise_to"].sub("", indicator).strip() or indicator  # …标准提高到每人每月
        indicator = indicator.rstrip("( ") or indicator  # 完成全年任务(42.5亿元)的…: the bracket opens on the value
        if decided.id.endswith(".task_amount"):
            indicator = self._realised_indicator(text, nums, ctxs, first) or indicator
        inherited_kind = None
        last_target = scan.last
        if indicator in self._kind["rate_words"] and last_target and last_target[0] == c0.sent_start:
            if not indicator and last_target[3] == nums[first].unit:
                inherited_kind = last_target[2]
            indicator = last_target[1] + indicator
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
        periods = self._periods(doc, c0, len(group))
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
            hit_cmp = Qualifiers.comparator(n.qualifier)
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
                rule=decided.id,
            ))
        scan.last = (c0.sent_start, indicators[-1], out[-1].kind, out[-1].unit)
        return out

    def _realised_indicator(self, text: str, nums: list[_Num], ctxs: list[_Ctx], i: int) -> str:
        """The indicator of the realised amount a bracketed task amount is set against, up to three numbers back
        (到位资金25.47亿元,完成全年任务(42.5亿元)的…: the task is an amount of 到位资金), or ''."""
        for j in range(i - 1, max(i - 4, -1), -1):
            if self._pat["completion_after"].match(text, ctxs[j].span_end):
                return self._indicator(text, nums[j], ctxs[j])[0]
        return ""
