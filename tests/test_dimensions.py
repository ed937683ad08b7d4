"""The dimension registry: every consumer (tables, scorer, report, pipeline) reads the same entries."""

from __future__ import annotations

import pytest

from pipeline.dimensions import BY_NAME, DIMENSIONS, FIELDS, dimension
from pipeline.evaluation.run import predictions
from pipeline.io.report import COLOURS, LEGEND, marks_of
from pipeline.io.tables import SCHEMAS, rows_of
from tests.conftest import SEED_004, read


@pytest.fixture(scope="module")
def seed(pipeline_obj):
    r = pipeline_obj.process_text("d004", "004.txt", read(SEED_004))
    assert r.status == "ok"
    return r


def test_names_unique_and_known() -> None:
    assert FIELDS == ("units", "deadlines", "targets", "figures")
    assert len(BY_NAME) == len(DIMENSIONS)
    tables = [t.name for d in DIMENSIONS for t in d.tables]
    assert len(tables) == len(set(tables))
    with pytest.raises(KeyError, match="known: units"):
        dimension("budgets")


def test_every_table_row_has_exactly_its_schema_columns(seed) -> None:
    rows = rows_of(seed)
    for d in DIMENSIONS:
        for t in d.tables:
            assert t.name in SCHEMAS
            assert rows[t.name], f"seed 004 gives no {t.name} rows"
            assert all(list(r) == SCHEMAS[t.name].names for r in rows[t.name])


def test_stage_of_each_dimension_assigns_its_records(pipeline_obj) -> None:
    by_name = {s.name: s for s in pipeline_obj.stages}
    for d in DIMENSIONS:
        assert d.attr in by_name[d.name].assigns


def test_scorer_view_carries_what_errors_show_and_gold_compares(seed) -> None:
    preds = predictions(seed)
    assert set(preds) == set(FIELDS)
    for d in DIMENSIONS:
        items = preds[d.name]
        assert items, d.name
        assert all({"start", "end", "text", *d.shown} <= set(x) for x in items)
        assert len(items) == len(getattr(seed, d.attr))


def test_report_marks_use_registered_colours(seed) -> None:
    kinds = {m.kind for m in marks_of(seed)}
    assert kinds <= set(COLOURS) == set(LEGEND)
    assert {"lead", "deadline", "figure", "target"} <= kinds
