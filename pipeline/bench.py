"""``make bench``: whole-pipeline throughput against plain ``jieba.lcut`` on the same text.

The corpus is replicated until it holds at least ``--mb`` megabytes of text;
both runs see exactly the same strings. Peak memory is the process's maximum
resident set size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import jieba

from pipeline.compose import Pipeline
from pipeline.errors import DocumentError
from pipeline.ingest import iter_inputs, read_document


def run_bench(args: argparse.Namespace) -> int:
    """Print chars/s of the pipeline and of jieba, their ratio, and peak memory."""
    texts = []
    for path, source in iter_inputs(args.paths):
        try:
            texts.append(read_document(path).text)
        except DocumentError as exc:  # a bad file is left out of the measure, as extract would fail it alone
            print(f"skipped {source}: {exc.one_line()}", file=sys.stderr)
    base_chars = sum(len(t) for t in texts)
    if not base_chars:
        print("policy-extract bench: no readable text in the given documents", file=sys.stderr)
        return 2
    target = int(args.mb * 1_000_000)
    corpus: list[str] = []
    size = 0
    while size < target:
        for t in texts:
            corpus.append(t)
            size += len(t.encode("utf-8"))
    n_chars = sum(len(t) for t in corpus)
    print(f"corpus: {len(texts)} documents, {base_chars} chars, replicated to {len(corpus)} documents, "
          f"{n_chars} chars ({size / 1e6:.1f} MB UTF-8)")
    t0 = time.perf_counter()
    pipe = Pipeline()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i, t in enumerate(corpus):
        pipe.process_text(f"bench{i}", f"bench/{i}.txt", t)
    pipe_s = time.perf_counter() - t0
    tok = jieba.Tokenizer()
    tok.initialize()
    t0 = time.perf_counter()
    for t in corpus:
        tok.lcut(t)
    jieba_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p_rate, j_rate = n_chars / pipe_s, n_chars / jieba_s
    print(f"pipeline build: {build:.2f} s")
    print(f"pipeline: {pipe_s:.2f} s, {p_rate:,.0f} chars/s (one process)")
    print(f"jieba.lcut: {jieba_s:.2f} s, {j_rate:,.0f} chars/s")
    print(f"ratio pipeline/jieba: {p_rate / j_rate:.2f}")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")
    return 0
