"""The store: reruns replace rows, a changed file replaces its old rows, exports match the store."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.io.store import DB_NAME, STORAGE_VERSION, save
from pipeline.io.tables import SCHEMAS, TABLES, arrow_tables
from pipeline.models import DocResult, Span, Target


def result(doc_id: str, source: str, n_targets: int) -> DocResult:
    text = "规模工业增加值增长7%以上" * max(1, n_targets)
    r = DocResult(doc_id=doc_id, source=source, original_text=text, n_chars=len(text), encoding="utf-8")
    r.targets = [Target(Span(9 + 13 * i, 13 + 13 * i, "7%以上", "7%以上"), "规模工业增加值", "growth", ">=", 7.0,
                        "%", 7.0, "%", lead_units=("溆浦县工业和信息化局",)) for i in range(n_targets)]
    return r


def counts(out: Path) -> dict[str, int]:
    con = duckdb.connect(str(out / DB_NAME), read_only=True)
    try:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}  # type: ignore[index]
    finally:
        con.close()


def test_rerun_replaces_and_merges(tmp_path: Path) -> None:
    a, b = result("a" * 16, "x/a.txt", 2), result("b" * 16, "x/b.txt", 1)
    save(tmp_path, arrow_tables([a, b]))
    save(tmp_path, arrow_tables([a, b]))
    assert counts(tmp_path)["documents"] == 2 and counts(tmp_path)["targets"] == 3
    # a new folder merges in
    save(tmp_path, arrow_tables([result("c" * 16, "y/c.txt", 1)]))
    assert counts(tmp_path)["documents"] == 3 and counts(tmp_path)["targets"] == 4
    # a changed file: same source, new doc_id → the old rows go
    save(tmp_path, arrow_tables([result("d" * 16, "x/a.txt", 5)]))
    c = counts(tmp_path)
    assert c["documents"] == 3 and c["targets"] == 1 + 1 + 5
    docs = pd.read_parquet(tmp_path / "documents.parquet")
    assert sorted(docs["doc_id"]) == ["b" * 16, "c" * 16, "d" * 16]


def test_exports_have_every_table_with_columns_and_json_lists(tmp_path: Path) -> None:
    save(tmp_path, arrow_tables([result("a" * 16, "a.txt", 1)]))
    for t in TABLES:
        assert (tmp_path / f"{t}.parquet").exists() and (tmp_path / f"{t}.csv").exists()
    assert list(pd.read_csv(tmp_path / "figures.csv").columns)[:4] == ["doc_id", "task_id", "start", "end"]
    tg = pd.read_csv(tmp_path / "targets.csv")
    assert json.loads(tg.loc[0, "lead_units"]) == ["溆浦县工业和信息化局"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_changed_file_keeps_the_old_version_while_a_copy_still_points_at_it(tmp_path: Path) -> None:
    old, new = result("a" * 16, "in/plan.txt", 2), result("b" * 16, "in/plan.txt", 1)
    copy = result("a" * 16, "mirror/plan.txt", 2)
    save(tmp_path, arrow_tables([old, copy]))
    assert counts(tmp_path)["documents"] == 1 and counts(tmp_path)["document_sources"] == 2
    changed: list[str] = []
    save(tmp_path, arrow_tables([new]), changed)
    assert changed == ["in/plan.txt"]
    c = counts(tmp_path)
    assert c["documents"] == 2 and c["targets"] == 2 + 1 and c["document_sources"] == 2
    docs = pd.read_parquet(tmp_path / "documents.parquet").set_index("doc_id")
    assert docs.loc["a" * 16, "source"] == "mirror/plan.txt" and docs.loc["b" * 16, "source"] == "in/plan.txt"


def test_a_store_from_before_document_sources_gets_them(tmp_path: Path) -> None:
    save(tmp_path, arrow_tables([result("a" * 16, "a.txt", 1)]))
    con = duckdb.connect(str(tmp_path / DB_NAME))
    con.execute("DROP TABLE document_sources")
    con.close()
    save(tmp_path, arrow_tables([result("b" * 16, "b.txt", 1)]))
    srcs = pd.read_parquet(tmp_path / "document_sources.parquet")
    assert sorted(zip(srcs["doc_id"], srcs["source"], strict=True)) == [("a" * 16, "a.txt"), ("b" * 16, "b.txt")]


def test_the_store_is_written_in_a_storage_format_older_duckdb_reads(tmp_path: Path) -> None:
    save(tmp_path, arrow_tables([result("a" * 16, "a.txt", 1)]))
    con = duckdb.connect(str(tmp_path / DB_NAME), read_only=True)
    try:
        row = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'policy'").fetchone()
        assert row is not None
        (tags,) = row
    finally:
        con.close()
    assert dict(tags)["storage_version"] == f"{STORAGE_VERSION}+"
    assert STORAGE_VERSION == "v1.4.0"  # DuckDB 1.4, 1.5 and 2.x read it (README, docs/store.md)


def test_csv_has_a_bom_for_excel_unless_asked_not_to(tmp_path: Path) -> None:
    save(tmp_path / "a", arrow_tables([result("a" * 16, "a.txt", 1)]))
    raw = (tmp_path / "a" / "targets.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf\"doc_id\",")
    assert pd.read_csv(tmp_path / "a" / "targets.csv").columns[0] == "doc_id"  # pandas skips the BOM
    save(tmp_path / "b", arrow_tables([result("a" * 16, "a.txt", 1)]), csv_bom=False)
    assert (tmp_path / "b" / "targets.csv").read_bytes().startswith(b"\"doc_id\",")


def test_excel_workbook_has_a_sheet_per_table_and_readable_lists(tmp_path: Path) -> None:
    r = result("a" * 16, "a.txt", 2)
    r.targets[0] = replace(r.targets[0], lead_units=("县工信局", "县发改局"))
    r.original_text += "\x07"  # a control character XLSX cannot hold
    save(tmp_path, arrow_tables([r]))
    book = pd.read_excel(tmp_path / "policy.xlsx", sheet_name=None)
    assert set(book) == set(TABLES)
    assert list(book["targets"].columns) == list(SCHEMAS["targets"].names)
    assert book["targets"]["lead_units"].tolist() == ["县工信局、县发改局", "溆浦县工业和信息化局"]
    assert book["targets"]["value"].tolist() == [7.0, 7.0]
    assert book["documents"].loc[0, "source"] == "a.txt"
