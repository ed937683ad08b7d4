"""The output tables: fixed Arrow schemas and conversion of ``DocResult`` records to rows.

The schemas are the contract of ``OUTPUT_SCHEMA.md``; a table with no rows
still has all its columns and types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from pipeline.dimensions import DATE, DIMENSIONS, INT, LIST, SPAN, STR, span_row
from pipeline.models import DocResult

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema(
        [("doc_id", STR), ("source", STR), ("status", STR), ("error", STR), ("encoding", STR),
         ("script", STR), ("title", STR), ("doc_number", STR), ("issuer", STR), ("issue_date", DATE),
         ("province", STR), ("city", STR), ("county", STR), ("ref_year", INT), ("n_chars", INT), ("warnings", STR)]
    ),
    # where each document was found: identical files (one doc_id) under several names have one row each
    "document_sources": pa.schema([("doc_id", STR), ("source", STR), ("collection", STR), ("path", STR)]),
    "tasks": pa.schema(
        [("doc_id", STR), ("task_id", INT), ("section", STR), *SPAN, ("kind", STR),
         ("lead_units", LIST), ("co_units", LIST), ("deadline", DATE), ("deadline_source", STR)]
    ),
    # the tables of the extraction dimensions (pipeline/dimensions.py)
    **{t.name: pa.schema(t.columns) for d in DIMENSIONS for t in d.tables},
}

TABLES: tuple[str, ...] = tuple(SCHEMAS)


def document_row(r: DocResult) -> dict[str, Any]:
    """The ``documents`` row of one result."""
    m = r.meta
    return {
        "doc_id": r.doc_id, "source": r.source, "status": r.status, "error": r.error, "encoding": r.encoding,
        "script": r.script, "title": m.title, "doc_number": m.doc_number, "issuer": m.issuer,
        "issue_date": m.issue_date, "province": m.province, "city": m.city, "county": m.county,
        "ref_year": m.ref_year, "n_chars": r.n_chars, "warnings": "; ".join(r.warnings) or None,
    }


def rows_of(r: DocResult, collection: str | None = None, path: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table for one document (found as ``collection`` at ``path``, when known)."""
    d = r.doc_id
    return {
        "documents": [document_row(r)],
        "document_sources": [{"doc_id": d, "source": r.source, "collection": collection, "path": path}],
        "tasks": [
            {"doc_id": d, "task_id": t.task_id, "section": t.section, **span_row(t.span), "kind": t.kind,
             "lead_units": list(t.lead_units), "co_units": list(t.co_units), "deadline": t.deadline,
             "deadline_source": t.deadline_source}
            for t in r.tasks
        ],
        **{t.name: t.rows(r) for dim in DIMENSIONS for t in dim.tables},
    }


def arrow_tables(results: Iterable[DocResult],
                 locations: Mapping[str, tuple[str, str]] | None = None) -> dict[str, pa.Table]:
    """All tables for a set of results, with the contract's schemas.

    ``locations`` maps a result's ``source`` to its ``(collection, resolved
    path)``. Results with the same ``doc_id`` (identical bytes under several
    names) give their rows once and one ``document_sources`` row each.
    """
    acc: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    seen: set[str] = set()
    for r in results:
        collection, path = (locations or {}).get(r.source, (None, None))
        rows = rows_of(r, collection, path)
        if r.doc_id in seen:
            rows = {"document_sources": rows["document_sources"]}
        seen.add(r.doc_id)
        for t, table_rows in rows.items():
            acc[t].extend(table_rows)
    return {t: pa.Table.from_pylist(acc[t], schema=SCHEMAS[t]) for t in TABLES}


def iso(v: Any) -> Any:
    """Dates as ISO strings (for JSON and CSV)."""
    return v.isoformat() if isinstance(v, dt.date) else v


def columns(table: str) -> Sequence[str]:
    """Column names of a table."""
    names: list[str] = SCHEMAS[table].names
    return names
