"""``make eval`` / ``policy-extract eval``: run the pipeline on annotated documents and print scores.

Per corpus group (seeds, dev) and overall: P/R/F1 per field and the
sub-accuracies, then per-document F1 and the errors with their context.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.compose import DEFAULT_NER, Pipeline
from pipeline.dimensions import BY_NAME, DIMENSIONS
from pipeline.evaluation.scorer import (
    FIELDS,
    DocScore,
    FieldScore,
    GoldError,
    Item,
    context,
    flat_figures,
    format_table,
    load_gold,
    micro,
    score_document,
)
from pipeline.models import DocResult

#: The bundled corpus: (group, documents folder, gold folder) relative to the corpus root.
CORPUS_GROUPS = (
    ("seeds", "seeds", "gold"),
    ("dev", "dev", "dev/gold"),
    ("real30", "real", "real/gold"),
    ("pool", "pool", "pool/gold"),
    ("holdout", "holdout", "holdout/gold"),
)

#: Headline groups: real documents only (the quality evidence), and the synthetic regression set.
HEADLINES = (("real", ("seeds", "dev", "real30", "pool")), ("synthetic", ("holdout",)))


@dataclass
class Evaluated:
    """A scored document with its text (for error context)."""

    score: DocScore
    original: str


def predictions(r: DocResult) -> dict[str, list[Item]]:
    """The scorer's view of a result: spans plus the fields each comparison needs."""
    return {d.name: d.predictions(r) for d in DIMENSIONS}


def evaluate_folder(pipe: Pipeline, group: str, docs: Path, gold: Path) -> list[Evaluated]:
    """Score every document in ``docs`` that has ``<stem>.gold.json`` in ``gold``."""
    from pipeline.io.ingest import iter_inputs

    out = []
    for path, source in iter_inputs([docs]):
        gpath = gold / f"{path.stem}.gold.json"
        if not gpath.exists():
            continue
        r = pipe.process_file(path, source)
        if r.status != "ok":
            raise GoldError(f"{source}: the pipeline failed on an annotated document: {r.error}")
        g = load_gold(gpath, r.original_text)
        out.append(Evaluated(score_document(source, group, g, predictions(r)), r.original_text))
    return out


def evaluate_groups(groups: Sequence[tuple[str, Path, Path]], ner: str | None = DEFAULT_NER
                    ) -> dict[str, list[Evaluated]]:
    """Evaluate several (name, docs, gold) groups with one pipeline (``ner``: its NER backend, None = off)."""
    pipe = Pipeline(ner=ner)
    return {name: evaluate_folder(pipe, name, d, g) for name, d, g in groups}


def corpus_groups(root: Path) -> list[tuple[str, Path, Path]]:
    """The bundled corpus layout under ``root``."""
    return [(n, root / d, root / g) for n, d, g in CORPUS_GROUPS if (root / d).exists()]


def headlines(results: dict[str, list[Evaluated]]) -> dict[str, list[Evaluated]]:
    """The headline groups present in ``results`` (``real`` first), each the union of its parts."""
    out = {}
    for name, parts in HEADLINES:
        if any(p in results for p in parts):
            out[name] = [e for p in parts for e in results.get(p, [])]
    return out


def summary(results: dict[str, list[Evaluated]]) -> dict[str, dict[str, float]]:
    """Flat figures per headline group and per group (what the gate compares with its floors)."""
    groups = {**headlines(results), **results}
    return {name: flat_figures(micro(e.score for e in evs)) for name, evs in groups.items()}


def _per_doc_lines(evs: Sequence[Evaluated]) -> list[str]:
    lines = [f"{'document':<34}" + "".join(f"{f:>11}" for f in FIELDS)]
    for e in evs:
        cells = []
        for f in FIELDS:
            s = e.score.fields.get(f)
            cells.append(f"{'-':>11}" if s is None else f"{s.f1:>6.2f} {s.tp:>2}/{s.n_gold:<2}")
        lines.append(f"{e.score.doc[-34:]:<34}" + "".join(cells))
    return lines


def _error_lines(evs: Sequence[Evaluated], per_field: int) -> list[str]:
    lines = []
    texts = {e.score.doc: e.original for e in evs}
    for f in FIELDS:
        errs = [x for e in evs for x in e.score.fields[f].errors] if evs else []
        if not errs:
            continue
        lines.append(f"-- {f}: {sum(1 for x in errs if x['type'] == 'missed')} missed, "
                     f"{sum(1 for x in errs if x['type'] == 'spurious')} spurious")
        keys = BY_NAME[f].shown
        wrong = [x for x in errs if x["type"].startswith("wrong ")]
        if wrong:
            lines[-1] += f", {len(wrong)} matched with a wrong sub-field"
        for x in [x for x in errs if not x["type"].startswith("wrong ")][:per_field] + wrong[:per_field]:
            detail = " ".join(f"{k}={x.get(k)}" for k in keys)
            if "got" in x:
                detail += f" got={x['got']}"
            ctx = context(texts[x["doc"]], x["start"], x["end"])
            lines.append(f"  {x['type']:<8} {x['doc'][-20:]:<20} {detail}  | {ctx}")
    return lines


@dataclass(frozen=True)
class EvalOptions:
    """``policy-extract eval``: ``corpus`` (the bundled layout) or pairs of ``docs``/``gold`` folders, and the output."""

    docs: tuple[Path, ...] = ()
    gold: tuple[Path, ...] = ()
    corpus: Path | None = None
    errors: int = 25  # worst errors printed per field
    json: Path | None = None  # also write the figures here
    ner: str = "default"  # default, off, on (lac), both, or hanlp:DIR


def run_eval(args: EvalOptions) -> int:
    """Print the evaluation; exit 0 (scores are judged by the gate test, not here)."""
    if args.corpus is not None:
        groups = corpus_groups(args.corpus)
    else:
        if len(args.docs) != len(args.gold):
            print("policy-extract eval: give one --gold per --docs", file=sys.stderr)
            return 2
        groups = [((d.parent.name if d.name == "docs" else d.name) or str(d), d, g)
                  for d, g in zip(args.docs, args.gold, strict=False)]
    mode = args.ner or "default"
    ner = {"default": DEFAULT_NER, "off": None, "on": "lac", "both": "lac"}.get(mode, mode)
    try:
        results = evaluate_groups(groups, ner)
        if mode == "both":
            without = evaluate_groups(groups, None)
    except GoldError as exc:
        print(f"policy-extract eval: {exc}", file=sys.stderr)
        return 2
    heads = headlines(results) if args.corpus is not None else {}
    if mode == "both":
        _print_both(without, results, heads)
    else:
        for name, evs in [*heads.items(), *results.items()]:
            label = f"{name} ({len(evs)} documents)" + (" — headline" if name == "real" else "")
            print(format_table(label, micro(e.score for e in evs)))
            print()
    every = [e for evs in results.values() for e in evs]
    if not heads and mode != "both":
        print(format_table(f"overall ({len(every)} documents)", micro(e.score for e in every)))
        print()
    print("\n".join(_per_doc_lines(every)))
    if args.errors:
        print()
        print("\n".join(_error_lines(every, args.errors)))
    if args.json:
        figures = {"without_ner": summary(without), "with_ner": summary(results)} if mode == "both" else summary(results)
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def format_side_by_side(title: str, off: dict[str, FieldScore], on: dict[str, FieldScore]) -> str:
    """P/R/F1 per field without and with NER, and the change in F1."""
    lines = [f"== {title}: without NER | with NER (lac)",
             f"{'field':<10} {'gold':>5} | {'pred':>5} {'tp':>5} {'P':>6} {'R':>6} {'F1':>6} | "
             f"{'pred':>5} {'tp':>5} {'P':>6} {'R':>6} {'F1':>6} | {'dF1':>6}"]
    for f in FIELDS:
        if f not in off or f not in on:
            continue
        a, b = off[f], on[f]
        lines.append(f"{f:<10} {a.n_gold:>5} | {a.n_pred:>5} {a.tp:>5} {a.precision:>6.3f} {a.recall:>6.3f} "
                     f"{a.f1:>6.3f} | {b.n_pred:>5} {b.tp:>5} {b.precision:>6.3f} {b.recall:>6.3f} {b.f1:>6.3f} | "
                     f"{b.f1 - a.f1:>+6.3f}")
    return "\n".join(lines)


def _print_both(off: dict[str, list[Evaluated]], on: dict[str, list[Evaluated]],
                heads: dict[str, list[Evaluated]]) -> None:
    """``eval --ner both``: the headline groups and each group without and with NER, side by side."""
    heads_off = headlines(off) if heads else {}
    for name, evs in [*heads.items(), *on.items()]:
        before = heads_off[name] if name in heads and name in heads_off else off[name]
        label = f"{name} ({len(evs)} documents)" + (" — headline" if name == "real" else "")
        print(format_side_by_side(label, micro(e.score for e in before), micro(e.score for e in evs)))
        print()
    if not heads and len(on) > 1:
        every_off = [e for evs in off.values() for e in evs]
        every_on = [e for evs in on.values() for e in evs]
        print(format_side_by_side(f"overall ({len(every_on)} documents)", micro(e.score for e in every_off),
                                  micro(e.score for e in every_on)))
        print()


def run_summary(root: Path) -> dict[str, Any]:
    """The gate's view: flat figures of the bundled corpus."""
    return summary(evaluate_groups(corpus_groups(root)))
