"""Tests for the ingest stage: decoding, HTML/DOCX/PDF extraction, errors, input discovery.

Fixtures are built in ``tmp_path`` at test time (python-docx, fpdf2); nothing is downloaded.
fpdf2 has no CJK font available here, so the PDF text-layer test uses ASCII text.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from pipeline.errors import DocumentError
from pipeline.io.ingest import (
    MAX_BYTES,
    MAX_TEXT_BYTES,
    SUPPORTED_SUFFIXES,
    Ingested,
    decode_text,
    doc_id_of,
    iter_inputs,
    read_document,
)

CORPUS = Path(__file__).resolve().parent.parent.parent / "corpus" / "dev"

# Real sentences from corpus/dev (d01 simplified, d04 traditional).
SIMPLIFIED = "现将《政府工作报告》提出的2023年重点工作任务予以分解并明确责任单位。"
SIMPLIFIED_2 = "各省辖市政府,济源示范区、航空港区管委会要切实扛牢属地责任,加强工作谋划,采取有效措施。"
TRADITIONAL = "以習近平新時代中國特色社會主義思想為指導,全面貫徹落實習近平總書記視察湖北重要講話精神。"
TRADITIONAL_TITLE = "進一步優化營商環境的若干意見"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def error_code(path: Path, **kwargs: int) -> str:
    with pytest.raises(DocumentError) as info:
        read_document(path, **kwargs)
    return info.value.code


# ---------------------------------------------------------------------------
# ids, constants
# ---------------------------------------------------------------------------


def test_doc_id_of_is_sha256_prefix() -> None:
    data = SIMPLIFIED.encode("utf-8")
    assert doc_id_of(data) == hashlib.sha256(data).hexdigest()[:16]
    assert doc_id_of(b"") == "e3b0c44298fc1c14"
    assert len(doc_id_of(b"x")) == 16


def test_constants() -> None:
    assert frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}) == SUPPORTED_SUFFIXES
    assert MAX_BYTES == 50 * 1024 * 1024


# ---------------------------------------------------------------------------
# text files and encodings
# ---------------------------------------------------------------------------


def test_utf8_keeps_line_endings_exactly(tmp_path: Path) -> None:
    text = f"{SIMPLIFIED}\r\n{SIMPLIFIED_2}\n\r\n  一、总体要求\r"
    got = read_document(write(tmp_path, "a.txt", text.encode("utf-8")))
    assert got == Ingested(text=text, encoding="utf-8", kind="text")


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    text = f"{SIMPLIFIED}\r\n"
    got = read_document(write(tmp_path, "a.txt", b"\xef\xbb\xbf" + text.encode("utf-8")))
    assert got == Ingested(text=text, encoding="utf-8-sig", kind="text")
    assert got.text.index("2023") == 13  # offsets count from after the BOM


def test_gb18030_file(tmp_path: Path) -> None:
    text = f"{SIMPLIFIED}\n{SIMPLIFIED_2}\n"
    got = read_document(write(tmp_path, "gb.txt", text.encode("gb18030")))
    assert got == Ingested(text=text, encoding="gb18030", kind="text")


def test_gbk_bytes_of_traditional_text_are_gb18030(tmp_path: Path) -> None:
    text = f"{TRADITIONAL_TITLE}\n{TRADITIONAL}\n"
    got = read_document(write(tmp_path, "gbk.txt", text.encode("gbk")))
    assert (got.text, got.encoding) == (text, "gb18030")


def test_big5_file(tmp_path: Path) -> None:
    text = f"{TRADITIONAL_TITLE}\r\n{TRADITIONAL}\r\n"
    got = read_document(write(tmp_path, "b5.txt", text.encode("big5")))
    assert got == Ingested(text=text, encoding="big5", kind="text")


def test_short_big5_line(tmp_path: Path) -> None:
    assert decode_text(TRADITIONAL_TITLE.encode("big5")) == (TRADITIONAL_TITLE, "big5")
    assert decode_text("鄂政發〔2018〕26號".encode("big5")) == ("鄂政發〔2018〕26號", "big5")


def test_short_gb_line() -> None:
    assert decode_text("一、总体要求".encode("gb18030")) == ("一、总体要求", "gb18030")
    assert decode_text("鄂政發〔2018〕26號".encode("gb18030")) == ("鄂政發〔2018〕26號", "gb18030")


def _corpus_sentences() -> list[str]:
    """Sentences (12+ characters, not pure ASCII) of every dev document."""
    out: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [s for s in re.split(r"(?<=[。;;!?\n])", text) if len(s.strip()) >= 12 and not s.isascii()]
    return out


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus/dev not present")
def test_corpus_sentences_round_trip_in_gb18030_and_big5() -> None:
    sentences = _corpus_sentences()
    assert len(sentences) > 100
    n_big5 = 0
    for sentence in sentences:
        assert decode_text(sentence.encode("gb18030")) == (sentence, "gb18030"), sentence
        try:
            data = sentence.encode("big5")
        except UnicodeEncodeError:  # simplified characters have no Big5 code
            continue
        n_big5 += 1
        assert decode_text(data) == (sentence, "big5"), sentence
    assert n_big5 > 20


def test_utf16_with_bom(tmp_path: Path) -> None:
    text = f"{SIMPLIFIED}\r\n{SIMPLIFIED_2}\r\n"
    for data in (text.encode("utf-16"), b"\xfe\xff" + text.encode("utf-16-be")):
        got = read_document(write(tmp_path, "u16.txt", data))
        assert got == Ingested(text=text, encoding="utf-16", kind="text")


def test_utf16_without_bom() -> None:
    text = f"{SIMPLIFIED}\r\n"
    assert decode_text(text.encode("utf-16-le")) == (text, "utf-16-le")


def test_truncated_utf8_drops_the_broken_tail(tmp_path: Path) -> None:
    text = f"{SIMPLIFIED}\n{SIMPLIFIED_2}"
    data = text.encode("utf-8") + "中".encode()[:2]
    got = read_document(write(tmp_path, "cut.txt", data))
    assert got == Ingested(text=text, encoding="utf-8", kind="text", warnings=("tail of 2 bytes undecodable",))


def test_truncated_gb18030_file_says_what_was_dropped(tmp_path: Path) -> None:
    data = SIMPLIFIED_2.encode("gb18030") + "中".encode("gb18030")[:1]
    got = read_document(write(tmp_path, "cut.txt", data))
    assert (got.text, got.warnings) == (SIMPLIFIED_2, ("tail of 1 bytes undecodable",))


def test_damaged_utf8_says_how_many_sequences_were_replaced(tmp_path: Path) -> None:
    raw = ((SIMPLIFIED + SIMPLIFIED_2) * 3).encode("utf-8")
    got = read_document(write(tmp_path, "bad.txt", raw[:30] + b"\xff" + raw[30:]))
    assert got.warnings == ("1 undecodable byte sequence(s) replaced by U+FFFD",)


def test_clean_file_has_no_warnings(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "ok.txt", SIMPLIFIED.encode("gb18030"))).warnings == ()


def test_truncated_gb18030_drops_the_broken_tail() -> None:
    data = SIMPLIFIED_2.encode("gb18030") + "中".encode("gb18030")[:1]
    assert decode_text(data) == (SIMPLIFIED_2, "gb18030")


def test_utf8_with_one_damaged_byte_stays_utf8() -> None:
    good = (SIMPLIFIED + SIMPLIFIED_2) * 3
    raw = good.encode("utf-8")
    text, encoding = decode_text(raw[:30] + b"\xff" + raw[30:])
    assert encoding == "utf-8"
    assert text == good[:10] + "\ufffd" + good[10:]


def test_empty_file(tmp_path: Path) -> None:
    assert error_code(write(tmp_path, "empty.txt", b"")) == "E001"
    with pytest.raises(DocumentError, match="E001"):
        decode_text(b"")


def test_binary_file(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
    assert error_code(write(tmp_path, "image.txt", png)) == "E002"
    with pytest.raises(DocumentError) as info:
        decode_text(b"\x01\x02\x03\x04abc\x05\x06\x07\x08" * 8)  # control bytes, no NUL
    assert info.value.code == "E002"


def test_undecodable_file(tmp_path: Path) -> None:
    assert error_code(write(tmp_path, "junk.txt", bytes(range(0x80, 0x100)) * 4)) == "E003"


def test_only_whitespace(tmp_path: Path) -> None:
    assert error_code(write(tmp_path, "blank.txt", " \r\n\t\u3000\n".encode())) == "E009"


def test_too_large_is_checked_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", SIMPLIFIED.encode("utf-8"))
    with pytest.raises(DocumentError) as info:
        read_document(path, max_bytes=10)
    assert info.value.code == "E008"
    assert info.value.detail == f"{path.stat().st_size} bytes, limit 10"


def test_a_50_mb_text_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: 50 MB on paper, nothing on disk
        fh.truncate(50_000_000)
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert info.value.one_line() == f"E008: file is too large (50000000 bytes, limit {MAX_TEXT_BYTES})"


def test_text_over_the_character_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "long.txt", (SIMPLIFIED * 200).encode("utf-8"))
    with pytest.raises(DocumentError) as info:
        read_document(path, max_chars=1000)
    assert info.value.code == "E008"
    assert "characters of text, limit 1000; split the document" in info.value.detail


def test_unsupported_suffix(tmp_path: Path) -> None:
    assert error_code(write(tmp_path, "a.doc", b"\xd0\xcf\x11\xe0")) == "E010"
    assert error_code(write(tmp_path, "README", b"text")) == "E010"


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "A.TXT", SIMPLIFIED.encode())).text == SIMPLIFIED


def test_unreadable_path_is_a_document_error(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    assert error_code(tmp_path / "dir.txt") == "E011"
    assert error_code(tmp_path / "missing.txt") == "E011"


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------


def html_doc(body: str, charset: str = "utf-8", head: str = "") -> str:
    return f'<html><head><meta charset="{charset}"><title>标题</title>{head}</head><body>{body}</body></html>'


def test_html_blocks_become_lines_and_chrome_is_dropped(tmp_path: Path) -> None:
    body = (
        "<header>首页 | 政务公开</header><nav><a href='/'>导航</a></nav>"
        "<script>var x = '脚本';</script><style>p {color: red}</style>"
        f"<h1>关于明确重点工作责任单位的通知</h1><p>{SIMPLIFIED}</p>"
        "<div>一、总体要求<br>二、主要任务</div><p>  </p><p style='display:none'>隐藏</p>"
        "<footer>版权所有</footer>"
    )
    got = read_document(write(tmp_path, "a.html", html_doc(body).encode("utf-8")))
    assert got == Ingested(
        text=f"关于明确重点工作责任单位的通知\n{SIMPLIFIED}\n一、总体要求\n二、主要任务",
        encoding="utf-8",
        kind="html",
    )


def test_html_article_is_preferred(tmp_path: Path) -> None:
    body = f"<div>相关链接</div><article><header><h1>通知</h1></header><p>{SIMPLIFIED}</p></article><div>底部</div>"
    got = read_document(write(tmp_path, "a.htm", html_doc(body).encode("utf-8")))
    assert got.text == f"通知\n{SIMPLIFIED}"


def test_html_whitespace_collapses_and_cjk_line_breaks_vanish(tmp_path: Path) -> None:
    body = "<p>现将《政府工作报告》\n  提出的2023年重点\n工作任务  予以分解。</p><p>Key\ntasks&nbsp;2023</p>"
    got = read_document(write(tmp_path, "a.html", html_doc(body).encode("utf-8")))
    assert got.text == "现将《政府工作报告》提出的2023年重点工作任务 予以分解。\nKey tasks 2023"


def test_html_table_rows(tmp_path: Path) -> None:
    body = (
        "<p>重点工作责任分工表</p><table>"
        "<thead><tr><th>序号</th><th>工作任务</th><th>牵头单位</th></tr></thead>"
        "<tbody><tr><td>1</td><td><p>全省生产总值增长7%以上</p></td><td>省发展改革委</td></tr>"
        "<tr><td>2</td><td>固定资产投资增长10%以上</td><td></td></tr></tbody></table><p>附件</p>"
    )
    got = read_document(write(tmp_path, "t.html", html_doc(body).encode("utf-8")))
    assert got.text == (
        "重点工作责任分工表\n"
        "序号 | 工作任务 | 牵头单位 |\n"
        "1 | 全省生产总值增长7%以上 | 省发展改革委 |\n"
        "2 | 固定资产投资增长10%以上 | |\n"
        "附件"
    )


def test_html_layout_table_keeps_paragraphs(tmp_path: Path) -> None:
    """A page laid out in one table cell (gov.cn ``<td id=UCAP-CONTENT>``) keeps one line per paragraph."""
    body = (
        "<table><tbody><tr><td class='b12c'><p>国务院关于促进综合保税区</p> <p>高水平开放的若干意见</p>"
        "<p>国发〔2019〕3号</p><p><br> </p><p>各省、自治区、直辖市人民政府：</p></td></tr></tbody></table>"
    )
    got = read_document(write(tmp_path, "layout.html", html_doc(body).encode("utf-8")))
    assert got.text == "国务院关于促进综合保税区\n高水平开放的若干意见\n国发〔2019〕3号\n各省、自治区、直辖市人民政府："


def test_html_rowspan_and_colspan(tmp_path: Path) -> None:
    """A 牵头单位 cell merged over two rows is copied into both; a colspan cell keeps the columns aligned."""
    body = (
        "<table><tr><th>序号</th><th>工作任务</th><th>牵头单位</th><th>完成时限</th></tr>"
        "<tr><td>1</td><td>新建停车场3处</td><td rowspan='2'>县住建局</td><td>6月底前</td></tr>"
        "<tr><td>2</td><td>改造老旧小区5个</td><td>年底前</td></tr>"
        "<tr><td colspan='2'>合计</td><td>县财政局</td><td></td></tr></table>"
    )
    got = read_document(write(tmp_path, "span.html", html_doc(body).encode("utf-8")))
    assert got.text == (
        "序号 | 工作任务 | 牵头单位 | 完成时限 |\n"
        "1 | 新建停车场3处 | 县住建局 | 6月底前 |\n"
        "2 | 改造老旧小区5个 | 县住建局 | 年底前 |\n"
        "合计 | | 县财政局 | |"
    )


def test_broken_html_still_yields_text(tmp_path: Path) -> None:
    data = f"<html><body><div><p>{SIMPLIFIED}<p>{SIMPLIFIED_2}<table><tr><td>省财政厅<td>省商务厅".encode()
    got = read_document(write(tmp_path, "broken.html", data))
    assert got.text == f"{SIMPLIFIED}\n{SIMPLIFIED_2}\n省财政厅 | 省商务厅 |"


def test_html_meta_charset_gbk(tmp_path: Path) -> None:
    page = html_doc(f"<p>{SIMPLIFIED}</p>", charset="gb2312")
    got = read_document(write(tmp_path, "gb.html", page.encode("gb18030")))
    assert (got.text, got.encoding, got.kind) == (SIMPLIFIED, "gb18030", "html")


def test_html_http_equiv_big5(tmp_path: Path) -> None:
    head_meta = '<meta http-equiv="Content-Type" content="text/html; charset=big5">'
    page = f"<html><head>{head_meta}</head><body><p>{TRADITIONAL}</p></body></html>"
    got = read_document(write(tmp_path, "b5.html", page.encode("big5")))
    assert (got.text, got.encoding) == (TRADITIONAL, "big5")


def test_html_wrong_meta_charset_falls_back_to_detection(tmp_path: Path) -> None:
    page = html_doc(f"<p>{SIMPLIFIED}</p>", charset="utf-8")
    got = read_document(write(tmp_path, "lie.html", page.encode("gb18030")))
    assert (got.text, got.encoding) == (SIMPLIFIED, "gb18030")


def test_html_declared_gb2312_but_utf8(tmp_path: Path) -> None:
    page = html_doc(f"<p>{SIMPLIFIED}</p>", charset="gb2312")
    got = read_document(write(tmp_path, "u8.html", page.encode("utf-8")))
    assert (got.text, got.encoding) == (SIMPLIFIED, "utf-8")


def test_html_parser_failure_is_e004(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bs4

    def explode(*args: object, **kwargs: object) -> None:
        raise bs4.ParserRejectedMarkup("markup rejected")

    monkeypatch.setattr(bs4, "BeautifulSoup", explode)
    with pytest.raises(DocumentError) as info:
        read_document(write(tmp_path, "a.html", html_doc("<p>正文</p>").encode()))
    assert info.value.one_line() == "E004: broken HTML (ParserRejectedMarkup: markup rejected)"


def test_garbage_html_without_text(tmp_path: Path) -> None:
    data = b"<html><head><script>alert(1)</script></head><body><div><img src='a.png'></div></body></html>"
    with pytest.raises(DocumentError) as info:
        read_document(write(tmp_path, "empty.html", data))
    assert info.value.code == "E009"
    assert info.value.one_line() == "E009: no text after extraction (HTML has no visible text)"


def test_html_of_only_markup_noise(tmp_path: Path) -> None:
    data = b"</div></p><br/><br/><!-- only a comment -->"
    assert error_code(write(tmp_path, "noise2.html", data)) == "E009"


def test_binary_html(tmp_path: Path) -> None:
    assert error_code(write(tmp_path, "bin.html", b"\x00\x01\x02" * 50)) == "E002"


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("关于明确重点工作责任单位的通知")
    document.add_paragraph(SIMPLIFIED)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [("序号", "工作任务", "牵头单位"), ("1", "全省生产总值增长7%以上", "省发展改革委"), ("2", "", "")]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 1).merge(table.cell(2, 2))  # a horizontal merge is one cell
    merged.text = "固定资产投资增长10%以上"
    document.add_paragraph("")
    document.add_paragraph("一、总体要求\n二、主要任务")
    document.save(str(path))
    return path


def test_docx_paragraphs_and_tables_in_body_order(tmp_path: Path) -> None:
    got = read_document(make_docx(tmp_path / "a.docx"))
    assert got == Ingested(
        text=(
            "关于明确重点工作责任单位的通知\n"
            f"{SIMPLIFIED}\n"
            "序号 | 工作任务 | 牵头单位 |\n"
            "1 | 全省生产总值增长7%以上 | 省发展改革委 |\n"
            "2 | 固定资产投资增长10%以上 |\n"
            "一、总体要求\n"
            "二、主要任务"
        ),
        encoding="docx",
        kind="docx",
    )


def test_corrupt_docx(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx").read_bytes()
    assert error_code(write(tmp_path, "cut.docx", good[: len(good) // 2])) == "E005"
    assert error_code(write(tmp_path, "text.docx", SIMPLIFIED.encode())) == "E005"
    with pytest.raises(DocumentError) as info:
        read_document(write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)))
    assert info.value.code == "E005"
    assert "legacy .doc" in info.value.detail


def test_zip_that_is_not_a_docx(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert error_code(path) == "E005"


def test_docx_with_empty_body(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    assert error_code(path) == "E009"


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def make_pdf(path: Path, pages: list[list[str]], rect: bool = False) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for lines in pages:
        pdf.add_page()
        if rect:
            pdf.rect(20, 20, 60, 40, style="F")
        for line in lines:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))
    return path


def test_pdf_with_text_layer(tmp_path: Path) -> None:
    pages = [
        ["Notice on key tasks for 2023", "1. GDP growth of 7% or more"],
        ["Lead unit: Development Commission"],
    ]
    got = read_document(make_pdf(tmp_path / "a.pdf", pages))
    assert got == Ingested(
        text="Notice on key tasks for 2023\n1. GDP growth of 7% or more\nLead unit: Development Commission",
        encoding="pdf",
        kind="pdf",
    )


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as info:
        read_document(make_pdf(tmp_path / "scan.pdf", [[], []], rect=True))
    assert info.value.code == "E007"
    assert info.value.one_line() == (
        "E007: PDF has no text layer (scanned image?); OCR it first (2 page(s) without text)"
    )


def test_corrupt_pdf(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "good.pdf", [["Some text"]]).read_bytes()
    assert error_code(write(tmp_path, "junk.pdf", b"%PDF-1.4\nthis is not a pdf at all\n")) == "E006"
    assert error_code(write(tmp_path, "text.pdf", SIMPLIFIED.encode())) == "E006"
    with pytest.raises(DocumentError) as info:
        read_document(write(tmp_path, "cut.pdf", good[:200]))
    assert info.value.one_line() == "E006: could not read PDF (PSEOF: Unexpected EOF)"


# ---------------------------------------------------------------------------
# iter_inputs
# ---------------------------------------------------------------------------


def test_iter_inputs_recursion_filters_and_sources(tmp_path: Path) -> None:
    root = tmp_path / "in"
    for name in (
        "b.txt",
        "a.HTML",
        "sub/deeper/c.pdf",
        "sub/d.docx",
        "sub/notes.rtf",
        "sub/x.gold.json",
        "sub/y.gold.txt",
        ".hidden/e.txt",
        "sub/.f.txt",
        "sub/~$lock.docx",
        "data.csv",
    ):
        write(root, name, b"x")
    other = write(tmp_path, "single.txt", b"x")
    got = iter_inputs([root, other])
    assert [(p.relative_to(tmp_path).as_posix(), s) for p, s in got] == [
        ("in/a.HTML", "a.HTML"),
        ("in/b.txt", "b.txt"),
        ("in/sub/d.docx", "sub/d.docx"),
        ("in/sub/deeper/c.pdf", "sub/deeper/c.pdf"),
        ("single.txt", "single.txt"),
    ]


def test_iter_inputs_explicit_files_and_duplicates(tmp_path: Path) -> None:
    md = write(tmp_path, "notes.rtf", b"x")
    txt = write(tmp_path, "a.txt", b"x")
    assert iter_inputs([md, txt, txt, tmp_path]) == [(md, "notes.rtf"), (txt, "a.txt")]
    assert iter_inputs([]) == []


def test_iter_inputs_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        iter_inputs([tmp_path / "nope"])


def test_docx_vertically_merged_cell_in_every_row(tmp_path: Path) -> None:
    """A 牵头单位 cell merged down over two rows names the lead of both rows."""
    import docx

    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    for i, row in enumerate([["序号", "工作任务", "牵头单位"], ["1", "新建停车场3处", ""], ["2", "改造老旧小区5个", ""]]):
        for j, v in enumerate(row):
            t.cell(i, j).text = v
    t.cell(1, 2).merge(t.cell(2, 2)).text = "县住建局"
    path = tmp_path / "vm.docx"
    d.save(str(path))
    assert read_document(path).text == (
        "序号 | 工作任务 | 牵头单位 |\n1 | 新建停车场3处 | 县住建局 |\n2 | 改造老旧小区5个 | 县住建局 |"
    )


def test_tables_nested_thousands_deep_are_broken_html_not_an_internal_error(tmp_path: Path) -> None:
    """Found by fuzzing: a RecursionError in the table walk ended as E099."""
    page = "<table><tr><td>" * 3000 + SIMPLIFIED + "</td></tr></table>" * 3000
    path = write(tmp_path, "nested.html", page.encode("utf-8"))
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert info.value.one_line() == "E004: broken HTML (elements nested too deeply)"
