"""``policy-extract extract``: the inputs and their sources, the checks before the work, the run, the summary.

Sources: every file is named ``<collection>/<path inside its folder>``; the
collection is ``--collection LABEL`` or the name of the folder given on the
command line (for a file given by name, of the folder it is in). So
``countyA/plan.txt`` and ``countyB/plan.txt`` are two sources and never
replace each other in the store. Two different folders with the same name
would give the same sources; that is refused before the work (exit 2) unless
``--collection`` says which is which.

Everything that can stop a run — a bad ``--out``, another run or program
holding the store, a corrupt store, clashing sources — is checked before the
first document is read.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.io.outlock import OutLock, check_out_dir, say, wait_for_store

if TYPE_CHECKING:
    from pipeline.stages.gazetteer import Gazetteer

EXIT_OK, EXIT_SOME_FAILED = 0, 3
SUFFIXES = ".txt .text .md .html .htm .docx .pdf"
#: How many skipped files the summary names before it only counts them.
MAX_LISTED = 20


class UsageError(Exception):
    """The command line cannot be run as given (one line; exit 2)."""


@dataclass
class Inputs:
    """The files of a run with their sources, where they are, and what was left out and why."""

    files: list[tuple[Path | str, str]] = field(default_factory=list)  # a str is an fsspec URL (remote.py)
    locations: dict[str, tuple[str, str]] = field(default_factory=dict)  # source -> (collection, resolved path)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    regions: dict[str, str] = field(default_factory=dict)  # source -> fallback region


class Sidecars:
    """``policy-extract.yaml`` files: a folder's settings apply to its files and sub-folders (nearest wins).

    Only ``region`` is read: the division (苍南县, 温州市苍南县) a document of
    that folder governs when it names none itself. Checked when read.
    """

    def __init__(self, default_region: str | None) -> None:
        self._gazetteer: Gazetteer | None = None  # built when a region is first checked
        self.default = self._checked(default_region, "--region") if default_region else None
        self._cache: dict[Path, str | None] = {}
        self._regions: dict[tuple[Path, Path], str | None] = {}  # (folder as given, root) -> region

    def _checked(self, name: str, where: str) -> str:
        from pipeline.compose import named_region

        if self._gazetteer is None:
            from pipeline.stages.gazetteer import Gazetteer

            self._gazetteer = Gazetteer()
        try:
            named_region(self._gazetteer, name)
        except ValueError as exc:
            raise UsageError(f"{where}: {exc}") from None
        return name

    def _read(self, folder: Path) -> str | None:
        import yaml

        from pipeline.io.ingest import SIDECAR_NAME

        if folder not in self._cache:
            path = folder / SIDECAR_NAME
            region = None
            if path.is_file():
                try:
                    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                    raise UsageError(f"{path}: cannot read it ({type(exc).__name__})") from None
                if not isinstance(data, dict) or set(data) - {"region"} or not isinstance(data.get("region"), str):
                    raise UsageError(f"{path}: expected one line `region: <division name>`, e.g. region: 苍南县")
                region = self._checked(data["region"].strip(), str(path))
            self._cache[folder] = region
        return self._cache[folder]

    def region(self, path: Path, root: Path) -> str | None:
        """The region for ``path`` found under ``root``: the nearest sidecar up to ``root``, else ``--region``.

        Files of one folder share the answer, so it is looked up once per folder (resolving paths costs
        system calls; a folder of 1,000 files asked it 1,000 times).
        """
        key = (path.parent, root)
        if key not in self._regions:
            folder = path.parent.resolve()
            top = root.resolve() if root.is_dir() else folder
            while True:
                found = self._read(folder)
                if found or folder == top or folder.parent == folder:
                    break
                folder = folder.parent
            self._regions[key] = found or self.default
        return self._regions[key]


def collect_inputs(paths: Sequence[Path | str], collection: str | None, region: str | None = None) -> Inputs:
    """Expand the command line's paths (and fsspec URLs, given as ``str``) into sourced inputs (see the module docstring)."""
    from pipeline.io.ingest import iter_inputs
    from pipeline.io.remote import iter_url_inputs, url_name

    got = Inputs()
    sidecars = Sidecars(region)
    seen: set[str] = set()
    for root in paths:
        if isinstance(root, str):  # a URL: listed with fsspec, read by the workers; no sidecars
            label = collection or url_name(root) or "root"
            for url, rel in iter_url_inputs(root, got.skipped):
                source = f"{label}/{rel}"
                if url in seen:
                    continue
                seen.add(url)
                if source in got.locations:
                    raise UsageError(f"two inputs would both be {source} ({got.locations[source][1]} and {url}); "
                                     "run them separately, each with its own --collection")
                got.locations[source] = (label, url)
                got.files.append((url, source))
                if sidecars.default:
                    got.regions[source] = sidecars.default
            continue
        here = root.resolve()
        label = collection or (here.name if root.is_dir() else here.parent.name) or "root"
        for path, rel in iter_inputs([root], got.skipped):
            resolved = str(path.resolve())
            if resolved in seen:
                continue
            seen.add(resolved)
            source = f"{label}/{rel}"
            if source in got.locations:
                raise UsageError(f"two inputs would both be {source} ({got.locations[source][1]} and {resolved}); "
                                 "run them separately, each with its own --collection")
            got.locations[source] = (label, resolved)
            got.files.append((path, source))
            if found := sidecars.region(path, root):
                got.regions[source] = found
    return got


@dataclass(frozen=True)
class ExtractOptions:
    """``policy-extract extract``: the inputs and every option of the run (the defaults are the CLI's)."""

    paths: tuple[Path | str, ...]  # a str is an fsspec URL (--executor dask)
    out: Path = Path("outputs")
    collection: str | None = None
    region: str | None = None
    jobs: int = 1
    wait: bool = False
    csv_no_bom: bool = False
    no_xlsx: bool = False
    export: str = "auto"  # auto, yes or no
    doc_timeout: float = 60.0  # seconds; 0: none
    no_report: bool = False
    quiet: bool = False
    ner_model: str | None = None
    ner: str = "default"
    executor: str = "local"  # local or dask
    scheduler: str | None = None


def run_extract(args: ExtractOptions) -> int:
    """Check, lock, process, merge, export, report, summarise; returns the exit code."""
    from pipeline.io.store import DB_NAME, source_conflicts

    missing = [str(p) for p in args.paths if not isinstance(p, str) and not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if any(isinstance(p, str) for p in args.paths) and getattr(args, "executor", "local") != "dask":
        raise UsageError("URL inputs are read with --executor dask")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.collection is not None and (not args.collection.strip() or "/" in args.collection):
        raise UsageError("--collection needs a non-empty label without '/'")
    try:
        inputs = collect_inputs(args.paths, args.collection, args.region)
    except FileNotFoundError as exc:  # a URL with nothing at it
        raise UsageError(str(exc)) from None
    if not inputs.files:
        raise UsageError(f"no supported documents ({SUFFIXES}) found" + _skipped_note(inputs.skipped))
    out: Path = args.out
    check_out_dir(out)
    lock = OutLock(out)
    lock.acquire(args.wait, say)
    try:
        db = out / DB_NAME
        wait_for_store(db, args.wait, say)
        if args.collection is None:
            clash = source_conflicts(db, [(s, p) for s, (_, p) in inputs.locations.items()])
            if clash:
                source, old = clash[0]
                raise UsageError(f"the store already has {source} from {old}, another file; give these inputs "
                                 "their own name with --collection LABEL (or the old one's, to replace it)")
        return _process(args, inputs, db)
    finally:
        lock.release()


def _process(args: ExtractOptions, inputs: Inputs, db: Path) -> int:
    from pipeline.io.exports import AUTO_EXPORT_DOCS, remove_exports
    from pipeline.io.parts import remove_parts
    from pipeline.io.report import write_report
    from pipeline.io.store import RunRows, save, write_atomic_text
    from pipeline.io.tables import arrow_tables
    from pipeline.runner import Progress, run

    options: dict[str, object] = {}
    if args.ner_model:
        from pipeline.extractors.ner import HanLPOrganizations, NerUnavailable

        try:
            HanLPOrganizations(args.ner_model)  # fail fast, before any document is read
        except NerUnavailable as exc:
            raise UsageError(str(exc)) from None
        options["ner_model"] = args.ner_model
    if args.ner != "default":
        from pipeline.extractors.ner import NerUnavailable, make_backend

        try:
            if args.ner != "off":
                make_backend(args.ner)  # fail fast: package or model missing
        except NerUnavailable as exc:
            raise UsageError(str(exc)) from None
        options["ner"] = None if args.ner == "off" else args.ner
    out: Path = args.out
    prog = Progress(len(inputs.files), args.quiet)
    if inputs.regions:
        options["regions"] = inputs.regions
    executor = args.executor
    # rows are written as documents finish, in worker processes, so the parent never holds every result
    workers_wrote = executor == "dask" or len(inputs.files) > 1
    run_rows: RunRows
    if workers_wrote:
        from pipeline.io.parts import remove_stale_parts

        remove_stale_parts(out)  # parts of a run killed before its merge
    local = [(p, s) for p, s in inputs.files if isinstance(p, Path)]  # all of them but with dask (run_extract)
    if executor == "dask":  # workers write rows, texts and report pages themselves (dask_exec.py)
        from pipeline.dask_exec import run_dask

        results, run_rows = run_dask(inputs.files, out, options, scheduler=args.scheduler, n_workers=args.jobs,
                                     report=not args.no_report, progress=prog, locations=inputs.locations,
                                     doc_timeout=args.doc_timeout or None)
        seconds = prog.close()
    elif workers_wrote:  # worker processes write their own rows (parts.py)
        from pipeline.io.parts import run_parts

        results, run_rows = run_parts(local, out, args.jobs, options, report=not args.no_report,
                                        progress=prog, locations=inputs.locations,
                                        doc_timeout=args.doc_timeout or None)
        seconds = prog.close()
    else:
        results = run(local, jobs=args.jobs, progress=prog, options=options, doc_timeout=args.doc_timeout or None)
        seconds = prog.close()
    if not workers_wrote:
        (out / "text").mkdir(parents=True, exist_ok=True)
        for (path, _), r in zip(local, results, strict=False):
            if r.status == "ok" and path.suffix.lower() not in (".txt", ".text"):
                write_atomic_text(out / "text" / f"{r.doc_id}.txt", r.original_text)
        run_rows = arrow_tables(results, inputs.locations)
    export = {"auto": None, "yes": True, "no": False}[args.export]
    try:
        wait_for_store(db, True, say)  # the work is done: wait for the store rather than lose it
        saved = save(out, run_rows, csv_bom=not args.csv_no_bom, xlsx=not args.no_xlsx, export=export)
    finally:
        if isinstance(run_rows, Path):
            remove_parts(run_rows)
    if not args.no_report:
        pages = [] if workers_wrote else list({r.doc_id: r for r in results}.values())  # workers wrote theirs
        write_report(out, pages, db)
    stale = [] if saved.exported else remove_exports(out)
    changed = saved.changed
    failed = [r for r in results if r.status != "ok"]
    folders = [s for s in inputs.skipped if s[1].startswith("cannot read folder")]
    if not args.quiet:
        n_docs = saved.run_docs
        print(f"documents: {len(results) - len(failed)} ok, {len(failed)} failed", file=sys.stderr)
        for r in failed:
            print(f"  {r.source}: {r.error}", file=sys.stderr)
        if n_docs < len(results):
            print(f"identical files: {len(results)} files hold {n_docs} distinct documents; each document's rows "
                  "are written once, all its names are in document_sources", file=sys.stderr)
        # a document naming no region matters when it names local units (县交通运输局); a national one names ministries
        no_region = [r.source for r in results if r.status == "ok"
                     and not (r.meta.province or r.meta.city or r.meta.county) and r.names_local_units()]
        if no_region:
            print(f"no region: {len(no_region)} document(s) name no province, city or county, so their units keep "
                  "bare names (县交通运输局); give --region or a policy-extract.yaml with `region: <county>` in "
                  f"their folder: {', '.join(no_region[:5])}{' …' if len(no_region) > 5 else ''}", file=sys.stderr)
        if changed:
            print(f"replaced {len(changed)} changed file(s) (their old rows are gone): {', '.join(changed)}",
                  file=sys.stderr)
        if inputs.skipped:
            print(f"skipped {len(inputs.skipped)} (not read):", file=sys.stderr)
            for where, why in inputs.skipped[:MAX_LISTED]:
                print(f"  {where}: {why}", file=sys.stderr)
            if len(inputs.skipped) > MAX_LISTED:
                print(f"  … and {len(inputs.skipped) - MAX_LISTED} more", file=sys.stderr)
        counts = ", ".join(f"{k} {v}" for k, v in saved.run_rows.items() if k != "documents")
        print(f"rows this run: {counts}", file=sys.stderr)
        if not saved.exported:
            why = ("--export no" if export is False else
                   f"the store holds {saved.store_docs:,} documents, more than {AUTO_EXPORT_DOCS:,}")
            print(f"CSV and Excel files not written ({why}); `policy-extract export --out {out}` writes them"
                  + (f"; the old ones no longer matched the store and were removed: {', '.join(stale)}"
                     if stale else ""), file=sys.stderr)
        n_chars = sum(r.n_chars for r in results)
        rate = n_chars / seconds if seconds > 0 else 0.0
        print(f"time: {seconds:.1f} s, {n_chars} chars, {rate:,.0f} chars/s; written to {out}/", file=sys.stderr)
    return EXIT_SOME_FAILED if failed or folders else EXIT_OK


def _skipped_note(skipped: list[tuple[str, str]]) -> str:
    if not skipped:
        return ""
    first, why = skipped[0]
    more = f" and {len(skipped) - 1} other(s)" if len(skipped) > 1 else ""
    return f"; skipped {Path(first).name} ({why}){more}"
