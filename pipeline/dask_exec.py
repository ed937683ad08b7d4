"""``extract --executor dask``: the same per-document function on a Dask cluster.

Each Dask task processes one file with a ``Pipeline`` built once per worker
process, then writes the document's rows itself, as one Parquet part per
table under ``OUT/.parts/<run>/<table>/``, with its extracted text and its
report page; only a short summary (status, error, row counts) goes back to
the driver. The driver merges the parts into the store (``store.save``, in
input order, so the tables equal a local run's) and removes them.

With ``doc_timeout`` (``extract --doc-timeout``, 60 s by default) a task
hands its document to a child process of the worker (``pipeline.doc_child``:
signals cannot reach a Dask task's thread), so that a runaway document becomes
the same E012 row as in a local run and the run goes on.

Input paths and ``OUT`` must be visible to every worker under the same names
(a local cluster, or a shared filesystem); inputs given as fsspec URLs
(``s3://…``, ``file:///…``) are listed on the driver and read by the workers
through fsspec (remote.py). With no ``--scheduler`` a
``LocalCluster`` of ``--jobs`` single-threaded worker processes is started.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.compose import Pipeline
from pipeline.doc_child import PIPELINE, ChildDied, ask_child
from pipeline.errors import DocumentError
from pipeline.io.parts import finish_documents, new_parts_dir, remove_parts, summary_result, write_parts
from pipeline.models import DocResult

_PIPELINES: dict[str, Pipeline] = {}  # per worker process, filled by the first task that needs it


def _pipeline(factory: str, options: dict[str, Any]) -> Pipeline:
    key = json.dumps([factory, options], sort_keys=True)
    if key not in _PIPELINES:
        module, _, name = factory.partition(":")
        _PIPELINES[key] = getattr(importlib.import_module(module), name)(**options)
    return _PIPELINES[key]


def process_to_parts(index: int, path: str, source: str, out_dir: str, parts_dir: str,
                     options: dict[str, Any], report: bool,
                     location: tuple[str, str] | None = None, doc_timeout: float | None = None,
                     factory: str = PIPELINE) -> dict[str, Any]:
    """The task run on a worker: one file (or fsspec URL) → Parquet parts, text and report page; returns a summary.

    With ``doc_timeout`` the document is processed in the worker's child process (``doc_child``); a
    document still running after the limit becomes an E012 row, one that kills the child an E099 row.
    """
    from pipeline.io.remote import is_url
    from pipeline.runner import _fallback_id, timeout_result

    p = Path(path)
    locations = {source: location} if location else None
    if not doc_timeout or doc_timeout <= 0:
        r = _pipeline(factory, options).process_file(path if is_url(path) else p, source)
    else:
        request = {"index": index, "path": path, "source": source, "out_dir": out_dir, "parts_dir": parts_dir,
                   "report": report, "location": location}
        try:
            summary = ask_child(factory, options, request, doc_timeout)
        except ChildDied:
            r = DocResult(doc_id=_fallback_id(p), source=source, status="error",
                          error=DocumentError("E099", "worker process crashed on this document").one_line())
        else:
            if summary is not None:
                return summary
            r = timeout_result(p, source, doc_timeout)
    return finish_documents(Path(out_dir), Path(parts_dir), index, [(p, r)], report, locations)[0]


def run_dask(
    inputs: Sequence[tuple[Path | str, str]],
    out_dir: Path,
    options: dict[str, Any] | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    report: bool = True,
    progress: Callable[[DocResult], None] | None = None,
    locations: Mapping[str, tuple[str, str]] | None = None,
    doc_timeout: float | None = None,
    factory: str = PIPELINE,
) -> tuple[list[DocResult], Path]:
    """Process ``inputs`` on a Dask cluster; returns summaries (as row-less results) and the run's parts folder.

    The caller merges the parts (``store.save``) and removes them (``parts.remove_parts``).
    ``doc_timeout`` seconds per document (None: no limit); ``factory`` names the pipeline class
    (``module:name``, importable on the workers).
    """
    from distributed import Client, LocalCluster, as_completed

    out_dir.mkdir(parents=True, exist_ok=True)
    parts = new_parts_dir(out_dir)
    opts = dict(options or {})
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call]
                               dashboard_address=None)
    try:
        with Client(cluster if cluster is not None else scheduler) as client:  # type: ignore[no-untyped-call]
            futs = {client.submit(process_to_parts, i, p if isinstance(p, str) else str(p.resolve()), s,
                                  str(out_dir.resolve()), str(parts), opts, report, (locations or {}).get(s),
                                  doc_timeout, factory, pure=False,
                                  key=f"policy-extract-{parts.name}-{i}"): i
                    for i, (p, s) in enumerate(inputs)}
            done: dict[int, DocResult] = {}
            for fut in as_completed(futs):  # type: ignore[no-untyped-call]
                i = futs[fut]
                try:
                    r = summary_result(fut.result())
                except Exception as exc:  # a worker died on this document: it fails alone
                    from pipeline.runner import _fallback_id

                    src = inputs[i][0]
                    doc_id = (_fallback_id(src) if isinstance(src, Path)
                              else hashlib.sha256(src.encode()).hexdigest()[:16])  # an unread URL: its name's
                    r = DocResult(doc_id=doc_id, source=inputs[i][1], status="error",
                                  error=DocumentError("E099", f"dask task failed: {type(exc).__name__}").one_line())
                    write_parts(parts, i, [r], locations)
                done[i] = r
                if progress:
                    progress(r)
    except BaseException:
        remove_parts(parts)
        raise
    finally:
        if cluster is not None:
            cluster.close()
    return [done[i] for i in range(len(inputs))], parts
