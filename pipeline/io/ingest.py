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

import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import DocumentError
from pipeline.io.decoding import _TRUNCATION_REASONS, Ingested, _describe, decode_text, doc_id_of
from pipeline.io.ingest_html import _html_text, _row_line

__all__ = ["MAX_BYTES", "MAX_TEXT_BYTES", "SUPPORTED_SUFFIXES", "Ingested", "decode_text", "doc_id_of",
           "ingest_bytes", "iter_inputs", "kind_of_name", "read_document"]

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


def kind_of_name(name: str) -> str:
    """The reader (text, html, docx, pdf) for a file name; E010 for an unsupported suffix."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError("E010", f"{suffix or 'no suffix'}; supported: {supported}")
    return _kind_of(suffix)


def read_document(path: Path, max_bytes: int = MAX_BYTES, max_chars: int = MAX_CHARS) -> Ingested:
    """Read one input file into its original text.

    The size limits are checked from the file size before reading
    (``max_bytes``, and ``MAX_TEXT_BYTES`` for plain text and HTML) and on the
    text's length (``max_chars``), so memory stays bounded. Raises
    ``DocumentError`` for every kind of bad input (E001–E010; E011 when the
    file cannot be read at all).
    """
    kind = kind_of_name(path.name)
    limit = min(max_bytes, MAX_TEXT_BYTES) if kind in ("text", "html") else max_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            raise DocumentError("E008", f"{size} bytes, limit {limit}")
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError("E011", err.strerror or type(err).__name__) from err
    return ingest_bytes(data, kind, max_chars)


def ingest_bytes(data: bytes, kind: str, max_chars: int = MAX_CHARS) -> Ingested:
    """A document's bytes (of ``kind``: text, html, docx, pdf) into its original text; the checks of ``read_document``."""
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
