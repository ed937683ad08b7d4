"""Workers that write their own rows: one Parquet part per document and table, merged by the parent.

A worker that has processed a document writes its rows under
``OUT/.parts/<run>/<table>/part-<index>.parquet``, its extracted text and its
report page, and sends back a summary of a few fields; the parent never
receives or holds the documents' results (pickled results were about six times
the input's size), nor their rows: ``store.save`` merges the parts folder with
DuckDB reading the files. ``read_parts`` gives the run's tables in input
order, the same tables a run in one process builds (for tests and small runs).

``run_parts`` is the local executor for ``--jobs N`` (N ≥ 2): the pipeline is
built once in the parent and the worker processes are forked after the build,
so they start with it; ``pipeline.dask_exec`` runs the same per-document
function on a Dask cluster.
"""

from __future__ import annotations

import multiprocessing
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.compose import Pipeline
from pipeline.models import DocMeta, DocResult

PARTS = ".parts"
CHUNK = 48  # documents per worker task at most: the parent reads every part back alone (1,165 documents: 0.8 s of
#  CPU in 16-document parts, 0.3 s in 48-document ones), and at least 4 tasks per worker keep them balanced
_FORKED: Pipeline | None = None  # the parent's pipeline, inherited by forked workers (set by run_parts)
_OPTIONS: dict[str, Any] = {}


Locations = Mapping[str, tuple[str, str]]  # source -> (collection, resolved path), as ``tables.arrow_tables``


def write_parts(parts_dir: Path, index: int, results: Sequence[DocResult], locations: Locations | None = None
                ) -> None:
    """Write the rows of consecutive documents (the first has input ``index``) as ``<table>/part-<index>.parquet``."""
    from pipeline.io.tables import arrow_tables

    for table, t in arrow_tables(results, locations).items():
        folder = parts_dir / table
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(t, folder / f"part-{index:07d}.parquet")


def read_parts(parts_dir: Path) -> dict[str, pa.Table]:
    """Every table of a run from its parts, parts in index (= input) order."""
    import pyarrow.compute as pc

    from pipeline.io.tables import SCHEMAS, TABLES

    # a document met again in a later part (identical files under several names) keeps the rows of its
    # first part and adds only its document_sources row, as ``arrow_tables`` does within one part
    later_copies: dict[str, set[str]] = {}
    seen: set[str] = set()
    for f in sorted((parts_dir / "documents").glob("part-*.parquet")):
        ids = pq.read_table(f, columns=["doc_id"]).column("doc_id").to_pylist()
        later_copies[f.name] = {d for d in ids if d in seen}
        seen.update(ids)
    out = {}
    for table in TABLES:
        folder = parts_dir / table
        pieces = []
        for f in sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []:
            t = pq.read_table(f, schema=SCHEMAS[table])
            dup = later_copies.get(f.name)
            if dup and table != "document_sources":
                t = t.filter(pc.invert(pc.is_in(t.column("doc_id"), value_set=pa.array(sorted(dup), pa.string()))))
            pieces.append(t)
        out[table] = pa.concat_tables(pieces) if pieces else SCHEMAS[table].empty_table()
    return out


def finish_documents(out_dir: Path, parts_dir: Path, index: int, done: Sequence[tuple[Path, DocResult]],
                     report: bool, locations: Locations | None = None) -> list[dict[str, Any]]:
    """Write processed documents' parts (one per table), texts and report pages; return their summaries."""
    write_parts(parts_dir, index, [r for _, r in done], locations)
    return [finish_document(out_dir, path, r, report) for path, r in done]


def finish_document(out_dir: Path, path: Path, r: DocResult, report: bool) -> dict[str, Any]:
    """Write a processed document's text (non-text inputs) and report page; return its summary."""
    from pipeline.io.report import document_page
    from pipeline.io.store import write_atomic_text

    if r.status == "ok" and path.suffix.lower() not in (".txt", ".text"):
        (out_dir / "text").mkdir(parents=True, exist_ok=True)
        write_atomic_text(out_dir / "text" / f"{r.doc_id}.txt", r.original_text)
    if report:
        (out_dir / "report").mkdir(parents=True, exist_ok=True)
        write_atomic_text(out_dir / "report" / f"{r.doc_id}.html", document_page(r))
    m = r.meta
    return {"doc_id": r.doc_id, "source": r.source, "status": r.status, "error": r.error,
            "encoding": r.encoding, "n_chars": r.n_chars, "region": (m.province, m.city, m.county),
            "local_units": r.names_local_units()}


def summary_result(summary: dict[str, Any]) -> DocResult:
    """A row-less ``DocResult`` for the run's summary (status, error, size, region)."""
    province, city, county = summary.get("region") or (None, None, None)
    return DocResult(doc_id=summary["doc_id"], source=summary["source"], status=summary["status"],
                     error=summary["error"], encoding=summary.get("encoding"), n_chars=summary["n_chars"],
                     meta=DocMeta(province=province, city=city, county=county),
                     local_units=summary.get("local_units"))


def new_parts_dir(out_dir: Path) -> Path:
    """A fresh folder for one run's parts."""
    return out_dir.resolve() / PARTS / uuid.uuid4().hex[:12]


def remove_parts(parts_dir: Path) -> None:
    """Delete a run's parts (and ``.parts`` when it is left empty)."""
    shutil.rmtree(parts_dir, ignore_errors=True)
    root = parts_dir.parent
    if root.is_dir() and not any(root.iterdir()):
        root.rmdir()


def remove_stale_parts(out_dir: Path) -> None:
    """Delete the parts of runs that were killed before they were merged (call under the lock on ``OUT``)."""
    root = out_dir / PARTS
    if root.is_dir():
        for run in root.iterdir():
            remove_parts(run)


def _task(index: int, chunk: list[tuple[str, str]], out_dir: str, parts_dir: str, report: bool,
          locations: dict[str, tuple[str, str]] | None = None, doc_timeout: float | None = None
          ) -> list[dict[str, Any]]:
    """Process consecutive documents (the first has input ``index``); one part per table for all of them."""
    global _FORKED
    from pipeline.runner import process_limited

    if _FORKED is None:  # a spawned (not forked) worker builds its own pipeline once
        _FORKED = Pipeline(**_OPTIONS)
    pipe = _FORKED
    done = [(Path(p), process_limited(pipe, Path(p), s, doc_timeout)) for p, s in chunk]
    return finish_documents(Path(out_dir), Path(parts_dir), index, done, report, locations)


def _chunk_locations(locations: Locations | None, chunk: Sequence[tuple[Path, str]]
                     ) -> dict[str, tuple[str, str]] | None:
    return None if locations is None else {s: locations[s] for _, s in chunk if s in locations}


def _init_spawned(options: dict[str, Any]) -> None:
    global _OPTIONS
    from pipeline.runner import watch_parent

    watch_parent()  # a worker of a killed run ends too
    _OPTIONS = options


def run_parts(
    inputs: Sequence[tuple[Path, str]],
    out_dir: Path,
    jobs: int = 2,
    options: dict[str, Any] | None = None,
    report: bool = True,
    progress: Callable[[DocResult], None] | None = None,
    locations: Locations | None = None,
    doc_timeout: float | None = None,
) -> tuple[list[DocResult], Path]:
    """Process ``inputs`` in ``jobs`` worker processes that write their own rows; returns summaries and parts.

    The parts folder is the caller's to merge (``store.save`` reads it with
    DuckDB, never whole into this process) and to remove (``remove_parts``);
    it is removed here only when the run fails.
    ``doc_timeout`` seconds per document (``runner.process_limited``) turn a runaway document into E012.

    Documents a crashed worker left unfinished go through ``runner.run`` (which isolates the one that
    crashes); their rows are written by the parent.
    """
    global _FORKED
    from pipeline.runner import run

    options = dict(options or {})
    parts = new_parts_dir(out_dir)
    parts.mkdir(parents=True, exist_ok=True)
    fork = "fork" in multiprocessing.get_all_start_methods()
    _FORKED = Pipeline(**options) if fork else None  # built before the fork: the workers inherit it
    if _FORKED is not None and len(inputs) >= 4 * jobs:  # once here rather than once per worker:
        _FORKED.preload()  # jieba's dictionary,
        import pandas  # noqa: F401  (pyarrow imports it on the first table it builds)

        import pipeline.io.report  # noqa: F401
    done: dict[int, DocResult] = {}
    # a few documents per task: one Parquet part per table and task, small enough to balance the workers
    size = max(1, min(CHUNK, len(inputs) // (4 * jobs)))
    try:
        ctx = multiprocessing.get_context("fork" if fork else "spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_spawned,
                                 initargs=(options,)) as pool:
            futs: dict[Future[list[dict[str, Any]]], int] = {
                pool.submit(_task, i, [(str(p), s) for p, s in inputs[i:i + size]], str(out_dir), str(parts),
                            report, _chunk_locations(locations, inputs[i:i + size]), doc_timeout): i
                for i in range(0, len(inputs), size)}
            for fut in as_completed(futs):
                try:
                    summaries = fut.result()
                except BrokenProcessPool:
                    continue
                for k, summary in enumerate(summaries):
                    done[futs[fut] + k] = summary_result(summary)
                    if progress:
                        progress(done[futs[fut] + k])
        left = [i for i in range(len(inputs)) if i not in done]
        if left:  # a worker died: the unfinished documents are run again, one crash isolated at a time
            for i, r in zip(left, run([inputs[i] for i in left], jobs=jobs, options=options, doc_timeout=doc_timeout),
                            strict=True):
                done[i] = summary_result(finish_documents(out_dir, parts, i, [(inputs[i][0], r)], report,
                                                          locations)[0])
                if progress:
                    progress(done[i])
    except BaseException:
        remove_parts(parts)
        raise
    finally:
        _FORKED = None
    return [done[i] for i in range(len(inputs))], parts
