"""Static HTML report: one page per document with every extraction highlighted, plus an index.

Highlights are nested ``<span class="hl hl-<type>">`` elements with a short
tooltip; a target is framed and carries a chip with its kind, so a figure or a
unit highlighted on the same characters never hides it (as displaCy labels
every span). A highlight that crosses another is split into fragments rather
than dropped; its first fragment has the anchor (``t<target_id>``; tasks have
``k<task_id>``) that the sidebar rows link to. Document text is always
HTML-escaped. No server and no scripts from outside.
"""

from __future__ import annotations

import heapq
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.dimensions import DIMENSIONS, KIND_LABELS, Mark, all_marks, target_value
from pipeline.io.store import write_atomic_text
from pipeline.models import DocResult

COLOURS = {k: c for d in DIMENSIONS for k, (c, _) in d.colours.items()}
LEGEND = {k: text for d in DIMENSIONS for k, (_, text) in d.colours.items()}
COUNTED = ("tasks", "responsibilities", "deadlines", "figures", "targets")
_PRIORITY = {"target": 0, "lead": 1, "co": 1, "joint": 1, "generic": 1, "deadline": 2, "org": 3, "figure": 4}
TASK_TEXT = 40  # characters of a task's text shown in the sidebar (the row links to the whole text)

# Named CJK fonts first (Windows, macOS, Linux), so that a page never falls back to boxes when one is installed;
# on a bare Linux install Debian's fonts-noto-cjk (see README).
FONT_STACK = ('"Microsoft YaHei","微软雅黑","PingFang SC","Hiragino Sans GB","Heiti SC","Noto Sans CJK SC",'
              '"Source Han Sans SC","Noto Sans SC","WenQuanYi Micro Hei","WenQuanYi Zen Hei","Droid Sans Fallback",'
              '"SimHei","SimSun",sans-serif')

CSS = f"""
body{{font-family:{FONT_STACK};margin:0;display:flex}}
main{{flex:3;padding:1em 2em;max-width:60em}} aside{{flex:2;padding:1em;border-left:1px solid #ccc;
max-height:100vh;overflow:auto;position:sticky;top:0;font-size:90%}}
pre.doc{{white-space:pre-wrap;line-height:2.1;font-family:inherit}}
.hl{{border-radius:3px;padding:0 1px;cursor:help}} .legend span{{display:inline-block;margin:2px 6px;padding:0 4px}}
.hl-target{{border:2px solid #e0a800;padding:0 2px;white-space:pre}}
.hl-target[data-k]::before{{content:attr(data-k);font-size:70%;background:#e0a800;color:#fff;border-radius:2px;
padding:0 2px;margin-right:2px;vertical-align:1px}}
[id]{{scroll-margin-top:30vh}} .hl:target{{outline:3px solid #d62728;outline-offset:1px}} a.k:target::before{{content:"▶";color:#d62728}}
table{{border-collapse:collapse;width:100%}} td,th{{border:1px solid #ddd;padding:3px;vertical-align:top}}
.targets td:nth-child(3),.targets td:nth-child(5),.tasks td:nth-child(5),.index td:nth-child(5){{white-space:nowrap}} tr.sec td{{background:#f4f4f4;font-weight:bold}}
.meta td:first-child{{font-weight:bold;white-space:nowrap}}
""" + "".join(f".hl-{k}{{background:{v}}} " for k, v in COLOURS.items())


def marks_of(r: DocResult) -> list[Mark]:
    """Highlights for every extraction of a document (organisations only where no responsibility is)."""
    return all_marks(r)


def _text(s: str) -> str:
    """Escaped document text; CR as a reference, since HTML parsing turns a raw CR (of CRLF) into LF."""
    return html.escape(s).replace("\r", "&#13;")


def _open(m: Mark, end: int, first: bool) -> str:
    """The opening tag of a highlight fragment ``[m.start, end)``; anchor and chip on the first fragment only."""
    attrs = f' id="{m.ref}"' if first and m.ref else (f' data-of="{m.ref}"' if m.ref else "")
    if first and m.chip:
        attrs += f' data-k="{html.escape(m.chip)}"'
    return f'<span class="hl hl-{m.kind}"{attrs} title="{html.escape(m.tip, quote=True)}">'


def render_text(text: str, marks: Sequence[Mark], anchors: Iterable[tuple[int, str]] = ()) -> str:
    """Escaped text with properly nested highlight spans and empty ``<a class="k" id=…>`` anchors.

    A mark that crosses an open one is split where that one ends; the rest is rendered as a continuation
    (``data-of`` instead of ``id``), so no highlight is ever lost.
    """
    # heap items: (start, -length, priority, sequence, mark, first fragment?); anchors sort before any mark at a point
    heap: list[tuple[int, int, int, int, Mark, bool]] = [
        (m.start, -(m.end - m.start), _PRIORITY.get(m.kind, 9), i, m, True) for i, m in enumerate(marks)
        if m.end > m.start]
    heap += [(pos, -len(text) - 1, 0, -1 - i, Mark(pos, pos, "anchor", ref), True) for i, (pos, ref) in
             enumerate(anchors)]
    heapq.heapify(heap)
    parts: list[str] = []
    stack: list[int] = []  # ends of the open spans, innermost last
    pos = 0

    def advance(p: int) -> None:
        nonlocal pos
        while stack and stack[-1] <= p:
            end = stack.pop()
            parts.append(_text(text[pos:end]) + "</span>")
            pos = end
        parts.append(_text(text[pos:p]))
        pos = p

    seq = len(marks)
    while heap:
        start, _, prio, _, m, first = heapq.heappop(heap)
        advance(start)
        if m.kind == "anchor":
            parts.append(f'<a class="k" id="{m.ref}"></a>')
            continue
        end = m.end
        if stack and end > stack[-1]:  # crosses an open highlight: render up to its end, the rest later
            end = stack[-1]
            seq += 1
            heapq.heappush(heap, (end, -(m.end - end), prio, seq, m, False))
        parts.append(_open(m, end, first))
        stack.append(end)
    advance(len(text))
    return "".join(parts)


def _e(v: object) -> str:
    return html.escape("" if v is None else str(v))


def _sidebar(r: DocResult) -> str:
    """Targets (with kind) and tasks (grouped by section), each row linking to its place in the text."""
    target_rows = "".join(
        f'<tr><td><a href="#t{i}">{_e(t.indicator)}</a></td><td>{_e(KIND_LABELS.get(t.kind, t.kind))}</td>'
        f'<td>{_e(target_value(t))}</td><td>{_e(t.period)}</td><td>{_e(t.due)}</td>'
        f"<td>{_e('、'.join(t.lead_units))}</td></tr>"
        for i, t in enumerate(r.targets, 1)
    )
    task_rows, section = [], None
    for t in r.tasks:
        if t.section != section:
            section = t.section
            task_rows.append(f'<tr class="sec"><td colspan="5">{_e(section)}</td></tr>')
        text = t.span.text_norm.strip()
        short = text[:TASK_TEXT] + ("…" if len(text) > TASK_TEXT else "")
        task_rows.append(f'<tr><td><a href="#k{t.task_id}">{t.task_id}</a></td><td>{_e(short)}</td>'
                         f"<td>{_e('、'.join(t.lead_units))}</td><td>{_e('、'.join(t.co_units))}</td>"
                         f'<td>{_e(t.deadline)}</td></tr>')
    return (f'<aside><h2>Targets ({len(r.targets)})</h2><table class="targets"><tr><th>indicator</th><th>kind</th>'
            f'<th>value</th><th>period</th><th>due</th><th>lead</th></tr>{target_rows}</table>\n'
            f'<h2>Tasks ({len(r.tasks)})</h2><table class="tasks"><tr><th>#</th><th>text</th><th>lead</th>'
            f'<th>co</th><th>deadline</th></tr>{"".join(task_rows)}</table></aside>')


def document_page(r: DocResult) -> str:
    """The HTML page of one document."""
    m = r.meta
    meta_rows = [("source", r.source), ("title", m.title), ("doc_number", m.doc_number), ("issuer", m.issuer),
                 ("issue_date", m.issue_date), ("region", " ".join(x for x in (m.province, m.city, m.county) if x)),
                 ("ref_year", m.ref_year), ("script", r.script), ("encoding", r.encoding)]
    legend = "".join(f'<span class="hl-{k}">{_e(v)}</span>' for k, v in LEGEND.items())
    if r.status == "ok":
        body = render_text(r.original_text, marks_of(r), [(t.span.start, f"k{t.task_id}") for t in r.tasks])
    else:
        body = f"<p>{_e(r.error)}</p>"
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{_e(m.title or r.source)}</title><style>{CSS}</style></head>
<body><main><p><a href="index.html">← all documents</a></p><h1>{_e(m.title or r.source)}</h1>
<table class="meta">{"".join(f"<tr><td>{k}</td><td>{_e(v)}</td></tr>" for k, v in meta_rows if v not in (None, ""))}</table>
<p class="legend">{legend}</p>
<pre class="doc">
{body}</pre></main>
{_sidebar(r)}</body></html>
"""


#: Documents listed per index page: ``index.html``, then ``index-2.html``…
INDEX_PAGE = 1000


def _index_sql() -> str:
    counts = "".join(f', coalesce((SELECT count(*) FROM "{t}" x WHERE x.doc_id = d.doc_id), 0) AS "n_{t}"'
                     for t in COUNTED)
    return (f"SELECT d.doc_id, d.title, d.source, d.status, concat_ws(' ', d.province, d.city, d.county) AS region, "
            f"d.issue_date, d.error{counts} FROM documents d ORDER BY d.source, d.doc_id")


def _page_name(page: int) -> str:
    return "index.html" if page == 1 else f"index-{page}.html"


def index_page(rows: Sequence[tuple[object, ...]], page: int = 1, pages: int = 1, total: int | None = None) -> str:
    """One index page: a row per document (as ``_index_sql`` selects them) with its counts and page link."""
    html_rows = []
    for doc_id, title, source, status, region, issued, error, *counts in rows:
        link = f'<a href="{_e(doc_id)}.html">{_e(title or source)}</a>'
        cells = "".join(f"<td>{n}</td>" for n in counts)
        html_rows.append(f"<tr><td>{link}</td><td>{_e(source)}</td><td>{_e(status)}</td><td>{_e(region)}</td>"
                         f"<td>{_e(issued)}</td>{cells}<td>{_e(error)}</td></tr>")
    head = "".join(f"<th>{t}</th>" for t in COUNTED)
    n = len(rows) if total is None else total
    nav = "" if pages == 1 else "<p class=\"pages\">pages: " + " ".join(
        f"<b>{k}</b>" if k == page else f'<a href="{_page_name(k)}">{k}</a>' for k in range(1, pages + 1)) + "</p>"
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>Policy extraction report</title><style>{CSS}</style></head>
<body><main style="max-width:none"><h1>Documents ({n})</h1>{nav}<table class="index"><tr><th>title</th><th>source</th>
<th>status</th><th>region</th><th>issued</th>{head}<th>error</th></tr>{"".join(html_rows)}</table>{nav}</main></body></html>
"""


def write_index(rdir: Path, con: duckdb.DuckDBPyConnection) -> int:
    """``index.html`` (and ``index-2.html``… past ``INDEX_PAGE`` documents) from the store; returns the pages.

    The rows come from the store a page at a time, with their counts from
    SQL, so neither time nor memory follow the rows of the run's results.
    """
    (total,) = con.execute("SELECT count(*) FROM documents").fetchall()[0]
    pages: int = max(1, math.ceil(total / INDEX_PAGE))
    cur = con.execute(_index_sql())
    for page in range(1, pages + 1):
        rows = cur.fetchmany(INDEX_PAGE)
        write_atomic_text(rdir / _page_name(page), index_page(rows, page, pages, total))
    for stale in rdir.glob("index-*.html"):  # pages of a store that had more documents
        num = stale.stem.removeprefix("index-")
        if num.isdigit() and int(num) > pages:
            stale.unlink(missing_ok=True)
    return pages


def write_report(out_dir: Path, results: Sequence[DocResult], store: Path | Mapping[str, pa.Table]) -> None:
    """Write ``report/<doc_id>.html`` for each document of the run; the index lists the whole store.

    ``store`` is the store's database file, or tables in memory (a store not written to disk).
    """
    rdir = out_dir / "report"
    rdir.mkdir(parents=True, exist_ok=True)
    for r in results:
        write_atomic_text(rdir / f"{r.doc_id}.html", document_page(r))
    if isinstance(store, Path):
        con = duckdb.connect(str(store), read_only=True)
    else:
        con = duckdb.connect()
        for name, t in store.items():
            con.register(name, t)
    try:
        write_index(rdir, con)
    finally:
        con.close()
