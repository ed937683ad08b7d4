"""Writing the tables: the DuckDB store (merged across runs) and Parquet/CSV exports.

``OUT/policy.duckdb`` is the cross-document store. A run replaces the rows of
every document it processed — by ``doc_id`` (unchanged file) and by
``source`` (a changed file gets a new ``doc_id``; its old rows go) — inside
one transaction, so reruns never duplicate rows. Parquet and CSV files are
then exported from the store (all documents in it), each written to a
temporary file and renamed into place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.search import update_index
from pipeline.tables import SCHEMAS, TABLES

DB_NAME = "policy.duckdb"


def atomic_path(final: Path) -> tuple[Path, Path]:
    """A temporary path beside ``final`` (same filesystem, so the rename is atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    return Path(tmp), final


def write_atomic_text(final: Path, text: str) -> None:
    """Write a text file atomically."""
    tmp, final = atomic_path(final)
    try:
        tmp.write_text(text, encoding="utf-8", newline="")
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _ensure_table(con: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema) -> None:
    empty = pa.Table.from_pylist([], schema=schema)
    con.register("_empty", empty)
    con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" AS SELECT * FROM _empty LIMIT 0')
    have = {r[0] for r in con.execute(f"DESCRIBE \"{name}\"").fetchall()}
    for col in schema.names:  # columns added in a newer version
        if col not in have:
            con.execute(f'ALTER TABLE "{name}" ADD COLUMN "{col}" {_duck_type(schema.field(col).type)}')
    con.unregister("_empty")


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_list(t):
        return "VARCHAR[]"
    return {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.date32(): "DATE",
            pa.bool_(): "BOOLEAN"}.get(t, "VARCHAR")


def merge_into_store(db_path: Path, tables: dict[str, pa.Table]) -> None:
    """Replace the rows of the run's documents in the store, then insert the new rows."""
    docs = tables["documents"]
    ids = docs.column("doc_id").to_pylist()
    sources = docs.column("source").to_pylist()
    con = duckdb.connect(str(db_path))
    try:
        for name in TABLES:
            _ensure_table(con, name, SCHEMAS[name])
        con.execute("BEGIN TRANSACTION")
        con.register("_ids", pa.table({"doc_id": pa.array(ids, pa.string())}))
        con.register("_src", pa.table({"source": pa.array(sources, pa.string())}))
        # a changed file (same source, new doc_id): its old doc_ids go too
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _gone AS SELECT doc_id FROM _ids UNION "
            "SELECT d.doc_id FROM documents d JOIN _src s ON d.source = s.source"
        )
        for name in TABLES:
            con.execute(f'DELETE FROM "{name}" WHERE doc_id IN (SELECT doc_id FROM _gone)')
        for name in TABLES:
            con.register("_new", tables[name])
            cols = ", ".join(f'"{c}"' for c in SCHEMAS[name].names)
            con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM _new')
            con.unregister("_new")
        con.execute("COMMIT")
        con.execute((Path(__file__).parent / "views.sql").read_text(encoding="utf-8"))
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def arrow_of(rel: duckdb.DuckDBPyRelation) -> pa.Table:
    """A relation as Arrow (``to_arrow_table`` in DuckDB 2, ``arrow`` before)."""
    fetch = getattr(rel, "to_arrow_table", None) or rel.arrow
    return fetch()


def read_store(db_path: Path) -> dict[str, pa.Table]:
    """Every table of the store as Arrow, ordered by document and position."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        out = {}
        for name in TABLES:
            order = "source" if name == "documents" else ("doc_id, start, \"end\"" if "start" in SCHEMAS[name].names
                                                            else "doc_id")
            cols = ", ".join(f'"{c}"' for c in SCHEMAS[name].names)
            t = arrow_of(con.sql(f'SELECT {cols} FROM "{name}" ORDER BY {order}'))
            out[name] = t.cast(SCHEMAS[name])
        return out
    finally:
        con.close()


def _csv_ready(t: pa.Table) -> pa.Table:
    """List columns as JSON arrays, as the contract asks for CSV."""
    cols = []
    for _name, col in zip(t.column_names, t.columns, strict=False):
        if pa.types.is_list(col.type):
            col = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in col.to_pylist()],
                           pa.string())
        cols.append(col)
    return pa.table(cols, names=t.column_names)


def export(out_dir: Path, tables: dict[str, pa.Table]) -> None:
    """Write ``<table>.parquet`` and ``<table>.csv`` for every table, atomically."""
    for name, t in tables.items():
        tmp, final = atomic_path(out_dir / f"{name}.parquet")
        try:
            pq.write_table(t, tmp)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        tmp, final = atomic_path(out_dir / f"{name}.csv")
        try:
            pacsv.write_csv(_csv_ready(t), tmp)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)


def save(out_dir: Path, tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Merge a run's tables into the store and export the whole store; returns it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / DB_NAME
    merge_into_store(db, tables)
    update_index(db, tables["documents"].column("doc_id").to_pylist())  # search index (search.py)
    full = read_store(db)
    export(out_dir, full)
    return full


def sources_in(tables: dict[str, pa.Table]) -> Iterable[str]:
    """Sources of the documents table."""
    return tables["documents"].column("source").to_pylist()
