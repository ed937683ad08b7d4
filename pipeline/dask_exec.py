"""``extract --executor dask``: the same per-document function on a Dask cluster.

Each Dask task processes one file with a ``Pipeline`` built once per worker
process, then writes the document's rows itself, as one Parquet part per
table under ``OUT/.parts/<run>/<table>/``, with its extracted text and its
report page; only a short summary (status, error, row counts) goes back to
the driver. The driver reads the parts (in input order, so the tables equal
a local run's), merges them into the store (``store.save``) and removes them.

Input paths and ``OUT`` must be visible to every worker under the same names
(a local cluster, or a shared filesystem). With no ``--scheduler`` a
``LocalCluster`` of ``--jobs`` single-threaded worker processes is started.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.compose import Pipeline
from pipeline.errors import DocumentError
from pipeline.models import DocResult

PARTS = ".parts"
_PIPELINES: dict[str, Pipeline] = {}  # per worker process, filled by the first task that needs it


def _pipeline(options: dict[str, Any]) -> Pipeline:
    key = json.dumps(options, sort_keys=True)
    if key not in _PIPELINES:
        _PIPELINES[key] = Pipeline(**options)
    return _PIPELINES[key]


def write_parts(parts_dir: Path, index: int, r: DocResult) -> dict[str, int]:
    """Write one document's rows as ``<table>/part-<index>.parquet``; returns rows per table."""
    from pipeline.tables import SCHEMAS, rows_of

    counts = {}
    for table, rows in rows_of(r).items():
        folder = parts_dir / table
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[table]), folder / f"part-{index:07d}.parquet")
        counts[table] = len(rows)
    return counts


def read_parts(parts_dir: Path) -> dict[str, pa.Table]:
    """Every table of a run from its parts, parts in index (= input) order."""
    from pipeline.tables import SCHEMAS, TABLES

    out = {}
    for table in TABLES:
        files = sorted((parts_dir / table).glob("part-*.parquet")) if (parts_dir / table).is_dir() else []
        pieces = [pq.read_table(f, schema=SCHEMAS[table]) for f in files]
        out[table] = pa.concat_tables(pieces) if pieces else SCHEMAS[table].empty_table()
    return out


def process_to_parts(index: int, path: str, source: str, out_dir: str, run_id: str,
                     options: dict[str, Any], report: bool) -> dict[str, Any]:
    """The task run on a worker: one file → Parquet parts, text and report page; returns a summary."""
    from pipeline.report import document_page
    from pipeline.store import write_atomic_text

    out = Path(out_dir)
    r = _pipeline(options).process_file(Path(path), source)
    counts = write_parts(out / PARTS / run_id, index, r)
    if r.status == "ok" and Path(path).suffix.lower() not in (".txt", ".text"):
        (out / "text").mkdir(parents=True, exist_ok=True)
        write_atomic_text(out / "text" / f"{r.doc_id}.txt", r.original_text)
    if report:
        (out / "report").mkdir(parents=True, exist_ok=True)
        write_atomic_text(out / "report" / f"{r.doc_id}.html", document_page(r))
    return {"doc_id": r.doc_id, "source": r.source, "status": r.status, "error": r.error,
            "n_chars": r.n_chars, "rows": counts}


def run_dask(
    inputs: Sequence[tuple[Path, str]],
    out_dir: Path,
    options: dict[str, Any] | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    report: bool = True,
    progress: Callable[[DocResult], None] | None = None,
) -> tuple[list[DocResult], dict[str, pa.Table]]:
    """Process ``inputs`` on a Dask cluster; returns summaries (as row-less results) and the run's tables."""
    from distributed import Client, LocalCluster, as_completed

    out_dir.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:12]
    parts = out_dir / PARTS / run_id
    opts = dict(options or {})
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            futs = {client.submit(process_to_parts, i, str(p.resolve()), s, str(out_dir.resolve()), run_id, opts,
                                  report, pure=False, key=f"policy-extract-{run_id}-{i}"): i
                    for i, (p, s) in enumerate(inputs)}
            done: dict[int, DocResult] = {}
            for fut in as_completed(futs):
                i = futs[fut]
                try:
                    summary = fut.result()
                    r = DocResult(doc_id=summary["doc_id"], source=summary["source"], status=summary["status"],
                                  error=summary["error"], n_chars=summary["n_chars"])
                except Exception as exc:  # a worker died on this document: it fails alone
                    from pipeline.runner import _fallback_id

                    r = DocResult(doc_id=_fallback_id(inputs[i][0]), source=inputs[i][1], status="error",
                                  error=DocumentError("E099", f"dask task failed: {type(exc).__name__}").one_line())
                    write_parts(parts, i, r)
                done[i] = r
                if progress:
                    progress(r)
        tables = read_parts(parts)
    finally:
        if cluster is not None:
            cluster.close()
        shutil.rmtree(parts, ignore_errors=True)
        if (out_dir / PARTS).is_dir() and not any((out_dir / PARTS).iterdir()):
            (out_dir / PARTS).rmdir()
    return [done[i] for i in range(len(inputs))], tables
