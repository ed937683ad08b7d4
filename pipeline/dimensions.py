"""The extraction dimensions in one registry: everything about a dimension that is not its extractor.

A ``Dimension`` says which ``DocResult`` attribute holds its records, the output
table(s) they become (columns and rows), how they are scored against gold
(the gold keys, the match condition, the sub-accuracies), how the HTML report
highlights them and which stage factory makes them. The tables, the scorer,
``make eval``, the gold tool, the report and the pipeline read this registry,
so adding a dimension touches five places (see CONTRIBUTING.md).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from pipeline.models import Deadline, DocResult, Extraction, Figure, Organization, Responsibility, Span, Target

if TYPE_CHECKING:
    from pipeline.compose import Resources, Stage
    from pipeline.extractors.figures import NumberHit
    from pipeline.stages.document import PolicyDoc

Item = dict[str, Any]
Row = dict[str, Any]
Columns = list[tuple[str, pa.DataType]]

STR = pa.string()
INT = pa.int64()
F = pa.float64()
DATE = pa.date32()
LIST = pa.list_(pa.string())
SPAN: Columns = [("start", INT), ("end", INT), ("text", STR), ("text_norm", STR)]


def span_row(s: Span) -> Row:
    """The span columns of a row."""
    return {"start": s.start, "end": s.end, "text": s.text, "text_norm": s.text_norm}


@dataclass(frozen=True, slots=True)
class Mark:
    """One report highlight: original span, type, anchor id (or ""), tooltip and chip label (or "")."""

    start: int
    end: int
    kind: str
    ref: str = ""
    tip: str = ""
    chip: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """An output table of a dimension: its columns (the contract of OUTPUT_SCHEMA.md) and its rows."""

    name: str
    columns: Columns
    rows: Callable[[DocResult], list[Row]]


@dataclass(frozen=True)
class Dimension:
    """One extraction dimension, as the tables, the scorer, the report and the pipeline see it."""

    name: str  # its key in gold files and in scores ("units")
    attr: str  # the DocResult attribute holding its records ("responsibilities")
    stage: Callable[[Resources], Stage]  # makes its pipeline stage from the shared resources
    tables: tuple[Table, ...]
    view: Callable[[Any], Item]  # the scorer's fields of one record (start, end and text are added)
    gold_keys: tuple[str, ...]  # the fields a gold item carries besides text/occ (goldtool)
    shown: tuple[str, ...]  # the fields printed with an error
    condition: Callable[[Item, Item], bool]  # (prediction, gold): do two overlapping items match?
    checks: Callable[[Item, Item], list[tuple[str, bool]]] = lambda p, g: []  # sub-accuracies of a matched pair
    subs: tuple[str, ...] = ()  # names of those sub-accuracies, in print order
    marks: Callable[[DocResult], list[Mark]] = lambda r: []
    colours: dict[str, tuple[str, str]] = field(default_factory=dict)  # highlight kind -> (colour, legend)
    drop: Callable[[Item], bool] = lambda p: False  # predictions the scorer ignores (generic unit mentions)

    def predictions(self, r: DocResult) -> list[Item]:
        """The scorer's view of a result's records of this dimension."""
        return [{"start": x.span.start, "end": x.span.end, "text": x.span.text, **self.view(x)}
                for x in getattr(r, self.attr)]


def same_number(a: Any, b: Any) -> bool:
    """Equal numbers (floating point tolerance), or both missing."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def char_f1(pred: str | None, gold: str | None) -> float:
    """Character-overlap F1 between two strings (multiset of characters)."""
    if not pred or not gold:
        return 0.0
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    p, r = common / len(pred), common / len(gold)
    return 2 * p * r / (p + r)


def num(v: float | None) -> str:
    """A value as written in a table: no exponent, no trailing zeros, empty when missing."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return format(v, ".12g")


def tip(kind: str, *fields: tuple[str, object]) -> str:
    """``kind: a; key: b`` with empty fields left out (never ``None``)."""
    parts = [f"{k}: {v}" if k else str(v) for k, v in fields if v not in (None, "", ())]
    return "; ".join([f"{kind}: {parts[0]}" if parts else kind, *parts[1:]])


KIND_LABELS = {"growth": "增长", "reduction": "下降", "share": "占比", "count": "数量", "level": "水平"}
COMPARATORS = {">=": "≥", "<=": "≤", "~": "≈", "=": "="}


def target_value(t: Target) -> str:
    """``≥ 7%``: comparator, value and unit of a target."""
    return f"{COMPARATORS.get(t.comparator, t.comparator)} {num(t.value)}{t.unit or ''}"


# ---- stage factories (the extractors are imported when a pipeline is built)


@dataclass(frozen=True, slots=True)
class UnitsOutput:
    """Output of the units stage (and of the optional NER stage, which only adds organisations)."""

    organizations: list[Organization]
    responsibilities: list[Responsibility]


@dataclass(frozen=True, slots=True)
class DeadlinesOutput:
    """Output of the deadlines stage."""

    deadlines: list[Deadline]


@dataclass(frozen=True, slots=True)
class FiguresOutput:
    """Output of the figures stage: every number hit (read again by targets) and the figure records."""

    number_hits: list[NumberHit]
    figures: list[Figure]


@dataclass(frozen=True, slots=True)
class TargetsOutput:
    """Output of the targets stage."""

    targets: list[Target]


def _units_stage(res: Resources) -> Stage:
    from pipeline.compose import Stage

    ex = res.units

    def run(doc: PolicyDoc, ext: Extraction) -> UnitsOutput:
        resp = ex.responsibilities(doc)
        return UnitsOutput(ex.organizations(doc, resp), resp)

    return Stage("units", ("doc",), UnitsOutput, run)


def _deadlines_stage(res: Resources) -> Stage:
    from pipeline.compose import Stage
    from pipeline.extractors.deadlines import DeadlineExtractor

    ex = DeadlineExtractor()
    return Stage("deadlines", ("doc",), DeadlinesOutput, lambda doc, ext: DeadlinesOutput(ex(doc)))


def _figures_stage(res: Resources) -> Stage:
    from pipeline.compose import Stage
    from pipeline.extractors.figures import FigureExtractor

    ex = FigureExtractor()

    def run(doc: PolicyDoc, ext: Extraction) -> FiguresOutput:
        hits = ex.hits(doc)
        return FiguresOutput(hits, ex.figures_from_hits(doc, hits))

    return Stage("figures", ("doc",), FiguresOutput, run)


def _targets_stage(res: Resources) -> Stage:
    from pipeline.compose import Stage
    from pipeline.extractors.targets import TargetExtractor

    ex = TargetExtractor(res.segmenter)
    return Stage(
        "targets",
        ("doc", "number_hits", "deadlines"),
        TargetsOutput,
        lambda doc, ext: TargetsOutput(ex(doc, ext.number_hits, ext.deadlines)),
    )


# ---- units: responsibilities (and the organisations they name)


def _unit_marks(r: DocResult) -> list[Mark]:
    out = []
    resp_spans = {(x.span.start, x.span.end) for x in r.responsibilities}
    for x in r.responsibilities:
        kind = "generic" if x.generic else x.role
        out.append(Mark(x.span.start, x.span.end, kind, tip=tip(kind, ("", x.canonical))))
    for o in r.organizations:
        if (o.span.start, o.span.end) not in resp_spans:
            out.append(Mark(o.span.start, o.span.end, "org", tip=tip("org", ("", o.canonical), ("", o.kind),
                                                                      ("", o.level))))
    return out


def _unit_checks(p: Item, g: Item) -> list[tuple[str, bool]]:
    return [("canonical", p.get("canonical") == g["canonical"])] if g.get("canonical") else []


UNITS = Dimension(
    name="units", attr="responsibilities", stage=_units_stage,
    tables=(
        Table("responsibilities",
              [("doc_id", STR), ("task_id", INT), *SPAN, ("canonical", STR), ("role", STR), ("generic", pa.bool_()),
               ("rule", STR)],
              lambda r: [{"doc_id": r.doc_id, "task_id": x.task_id, **span_row(x.span), "canonical": x.canonical,
                          "role": x.role, "generic": x.generic, "rule": x.rule} for x in r.responsibilities]),
        Table("organizations",
              [("doc_id", STR), *SPAN, ("canonical", STR), ("kind", STR), ("level", STR), ("rule", STR)],
              lambda r: [{"doc_id": r.doc_id, **span_row(x.span), "canonical": x.canonical, "kind": x.kind,
                          "level": x.level, "rule": x.rule} for x in r.organizations]),
    ),
    view=lambda x: {"role": x.role, "generic": x.generic, "canonical": x.canonical},
    gold_keys=("role", "canonical"), shown=("role", "canonical"),
    condition=lambda p, g: p.get("role") == g.get("role"),
    checks=_unit_checks, subs=("canonical",), marks=_unit_marks,
    colours={"lead": ("#ffb3b3", "lead unit (牵头)"), "co": ("#ffd9b3", "co-responsible unit (配合)"),
             "joint": ("#ffe6cc", "joint unit (no lead)"), "generic": ("#eeeeee", "group reference"),
             "org": ("#e6e6ff", "other organisation mention")},
    drop=lambda p: bool(p.get("generic")),
)

# ---- deadlines


def _deadline_marks(r: DocResult) -> list[Mark]:
    out = []
    for d in r.deadlines:
        dates = " – ".join(str(x) for x in dict.fromkeys((d.date_start, d.date_end)) if x is not None)
        out.append(Mark(d.span.start, d.span.end, "deadline", tip=tip(d.kind, ("", dates), ("", d.granularity))))
    return out


def _deadline_checks(p: Item, g: Item) -> list[tuple[str, bool]]:
    if g.get("kind") not in ("deadline", "period"):
        return []
    return [("date_end", str(p.get("date_end") or None) == str(g.get("date_end") or None))]


DEADLINES = Dimension(
    name="deadlines", attr="deadlines", stage=_deadlines_stage,
    tables=(Table("deadlines",
                  [("doc_id", STR), ("task_id", INT), *SPAN, ("kind", STR), ("date_start", DATE), ("date_end", DATE),
                   ("granularity", STR), ("rule", STR)],
                  lambda r: [{"doc_id": r.doc_id, "task_id": x.task_id, **span_row(x.span), "kind": x.kind,
                              "date_start": x.date_start, "date_end": x.date_end, "granularity": x.granularity,
                              "rule": x.rule} for x in r.deadlines]),),
    view=lambda x: {"kind": x.kind, "date_end": x.date_end.isoformat() if x.date_end else None},
    gold_keys=("kind", "date_end"), shown=("kind", "date_end"),
    condition=lambda p, g: True, checks=_deadline_checks, subs=("date_end",), marks=_deadline_marks,
    colours={"deadline": ("#b3e6ff", "deadline / period")},
)

# ---- targets


def _target_marks(r: DocResult) -> list[Mark]:
    out = []
    for i, t in enumerate(r.targets, 1):
        kind = KIND_LABELS.get(t.kind, t.kind)
        out.append(Mark(t.span.start, t.span.end, "target", f"t{i}", chip=kind, tip=tip(
            "target", ("", kind), ("", f"{t.indicator} {target_value(t)}"), ("baseline", num(t.baseline_value)),
            ("period", t.period), ("due", t.due), ("lead", "、".join(t.lead_units)))))
    return out


def _target_checks(p: Item, g: Item) -> list[tuple[str, bool]]:
    return [("comparator", p.get("comparator") == g.get("comparator")), ("kind", p.get("kind") == g.get("kind")),
            ("indicator", char_f1(p.get("indicator"), g.get("indicator")) >= 0.5)]


TARGETS = Dimension(
    name="targets", attr="targets", stage=_targets_stage,
    tables=(Table("targets",
                  [("doc_id", STR), ("target_id", INT), ("task_id", INT), *SPAN, ("indicator", STR), ("kind", STR),
                   ("comparator", STR), ("value", F), ("unit", STR), ("value_base", F), ("unit_base", STR),
                   ("baseline_value", F), ("period", STR), ("due", DATE), ("lead_units", LIST), ("rule", STR)],
                  lambda r: [{"doc_id": r.doc_id, "target_id": i + 1, "task_id": x.task_id, **span_row(x.span),
                              "indicator": x.indicator, "kind": x.kind, "comparator": x.comparator,
                              "value": x.value, "unit": x.unit, "value_base": x.value_base,
                              "unit_base": x.unit_base, "baseline_value": x.baseline_value, "period": x.period,
                              "due": x.due, "lead_units": list(x.lead_units), "rule": x.rule}
                             for i, x in enumerate(r.targets)]),),
    view=lambda x: {"value": x.value, "unit": x.unit, "comparator": x.comparator, "kind": x.kind,
                    "indicator": x.indicator},
    gold_keys=("indicator", "kind", "comparator", "value", "unit", "period", "baseline_value"),
    shown=("value", "unit", "comparator", "kind", "indicator"),
    condition=lambda p, g: same_number(p.get("value"), g.get("value"))
    and (p.get("unit") or None) == (g.get("unit") or None),
    checks=_target_checks, subs=("comparator", "kind", "indicator"), marks=_target_marks,
    colours={"target": ("#fff199", "target (framed, chip = kind)")},
)

# ---- figures


def _figure_marks(r: DocResult) -> list[Mark]:
    out = []
    for f in r.figures:
        base = f"{num(f.value_base)} {f.unit_base or ''}".strip() if f.value_base != f.value else ""
        out.append(Mark(f.span.start, f.span.end, "figure", tip=tip("figure", ("", f"{num(f.value)}{f.unit or ''}"),
                                                                     ("base", base), ("", f.qualifier))))
    return out


FIGURES = Dimension(
    name="figures", attr="figures", stage=_figures_stage,
    tables=(Table("figures",
                  [("doc_id", STR), ("task_id", INT), *SPAN, ("value", F), ("unit", STR), ("value_base", F),
                   ("unit_base", STR), ("qualifier", STR), ("rule", STR)],
                  lambda r: [{"doc_id": r.doc_id, "task_id": x.task_id, **span_row(x.span), "value": x.value,
                              "unit": x.unit, "value_base": x.value_base, "unit_base": x.unit_base,
                              "qualifier": x.qualifier, "rule": x.rule} for x in r.figures]),),
    view=lambda x: {"value_base": x.value_base, "unit_base": x.unit_base},
    gold_keys=("value_base", "unit_base"), shown=("value_base", "unit_base"),
    condition=lambda p, g: same_number(p.get("value_base"), g.get("value_base")),
    marks=_figure_marks, colours={"figure": ("#d9f2d9", "figure")},
)

#: Every dimension, in the order scores are printed. The pipeline orders their stages by what each needs.
DIMENSIONS: tuple[Dimension, ...] = (UNITS, DEADLINES, TARGETS, FIGURES)
BY_NAME: dict[str, Dimension] = {d.name: d for d in DIMENSIONS}
FIELDS: tuple[str, ...] = tuple(BY_NAME)


def dimension(name: str) -> Dimension:
    """The dimension called ``name`` (a ``KeyError`` names the known ones)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown dimension {name!r}; known: {', '.join(FIELDS)}") from None


def all_marks(r: DocResult, dims: Sequence[Dimension] = DIMENSIONS) -> list[Mark]:
    """Report highlights of every dimension of a result."""
    return [m for d in dims for m in d.marks(r)]
