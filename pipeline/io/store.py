"""Writing the tables: the DuckDB store (merged across runs), its Parquet folders and search index.

``OUT/policy.duckdb`` is the cross-document store. A document is its bytes
(``doc_id``, the content hash); where it was found is ``document_sources``
(one row per ``source``, i.e. collection + path inside it, with the resolved
path). A run replaces the rows of every document it processed and, for each
source it read, the document that source held before when the file changed
(that old document goes once no source points at it) — inside one
transaction, so reruns never duplicate rows and two different files never
replace each other. A run's rows come from memory or from the Parquet parts
its workers wrote, which DuckDB reads itself (this process never holds them).
Then the run's documents are indexed for search and the Parquet folders get
new parts for them (``dataset.py``): the work is in the run, not in the store.
The CSV files and ``policy.xlsx`` copy the whole store (``exports.py``); the
workbook is written by a forked process from a snapshot taken right after
the merge's commit, while this one writes the index, parts and CSV files.

The store is written in DuckDB storage format ``STORAGE_VERSION`` so that
older DuckDB releases (R, DBeaver, the CLI) can open it.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.io import dataset
from pipeline.io.search import index_documents
from pipeline.io.tables import SCHEMAS, TABLES

DB_NAME = "policy.duckdb"
#: DuckDB storage format of a new store: readable by DuckDB 1.4, 1.5 and 2.x.
STORAGE_VERSION = "v1.4.0"


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


RunRows = Mapping[str, pa.Table] | Path
"""A run's rows: Arrow tables in memory, or the folder of Parquet parts its workers wrote (``parts.py``)."""


@dataclass
class SaveResult:
    """What a save did: sources whose changed file replaced older rows, the run's rows, the store's size."""

    changed: list[str] = field(default_factory=list)
    run_rows: dict[str, int] = field(default_factory=dict)
    run_docs: int = 0
    store_docs: int = 0
    exported: bool = False
    run_ids: list[str] = field(default_factory=list)


def _register_run(con: duckdb.DuckDBPyConnection, run: RunRows) -> None:
    """The run's rows as the relations ``_run_<table>``, without loading parts into this process.

    From parts, a document met again in a later part (identical files under
    several names) keeps the rows of its first part and adds only its
    ``document_sources`` row, as ``tables.arrow_tables`` does within one part.
    """
    if not isinstance(run, Path):
        for name in TABLES:
            con.register(f"_run_{name}", run[name])
        return
    files = {name: sorted((run / name).glob("part-*.parquet")) if (run / name).is_dir() else [] for name in TABLES}
    base = "regexp_extract(filename, '[^/\\\\]+$')"

    def scan(name: str) -> str:
        paths = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files[name])
        return f"read_parquet([{paths}], filename = true)"

    if files["documents"]:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _run_first AS SELECT doc_id, min({base}) AS part "
                    f"FROM {scan('documents')} GROUP BY doc_id")
    for name in TABLES:
        cols = ", ".join(f'"{c}"' for c in SCHEMAS[name].names)
        if not files[name]:
            con.register(f"_run_{name}", SCHEMAS[name].empty_table())
        elif name == "document_sources":
            con.execute(f"CREATE OR REPLACE TEMP VIEW _run_{name} AS SELECT {cols} FROM {scan(name)}")
        else:
            con.execute(f"CREATE OR REPLACE TEMP VIEW _run_{name} AS SELECT {cols} FROM {scan(name)} r "
                        f"WHERE {base} = (SELECT part FROM _run_first f WHERE f.doc_id = r.doc_id)")


def merge_into_store(db_path: Path, run: RunRows) -> SaveResult:
    """Merge a run's rows into the store in one transaction (see the module docstring)."""
    con = connect_rw(db_path)
    try:
        return _merge(con, run)
    finally:
        con.close()


def _merge(con: duckdb.DuckDBPyConnection, run: RunRows) -> SaveResult:
    """``merge_into_store`` on an open connection; the views are (re)made after the commit."""
    try:
        had_sources = _has_table(con, "document_sources")
        for name in TABLES:
            _ensure_table(con, name, SCHEMAS[name])
        _register_run(con, run)
        con.execute("BEGIN TRANSACTION")
        if not had_sources:  # a store from before document_sources: each document keeps its source
            con.execute("INSERT INTO document_sources (doc_id, source) SELECT doc_id, source FROM documents")
        con.execute("CREATE OR REPLACE TEMP TABLE _run_docs AS SELECT DISTINCT doc_id FROM _run_documents")
        con.execute("CREATE OR REPLACE TEMP TABLE _run_src AS SELECT * FROM _run_document_sources")
        # sources of this run that held another document before: the file changed
        changed = con.execute(
            "CREATE OR REPLACE TEMP TABLE _changed AS SELECT DISTINCT s.source, s.doc_id AS old_id "
            "FROM document_sources s JOIN _run_src r USING (source) WHERE s.doc_id <> r.doc_id; "
            "SELECT DISTINCT source FROM _changed ORDER BY source"
        ).fetchall()
        # documents whose rows or sources change: the run's, and those its sources held before
        con.execute("CREATE OR REPLACE TEMP TABLE _touched AS SELECT doc_id FROM _run_docs UNION "
                    "SELECT doc_id FROM document_sources WHERE source IN (SELECT source FROM _run_src)")
        con.execute("DELETE FROM document_sources WHERE source IN (SELECT source FROM _run_src)")
        # the run's documents are re-inserted; an old version goes when no source points at it any more
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _gone AS SELECT doc_id FROM _run_docs UNION "
            "SELECT old_id FROM _changed WHERE old_id NOT IN (SELECT doc_id FROM document_sources)"
        )
        for name in TABLES:
            if name != "document_sources":
                con.execute(f'DELETE FROM "{name}" WHERE doc_id IN (SELECT doc_id FROM _gone)')
        run_rows = {}
        for name in TABLES:
            cols = ", ".join(f'"{c}"' for c in SCHEMAS[name].names)
            src = "_run_src" if name == "document_sources" else f"_run_{name}"
            (run_rows[name],) = con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM {src}').fetchall()[0]
        # a document found under several names is listed under the first of them
        con.execute("UPDATE documents SET source = s.source FROM (SELECT doc_id, min(source) AS source "
                    "FROM document_sources WHERE doc_id IN (SELECT doc_id FROM _touched) GROUP BY doc_id) s "
                    "WHERE documents.doc_id = s.doc_id")
        dataset.plan(con)
        (store_docs,) = con.execute("SELECT count(*) FROM documents").fetchall()[0]
        run_ids = [r[0] for r in con.execute("SELECT doc_id FROM _run_docs").fetchall()]
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute((Path(__file__).parent / "views.sql").read_text(encoding="utf-8"))
    return SaveResult(changed=[r[0] for r in changed], run_rows=run_rows, run_docs=run_rows["documents"],
                      store_docs=int(store_docs), run_ids=run_ids)


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


def arrow_reader(con: duckdb.DuckDBPyConnection, sql: str, batch_rows: int) -> pa.RecordBatchReader:
    """The rows of ``sql`` as Arrow batches of ``batch_rows`` (``to_arrow_reader`` in DuckDB 2, before
    ``fetch_arrow_reader``), streamed so that a large result never sits whole in memory."""
    rel = con.sql(sql)
    fetch = getattr(rel, "to_arrow_reader", None) or rel.fetch_arrow_reader
    reader: pa.RecordBatchReader = fetch(batch_rows)
    return reader


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


def save(out_dir: Path, run: RunRows, changed: list[str] | None = None, *, csv_bom: bool = True,
         xlsx: bool = True, export: bool | None = None) -> SaveResult:
    """Merge a run's rows into the store, update the search index and the Parquet folders; returns what it did.

    The cost is in the run's documents, not in the store. ``export`` also
    writes the CSV files and ``policy.xlsx`` (``exports.py``), which are
    copies of the whole store: ``None`` does so while the store holds at most
    ``exports.AUTO_EXPORT_DOCS`` documents; the workbook is written meanwhile
    by another process (``exports.WorkbookJob``), waited for before this
    returns. ``changed`` (if given) receives the sources whose changed file
    replaced older rows.
    """
    from pipeline.io import exports

    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect_rw(out_dir / DB_NAME)
    book: exports.WorkbookJob | None = None
    try:
        done = _merge(con, run)
        if export is None:
            export = done.store_docs <= exports.AUTO_EXPORT_DOCS
        if export and xlsx:  # written by another process meanwhile (exports.WorkbookJob)
            book = exports.WorkbookJob.start(con, out_dir)
        index_documents(con, done.run_ids)  # search index (search.py)
        dataset.sync(con, out_dir)  # the run's parts, and any a killed run left unwritten
    except BaseException:
        if book is not None:
            with contextlib.suppress(Exception):
                book.finish(fallback=False)
        raise
    finally:
        con.close()
    if changed is not None:
        changed.extend(done.changed)
    try:
        if export:
            exports.write_exports(out_dir, csv_bom=csv_bom, xlsx=xlsx and book is None)
    finally:
        if book is not None:
            book.finish()
    done.exported = export
    return done


def sources_in(tables: dict[str, pa.Table]) -> Iterable[str]:
    """Sources of the documents table."""
    sources: list[str] = tables["documents"].column("source").to_pylist()
    return sources
