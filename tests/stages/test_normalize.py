"""Normalisation keeps an exact way back to the original characters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.stages.normalize import Normalizer, deletions
from tests.conftest import CORPUS, SEED_004, read

_N = Normalizer()

PIECES = ["漵浦縣", "發(fā)展", "區(qū)", "工(gōng)作", "（一）", "，", "：", "１２３", "ＡＢ", "\r\n", "\n", "　",
          "實施方案", "規模工業增加值增長7%", "PM2.5", "(VOCs)", "后來", "﹒", "牽頭單位", "a", " ", "乾淨"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_every_normalised_character_maps_back(pieces: list[str]) -> None:
    original = "".join(pieces)
    nt = _N.normalize(original)
    assert len(nt.starts) == len(nt.text) == len(nt.ends)
    prev = 0
    for i in range(len(nt.text)):
        s, e = nt.starts[i], nt.ends[i]
        assert prev <= s < e <= len(original)
        prev = s
        # the original stretch normalises to this character (one-to-one pieces)
        if e - s == 1:
            assert _N.to_simplified(original[s:e]) == nt.text[i] or original[s:e] in "\r"
    # any span round-trips: the original slice of a span is what span() reports
    for a in range(0, len(nt.text), 3):
        for b in range(a, min(len(nt.text), a + 7) + 1):
            sp = nt.span(a, b)
            assert original[sp.start : sp.end] == sp.text
            assert sp.text_norm == nt.text[a:b]


def test_pinyin_glosses_are_dropped_and_mapped() -> None:
    original = "穩(wěn)就業(yè)，發(fā)展"
    nt = _N.normalize(original)
    assert nt.text == "稳就业,发展"
    sp = nt.span(4, 6)
    assert sp.text == "發(fā)展" and sp.text_norm == "发展"


def test_latin_brackets_are_kept() -> None:
    assert _N.normalize("挥发性有机物(VOCs)和氮氧化物(NOX)").text == "挥发性有机物(VOCs)和氮氧化物(NOX)"
    assert deletions("物(VOCs)") == []


def test_width_and_small_forms() -> None:
    assert _N.normalize("（一）１﹒牵头单位：县发改局；").text == "(一)1.牵头单位:县发改局;"


def test_crlf_is_one_newline_but_offsets_keep_it() -> None:
    nt = _N.normalize("一、总则\r\n二、任务")
    assert nt.text == "一、总则\n二、任务"
    sp = nt.span(5, 9)
    assert sp.text == "二、任务" and sp.start == 6


def test_traditional_seed_keeps_length_and_converts() -> None:
    original = read(SEED_004)
    nt = _N.normalize(original)
    assert len(nt.text) == len(original)
    assert nt.text.startswith("溆政办发〔2024〕5号")
    assert _N.script(original) == "traditional"


def test_script_detection() -> None:
    assert _N.script(read(CORPUS / "dev" / "d01.txt")) == "simplified"
    assert _N.script(read(CORPUS / "dev" / "d04.txt")) == "traditional"
    assert _N.script("") == "simplified"


WRAPPED = ("一、主要任务\n"
           "（一）推进产业发展。全年规模工业增加值增长8%以\n"
           "上，新增规模以上工业企业10家。由县发展和改\n"
           "革局牵头，县财政局、县工信局配合，在9月底前\n"
           "完成园区标准化厂房建设任务，新建厂房5万平方\n"
           "米。县商务局负责全年外贸进出口总额达到3亿元\n"
           "以上，力争新增外贸实绩企业5家，做好统计工作。\n"
           "（二）改善营商环境。企业开办时间压缩至1个工作\n"
           "日以内。\n")


def test_hard_wrapped_lines_are_joined_inside_sentences(normalizer: Normalizer) -> None:
    nt = normalizer.normalize(WRAPPED)
    assert nt.text.split("\n")[1] == ("(一)推进产业发展。全年规模工业增加值增长8%以上,新增规模以上工业企业10家。"
                                      "由县发展和改革局牵头,县财政局、县工信局配合,在9月底前完成园区标准化厂房建设任务,"
                                      "新建厂房5万平方米。县商务局负责全年外贸进出口总额达到3亿元以上,力争新增外贸实绩企业5家,"
                                      "做好统计工作。")
    i = nt.text.index("县发展和改革局")
    assert nt.span(i, i + 7).text == "县发展和改\n革局"  # the span keeps the original line break


def test_a_wrap_inside_a_bracket_or_before_a_decimal_is_joined(normalizer: Normalizer) -> None:
    """A PDF copy breaks lines anywhere: inside a responsibility bracket after its ; (r02 wrapped), and before a
    decimal that only looks like an item number (28.23亿元 is no item 28.)."""
    text = ("1.劳动年龄人口平均受教育年限达到12.5年以上。(牵头单位:市教育局;\n"
            "责任单位:市人社局)全市完成投资任务,计划投入资金总额约为\n"
            "28.23亿元,确保民生实事项目全部按期完成并投入使用。\n"
            "2.单位地区生产总值能源消耗降低完成省下达目标任务。\n"
            "3.空气质量优良天数比例达到省下达的目标任务要求以上。\n"
            "4.城镇新增就业人数达到省下达的目标任务要求以上水平。\n"
            "5.城镇调查失业率控制在省下达的目标任务要求以内水平。\n")
    lines = normalizer.normalize(text).text.split("\n")
    assert lines[0] == ("1.劳动年龄人口平均受教育年限达到12.5年以上。(牵头单位:市教育局;责任单位:市人社局)"
                        "全市完成投资任务,计划投入资金总额约为28.23亿元,确保民生实事项目全部按期完成并投入使用。")
    assert lines[1].startswith("2.")


def test_a_list_broken_at_its_comma_is_joined_in_any_document(normalizer: Normalizer) -> None:
    """d02 as a PDF copy: one labelled list wraps before its 、 in a document that is otherwise not hard-wrapped."""
    text = ("牵头责任单位:省发展改革委。\n协同责任单位:省经济和信息化厅、省财政厅、省交通运输厅\n、省农业农村厅、省水利厅等。\n"
            "配合单位:省商务厅、\n省税务局。\n一、\n总体要求\n")
    assert normalizer.normalize(text).text.split("\n") == [
        "牵头责任单位:省发展改革委。", "协同责任单位:省经济和信息化厅、省财政厅、省交通运输厅、省农业农村厅、省水利厅等。",
        "配合单位:省商务厅、省税务局。", "一、总体要求", ""]


def test_ordinary_paragraphs_are_not_joined(normalizer: Normalizer) -> None:
    text = "一、目标\n全年地区生产总值增长6%左右，一般公共预算收入增长5%\n二、任务\n（一）稳投资。新开工项目50个\n"
    assert normalizer.normalize(text).text.count("\n") == text.count("\n")


def test_tab_separated_rows_become_pipe_rows(normalizer: Normalizer) -> None:
    text = "序號\t項目\t牽頭單位\n1\t低保\t縣民政局\n\t縮進的段落。\n"
    nt = normalizer.normalize(text)
    assert nt.text == "序号|项目|牵头单位\n1|低保|县民政局\n\t缩进的段落。\n"
    assert len(nt.text) == len(text)


def test_fold_table_folds_every_character_as_fold_char() -> None:
    from pipeline.stages.normalize import _FOLD, _fold_char

    assert all(chr(o).translate(_FOLD) == _fold_char(chr(o)) for o in range(0x10000) if not 0xD800 <= o < 0xE000)
