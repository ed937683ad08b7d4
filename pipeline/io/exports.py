"""The copies of the store for Excel users: ``OUT/<table>.csv`` and ``OUT/policy.xlsx``, and ``policy-extract export``.

They hold the whole store, so writing them costs time in the size of the
store, not of a run. ``extract`` writes them after a run while the store
holds at most ``AUTO_EXPORT_DOCS`` documents (``--export auto``, the
default); over that it removes the old copies, which no longer match the
store, and says so; ``policy-extract export --out OUT`` writes them on demand
(``--export yes`` after every run). The rows are read from the store in
batches, so memory does not grow with the store either.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from pipeline.io.tables import SCHEMAS, TABLES

#: ``extract`` refreshes the CSV files and the workbook itself up to this many documents in the store.
AUTO_EXPORT_DOCS = 1000
#: Excel on Windows reads UTF-8 CSV only with a byte-order mark.
BOM = b"\xef\xbb\xbf"
BATCH_ROWS = 20_000
WORKBOOK = "policy.xlsx"


def _csv_ready(t: pa.RecordBatch) -> pa.RecordBatch:
    """List columns as JSON arrays, as the contract asks for CSV."""
    cols = []
    for col in t.columns:
        if pa.types.is_list(col.type):
            col = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in col.to_pylist()],
                           pa.string())
        cols.append(col)
    return pa.RecordBatch.from_arrays(cols, names=t.schema.names)


def batches(con: duckdb.DuckDBPyConnection, table: str) -> Iterator[pa.RecordBatch]:
    """A table of the store in batches of ``BATCH_ROWS`` rows, ordered like ``store.read_store``."""
    from pipeline.io.dataset import order_by
    from pipeline.io.store import arrow_reader

    cols = ", ".join(f'"{c}"' for c in SCHEMAS[table].names)
    reader = arrow_reader(con, f'SELECT {cols} FROM "{table}" ORDER BY {order_by(table)}', BATCH_ROWS)
    for b in reader:
        yield b.cast(SCHEMAS[table])


def write_csv(con: duckdb.DuckDBPyConnection, out_dir: Path, table: str, csv_bom: bool = True) -> None:
    """``OUT/<table>.csv`` from the store, atomically."""
    from pipeline.io.store import atomic_path

    tmp, final = atomic_path(out_dir / f"{table}.csv")
    try:
        with tmp.open("wb") as fh:
            if csv_bom:
                fh.write(BOM)
            with pacsv.CSVWriter(fh, _csv_schema(table)) as writer:
                for b in batches(con, table):
                    writer.write_batch(_csv_ready(b))
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _csv_schema(table: str) -> pa.Schema:
    schema = SCHEMAS[table]
    return pa.schema([pa.field(f.name, pa.string() if pa.types.is_list(f.type) else f.type) for f in schema])


def write_exports(out_dir: Path, csv_bom: bool = True, xlsx: bool = True) -> None:
    """Every ``<table>.csv`` and (unless ``xlsx`` is false) ``policy.xlsx``, from the store in ``out_dir``."""
    from pipeline.io.store import DB_NAME
    from pipeline.io.workbook import write_workbook

    con = duckdb.connect(str(out_dir / DB_NAME), read_only=True)
    try:
        for table in TABLES:
            write_csv(con, out_dir, table, csv_bom)
        if xlsx:
            write_workbook(out_dir / WORKBOOK, con)
    finally:
        con.close()


def remove_exports(out_dir: Path) -> list[str]:
    """Remove the CSV files and the workbook (copies the store has outgrown); returns the names removed."""
    gone = []
    for name in [*(f"{t}.csv" for t in TABLES), WORKBOOK]:
        path = out_dir / name
        if path.is_file():
            try:
                path.unlink()
            except OSError:  # open in a program that locks it (Excel on Windows): left, and named
                continue
            gone.append(name)
    return gone


@dataclass(frozen=True)
class ExportOptions:
    """``policy-extract export``: the output folder, the CSV byte-order mark, the workbook, waiting, quiet."""

    out: Path
    csv_no_bom: bool = False
    no_xlsx: bool = False
    wait: bool = False
    quiet: bool = False


def run_export(args: ExportOptions) -> int:
    """``policy-extract export --out OUT``: the CSV files and ``policy.xlsx`` of a store; 0 done, 2 usage error."""
    from pipeline.io.outlock import OutLock, OutputError, say, wait_for_store
    from pipeline.io.store import DB_NAME

    out: Path = args.out
    db = out / DB_NAME
    if not db.is_file():
        print(f"policy-extract export: no store at {db}; run `policy-extract extract PATH --out {out}` first",
              file=sys.stderr)
        return 2
    lock = OutLock(out)
    try:
        lock.acquire(args.wait, say)
        try:
            wait_for_store(db, args.wait, say)
            from pipeline.io import dataset
            from pipeline.io.store import connect_rw

            con = connect_rw(db)
            try:
                dataset.sync(con, out)  # Parquet parts a killed run left unwritten
            finally:
                con.close()
            write_exports(out, csv_bom=not args.csv_no_bom, xlsx=not args.no_xlsx)
        finally:
            lock.release()
    except OutputError as exc:
        print(f"policy-extract export: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        what = "the CSV files" + ("" if args.no_xlsx else f" and {WORKBOOK}")
        print(f"policy-extract export: wrote {what} to {out}/", file=sys.stderr)
    return 0
