"""Issue 14.8: the parent's peak memory does not grow with the number of documents.

The parent merges the parts its workers wrote (``store.save`` on the parts
folder), writes the report index and the CSV/xlsx copies (the workbook once more in
this process, as ``policy-extract export`` does: ``save`` has it written by a forked one). Measured in a fresh
process, as the peak of Python objects (tracemalloc) plus the peak of Arrow
buffers (a proxy memory pool), for 100 and for 600 documents; with small
batches, so that a store of a few hundred documents is many batches.
DuckDB's own memory is bounded by its ``memory_limit``, not counted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from pipeline.io.parts import new_parts_dir, write_parts
from tests.io.test_store import result

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import json, sys, tracemalloc
from pathlib import Path
import pyarrow as pa
pool = pa.proxy_memory_pool(pa.default_memory_pool())
pa.set_memory_pool(pool)
from pipeline.io import dataset
from pipeline.io import exports
from pipeline.io import report
from pipeline.io.store import DB_NAME, save
dataset.BATCH_ROWS = exports.BATCH_ROWS = 200
report.INDEX_PAGE = 50
out, parts = Path(sys.argv[1]), Path(sys.argv[2])
import openpyxl, openpyxl.cell.cell, pyarrow.csv, pyarrow.parquet, duckdb  # imports are no rows
tracemalloc.start()
saved = save(out, parts, export=True)
report.write_report(out, [], out / DB_NAME)
exports.write_exports(out)  # the workbook in this process too (save's is written by a forked one)
print(json.dumps({"python": tracemalloc.get_traced_memory()[1], "arrow": pool.max_memory(),
                  "docs": saved.store_docs}))
"""


def parent_peak(tmp: Path, n_docs: int) -> dict[str, int]:
    """Peak memory of a process that saves ``n_docs`` documents' parts, writes the index and the exports."""
    out = tmp / f"out{n_docs}"
    parts = new_parts_dir(out)
    for i in range(0, n_docs, 16):  # as the workers write them: 16 documents a part
        write_parts(parts, i, [result(f"{k:016x}", f"in/{k:05d}.txt", 12) for k in range(i, min(n_docs, i + 16))])
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(MEASURE), str(out), str(parts)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    got: dict[str, int] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["docs"] == n_docs
    return got


def test_the_parents_peak_memory_is_flat_in_the_number_of_documents(tmp_path: Path) -> None:
    small, large = parent_peak(tmp_path, 100), parent_peak(tmp_path, 600)
    # 600 documents hold 7,200 targets: a parent that held the run's or the store's rows at once peaked
    # 7.6 MB higher in Python objects and 4x higher in Arrow buffers for 600 than for 100 documents
    assert large["python"] <= 1.05 * small["python"] + 512 * 1024, (small, large)
    assert large["arrow"] <= 1.25 * small["arrow"] + 256 * 1024, (small, large)

