"""``make bench``: speed and memory of the whole pipeline, in one run.

Prints, on the corpus given (default ``corpus/``):

- build time of the pipeline in a fresh process (imports included, disk caches warm);
- one-file ``policy-extract extract`` end to end (a new process, median of 3);
- throughput against plain ``jieba.lcut`` on the same strings (the corpus
  replicated to ``--mb`` megabytes), and their ratio, for the pipeline without
  and/or with NER (``--ner``); the runs take turns document by document, in CPU
  time, so that load from other processes weighs on each alike;
- the size series: the same 1 MB of corpus text as documents of 10 KB, 100 KB,
  1 MB and (five times over) 5 MB, chars/s each and their spread (linear cost
  means a flat series);
- ``extract --jobs 1`` against ``--jobs 2`` on files on disk, end to end;
- appending 10 documents to a store of 200 and of 2,000 (``store.save``), and the on-demand
  CSV/xlsx export of each;
- peak memory (max RSS) of the parent of ``extract --jobs 1`` on 100 and on 600 documents;
- peak memory (max RSS) of this process and of the largest child.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.compose import Pipeline
from pipeline.errors import DocumentError
from pipeline.io.ingest import iter_inputs, read_document
from pipeline.models import DocResult

SIZES_KB = (10, 100, 1000, 5000)


def _replicate(texts: list[str], n_bytes: int) -> list[str]:
    out: list[str] = []
    size = 0
    while size < n_bytes:
        for t in texts:
            out.append(t)
            size += len(t.encode("utf-8"))
            if size >= n_bytes:
                break
    return out


def _one_document(texts: list[str], n_bytes: int) -> str:
    """Corpus texts joined into one document of about ``n_bytes`` UTF-8 bytes."""
    parts: list[str] = []
    size = 0
    while size < n_bytes:
        for t in texts:
            parts.append(t)
            size += len(t.encode("utf-8")) + 2
            if size >= n_bytes:
                break
    return "\n\n".join(parts)


def _wall(cmd: list[str]) -> tuple[float, float, float]:
    """Wall and CPU (user + system, its workers included) seconds and peak MB (max RSS) of a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _fresh_build() -> float:
    code = ("import time; t = time.perf_counter(); from pipeline.compose import Pipeline; Pipeline(); "
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def _throughput(pipes: list[Pipeline], texts: list[str]) -> tuple[list[float], float]:
    """CPU chars/s of each pipeline and of a plain ``jieba.Tokenizer().lcut``, taking turns on the same strings."""
    import jieba

    tok = jieba.Tokenizer()
    tok.initialize()
    seconds = [0.0] * len(pipes)
    jieba_s = 0.0
    for i, t in enumerate(texts):
        for k, pipe in enumerate(pipes):
            c0 = time.process_time()
            pipe.process_text(f"bench{i}", f"bench/{i}.txt", t)
            seconds[k] += time.process_time() - c0
        c0 = time.process_time()
        tok.lcut(t)
        jieba_s += time.process_time() - c0
    n = sum(len(t) for t in texts)
    return [n / s for s in seconds], n / jieba_s


def _pieces(text: str, n_bytes: int) -> list[str]:
    """``text`` cut at line ends into pieces of about ``n_bytes`` UTF-8 bytes."""
    out: list[str] = []
    cur: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        cur.append(line)
        size += len(line.encode("utf-8"))
        if size >= n_bytes:
            out.append("".join(cur))
            cur, size = [], 0
    if cur:
        out.append("".join(cur))
    return out


def _size_series(pipe: Pipeline, texts: list[str]) -> None:
    """CPU chars/s by document size, on the same text at every size.

    A 1 MB text of corpus documents is processed as 100 documents of 10 KB, 10 of
    100 KB, one of 1 MB, and five times over as one 5 MB document; CPU time, so
    that other processes on the machine do not skew it. Documents with a line that opens a news report (本报讯,
    通讯员 …) are left out: from that line on the targets stage reads the rest of its document as news, so a joined
    document would do less work than its pieces (a third of the targets), which is no cost of size.
    """
    from pipeline.extractors.targets.indicators import compile_target_patterns
    from pipeline.extractors.targets.model import LEXICON
    from pipeline.lexicon import read_yaml

    news = compile_target_patterns(read_yaml(LEXICON)["patterns"])["news_marker"]  # the pattern the stage reads
    base = _one_document([t for t in texts if not news.search(t)], 1_000_000)
    rates = []
    for kb in SIZES_KB:
        docs = _pieces(base, kb * 1000) if kb < 1000 else ["\n\n".join([base] * (kb // 1000))]
        c0 = time.process_time()
        for k, doc in enumerate(docs):
            pipe.process_text(f"size{kb}.{k}", f"size/{kb}/{k}.txt", doc)
        s = time.process_time() - c0
        n = sum(len(d) for d in docs)
        rates.append(n / s)
        print(f"  {kb:>5} KB: {len(docs):>3} document(s) of {n // len(docs):>9,} chars, {s:6.2f} s CPU, "
              f"{rates[-1]:>9,.0f} chars/s")
    print(f"  spread (max/min - 1): {max(rates) / min(rates) - 1:.0%}")


#: Runs ``policy-extract`` (argv[2:]) and writes its own CPU seconds and its reaped children's (the workers') to argv[1].
_SPLIT_CPU = ("import json, resource, sys\n"
              "from pipeline.cli import main\n"
              "code = main(sys.argv[2:])\n"
              "own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
              "with open(sys.argv[1], 'w') as fh:\n"
              "    json.dump([own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime], fh)\n"
              "sys.exit(code)\n")


def _jobs(texts: list[str], tmp: Path) -> None:
    """``policy-extract extract FOLDER --jobs 1`` against ``--jobs 2``, end to end in new processes.

    Besides the wall-clock ratio (noisy on a shared machine), the speed-up an
    idle 2-core machine would give is estimated from CPU time (rusage): the
    ``--jobs 1`` run's whole CPU against the ``--jobs 2`` parent's CPU (counted as
    serial: not overlapped with the workers) plus half its workers' CPU.
    """
    import json

    folder = tmp / "jobs"
    folder.mkdir()
    for i, t in enumerate(texts):
        (folder / f"{i:05d}.txt").write_text(t, encoding="utf-8")
    n = sum(len(t) for t in texts)
    secs, split = {}, {}
    for jobs in (1, 2):
        cpu_file = tmp / f"cpu{jobs}.json"
        cmd = [sys.executable, "-c", _SPLIT_CPU, str(cpu_file), "extract", str(folder),
               "--out", str(tmp / f"jobs{jobs}"), "--jobs", str(jobs), "--quiet", "--no-report"]
        secs[jobs], cpu, peak = _wall(cmd)
        split[jobs] = json.loads(cpu_file.read_text())
        print(f"  --jobs {jobs}: {len(texts)} files, {n:,} chars: {secs[jobs]:6.2f} s wall ({cpu:.2f} s CPU: parent "
              f"{split[jobs][0]:.2f} s, workers {split[jobs][1]:.2f} s), {n / secs[jobs]:>9,.0f} chars/s; "
              f"peak memory of one process (parent or worker) {peak:,.0f} MB")
    idle2 = split[2][0] + split[2][1] / 2
    print(f"  speed-up --jobs 2 / --jobs 1: {secs[1] / secs[2]:.2f}x wall; {sum(split[1]) / idle2:.2f}x estimated "
          f"for an idle 2-core machine from CPU (all of --jobs 1 / (parent + workers/2) of --jobs 2)")


def _append(pipe: Pipeline, texts: list[str], tmp: Path) -> None:
    """Appending 10 documents to stores of 200 and 2,000 (``store.save``: merge, search index, Parquet parts).

    The CSV files and ``policy.xlsx`` are copies of the whole store, written on
    demand (``exports.py``): timed apart, they are expected to grow with it.
    """
    from pipeline.io.exports import write_exports
    from pipeline.io.store import save
    from pipeline.io.tables import arrow_tables

    base = [pipe.process_text(f"seed{i}", f"seed/{i}.txt", t) for i, t in enumerate(texts[:50])]

    def batch(lo: int, hi: int) -> list[DocResult]:
        return [replace(base[i % len(base)], doc_id=f"d{i:06d}", source=f"docs/{i:06d}.txt") for i in range(lo, hi)]

    appends, exports = {}, {}
    for n in (200, 2000):  # the cost of adding 10 documents should not grow with the store
        out = tmp / f"store{n}"
        t0 = time.perf_counter()
        save(out, arrow_tables(batch(0, n)), export=False)
        first = time.perf_counter() - t0
        times = []
        for k in range(3):
            t0 = time.perf_counter()
            save(out, arrow_tables(batch(n + 10 * k, n + 10 * k + 10)), export=False)
            times.append(time.perf_counter() - t0)
        appends[n] = statistics.median(times)
        t0 = time.perf_counter()
        write_exports(out)
        exports[n] = time.perf_counter() - t0
        print(f"  store of {n:,} documents written in {first:.2f} s; appending 10 documents: {appends[n]:.2f} s "
              f"(median of 3); CSV + policy.xlsx of the whole store (on demand): {exports[n]:.2f} s")
    print(f"  append time, store of 2,000 / store of 200: {appends[2000] / appends[200]:.2f}x")
    print(f"  CSV + xlsx export, store of 2,000 / store of 200: {exports[2000] / exports[200]:.2f}x")


def _parent_memory(texts: list[str], tmp: Path) -> None:
    """Peak memory (max RSS) of the parent of ``extract --jobs 1`` on 100 and on 600 documents.

    The worker writes the rows; the parent merges them from disk, so its
    peak should not follow the number of documents (issue 14.8).
    """
    pieces = _pieces(_one_document(texts, 1_300_000), 2_000)
    # VmHWM (Linux): ru_maxrss of a process started from this one counts this process's own size
    code = ("import resource, sys; from pipeline.cli import main; main(sys.argv[1:]); "
            "s = open('/proc/self/status').read() if sys.platform == 'linux' else ''; "
            "print(next((int(x.split()[1]) for x in s.splitlines() if x.startswith('VmHWM:')), "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))")
    peaks = {}
    for n in (100, 600):
        folder = tmp / f"parent{n}"
        folder.mkdir()
        for i in range(n):
            (folder / f"{i:05d}.txt").write_text(pieces[i % len(pieces)] + f"\n{i}\n", encoding="utf-8")
        cmd = [sys.executable, "-c", code, "extract", str(folder), "--out", str(tmp / f"parent{n}-out"),
               "--jobs", "1", "--quiet"]
        out = subprocess.run(cmd, check=False, capture_output=True, text=True).stdout
        peaks[n] = int(out.strip().splitlines()[-1]) / 1024
    print(f"  parent of extract --jobs 1 (report and CSV/xlsx included), peak memory: 100 documents "
          f"{peaks[100]:,.0f} MB, 600 documents {peaks[600]:,.0f} MB ({peaks[600] / peaks[100]:.2f}x)")


@dataclass(frozen=True)
class BenchOptions:
    """``policy-extract bench``: the documents, replicated to at least ``mb`` MB, and the NER runs (off, on, both)."""

    paths: tuple[Path, ...] = (Path("corpus"),)
    mb: float = 5.0
    ner: str = "both"


def run_bench(args: BenchOptions) -> int:
    """Print every figure of the module docstring."""
    texts = []
    inputs = iter_inputs(args.paths)
    for path, source in inputs:
        try:
            texts.append(read_document(path).text)
        except DocumentError as exc:  # a bad file is left out of the measure, as extract would fail it alone
            print(f"skipped {source}: {exc.one_line()}", file=sys.stderr)
    if not sum(len(t) for t in texts):
        print("policy-extract bench: no readable text in the given documents", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    pipe = Pipeline(ner=None)
    in_process = time.perf_counter() - t0
    mode = args.ner
    choices: dict[str, list[str | None]] = {"off": [None], "on": ["lac"], "both": [None, "lac"]}
    runs = choices.get(mode, [mode])
    pipes = [pipe if ner is None else Pipeline(ner=ner) for ner in runs]
    for p in pipes:
        for i, t in enumerate(texts[:20]):  # warm: jieba's dictionary (and a NER model) load on first use
            p.process_text(f"warm{i}", f"warm/{i}.txt", t)
    full = args.mb >= 1  # a tiny --mb (tests) prints the throughput only
    if full:
        print(f"pipeline build: {_fresh_build():.2f} s in a fresh process ({in_process:.2f} s in this one)")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmpdir:
        tmp = Path(tmpdir)
        if full:
            one = next(p for p, _ in inputs if p.suffix == ".txt" and p.stat().st_size)
            cmd = [sys.executable, "-m", "pipeline", "extract", str(one), "--out", str(tmp / "one"), "--quiet"]
            walls, cpus, peaks = zip(*(_wall(cmd) for _ in range(3)), strict=True)
            print(f"one-file extract end to end ({one.stat().st_size:,} bytes, a new process): "
                  f"{statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU (median of 3), "
                  f"peak {max(peaks):,.0f} MB")
        corpus = _replicate(texts, int(args.mb * 1_000_000))
        n_chars = sum(len(t) for t in corpus)
        rates, j_rate = _throughput(pipes, corpus)
        print(f"throughput on {len(corpus)} documents, {n_chars:,} chars (CPU time, runs taking turns): "
              f"jieba.lcut {j_rate:,.0f} chars/s")
        for ner, rate in zip(runs, rates, strict=True):
            print(f"  pipeline, NER {ner or 'off'}: {rate:,.0f} chars/s")
        for ner, rate in zip(runs, rates, strict=True):
            print(f"ratio pipeline/jieba, NER {ner or 'off'}: {rate / j_rate:.2f}")
        if full:
            print("size series (the same text in documents of each size, NER off):")
            _size_series(pipe, texts)
            print("workers (extract on files, end to end, no report):")
            _jobs(_replicate(texts, int(args.mb * 1_000_000)), tmp)
            print("store:")
            _append(pipe, texts, tmp)
            _parent_memory(texts, tmp)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory (max RSS): this bench process {own:,.0f} MB (every run above in one process), "
          f"largest child process {child:,.0f} MB")
    # the floor is a gate of `make bench` only: a tiny run (the tests') prints the rates on short inputs and
    # never fails on a loaded machine's timing
    ok = pathological_rates(pipe, 100_000 if full else 5_000)
    return 0 if ok or not full else 1


def pathological_rates(pipe: Pipeline, n_chars: int = 100_000) -> bool:
    """chars/s of every pathological input at ``n_chars``; False if one is below the floor."""
    from pipeline.evaluation.pathological import MIN_CHARS_PER_S, cases

    print(f"pathological inputs ({n_chars:,} chars each, CPU time; floor {MIN_CHARS_PER_S:,} chars/s):")
    ok = True
    for name, text in cases(n_chars).items():
        t0 = time.process_time()  # CPU time: other processes on a shared machine must not push a case under the floor
        pipe.process_text("pathological", f"{name}.txt", text)
        rate = len(text) / max(time.process_time() - t0, 1e-9)
        flag = "" if rate >= MIN_CHARS_PER_S else "  BELOW FLOOR"
        ok = ok and not flag
        print(f"  {name:34s} {rate:12,.0f} chars/s{flag}")
    return ok
