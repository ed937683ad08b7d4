"""The output tables: fixed Arrow schemas and conversion of ``DocResult`` records to rows.

The schemas are the contract of ``OUTPUT_SCHEMA.md``; a table with no rows
still has all its columns and types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from pipeline.models import DocResult, Span

_STR = pa.string()
_INT = pa.int64()
_F = pa.float64()
_DATE = pa.date32()
_LIST = pa.list_(pa.string())

_SPAN = [("start", _INT), ("end", _INT), ("text", _STR), ("text_norm", _STR)]

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema(
        [("doc_id", _STR), ("source", _STR), ("status", _STR), ("error", _STR), ("encoding", _STR),
         ("script", _STR), ("title", _STR), ("doc_number", _STR), ("issuer", _STR), ("issue_date", _DATE),
         ("province", _STR), ("city", _STR), ("county", _STR), ("ref_year", _INT), ("n_chars", _INT), ("warnings", _STR)]
    ),
    # where each document was found: identical files (one doc_id) under several names have one row each
    "document_sources": pa.schema([("doc_id", _STR), ("source", _STR), ("collection", _STR), ("path", _STR)]),
    "tasks": pa.schema(
        [("doc_id", _STR), ("task_id", _INT), ("section", _STR), *_SPAN, ("kind", _STR),
         ("lead_units", _LIST), ("co_units", _LIST), ("deadline", _DATE), ("deadline_source", _STR)]
    ),
    "responsibilities": pa.schema(
        [("doc_id", _STR), ("task_id", _INT), *_SPAN, ("canonical", _STR), ("role", _STR),
         ("generic", pa.bool_()), ("rule", _STR)]
    ),
    "organizations": pa.schema(
        [("doc_id", _STR), *_SPAN, ("canonical", _STR), ("kind", _STR), ("level", _STR), ("rule", _STR)]
    ),
    "deadlines": pa.schema(
        [("doc_id", _STR), ("task_id", _INT), *_SPAN, ("kind", _STR), ("date_start", _DATE),
         ("date_end", _DATE), ("granularity", _STR), ("rule", _STR)]
    ),
    "figures": pa.schema(
        [("doc_id", _STR), ("task_id", _INT), *_SPAN, ("value", _F), ("unit", _STR), ("value_base", _F),
         ("unit_base", _STR), ("qualifier", _STR), ("rule", _STR)]
    ),
    "targets": pa.schema(
        [("doc_id", _STR), ("target_id", _INT), ("task_id", _INT), *_SPAN, ("indicator", _STR), ("kind", _STR),
         ("comparator", _STR), ("value", _F), ("unit", _STR), ("value_base", _F), ("unit_base", _STR),
         ("baseline_value", _F), ("period", _STR), ("due", _DATE), ("lead_units", _LIST), ("rule", _STR)]
    ),
}

TABLES: tuple[str, ...] = tuple(SCHEMAS)


def _span(s: Span) -> dict[str, Any]:
    return {"start": s.start, "end": s.end, "text": s.text, "text_norm": s.text_norm}


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
            {"doc_id": d, "task_id": t.task_id, "section": t.section, **_span(t.span), "kind": t.kind,
             "lead_units": list(t.lead_units), "co_units": list(t.co_units), "deadline": t.deadline,
             "deadline_source": t.deadline_source}
            for t in r.tasks
        ],
        "responsibilities": [
            {"doc_id": d, "task_id": x.task_id, **_span(x.span), "canonical": x.canonical, "role": x.role,
             "generic": x.generic, "rule": x.rule}
            for x in r.responsibilities
        ],
        "organizations": [
            {"doc_id": d, **_span(x.span), "canonical": x.canonical, "kind": x.kind, "level": x.level,
             "rule": x.rule}
            for x in r.organizations
        ],
        "deadlines": [
            {"doc_id": d, "task_id": x.task_id, **_span(x.span), "kind": x.kind, "date_start": x.date_start,
             "date_end": x.date_end, "granularity": x.granularity, "rule": x.rule}
            for x in r.deadlines
        ],
        "figures": [
            {"doc_id": d, "task_id": x.task_id, **_span(x.span), "value": x.value, "unit": x.unit,
             "value_base": x.value_base, "unit_base": x.unit_base, "qualifier": x.qualifier, "rule": x.rule}
            for x in r.figures
        ],
        "targets": [
            {"doc_id": d, "target_id": i + 1, "task_id": x.task_id, **_span(x.span), "indicator": x.indicator,
             "kind": x.kind, "comparator": x.comparator, "value": x.value, "unit": x.unit,
             "value_base": x.value_base, "unit_base": x.unit_base, "baseline_value": x.baseline_value,
             "period": x.period, "due": x.due, "lead_units": list(x.lead_units), "rule": x.rule}
            for i, x in enumerate(r.targets)
        ],
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
