"""HTML text: the main container's visible text, one line per block and per table row (cells joined with
`` | ``, ``rowspan`` cells copied into every row they cover)."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from pipeline.errors import DocumentError
from pipeline.io.decoding import _BOMS, _CJK_FAMILIES, _best_in_family, _checked, _describe, decode_text

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*(?:["']\s*)?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
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
