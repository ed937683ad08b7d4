"""CSV files and policy.xlsx: written by extract while the store is small, on demand by ``policy-extract export``,
never left behind out of date; the report index is paged from the store."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.io import exports, report
from pipeline.io.store import DB_NAME, save
from pipeline.io.tables import TABLES, arrow_tables
from tests.io.test_store import result
from tests.test_extract_cmd import PLAN_A, PLAN_B, put


def test_extract_stops_writing_the_copies_past_the_limit_and_removes_the_old_ones(tmp_path: Path, capsys,
                                                                                  monkeypatch) -> None:
    monkeypatch.setattr(exports, "AUTO_EXPORT_DOCS", 1)
    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    put(a, "plan.txt", PLAN_A)
    put(b, "plan.txt", PLAN_B)
    assert main(["extract", str(a), "--out", str(out), "--no-report"]) == 0
    assert (out / "targets.csv").is_file() and (out / "policy.xlsx").is_file()
    capsys.readouterr()
    assert main(["extract", str(b), "--out", str(out), "--no-report"]) == 0  # now 2 documents, over the limit
    err = capsys.readouterr().err
    assert "CSV and Excel files not written" in err and "policy-extract export --out" in err
    assert "targets.csv" in err and "policy.xlsx" in err  # the stale copies are named as removed
    assert not list(out.glob("*.csv")) and not (out / "policy.xlsx").exists()
    assert main(["export", "--out", str(out), "--quiet"]) == 0
    assert sorted(pd.read_csv(out / "documents.csv")["source"]) == ["a/plan.txt", "b/plan.txt"]
    book = pd.read_excel(out / "policy.xlsx", sheet_name=None)
    assert set(book) == set(TABLES) and len(book["documents"]) == 2
    assert main(["extract", str(b), "--out", str(out), "--no-report", "--quiet", "--export", "yes"]) == 0
    assert len(pd.read_csv(out / "documents.csv")) == 2


def test_export_no_leaves_no_out_of_date_copy(tmp_path: Path, capsys) -> None:
    a, out = tmp_path / "a", tmp_path / "out"
    plan = put(a, "plan.txt", PLAN_A)
    assert main(["extract", str(a), "--out", str(out), "--no-report", "--quiet"]) == 0
    assert (out / "documents.csv").is_file()
    plan.write_text(PLAN_B, encoding="utf-8")
    assert main(["extract", str(a), "--out", str(out), "--no-report", "--export", "no"]) == 0
    assert "--export no" in capsys.readouterr().err
    assert not (out / "documents.csv").exists() and not (out / "policy.xlsx").exists()


def test_export_without_a_store_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["export", "--out", str(tmp_path / "none")]) == 2
    assert "no store" in capsys.readouterr().err


def test_exports_are_read_in_batches_and_keep_every_row_in_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(exports, "BATCH_ROWS", 3)
    save(tmp_path, arrow_tables([result(f"{i:016x}", f"x/{i}.txt", 2) for i in range(5)]), export=True)
    tg = pd.read_csv(tmp_path / "targets.csv")
    assert len(tg) == 10 and list(tg["doc_id"]) == sorted(tg["doc_id"])
    assert json.loads(tg.loc[9, "lead_units"]) == ["溆浦县工业和信息化局"]
    assert len(pd.read_excel(tmp_path / "policy.xlsx", sheet_name="targets")) == 10


@pytest.mark.parametrize("n_docs", [5, 2])
def test_the_report_index_is_paged(tmp_path: Path, monkeypatch, n_docs: int) -> None:
    monkeypatch.setattr(report, "INDEX_PAGE", 2)
    save(tmp_path, arrow_tables([result(f"{i:016x}", f"x/{i}.txt", i) for i in range(5)]), export=False)
    rdir = tmp_path / "report"
    rdir.mkdir()
    (rdir / "index-9.html").write_text("a page of a bigger store", encoding="utf-8")
    if n_docs == 2:  # a store with fewer documents than before: the extra pages go
        report.write_report(tmp_path, [], tmp_path / DB_NAME)
        import duckdb

        con = duckdb.connect(str(tmp_path / DB_NAME))
        for t in TABLES:
            con.execute(f"DELETE FROM \"{t}\" WHERE doc_id > '{1:016x}'")
        con.close()
    report.write_report(tmp_path, [], tmp_path / DB_NAME)
    pages = sorted(p.name for p in rdir.glob("index*.html"))
    want = {5: ["index-2.html", "index-3.html", "index.html"], 2: ["index.html"]}[n_docs]
    assert pages == want
    listed = "".join((rdir / p).read_text(encoding="utf-8") for p in pages)
    assert all(f"x/{i}.txt" in listed for i in range(n_docs)) and f"Documents ({n_docs})" in listed
    if n_docs == 5:
        first = (rdir / "index.html").read_text(encoding="utf-8")
        assert 'href="index-3.html"' in first and "x/0.txt" in first and "x/4.txt" not in first
        # counts per document come from the store: document 4 has 4 targets
        assert "<td>4</td><td></td></tr>" in (rdir / "index-3.html").read_text(encoding="utf-8")
