"""Pathological inputs (runs of blanks, thousands of short lines, long digit runs…) go through the pipeline.

Their speed is measured by ``make bench`` (chars/s per case against a floor),
never timed here: before the linear rewrites each of these took minutes to
hours at this size; here they must finish and give well-formed output. The
operation-count tests pin the linear work of the line scans.
"""

from __future__ import annotations

import re

import pytest

from pipeline import structure
from pipeline.pathological import CASES, cases

SIZE = 16_000


@pytest.mark.parametrize("name", sorted(CASES))
def test_pathological_input_gives_well_formed_output(pipeline_obj, name: str) -> None:
    text = cases(SIZE)[name]
    r = pipeline_obj.process_text("p", f"{name}.txt", text)
    assert r.status == "ok" and r.n_chars == len(text)
    for rec in [*r.tasks, *r.organizations, *r.responsibilities, *r.deadlines, *r.figures, *r.targets]:
        assert text[rec.span.start : rec.span.end] == rec.span.text


@pytest.mark.parametrize("unit", ["任务1\n", "1.\n", "\n", "任务\n \n"])
def test_short_line_blocks_read_each_line_a_bounded_number_of_times(monkeypatch, normalizer, unit) -> None:
    """The one-cell-per-line header scan once restarted from every line (quadratic in the line count)."""
    calls = 0
    real = structure._cell

    def counting(text: str, s: int, e: int):
        nonlocal calls
        calls += 1
        return real(text, s, e)

    monkeypatch.setattr(structure, "_cell", counting)
    n_lines = 3000
    structure.Structurer().table_rows(normalizer.normalize(unit * n_lines).text)
    assert calls <= 3 * (n_lines * unit.count("\n") + 1)


def test_header_block_after_short_lines_still_found(normalizer) -> None:
    text = "二、任务分工\n序号\n工作任务\n牵头单位\n完成时限\n1\n建设平台\n县发改局\n2025年底\n"
    rows = structure.Structurer().table_rows(normalizer.normalize(text).text)
    assert [c.text for c in rows[0].cells] == ["1", "建设平台", "县发改局", "2025年底"]
    assert rows[0].header == ("序号", "工作任务", "牵头单位", "完成时限")


@pytest.mark.parametrize(
    ("pattern_text", "expected"),
    [("1、2、3月", ["1、2、3月"]), ("x、4、5月", ["4、5月"]), ("211、1至1月", ["11、1至1月"]),
     ("12、34、5月", ["12、34、5月"])],
)
def test_month_list_mask_keeps_its_matches(pattern_text: str, expected: list[str]) -> None:
    from pipeline.figures import FigureExtractor

    rx: re.Pattern[str] = FigureExtractor()._masks["date_month_list"]
    assert [m.group(0) for m in rx.finditer(pattern_text)] == expected
