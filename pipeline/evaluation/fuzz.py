"""``make fuzz``: mutate the corpus, run the CLI on the mutants, check every output row.

Mutations are the damage real files arrive with: flipped bytes, truncation
(also inside a multibyte character), control characters, other encodings,
pasted runs of blanks, newlines, digits or table separators, ragged tables,
spliced documents, broken HTML, DOCX and PDF packages. Each batch runs
``policy-extract extract`` in a subprocess (as a user would) and the checks
are: no traceback, exit 0 or 3, one ``documents`` row per input, a coded
reason (``Exxx: …``) on every error row, ``original[start:end] == text`` for
every span of every table, and no document over its time budget (2 s per
100 KB, at least 2 s: ``--doc-timeout``, so an E012 row is a violation).
Identical mutants are generated once (identical files share a ``doc_id``).

    python -m pipeline.evaluation.fuzz --n 10000 --seed 1 [--keep DIR]
"""

from __future__ import annotations

import collections
import hashlib
import io
import random
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

BUDGET_S_PER_100KB = 2.0
_SPAN_TABLES = ("tasks", "responsibilities", "organizations", "deadlines", "figures", "targets")
_CODED = re.compile(r"^E\d{3}: \S")
_RUNS = [" ", "\u3000", "\n", "\t", "1", "１", "一", "、", "|", "1.\n", "任务\n", " \n", "(一)", "牵头单位:"]
_CONTROL = [b"\x00", b"\x01", b"\x07", b"\x1b", b"\x7f", b"\x0c", b"\x1a", b"\r"]


def _flip(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


def _insert(rng: random.Random, data: bytes, piece: bytes) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + piece + data[at:]


def _text_mutations(rng: random.Random, text: str, other: str) -> bytes:
    """One damaged text file made from ``text`` (and ``other`` for splices)."""
    kind = rng.choice(["flip", "truncate", "control", "encode", "run", "ragged", "splice", "lines", "clean"])
    data = text.encode("utf-8")
    if kind == "flip":
        return _flip(rng, data)
    if kind == "truncate":
        return _truncate(rng, data)
    if kind == "control":
        for _ in range(rng.randint(1, 20)):
            data = _insert(rng, data, rng.choice(_CONTROL))
        return data
    if kind == "encode":
        codec = rng.choice(["gb18030", "big5", "utf-16", "utf-16-le", "utf-8-sig", "utf-32"])
        raw = text.encode(codec, errors="replace")
        return raw[: rng.randint(len(raw) // 2, len(raw))] if rng.random() < 0.5 else raw
    if kind == "run":
        run = rng.choice(_RUNS) * rng.randint(100, 4000)
        return _insert(rng, data, run.encode("utf-8"))
    if kind == "ragged":
        lines = text.split("\n")
        for _ in range(rng.randint(1, 30)):
            k = rng.randrange(len(lines))
            cut = rng.randint(0, len(lines[k]))
            lines[k] = lines[k][:cut] + rng.choice(["|", " | ", "\t", "||", "|\n|"]) + lines[k][cut:]
        return "\n".join(lines).encode("utf-8")
    if kind == "splice":
        a, b = rng.randint(0, len(text)), rng.randint(0, len(other))
        return (text[:a] + other[b:]).encode("utf-8")
    if kind == "lines":
        lines = text.split("\n")
        rng.shuffle(lines)
        return ("\r\n" if rng.random() < 0.5 else "\n").join(lines[: rng.randint(1, len(lines))]).encode("utf-8")
    return data


def _html(rng: random.Random, text: str) -> bytes:
    body = "".join(f"<p>{ln}</p>" if "|" not in ln else
                   "<table><tr>" + "".join(f"<td>{c}</td>" for c in ln.split("|")) + "</tr></table>"
                   for ln in text.split("\n"))
    page = f"<html><head><meta charset='utf-8'><title>t</title></head><body><div>{body}</div></body></html>"
    data = page.encode("utf-8")
    damages: list[Callable[[], bytes]] = [
        lambda: data, lambda: _truncate(rng, data), lambda: _flip(rng, data),
        lambda: data.replace(b"</", b"<", rng.randint(1, 50)),
        lambda: b"<div>" * rng.randint(100, 3000) + data,
        lambda: b"<table><tr><td>" * rng.randint(100, 3000) + data]
    return rng.choice(damages)()


def _damaged(rng: random.Random, data: bytes) -> bytes:
    """``data`` as it is, truncated, or with bytes flipped (one picked at random)."""
    damages: list[Callable[[], bytes]] = [lambda: data, lambda: _truncate(rng, data), lambda: _flip(rng, data)]
    return rng.choice(damages)()


def _docx(rng: random.Random, text: str) -> bytes:
    import docx

    d = docx.Document()
    for ln in text.split("\n")[:200]:
        if "|" in ln:
            cells = ln.split("|")
            table = d.add_table(rows=1, cols=len(cells))
            for c, v in zip(table.rows[0].cells, cells, strict=False):
                c.text = v
        else:
            d.add_paragraph("".join(ch for ch in ln if ch.isprintable()))
    buf = io.BytesIO()
    d.save(buf)
    data = buf.getvalue()
    return _damaged(rng, data)


def _pdf(rng: random.Random, text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    ascii_text = "".join(ch if ord(ch) < 128 else " " for ch in text[:3000]) or "x"
    pdf.multi_cell(0, 5, ascii_text)
    data = bytes(pdf.output())
    return _damaged(rng, data)


def mutants(corpus: list[str], n: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """``n`` distinct damaged files ``(name, bytes)`` made from the corpus texts."""
    rng = random.Random(seed)
    seen: set[str] = set()
    makers: list[tuple[str, float, Callable[[random.Random, str], bytes]]] = [
        (".html", 0.1, _html), (".docx", 0.05, _docx), (".pdf", 0.03, _pdf)]
    i = 0
    while i < n:
        text, other = rng.choice(corpus), rng.choice(corpus)
        suffix, data = ".txt", b""
        roll = rng.random()
        for suf, share, make in makers:
            if roll < share:
                suffix, data = suf, make(rng, text)
                break
            roll -= share
        else:
            data = _text_mutations(rng, text, other)
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        yield f"m{seed}_{i:06d}{suffix}", data
        i += 1


@dataclass
class Report:
    """Counts over every batch."""

    documents: int = 0
    ok: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    violations: list[str] = field(default_factory=list)
    slow_under_load: int = 0  # E012 rows whose CPU time was within the budget (the machine was busy)

    def line(self) -> str:
        codes = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items()))
        return (f"documents {self.documents}: ok {self.ok}, errors {sum(self.errors.values())} ({codes}); "
                f"over the wall-clock limit but within the CPU budget {self.slow_under_load}; "
                f"violations {len(self.violations)}")


def _cpu_seconds(path: Path, limit: float) -> float:
    """CPU seconds of one document through a fresh, warmed in-process pipeline (inf past ``limit`` s)."""
    import time

    from pipeline.compose import Pipeline
    from pipeline.runner import process_limited

    pipe = Pipeline()
    pipe.process_text("warm", "warm.txt", "一、总体要求\n由县发改局牵头,2025年底前完成。")  # jieba loads on first use
    t0 = time.process_time()
    r = process_limited(pipe, path, path.name, limit)
    return float("inf") if (r.error or "").startswith("E012") else time.process_time() - t0


def check_batch(folder: Path, out: Path, names: list[str], report: Report, python: str = sys.executable) -> None:
    """Run the CLI over ``folder`` into ``out`` and check its output."""
    import pandas as pd

    from pipeline.io.ingest import read_document

    biggest = max((folder / nm).stat().st_size for nm in names)
    timeout = max(BUDGET_S_PER_100KB, BUDGET_S_PER_100KB * biggest / 100_000)
    proc = subprocess.run([python, "-m", "pipeline", "extract", str(folder), "--out", str(out), "--jobs", "2",
                           "--no-report", "--quiet", "--doc-timeout", f"{timeout:.1f}"],
                          capture_output=True, text=True, check=False)
    v = report.violations
    if "Traceback" in proc.stderr or proc.returncode not in (0, 3):
        v.append(f"{folder}: exit {proc.returncode}: {proc.stderr.strip()[-2000:]}")
        return
    docs = pd.read_parquet(out / "documents.parquet")
    counts = docs["source"].value_counts()
    for nm in names:  # sources are <folder name>/<path in the folder>
        if counts.get(f"{folder.name}/{nm}", 0) != 1:
            v.append(f"{nm}: {counts.get(f'{folder.name}/{nm}', 0)} documents rows")
    originals: dict[str, str] = {}
    for row in docs.itertuples():
        report.documents += 1
        if row.status == "ok":
            report.ok += 1
            path = folder / row.source.split("/", 1)[1]
            if path.suffix == ".txt":
                originals[row.doc_id] = read_document(path).text
            else:  # HTML/DOCX/PDF: the extracted text the offsets refer to
                with (out / "text" / f"{row.doc_id}.txt").open(encoding="utf-8", newline="") as fh:
                    originals[row.doc_id] = fh.read()
            continue
        err = str(row.error or "")
        report.errors[err[:4]] += 1
        if not _CODED.match(err):
            v.append(f"{row.source}: error without a coded reason: {err!r}")
        if err.startswith("E012"):  # wall clock on a shared machine: the CPU time decides
            cpu = _cpu_seconds(folder / row.source.split("/", 1)[1], 5 * timeout)
            if cpu > timeout:
                v.append(f"{row.source}: over its time budget ({cpu:.1f} s CPU > {timeout:.1f} s)")
            else:
                report.slow_under_load += 1
        if err.startswith("E099"):
            v.append(f"{row.source}: internal error: {err}")
    for table in _SPAN_TABLES:
        t = pd.read_parquet(out / f"{table}.parquet", columns=["doc_id", "start", "end", "text"])
        for r in t.itertuples():
            orig = originals.get(r.doc_id)
            if orig is None or orig[r.start : r.end] != r.text:
                v.append(f"{table}: offset violation in {r.doc_id} [{r.start}, {r.end})")


def run_fuzz(corpus_dir: Path, n: int, seed: int, batch: int = 500, keep: Path | None = None) -> Report:
    """Generate ``n`` mutants in batches, run and check each batch; returns the counts."""
    from pipeline.io.ingest import iter_inputs, read_document

    corpus = [read_document(p).text for p, _ in iter_inputs([corpus_dir]) if p.suffix == ".txt"]
    report = Report()
    gen = mutants(corpus, n, seed)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        root = keep or Path(tmp)
        for b in range(0, n, batch):
            folder, out = root / f"batch{b // batch:04d}", root / f"out{b // batch:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            names = []
            for name, data in (next(gen) for _ in range(min(batch, n - b))):
                (folder / name).write_bytes(data)
                names.append(name)
            check_batch(folder, out, names, report)
            print(f"batch {b // batch + 1}: {report.line()}", file=sys.stderr, flush=True)
    return report


def fuzz_and_report(corpus: Path, n: int, seed: int, batch: int = 500, keep: Path | None = None) -> int:
    """Run the fuzz (``run_fuzz``) and print its counts and first violations; exit 1 when any check fails."""
    report = run_fuzz(corpus, n, seed, batch, keep)
    print(report.line())
    for line in report.violations[:50]:
        print("  " + line)
    return 1 if report.violations else 0


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.evaluation.fuzz`` (its arguments are parsed in ``cli.py``)."""
    from pipeline.cli import tool_main

    return tool_main("fuzz", argv)


if __name__ == "__main__":
    sys.exit(main())
