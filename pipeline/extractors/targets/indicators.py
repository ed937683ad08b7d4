"""Indicator, kind and period of a target: the shortest phrase naming what is measured, growth / reduction /
share / count / level, and the sub-period or due date the value is for. Owns the compiled cue lexicon."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pipeline.extractors.quantities import Numerals, Qualifiers
from pipeline.extractors.targets.model import (
    _CJK,
    LEXICON,
    _alternation,
    _Ctx,
    _has_list,
    _Num,
    _split_list,
    _strip_outer,
    _strip_trailing_paren,
    _unit_core,
)
from pipeline.extractors.targets.table_rows import TableTargets
from pipeline.extractors.timenorm import period_end
from pipeline.lexicon import compile_patterns, read_yaml
from pipeline.models import Deadline
from pipeline.stages.document import PolicyDoc
from pipeline.stages.segment import Segmenter


def compile_target_patterns(pats: dict[str, Any]) -> dict[str, re.Pattern[str]]:
    """The named regexes of ``targets.yaml`` (its ``patterns`` section), compiled with their fragments."""
    return compile_patterns(pats["fragments"], {k: v for k, v in pats.items() if k != "fragments"}, LEXICON)


class IndicatorRules:
    """The compiled cue lexicon (``lexicons/targets.yaml``); indicators, kinds and periods."""

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        lex = read_yaml(LEXICON)
        cmp_, kind, com, ind = lex["comparator"], lex["kind"], lex["commitment"], lex["indicator"]
        self._pat = compile_target_patterns(lex["patterns"])
        self._numerals = Numerals()
        # the qualifier words of the figures stage (numbers.yaml), read as comparators (超过 → >=)
        self._qualifiers = Qualifiers(self._numerals)
        self._before = [(w, Qualifiers.comparator(q) or "") for w, q in self._qualifiers.before]
        self._ceiling_verbs = tuple(sorted(cmp_["ceiling_verbs"], key=len, reverse=True))
        self._strive = re.compile(_alternation(cmp_["strive"]))
        self._strive_clause = re.compile(_alternation(cmp_["strive_clause"]))
        self._kind = kind
        self._count_units = set(kind["count_units"])
        self._growth_units = set(kind["growth_units"])
        self._verbs = re.compile(_alternation(com["verbs"]))
        self._verb_run = re.compile(f"(?:{_alternation(com['verbs'])})+")
        self._param = re.compile(_alternation(com["parameter_words"]))
        self._param_exempt = re.compile(_alternation(com["parameter_exempt"]))
        self._time_units = set(com["time_units"])
        self._time_limit = re.compile(r"\s*(?:" + _alternation(com["time_limit_after"]) + ")")
        # tuples: str.startswith/endswith test a whole list in one call before the loops look for which word
        self._strip_suffix = tuple(sorted(ind["strip_suffix"], key=len, reverse=True))
        self._strip_prefix = tuple(sorted(ind["strip_prefix"], key=len, reverse=True))
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

    def _shared_comparator(self, left: str) -> str | None:
        """A comparator word not adjacent to the number (不低于…标准的1.5倍)."""
        for w, cmp_ in self._before:
            if len(w) > 1 and w in left:
                return cmp_
        return None

    # ------------------------------------------------------------ indicator
    def _strip_lead(self, s: str, keep: tuple[str, ...] = ()) -> str | None:
        """``s`` without one leading noise run or strip-prefix word (other than ``keep``); None if none leads."""
        m = self._pat["lead_noise"].match(s)
        if m and m.end() > 0:
            return s[m.end():].strip()
        if not s.startswith(self._strip_prefix):
            return None
        for w in self._strip_prefix:
            if s.startswith(w) and w not in keep:
                return s[len(w):].strip()
        return None

    def _trim(self, s: str) -> str:
        """Drop clause noise around an indicator: time words, scope words, predicates, comparators."""
        s = s.strip()
        changed = True
        while changed and s:
            changed = False
            lead = self._strip_lead(s)
            if lead is not None:
                s, changed = lead, True
                continue
            m = self._pat["baseline_ref"].search(s)
            if m:
                s, changed = s[:m.start()].strip(), True
                continue
            for w in self._strip_suffix if s.endswith(self._strip_suffix) else ():
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
        while changed and s.endswith(self._strip_suffix):
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
        """``s`` without its leading noise (``_trim``'s leading half), keeping 实现/完成 as the verb of a list."""
        s = s.strip()
        while s and (lead := self._strip_lead(s, keep=("实现", "完成"))) is not None:
            s = lead
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
        stops = self._noun_stop - set("和及") if share_phrase else self._noun_stop
        m = re.compile("[" + re.escape("".join(sorted(stops))) + "]").search(text, e, c.clause_end) if stops else None
        e = m.start() if m else max(e, c.clause_end)  # the first stop, not a scan of every character
        if e > s and text.startswith("以及", e - 1):
            e -= 1  # 2项工作以及…: the coordinator 以及, not 以 + 及
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
        new_items = indicator.startswith(("新增", "新建", "新开工", "创建", "培育", "引进", "新设")) \
            or any(w in indicator for w in self._kind["new_item_infix"])
        if countable and (not level_pred or (unit is not None and unit == core)) \
                and (new_items or not any(indicator.endswith(s) for s in self._kind["level_indicator_suffix"])):
            return "count"  # discrete items, even after 达到 (高新技术企业达到1000家); not stocks in 万户
        return "level"

    # -------------------------------------------------------------- periods
    def _periods(self, doc: PolicyDoc, c: _Ctx, k: int) -> list[tuple[str | None, tuple[int, int] | None]]:
        """Period of each of ``k`` values: a period list (一、二季度) or the nearest period word.

        A period word counts in the value's own clause, or in an earlier clause of the sentence
        that is nothing but the period (2022年,全市新建…); 到2025年 / 年底前 are deadlines, not periods.
        """
        text = doc.text
        before = text[c.sent_start:c.span_start]
        if k > 1:
            for m in self._pat["period_list"].finditer(before):
                items = self._expand_quarters(m.group(0))
                if len(items) == k:
                    return [(q, None) for q in items]
        found = None
        for m in self._pat["period"].finditer(before):
            s, e = c.sent_start + m.start(), c.sent_start + m.end()
            if self._pat["year_period"].fullmatch(m.group(0)):
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
            cs = max(c.sent_start, doc.sentences.clause_start(s))
            solo = text[clause_end:clause_end + 1] in (",", ":") and not self._trim(text[cs:s])
            led = bool(self._pat["period_year_lead"].search(text[c.sent_start:s]))
            if solo or (led and self._pat["year_period"].match(m.group(0))):
                found = (m.group(0), (s, e))
        if found is None:
            return [(None, None)] * k
        return [found] * k

    def _expand_quarters(self, s: str) -> list[str]:
        """一、二季度 → [一季度, 二季度]; 一至四季度 → four quarters; 2023年、2024年 → the years."""
        years = self._pat["year_period"].findall(s)
        if years:
            return years
        names = "一二三四"
        m = re.match(r"([一1])\s*[至到-]\s*([二三四2-4])季度", s)
        if m:
            return [f"{names[i]}季度" for i in range(self._numerals.parse_int(m.group(2)) or 0)]
        return [f"{names[(self._numerals.parse_int(d) or 1) - 1]}季度" for d in re.findall(r"[一二三四1-4]", s)]

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
        return period_end(period, doc.meta.ref_year, self._numerals, self._pat["year_period"])
