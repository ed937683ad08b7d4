"""Column roles and cell kinds of the table model: what a header cell names (``lexicons/columns.yaml``), what a
cell holds (a sequence number, a unit list, a date, a person, a unit of measure, text), and the placement of
a row's cells under the columns they fit when empty cells vanished.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.lexicon import read_yaml

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


#: header texts a ``ColumnLexicon`` remembers with their column
_MEMO_MAX = 4096


class ColumnLexicon:
    """Column roles from ``lexicons/columns.yaml``; owns the compiled rules."""

    def __init__(self) -> None:
        data = read_yaml("columns.yaml")
        self.rules = [(r["id"], r["role"], re.compile(r["pattern"])) for r in data["rules"]]
        self.unit_roles = frozenset(data["unit_roles"])
        self.fact_roles = frozenset(data["fact_roles"])
        self._memo: dict[str, Column] = {}

    def column(self, header: str) -> Column:
        """The role of one header cell, matched with all white space removed.

        Remembered by cell text (up to ``_MEMO_MAX`` texts, then forgotten at once): a table flattened onto
        lines of spaced tokens asks for the same cells (1.00, 0/0, |) line after line, each up to 17 searches.
        """
        col = self._memo.get(header)
        if col is None:
            if len(self._memo) >= _MEMO_MAX:
                self._memo.clear()
            col = self._memo[header] = self._column(header)
        return col

    def _column(self, header: str) -> Column:
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
    when no later unit column is left, or when the unit cell after them fits only the next column
    (县海洋与渔业局 / 县农业农村局 / 市海洋渔业局 under 责任部门 | 评分部门: two lines of one 责任部门 cell).
    """
    out: list[list[int]] = []
    cur: list[int] = []
    pointer = 0
    for k, kind in enumerate(kinds):
        j = _next_fit(kind, roles, pointer)
        if kind == "unit" and cur and roles[cur[-1]] in unit_roles and (j is None or _crowded(kinds, k, roles, j)):
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


def _crowded(kinds: Sequence[str], k: int, roles: Sequence[str | None], j: int) -> bool:
    """Would the unit cell after cell ``k`` find no column if cell ``k`` took column ``j`` (but fit ``j`` itself)?"""
    if k + 1 >= len(kinds) or kinds[k + 1] != "unit":
        return False
    return _next_fit("unit", roles, j + 1) is None and _next_fit("unit", roles, j) == j


def _next_fit(kind: str, roles: Sequence[str | None], pointer: int) -> int | None:
    if kind == "empty":
        return pointer if pointer < len(roles) else None
    for j in range(pointer, len(roles)):
        if _fit(kind, roles[j]) > 0:
            return j
    return None


def header_unit(header: str) -> str | None:
    """The unit of measure a header names in brackets: ``总投资(万元)`` → ``万元``."""
    m = _HEADER_UNIT.search(_WS.sub("", header))
    return m.group(1) if m else None
