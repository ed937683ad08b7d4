"""Helpers for annotators: propose gold items from the pipeline, merge offset-based parts.

``python -m pipeline.evaluation.goldtool propose DOC > draft.gold.json`` writes the
pipeline's extractions in the gold format (text + occ) for a person to accept
or correct — every item must still be checked against the text.
``python -m pipeline.evaluation.goldtool merge DOC PART.json... > DOC.gold.json`` merges
parts whose items carry absolute ``start`` offsets, computing ``occ``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.dimensions import BY_NAME, FIELDS


def occ_of(text: str, needle: str, start: int) -> int:
    """Which occurrence (1-based) of ``needle`` starts at ``start``."""
    if text[start : start + len(needle)] != needle:
        raise ValueError(f"{needle!r} is not at offset {start}")
    n, pos = 0, -1
    while True:
        pos = text.find(needle, pos + 1)
        n += 1
        if pos == start:
            return n
        if pos < 0 or pos > start:
            raise ValueError(f"{needle!r} at {start} not reachable")


def to_gold_item(text: str, item: dict[str, Any], fld: str) -> dict[str, Any]:
    """A gold item (text, occ and the field's keys) from an item with ``start``."""
    out = {"text": item["text"], "occ": occ_of(text, item["text"], int(item["start"]))}
    out.update({k: item[k] for k in BY_NAME[fld].gold_keys if (k in item and item[k] is not None) or (k in ("period",)
                and k in item)})
    return out


def merge(doc: Path, parts: list[Path]) -> dict[str, Any]:
    """Merge offset-based annotation parts of one document into one gold object."""
    text = doc.read_text(encoding="utf-8")
    gold: dict[str, Any] = {"doc": doc.name, "ref_year": None, **{f: [] for f in FIELDS}}
    for p in parts:
        data = json.loads(p.read_text(encoding="utf-8"))
        if data.get("ref_year") is not None:
            gold["ref_year"] = data["ref_year"]
        for fld in FIELDS:
            items = sorted(data.get(fld, []), key=lambda x: int(x["start"]))
            gold[fld].extend(to_gold_item(text, x, fld) for x in items)
    return gold


def propose(doc: Path) -> dict[str, Any]:
    """The pipeline's extractions of ``doc`` as a draft gold file."""
    from pipeline.compose import Pipeline
    from pipeline.evaluation.run import predictions

    r = Pipeline().process_file(doc, doc.name)
    if r.status != "ok":
        raise SystemExit(f"{doc}: {r.error}")
    preds = predictions(r)
    preds = {k: [x for x in v if not BY_NAME[k].drop(x)] for k, v in preds.items()}  # generic mentions
    gold: dict[str, Any] = {"doc": doc.name, "ref_year": r.meta.ref_year}
    for fld in FIELDS:
        gold[fld] = [to_gold_item(r.original_text, x, fld) for x in sorted(preds[fld], key=lambda x: x["start"])]
    return gold


def print_gold(cmd: str, doc: Path, parts: Sequence[Path] = (), ref_year: int | None = None) -> int:
    """``propose`` or ``merge`` for ``doc``; prints the gold JSON to stdout."""
    if cmd == "propose":
        gold = propose(doc)
    else:
        gold = merge(doc, list(parts))
        if ref_year is not None:
            gold["ref_year"] = ref_year
    json.dump(gold, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of the annotation helpers (the arguments are parsed in ``cli.py``)."""
    from pipeline.cli import tool_main

    return tool_main("goldtool", argv)


if __name__ == "__main__":
    sys.exit(main())
