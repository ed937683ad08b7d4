"""The table model: rows of cells with a header and a role per column, read once by the structure stage.

Layouts read (all seen in real documents): pipe rows with or without leading/trailing bars (tab-separated
rows arrive as pipe rows from normalisation); header cells with spaces inside (``主 要 工 作 任 务``); cells
running over several lines (a row line without its closing bar continues on the next line); category
cells merged over several rows (a row with fewer cells is aligned to the right, so the merged cell is
carried down); one cell per line, with or without trailing bars, where empty cells may have vanished:
each cell is placed by what it holds (a sequence number, a unit list, a date, a person's name, text).
Column roles come from ``lexicons/columns.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.extractors.quantities import UnitTable
from pipeline.stages.columns import _SECTION, _SEQ, _WS, Column, ColumnLexicon, _fit, align, cell_kind, header_unit
from pipeline.stages.document import Cell, TableRow

__all__ = ["Column", "ColumnLexicon", "TableReader", "align", "cell_kind", "header_unit", "line_spans", "pipe_cells"]


class TableReader:
    """Reads the tables of a normalised text into ``TableRow`` objects with column roles."""

    def __init__(self, columns: ColumnLexicon | None = None, units: UnitTable | None = None) -> None:
        self.columns = columns or ColumnLexicon()
        table = units or UnitTable()
        self._measure = lambda t: table.lookup(t) is not None

    def kind(self, text: str) -> str:
        """The kind of a cell's content (see ``cell_kind``), with units of measure from ``lexicons/measure_units.tsv``."""
        return cell_kind(text, self._measure)

    def rows(self, text: str) -> list[TableRow]:
        """Rows of every pipe table and one-cell-per-line table under a recognised header."""
        lines = line_spans(text)
        out: list[TableRow] = []
        memo: dict[int, tuple[list[Column] | None, int]] = {}  # header scans by fresh start line (see _line_header)
        i = 0
        while i < len(lines):
            s, e = lines[i]
            if _is_pipe_line(text[s:e]):
                cells = pipe_cells(text, s, e)
                cols = self.columns.header([c.text for c in cells])
                if cols is not None:
                    new, i = self._pipe_rows(text, lines, i + 1, cols)
                    out += new
                    continue
                i += 1
                continue
            hdr, j = self._line_header(text, lines, i, memo)
            if hdr is not None:
                new, i = self._line_rows(text, lines, j, hdr)
                out += new
                if new:
                    continue
                i = j
                continue
            i += 1
        return out

    # ------------------------------------------------------------ pipe tables
    def _pipe_rows(self, text: str, lines: list[tuple[int, int]], i: int, cols: list[Column]
                   ) -> tuple[list[TableRow], int]:
        header = tuple(c.text for c in cols)
        roles = [c.role for c in cols]
        # rows as (cells, cut), placed once at the end: a last cell that runs over many lines grows by one line at a
        # time, and placing the row again for every line (reading the kinds of ever longer cells) was quadratic
        out: list[tuple[list[Cell], bool]] = []
        closing = text[slice(*lines[i - 1])].rstrip().endswith("|")  # rows of this table end with a bar
        closed = True
        while i < len(lines):
            s, e = lines[i]
            line = text[s:e]
            if not line.strip():
                i += 1
                if i < len(lines) and _is_pipe_line(text[slice(*lines[i])]):
                    continue
                break
            if not _is_pipe_line(line) and closed:
                break
            cells = pipe_cells(text, s, e)
            ran_over = not closed and bool(out)
            if ran_over:
                # the previous row's last cell runs over onto this line
                prev, _ = out.pop()
                first = cells[0] if cells else Cell(s, s, "")
                last = prev[-1]
                merged = Cell(last.nstart, first.nend, text[last.nstart:first.nend]) if first.text else last
                cells = [*prev[:-1], merged, *cells[1:]]
            closed = not closing or line.rstrip().endswith("|")
            if all(re.fullmatch(r":?-{2,}:?", c.text) or not c.text for c in cells):
                i += 1
                continue  # a Markdown separator row
            if not out and not ran_over and self.columns.header([c.text for c in cells]) is not None:
                i += 1
                continue  # a second header line (sub-headers) directly under the first (one line: a row that ran
                # over from the line before is a row)
            # a row cut off by the end of an excerpt (…、区统计局、区): its last cell ends in a fragment
            cut = not line.rstrip().endswith("|") and not text[e:].strip()
            out.append((cells, cut))
            i += 1
        return [self._placed(c, header, roles, cut) for c, cut in out], i

    def _placed(self, cells: Sequence[Cell], header: tuple[str, ...], roles: list[str | None],
                cut: bool = False) -> TableRow:
        """A pipe row with a role per cell: same count → by position; fewer → right-aligned when the
        kinds fit (merged leading cells), else placed by kind. In a row ``cut`` off by the end of an excerpt the
        last cell is read without its cut-off last item (区财政局、区统计局、区 is a unit list)."""
        n, m = len(cells), len(roles)
        while n > 1 and not cells[n - 1].text:
            n -= 1  # trailing empty cells of a sub-row (`2021.8 | 城投集团 | ||`) carry no position
        cells = cells[:n]
        if n == m:
            return TableRow(tuple(cells), header, roles=tuple(roles), header_roles=tuple(roles))
        if n < m:
            kinds = [self.kind(c.text) for c in cells]
            if cut and kinds[-1] == "text" and "、" in cells[-1].text:
                kinds[-1] = self.kind(cells[-1].text.rsplit("、", 1)[0])
            right = roles[m - n:]
            if kinds and kinds[0] != "seq" and all(_fit(k, r) > 0 for k, r in zip(kinds, right, strict=True)):
                return TableRow(tuple(cells), header, roles=tuple(right), header_roles=tuple(roles))
            placed = align(kinds, roles, self.columns.unit_roles)
            flat = [j for sub in placed for j in sub]
            return TableRow(tuple(cells), header, roles=tuple(roles[j] if j >= 0 else None for j in flat),
                            header_roles=tuple(roles))
        return TableRow(tuple(cells[:m]), header, roles=tuple(roles), header_roles=tuple(roles))

    # ------------------------------------------------------------ one cell per line
    def _line_header(self, text: str, lines: list[tuple[int, int]], i: int,
                     memo: dict[int, tuple[list[Column] | None, int]] | None = None
                     ) -> tuple[list[Column] | None, int]:
        """A header written one cell per line: consecutive named short lines (blank lines skipped, a cell
        broken over two lines such as ``分管``/``领导`` joined); it ends at the first unnamed line.

        Wherever the scan stands with no cell yet, the rest of it is a scan started there: ``memo`` keeps
        those outcomes, so scans started from every line of a long run are not repeated (quadratic).
        """
        memo = {} if memo is None else memo
        fresh: list[int] = []  # lines the scan reached with no cell collected
        outcome = self._header_scan(text, lines, i, memo, fresh)
        for k in fresh:
            memo[k] = outcome
        cols, j = outcome
        return (cols, j) if cols is not None else (None, i + 1)

    def _header_scan(self, text: str, lines: list[tuple[int, int]], i: int,
                     memo: dict[int, tuple[list[Column] | None, int]], fresh: list[int]
                     ) -> tuple[list[Column] | None, int]:
        cells: list[str] = []
        j = i
        while j < len(lines):
            if not cells:
                if j in memo:
                    return memo[j]
                fresh.append(j)
            raw = text[slice(*lines[j])]
            t = _WS.sub("", raw).strip("|")
            if not t:
                if "|" in raw and cells:
                    break  # an empty cell: the first data row has begun
                j += 1
                continue
            if len(t) > 12 or _SEQ.fullmatch(t):
                break
            if _SECTION.match(t):
                if len(cells) >= 3:
                    break  # a category row (一、做大做强主导产业) right under the header
                cells = []  # a section heading (二、重点任务分工) before the header
                j += 1
                continue
            if self.columns.column(t).role is None:
                nxt = _WS.sub("", text[slice(*lines[j + 1])]).strip("|") if j + 1 < len(lines) else ""
                if nxt and self.columns.column(t + nxt).role is not None and self.columns.column(nxt).role is None:
                    cells.append(t + nxt)
                    j += 2
                    continue
                if len(cells) >= 3:
                    break
                cells = []  # page furniture or a section title before the header
                j += 1
                continue
            cells.append(t)
            j += 1
        if len(cells) < 3:
            return None, j
        cols = self.columns.header(cells)
        if cols is None or cols[0].role not in ("seq", "category", "task"):
            return None, j
        return cols, j

    def _line_rows(self, text: str, lines: list[tuple[int, int]], j: int, cols: list[Column]
                   ) -> tuple[list[TableRow], int]:
        """Rows under a one-cell-per-line header: each starts at its sequence number."""
        header = tuple(c.text for c in cols)
        roles = [c.role for c in cols]
        if "seq" not in roles:
            return self._counted_rows(text, lines, j, header, roles)
        groups: list[list[Cell]] = []
        expect: int | None = None
        start = j
        while j < len(lines):
            s, e = lines[j]
            c = _line_cell(text, s, e)
            if not c.text and not text[s:e].strip().startswith("|"):
                j += 1
                continue
            if _SECTION.match(c.text) and len(c.text) <= 30:
                j += 1
                continue  # a category row between rows (一、做大做强主导产业)
            m = re.fullmatch(r"([0-9]{1,3})[.、]?", c.text)
            if m and (expect is None or int(m.group(1)) == expect):
                groups.append([c])
                expect = int(m.group(1)) + 1
            elif groups:
                if len(groups[-1]) >= len(roles) + 3:
                    break
                groups[-1].append(c)
            elif len(c.text) <= 20 and j < start + 3:
                pass  # a category cell before the first row (农业高质高效)
            else:
                break
            j += 1
        out: list[TableRow] = []
        for n_group, g in enumerate(groups):
            kinds = [self.kind(c.text) for c in g]
            placed = align(kinds, roles, self.columns.unit_roles)
            if n_group == len(groups) - 1:
                placed = placed[:1]  # what follows the last row and fits no column is the text after the table
            k = 0
            for sub in placed:
                cells = g[k:k + len(sub)]
                k += len(sub)
                merged = _merge_same_column(text, cells, sub)
                if not any(c.text for c, _ in merged):
                    continue
                out.append(TableRow(tuple(c for c, _ in merged), header,
                                    roles=tuple(roles[x] if x >= 0 else None for _, x in merged),
                                    header_roles=tuple(roles)))
        return out, j

    def _counted_rows(self, text: str, lines: list[tuple[int, int]], j: int, header: tuple[str, ...],
                      roles: list[str | None]) -> tuple[list[TableRow], int]:
        """Rows of a one-cell-per-line table without a 序号 column: empty cells are written (``|``), so a
        row is as many lines as the header has cells; the table ends at a blank line or a long line."""
        out: list[TableRow] = []
        n = len(roles)
        while j + n <= len(lines):
            block = lines[j:j + n]
            raw = [text[s:e] for s, e in block]
            if any(not r.strip() for r in raw) or any(len(r.strip()) > 80 and "|" not in r for r in raw):
                break
            cells = tuple(_line_cell(text, s, e) for s, e in block)
            if any(c.text for c in cells):
                out.append(TableRow(cells, header, roles=tuple(roles), header_roles=tuple(roles)))
            j += n
        return out, j


def _merge_same_column(text: str, cells: Sequence[Cell], cols: Sequence[int]) -> list[tuple[Cell, int]]:
    """Consecutive cells placed in one column become one cell (a unit list over several lines)."""
    out: list[tuple[Cell, int]] = []
    for c, x in zip(cells, cols, strict=True):
        if out and out[-1][1] == x and x >= 0 and c.text:
            prev = out[-1][0]
            out[-1] = (Cell(prev.nstart, c.nend, text[prev.nstart:c.nend]), x)
        else:
            out.append((c, x))
    return out


def _is_pipe_line(line: str) -> bool:
    return line.count("|") >= 2 or (line.count("|") == 1 and not line.rstrip().endswith("|"))


def line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line, without the newline (and without a CR before it)."""
    out = []
    pos = 0
    for ln in text.split("\n"):
        out.append((pos, pos + len(ln.rstrip("\r"))))
        pos += len(ln) + 1
    return out


def _line_cell(text: str, s: int, e: int) -> Cell:
    """A one-cell-per-line cell: the line without its trailing bars (``||`` is an empty cell)."""
    raw = text[s:e]
    stripped = raw.strip().strip("|").strip()
    if not stripped:
        return Cell(s, s, "")
    off = s + raw.index(stripped)
    return Cell(off, off + len(stripped), stripped)


def pipe_cells(text: str, s: int, e: int) -> list[Cell]:
    """Cells of a pipe line; a leading ``|`` opens no empty cell and the trailing one closes none."""
    cells = []
    pos = s
    for part in text[s:e].split("|"):
        stripped = part.strip()
        if stripped:
            off = pos + part.index(stripped)
            cells.append(Cell(off, off + len(stripped), stripped))
        else:
            cells.append(Cell(pos, pos, ""))
        pos += len(part) + 1
    line = text[s:e]
    if line.lstrip().startswith("|") and cells and not cells[0].text:
        cells.pop(0)
    if line.rstrip().endswith("|") and cells and not cells[-1].text:
        cells.pop()
    return cells
