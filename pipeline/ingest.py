"""Ingest stage: turn an input file (text, HTML, DOCX, PDF) into the original text.

The text returned here is the reference for every offset in the output (see
``OUTPUT_SCHEMA.md``): for plain text it is exactly what decoding gives, line
endings untouched and only a byte-order mark removed; for HTML, DOCX and PDF it
is the text we extract (one line per block or table row, table cells joined
with `` | ``), built once here so that all later offsets refer to it.

Every way a file can be unusable becomes a :class:`DocumentError` with a
catalogue code and a one-line detail, so a bad file fails alone.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from pipeline.errors import DocumentError

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"})
MAX_BYTES: int = 50 * 1024 * 1024  # any file (DOCX and PDF are large with their images)
# Plain text and HTML above this are refused before reading: ~2.8M Chinese characters in UTF-8, more than MAX_CHARS.
MAX_TEXT_BYTES: int = 8 * 1024 * 1024
# Decoded or extracted text above this is refused: about a minute of work and ~300 MB of memory in one worker.
MAX_CHARS: int = 2_000_000

#: What to do with a common file type we do not read (shown when a folder holds one).
UNSUPPORTED_HINTS: dict[str, str] = {
    ".doc": "old Word format: save it as .docx in Word or WPS",
    ".wps": "WPS format: save it as .docx in WPS",
    ".xls": "spreadsheet: save it as .docx or .pdf (tables are read row by row)",
    ".xlsx": "spreadsheet: save it as .docx or .pdf (tables are read row by row)",
    ".et": "WPS spreadsheet: save it as .docx or .pdf (tables are read row by row)",
    ".rtf": "save it as .docx",
    ".ofd": "OFD format: export it to PDF",
}
_TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})

# Byte-order marks, longest first (the UTF-32-LE mark starts with the UTF-16-LE one).
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
# The Chinese legacy encodings we try ourselves before asking charset-normalizer;
# each family is tried strict, the first codec that decodes wins within it.
_CJK_FAMILIES: tuple[tuple[str, ...], ...] = (("gb18030",), ("big5", "cp950", "big5hkscs"))
# Share of non-ASCII characters that must be common CJK characters/punctuation
# for a legacy decoding to be trusted without asking charset-normalizer.
_MIN_COMMON_SHARE = 0.6
# ... and the share still accepted when charset-normalizer has no better idea.
_MIN_COMMON_SHARE_FALLBACK = 0.3
# Above this share of control characters a file is taken for binary.
_MAX_CONTROL_SHARE = 0.05
# Strict UTF-8 with at most this share of broken sequences is still UTF-8 (a damaged file).
_MAX_BAD_UTF8_SHARE = 0.01
# Control characters (category Cc) that text files do not contain; tabs, line/page breaks,
# SUB (DOS end of file) and ESC (terminal colours) are allowed.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1A), *range(0x1C, 0x20), 0x7F])
# Non-ASCII characters looked at when scoring a decoding (enough to tell, bounded time on big files).
_SCORE_SAMPLE = 50_000
_DETAIL_MAX = 160
# charset-normalizer guesses we never accept: EBCDIC code pages fit almost any short byte string.
_IMPLAUSIBLE_CODECS = frozenset({"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"})
# How the codecs report a multibyte character cut off at the end of the data.
_TRUNCATION_REASONS = frozenset({"unexpected end of data", "incomplete multibyte sequence", "truncated data"})


@dataclass(frozen=True, slots=True)
class Ingested:
    """The original text of one input file, with how it was obtained."""

    text: str
    encoding: str
    kind: str  # text | html | docx | pdf
    warnings: tuple[str, ...] = ()  # what decoding kept out of the text (a cut-off tail, replaced bytes)


def doc_id_of(data: bytes) -> str:
    """Stable document id: the first 16 hex digits of the SHA-256 of the file's bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


# ---------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, encoding)``.

    Order: byte-order mark; strict UTF-8 (a multibyte character cut off at the
    very end is dropped); GB18030 vs Big5, chosen by which decoding yields more
    common Chinese characters (charset detectors are unreliable on short
    Chinese text); a UTF-8 file with a few damaged bytes; charset-normalizer.
    Line endings are never translated. Raises ``DocumentError`` E001 (empty),
    E002 (binary) or E003 (undecodable).
    """
    if not data:
        raise DocumentError("E001")
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                raise DocumentError("E003", f"invalid {name} data after the byte-order mark")
            return _checked(text, name)
    if b"\x00" in data:
        return _checked(*_decode_with_nuls(data))
    if _control_byte_share(data) > _MAX_CONTROL_SHARE:
        raise DocumentError("E002", "too many control bytes")

    text = _strict(data, "utf-8")
    truncated_ascii = None  # an ASCII prefix before a cut-off tail: weak evidence for UTF-8
    if text is not None:
        if not text.isascii() or len(text) == len(data):
            return _checked(text, "utf-8")
        truncated_ascii = text

    candidates = [c for c in (_best_in_family(data, fam) for fam in _CJK_FAMILIES) if c is not None]
    scored = sorted(candidates, key=lambda c: -_common_share(c[0]))  # stable: gb18030 wins ties
    if scored and _common_share(scored[0][0]) >= _MIN_COMMON_SHARE:
        return _checked(*scored[0])
    if truncated_ascii is not None:
        return _checked(truncated_ascii, "utf-8")
    lenient = data.decode("utf-8", "replace")
    bad = lenient.count("\ufffd")
    good_wide = sum(1 for ch in lenient if ord(ch) >= 0x80) - bad
    if bad <= max(1, _MAX_BAD_UTF8_SHARE * len(lenient)) and good_wide >= 10 * bad:
        return _checked(lenient, "utf-8")
    guess = _charset_normalizer_guess(data)
    if guess is not None:
        return _checked(*guess)
    if scored and _common_share(scored[0][0]) >= _MIN_COMMON_SHARE_FALLBACK:
        return _checked(*scored[0])
    raise DocumentError("E003", "not UTF-8, GB18030 or Big5, and no other encoding fits")


def _strict(data: bytes, codec: str) -> str | None:
    """Strict decoding; a multibyte character cut off at the very end is dropped. None if invalid."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as err:
        cut_at_end = err.end == len(data) and len(data) - err.start < 4
        if not cut_at_end or err.reason not in _TRUNCATION_REASONS:
            return None
        prefix = data[: err.start]
    if not prefix:
        return None
    try:
        return prefix.decode(codec)
    except UnicodeDecodeError:
        return None


def _best_in_family(data: bytes, family: tuple[str, ...]) -> tuple[str, str] | None:
    """The first codec of a family that decodes ``data``, as ``(text, codec)``."""
    for codec in family:
        text = _strict(data, codec)
        if text is not None:
            return text, codec
    return None


@lru_cache(maxsize=1 << 16)
def _is_common(ch: str) -> bool:
    """True for a character typical of Chinese prose (not of mojibake).

    Common ideographs are GB2312 level 1 (the 3755 most frequent simplified
    characters) and Big5's 5401 frequent characters (traditional); common
    symbols are CJK and full-width punctuation, general punctuation and
    enclosed numbers (①, ⑴).
    """
    o = ord(ch)
    if o < 0x80 or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or 0xFE30 <= o <= 0xFE6F:
        return True
    if 0x2010 <= o <= 0x206F or 0x2160 <= o <= 0x216B or 0x2460 <= o <= 0x24FF or ch in "·×÷°±■□●○◆★√":
        return True
    if not 0x4E00 <= o <= 0x9FFF:
        return False
    try:
        if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        code = int.from_bytes(ch.encode("big5"), "big")
    except UnicodeEncodeError:
        return False
    return 0xA440 <= code <= 0xC67E


def _common_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common (1.0 for ASCII text)."""
    wide = list(islice((ch for ch in text if ord(ch) >= 0x80), _SCORE_SAMPLE))
    if not wide:
        return 1.0
    return sum(map(_is_common, wide)) / len(wide)


def _control_share(text: str) -> float:
    """Share of control characters (other than tabs, line and page breaks) in ``text``."""
    if not text:
        return 0.0
    return len(_CONTROL_CHARS.findall(text)) / len(text)


def _control_byte_share(data: bytes) -> float:
    """Share of ASCII control bytes (other than tabs, line and page breaks); 0x80-0xFF are not counted."""
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    """Reject decoded text that is mostly control characters (a binary file)."""
    if _control_share(text) > _MAX_CONTROL_SHARE or "\x00" in text:
        raise DocumentError("E002", f"control characters after decoding as {encoding}")
    return text, encoding


def _decode_with_nuls(data: bytes) -> tuple[str, str]:
    """Data with NUL bytes and no BOM: UTF-16 without BOM if it reads as text, else binary (E002)."""
    for codec in ("utf-16-le", "utf-16-be"):
        text = _strict(data, codec)
        if (
            text
            and "\x00" not in text
            and _control_share(text) <= _MAX_CONTROL_SHARE
            and _common_share(text) >= _MIN_COMMON_SHARE
        ):
            return text, codec
    raise DocumentError("E002", "contains NUL bytes")


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best decoding, or None if it finds none."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    if name in _IMPLAUSIBLE_CODECS:
        return None
    text = _strict(data, name)
    return None if text is None else (text, name)


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Declared charsets read as their superset (what browsers do).
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "big5": "big5",
    "x-big5": "big5",
}
_DROP_TAGS = frozenset(
    {
        "script", "style", "nav", "noscript", "template", "head", "title", "iframe", "object", "embed",
        "svg", "canvas", "select", "option", "button", "input", "textarea", "aside", "map", "audio", "video",
    }
)  # fmt: skip
# Page chrome, dropped unless inside an <article> (where they hold its title or byline).
_CHROME_TAGS = frozenset({"header", "footer"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "footer", "hr", "html", "li", "main", "menu", "ol", "p", "section", "summary", "table",
        "tbody", "thead", "tfoot", "ul", "legend",
    }
)  # fmt: skip
_HTML_SPACE = re.compile(r"[ \t\n\r\f\xa0]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _decode_html(data: bytes) -> tuple[str, str]:
    """Decode HTML bytes: BOM or valid UTF-8, else the ``<meta charset>`` if it decodes, else detection."""
    has_bom = any(data.startswith(bom) for bom, _, _ in _BOMS)
    codec = None if has_bom or _is_utf8(data) else _declared_codec(data)
    if codec is not None:
        family = next((fam for fam in _CJK_FAMILIES if codec in fam), (codec,))
        found = _best_in_family(data, family)
        if found is not None:
            return _checked(*found)
    return decode_text(data)


def _declared_codec(data: bytes) -> str | None:
    """Python codec of the charset a page declares in ``<meta>``; None for none, unknown or UTF-*."""
    match = _META_CHARSET.search(data[:8192])
    if not match:
        return None
    declared = match.group(1).decode("ascii").lower()
    try:
        codec = codecs.lookup(_CHARSET_ALIASES.get(declared, declared)).name
    except LookupError:
        return None
    return None if codec.startswith("utf") else codec


def _is_utf8(data: bytes) -> bool:
    """True if ``data`` is valid UTF-8 as a whole: a stronger signal than a page's declared charset."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80 and unicodedata.east_asian_width(ch) in {"W", "F"}


def _collapse(raw: str) -> str:
    """HTML white-space collapsing; a line break between two CJK characters vanishes (CSS Text 3)."""

    def repl(m: re.Match[str]) -> str:
        s, e = m.start(), m.end()
        breaks = "\n" in m.group() or "\r" in m.group()
        if breaks and s > 0 and e < len(raw) and _is_cjk(raw[s - 1]) and _is_cjk(raw[e]):
            return ""
        return " "

    return _HTML_SPACE.sub(repl, raw).strip()


def _row_line(cells: Sequence[str]) -> str:
    """One table row as a line: ``a | b | c |`` (an empty cell is a bare ``|``), as in the corpus."""
    return " ".join(f"{c} |" if c else "|" for c in cells)


def _is_hidden(tag: Any) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(str(tag.get("style") or "")))


def _html_lines(root: Any) -> list[str]:
    """Visible text of an element as lines: one per block element, per ``<br>`` and per table row."""
    from bs4.element import NavigableString, PreformattedString, Tag

    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = _collapse("".join(buf))
        buf.clear()
        if line:
            lines.append(line)

    # Iterative walk (deeply nested junk must not hit the recursion limit); True marks a block's end.
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            flush()
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctype…
                buf.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if name in _DROP_TAGS or _is_hidden(node):
            continue
        if name in _CHROME_TAGS and node is not root and node.find_parent("article") is None:
            continue
        if name == "br":
            flush()
        elif name == "table":
            flush()
            lines.extend(_table_lines(node))
        elif name == "tr":  # a row outside any table (broken markup)
            flush()
            lines.extend(_rows_lines([[(_html_lines(td), 1, 1) for td in node.find_all(["td", "th"], recursive=False)]]))
        elif name == "pre":
            flush()
            lines.extend(ln.strip() for ln in node.get_text().splitlines() if ln.strip())
        else:
            if name in _BLOCK_TAGS:
                flush()
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return lines


def _span(tag: Any, attr: str) -> int:
    try:
        return max(1, min(int(str(tag.get(attr) or 1).strip() or 1), 50))
    except ValueError:
        return 1


def _table_lines(table: Any) -> list[str]:
    """Lines of an HTML table: one per row, ``rowspan`` cells copied into every row they cover, a
    ``colspan`` cell followed by empty cells for the columns it covers (so cells stay under their header)."""
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # a row of a nested table, read with its cell
        rows.append([(_html_lines(td), _span(td, "rowspan"), _span(td, "colspan"))
                     for td in tr.find_all(["td", "th"], recursive=False)])
    return _rows_lines(rows)


def _rows_lines(rows: Sequence[Sequence[tuple[list[str], int, int]]]) -> list[str]:
    out: list[str] = []
    pending: dict[int, tuple[list[str], int]] = {}  # column → (lines of a cell spanning down, rows left)
    for row in rows:
        cells: list[list[str]] = []
        col = 0
        queue = list(row)
        while queue or any(c >= col for c in pending):
            if col in pending:
                text, left = pending[col]
                cells.append(text)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1
                continue
            if not queue:
                break
            text, rowspan, colspan = queue.pop(0)
            for k in range(colspan):
                cells.append(text if k == 0 else [])
                if rowspan > 1 and k == 0:
                    pending[col] = (text, rowspan - 1)
                col += 1
        filled = [c for c in cells if c]
        if len(filled) == 1 and len(row) == 1:  # a layout table (one cell holding the page's paragraphs)
            out.extend(filled[0])
        elif filled:
            out.append(_row_line([" ".join(c) for c in cells]))
    return out


def _main_container(soup: Any) -> Any:
    """The one ``<article>``/``<main>``/``[role=main]`` holding most of the text, else ``<body>``."""
    body = soup.body or soup
    body_len = len(_HTML_SPACE.sub("", body.get_text()))
    for found in (soup.find_all("article"), soup.find_all("main"), soup.find_all(attrs={"role": "main"})):
        if len(found) == 1 and len(_HTML_SPACE.sub("", found[0].get_text())) >= 0.3 * body_len > 0:
            return found[0]
    return body


def _html_text(data: bytes) -> tuple[str, str]:
    """Main text of an HTML page and the page's encoding."""
    from bs4 import BeautifulSoup

    text, encoding = _decode_html(data)
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as err:  # lxml/bs4 failures on hostile markup: report, never crash
        raise DocumentError("E004", _describe(err)) from err
    for tag in soup.find_all(["script", "style", "noscript", "template"]):
        tag.decompose()
    try:
        lines = _html_lines(_main_container(soup))
    except RecursionError as err:  # tables nested thousands deep (found by fuzzing): hostile markup, not a bug
        raise DocumentError("E004", "elements nested too deeply") from err
    if not lines:
        raise DocumentError("E009", "HTML has no visible text")
    return "\n".join(lines), encoding


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    """Body text of a DOCX: paragraphs and table rows in document order, one line each."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentError("E005", "legacy .doc (OLE) file renamed .docx; save it as .docx")
    if not data.startswith(b"PK"):
        raise DocumentError("E005", "not a ZIP package")
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    p_tag, tbl_tag, sdt_tag, sdt_content = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")

    def blocks(parent_el: Any, parent: Any) -> Iterator[str]:
        """Lines of a block container (body or cell), following content controls."""
        for el in parent_el.iterchildren():
            if el.tag == p_tag:
                yield from Paragraph(el, parent).text.splitlines()
            elif el.tag == tbl_tag:
                for row in Table(el, parent).rows:
                    cells, last = [], None
                    for cell in row.cells:
                        if cell._tc is last:  # a horizontally merged cell repeats; keep it once
                            continue
                        last = cell._tc
                        cells.append(" ".join(ln.strip() for ln in blocks(cell._tc, cell) if ln.strip()))
                    if any(cells):
                        yield _row_line(cells)
            elif el.tag == sdt_tag:
                content = el.find(sdt_content)
                if content is not None:
                    yield from blocks(content, parent)

    try:
        document = docx.Document(io.BytesIO(data))
        lines = [ln.strip() for ln in blocks(document.element.body, document) if ln.strip()]
    except Exception as err:  # zipfile/lxml/python-docx errors on a damaged package
        raise DocumentError("E005", _describe(err)) from err
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------

_CID = re.compile(r"\(cid:\d+\)")


def _pdf_text(data: bytes) -> str:
    """Text layer of a PDF, pages joined with a newline; E007 when there is none."""
    import pdfplumber

    pages: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
                page.close()
    except Exception as err:  # pdfminer raises many unrelated classes on damaged/encrypted files
        raise DocumentError("E006", _describe(err)) from err
    text = "\n".join(pages)
    if not _CID.sub("", text).strip():
        detail = "glyphs without Unicode mapping" if text.strip() else f"{len(pages)} page(s) without text"
        raise DocumentError("E007", detail)
    return text


def _describe(err: BaseException) -> str:
    """``ClassName: message`` on one line (following a wrapped cause), shortened."""
    inner = err.args[0] if err.args and isinstance(err.args[0], BaseException) else None
    target = inner or err
    msg = " ".join(str(target).split())
    out = f"{type(target).__name__}: {msg}" if msg else type(target).__name__
    return out if len(out) <= _DETAIL_MAX else out[: _DETAIL_MAX - 1] + "…"


# ---------------------------------------------------------------------------
# Files and folders
# ---------------------------------------------------------------------------

_READERS: dict[str, Callable[[bytes], tuple[str, str]]] = {
    "text": decode_text,
    "html": _html_text,
    "docx": lambda data: (_docx_text(data), "docx"),
    "pdf": lambda data: (_pdf_text(data), "pdf"),
}


def _kind_of(suffix: str) -> str:
    if suffix in _TEXT_SUFFIXES:
        return "text"
    if suffix in _HTML_SUFFIXES:
        return "html"
    return suffix.lstrip(".")


def read_document(path: Path, max_bytes: int = MAX_BYTES, max_chars: int = MAX_CHARS) -> Ingested:
    """Read one input file into its original text.

    The size limits are checked from the file size before reading
    (``max_bytes``, and ``MAX_TEXT_BYTES`` for plain text and HTML) and on the
    text's length (``max_chars``), so memory stays bounded. Raises
    ``DocumentError`` for every kind of bad input (E001–E010; E011 when the
    file cannot be read at all).
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError("E010", f"{suffix or 'no suffix'}; supported: {supported}")
    kind = _kind_of(suffix)
    limit = min(max_bytes, MAX_TEXT_BYTES) if kind in ("text", "html") else max_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            raise DocumentError("E008", f"{size} bytes, limit {limit}")
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError("E011", err.strerror or type(err).__name__) from err
    if not data:
        raise DocumentError("E001")
    text, encoding = _READERS[kind](data)
    if not text.strip():
        raise DocumentError("E009", "only white space")
    if len(text) > max_chars:
        raise DocumentError("E008", f"{len(text)} characters of text, limit {max_chars}; split the document")
    warnings = decode_warnings(data, text, encoding) if kind in ("text", "html") else ()
    return Ingested(text=text, encoding=encoding, kind=kind, warnings=warnings)


def decode_warnings(data: bytes, text: str, encoding: str) -> tuple[str, ...]:
    """What decoding ``data`` as ``encoding`` left out of ``text``: a cut-off tail, replaced byte sequences."""
    try:
        data.decode(encoding)
    except LookupError:  # not a codec name (cannot happen for text and HTML; nothing to say then)
        return ()
    except UnicodeDecodeError as err:
        out = []
        if err.end == len(data) and len(data) - err.start < 4 and err.reason in _TRUNCATION_REASONS:
            out.append(f"tail of {len(data) - err.start} bytes undecodable")
        replaced = text.count("\ufffd") - data.decode(encoding, "ignore").count("\ufffd")
        if replaced > 0:
            out.append(f"{replaced} undecodable byte sequence(s) replaced by U+FFFD")
        return tuple(out)
    return ()


#: A folder's settings for ``extract`` (e.g. ``region: 苍南县``); not a document.
SIDECAR_NAME = "policy-extract.yaml"


def _skipped(name: str) -> bool:
    """Hidden files, Office lock files (``~$x.docx``), annotation files (``x.gold.*``) and the folder sidecar."""
    return name.startswith((".", "~$")) or ".gold." in name or name == SIDECAR_NAME


def unsupported_reason(name: str) -> str:
    """Why a file of a folder is not read, with a hint for the common office formats."""
    suffix = Path(name).suffix.lower()
    hint = UNSUPPORTED_HINTS.get(suffix)
    what = f"unsupported type {suffix}" if suffix else "no file suffix"
    return f"{what}; {hint}" if hint else what


def iter_inputs(paths: Sequence[Path], skipped: list[tuple[str, str]] | None = None) -> list[tuple[Path, str]]:
    """Expand input files and folders into ``(path, source)`` pairs.

    A folder is searched recursively (hidden folders and annotation folders named ``gold`` skipped) for supported,
    non-hidden files, sorted by ``source``: the path relative to that folder,
    ``/``-separated. A file given by name is always kept (an unsupported one
    then fails with E010 instead of vanishing) and its source is its name.
    A path seen twice is kept once. Raises ``FileNotFoundError`` for a missing path.
    ``skipped`` (if given) receives ``(path, reason)`` for every file of an
    unsupported type (suffixes in any case) and every sub-folder that cannot be read.
    """
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    dropped: list[tuple[str, str]] = []

    def add(path: Path, source: str) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append((path, source))

    def unreadable(err: OSError) -> None:
        dropped.append((str(err.filename), f"cannot read folder: {err.strerror or err}"))

    for root in paths:
        if root.is_dir():
            found: list[tuple[str, Path]] = []
            for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
                dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "gold"]
                for name in filenames:
                    if _skipped(name):
                        continue
                    path = Path(dirpath) / name
                    if Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                        found.append((path.relative_to(root).as_posix(), path))
                    else:
                        dropped.append((str(path), unsupported_reason(name)))
            for source, path in sorted(found):
                add(path, source)
        elif root.exists():
            add(root, root.name)
        else:
            raise FileNotFoundError(f"input not found: {root}")
    if skipped is not None:
        skipped.extend(sorted(dropped))
    return out
