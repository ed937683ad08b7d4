"""``PolicyDoc``: the one object every extraction stage reads.

It is built by the structure stage from the normalised text and holds the
document metadata (``ref_year``, region), the heading tree, the task items and
the tables. Extractors work on ``doc.text`` (normalised: simplified,
half-width punctuation, pinyin glosses removed) and turn their normalised
``[nstart, nend)`` hits into original-text spans with ``doc.span()``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from pipeline.models import DocMeta, Heading, Span, Task
from pipeline.offsets import NormText


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: normalised ``[nstart, nend)`` (stripped) and its text."""

    nstart: int
    nend: int
    text: str


@dataclass(frozen=True, slots=True)
class TableRow:
    """A table row with the header of its table (normalised cell texts, white space removed) and column roles."""

    cells: tuple[Cell, ...]
    header: tuple[str, ...]
    task_id: int | None = None
    #: the role of each cell's column (``lexicons/columns.yaml``), parallel to ``cells``; empty when unknown
    roles: tuple[str | None, ...] = ()
    #: the role of each header cell, parallel to ``header``
    header_roles: tuple[str | None, ...] = ()

    def role_at(self, npos: int) -> str | None:
        """The column role of the cell containing normalised position ``npos``."""
        for k, c in enumerate(self.cells):
            if c.nstart <= npos < c.nend or (c.nstart == npos == c.nend):
                return self.roles[k] if k < len(self.roles) else None
        return None


@dataclass(slots=True)
class PolicyDoc:
    """A normalised document with its structure; input of every extractor."""

    doc_id: str
    source: str
    norm: NormText
    meta: DocMeta = field(default_factory=DocMeta)
    headings: list[Heading] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    table_rows: list[TableRow] = field(default_factory=list)
    #: the document is a progress report (its title area says 完成情况 / 实施情况的通报): the body reports facts
    report: bool = False

    @property
    def text(self) -> str:
        """The normalised text (simplified, half-width)."""
        return self.norm.text

    @property
    def original(self) -> str:
        """The original decoded text."""
        return self.norm.original

    def span(self, nstart: int, nend: int) -> Span:
        """Original-text span for a normalised ``[nstart, nend)``."""
        return self.norm.span(nstart, nend)

    def task_at(self, npos: int) -> Task | None:
        """The task whose normalised span contains ``npos`` (innermost, latest start)."""
        starts = [t.nstart for t in self.tasks]
        i = bisect.bisect_right(starts, npos) - 1
        while i >= 0:
            t = self.tasks[i]
            if t.nstart <= npos < t.nend:
                return t
            i -= 1
        return None
