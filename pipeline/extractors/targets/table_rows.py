"""Targets written as bare numbers in the planned-value cells of tables (年度目标 | 0.07 with 单位 | 万亩).

A bare number in a planned column is a target (ANNOTATION.md, Tables): its unit is the row's unit-of-measure
cell or the unit the column header names in brackets (``总投资(万元)``), else none; its indicator is the
column header when the header names a quantity (总投资), else the row's own indicator cell (考核内容).
Numbers that carry their unit in the cell are read by the ordinary targets stage.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.extractors.quantities import UnitTable, round_base
from pipeline.lexicon import read_yaml
from pipeline.models import Target
from pipeline.stages.document import PolicyDoc, TableRow
from pipeline.stages.grid import header_unit

_BARE = re.compile(r"(?P<cmp>≥|≤|>=|<=|约|不低于|不少于|不超过)?\s*(?P<num>[0-9]+(?:\.[0-9]+)?)\s*(?P<pct>%)?\s*"
                   r"(?P<after>以上|以下|以内|左右)?")
_CMP = {"≥": ">=", ">=": ">=", "不低于": ">=", "不少于": ">=", "以上": ">=", "≤": "<=", "<=": "<=",
        "不超过": "<=", "以下": "<=", "以内": "<=", "约": "~", "左右": "~"}


class TableTargets:
    """Bare planned values of table rows; owns the unit table and the generic-header list."""

    def __init__(self, units: UnitTable | None = None) -> None:
        self.units = units or UnitTable()
        data = read_yaml("columns.yaml")
        self.generic_headers = re.compile(data["generic_planned_header"])
        self.growth_words = re.compile(data["growth_indicator"])

    def __call__(self, doc: PolicyDoc, kind_of: Callable[[str, str, str | None], str]) -> list[Target]:
        """Targets of the bare planned cells of ``doc``; ``kind_of(indicator, predicate, unit)`` names the kind."""
        out: list[Target] = []
        for row in doc.table_rows:
            for k, (cell, role) in enumerate(zip(row.cells, row.roles, strict=False)):
                if role != "planned" or cell.nstart >= cell.nend:
                    continue
                m = _BARE.fullmatch(cell.text)
                if m is None:
                    continue
                out.append(self._target(doc, row, k, m, kind_of))
        return out

    def _target(self, doc: PolicyDoc, row: TableRow, k: int, m: re.Match[str],
                kind_of: Callable[[str, str, str | None], str]) -> Target:
        cell = row.cells[k]
        value = float(m.group("num"))
        unit = "%" if m.group("pct") else self._unit(row, k)
        info = self.units.lookup(unit) if unit else None
        cmp_word = m.group("cmp") or m.group("after")
        indicator = self._indicator(row, k)
        if unit == "%":
            kind = "growth" if self.growth_words.search(indicator) else "share"
        else:
            kind = kind_of(indicator, "", unit)
        return Target(
            span=doc.span(cell.nstart, cell.nend), indicator=indicator, kind=kind,
            comparator=_CMP.get(cmp_word or "", "="), value=value, unit=unit,
            value_base=round_base(value * info.scale) if info else value, unit_base=info.unit_base if info else unit,
            rule="targets.table.planned_cell",
        )

    def _unit(self, row: TableRow, k: int) -> str | None:
        for cell, role in zip(row.cells, row.roles, strict=False):
            if role == "measure" and cell.text and cell.text not in ("-", "—", "/"):
                return cell.text
        header = self._header_of(row, k)
        return header_unit(header) if header else None

    def _indicator(self, row: TableRow, k: int) -> str:
        header = self._header_of(row, k) or ""
        name = re.sub(r"[(][^()]*[)]$", "", header)
        if name and not self.generic_headers.fullmatch(name):
            return name  # 总投资, 2022年计划投资: the header names the quantity
        tasks = [c.text for c, r in zip(row.cells[:k], row.roles[:k], strict=False) if r == "task" and c.text]
        short = [t for t in tasks if len(t) <= 30]
        return (short or tasks or [name])[-1]

    @staticmethod
    def _header_of(row: TableRow, k: int) -> str | None:
        """The header text of cell ``k``'s column: the n-th header cell of the cell's role."""
        role = row.roles[k]
        same = [h for h, r in zip(row.header, row.header_roles, strict=False) if r == role]
        before = sum(1 for r in row.roles[:k] if r == role)
        return same[before] if before < len(same) else None
