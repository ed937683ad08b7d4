"""Linking: a task is due by its deadline expressions; a period is only a fallback, and says so."""

from __future__ import annotations

import datetime as dt

TEXT = ("关于印发2023年金融工作要点的通知\n一、重点任务\n"
        "（一）明确2023年金融指标增长目标，3月底前制定方案，5月底前征求意见，6月底前完成。（县金融办牵头）\n"
        "（二）全年新增市场主体3000户以上。（县市场监管局牵头）\n"
        "（三）加强金融风险防范。（县金融办牵头）\n")


def test_task_deadline_comes_from_deadlines_and_falls_back_to_a_period(pipeline_obj) -> None:
    r = pipeline_obj.process_text("x" * 16, "x.txt", TEXT)
    kinds = {(d.task_id, d.kind, d.date_end) for d in r.deadlines}
    assert (1, "period", dt.date(2023, 12, 31)) in kinds and (1, "deadline", dt.date(2023, 6, 30)) in kinds
    assert (2, "period", dt.date(2023, 12, 31)) in kinds
    due = {t.task_id: (t.deadline, t.deadline_source) for t in r.tasks}
    assert due[1] == (dt.date(2023, 6, 30), "deadline")  # not the 2023 period's 12-31
    assert due[2] == (dt.date(2023, 12, 31), "period")
    assert due[3] == (None, None)


def test_stage_outputs_are_typed_and_link_builds_new_records(pipeline_obj) -> None:
    """Each stage returns its own dataclass; the extraction is rebuilt, never updated in place; linking leaves
    the stage records as the stages made them (task_id unset) and returns new ones."""
    from pipeline.compose import link
    from pipeline.dimensions import DeadlinesOutput, FiguresOutput, TargetsOutput, UnitsOutput
    from pipeline.models import Extraction

    outputs = {s.name: s.output for s in pipeline_obj.stages}
    assert outputs == {"units": UnitsOutput, "deadlines": DeadlinesOutput, "figures": FiguresOutput,
                       "targets": TargetsOutput}
    doc, ext = pipeline_obj.analyse("x" * 16, "x.txt", TEXT)
    assert isinstance(ext, Extraction) and ext.deadlines and ext.targets and ext.responsibilities
    before = (list(ext.deadlines), list(ext.targets), list(doc.tasks))
    linked = link(doc, ext)
    assert (ext.deadlines, ext.targets, doc.tasks) == before
    assert all(d.task_id is None for d in ext.deadlines) and {d.task_id for d in linked.deadlines} >= {1, 2}
    assert [t.lead_units for t in linked.tasks][:2] == [("县金融工作办公室",), ("县市场监督管理局",)]
    assert all(t.lead_units == () for t in doc.tasks)


def test_a_stage_needing_what_no_earlier_stage_gives_is_refused() -> None:
    import pytest

    from pipeline.compose import Pipeline

    with pytest.raises(ValueError, match="stage targets needs"):
        Pipeline(stage_names=("units", "targets"))
