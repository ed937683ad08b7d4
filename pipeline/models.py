"""Typed records that flow through the pipeline.

Every extraction carries ``start``/``end`` as offsets into the *original*
decoded text (see ``OUTPUT_SCHEMA.md``), the original slice ``text`` and its
normalised (simplified, half-width) form ``text_norm``. Records are frozen so
that stages cannot mutate each other's output.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.extractors.figures import NumberHit


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the original text with its normalised form."""

    start: int
    end: int
    text: str
    text_norm: str


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading line (一、 / (一) / 1. / (1) / ① / 附件N) and its nesting level."""

    span: Span
    level: int
    marker: str
    title: str
    nstart: int
    nend: int


@dataclass(frozen=True, slots=True)
class Task:
    """A task item: a numbered item, a paragraph commitment or a table row."""

    task_id: int
    section: str
    span: Span
    nstart: int
    nend: int
    kind: str = "item"  # item | paragraph | table_row
    lead_units: tuple[str, ...] = ()
    co_units: tuple[str, ...] = ()
    deadline: dt.date | None = None
    deadline_source: str | None = None  # deadline | period: what ``deadline`` was taken from


@dataclass(frozen=True, slots=True)
class Organization:
    """Any mention of a government body, party organ, institution or enterprise."""

    span: Span
    canonical: str
    kind: str
    level: str | None
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Responsibility:
    """A unit named as responsible for a task, with its role."""

    span: Span
    canonical: str
    role: str  # lead | co | joint
    generic: bool
    task_id: int | None = None
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Deadline:
    """A time expression that bounds or schedules work."""

    span: Span
    kind: str  # deadline | period | duration | frequency
    date_start: dt.date | None
    date_end: dt.date | None
    granularity: str | None
    task_id: int | None = None
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    """A number with its unit, scaled to the base unit."""

    span: Span
    value: float
    unit: str | None
    value_base: float
    unit_base: str | None
    qualifier: str | None
    task_id: int | None = None
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    """A quantified goal: indicator + comparator + value (+ period)."""

    span: Span
    indicator: str
    kind: str  # level | growth | share | reduction | count
    comparator: str  # >= | <= | ~ | =
    value: float
    unit: str | None
    value_base: float
    unit_base: str | None
    baseline_value: float | None = None
    period: str | None = None
    due: dt.date | None = None
    task_id: int | None = None
    lead_units: tuple[str, ...] = ()
    rule: str = ""


@dataclass(frozen=True, slots=True)
class DocMeta:
    """Document-level metadata found by the structure stage."""

    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    issue_date: dt.date | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    ref_year: int | None = None


@dataclass(slots=True)
class DocResult:
    """Everything extracted from one input file (a failed file has ``error``)."""

    doc_id: str
    source: str
    status: str = "ok"
    error: str | None = None
    encoding: str | None = None
    script: str | None = None
    n_chars: int = 0
    warnings: list[str] = field(default_factory=list)  # one line each, e.g. "tail of 3 bytes undecodable"
    original_text: str = ""
    meta: DocMeta = field(default_factory=DocMeta)
    tasks: list[Task] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    #: a row-less summary's answer to ``names_local_units`` (its organizations stayed with the worker)
    local_units: bool | None = None

    def names_local_units(self) -> bool:
        """Whether a unit of a local level is named (县交通运输局): only then does a missing region matter."""
        if self.local_units is not None:
            return self.local_units
        return any(o.level not in (None, "central") for o in self.organizations)


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the extraction stages found in one document; each field is assigned by one stage's output."""

    organizations: list[Organization] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    number_hits: list[NumberHit] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
