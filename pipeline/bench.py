"""``make bench``: whole-pipeline throughput against plain ``jieba.lcut`` on the same text.

The corpus is replicated until it holds at least ``--mb`` megabytes of text;
every run (the pipeline without and with NER, ``jieba.lcut``) sees exactly the
same strings, taking turns document by document. Peak memory is the process's maximum
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
    mode = getattr(args, "ner", "off")
    choices: dict[str, list[str | None]] = {"off": [None], "on": ["lac"], "both": [None, "lac"]}
    runs = choices.get(mode, [mode])
    pipes = []
    for ner in runs:
        t0 = time.perf_counter()
        pipes.append(Pipeline(ner=ner))
        print(f"pipeline build, NER {ner or 'off'}: {time.perf_counter() - t0:.2f} s")
    tok = jieba.Tokenizer()
    tok.initialize()
    # the runs take turns document by document, so that load from other processes on the machine
    # weighs on each alike
    seconds = [0.0] * len(pipes)
    jieba_s = 0.0
    for i, t in enumerate(corpus):
        for k, pipe in enumerate(pipes):
            t0 = time.perf_counter()
            pipe.process_text(f"bench{i}", f"bench/{i}.txt", t)
            seconds[k] += time.perf_counter() - t0
        t0 = time.perf_counter()
        tok.lcut(t)
        jieba_s += time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    j_rate = n_chars / jieba_s
    for ner, sec in zip(runs, seconds, strict=True):
        print(f"pipeline, NER {ner or 'off'}: {sec:.2f} s, {n_chars / sec:,.0f} chars/s (one process)")
    print(f"jieba.lcut: {jieba_s:.2f} s, {j_rate:,.0f} chars/s")
    for ner, sec in zip(runs, seconds, strict=True):
        print(f"ratio pipeline/jieba, NER {ner or 'off'}: {n_chars / sec / j_rate:.2f}")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")
    return 0
