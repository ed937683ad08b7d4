"""``PolicyDoc``: the one object every extraction stage reads.

It is built by the structure stage from the normalised text and holds the
document metadata (``ref_year``, region), the heading tree, the task items,
the tables and the sentence and clause bounds. Extractors work on ``doc.text`` (normalised: simplified,
half-width punctuation, pinyin glosses removed) and turn their normalised
``[nstart, nend)`` hits into original-text spans with ``doc.span()``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from pipeline.models import DocMeta, Heading, Span, Task
from pipeline.stages.offsets import NormText
from pipeline.stages.sentences import Sentences
from pipeline.stages.towns import Town


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
    #: the township of a township-level document (石马镇人民政府…), with its county and city
    town: Town | None = None
    #: title lines near the top and copies of the title: their times are names, not deadlines
    title_spans: list[tuple[int, int]] = field(default_factory=list)
    #: (heading start, its section reports the situation or past results at any level: 一、基本情况), in order
    fact_sections: list[tuple[int, bool]] = field(default_factory=list)
    #: lines holding only a full date outside the tables (the signature or publication date)
    signature_spans: list[tuple[int, int]] = field(default_factory=list)
    #: sentence, cell and clause bounds of ``text``: set by the structure stage (built on first use otherwise)
    _sentences: Sentences | None = field(default=None, init=False, repr=False, compare=False)
    #: (the task list it was built for, task starts, running maximum of task ends): built on the first ``task_at``
    _task_index: tuple[list[Task], list[int], list[int]] | None = field(default=None, init=False, repr=False,
                                                                        compare=False)
    #: (the row list it was built for, row starts, running maximum of row ends): built on the first ``row_at``
    _row_index: tuple[list[TableRow], list[int], list[int]] | None = field(default=None, init=False, repr=False,
                                                                           compare=False)

    @property
    def text(self) -> str:
        """The normalised text (simplified, half-width)."""
        return self.norm.text

    @property
    def original(self) -> str:
        """The original decoded text."""
        return self.norm.original

    @property
    def sentences(self) -> Sentences:
        """Sentence, table cell and clause bounds of the normalised text, found once per document."""
        if self._sentences is None or self._sentences.text is not self.norm.text:
            self._sentences = Sentences(self.norm.text)
        return self._sentences

    def span(self, nstart: int, nend: int) -> Span:
        """Original-text span for a normalised ``[nstart, nend)``."""
        return self.norm.span(nstart, nend)

    def row_at(self, npos: int, end_inclusive: bool = False) -> TableRow | None:
        """The first table row (in ``table_rows`` order) whose span contains ``npos``; with ``end_inclusive``
        a position right after the row's last cell counts too."""
        idx = self._row_index
        if idx is None or idx[0] is not self.table_rows or len(idx[1]) != len(self.table_rows):
            ends: list[int] = []
            for r in self.table_rows:
                e = r.cells[-1].nend if r.cells else -1
                ends.append(max(ends[-1], e) if ends else e)
            starts = [r.cells[0].nstart if r.cells else -1 for r in self.table_rows]
            idx = self._row_index = (self.table_rows, starts, ends)
        _, starts, max_end = idx
        found = None
        i = bisect.bisect_right(starts, npos) - 1
        while i >= 0 and (max_end[i] >= npos if end_inclusive else max_end[i] > npos):
            r = self.table_rows[i]
            if r.cells and r.cells[0].nstart <= npos and (
                    npos <= r.cells[-1].nend if end_inclusive else npos < r.cells[-1].nend):
                found = r  # keep walking back: the earliest row in list order wins, as a scan would
            i -= 1
        return found

    def in_fact_section(self, npos: int) -> bool:
        """``npos`` stands in a section whose heading chain reports the situation or past results."""
        k = bisect.bisect_right(self.fact_sections, (npos, True)) - 1
        return k >= 0 and self.fact_sections[k][1]

    def task_at(self, npos: int) -> Task | None:
        """The task whose normalised span contains ``npos`` (innermost, latest start)."""
        idx = self._task_index
        if idx is None or idx[0] is not self.tasks or len(idx[1]) != len(self.tasks):
            ends: list[int] = []
            for t in self.tasks:
                ends.append(max(ends[-1], t.nend) if ends else t.nend)
            idx = self._task_index = (self.tasks, [t.nstart for t in self.tasks], ends)
        _, starts, max_end = idx
        i = bisect.bisect_right(starts, npos) - 1
        while i >= 0 and max_end[i] > npos:  # no task up to i ends after npos: none of them contains it
            t = self.tasks[i]
            if t.nstart <= npos < t.nend:
                return t
            i -= 1
        return None
