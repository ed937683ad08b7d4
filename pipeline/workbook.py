"""``OUT/policy.xlsx``: every table of the store as one Excel workbook, a sheet per table.

For policy offices that work in Excel (or WPS): list columns (lead units…)
are joined with ``、`` as a person would write them, dates are Excel dates.
Characters that the XLSX format cannot hold (control characters of broken
files) are dropped from that cell; the Parquet and CSV files keep them. A
sheet holds at most ``MAX_ROWS`` rows; a larger table is cut there and the
sheet says so in its last row (the Parquet/CSV files have every row).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa

#: Excel's limit per sheet, less the header row and the note row.
MAX_ROWS = 1_048_576 - 2
#: Excel's limit per cell.
MAX_CELL = 32_767
LIST_SEP = "、"


def _cell(v: Any, illegal: Any) -> Any:
    if isinstance(v, list):
        v = LIST_SEP.join(str(x) for x in v if x is not None)
    if isinstance(v, str):
        v = illegal.sub("", v)[:MAX_CELL]
    return v


def write_workbook(final: Path, tables: dict[str, pa.Table]) -> None:
    """Write the tables to ``final`` (atomically, readable by others as the umask allows)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from pipeline.store import atomic_path

    wb = Workbook(write_only=True)
    for name, t in tables.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append(t.column_names)
        for i, row in enumerate(t.to_pylist()):
            if i == MAX_ROWS:
                ws.append([f"… cut at {MAX_ROWS} rows: {t.num_rows} in {name}.parquet"])
                break
            ws.append([_cell(v, ILLEGAL_CHARACTERS_RE) for v in row.values()])
    tmp, final = atomic_path(final)
    try:
        wb.save(tmp)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
