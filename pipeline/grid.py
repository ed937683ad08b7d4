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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.document import Cell, TableRow
from pipeline.lexicon import read_yaml
from pipeline.numbers import UnitTable

_WS = re.compile(r"\s+")
_SEQ = re.compile(r"[0-9]{1,3}[.、]?|[一二三四五六七八九十]{1,3}、?")
_DATE = re.compile(
    r"(?:(?:19|20)[0-9]{2}\s*年|[0-9]{1,2}\s*月|季度|年底|年内|月底|上半年|下半年|长期|持续|常态|每[年季月周]|[0-9]{4}[-./][0-9]{1,2})"
)
_UNIT_END = re.compile(
    r"(?:局|委|办|厅|部|院|中心|政府|街道|镇|乡|公司|集团|银行|处|科|室|所|站|队|会|馆|社|分局|管委会|指挥部|"
    r"小组|园区|开发区|高新区|学校|医院|党工委|团|署|台|联|司|行|队伍|总队|支队|大队|办公室)"
    r"(?:\([^()]{1,12}\))?$"
)
_ITEM_SPLIT = re.compile(r"[、,，;；\s]+")
_PERSON = re.compile(r"[\u4e00-\u9fff]{2,3}")
_YESNO = re.compile(r"是|否|已完成|未完成|完成")
_SECTION = re.compile(r"[一二三四五六七八九十]+、|[(][一二三四五六七八九十]+[)]|第[一二三四五六七八九十]+[章节部分]")
_HEADER_UNIT = re.compile(r"[(]([^()]{1,6})[)]$")

#: Which cell kinds a column role accepts (first = best fit).
_FITS: dict[str | None, tuple[str, ...]] = {
    "seq": ("seq",),
    "category": ("text",),
    "task": ("text",),
    "planned": ("number", "text", "measure", "seq"),
    "progress": ("text", "number", "yesno", "seq"),
    "status": ("yesno", "text"),
    "leader": ("person",),
    "lead": ("unit",),
    "main": ("unit",),
    "co": ("unit",),
    "resp": ("unit",),
    "deadline": ("date",),
    "period": ("date", "number"),
    "measure": ("measure", "text"),
    "assessor": ("unit",),
    "remarks": ("text", "unit", "date", "number", "yesno", "person", "measure"),
    "place": ("text",),
    None: ("text",),
}


@dataclass(frozen=True, slots=True)
class Column:
    """A header cell: its text (white space removed), role and the rule that gave it."""

    text: str
    role: str | None
    rule: str | None


class ColumnLexicon:
    """Column roles from ``lexicons/columns.yaml``; owns the compiled rules."""

    def __init__(self) -> None:
        data = read_yaml("columns.yaml")
        self.rules = [(r["id"], r["role"], re.compile(r["pattern"])) for r in data["rules"]]
        self.unit_roles = frozenset(data["unit_roles"])
        self.fact_roles = frozenset(data["fact_roles"])

    def column(self, header: str) -> Column:
        """The role of one header cell, matched with all white space removed."""
        h = _WS.sub("", header).strip("|:")
        if not h or len(h) > 20:
            return Column(h, None, None)
        for rid, role, rx in self.rules:
            if rx.search(h):
                return Column(h, role, rid)
        return Column(h, None, None)

    def header(self, cells: Sequence[str]) -> list[Column] | None:
        """The columns of a header row, or None when ``cells`` are not a header.

        A header has at least two named cells, names at least 60 % of its non-empty cells, holds a
        unit, task or deadline column and no long cell.
        """
        cols = [self.column(c) for c in cells]
        filled = [c for c in cols if c.text]
        named = [c for c in filled if c.role]
        if len(named) < 2 or len(named) < 0.6 * len(filled) or any(len(c.text) > 16 for c in filled):
            return None
        if not any(c.role in self.unit_roles or c.role in ("task", "deadline") for c in named):
            return None
        if sum(1 for c in filled if _SEQ.fullmatch(c.text)) > 0 and not any(c.role == "seq" for c in named):
            return None
        return cols


def cell_kind(text: str, measure: Callable[[str], bool] | None = None) -> str:
    """What a cell holds: ``empty``, ``seq``, ``date``, ``unit``, ``person``, ``number``, ``measure`` (a unit of
    measure: %, 万亩, 万元/人 — when ``measure`` is given), ``yesno`` or ``text``."""
    t = _WS.sub(" ", text).strip(" |")
    if not t:
        return "empty"
    if t in ("%", "‰", "-", "—", "/") or (measure is not None and len(t) <= 8 and measure(t)):
        return "measure"
    if _SEQ.fullmatch(t):
        return "seq"
    if re.fullmatch(r"(?:19|20)[0-9]{2}[-./][0-9]{1,2}(?:[-./][0-9]{1,2})?", t):
        return "date"  # 2021.8, 2021-12-31
    if re.fullmatch(r"[0-9.,%]+|[0-9.]+\s*[-—~]\s*[0-9.]+", t):
        return "number"
    if len(t) <= 24 and _DATE.search(t) and not _UNIT_END.search(t):
        return "date"
    items = [x for x in _ITEM_SPLIT.split(t) if x]
    units = [x for x in items if (_UNIT_END.search(x) or x.startswith(("各", "相关", "有关")))
             and not re.search(r"[0-9]", x)]  # 新建口袋公园2处 is a task, not a 处
    if units and all(len(x) <= 30 for x in items) and all(x in units or _PERSON.fullmatch(x) for x in items):
        return "unit"  # a unit list, perhaps with the names of the persons in charge (市民政局 伍泽国)
    if (len(t) <= 4 and t in ("是", "否", "完成", "已完成", "未完成")) or _YESNO.fullmatch(t):
        return "yesno"
    if all(_PERSON.fullmatch(x) for x in items) and len(items) <= 4:
        return "person"
    return "text"


def _fit(kind: str, role: str | None) -> float:
    if kind == "empty":
        return 0.1
    fits = _FITS.get(role, ("text",))
    if kind in fits:
        return 2.0 if fits[0] == kind else 1.0
    return -1.0


def align(kinds: Sequence[str], roles: Sequence[str | None], unit_roles: frozenset[str]) -> list[list[int]]:
    """Place cells of the given kinds under columns of the given roles, in order (vanished cells skipped).

    Returns one list of column indexes per (sub-)row: a cell that fits no later column starts a new
    sub-row (a row holding two tasks with their own deadlines). Consecutive unit cells share a column
    when no later unit column is left.
    """
    out: list[list[int]] = []
    cur: list[int] = []
    pointer = 0
    for kind in kinds:
        j = _next_fit(kind, roles, pointer)
        if kind == "unit" and cur and roles[cur[-1]] in unit_roles and j is None:
            cur.append(cur[-1])  # another line of the same unit cell
            continue
        if j is None:
            if cur:
                out.append(cur)
            cur = []
            j = _next_fit(kind, roles, 0)
            if j is None:
                cur.append(-1)
                pointer = 0
                continue
        cur.append(j)
        pointer = j + 1
    if cur:
        out.append(cur)
    return out


def _next_fit(kind: str, roles: Sequence[str | None], pointer: int) -> int | None:
    if kind == "empty":
        return pointer if pointer < len(roles) else None
    for j in range(pointer, len(roles)):
        if _fit(kind, roles[j]) > 0:
            return j
    return None


class TableReader:
    """Reads the tables of a normalised text into ``TableRow`` objects with column roles."""

    def __init__(self, columns: ColumnLexicon | None = None, units: UnitTable | None = None) -> None:
        self.columns = columns or ColumnLexicon()
        table = units or UnitTable()
        self._measure = lambda t: table.lookup(t) is not None

    def kind(self, text: str) -> str:
        """The kind of a cell's content (see ``cell_kind``), with units of measure from ``lexicons/units.tsv``."""
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
        out: list[TableRow] = []
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
            if not closed and out:
                # the previous row's last cell runs over onto this line
                prev = out.pop()
                first = cells[0] if cells else Cell(s, s, "")
                last = prev.cells[-1]
                merged = Cell(last.nstart, first.nend, text[last.nstart:first.nend]) if first.text else last
                cells = [*prev.cells[:-1], merged, *cells[1:]]
            closed = not closing or line.rstrip().endswith("|")
            if all(re.fullmatch(r":?-{2,}:?", c.text) or not c.text for c in cells):
                i += 1
                continue  # a Markdown separator row
            if self.columns.header([c.text for c in cells]) is not None and not out:
                i += 1
                continue  # a second header line (sub-headers) directly under the first
            out.append(self._placed(cells, header, roles))
            i += 1
        return out, i

    def _placed(self, cells: Sequence[Cell], header: tuple[str, ...], roles: list[str | None]) -> TableRow:
        """A pipe row with a role per cell: same count → by position; fewer → right-aligned when the
        kinds fit (merged leading cells), else placed by kind."""
        n, m = len(cells), len(roles)
        while n > 1 and not cells[n - 1].text:
            n -= 1  # trailing empty cells of a sub-row (`2021.8 | 城投集团 | ||`) carry no position
        cells = cells[:n]
        if n == m:
            return TableRow(tuple(cells), header, roles=tuple(roles), header_roles=tuple(roles))
        if n < m:
            kinds = [self.kind(c.text) for c in cells]
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


def header_unit(header: str) -> str | None:
    """The unit of measure a header names in brackets: ``总投资(万元)`` → ``万元``."""
    m = _HEADER_UNIT.search(_WS.sub("", header))
    return m.group(1) if m else None
