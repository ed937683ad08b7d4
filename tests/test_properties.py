"""Property tests (Hypothesis) of the offset map and the table reader, on arbitrary text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.stages import structure
from pipeline.stages.normalize import Normalizer

_N = Normalizer()
_ST = structure.Structurer()

# Table-ish pieces: header words, sequence numbers, pipes, tabs, blanks, line breaks, traditional characters.
TABLE_PIECES = ["序号", "工作任务", "牵头单位", "责任单位", "完成时限", "配合单位", "1", "2", "12", "一、", "(一)",
                "县發改局", "建设平台", "2025年底", "|", " | ", "||", "\t", " ", "\u3000", "\n", "\r\n", ":", "——",
                "---", "任务1", "很长的一句话没有任何标点也没有换行超过十二个字"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_offset_map_of_any_text(original: str) -> None:
    nt = _N.normalize(original)
    assert len(nt.starts) == len(nt.ends) == len(nt.text)
    for i in range(len(nt.text)):
        assert 0 <= nt.starts[i] < nt.ends[i] <= len(original)
        assert i == 0 or nt.starts[i - 1] <= nt.starts[i]
    for a in range(0, len(nt.text) + 1, 5):
        for b in range(a, min(len(nt.text), a + 9) + 1):
            sp = nt.span(a, b)
            assert original[sp.start : sp.end] == sp.text and sp.text_norm == nt.text[a:b]
            assert nt.to_norm(sp.start) <= a or sp.start == sp.end


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TABLE_PIECES), max_size=80))
def test_table_reader_cells_are_slices_of_the_text(pieces: list[str]) -> None:
    text = _N.normalize("".join(pieces)).text
    rows = _ST.table_rows(text)
    starts = [r.cells[0].nstart for r in rows]
    assert starts == sorted(starts)
    for r in rows:
        assert r.cells and r.header
        for c in r.cells:
            assert text[c.nstart : c.nend] == c.text
            # a cell may run over several lines (a wrapped cell of a row with no closing bar), never padded
            assert c.text == c.text.strip() and all(line == line.strip() for line in c.text.split("\n"))
