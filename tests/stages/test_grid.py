"""The table model (pipeline/stages/grid.py) on layouts taken from real documents (corpus/real, corpus/pool)."""

from __future__ import annotations

import pytest

from pipeline.stages import columns
from pipeline.stages.grid import ColumnLexicon, TableReader, cell_kind, header_unit
from pipeline.stages.normalize import Normalizer


@pytest.fixture(scope="module")
def reader() -> TableReader:
    return TableReader()


def _rows(reader: TableReader, normalizer: Normalizer, text: str) -> list[list[tuple[str, str | None]]]:
    norm = normalizer.normalize(text).text
    return [[(c.text, r) for c, r in zip(row.cells, row.roles, strict=True)] for row in reader.rows(norm)]


@pytest.mark.parametrize(("header", "role"), [
    ("主 要 工 作 任 务", "task"), ("牵头 单位", "lead"), ("责任单位 或牵头单位", "lead"), ("协助 单位", "co"),
    ("牵头单位及 主要负责人", "lead"), ("分管 市领导", "leader"), ("1-11月推进情况", "progress"),
    ("落实进展情况", "progress"), ("完成率", "progress"), ("全年目标任务", "planned"), ("完成 期限", "deadline"),
    ("单位", "measure"), ("责任主体与协同单位", "co"), ("主责单位", "main"), ("建设地点", "place"),
    ("序号", "seq"), ("备注", "remarks"), ("责任单位", "resp"), ("是否达序", "status"), ("牵头领导", "leader"),
])
def test_column_roles(header: str, role: str) -> None:
    assert ColumnLexicon().column(header).role == role


def test_remembered_columns_are_the_columns_and_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columns, "_MEMO_MAX", 5)
    lex, fresh = ColumnLexicon(), ColumnLexicon()
    headers = ["牵头 单位", "1.00", "协助 单位", "0/0", "|", "牵头 单位", "序号", "备注", "1.00", "责任单位", "协助 单位"]
    for h in headers * 2:
        assert lex.column(h) == fresh._column(h)
        assert len(lex._memo) <= 5


@pytest.mark.parametrize(("text", "kind"), [
    ("12", "seq"), ("县水务局", "unit"), ("市政局、相关街道", "unit"), ("市民政局 伍泽国", "unit"),
    ("徐国江", "person"), ("12月底前", "date"), ("2021.8", "date"), ("5月底前动工", "date"), ("是", "yesno"),
    ("已进场施工,完成30%。", "text"), ("0.07", "number"), ("", "empty"),
])
def test_cell_kinds(text: str, kind: str) -> None:
    assert cell_kind(text) == kind


def test_header_unit() -> None:
    assert header_unit("总投资(万元)") == "万元"
    assert header_unit("牵头单位") is None


def test_pipe_table_letter_spaced_header(reader: TableReader, normalizer: Normalizer) -> None:
    """r19 (嘉兴): `序号 | 主 要 工 作 任 务 | 责任单位 |`, one row per line."""
    text = ("序号 | 主 要 工 作 任 务 | 责任单位 |\n1 | 地区生产总值增长6%左右。 | 市发展改革委 |\n"
            "2 | 规上工业增加值增长6%以上。 | 市经信局 |\n")
    assert _rows(reader, normalizer, text) == [
        [("1", "seq"), ("地区生产总值增长6%左右。", "task"), ("市发展改革委", "resp")],
        [("2", "seq"), ("规上工业增加值增长6%以上。", "task"), ("市经信局", "resp")],
    ]


def test_cell_over_two_lines_and_merged_category(reader: TableReader, normalizer: Normalizer) -> None:
    """r23 (园林城市): a unit cell running onto the next line; the next row lacks the merged category cell."""
    text = ("任务 内容 | 工作内容及要求 | 责任单位 或牵头单位 | 协助 单位 | 完成 期限 |\n"
            "生 态 环 境 | 禁止开发城市周围的自然山体。 | 市规划局 | 市国土资源局\n市农牧林业局 | 2010年9月20日前 |\n"
            "加强防护绿地的建设。 | 市规划局 市建设局 | 有关部门 | 2010年9月20日前 |\n")
    rows = _rows(reader, normalizer, text)
    assert rows[0][3:] == [("市国土资源局\n市农牧林业局", "co"), ("2010年9月20日前", "deadline")]
    assert rows[1] == [("加强防护绿地的建设。", "task"), ("市规划局 市建设局", "lead"), ("有关部门", "co"),
                       ("2010年9月20日前", "deadline")]


def test_one_cell_per_line_with_vanished_cell(reader: TableReader, normalizer: Normalizer) -> None:
    """r24 (南通): trailing bars, a leader column, two progress columns; the 全年目标任务 cell vanished."""
    text = ("序号 |\n主要任务 |\n全年目标任务 |\n分管 领导 |\n牵头 单位 |\n责任主体与协同单位 |\n1-10月推进情况 |\n"
            "1-11月推进情况 |\n是否达序 |\n说明 |\n24 |\n优化提升50条背街后巷交通组织。 |\n徐国江 |\n城管局 |\n"
            "市政局、相关街道 |\n已进场施工,完成30%。 |\n已进场施工,完成60%。 |\n是 |\n||\n")
    assert _rows(reader, normalizer, text) == [[
        ("24", "seq"), ("优化提升50条背街后巷交通组织。", "task"), ("徐国江", "leader"), ("城管局", "lead"),
        ("市政局、相关街道", "co"), ("已进场施工,完成30%。", "progress"), ("已进场施工,完成60%。", "progress"),
        ("是", "status"), ("", "remarks"),
    ]]


def test_one_cell_per_line_units_over_lines_and_sub_rows(reader: TableReader, normalizer: Normalizer) -> None:
    """r18 (大竹): units one per line in one cell; a row holding two tasks with their own deadlines."""
    text = ("序号\n\n民生实事\n\n责任单位\n\n完成时限\n\n1\n\n启动建设东湖湿地公园。\n\n县水务局\n\n县住建局\n\n12月底前\n\n"
            "2\n\n开工建设县老年养护楼。\n\n县民政局\n\n5月底前动工\n\n开工建设老年大学。\n\n12月底前\n\n"
            "3\n\n迁建县政务服务中心。\n\n县政务服务中心\n\n12月底前\n")
    rows = _rows(reader, normalizer, text)
    assert rows[0] == [("1", "seq"), ("启动建设东湖湿地公园。", "task"), ("县水务局\n\n县住建局", "resp"),
                       ("12月底前", "deadline")]
    assert rows[2] == [("开工建设老年大学。", "task"), ("12月底前", "deadline")]
    assert rows[3][2] == ("县政务服务中心", "resp")


def test_sub_rows_with_empty_trailing_cells(reader: TableReader, normalizer: Normalizer) -> None:
    """r21 (新昌): sub-rows under a merged project cell keep their date and unit in the right columns."""
    text = ("项目名称 | 工作任务 | 计划完成时间 | 牵头单位 |\n1.城市人居环境提升项目 | 对3条城区道路进行综合提升改造; | 11月 | 建设局 |\n"
            "2021.8 | 城投集团 | ||\n新建城市口袋公园2处; | 11月 | 建设局 | |\n")
    rows = _rows(reader, normalizer, text)
    assert rows[1] == [("2021.8", "deadline"), ("城投集团", "lead")]
    assert rows[2] == [("新建城市口袋公园2处;", "task"), ("11月", "deadline"), ("建设局", "lead")]


def test_unit_with_person_and_merged_category(reader: TableReader, normalizer: Normalizer) -> None:
    """r25 (肇庆): `牵头单位及 主要负责人` cells hold a unit and a person; later rows lack the 大类 cell."""
    text = ("大类 | 序号 | 工作任务 | 分管 市领导 | 牵头单位及 主要负责人 | 落实进展情况 |\n"
            "一、提高底线民生保障水平 | 1 | 提高低保补差水平。 | 陈宣群 | 市民政局 伍泽国 | 已完成。 |\n"
            "2 | 提高特困供养标准。 | 陈宣群 | 市民政局 伍泽国 | 已完成。 |\n")
    rows = _rows(reader, normalizer, text)
    assert rows[1] == [("2", "seq"), ("提高特困供养标准。", "task"), ("陈宣群", "leader"), ("市民政局 伍泽国", "lead"),
                       ("已完成。", "progress")]


def test_not_a_table(reader: TableReader, normalizer: Normalizer) -> None:
    """Running text and metadata bars yield no rows."""
    text = "索引号: | 001 |\n发布机构: | 县政府办 |\n一、工作任务\n(一)加快产业升级(县发改局牵头)。\n"
    assert _rows(reader, normalizer, text) == []


def test_row_at_finds_the_row_of_a_position(normalizer: Normalizer) -> None:
    """``PolicyDoc.row_at``: the row whose span holds a position (its end only when asked), none between rows."""
    from pipeline.stages.structure import Structurer

    text = "序号 | 工作任务 | 牵头单位 |\n1 | 新建停车场3处 | 县住建局 |\n\n2 | 改造小区5个 | 县民政局 |\n"
    doc = Structurer().build("x", "x.txt", normalizer.normalize(text))
    first, second = doc.table_rows
    assert doc.row_at(doc.text.index("停车场")) is first
    assert doc.row_at(doc.text.index("县民政局")) is second
    end = first.cells[-1].nend
    assert doc.row_at(end) is None and doc.row_at(end, end_inclusive=True) is first
    assert doc.row_at(doc.text.index("序号")) is None
