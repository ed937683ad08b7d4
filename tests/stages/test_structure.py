"""Metadata, headings, tasks and table rows on real documents."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.stages.normalize import Normalizer
from pipeline.stages.structure import Structurer
from tests.conftest import CORPUS, SEED_004, read


@pytest.fixture(scope="module")
def st() -> Structurer:
    return Structurer()


def build(st: Structurer, normalizer: Normalizer, text: str):
    return st.build("t", "t.txt", normalizer.normalize(text))


def test_metadata_of_traditional_county_plan(st: Structurer, normalizer: Normalizer) -> None:
    doc = build(st, normalizer, read(SEED_004))
    m = doc.meta
    assert m.doc_number == "溆政办发〔2024〕5号"
    assert m.issue_date == dt.date(2024, 4, 6)
    assert m.issuer == "溆浦县人民政府办公室"
    assert m.title == "溆浦县实施“八大行动”总体方案"
    assert (m.province, m.city, m.county) == ("湖南省", "怀化市", "溆浦县")
    assert m.ref_year == 2024


def test_metadata_from_mirror_site_fields(st: Structurer, normalizer: Normalizer) -> None:
    m = build(st, normalizer, read(CORPUS / "dev" / "d05.txt")).meta
    assert m.doc_number == "六盘水府办发〔2022〕10号"
    assert (m.province, m.city, m.county) == ("贵州省", "六盘水市", None)
    assert m.ref_year == 2022


def test_cited_document_number_is_not_the_documents_own(st: Structurer, normalizer: Normalizer) -> None:
    m = build(st, normalizer, read(CORPUS / "dev" / "d20.txt")).meta
    assert m.doc_number is None and m.ref_year is None


def test_municipality_district(st: Structurer, normalizer: Normalizer) -> None:
    m = build(st, normalizer, read(CORPUS / "dev" / "d08.txt")).meta
    assert (m.province, m.city, m.county) == ("重庆市", None, "沙坪坝区")


def test_heading_tree_and_sections(st: Structurer, normalizer: Normalizer) -> None:
    text = ("一、主要任务\n(一)推动先进制造业提能发展。\n1.实施产业链提升行动。全年新增规模工业企业20家。"
            "(县工信局牵头,县发改局配合)\n2.强化要素保障。(县财政局负责)\n二、保障措施\n加强组织领导。\n")
    doc = build(st, normalizer, text)
    assert [(h.level, h.marker) for h in doc.headings] == [(1, "一、"), (2, "(一)"), (3, "1."), (3, "2."),
                                                         (1, "二、")]
    items = [t for t in doc.tasks if t.kind == "item"]
    # headings with no body of their own are not tasks
    assert [t.span.text[:4] for t in items] == ["1.实施", "2.强化"]
    assert items[0].section == "一、主要任务 > (一)推动先进制造业提能发展。"
    assert items[0].span.text.endswith("(县工信局牵头,县发改局配合)")


def test_one_line_document_markers_inline(st: Structurer, normalizer: Normalizer) -> None:
    doc = build(st, normalizer, read(CORPUS / "dev" / "d01.txt"))
    items = [t for t in doc.tasks if t.kind == "item"]
    assert [t.span.text[:2] for t in items] == ["1.", "2.", "3.", "4."]
    assert items[0].span.text.endswith("等相关部门按职责分工负责)")


def test_one_cell_per_line_table_rows(st: Structurer, normalizer: Normalizer) -> None:
    doc = build(st, normalizer, read(CORPUS / "dev" / "d06.txt"))
    assert len(doc.table_rows) == 13
    row = doc.table_rows[0]
    assert row.header == ("序号", "项目内容", "当前进度", "牵头单位", "备注")
    assert [c.text for c in row.cells] == ["1", "新(改、扩)建公办园5所,新增公办幼儿学位1000个。",
                                           "80%(新区实验幼儿园进度滞后)", "县教育局", "市民生实事"]
    assert all(r.task_id is not None for r in doc.table_rows)


def test_pipe_table_rows(st: Structurer, normalizer: Normalizer) -> None:
    doc = build(st, normalizer, read(CORPUS / "dev" / "d16.txt"))
    assert [r.cells[0].text for r in doc.table_rows] == ["1", "2", "3"]
    assert doc.table_rows[0].header[:3] == ("序号", "工作事项", "进度安排")


def test_key_value_blocks_are_rows(st: Structurer, normalizer: Normalizer) -> None:
    text = ("索引号: | 11340000/2024-00012 |\n发布机构: | 县人民政府办公室 |\n"
            "工作任务: | 新建农村公路50公里 |\n牵头单位: | 县交通运输局 |\n完成时限: | 2024年底前 |\n"
            "工作任务: | 新增城镇就业1200人 |\n牵头单位: | 县人社局 |\n配合单位: | 县财政局 |\n")
    doc = build(st, normalizer, text)
    rows = [r for r in doc.table_rows if "工作任务" in r.header]
    assert [r.header for r in rows] == [("工作任务", "牵头单位", "完成时限"), ("工作任务", "牵头单位", "配合单位")]
    assert [c.text for c in rows[1].cells] == ["新增城镇就业1200人", "县人社局", "县财政局"]
    assert len(doc.table_rows) == 2  # the metadata block is not a table row
    assert [t.kind for t in doc.tasks] == ["table_row", "table_row"]


def test_section_heading_is_not_a_header_cell(st: Structurer, normalizer: Normalizer) -> None:
    text = ("二、重点任务分工\n序号\n工作任务\n责任单位\n完成时限\n1\n推进油烟治理\n县城管局、县市场监管局\n"
            "2016年9月30日前\n\n三、保障措施\n加强督查。\n")
    doc = build(st, normalizer, text)
    assert [r.header for r in doc.table_rows] == [("序号", "工作任务", "责任单位", "完成时限")]
    assert [c.text for c in doc.table_rows[0].cells] == ["1", "推进油烟治理", "县城管局、县市场监管局", "2016年9月30日前"]


def test_ref_year_from_the_only_year_named(st: Structurer, normalizer: Normalizer) -> None:
    """With no issue date, 发文字号 or title year, a document naming a single year is about that year."""
    one = build(st, normalizer, "信息公开目录\n公开内容 | 公开时限 |\n2021年随机抽查计划 | 6月底前 |\n").meta
    two = build(st, normalizer, "信息公开目录\n2020年完成情况 | 2021年计划 |\n").meta
    assert (one.ref_year, two.ref_year) == (2021, None)


@pytest.mark.parametrize(("text", "year"), [
    # a year named only for its past results gives no ref_year (pool p021, p012, p027: the gold leaves dates open)
    ("行动方案\n1.对 2020 年已达标的部分无违建街(镇)进行提档升级。12 月底前开工建设 200部。\n", None),
    ("住建局冲刺四季度\n2023年度考核排名全省第6名。第四季度,坚决完成全年各项目标任务。\n", None),
    ("招商引资工作会\n拿出300万元资金对2011年10个招商引资先进单位进行表彰。确保全年完成招商引资40亿元。\n", None),
    # a year the work is for still gives it
    ("行动方案\n2020年全市完成老旧小区改造50个,12月底前全部开工。\n", 2020),
])
def test_a_year_of_past_results_is_no_ref_year(st: Structurer, normalizer: Normalizer, text: str,
                                               year: int | None) -> None:
    assert build(st, normalizer, text).meta.ref_year == year


@pytest.mark.parametrize(("text", "title", "issued"), [
    # a title broken over two lines keeps both (pool p038)
    ("關于2023年為民辦實事項目\n實施情況的通報\n一、新增學位5萬個\n", "关于2023年为民办实事项目实施情况的通报", None),
    # the first line of a title may open with a place (issue 12.7)
    ("重庆市构建分型分类精准培育机制\n促进个体工商户高质量发展实施方案\n一、总体要求\n",
     "重庆市构建分型分类精准培育机制促进个体工商户高质量发展实施方案", None),
    # a byline or a breadcrumb is not a title (issue 12.7)
    ("理论调研\n通讯员 李君茹\n今年以来,全县上下…\n", None, None),
    # a signature date in Chinese numerals (pool f014)
    ("新余市绿色建筑管理办法\n新余市人民政府办公室\n二○一二年一月九日\n", "新余市绿色建筑管理办法", dt.date(2012, 1, 9)),
])
def test_titles_and_signature_dates(text: str, title: str | None, issued: dt.date | None,
                                    normalizer: Normalizer) -> None:
    meta = Structurer().meta(normalizer.normalize(text).text)
    assert (meta.title, meta.issue_date) == (title, issued)


def test_key_alone_on_its_line_takes_the_value_below(normalizer: Normalizer) -> None:
    """r22 (广州): a key whose value stands on the next line (进展情况…: | / 已完成。… |) is one cell of the block."""
    text = ("重点工作: | 统筹违法建设治理。 |\n牵头单位: | 市城市管理综合执法局 |\n进展情况、存在问题 及下一步工作建议: |\n"
            "已完成。 全市治理违法建设2318.70万平方米。 |\n")
    rows = Structurer().table_rows(normalizer.normalize(text).text)
    assert [(c.text[:6], r) for c, r in zip(rows[0].cells, rows[0].roles, strict=True)] == [
        ("统筹违法建设", "task"), ("市城市管理综", "lead"), ("已完成。 全", "progress")]


@pytest.mark.parametrize(("text", "titles", "signatures"), [
    ("关于印发2023年金融工作要点的通知\n一、重点任务\n3月底前制定方案。\n县政府办公室\n2023年3月1日\n",
     ["关于印发2023年金融工作要点的通知"] * 2, ["2023年3月1日"]),  # the line, and the known title found again
    ("溆浦县人民政府办公室\n二○一二年一月九日印发\n", [], ["二○一二年一月九日印发"]),
    # numbered items ending in 方案 are tasks, not titles; a date in a table cell is no signature
    ("(一)2024年底前制定实施方案\n1.2025年完成整治方案\n|事项|完成时间|\n|验收|2024年6月30日|\n", [], []),
    ("全县2024年新增市场主体3000户以上,年底前完成。", [], []),
    # a scraped page's list of publication fields, each behind a bullet (pool p069); a bullet item stating work is no stamp
    ("  • 发布机构:\n  • 2023年09月15日\n  • 来源: 大理市应急管理局\n", [], ["  • 2023年09月15日"]),
    ("• 2023年9月15日前完成排查\n", [], []),
])
def test_title_and_signature_spans(st: Structurer, normalizer: Normalizer, text: str, titles: list[str],
                                   signatures: list[str]) -> None:
    """The lines whose times are names (a title) or a signature, found once for every extractor."""
    doc = build(st, normalizer, text)
    assert [doc.text[s:e] for s, e in doc.title_spans] == titles
    assert [doc.text[s:e] for s, e in doc.signature_spans] == signatures


@pytest.mark.parametrize(("text", "town"), [
    ("青石镇人民政府\n3.化解矛盾纠纷。", ("青石镇", None, None)),
    ("永丰县石马镇人民政府关于印发2023年工作要点的通知\n一、目标", ("石马镇", "永丰县", "吉安市")),
    ("漾月街道办事处\n关于做好防汛工作的通知", ("漾月街道", None, None)),
    ("溆浦县人民政府办公室关于印发方案的通知", None),  # a county document
    ("各乡镇人民政府:\n现将方案印发给你们。", None),  # 各乡镇 addresses every township, governs none
])
def test_township_of_a_township_document(st: Structurer, normalizer: Normalizer, text: str,
                                         town: tuple[str, str | None, str | None] | None) -> None:
    doc = build(st, normalizer, text)
    got = doc.town
    assert (got.township, got.county, got.city) == town if got else town is None


def test_a_region_given_later_gives_the_township_its_county(st: Structurer, normalizer: Normalizer) -> None:
    from pipeline.models import DocMeta

    doc = build(st, normalizer, "青石镇人民政府\n3.化解矛盾纠纷。")
    st.set_meta(doc, DocMeta(province="湖南省", city="怀化市", county="溆浦县"))
    assert doc.town is not None and (doc.town.county, doc.town.city) == ("溆浦县", "怀化市")
