"""The HTML report in a real headless browser: every highlight shows exactly the characters it points at.

Chromium loads each page from a file:// URL with a small probe script
appended (a copy of the page beside it); the probe reads the DOM as the
browser built it — span texts, data attributes, computed colours, the legend
— and writes it as JSON into the page, which ``--dump-dom`` prints. JSON
keeps ``\\r`` and leading newlines visible, which the browser's HTML parsing
would otherwise silently drop. Skipped when no Chromium is installed (CI
installs Debian's ``chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from pipeline.models import DocResult
from pipeline.report import LEGEND, write_report
from pipeline.tables import arrow_tables
from tests.conftest import CORPUS, SEED_004

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install -y chromium)")

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")

PROBE = """<script>(function () {
  var out = {title: document.title, spans: [], legend: [], links: []};
  var pre = document.querySelector('pre.doc');
  out.doc = pre ? pre.textContent : null;
  document.querySelectorAll('span.hl').forEach(function (el) {
    out.spans.push({type: el.dataset.type, cls: el.className, start: Number(el.dataset.start),
                    end: Number(el.dataset.end), text: el.textContent, title: el.title,
                    bg: getComputedStyle(el).backgroundColor});
  });
  document.querySelectorAll('.legend span').forEach(function (el) {
    out.legend.push({cls: el.className, text: el.textContent, bg: getComputedStyle(el).backgroundColor});
  });
  document.querySelectorAll('a[href]').forEach(function (a) { out.links.push(a.href); });
  var r = document.createElement('pre'); r.id = '__probe'; r.textContent = JSON.stringify(out);
  document.body.appendChild(r);
})();</script>"""

TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent", "")


def probe(page: Path) -> dict[str, Any]:
    """Load ``page`` in headless Chromium and return what the probe read from the live DOM."""
    src = page.read_text(encoding="utf-8")
    at = src.rfind("</body>")
    assert at > 0, f"{page.name} has no </body>"
    copy = page.with_name(f"__probe_{page.name}")
    copy.write_text(src[:at] + PROBE + src[at:], encoding="utf-8", newline="")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", copy.as_uri()],
                              capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    copy.unlink()
    m = re.search(r'<pre id="__probe">(.*?)</pre>', done.stdout, re.S)
    assert m, f"chromium did not run the probe (exit {done.returncode}): {done.stderr[-800:]}"
    return json.loads(html.unescape(m.group(1)))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, pipeline_obj) -> tuple[Path, dict[str, DocResult]]:
    """Reports of a simplified seed that starts with a newline, the traditional seed, and a CRLF file."""
    tmp = tmp_path_factory.mktemp("report_browser")
    crlf = tmp / "crlf_d02.txt"
    crlf.write_bytes((CORPUS / "dev" / "d02.txt").read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert crlf.read_bytes().count(b"\r\n") > 10
    files = {"seed000": (CORPUS / "seeds" / "000_97b22f1090cc613f.txt", "seeds/000_97b22f1090cc613f.txt"),
             "seed004": (SEED_004, "seeds/004_b2362a690fe9adf5.txt"), "crlf": (crlf, "crlf/d02.txt")}
    results = {k: pipeline_obj.process_file(p, s) for k, (p, s) in files.items()}
    assert all(r.status == "ok" for r in results.values()), [r.error for r in results.values()]
    write_report(tmp, list(results.values()), arrow_tables(results.values()))
    return tmp / "report", results


@pytest.mark.parametrize("key", ["seed000", "seed004", "crlf"])
def test_highlights_show_exactly_their_original_slice(report, key: str) -> None:
    rdir, results = report
    r = results[key]
    got = probe(rdir / f"{r.doc_id}.html")
    assert got["doc"] == r.original_text, "the page's text differs from the original text"
    assert got["spans"], "no highlight rendered"
    bad = [(s["type"], s["start"], s["end"], s["text"], r.original_text[s["start"]: s["end"]])
           for s in got["spans"] if s["text"] != r.original_text[s["start"]: s["end"]]]
    assert not bad, f"{len(bad)} highlights whose text is not original[start:end], e.g. {bad[:3]}"
    for s in got["spans"]:
        assert s["type"] in LEGEND and f"hl-{s['type']}" in s["cls"].split(), s
        assert s["bg"] not in TRANSPARENT, f"highlight {s['type']} has no colour"
        assert s["title"].startswith(s["type"] + ":")


def test_every_kind_of_extraction_is_highlighted_with_a_legend(report) -> None:
    rdir, results = report
    r = results["seed004"]
    got = probe(rdir / f"{r.doc_id}.html")
    types = {s["type"] for s in got["spans"]}
    expected = {"target", "lead", "deadline", "figure"}
    assert expected <= types, f"missing highlight types: {expected - types}"
    n_targets = sum(s["type"] == "target" for s in got["spans"])
    assert 0 < n_targets <= len(r.targets)
    legend = {c.removeprefix("hl-"): x for x in got["legend"] for c in x["cls"].split() if c.startswith("hl-")}
    assert set(legend) == set(LEGEND), "the legend must name every highlight type"
    assert all(x["text"] and x["bg"] not in TRANSPARENT for x in legend.values())
    assert r.meta.title and r.meta.title in got["title"]


def test_index_links_every_document_page(report) -> None:
    rdir, results = report
    got = probe(rdir / "index.html")
    pages = {Path(unquote(urlparse(u).path)) for u in got["links"] if u.startswith("file:")}
    assert {rdir / f"{r.doc_id}.html" for r in results.values()} <= pages
    assert all(p.is_file() for p in pages)
