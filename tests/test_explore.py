"""The frames behind the notebook (pipeline/explore.py) and the ``commitments`` view they read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.explore import (
    NO_REGION,
    OFFICE_COLUMNS,
    OTHERS,
    county_values,
    for_display,
    mark_stretch,
    office_table,
    top_series,
)
from pipeline.stages.normalize import Normalizer
from tests.conftest import SEED_004

TASK = "確保固定資產投資同比增長8.5%,力爭達到10%以上"


def commitments(**cols: list[Any]) -> pd.DataFrame:
    """A ``commitments``-like frame: one row per list position, other columns empty."""
    n = len(next(iter(cols.values())))
    base = {c: [None] * n for c in ("doc_id", "source", "title", "province", "city", "county", "ref_year",
                                    "task_id", "indicator", "kind", "comparator", "value", "unit", "period", "due",
                                    "lead_units", "start")}
    return pd.DataFrame({**base, **cols})


def test_a_value_in_a_strive_clause_is_a_stretch(normalizer: Normalizer) -> None:
    tasks = pd.DataFrame({"doc_id": ["a"], "task_id": [1], "start": [100], "text": [TASK]})
    at = [100 + TASK.index("8.5%"), 100 + TASK.index("10%")]
    c = commitments(doc_id=["a", "a", "b"], task_id=[1, 1, np.nan], start=[*at, 5])
    assert mark_stretch(c, tasks, normalizer.to_simplified).tolist() == [False, True, False]


def test_a_county_shows_its_binding_value_with_its_year_and_no_title_becomes_a_place() -> None:
    c = commitments(doc_id=["x", "x", "y", "z"], title=["溆浦县实施方案"] * 2 + ["某某方案", "海伦市方案"],
                    county=["溆浦县", "溆浦县", None, None], city=["怀化市", "怀化市", None, "海伦市"],
                    ref_year=[2024, 2024, 2023, None], value=[8.5, 10.0, 12.0, 9.0],
                    due=[None, None, None, dt.date(2025, 12, 31)])
    c["stretch"] = [False, True, False, True]
    out, unplaced = county_values(c)
    assert unplaced == 1
    rows = out.set_index("label")
    assert set(rows.index) == {"溆浦县 2024年", "海伦市 2025年"}  # never the title 某某方案
    assert (rows.loc["溆浦县 2024年", "binding"], rows.loc["溆浦县 2024年", "stretch"]) == (8.5, 10.0)
    assert np.isnan(rows.loc["海伦市 2025年", "binding"]) and rows.loc["海伦市 2025年", "stretch"] == 9.0


def test_the_calendar_has_at_most_top_plus_one_series() -> None:
    provinces = [f"省{i:02d}" for i in range(28)]
    cal = pd.DataFrame({"month": ["2024-01", "2024-02"] * 28, "province": sorted(provinces * 2),
                        "tasks_due": list(range(56))})
    cal.loc[0, "province"] = None
    pivot = top_series(cal, "province", "tasks_due", top=7)
    assert pivot.shape[1] == 8 and pivot.columns[-1] == OTHERS
    assert pivot.to_numpy().sum() == cal["tasks_due"].sum()
    assert list(pivot.sum().iloc[:7]) == sorted(pivot.sum().iloc[:7], reverse=True)
    few = top_series(cal[cal["province"].isin(provinces[:3])], "province", "tasks_due", top=7)
    assert OTHERS not in few.columns and few.shape[1] == 3


def test_the_office_table_prints_no_missing_values() -> None:
    c = commitments(doc_id=["x", "y"], source=["a.txt", "b.txt"], title=["溆浦县方案", None],
                    county=["溆浦县", None], ref_year=pd.array([2024, None], dtype="Int64"),
                    indicator=["固定资产投资", "新增企业"], kind=["growth", "count"], comparator=[">=", "="],
                    value=[8.5, 3.0], unit=["%", None], period=[None, np.nan],
                    due=[pd.Timestamp("2024-12-31"), pd.NaT], lead_units=[np.array(["县发改局", "县财政局"]), None])
    t = office_table(c)
    assert list(t.columns) == OFFICE_COLUMNS
    assert t.to_dict("records") == [
        {"地区": "溆浦县", "年度": "2024", "承诺事项": "固定资产投资", "类型": "增长", "目标值": "≥ 8.5%",
         "期限": "2024-12-31", "牵头单位": "县发改局、县财政局", "文件": "溆浦县方案"},
        {"地区": NO_REGION, "年度": "", "承诺事项": "新增企业", "类型": "数量", "目标值": "= 3", "期限": "",
         "牵头单位": "", "文件": "b.txt"}]
    shown = for_display(c[["ref_year", "period", "due", "value"]]).to_string()
    assert not any(w in shown for w in ("nan", "NaN", "None", "NaT", "<NA>", "2024.0")), shown


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explore_store")
    assert main(["extract", str(SEED_004), "--out", str(out), "--quiet", "--no-report"]) == 0
    return out / "policy.duckdb"


def test_commitments_view_has_the_plan_year_and_the_offsets(store: Path) -> None:
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute("SELECT ref_year, start, \"end\", text FROM commitments").fetchall()
    text = SEED_004.read_text(encoding="utf-8")
    assert rows and {r[0] for r in rows} == {2024}
    assert all(text[s:e] == t for _, s, e, t in rows)
