"""The copies of the store for Excel users: ``OUT/<table>.csv`` and ``OUT/policy.xlsx``, and ``policy-extract export``.

They hold the whole store, so writing them costs time in the size of the
store, not of a run. ``extract`` writes them after a run while the store
holds at most ``AUTO_EXPORT_DOCS`` documents (``--export auto``, the
default); over that it removes the old copies, which no longer match the
store, and says so; ``policy-extract export --out OUT`` writes them on demand
(``--export yes`` after every run). The rows are read from the store in
batches, so memory does not grow with the store either. After a run the
workbook, the slowest of them, is written by a forked process from a
snapshot of the store while the run's process writes the rest
(``WorkbookJob``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from pipeline.io.tables import SCHEMAS, TABLES

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

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
            totals = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in TABLES}
            write_workbook(out_dir / WORKBOOK, lambda table: batches(con, table), totals)
    finally:
        con.close()


def snapshot(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Every table of the store open on ``con`` as ``folder/<table>.parquet``, rows in export order.

    The same query as ``batches``, written by DuckDB itself: another process
    then reads the rows while this one goes on writing to the store (DuckDB
    lets no other process open a store that one has open for writing).
    """
    from pipeline.io.dataset import order_by

    for table in TABLES:
        cols = ", ".join(f'"{c}"' for c in SCHEMAS[table].names)
        path = str(folder / f"{table}.parquet").replace("'", "''")
        con.execute(f'COPY (SELECT {cols} FROM "{table}" ORDER BY {order_by(table)}) '
                    f"TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE {BATCH_ROWS})")


def snapshot_batches(folder: Path, table: str) -> Iterator[pa.RecordBatch]:
    """The rows of ``table`` from a ``snapshot`` in batches of ``BATCH_ROWS``, in their order."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(folder / f"{table}.parquet") as f:
        for b in f.iter_batches(batch_size=BATCH_ROWS):
            yield b.cast(SCHEMAS[table])


def _workbook_from_snapshot(final: str, folder: str) -> None:
    """``policy.xlsx`` from a ``snapshot`` (run in the process ``WorkbookJob`` forks)."""
    import pyarrow.parquet as pq

    from pipeline.io.workbook import write_workbook

    where = Path(folder)
    totals = {t: pq.ParquetFile(where / f"{t}.parquet").metadata.num_rows for t in TABLES}
    write_workbook(Path(final), lambda table: snapshot_batches(where, table), totals)


def _write_in_child(final: str, folder: str, conn: Connection) -> None:
    """The forked writer: the workbook from the snapshot, then its outcome (None or the error) through ``conn``."""
    outcome: BaseException | None = None
    try:
        _workbook_from_snapshot(final, folder)
    except BaseException as exc:  # handed to the parent, which raises it
        outcome = exc
    try:
        conn.send(outcome)
    except Exception:  # an error that cannot be pickled: its text
        conn.send(RuntimeError(f"{type(outcome).__name__}: {outcome}"))
    conn.close()


class WorkbookJob:
    """``policy.xlsx`` written by a forked process from a snapshot of the store, while this process goes on.

    The workbook is the slowest copy of the store (openpyxl builds every cell
    in Python). After a run's merge, the process that merged still has the
    search index, the Parquet parts, the CSV files and the report to write
    alone, so a second core would sit idle: the workbook is written there
    meanwhile. ``start`` returns None where processes cannot be forked
    (the caller then writes it itself); ``finish`` waits for it, raises its
    error, and removes the snapshot (a killed run's is removed by the next
    run, as its worker parts are: ``parts.remove_stale_parts``). The writer
    is a process of one task: killed with the run, it still ends when its
    workbook is written.
    """

    def __init__(self, final: Path, folder: Path, process: BaseProcess, conn: Connection) -> None:
        self.final, self.folder, self.process, self.conn = final, folder, process, conn

    @classmethod
    def start(cls, con: duckdb.DuckDBPyConnection, out_dir: Path) -> WorkbookJob | None:
        """Snapshot the store open on ``con`` (committed) and start writing ``OUT/policy.xlsx`` from it."""
        import multiprocessing

        from pipeline.io.parts import new_parts_dir, remove_parts

        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        folder, final = new_parts_dir(out_dir), out_dir / WORKBOOK
        folder.mkdir(parents=True)
        try:
            snapshot(con, folder)
            ctx = multiprocessing.get_context("fork")
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_write_in_child, args=(str(final), str(folder), send), daemon=False)
            process.start()
            send.close()  # the writer's end: this process then sees the end of the pipe if the writer dies
        except BaseException:
            remove_parts(folder)
            raise
        return cls(final, folder, process, receive)

    def finish(self, fallback: bool = True) -> None:
        """Wait for the workbook and remove the snapshot; raises the writer's error.

        A writer process that died (killed, out of memory) is replaced by
        writing the workbook here, unless ``fallback`` is false (the run is
        failing anyway).
        """
        from pipeline.io.parts import remove_parts

        try:
            try:
                outcome = self.conn.recv()
            except EOFError:  # died before it could say
                self.process.join()
                if not fallback:
                    raise RuntimeError(f"the workbook writer ended with code {self.process.exitcode}") from None
                outcome = None
                _workbook_from_snapshot(str(self.final), str(self.folder))
            if outcome is not None:
                raise outcome
        finally:
            self.conn.close()
            self.process.join()
            remove_parts(self.folder)


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
