"""Command line: ``policy-extract extract|export|eval|search|bench`` (also ``python -m pipeline``).

Exit codes: 0 all documents succeeded, 3 some failed (the others are still
written), 2 usage errors.

Every ``argparse`` parser of the package lives here, also those of the
developer tools ``python -m pipeline.evaluation.goldtool|fuzz|tabledigest`` (their
``main`` calls ``tool_main``): the library functions take typed options
(``ExtractOptions``, ``SearchOptions``…), built from the parsed arguments here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_SOME_FAILED = 0, 2, 3


def _input_arg(arg: str) -> Path | str:
    """An input of ``extract``: a local path, or an fsspec URL kept as the string (``Path`` would fold its ``//``)."""
    from pipeline.io.remote import is_url

    return arg if is_url(arg) else Path(arg)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policy-extract", description="Extract targets, responsible units, "
                                "deadlines and figures from Chinese policy documents into tables.")
    sub = p.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract", help="process files/folders into OUT (tables, DuckDB store, HTML report)",
                        description="Process files and folders into OUT: Parquet/CSV tables, policy.xlsx, the "
                        "DuckDB store policy.duckdb (merged with earlier runs) and the HTML report.")
    ex.add_argument("paths", nargs="+", type=_input_arg, help="files or folders (.txt .text .md .html .htm .docx .pdf); "
                    "with --executor dask also fsspec URLs (s3://bucket/dir, file:///abs/dir)")
    ex.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    ex.add_argument("--collection", metavar="LABEL", help="name the inputs' sources LABEL/<path in the folder> "
                    "instead of <folder name>/<path> (needed when two different folders have the same name; "
                    "the same LABEL again replaces that collection's changed files)")
    ex.add_argument("--region", metavar="NAME", help="the division (e.g. 苍南县, or 温州市苍南县 if the name is "
                    "ambiguous) that documents naming no region of their own govern; a folder's "
                    "policy-extract.yaml (`region: NAME`) overrides it for that folder")
    ex.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (default 1)")
    ex.add_argument("--wait", action="store_true", help="wait for another run or program holding OUT's store "
                    "instead of exiting with code 2")
    ex.add_argument("--csv-no-bom", action="store_true", help="write the CSV files without the UTF-8 byte-order "
                    "mark (by default they have one, so that Excel reads them)")
    ex.add_argument("--no-xlsx", action="store_true", help="skip OUT/policy.xlsx (the CSV and Parquet files "
                    "are always written)")
    ex.add_argument("--export", choices=("auto", "yes", "no"), default="auto",
                    help="write the CSV files and policy.xlsx (copies of the whole store) after the run: auto "
                    "(default) while the store holds at most 1,000 documents, yes always, no never; "
                    "`policy-extract export` writes them on demand")
    ex.add_argument("--doc-timeout", type=float, default=60.0, metavar="SECONDS",
                    help="per-document time limit; a document over it becomes an error row (default 60; 0: none)")
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
    xp = sub.add_parser("export", help="write the CSV files and policy.xlsx of an output store",
                        description="Write OUT/<table>.csv and OUT/policy.xlsx from the store OUT/policy.duckdb "
                        "(extract writes them itself while the store holds at most 1,000 documents).")
    xp.add_argument("--out", type=Path, default=Path("outputs"), help="output folder holding policy.duckdb "
                    "(default: outputs)")
    xp.add_argument("--csv-no-bom", action="store_true", help="CSV files without the UTF-8 byte-order mark")
    xp.add_argument("--no-xlsx", action="store_true", help="the CSV files only")
    xp.add_argument("--wait", action="store_true", help="wait for a run or program holding the store")
    xp.add_argument("--quiet", "-q", action="store_true", help="no closing line")
    ev = sub.add_parser("eval", help="score extractions against gold annotations")
    ev.add_argument("--docs", type=Path, action="append", help="document folder (repeatable)")
    ev.add_argument("--gold", type=Path, action="append", help="gold folder with <name>.gold.json (repeatable)")
    ev.add_argument("--corpus", type=Path, help="the bundled corpus layout (seeds + dev) instead of --docs/--gold")
    ev.add_argument("--errors", type=int, default=25, help="how many worst errors to print per field")
    ev.add_argument("--json", type=Path, help="also write the figures as JSON here")
    ev.add_argument("--ner", default="default", help="NER for unit lists the rules cannot parse: default, off, "
                    "on (lac), both (each group without and with NER side by side), or hanlp:DIR")
    se = sub.add_parser("search", help="full-text search (simplified or traditional) in an output store",
                        description="Search the tasks and targets of a store in simplified or traditional "
                        "characters. Items containing the whole query (whole words) come first, then items "
                        "with most of its character pairs. Exit 0 with hits, 1 with none, 2 on usage errors.")
    se.add_argument("query", help="words to find, e.g. 低保标准 or 低保標準")
    se.add_argument("--out", type=Path, default=Path("outputs"), help="output folder holding policy.duckdb "
                    "(default: outputs)")
    se.add_argument("--limit", type=int, default=20, help="at most this many hits (default 20)")
    se.add_argument("--json", action="store_true", help="print the hits as JSON")
    be = sub.add_parser("bench", help="throughput and peak memory on the corpus replicated to >= N MB",
                        description="Measure the pipeline's chars/s against plain jieba.lcut and its peak "
                        "memory, on the documents of PATHS replicated to at least --mb megabytes.")
    be.add_argument("paths", nargs="*", type=Path, default=[Path("corpus")],
                    help="files or folders of documents (default: corpus)")
    be.add_argument("--mb", type=float, default=5.0, help="replicate the documents to at least this many MB "
                    "of UTF-8 text (default 5)")
    be.add_argument("--ner", default="both", help="off, on (lac), or both (default: the pipeline without and "
                    "with NER)")
    return p


def _err(cmd: str, msg: str) -> int:
    print(f"policy-extract {cmd}: {msg}", file=sys.stderr)
    return EXIT_USAGE


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.extract_cmd import ExtractOptions, UsageError, run_extract
    from pipeline.io.outlock import OutputError

    opts = ExtractOptions(
        paths=tuple(args.paths), out=args.out, collection=args.collection, region=args.region, jobs=args.jobs,
        wait=args.wait, csv_no_bom=args.csv_no_bom, no_xlsx=args.no_xlsx, export=args.export,
        doc_timeout=args.doc_timeout, no_report=args.no_report, quiet=args.quiet, ner_model=args.ner_model,
        ner=args.ner, executor=args.executor, scheduler=args.scheduler)
    try:
        return run_extract(opts)
    except (UsageError, OutputError) as exc:
        return _err("extract", str(exc))


def cmd_eval(args: argparse.Namespace) -> int:
    from pipeline.evaluation.run import EvalOptions, corpus_groups, run_eval
    from pipeline.extractors.ner import NerUnavailable, make_backend
    from pipeline.io.ingest import iter_inputs

    if args.corpus is None and not (args.docs and args.gold):
        return _err("eval", "give --corpus DIR, or --docs DIR and --gold DIR")
    try:
        if args.ner not in ("default", "off"):
            make_backend("lac" if args.ner in ("on", "both") else args.ner)
    except NerUnavailable as exc:
        return _err("eval", str(exc))
    folders = [args.corpus] if args.corpus is not None else [*args.docs, *args.gold]
    for f in folders:
        if not f.is_dir():
            return _err("eval", f"no such folder: {f}")
    if args.corpus is not None:
        if not corpus_groups(args.corpus):
            return _err("eval", f"{args.corpus} has none of the corpus folders seeds/, dev/, holdout/")
    elif len(args.docs) == len(args.gold):
        pairs = [(p, g) for d, g in zip(args.docs, args.gold, strict=True) for p, _ in iter_inputs([d])]
        if not any((g / f"{p.stem}.gold.json").is_file() for p, g in pairs):
            return _err("eval", "no document of --docs has a gold file <name>.gold.json in its --gold folder")
    return run_eval(EvalOptions(docs=tuple(args.docs or ()), gold=tuple(args.gold or ()), corpus=args.corpus,
                                errors=args.errors, json=args.json, ner=args.ner))


def cmd_search(args: argparse.Namespace) -> int:
    from pipeline.io.search import SearchOptions, run_search
    from pipeline.io.store import DB_NAME

    return run_search(SearchOptions(query=args.query, db=Path(args.out) / DB_NAME, limit=args.limit, json=args.json))


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.io.exports import ExportOptions, run_export

    return run_export(ExportOptions(out=args.out, csv_no_bom=args.csv_no_bom, no_xlsx=args.no_xlsx, wait=args.wait,
                                    quiet=args.quiet))


def cmd_bench(args: argparse.Namespace) -> int:
    from pipeline.evaluation.bench import BenchOptions, run_bench
    from pipeline.io.ingest import iter_inputs

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        return _err("bench", f"no such file or folder: {', '.join(missing)}")
    if args.mb <= 0:
        return _err("bench", "--mb must be positive")
    if not iter_inputs(args.paths):
        return _err("bench", "no supported documents (.txt .text .md .html .htm .docx .pdf) found")
    return run_bench(BenchOptions(paths=tuple(args.paths), mb=args.mb, ner=args.ner))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``policy-extract``."""
    os.environ.setdefault("PYTHONHASHSEED", "0")
    args = _parser().parse_args(argv)
    t0 = time.perf_counter()
    handler = {"extract": cmd_extract, "export": cmd_export, "eval": cmd_eval, "search": cmd_search,
               "bench": cmd_bench}[args.cmd]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print(f"\ninterrupted after {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        return 130


def _tool_parser(tool: str) -> argparse.ArgumentParser:
    """The parser of ``python -m pipeline.<tool>`` (goldtool, fuzz, tabledigest, variants)."""
    if tool == "goldtool":
        ap = argparse.ArgumentParser(prog="python -m pipeline.evaluation.goldtool")
        sub = ap.add_subparsers(dest="cmd", required=True)
        pr = sub.add_parser("propose")
        pr.add_argument("doc", type=Path)
        mg = sub.add_parser("merge")
        mg.add_argument("doc", type=Path)
        mg.add_argument("parts", type=Path, nargs="+")
        mg.add_argument("--ref-year", type=int)
    elif tool == "fuzz":
        from pipeline.evaluation import fuzz

        ap = argparse.ArgumentParser(prog="python -m pipeline.evaluation.fuzz", description=(fuzz.__doc__ or "").splitlines()[0])
        ap.add_argument("--corpus", type=Path, default=Path("corpus"))
        ap.add_argument("--n", type=int, default=10_000)
        ap.add_argument("--seed", type=int, default=1)
        ap.add_argument("--batch", type=int, default=500)
        ap.add_argument("--keep", type=Path, help="keep the mutants and outputs here")
    elif tool == "tabledigest":
        from pipeline.evaluation import tabledigest

        ap = argparse.ArgumentParser(prog="python -m pipeline.evaluation.tabledigest",
                                     description=(tabledigest.__doc__ or "").split("\n")[0])
        ap.add_argument("paths", nargs="*", type=Path, default=[Path("corpus")])
        g = ap.add_mutually_exclusive_group(required=True)
        g.add_argument("--save", type=Path, help="write the rows here (.json.gz)")
        g.add_argument("--compare", type=Path, help="compare with rows saved earlier")
        ap.add_argument("--without", action="append", default=[], metavar="COLUMN",
                        help="with --compare: leave this column out of every row (repeatable)")
    elif tool == "variants":
        from pipeline.evaluation import variants

        ap = argparse.ArgumentParser(prog="python -m pipeline.evaluation.variants",
                                     description=(variants.__doc__ or "").split("\n")[0])
        ap.add_argument("--corpus", type=Path, default=Path("corpus"), help="the bundled corpus layout")
    else:
        raise ValueError(f"no tool {tool!r}")
    return ap


def tool_main(tool: str, argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: the command line) for ``python -m pipeline.<tool>`` and run the tool."""
    args = _tool_parser(tool).parse_args(argv)
    if tool == "goldtool":
        from pipeline.evaluation.goldtool import print_gold

        return print_gold(args.cmd, args.doc, getattr(args, "parts", ()), getattr(args, "ref_year", None))
    if tool == "fuzz":
        from pipeline.evaluation.fuzz import fuzz_and_report

        return fuzz_and_report(args.corpus, args.n, args.seed, args.batch, args.keep)
    if tool == "variants":
        from pipeline.evaluation.variants import report_variants

        return report_variants(args.corpus)
    from pipeline.evaluation.tabledigest import save_or_compare

    return save_or_compare(args.paths, save=args.save, compare=args.compare, without_columns=args.without)
