"""Scoring extractions against gold, exactly as ``ANNOTATION.md`` defines it.

Gold (text, occ) items are resolved to original-text spans; a prediction
matches a gold item when the spans overlap and the field's condition holds
(units: same role; targets: same value and unit; figures: same value_base).
Each gold item matches at most one prediction, greedily by largest overlap.
Generic unit predictions are dropped before matching.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.dimensions import DIMENSIONS, dimension
from pipeline.dimensions import FIELDS as FIELDS  # re-exported: the scorer's callers import them from here
from pipeline.dimensions import char_f1 as char_f1

Item = dict[str, Any]


class GoldError(ValueError):
    """A gold file does not fit its document (unresolvable text/occ, bad JSON)."""


def resolve(text: str, needle: str, occ: int) -> tuple[int, int]:
    """Span of the ``occ``-th (1-based) occurrence of ``needle`` in ``text``."""
    if not needle:
        raise GoldError("empty gold text")
    pos = -1
    for _ in range(occ):
        pos = text.find(needle, pos + 1)
        if pos < 0:
            raise GoldError(f"{needle!r} occurrence {occ} not found")
    return pos, pos + len(needle)


def load_gold(path: Path, original: str) -> dict[str, Any]:
    """Read a gold file and add ``start``/``end`` to every item of every list present."""
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}: not JSON ({exc})") from exc
    out: dict[str, Any] = {"doc": gold.get("doc"), "ref_year": gold.get("ref_year")}
    for fld in FIELDS:
        if fld not in gold:
            continue
        items = []
        for item in gold[fld]:
            try:
                start, end = resolve(original, item["text"], int(item.get("occ", 1)))
            except GoldError as exc:
                raise GoldError(f"{path.name} {fld}: {exc}") from exc
            items.append({**item, "start": start, "end": end})
        out[fld] = items
    return out


def match(gold: Sequence[Item], pred: Sequence[Item], cond: Callable[[Item, Item], bool]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, largest overlap first: pairs of (gold index, pred index)."""
    cands = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            ov = min(g["end"], p["end"]) - max(g["start"], p["start"])
            if ov > 0 and cond(p, g):
                cands.append((-ov, gi, pi))
    cands.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, gi, pi in cands:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


@dataclass
class FieldScore:
    """Counts for one field over one or more documents; sub-accuracies as (hits, total)."""

    n_pred: int = 0
    n_gold: int = 0
    tp: int = 0
    sub: dict[str, list[int]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else (1.0 if not self.n_gold else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else (1.0 if not self.n_pred else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        hits, total = self.sub.get(name, [0, 0])
        return hits / total if total else None

    def add(self, other: FieldScore) -> None:
        self.n_pred += other.n_pred
        self.n_gold += other.n_gold
        self.tp += other.tp
        for k, (h, t) in other.sub.items():
            cur = self.sub.setdefault(k, [0, 0])
            cur[0] += h
            cur[1] += t
        self.errors.extend(other.errors)


def _tick(score: FieldScore, name: str, ok: bool) -> None:
    cur = score.sub.setdefault(name, [0, 0])
    cur[0] += int(ok)
    cur[1] += 1


def score_field(fld: str, gold: Sequence[Item], pred: Sequence[Item], doc: str = "") -> FieldScore:
    """Score one field of one document; also records unmatched items as errors."""
    dim = dimension(fld)
    pred = [p for p in pred if not dim.drop(p)]
    pairs = match(gold, pred, dim.condition)
    s = FieldScore(n_pred=len(pred), n_gold=len(gold), tp=len(pairs))
    wrong: list[dict[str, Any]] = []
    for gi, pi in pairs:
        g, p = gold[gi], pred[pi]
        checks = dim.checks(p, g)
        for name, ok in checks:
            _tick(s, name, ok)
            if not ok:  # matched, but a sub-field differs: gold's item with what was predicted
                wrong.append({"doc": doc, "field": fld, "type": f"wrong {name}", **g, "got": p.get(name)})
    matched_g = {gi for gi, _ in pairs}
    matched_p = {pi for _, pi in pairs}
    s.errors.extend({"doc": doc, "field": fld, "type": "missed", **g} for i, g in enumerate(gold) if i not in matched_g)
    s.errors.extend(
        {"doc": doc, "field": fld, "type": "spurious", **p} for i, p in enumerate(pred) if i not in matched_p
    )
    s.errors.extend(wrong)
    return s


@dataclass
class DocScore:
    """All fields of one document."""

    doc: str
    group: str
    fields: dict[str, FieldScore]


def score_document(doc: str, group: str, gold: dict[str, Any], pred: dict[str, list[Item]]) -> DocScore:
    """Score every field the gold annotates (a missing key is not scored)."""
    return DocScore(
        doc, group, {f: score_field(f, gold[f], pred.get(f, []), doc) for f in FIELDS if f in gold}
    )


def micro(scores: Iterable[DocScore]) -> dict[str, FieldScore]:
    """Micro-average: add up counts per field."""
    total: dict[str, FieldScore] = {}
    for ds in scores:
        for f, s in ds.fields.items():
            total.setdefault(f, FieldScore()).add(s)
    return total


SUBS = {d.name: d.subs for d in DIMENSIONS}


def flat_figures(total: dict[str, FieldScore]) -> dict[str, float]:
    """``{"units.f1": …, "targets.comparator": …}`` for the gate and for JSON output."""
    out: dict[str, float] = {}
    for f, s in total.items():
        out[f"{f}.precision"] = round(s.precision, 4)
        out[f"{f}.recall"] = round(s.recall, 4)
        out[f"{f}.f1"] = round(s.f1, 4)
        for sub in SUBS.get(f, ()):
            acc = s.accuracy(sub)
            if acc is not None:
                out[f"{f}.{sub}"] = round(acc, 4)
    return out


def format_table(title: str, total: dict[str, FieldScore]) -> str:
    """A fixed-width table: field, counts, P/R/F1 and sub-accuracies."""
    lines = [f"== {title}", f"{'field':<10} {'gold':>5} {'pred':>5} {'tp':>5} {'P':>6} {'R':>6} {'F1':>6}  sub-accuracy"]
    for f in FIELDS:
        if f not in total:
            continue
        s = total[f]
        subs = []
        for sub in SUBS.get(f, ()):
            h, t = s.sub.get(sub, [0, 0])
            subs.append(f"{sub} {h}/{t}" + (f" = {h / t:.3f}" if t else ""))
        lines.append(
            f"{f:<10} {s.n_gold:>5} {s.n_pred:>5} {s.tp:>5} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}  "
            + "; ".join(subs)
        )
    return "\n".join(lines)


def context(original: str, start: int, end: int, width: int = 18) -> str:
    """The span in its surrounding text, marked with 【】, on one line."""
    left = original[max(0, start - width) : start]
    right = original[end : end + width]
    return " ".join(f"{left}【{original[start:end]}】{right}".split())
