"""``--jobs 2``: worker processes write their own rows as Parquet parts; the tables equal a one-process run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.io import parts
from pipeline.io.store import DB_NAME, read_store
from pipeline.models import DocResult
from tests.test_dask import _inputs


def test_jobs_2_tables_equal_jobs_1(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    first = sorted(folder.glob("*.txt"))[0]
    (folder / "zz_same_bytes.txt").write_bytes(first.read_bytes())  # one document under two names, in two parts
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["extract", str(folder), "--out", str(one), "--quiet"]) == 3
    assert main(["extract", str(folder), "--out", str(two), "--quiet", "--jobs", "2"]) == 3
    a, b = read_store(one / DB_NAME), read_store(two / DB_NAME)
    assert a["documents"].num_rows == 5 and a["document_sources"].num_rows == 6
    assert a["responsibilities"].num_rows > 0
    for table in a:
        assert a[table].to_pylist() == b[table].to_pylist(), table
    assert not (two / ".parts").exists()
    for sub in ("report", "text"):
        assert sorted(p.name for p in (two / sub).iterdir()) == sorted(p.name for p in (one / sub).iterdir())


def test_parent_receives_summaries_not_rows(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    from pipeline.io.ingest import iter_inputs

    results, folder_of_parts = parts.run_parts(iter_inputs([folder]), tmp_path / "out", jobs=2, report=False)
    tables = parts.read_parts(folder_of_parts)
    assert [r.status for r in results].count("error") == 1
    assert all(not r.original_text and not r.tasks and not r.organizations for r in results)
    assert tables["documents"].num_rows == 5
    assert tables["documents"].column("source").to_pylist() == [r.source for r in results]


def _crash_on_second(index: int, *args: object) -> dict[str, object]:
    if index == 1:
        Path(str(args[2])).parent.joinpath("crashed").touch()  # args[2] is the parts folder, in .parts
        os._exit(1)  # a worker dying on a document (out of memory, a native crash)
    summary: dict[str, object] = parts._task.__wrapped__(index, *args)  # type: ignore[attr-defined]
    return summary


def test_a_dead_worker_loses_no_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _inputs(tmp_path)
    from pipeline.io.ingest import iter_inputs

    original = parts._task
    _crash_on_second.__wrapped__ = original  # type: ignore[attr-defined]
    monkeypatch.setattr(parts, "_task", _crash_on_second)
    inputs = iter_inputs([folder])
    results, folder_of_parts = parts.run_parts(inputs, tmp_path / "out", jobs=2, report=False)
    tables = parts.read_parts(folder_of_parts)
    assert [r.source for r in results] == [s for _, s in inputs]
    assert tables["documents"].num_rows == 5
    assert isinstance(results[1], DocResult) and results[1].doc_id
    assert (tmp_path / "out" / ".parts" / "crashed").exists()  # the crash did happen


def test_parts_of_a_run_killed_before_its_merge_are_removed_not_merged(tmp_path: Path) -> None:
    from tests.io.test_store import result

    folder, out = _inputs(tmp_path), tmp_path / "out"
    stale = out / parts.PARTS / "killedrun"
    parts.write_parts(stale, 0, [result("f" * 16, "ghost/a.txt", 2)])  # as a killed run's worker left them
    assert main(["extract", str(folder), "--out", str(out), "--quiet", "--jobs", "2", "--no-report"]) == 3
    assert not (out / parts.PARTS).exists()
    assert "ghost/a.txt" not in set(read_store(out / DB_NAME)["documents"].column("source").to_pylist())
