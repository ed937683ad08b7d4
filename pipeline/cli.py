"""Command line: ``policy-extract extract|eval|search|bench`` (also ``python -m pipeline``).

Exit codes: 0 all documents succeeded, 3 some failed (the others are still
written), 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_SOME_FAILED = 0, 2, 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policy-extract", description="Extract targets, responsible units, "
                                "deadlines and figures from Chinese policy documents into tables.")
    sub = p.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract", help="process files/folders into OUT (tables, DuckDB store, HTML report)")
    ex.add_argument("paths", nargs="+", type=Path, help="files or folders (.txt .text .md .html .htm .docx .pdf)")
    ex.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    ex.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (default 1)")
    ex.add_argument("--no-report", action="store_true", help="skip the HTML report")
    ex.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")
    ex.add_argument("--ner-model", metavar="DIR", help="optional: a local HanLP model directory for extra "
                    "organisation mentions (needs the 'hanlp' extra; nothing is downloaded)")
    ex.add_argument("--ner", default="default", help="NER for unit lists the rules cannot parse: default, off, "
                    "lac (extra 'ner'), or hanlp:DIR")
    ex.add_argument("--executor", choices=("local", "dask"), default="local",
                    help="local worker processes (default), or a Dask cluster (needs the 'dask' extra)")
    ex.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="with --executor dask: an existing "
                    "cluster's scheduler (default: a LocalCluster of --jobs workers)")
    ev = sub.add_parser("eval", help="score extractions against gold annotations")
    ev.add_argument("--docs", type=Path, action="append", help="document folder (repeatable)")
    ev.add_argument("--gold", type=Path, action="append", help="gold folder with <name>.gold.json (repeatable)")
    ev.add_argument("--corpus", type=Path, help="the bundled corpus layout (seeds + dev) instead of --docs/--gold")
    ev.add_argument("--errors", type=int, default=25, help="how many worst errors to print per field")
    ev.add_argument("--json", type=Path, help="also write the figures as JSON here")
    ev.add_argument("--ner", default="default", help="NER for unit lists the rules cannot parse: default, off, "
                    "on (lac), both (each group without and with NER side by side), or hanlp:DIR")
    se = sub.add_parser("search", help="full-text search (simplified or traditional) in an output store")
    se.add_argument("query")
    se.add_argument("--out", type=Path, default=Path("outputs"))
    se.add_argument("--limit", type=int, default=20)
    se.add_argument("--json", action="store_true", help="print the hits as JSON")
    be = sub.add_parser("bench", help="throughput and peak memory on the corpus replicated to >= N MB")
    be.add_argument("paths", nargs="*", type=Path, default=[Path("corpus")])
    be.add_argument("--mb", type=float, default=5.0)
    be.add_argument("--ner", default="both", help="off, on (lac), or both (default: the pipeline without and "
                    "with NER)")
    return p


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.ingest import iter_inputs
    from pipeline.report import write_report
    from pipeline.runner import Progress, run
    from pipeline.store import save, write_atomic_text
    from pipeline.tables import arrow_tables

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"policy-extract: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs < 1:
        print("policy-extract: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    inputs = iter_inputs(args.paths)
    if not inputs:
        print("policy-extract: no supported documents (.txt .text .md .html .htm .docx .pdf) found", file=sys.stderr)
        return EXIT_USAGE
    options: dict[str, object] = {}
    if args.ner_model:
        from pipeline.ner import HanLPOrganizations, NerUnavailable

        try:
            HanLPOrganizations(args.ner_model)  # fail fast, before any document is read
        except NerUnavailable as exc:
            print(f"policy-extract: {exc}", file=sys.stderr)
            return EXIT_USAGE
        options["ner_model"] = args.ner_model
    if args.ner != "default":
        from pipeline.ner import NerUnavailable, make_backend

        try:
            if args.ner != "off":
                make_backend(args.ner)  # fail fast: package or model missing
        except NerUnavailable as exc:
            print(f"policy-extract: {exc}", file=sys.stderr)
            return EXIT_USAGE
        options["ner"] = None if args.ner == "off" else args.ner
    prog = Progress(len(inputs), args.quiet)
    out: Path = args.out
    workers_wrote = args.executor == "dask" or (args.jobs > 1 and len(inputs) > 1)
    if args.executor == "dask":  # workers write rows, texts and report pages themselves (dask_exec.py)
        from pipeline.dask_exec import run_dask

        results, run_tables = run_dask(inputs, out, options, scheduler=args.scheduler, n_workers=args.jobs,
                                       report=not args.no_report, progress=prog)
        seconds = prog.close()
    elif workers_wrote:  # worker processes write their own rows (parts.py)
        from pipeline.parts import run_parts

        results, run_tables = run_parts(inputs, out, args.jobs, options, report=not args.no_report, progress=prog)
        seconds = prog.close()
    else:
        results = run(inputs, jobs=args.jobs, progress=prog, options=options)
        seconds = prog.close()
        (out / "text").mkdir(parents=True, exist_ok=True)
        for (path, _), r in zip(inputs, results, strict=False):
            if r.status == "ok" and path.suffix.lower() not in (".txt", ".text"):
                write_atomic_text(out / "text" / f"{r.doc_id}.txt", r.original_text)
        run_tables = arrow_tables(results)
    store = save(out, run_tables)
    if not args.no_report:
        write_report(out, [] if workers_wrote else results, store)  # workers write their documents' pages
    failed = [r for r in results if r.status != "ok"]
    if not args.quiet:
        n_chars = sum(r.n_chars for r in results)
        print(f"documents: {len(results) - len(failed)} ok, {len(failed)} failed", file=sys.stderr)
        for r in failed:
            print(f"  {r.source}: {r.error}", file=sys.stderr)
        counts = ", ".join(f"{k} {v.num_rows}" for k, v in run_tables.items() if k != "documents")
        print(f"rows this run: {counts}", file=sys.stderr)
        rate = n_chars / seconds if seconds > 0 else 0.0
        print(f"time: {seconds:.1f} s, {n_chars} chars, {rate:,.0f} chars/s; written to {out}/", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from pipeline.evalrun import run_eval
    from pipeline.ner import NerUnavailable, make_backend

    if args.corpus is None and not (args.docs and args.gold):
        print("policy-extract eval: give --corpus DIR, or --docs DIR and --gold DIR", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.ner not in ("default", "off"):
            make_backend("lac" if args.ner in ("on", "both") else args.ner)
    except NerUnavailable as exc:
        print(f"policy-extract eval: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run_eval(args)


def cmd_search(args: argparse.Namespace) -> int:
    from pipeline.search import run_search

    return run_search(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from pipeline.bench import run_bench

    return run_bench(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``policy-extract``."""
    os.environ.setdefault("PYTHONHASHSEED", "0")
    args = _parser().parse_args(argv)
    t0 = time.perf_counter()
    handler = {"extract": cmd_extract, "eval": cmd_eval, "search": cmd_search, "bench": cmd_bench}[args.cmd]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print(f"\ninterrupted after {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        return 130
