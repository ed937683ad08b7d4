"""Writing the tables: the DuckDB store (merged across runs) and Parquet/CSV exports.

``OUT/policy.duckdb`` is the cross-document store. A document is its bytes
(``doc_id``, the content hash); where it was found is ``document_sources``
(one row per ``source``, i.e. collection + path inside it, with the resolved
path). A run replaces the rows of every document it processed and, for each
source it read, the document that source held before when the file changed
(that old document goes once no source points at it) — inside one
transaction, so reruns never duplicate rows and two different files never
replace each other. Parquet and CSV files are then exported from the store
(all documents in it), each written to a temporary file and renamed into place.

The store is written in DuckDB storage format ``STORAGE_VERSION`` so that
older DuckDB releases (R, DBeaver, the CLI) can open it.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.search import update_index
from pipeline.tables import SCHEMAS, TABLES

DB_NAME = "policy.duckdb"
#: DuckDB storage format of a new store: readable by DuckDB 1.4, 1.5 and 2.x.
STORAGE_VERSION = "v1.4.0"
#: Excel on Windows reads UTF-8 CSV only with a byte-order mark.
BOM = b"\xef\xbb\xbf"


def connect_rw(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection; a new store is created in ``STORAGE_VERSION`` format."""
    return duckdb.connect(str(db_path), config={"storage_compatibility_version": STORAGE_VERSION})


def atomic_path(final: Path) -> tuple[Path, Path]:
    """A new empty temporary file beside ``final`` (same filesystem, so the rename is atomic).

    Created with mode 0666 minus the umask, like any file the user makes
    (``mkstemp`` would give 0600, unreadable to colleagues on a shared drive).
    """
    tmp = final.parent / f".{final.name}.{uuid.uuid4().hex[:8]}.tmp"
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    return tmp, final


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


def merge_into_store(db_path: Path, tables: dict[str, pa.Table]) -> list[str]:
    """Merge a run's tables into the store; returns the sources whose file changed (old rows replaced)."""
    con = connect_rw(db_path)
    try:
        had_sources = _has_table(con, "document_sources")
        for name in TABLES:
            _ensure_table(con, name, SCHEMAS[name])
        con.execute("BEGIN TRANSACTION")
        if not had_sources:  # a store from before document_sources: each document keeps its source
            con.execute("INSERT INTO document_sources (doc_id, source) SELECT doc_id, source FROM documents")
        con.register("_run_docs", tables["documents"].select(["doc_id"]))
        con.register("_run_src", tables["document_sources"])
        # sources of this run that held another document before: the file changed
        changed = con.execute(
            "CREATE OR REPLACE TEMP TABLE _changed AS SELECT DISTINCT s.source, s.doc_id AS old_id "
            "FROM document_sources s JOIN _run_src r USING (source) WHERE s.doc_id <> r.doc_id; "
            "SELECT DISTINCT source FROM _changed ORDER BY source"
        ).fetchall()
        con.execute("DELETE FROM document_sources WHERE source IN (SELECT source FROM _run_src)")
        # the run's documents are re-inserted; an old version goes when no source points at it any more
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _gone AS SELECT doc_id FROM _run_docs UNION "
            "SELECT old_id FROM _changed WHERE old_id NOT IN (SELECT doc_id FROM document_sources)"
        )
        for name in TABLES:
            if name != "document_sources":
                con.execute(f'DELETE FROM "{name}" WHERE doc_id IN (SELECT doc_id FROM _gone)')
        for name in TABLES:
            con.register("_new", tables[name])
            cols = ", ".join(f'"{c}"' for c in SCHEMAS[name].names)
            con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM _new')
            con.unregister("_new")
        # a document found under several names is listed under the first of them
        con.execute("UPDATE documents SET source = s.source FROM (SELECT doc_id, min(source) AS source "
                    "FROM document_sources GROUP BY doc_id) s WHERE documents.doc_id = s.doc_id")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        con.close()
        raise
    try:
        con.execute((Path(__file__).parent / "views.sql").read_text(encoding="utf-8"))
    finally:
        con.close()
    return [r[0] for r in changed]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name]).fetchall()
    return bool(rows)


def source_conflicts(db_path: Path, locations: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(source, stored path)`` for each ``(source, resolved path)`` the store has from another path.

    Two folders with the same name (``a/in`` and ``b/in``) would give the
    same sources; the caller asks for ``--collection`` instead of letting
    one replace the other.
    """
    if not db_path.is_file():
        return []
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        if not _has_table(con, "document_sources"):
            return []
        con.register("_loc", pa.table({"source": pa.array([s for s, _ in locations], pa.string()),
                                       "path": pa.array([p for _, p in locations], pa.string())}))
        rows = con.execute("SELECT DISTINCT l.source, s.path FROM _loc l JOIN document_sources s USING (source) "
                           "WHERE s.path IS NOT NULL AND s.path <> l.path ORDER BY l.source").fetchall()
        return [(r[0], r[1]) for r in rows]
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
            order = "source" if name in ("documents", "document_sources") else ("doc_id, start, \"end\"" if "start" in SCHEMAS[name].names
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


def export(out_dir: Path, tables: dict[str, pa.Table], csv_bom: bool = True, xlsx: bool = True) -> None:
    """Write ``<table>.parquet`` and ``<table>.csv`` for every table, and ``policy.xlsx``, atomically.

    The CSV files start with a UTF-8 byte-order mark unless ``csv_bom`` is
    false: Excel on Chinese Windows reads UTF-8 only with it (pandas, R's
    readr and DuckDB skip it).
    """
    for name, t in tables.items():
        tmp, final = atomic_path(out_dir / f"{name}.parquet")
        try:
            pq.write_table(t, tmp)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        tmp, final = atomic_path(out_dir / f"{name}.csv")
        try:
            with tmp.open("wb") as fh:
                if csv_bom:
                    fh.write(BOM)
                pacsv.write_csv(_csv_ready(t), fh)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
    if xlsx:
        from pipeline.workbook import write_workbook

        write_workbook(out_dir / "policy.xlsx", tables)


def save(out_dir: Path, tables: dict[str, pa.Table], changed: list[str] | None = None, *,
         csv_bom: bool = True, xlsx: bool = True) -> dict[str, pa.Table]:
    """Merge a run's tables into the store and export the whole store; returns it.

    ``changed`` (if given) receives the sources whose changed file replaced older rows.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / DB_NAME
    replaced = merge_into_store(db, tables)
    if changed is not None:
        changed.extend(replaced)
    update_index(db, tables["documents"].column("doc_id").to_pylist())  # search index (search.py)
    full = read_store(db)
    export(out_dir, full, csv_bom=csv_bom, xlsx=xlsx)
    return full


def sources_in(tables: dict[str, pa.Table]) -> Iterable[str]:
    """Sources of the documents table."""
    sources: list[str] = tables["documents"].column("source").to_pylist()
    return sources
