"""``make bench``: speed and memory of the whole pipeline, in one run.

Prints, on the corpus given (default ``corpus/``):

- build time of the pipeline in a fresh process (imports included, disk caches warm);
- one-file ``policy-extract extract`` end to end (a new process, median of 3);
- throughput against plain ``jieba.lcut`` on the same strings (the corpus
  replicated to ``--mb`` megabytes), and their ratio;
- the size series: one document of 10 KB, 100 KB, 1 MB and 5 MB (corpus texts
  joined), chars/s each and their spread (linear cost means a flat series);
- ``--jobs 1`` against ``--jobs 2`` through the runner on files on disk;
- appending 10 documents to a store of 2,000 (``store.save``);
- peak memory (max RSS) of this process and of the largest child.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from pipeline.compose import Pipeline
from pipeline.ingest import iter_inputs, read_document
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


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _fresh_build() -> float:
    code = ("import time; t = time.perf_counter(); from pipeline.compose import Pipeline; Pipeline(); "
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def _throughput(pipe: Pipeline, texts: list[str]) -> tuple[float, float, float]:
    """CPU chars/s of the pipeline and of a plain ``jieba.Tokenizer().lcut`` on the same strings; wall chars/s."""
    import jieba

    n = sum(len(t) for t in texts)
    t0, c0 = time.perf_counter(), time.process_time()
    for i, t in enumerate(texts):
        pipe.process_text(f"bench{i}", f"bench/{i}.txt", t)
    p_rate, wall = n / (time.process_time() - c0), n / (time.perf_counter() - t0)
    tok = jieba.Tokenizer()
    tok.initialize()
    c0 = time.process_time()
    for t in texts:
        tok.lcut(t)
    return p_rate, n / (time.process_time() - c0), wall


def _size_series(pipe: Pipeline, texts: list[str]) -> None:
    """CPU chars/s (CPU time, so other processes on the machine do not skew it) of one document per size."""
    rates = []
    for kb in SIZES_KB:
        doc = _one_document(texts, kb * 1000)
        runs, c0 = 0, time.process_time()
        while runs == 0 or time.process_time() - c0 < 2.0:  # small documents repeated for a stable figure
            pipe.process_text(f"size{kb}", f"size/{kb}.txt", doc)
            runs += 1
        s = (time.process_time() - c0) / runs
        rates.append(len(doc) / s)
        print(f"  {kb:>5} KB: {len(doc):>9,} chars, {s:6.2f} s CPU per run ({runs} runs), {rates[-1]:>9,.0f} chars/s")
    print(f"  spread (max/min - 1): {max(rates) / min(rates) - 1:.0%}")


def _jobs(texts: list[str], tmp: Path) -> None:
    from pipeline.runner import run

    folder = tmp / "jobs"
    folder.mkdir()
    for i, t in enumerate(texts):
        (folder / f"{i:05d}.txt").write_text(t, encoding="utf-8")
    inputs = iter_inputs([folder])
    secs = {}
    for jobs in (1, 2):
        t0 = time.perf_counter()
        run(inputs, jobs=jobs)
        secs[jobs] = time.perf_counter() - t0
    n = sum(len(t) for t in texts)
    for jobs, s in secs.items():
        print(f"  --jobs {jobs}: {s:6.2f} s, {n / s:>9,.0f} chars/s")
    print(f"  speed-up --jobs 2 / --jobs 1: {secs[1] / secs[2]:.2f}x")


def _append(pipe: Pipeline, texts: list[str], tmp: Path) -> None:
    from pipeline.store import save
    from pipeline.tables import arrow_tables

    base = [pipe.process_text(f"seed{i}", f"seed/{i}.txt", t) for i, t in enumerate(texts[:50])]

    def batch(lo: int, hi: int) -> list[DocResult]:
        return [replace(base[i % len(base)], doc_id=f"d{i:06d}", source=f"docs/{i:06d}.txt") for i in range(lo, hi)]

    out = tmp / "store"
    t0 = time.perf_counter()
    save(out, arrow_tables(batch(0, 2000)))
    first = time.perf_counter() - t0
    times = []
    for k in range(2):
        t0 = time.perf_counter()
        save(out, arrow_tables(batch(2000 + 10 * k, 2010 + 10 * k)))
        times.append(time.perf_counter() - t0)
    print(f"  store of 2,000 documents written in {first:.2f} s; appending 10 documents: "
          f"{statistics.median(times):.2f} s")


def run_bench(args: argparse.Namespace) -> int:
    """Print every figure of the module docstring."""
    inputs = iter_inputs(args.paths)
    texts = [read_document(p).text for p, _ in inputs]
    t0 = time.perf_counter()
    pipe = Pipeline()
    in_process = time.perf_counter() - t0
    for i, t in enumerate(texts[:20]):  # warm: jieba's dictionary is loaded on first use
        pipe.process_text(f"warm{i}", f"warm/{i}.txt", t)
    print(f"pipeline build: {_fresh_build():.2f} s in a fresh process ({in_process:.2f} s in this one)")
    one = next(p for p, _ in inputs if p.suffix == ".txt")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmpdir:
        tmp = Path(tmpdir)
        cmd = [sys.executable, "-m", "pipeline", "extract", str(one), "--out", str(tmp / "one"), "--quiet"]
        walls = [_wall(cmd) for _ in range(3)]
        print(f"one-file extract end to end ({one.stat().st_size:,} bytes): {statistics.median(walls):.2f} s "
              f"(median of 3)")
        corpus = _replicate(texts, int(args.mb * 1_000_000))
        n_chars = sum(len(t) for t in corpus)
        p_rate, j_rate, wall = _throughput(pipe, corpus)
        print(f"throughput on {len(corpus)} documents, {n_chars:,} chars (CPU time): pipeline {p_rate:,.0f} chars/s "
              f"({wall:,.0f} wall), jieba.lcut {j_rate:,.0f} chars/s, ratio pipeline/jieba {p_rate / j_rate:.2f}")
        print("size series (one document each):")
        _size_series(pipe, texts)
        print("workers (runner, files on disk):")
        _jobs(_replicate(texts, 1_000_000), tmp)
        print("store:")
        _append(pipe, texts, tmp)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory (max RSS): this process {own:,.0f} MB, largest child process {child:,.0f} MB")
    return 0
