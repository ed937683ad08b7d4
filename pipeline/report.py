"""Static HTML report: one page per document with every extraction highlighted, plus an index.

Highlights are nested ``<span class="hl hl-<type>">`` elements carrying the
record's details in ``data-*`` attributes and a ``title`` tooltip; document
text is always HTML-escaped. No server and no scripts from outside.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pipeline.models import DocResult
from pipeline.store import write_atomic_text

COLOURS = {
    "lead": "#ffb3b3", "co": "#ffd9b3", "joint": "#ffe6cc", "generic": "#eeeeee", "org": "#e6e6ff",
    "deadline": "#b3e6ff", "figure": "#d9f2d9", "target": "#fff199",
}
LEGEND = {
    "lead": "lead unit (牵头)", "co": "co-responsible unit (配合)", "joint": "joint unit (no lead)",
    "generic": "group reference", "org": "other organisation mention", "deadline": "deadline / period",
    "figure": "figure", "target": "target",
}
COUNTED = ("tasks", "responsibilities", "deadlines", "figures", "targets")
_PRIORITY = {"target": 0, "lead": 1, "co": 1, "joint": 1, "generic": 1, "deadline": 2, "org": 3, "figure": 4}

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:0;display:flex}
main{flex:3;padding:1em 2em;max-width:60em} aside{flex:2;padding:1em;border-left:1px solid #ccc;
max-height:100vh;overflow:auto;position:sticky;top:0;font-size:90%}
pre.doc{white-space:pre-wrap;line-height:1.8;font-family:inherit}
.hl{border-radius:3px;padding:0 1px;cursor:help} .legend span{display:inline-block;margin:2px 6px;padding:0 4px}
table{border-collapse:collapse;width:100%} td,th{border:1px solid #ddd;padding:3px;vertical-align:top}
.meta td:first-child{font-weight:bold;white-space:nowrap}
""" + "".join(f".hl-{k}{{background:{v}}} " for k, v in COLOURS.items())


@dataclass(frozen=True, slots=True)
class Mark:
    """One highlight: original span, type and tooltip details."""

    start: int
    end: int
    kind: str
    details: tuple[tuple[str, str], ...]


def marks_of(r: DocResult) -> list[Mark]:
    """Highlights for every extraction of a document (organisations only where no responsibility is)."""
    out: list[Mark] = []
    resp_spans = {(x.span.start, x.span.end) for x in r.responsibilities}
    for x in r.responsibilities:
        kind = "generic" if x.generic else x.role
        out.append(Mark(x.span.start, x.span.end, kind, (("role", x.role), ("canonical", x.canonical),
                                                          ("task", str(x.task_id)))))
    for o in r.organizations:
        if (o.span.start, o.span.end) not in resp_spans:
            out.append(Mark(o.span.start, o.span.end, "org", (("canonical", o.canonical), ("kind", o.kind),
                                                               ("level", str(o.level)))))
    for d in r.deadlines:
        out.append(Mark(d.span.start, d.span.end, "deadline", (("kind", d.kind), ("date_start", str(d.date_start)),
                                                                ("date_end", str(d.date_end)),
                                                                ("granularity", str(d.granularity)))))
    for f in r.figures:
        out.append(Mark(f.span.start, f.span.end, "figure", (("value", f"{f.value:g}"), ("unit", str(f.unit)),
                                                              ("value_base", f"{f.value_base:g}"),
                                                              ("unit_base", str(f.unit_base)),
                                                              ("qualifier", str(f.qualifier)))))
    for t in r.targets:
        out.append(Mark(t.span.start, t.span.end, "target", (
            ("indicator", t.indicator), ("comparator", t.comparator), ("value", f"{t.value:g}"),
            ("unit", str(t.unit)), ("value_base", f"{t.value_base:g}"), ("kind", t.kind),
            ("period", str(t.period)), ("due", str(t.due)), ("lead", "、".join(t.lead_units)))))
    return out


def _text(s: str) -> str:
    """Escaped document text; CR as a reference, since HTML parsing turns a raw CR (of CRLF) into LF."""
    return html.escape(s).replace("\r", "&#13;")


def render_text(text: str, marks: Sequence[Mark]) -> str:
    """Escaped text with properly nested highlight spans; a mark crossing an open one is left out."""
    order = sorted(marks, key=lambda m: (m.start, -(m.end - m.start), _PRIORITY.get(m.kind, 9)))
    parts: list[str] = []
    stack: list[Mark] = []
    pos = 0

    def close_until(p: int) -> None:
        nonlocal pos
        while stack and stack[-1].end <= p:
            m = stack.pop()
            parts.append(_text(text[pos : m.end]))
            pos = m.end
            parts.append("</span>")

    for m in order:
        if m.end <= m.start:
            continue
        close_until(m.start)
        if stack and m.end > stack[-1].end:
            continue  # crosses an open highlight
        parts.append(_text(text[pos : m.start]))
        pos = m.start
        tip = "; ".join(f"{k}: {v}" for k, v in m.details)
        data = "".join(f' data-{k.replace("_", "-")}="{html.escape(v, quote=True)}"' for k, v in m.details)
        parts.append(
            f'<span class="hl hl-{m.kind}" data-type="{m.kind}" data-start="{m.start}" data-end="{m.end}"{data} '
            f'title="{html.escape(m.kind + ": " + tip, quote=True)}">'
        )
        stack.append(m)
    close_until(len(text) + 1)
    parts.append(_text(text[pos:]))
    return "".join(parts)


def _e(v: object) -> str:
    return html.escape("" if v is None else str(v))


def document_page(r: DocResult) -> str:
    """The HTML page of one document."""
    m = r.meta
    meta_rows = [("source", r.source), ("title", m.title), ("doc_number", m.doc_number), ("issuer", m.issuer),
                 ("issue_date", m.issue_date), ("region", " ".join(x for x in (m.province, m.city, m.county) if x)),
                 ("ref_year", m.ref_year), ("script", r.script), ("encoding", r.encoding)]
    legend = "".join(f'<span class="hl-{k}">{_e(v)}</span>' for k, v in LEGEND.items())
    task_rows = "".join(
        f"<tr><td>{t.task_id}</td><td>{_e(t.section)}</td><td>{_e(t.span.text_norm[:80])}</td>"
        f"<td>{_e('、'.join(t.lead_units))}</td><td>{_e('、'.join(t.co_units))}</td><td>{_e(t.deadline)}</td></tr>"
        for t in r.tasks
    )
    target_rows = "".join(
        f"<tr><td>{_e(t.indicator)}</td><td>{_e(t.comparator)} {t.value:g}{_e(t.unit or '')}</td>"
        f"<td>{_e(t.period)}</td><td>{_e(t.due)}</td><td>{_e('、'.join(t.lead_units))}</td></tr>"
        for t in r.targets
    )
    body = render_text(r.original_text, marks_of(r)) if r.status == "ok" else f"<p>{_e(r.error)}</p>"
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{_e(m.title or r.source)}</title><style>{CSS}</style></head>
<body><main><p><a href="index.html">← all documents</a></p><h1>{_e(m.title or r.source)}</h1>
<table class="meta">{"".join(f"<tr><td>{k}</td><td>{_e(v)}</td></tr>" for k, v in meta_rows)}</table>
<p class="legend">{legend}</p>
<pre class="doc">
{body}</pre></main>
<aside><h2>Targets ({len(r.targets)})</h2><table><tr><th>indicator</th><th>value</th><th>period</th><th>due</th>
<th>lead</th></tr>{target_rows}</table>
<h2>Tasks ({len(r.tasks)})</h2><table><tr><th>#</th><th>section</th><th>text</th><th>lead</th><th>co</th>
<th>deadline</th></tr>{task_rows}</table></aside></body></html>
"""


def index_page(tables: dict[str, pa.Table]) -> str:
    """The index of every document in the store: counts per table and a link to its page."""
    counts: dict[str, Counter[str]] = {
        t: Counter(tables[t].column("doc_id").to_pylist()) for t in COUNTED if t in tables
    }
    rows = []
    for d in sorted(tables["documents"].to_pylist(), key=lambda x: x["source"]):
        doc_id = d["doc_id"]
        link = f'<a href="{_e(doc_id)}.html">{_e(d["title"] or d["source"])}</a>'
        region = " ".join(x for x in (d["province"], d["city"], d["county"]) if x)
        cells = "".join(f"<td>{counts[t][doc_id]}</td>" for t in COUNTED if t in counts)
        rows.append(
            f"<tr><td>{link}</td><td>{_e(d['source'])}</td><td>{_e(d['status'])}</td><td>{_e(region)}</td>"
            f"<td>{_e(d['issue_date'])}</td>{cells}<td>{_e(d['error'])}</td></tr>"
        )
    head = "".join(f"<th>{t}</th>" for t in COUNTED)
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>Policy extraction report</title><style>{CSS}</style></head>
<body><main style="max-width:none"><h1>Documents ({len(rows)})</h1><table><tr><th>title</th><th>source</th>
<th>status</th><th>region</th><th>issued</th>{head}<th>error</th></tr>{"".join(rows)}</table></main></body></html>
"""


def write_report(out_dir: Path, results: Sequence[DocResult], store: dict[str, pa.Table]) -> None:
    """Write ``report/<doc_id>.html`` for each document of the run; ``index.html`` lists the whole store."""
    rdir = out_dir / "report"
    rdir.mkdir(parents=True, exist_ok=True)
    for r in results:
        write_atomic_text(rdir / f"{r.doc_id}.html", document_page(r))
    write_atomic_text(rdir / "index.html", index_page(store))
