"""The store: reruns replace rows, a changed file replaces its old rows, exports match the store."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.models import DocResult, Span, Target
from pipeline.store import DB_NAME, save
from pipeline.tables import TABLES, arrow_tables


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
