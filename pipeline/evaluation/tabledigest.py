"""Every table row of a corpus, saved and compared: speed work must not change a single row.

``python -m pipeline.evaluation.tabledigest corpus --save before.json.gz`` runs the
pipeline (one process) over the inputs and stores every row of every table;
``--compare before.json.gz`` runs it again and lists the documents and tables
whose rows differ (with the first differing row), exit code 1 if any. Run it
with the code before a change and after it: extraction output changes with
the rules during development, so the reference is taken deliberately, never
pinned in a test. ``--without rule`` compares with that column left out of every row (a change that only
names rules more precisely).
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.models import DocResult

Rows = dict[str, dict[str, list[str]]]  # source → table → rows as canonical JSON


def canonical_rows(r: DocResult) -> dict[str, list[str]]:
    """The rows of every table of one result, each as canonical JSON (keys sorted, dates ISO)."""
    from pipeline.io.tables import rows_of

    return {t: [json.dumps(row, sort_keys=True, ensure_ascii=False, default=str) for row in rows]
            for t, rows in rows_of(r).items()}


def collect(paths: Sequence[Path], process: Callable[[Path, str], DocResult] | None = None) -> Rows:
    """Rows of every input under ``paths``, keyed by source (a fresh ``Pipeline`` unless ``process`` is given)."""
    from pipeline.io.ingest import iter_inputs

    if process is None:
        from pipeline.compose import Pipeline

        process = Pipeline().process_file
    return {src: canonical_rows(process(p, src)) for p, src in iter_inputs(paths)}


def differences(before: Rows, after: Rows, limit: int = 20) -> list[str]:
    """Human-readable differences: documents missing or added, tables whose rows differ (first differing row)."""
    out: list[str] = []
    for src in sorted(set(before) | set(after)):
        if src not in after or src not in before:
            out.append(f"{src}: only {'before' if src in before else 'after'}")
            continue
        for t in sorted(set(before[src]) | set(after[src])):
            a, b = before[src].get(t, []), after[src].get(t, [])
            if a == b:
                continue
            k = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            out.append(f"{src} [{t}] rows {len(a)} → {len(b)}; first difference at row {k}:\n"
                       f"  before: {a[k] if k < len(a) else '-'}\n  after:  {b[k] if k < len(b) else '-'}")
    return out[:limit] + ([f"... {len(out) - limit} more"] if len(out) > limit else [])


def without(rows: Rows, columns: Sequence[str]) -> Rows:
    """``rows`` with the given columns removed from every row (re-serialised canonically)."""
    if not columns:
        return rows
    drop = set(columns)

    def strip(row: str) -> str:
        return json.dumps({k: v for k, v in json.loads(row).items() if k not in drop}, sort_keys=True,
                          ensure_ascii=False)

    return {src: {t: [strip(r) for r in rs] for t, rs in tables.items()} for src, tables in rows.items()}


def save_or_compare(paths: Sequence[Path], save: Path | None = None, compare: Path | None = None,
                    without_columns: Sequence[str] = ()) -> int:
    """Run ``paths`` and write their rows to ``save``, or compare them with ``compare``; 1 if they differ."""
    rows = collect(paths)
    n = sum(len(v) for d in rows.values() for v in d.values())
    if save:
        with gzip.open(save, "wt", encoding="utf-8") as fh:
            json.dump(rows, fh, ensure_ascii=False)
        print(f"saved {len(rows)} documents, {n} rows to {save}")
        return 0
    if compare is None:
        raise ValueError("give save or compare")
    with gzip.open(compare, "rt", encoding="utf-8") as fh:
        before: Rows = json.load(fh)
    diff = differences(without(before, without_columns), without(rows, without_columns))
    for line in diff:
        print(line)
    print(f"{len(rows)} documents, {n} rows: {'IDENTICAL' if not diff else 'DIFFERENT'} to {compare}")
    return 1 if diff else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Save or compare the rows of a corpus run (the arguments are parsed in ``cli.py``)."""
    from pipeline.cli import tool_main

    return tool_main("tabledigest", argv)


if __name__ == "__main__":
    sys.exit(main())
