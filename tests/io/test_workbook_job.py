"""policy.xlsx after a run: written by a forked process from a snapshot of the store while the run's process
writes the search index, the Parquet parts and the CSV files (``exports.WorkbookJob``); the same cells as
the workbook written in one process, errors reach the caller, and nothing of the snapshot is left."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.io import exports, workbook
from pipeline.io.parts import PARTS
from pipeline.io.store import save
from pipeline.io.tables import arrow_tables
from tests.io.test_store import result

FORK = "fork" in multiprocessing.get_all_start_methods()
needs_fork = pytest.mark.skipif(not FORK, reason="processes cannot be forked here")


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}


def _rows() -> dict[str, Any]:
    docs = [result(f"{i:016x}", f"x/{i}.txt", i % 3 + 1) for i in range(6)]
    docs[1].original_text += "\r\n=1+1 _x0041_ <r>x</r>\x07"  # CR, a formula-like text, an escape, a control char
    return arrow_tables(docs)


@needs_fork
def test_the_workbook_is_written_by_another_process_with_the_cells_written_in_one(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    writers = tmp_path / "writers.txt"
    real = workbook.write_workbook

    def spy(*args: Any, **kwargs: Any) -> None:
        with writers.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        real(*args, **kwargs)

    monkeypatch.setattr(workbook, "write_workbook", spy)
    save(tmp_path / "run", _rows(), export=True)
    assert [int(p) for p in writers.read_text().split()] != [os.getpid()]  # not this process
    assert not (tmp_path / "run" / PARTS).exists()  # the snapshot is gone
    save(tmp_path / "serial", _rows(), export=False)
    exports.write_exports(tmp_path / "serial")  # `policy-extract export`: from the store, in this process
    assert int(writers.read_text().split()[-1]) == os.getpid()
    assert _cells(tmp_path / "run" / "policy.xlsx") == _cells(tmp_path / "serial" / "policy.xlsx")
    assert not list((tmp_path / "run").glob(".*.tmp"))


@needs_fork
def test_the_writers_error_reaches_the_caller_and_leaves_no_snapshot(tmp_path: Path, monkeypatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(workbook, "write_workbook", broken)
    with pytest.raises(OSError, match="no space left"):
        save(tmp_path, _rows(), export=True)
    assert not (tmp_path / PARTS).exists() and not (tmp_path / "policy.xlsx").exists()
    assert (tmp_path / "targets.csv").is_file()  # the rest of the run was written


_PARENT = os.getpid()
_REAL_WRITER = exports._workbook_from_snapshot


def _dies_in_a_child(final: str, folder: str) -> None:
    if os.getpid() != _PARENT:
        os._exit(1)  # killed: out of memory, a signal
    _REAL_WRITER(final, folder)


@needs_fork
def test_a_writer_process_that_dies_is_replaced_by_this_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(exports, "_workbook_from_snapshot", _dies_in_a_child)
    save(tmp_path, _rows(), export=True)
    assert _cells(tmp_path / "policy.xlsx")["targets"][0][0] == "doc_id"
    assert not (tmp_path / PARTS).exists()


def test_without_fork_the_workbook_is_written_in_this_process(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    writers: list[int] = []
    real = workbook.write_workbook

    def spy(*args: Any, **kwargs: Any) -> None:
        writers.append(os.getpid())
        real(*args, **kwargs)

    monkeypatch.setattr(workbook, "write_workbook", spy)
    save(tmp_path, _rows(), export=True)
    assert writers == [os.getpid()] and (tmp_path / "policy.xlsx").is_file()


def test_no_workbook_asked_for_starts_no_writer(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(exports.WorkbookJob, "start", lambda *a: pytest.fail("started a writer"))
    save(tmp_path / "a", _rows(), export=True, xlsx=False)
    save(tmp_path / "b", _rows(), export=False)
    assert (tmp_path / "a" / "targets.csv").is_file() and not (tmp_path / "a" / "policy.xlsx").exists()


def test_a_text_opening_with_an_equals_sign_stays_text(tmp_path: Path) -> None:
    """Excel ran such a cell as a formula (an indicator's definition =（本年度收入）/2, a source named =x.txt):
    pandas read it back empty."""
    import pandas as pd

    docs = [result("00000000000000aa", "=（本年度收入）-1.txt", 1)]
    save(tmp_path / "out", arrow_tables(docs), export=False)
    exports.write_exports(tmp_path / "out")
    sheet = pd.read_excel(tmp_path / "out" / "policy.xlsx", sheet_name="documents")
    assert sheet["source"].tolist() == ["=（本年度收入）-1.txt"]
