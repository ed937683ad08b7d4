"""Parquet tables as folders of parts: an append writes new parts only, a replacement rewrites its part only,
a killed run is finished by the next, every reader sees one table equal to the store."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from pipeline.io import dataset
from pipeline.io.store import DB_NAME, read_store, save
from pipeline.io.tables import TABLES, arrow_tables
from pipeline.models import DocResult
from tests.io.test_store import result

ROOT = Path(__file__).resolve().parent.parent.parent


def docs(lo: int, hi: int, folder: str = "x") -> list[DocResult]:
    return [result(f"{i:016x}", f"{folder}/{i:04d}.txt", 1 + i % 3) for i in range(lo, hi)]


def files(out: Path) -> dict[str, tuple[int, int]]:
    """Every part file with its inode and modification time."""
    return {str(f.relative_to(out)): (f.stat().st_ino, f.stat().st_mtime_ns)
            for t in TABLES for f in sorted(dataset.folder(out, t).glob("*.parquet"))}


def assert_parts_equal_store(out: Path) -> None:
    """pandas, DuckDB and Arrow datasets read each folder as one table with the store's rows."""
    store = read_store(out / DB_NAME)
    con = duckdb.connect()
    for t in TABLES:
        want = sorted(map(repr, store[t].to_pylist()))
        folder = out / f"{t}.parquet"
        assert sorted(map(repr, pq.read_table(folder).to_pylist())) == want, t
        assert sorted(map(repr, ds.dataset(folder).to_table().cast(store[t].schema).to_pylist())) == want, t
        assert len(pd.read_parquet(folder)) == len(want), t
        (n,) = con.execute(f"SELECT count(*) FROM read_parquet('{folder}/*.parquet')").fetchall()[0]
        assert n == len(want), t
    con.close()


def test_an_append_writes_new_parts_and_leaves_the_old_ones_alone(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(dataset, "PART_DOCS", 10)
    save(tmp_path, arrow_tables(docs(0, 30)), export=False)
    before = files(tmp_path)
    assert len(before) == 3 * len(TABLES)  # 30 documents in parts of 10
    save(tmp_path, arrow_tables(docs(30, 32, "y")), export=False)
    after = files(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before  # not one old file rewritten
    assert len(after) - len(before) == len(TABLES)  # one new part per table, whatever the store's size
    assert_parts_equal_store(tmp_path)


def test_a_replaced_document_rewrites_its_part_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(dataset, "PART_DOCS", 10)
    save(tmp_path, arrow_tables(docs(0, 30)), export=False)
    before = files(tmp_path)
    changed = result("f" * 16, "x/0015.txt", 4)  # the file of document 15 (second part) changed
    saved = save(tmp_path, arrow_tables([changed, *docs(25, 26)]), export=False)  # and 25 (third part) rerun
    assert saved.changed == ["x/0015.txt"]
    after = files(tmp_path)
    first = {k: v for k, v in before.items() if "p0000001" in k}
    assert {k: after[k] for k in first} == first  # the first part is untouched
    assert all(after[k] != v for k, v in before.items() if "p0000001" not in k)  # the others rewritten
    assert len(after) == len(before) + len(TABLES)  # the run's two documents: one new part
    assert_parts_equal_store(tmp_path)
    n = pd.read_parquet(tmp_path / "documents.parquet")
    assert len(n) == 30 and "f" * 16 in set(n["doc_id"]) and f"{15:016x}" not in set(n["doc_id"])


def test_a_part_whose_documents_all_went_is_removed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(dataset, "PART_DOCS", 2)
    save(tmp_path, arrow_tables(docs(0, 4)), export=False)
    save(tmp_path, arrow_tables(docs(0, 2)), export=False)  # both documents of the first part rerun
    names = sorted(f.name for f in (tmp_path / "targets.parquet").iterdir())
    assert names == ["p0000002.parquet", "p0000003.parquet"]
    assert_parts_equal_store(tmp_path)


def test_a_store_of_an_older_version_gets_its_files_as_folders(tmp_path: Path) -> None:
    save(tmp_path, arrow_tables(docs(0, 3)), export=False)
    con = duckdb.connect(str(tmp_path / DB_NAME))
    for t in ("export_parts", "export_pending", "export_meta"):
        con.execute(f"DROP TABLE {t}")
    con.close()
    store = read_store(tmp_path / DB_NAME)
    for t in TABLES:  # one file per table, as versions before the folders wrote them
        dataset.folder(tmp_path, t).rename(tmp_path / "old")
        pq.write_table(store[t], dataset.folder(tmp_path, t))
        import shutil

        shutil.rmtree(tmp_path / "old")
    save(tmp_path, arrow_tables(docs(3, 4)), export=False)
    assert all(dataset.folder(tmp_path, t).is_dir() for t in TABLES)
    assert len(pd.read_parquet(tmp_path / "documents.parquet")) == 4
    assert_parts_equal_store(tmp_path)


KILL = """
import os, sys
from pathlib import Path
from pipeline.io import dataset
from pipeline.io.store import save
from pipeline.io.tables import arrow_tables
from tests.io.test_dataset import docs

dataset.PART_DOCS = 2
real, calls = dataset._write_part, []

def dying(con, out, part):
    calls.append(part)
    if len(calls) == 2:
        os._exit(9)  # killed after the merge's commit, before the parts are all written
    real(con, out, part)

dataset._write_part = dying
save(Path(sys.argv[1]), arrow_tables(docs(4, 10)), export=False)
"""


def test_a_run_killed_while_writing_parts_is_finished_by_the_next(tmp_path: Path) -> None:
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    for out in (killed, clean):
        save(out, arrow_tables(docs(0, 4)), export=False)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(KILL), str(killed)], cwd=ROOT)
    assert proc.returncode == 9
    con = duckdb.connect(str(killed / DB_NAME), read_only=True)  # the store opens
    (pending,) = con.execute("SELECT count(*) FROM export_pending").fetchall()[0]
    con.close()
    assert pending >= 2  # the parts it did not write are still to be written
    assert len(pd.read_parquet(killed / "documents.parquet")) < 10
    # any next run writes the parts the killed one left pending, even one of other documents
    for out in (killed, clean):
        save(out, arrow_tables(docs(20, 21, "z")), export=False)
    assert_parts_equal_store(killed)
    # the rerun: same tables as a run that was never killed, in the store and in the folders
    save(killed, arrow_tables(docs(4, 10)), export=False)
    save(clean, arrow_tables(docs(4, 10)), export=False)
    a, b = read_store(killed / DB_NAME), read_store(clean / DB_NAME)
    for t in TABLES:
        assert a[t].to_pylist() == b[t].to_pylist(), t
    assert_parts_equal_store(killed)
    assert not list(killed.rglob(".*.tmp"))


@pytest.mark.parametrize("table", ["targets", "documents"])
def test_rows_of_a_part_are_in_document_order(tmp_path: Path, table: str) -> None:
    save(tmp_path, arrow_tables(docs(0, 5)), export=False)
    t = pd.read_parquet(tmp_path / f"{table}.parquet")
    key = ["doc_id", "start"] if table == "targets" else ["source"]
    assert t[key].equals(t[key].sort_values(key).reset_index(drop=True))
