"""Per-record lookups that replaced scans over all tasks/items give the answers of the scans they replaced."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.deadlines import DeadlineExtractor, Hit
from pipeline.extractors.responsibilities import _Coverage
from pipeline.models import Organization, Span, Task
from pipeline.stages.document import PolicyDoc
from pipeline.stages.offsets import NormText
from pipeline.stages.spans import SpanSet

spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)).map(lambda t: (t[0], t[0] + t[1])), max_size=25)


def _task_at_scan(tasks: list[Task], npos: int) -> Task | None:
    """The old ``task_at``: walk back from the last task starting at or before npos."""
    i = max((k for k, t in enumerate(tasks) if t.nstart <= npos), default=-1)
    while i >= 0:
        if tasks[i].nstart <= npos < tasks[i].nend:
            return tasks[i]
        i -= 1
    return None


def _doc(bounds: list[tuple[int, int]]) -> PolicyDoc:
    text = "字" * 80
    idx = array("l", range(len(text)))
    doc = PolicyDoc("d", "d.txt", NormText(text, text, idx, array("l", range(1, len(text) + 1))))
    tasks = sorted(bounds, key=lambda b: (b[0], -b[1]))
    doc.tasks = [Task(i + 1, "", Span(s, e, "", ""), s, e) for i, (s, e) in enumerate(tasks)]
    return doc


@settings(max_examples=200, deadline=None)
@given(spans, spans)
def test_task_at_equals_the_scan(bounds: list[tuple[int, int]], other: list[tuple[int, int]]) -> None:
    doc = _doc(bounds)
    for npos in range(-1, 75):
        assert doc.task_at(npos) == _task_at_scan(doc.tasks, npos)
    doc.tasks = _doc(other).tasks  # a new task list: the index is rebuilt
    for npos in range(-1, 75):
        assert doc.task_at(npos) == _task_at_scan(doc.tasks, npos)


@settings(max_examples=200, deadline=None)
@given(spans, spans)
def test_span_set_equals_the_scan(blocked: list[tuple[int, int]], queries: list[tuple[int, int]]) -> None:
    ss = SpanSet(blocked)
    for s, e in [*queries, (5, 5), (0, 0), (3, 1)]:
        assert ss.overlaps(s, e) == any(s < be and bs < e for bs, be in blocked)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12), st.integers(0, 3)), max_size=25))
def test_select_equals_the_scan(raw: list[tuple[int, int, int]]) -> None:
    hits = [Hit(s, s + n, "r", "deadline", "year", (), order) for s, n, order in raw]
    taken: list[Hit] = []
    for h in sorted(hits, key=lambda h: (-(h.nend - h.nstart), h.order, h.nstart)):
        if not any(h.nstart < t.nend and t.nstart < h.nend for t in taken):
            taken.append(h)
    assert DeadlineExtractor.select(hits) == sorted(taken, key=lambda h: h.nstart)


@settings(max_examples=200, deadline=None)
@given(spans, spans)
def test_coverage_equals_the_scan(orgs: list[tuple[int, int]], queries: list[tuple[int, int]]) -> None:
    out = [Organization(Span(s, e, "", ""), "x", "government", None, "r") for s, e in orgs]
    cov = _Coverage(o.span for o in out)
    for s, e in queries:
        assert cov.overlaps(s, e, out) == any(o.span.start < e and s < o.span.end for o in out)
        out.append(Organization(Span(s, e, "", ""), "x", "government", None, "r"))
        cov.add(out[-1].span)


def test_content_end_is_the_length_of_the_stripped_text() -> None:
    from pipeline.extractors.responsibilities.clauses import _content_end

    for s in ("", " ", "甲乙 \n\t", "甲\u3000", "\n\n甲", "甲乙"):
        assert _content_end(s) == len(s.rstrip())
