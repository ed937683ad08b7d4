"""Pathological inputs (runs of blanks, thousands of short lines, long digit runs…) go through the pipeline.

Their speed is measured by ``make bench`` (chars/s per case against a floor),
never timed here: before the linear rewrites each of these took minutes to
hours at this size; here they must finish and give well-formed output. The
operation-count tests pin the linear work of the line scans.
"""

from __future__ import annotations

import re

import pytest

from pipeline.evaluation.pathological import CASES, cases

SIZE = 16_000


@pytest.mark.parametrize("name", sorted(CASES))
def test_pathological_input_gives_well_formed_output(pipeline_obj, name: str) -> None:
    text = cases(SIZE)[name]
    r = pipeline_obj.process_text("p", f"{name}.txt", text)
    assert r.status == "ok" and r.n_chars == len(text)
    for rec in [*r.tasks, *r.organizations, *r.responsibilities, *r.deadlines, *r.figures, *r.targets]:
        assert text[rec.span.start : rec.span.end] == rec.span.text


@pytest.mark.parametrize("unit", ["1.推进\n", "\n", " \n", "一、标题\n", "任务1\n"])
def test_one_cell_per_line_header_scan_reads_each_line_a_bounded_number_of_times(
        unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The header scan of the table reader once restarted from every line (quadratic in the line count)."""
    from pipeline.stages.grid import TableReader

    reader = TableReader()
    calls = 0
    real = reader.columns.column

    def counting(text: str):
        nonlocal calls
        calls += 1
        return real(text)

    monkeypatch.setattr(reader.columns, "column", counting)
    n_lines = 2000
    reader.rows(unit * n_lines)
    assert calls <= 4 * n_lines


def test_a_cell_running_over_many_lines_is_placed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row whose last cell runs over line after line was placed (its cells' kinds read) again for every line."""
    from pipeline.stages.grid import TableReader

    reader = TableReader()
    calls = 0
    real = reader._placed

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(reader, "_placed", counting)
    rows = reader.rows(CASES["a table cell running over many lines (fuzzing)"](20_000))
    assert len(rows) == 1 and calls == 1
    assert rows[0].cells[-1].text.count("任务") > 3000


@pytest.mark.parametrize(
    ("pattern_text", "expected"),
    [("1、2、3月", ["1、2、3月"]), ("x、4、5月", ["4、5月"]), ("211、1至1月", ["11、1至1月"]),
     ("12、34、5月", ["12、34、5月"])],
)
def test_month_list_mask_keeps_its_matches(pattern_text: str, expected: list[str]) -> None:
    from pipeline.extractors.figures import FigureExtractor

    rx: re.Pattern[str] = FigureExtractor()._masks["date_month_list"]
    assert [m.group(0) for m in rx.finditer(pattern_text)] == expected


class _CountingText(str):
    """A text that counts the characters and slices read from it by index."""

    reads = 0

    def __getitem__(self, key):
        type(self).reads += 1
        return str.__getitem__(self, key)


def test_targets_read_a_bounded_window_around_each_number(pipeline_obj) -> None:
    """Each number of a sentence packed with 1% once scanned back to the sentence's start (issue 14): quadratic."""
    from array import array

    from pipeline.extractors.figures import FigureExtractor
    from pipeline.stages.document import PolicyDoc
    from pipeline.stages.offsets import NormText

    def identity(text: str) -> NormText:  # the normalised form is the original itself
        return NormText(text, text, array("l", range(len(text))), array("l", range(1, len(text) + 1)))
    from pipeline.extractors.targets import TargetExtractor

    targets = TargetExtractor(pipeline_obj.resources.segmenter)
    figures = FigureExtractor()

    def reads(n_numbers: int) -> int:
        text = "1%" * n_numbers
        hits = figures.hits_in(text)
        doc = PolicyDoc("p", "p.txt", identity(_CountingText(text)))
        _CountingText.reads = 0
        targets(doc, hits, [])
        return _CountingText.reads

    small, large = reads(1000), reads(4000)
    assert large <= 6 * small  # four times the numbers: a linear scan reads about four times as much, not sixteen
