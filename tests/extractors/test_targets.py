"""The targets example table: every sentence must give exactly the expected target rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pipeline.extractors.figures import FigureExtractor
from pipeline.extractors.quantities import Numerals
from pipeline.extractors.targets import TargetExtractor
from pipeline.extractors.timenorm import period_end
from pipeline.lexicon import compile_patterns
from pipeline.models import DocMeta
from pipeline.stages.normalize import Normalizer
from pipeline.stages.structure import Structurer
from tests.conftest import make_doc
from tests.example_tables import load, params

CASES: list[dict[str, Any]] = load("targets")["cases"]
FIELDS = ("text", "indicator", "kind", "comparator", "value", "unit", "period", "baseline_value")


@pytest.fixture(scope="module")
def extractor() -> TargetExtractor:
    return TargetExtractor()


@pytest.fixture(scope="module")
def figures() -> FigureExtractor:
    return FigureExtractor()


def _row(t: Any) -> dict[str, Any]:
    return {
        "text": t.span.text, "indicator": t.indicator, "kind": t.kind, "comparator": t.comparator,
        "value": t.value, "unit": t.unit, "period": t.period, "baseline_value": t.baseline_value,
    }


def test_table_is_large_and_has_negatives() -> None:
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if not c["targets"]) >= 10


@pytest.mark.parametrize("case", params(CASES, "sentence"))
def test_example(case: dict[str, Any], normalizer: Normalizer, extractor: TargetExtractor,
                 figures: FigureExtractor) -> None:
    doc = make_doc(normalizer, case["sentence"], ref_year=case.get("ref_year", 2024))
    if case.get("structured"):  # a document excerpt whose headings and genre (a report's title) the rules read
        doc = Structurer().build("example", "example.txt", normalizer.normalize(case["sentence"]))
        doc.meta = DocMeta(ref_year=case.get("ref_year", 2024))
    got = [_row(t) for t in extractor(doc, figures.hits(doc), [])]
    want = [{k: e.get(k) for k in FIELDS} for e in case["targets"]]
    assert got == want


def test_spans_point_back_to_the_original(normalizer: Normalizer, extractor: TargetExtractor,
                                          figures: FigureExtractor) -> None:
    text = "每個縣(市)重點打造1~2個知名商圈,新增省級特色商業街4條以上。"
    doc = make_doc(normalizer, text, ref_year=2025)
    for t in extractor(doc, figures.hits(doc), []):
        assert text[t.span.start:t.span.end] == t.span.text


def test_due_from_period(normalizer: Normalizer, extractor: TargetExtractor, figures: FigureExtractor) -> None:
    doc = make_doc(normalizer, "市级重点新开工项目一、二季度开工率分别达到80%、100%。", ref_year=2023)
    dues = [t.due for t in extractor(doc, figures.hits(doc), [])]
    assert dues == [dt.date(2023, 3, 31), dt.date(2023, 6, 30)]


@pytest.mark.parametrize(("period", "ref", "end"), [
    ("2024年", None, dt.date(2024, 12, 31)),
    ("一季度", 2023, dt.date(2023, 3, 31)),
    ("三季度", 2023, dt.date(2023, 9, 30)),
    ("上半年", 2022, dt.date(2022, 6, 30)),
    ("2月", 2024, dt.date(2024, 2, 29)),
    ("一季度", None, None),
    ("4季度", 2023, dt.date(2023, 12, 31)),
    ("2023年二季度", 2020, dt.date(2023, 6, 30)),
    ("全年", 2024, dt.date(2024, 12, 31)),
    ("13月", 2024, dt.date(2024, 12, 31)),  # no month: the year
    ("全年", None, None),
])
def test_period_end(period: str, ref: int | None, end: dt.date | None) -> None:
    year = compile_patterns({}, {"y": "{year_digits}年"})["y"]
    assert period_end(period, ref, Numerals(), year) == end


def test_situation_section_holds_facts_not_targets(pipeline_obj: Any) -> None:
    """Numbers under 一、基本情况 describe the place; the same kind of number under 二、工作目标 is a goal."""
    text = ("布久乡2019年人居环境整治工作方案\n一、基本情况\n我乡乡域面积约1136平方公里，辖7个行政村，"
            "共有农牧户1046户。\n二、工作目标\n全年新建卫生厕所120座，改造村内道路15公里。\n")
    r = pipeline_obj.process_text("x", "x.txt", text)
    assert [(t.span.text, t.indicator) for t in r.targets] == [("120座", "新建卫生厕所"), ("15公里", "改造村内道路")]
    assert [f.span.text for f in r.figures] == ["1136平方公里", "7个", "1046户", "120座", "15公里"]


def test_item_headline_counts_are_planned_quantities(pipeline_obj: Any) -> None:
    """(3)新生儿疾病免费筛查与诊断服务3700人。: a 民生实事 item names the service and its planned count."""
    text = ("溆浦县2024年重点民生实事\n(3)新生儿疾病免费筛查与诊断服务3700人。为全县新生儿免费提供筛查。\n"
            "(4)去年,全县共服务2600人,覆盖率为95%。\n")
    r = pipeline_obj.process_text("x", "x.txt", text)
    assert [(t.span.text, t.kind, t.comparator) for t in r.targets] == [("3700人", "count", "=")]


@pytest.mark.parametrize(("text", "want"), [
    # a progress report (pool p094, 济南): the item states the goal, the 完成情况 line reports the result
    ("2019年区《政府工作报告》确定的主要目标任务上半年完成情况\n\n一、经济社会发展主要预期目标\n\n"
     "1.地区生产总值增长7.8%左右(责任单位:区发改局)\n\n完成情况:上半年地区生产总值同比增长9%,排名中心城区第二。\n",
     ["7.8%左右"]),
    # a report titled 实施情况的通报 (pool p038, 福建, traditional): headings restate goals, the body reports
    ("關于2023年為民辦實事項目\n實施情況的通報\n一、新增義務教育公辦學校學位5萬個\n"
     "省級財政補助資金下達5.4519億元,完成年度計劃的104.44%。全省完成改造21702間。\n",
     ["5萬個"]),
    # a report item: goal sentence, then a sentence opened by the reporting window (pool p081, 咸宁)
    ("2021年重点工作上半年完成情况\n1.引进投资项目不少于3个;新开工亿元以上产业项目100个。上半年,引进投资项目3个。\n",
     ["不少于3个", "100个"]),
    # a plan is not a report: 同比 and 完成全年任务的 N% stay commitments there (holdout e07 style)
    ("2024年稳就业工作方案\n1.上半年完成全年任务的60%,普惠小微贷款余额同比增长15%以上。\n", ["60%", "15%以上"]),
])
def test_progress_reports(text: str, want: list[str], normalizer: Normalizer, extractor: TargetExtractor,
                          figures: FigureExtractor) -> None:
    from pipeline.stages.structure import Structurer

    doc = Structurer().build("example", "example.txt", normalizer.normalize(text))
    assert [t.span.text for t in extractor(doc, figures.hits(doc), [])] == want


def test_bare_planned_cells(normalizer: Normalizer, extractor: TargetExtractor, figures: FigureExtractor) -> None:
    """Pool p018 (嵊泗, one cell per line): bare numbers of the 年度目标 column take the 单位 cell's unit and the
    row's indicator cell; a header naming its quantity (总投资(万元)) is the indicator and gives the unit."""
    from pipeline.stages.structure import Structurer

    text = ("考核项目\n序号\n考核指标\n考核内容\n单位\n年度目标\n责任部门\n"
            "1\n确保粮食有效供给\n粮食播种面积\n万亩\n0.07\n县农业农村局\n"
            "2\n生猪稳产保供\n生猪存栏\n万头\n≥1.5\n县农业农村局\n")
    doc = Structurer().build("example", "example.txt", normalizer.normalize(text))
    got = [(t.span.text, t.indicator, t.comparator, t.value, t.unit, t.value_base, t.kind)
           for t in extractor(doc, figures.hits(doc), [])]
    assert got == [("0.07", "粮食播种面积", "=", 0.07, "万亩", 700.0, "level"),
                   ("≥1.5", "生猪存栏", ">=", 1.5, "万头", 15000.0, "level")]
    text = "序号 | 项目名称 | 总投资(万元) | 责任单位 |\n1 | 护眼灯光工程 | 1800 | 县教育局 |\n"
    doc = Structurer().build("example", "example.txt", normalizer.normalize(text))
    amounts = [(t.span.text, t.indicator, t.value, t.unit, t.value_base) for t in extractor(doc, figures.hits(doc), [])]
    assert amounts == [("1800", "总投资", 1800.0, "万元", 18000000.0)]


def test_indicator_from_the_row_when_the_cell_holds_only_a_change(normalizer: Normalizer, extractor: TargetExtractor,
                                                                  figures: FigureExtractor) -> None:
    """Pool p050 (上城区): 指标 | 指标要求 tables: the indicator is the row's indicator cell, not the verb 增长."""
    from pipeline.stages.structure import Structurer

    text = "序号 | 任务名称 | 指标要求 | 牵头部门 |\n1 | 地区生产总值 | 增长5.5% | 区发改经信局 |\n"
    doc = Structurer().build("example", "example.txt", normalizer.normalize(text))
    got = [(t.span.text, t.indicator, t.kind) for t in extractor(doc, figures.hits(doc), [])]
    assert got == [("5.5%", "地区生产总值", "growth")]


def test_the_extractor_keeps_no_state_between_documents(normalizer: Normalizer, figures: FigureExtractor) -> None:
    """Per-document scan state (news section, fact sections, last target) is passed, never kept on the
    extractor: after two documents it has the attributes it was built with, and each document's targets do
    not depend on the one before (a news section or a list of goals in one does not leak into the next)."""
    ex = TargetExtractor()
    built = dict(vars(ex))
    first = make_doc(normalizer, "一、工作目标\n全县地区生产总值增长6%,规模工业产值90亿元。\n二、工作动态\n全县完成投资30亿元。",
                     ref_year=2024)
    second = make_doc(normalizer, "规模工业产值12亿元。", ref_year=2024)
    alone = [_row(t) for t in TargetExtractor()(second, figures.hits(second), [])]
    ex(first, figures.hits(first), [])
    assert [_row(t) for t in ex(second, figures.hits(second), [])] == alone
    assert vars(ex).keys() == built.keys() and all(vars(ex)[k] is v for k, v in built.items())
