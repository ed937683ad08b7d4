"""``OUT/<table>.parquet/``: each table as a folder of Parquet parts, appended to per run.

A folder of parts is one table for pandas (``pd.read_parquet(folder)``),
DuckDB (``read_parquet('OUT/<table>.parquet/*.parquet')``) and Arrow/R
(``open_dataset``), as ``OUTPUT_SCHEMA.md`` allows. Every table has the same
parts: ``p<number>.parquet`` holds the rows of a fixed set of documents
(at most ``PART_DOCS``). A run adds new parts for its documents and rewrites
only the parts of documents it replaced or removed, so adding N documents costs
time in N, not in the size of the store.

Which document is in which part is kept in the store (``export_parts``), and
the parts still to be written in ``export_pending``; both change in the merge's
transaction. Parts are written from the store after the commit, each file to
a temporary name and renamed into place. A run killed before it has written
them leaves them pending: the next ``save`` (or ``policy-extract export``)
writes them first, so the folders always end up equal to the store.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipeline.io.tables import SCHEMAS, TABLES

#: Documents per part at most: the rows rewritten when one of them is replaced.
PART_DOCS = 500
#: Rows fetched from the store at a time while a part is written (bounded memory).
BATCH_ROWS = 50_000

_DDL = (
    "CREATE TABLE IF NOT EXISTS export_parts (doc_id VARCHAR, part BIGINT)",
    "CREATE TABLE IF NOT EXISTS export_pending (part BIGINT)",
    "CREATE TABLE IF NOT EXISTS export_meta (key VARCHAR, value VARCHAR)",
)


def folder(out_dir: Path, table: str) -> Path:
    """The dataset folder of ``table``."""
    return out_dir / f"{table}.parquet"


def part_name(part: int) -> str:
    """File name of a part (zero-padded, so that name order is the order the parts were added)."""
    return f"p{part:07d}.parquet"


def _fingerprint() -> str:
    """The tables' schemas: parts written under other schemas are all rewritten."""
    text = ";".join(f"{t}:{SCHEMAS[t]}" for t in TABLES)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
                            [name]).fetchall())


def plan(con: duckdb.DuckDBPyConnection) -> None:
    """Inside the merge's transaction: place the run's documents in new parts, mark the parts to write.

    Expects the temporary tables ``_run_docs`` (the run's documents) and
    ``_touched`` (documents whose rows or sources changed or went). A store
    without this bookkeeping (older versions wrote one file per table), or
    whose parts were written under other schemas, gets every part written.
    """
    fresh = not _has(con, "export_parts")
    for ddl in _DDL:
        con.execute(ddl)
    (fp,) = con.execute("SELECT coalesce(max(value), '') FROM export_meta WHERE key = 'schema'").fetchall()[0]
    # old placements of changed or removed documents: those parts are rewritten without them
    con.execute("INSERT INTO export_pending SELECT DISTINCT part FROM export_parts "
                "WHERE doc_id IN (SELECT doc_id FROM _touched)")
    con.execute("DELETE FROM export_parts WHERE doc_id IN (SELECT doc_id FROM _run_docs) "
                "OR (doc_id IN (SELECT doc_id FROM _touched) AND doc_id NOT IN (SELECT doc_id FROM documents))")
    placed = "" if fresh else "WHERE doc_id IN (SELECT doc_id FROM _run_docs)"
    (first,) = con.execute("SELECT coalesce(max(part), 0) + 1 FROM (SELECT part FROM export_parts UNION ALL "
                           "SELECT part FROM export_pending)").fetchall()[0]
    con.execute(f"INSERT INTO export_parts SELECT doc_id, {int(first)} + (row_number() OVER (ORDER BY source, doc_id)"
                f" - 1) // {PART_DOCS} FROM documents {placed}")
    con.execute(f"INSERT INTO export_pending SELECT DISTINCT part FROM export_parts WHERE part >= {int(first)}")
    if fp != _fingerprint():
        con.execute("INSERT INTO export_pending SELECT DISTINCT part FROM export_parts")
        con.execute("DELETE FROM export_meta WHERE key = 'schema'")
        con.execute("INSERT INTO export_meta VALUES ('schema', ?)", [_fingerprint()])


def order_by(table: str) -> str:
    """The order of a table's rows in a part and in the exports: by document, then position."""
    if table in ("documents", "document_sources"):
        return "source, doc_id"
    return 'doc_id, start, "end"' if "start" in SCHEMAS[table].names else "doc_id"


def _write_part(con: duckdb.DuckDBPyConnection, out_dir: Path, part: int) -> None:
    """Write one part of every table from the store (or remove it when it holds no document any more)."""
    from pipeline.io.store import arrow_reader, atomic_path

    (n,) = con.execute("SELECT count(*) FROM export_parts WHERE part = ?", [part]).fetchall()[0]
    for table in TABLES:
        where = folder(out_dir, table)
        if where.exists() and not where.is_dir():
            where.unlink()  # a single file of an older version
        final = where / part_name(part)
        if not n:
            final.unlink(missing_ok=True)
            continue
        where.mkdir(parents=True, exist_ok=True)
        cols = ", ".join(f'"{c}"' for c in SCHEMAS[table].names)
        reader = arrow_reader(con, f'SELECT {cols} FROM "{table}" WHERE doc_id IN '
                              f"(SELECT doc_id FROM export_parts WHERE part = {int(part)}) "
                              f"ORDER BY {order_by(table)}", BATCH_ROWS)
        tmp, final = atomic_path(final)
        try:
            with pq.ParquetWriter(tmp, SCHEMAS[table]) as writer:
                for batch in reader:
                    writer.write_batch(batch.cast(SCHEMAS[table]))
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)


def sync(con: duckdb.DuckDBPyConnection, out_dir: Path) -> int:
    """Write every pending part (left by this run or by a killed one); returns how many were written.

    Each part is taken off the pending list once all its files are in place,
    so a run killed here leaves the rest for the next one.
    """
    if not _has(con, "export_pending"):
        return 0
    for table in TABLES:  # temporary files of a killed run (callers hold the lock on OUT)
        for tmp in folder(out_dir, table).glob(".*.tmp") if folder(out_dir, table).is_dir() else ():
            tmp.unlink(missing_ok=True)
    parts = [r[0] for r in con.execute("SELECT DISTINCT part FROM export_pending ORDER BY part").fetchall()]
    for part in parts:
        _write_part(con, out_dir, part)
        con.execute("DELETE FROM export_pending WHERE part = ?", [part])
    if parts:
        _prune(con, out_dir)
    return len(parts)


def _prune(con: duckdb.DuckDBPyConnection, out_dir: Path) -> None:
    """Remove what is no part of the store: a single ``<table>.parquet`` file of older versions, stray parts."""
    keep = {part_name(r[0]) for r in con.execute("SELECT DISTINCT part FROM export_parts").fetchall()}
    for table in TABLES:
        where = folder(out_dir, table)
        if where.is_dir():
            for f in where.glob("p*.parquet"):
                if f.name not in keep:
                    f.unlink(missing_ok=True)
        elif where.exists():
            where.unlink()
