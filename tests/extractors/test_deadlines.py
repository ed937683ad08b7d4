"""The deadlines example table: every sentence must give exactly the expected records."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pipeline.extractors.deadlines import DeadlineExtractor, load_rules
from pipeline.lexicon import LexiconError
from pipeline.models import DocMeta
from pipeline.stages.normalize import Normalizer
from pipeline.stages.structure import Structurer
from tests.example_tables import EXAMPLES, load, params, spans_point_back

CASES: list[dict[str, Any]] = load("deadlines")


@pytest.fixture(scope="module")
def extractor() -> DeadlineExtractor:
    return DeadlineExtractor()


@pytest.fixture(scope="module")
def structurer() -> Structurer:
    return Structurer()


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def test_table_is_large_and_has_negatives() -> None:
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if not c["expect"]) >= 15


@pytest.mark.parametrize("case", params(CASES, "text"))
def test_example(case: dict[str, Any], extractor: DeadlineExtractor, structurer: Structurer,
                 normalizer: Normalizer) -> None:
    text = case["text"]
    doc = structurer.build("example", "example.txt", normalizer.normalize(text))
    doc.meta = DocMeta(ref_year=case["ref_year"])  # the example fixes the reference year
    got = [
        [d.span.text, d.kind, _iso(d.date_start), _iso(d.date_end), d.granularity] for d in extractor(doc)
    ]
    want = [[str(x) if isinstance(x, dt.date) else x for x in row] for row in case["expect"]]
    assert got == want
    spans_point_back(text, extractor(doc))


def test_never_reads_the_clock(extractor: DeadlineExtractor, normalizer: Normalizer,
                               structurer: Structurer) -> None:
    doc = structurer.build("x", "x.txt", normalizer.normalize("年底前完成,一季度开工。"))
    doc.meta = dataclasses.replace(doc.meta, ref_year=None)
    assert all(d.date_end is None for d in extractor(doc))


def test_lexicon_rejects_unknown_normaliser(tmp_path: Path) -> None:
    bad = tmp_path / "time.yaml"
    src = EXAMPLES.parent.parent / "lexicons" / "time.yaml"
    bad.write_text(src.read_text(encoding="utf-8").replace("norm: day", "norm: nope", 1), encoding="utf-8")
    with pytest.raises(LexiconError):
        load_rules(bad)


def test_reporting_windows_of_a_report(extractor: DeadlineExtractor, normalizer: Normalizer,
                                       structurer: Structurer) -> None:
    """Pool p094/p081: in a document titled as a progress report, 上半年 opening a result is no deadline;
    in a plan the same words schedule work."""
    report = ("2019年区《政府工作报告》确定的主要目标任务上半年完成情况\n1.地区生产总值增长7.8%左右\n"
              "完成情况:上半年地区生产总值同比增长9%。\n上半年,全市完成地区生产总值802.81亿元。\n")
    doc = structurer.build("x", "x.txt", normalizer.normalize(report))
    assert doc.report
    assert [d.span.text for d in extractor(doc)] == []
    report = "关于2020年为民办实事项目实施情况的通报\n2020年,省委和省政府坚持以人民为中心。\n"
    doc = structurer.build("x", "x.txt", normalizer.normalize(report))
    assert [d.span.text for d in extractor(doc)] == []  # the year a report is about opens its account
    plan = "2024年稳就业工作方案\n上半年,完成全部招聘会。\n"
    doc = structurer.build("x", "x.txt", normalizer.normalize(plan))
    assert not doc.report
    assert [d.span.text for d in extractor(doc)] == ["上半年"]


def test_events_before_the_issue_date(extractor: DeadlineExtractor, normalizer: Normalizer,
                                      structurer: Structurer) -> None:
    """Pool p064/p107: a dated meeting before the document was issued is an event, not a deadline;
    a deadline before the publication date of a task list stays (holdout a06)."""
    text = "8项重点工作,已经2013年2月25日市政府第57次常务会议研究通过。2013年2月20日前报送。"
    doc = structurer.build("x", "x.txt", normalizer.normalize(text))
    doc.meta = DocMeta(ref_year=2013, issue_date=dt.date(2013, 3, 1))
    assert [d.span.text for d in extractor(doc)] == ["2013年2月20日前"]


def test_year_cells_of_a_period_column(extractor: DeadlineExtractor, normalizer: Normalizer,
                                       structurer: Structurer) -> None:
    """Pool p062 (宁海): bare years in a 建设起止年限 column are the years the work is for."""
    text = ("序號 | 項目名稱 | 總投資 | 建設起止年限 | 責任單位 |\n1 | 護眼燈光工程 | 1800 | 2022 | 縣教育局 |\n"
            "2 | 教學樓提升工程 | 3685 | 2022-2023 | 縣教育局 |\n")
    doc = structurer.build("x", "x.txt", normalizer.normalize(text))
    got = [(d.span.text, d.kind, _iso(d.date_start), _iso(d.date_end)) for d in extractor(doc)]
    assert got == [("2022", "period", "2022-01-01", "2022-12-31"), ("2022-2023", "period", "2022-01-01", "2023-12-31")]
