"""``OUT/policy.xlsx``: every table of the store as one Excel workbook, a sheet per table (``exports.py``).

For policy offices that work in Excel (or WPS): list columns (lead units…)
are joined with ``、`` as a person would write them, dates are Excel dates.
Characters that the XLSX format cannot hold (control characters of broken
files) are dropped from that cell; the Parquet and CSV files keep them. A text
that opens with ``=`` stays text (Excel would run it as a formula). A
sheet holds at most ``MAX_ROWS`` rows; a larger table is cut there and the
sheet says so in its last row (the Parquet/CSV files have every row).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

#: Excel's limit per sheet, less the header row and the note row.
MAX_ROWS = 1_048_576 - 2
#: Excel's limit per cell.
MAX_CELL = 32_767
LIST_SEP = "、"


def _cell(v: Any, illegal: Any, ws: Any) -> Any:
    if isinstance(v, list):
        v = LIST_SEP.join(str(x) for x in v if x is not None)
    if isinstance(v, str):
        v = illegal.sub("", v)[:MAX_CELL]
        if v.startswith("="):  # text, never a formula (=（本年度收入）/2 of an indicator's definition)
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            return cell
    return v


def write_workbook(final: Path, batches: Callable[[str], Iterable[pa.RecordBatch]],
                   totals: Mapping[str, int]) -> None:
    """Write every table, row batches from ``batches(table)`` (``totals[table]`` rows), to ``final``.

    Written atomically, readable as the umask allows. The batches come from
    the store (``exports.store_batches``) or from its snapshot
    (``exports.snapshot_batches``); openpyxl's write-only sheets stream them
    to disk, so memory stays bounded whatever the size of the store.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from pipeline.io.store import atomic_path
    from pipeline.io.tables import SCHEMAS, TABLES

    wb = Workbook(write_only=True)
    for name in TABLES:
        ws = wb.create_sheet(title=name[:31])
        ws.append(SCHEMAS[name].names)
        total = totals[name]
        i = 0
        for batch in batches(name):
            for row in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                if i == MAX_ROWS:
                    break
                ws.append([_cell(v, ILLEGAL_CHARACTERS_RE, ws) for v in row])
                i += 1
            if i == MAX_ROWS:
                break
        if total > MAX_ROWS:
            ws.append([f"… cut at {MAX_ROWS} rows: {total} in {name}.parquet"])
    tmp, final = atomic_path(final)
    try:
        wb.save(tmp)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
