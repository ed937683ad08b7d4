"""The HTML report in a real headless browser: every highlight shows exactly the characters it points at.

Chromium loads each page from a file:// URL with a small probe script
appended (a copy of the page beside it); the probe reads the DOM as the
browser built it — span texts, data attributes, computed colours, the legend
— and writes it as JSON into the page, which ``--dump-dom`` prints. JSON
keeps ``\\r`` and leading newlines visible, which the browser's HTML parsing
would otherwise silently drop. Offsets are counted by walking the DOM's
text, so each highlight and anchor is checked at its place. A screenshot of
seed 004 is saved under the test's temporary folder (``screenshots/``; its
path is printed, see it with ``pytest -s``). Skipped when no Chromium is
installed (CI installs Debian's ``chromium`` and ``fonts-noto-cjk``).
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
from PIL import Image

from pipeline.io.report import LEGEND, write_report
from pipeline.io.tables import arrow_tables
from pipeline.models import DocResult
from tests.conftest import CORPUS, SEED_004

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install -y chromium)")

FLAGS = ("--headless", "--window-size=1280,900", "--hide-scrollbars", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")

PROBE = """<script>(function () {
  var out = {title: document.title, spans: [], legend: [], links: [], anchors: {}, wrapped: [], cells: 0};
  var pre = document.querySelector('pre.doc');
  out.doc = pre ? pre.textContent : null;
  function px(v) { return parseFloat(v) || 0; }
  if (pre) {  // one walk in document order: the code-point offset of each element in the text
    var walk = document.createTreeWalker(pre, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT), pos = 0, n;
    while ((n = walk.nextNode())) {
      if (n.nodeType === 3) { pos += Array.from(n.data).length; continue; }
      if (n.id) out.anchors[n.id] = pos;
      if (!n.classList.contains('hl')) continue;
      var st = getComputedStyle(n), chip = getComputedStyle(n, '::before').content, inner = n.querySelector('.hl');
      var box = n.getBoundingClientRect(), ibox = inner ? inner.getBoundingClientRect() : null;
      out.spans.push({type: (n.className.match(/\\bhl-(\\w+)/) || [])[1], cls: n.className, start: pos,
                      ref: n.id || n.dataset.of || null, text: n.textContent, title: n.title, bg: st.backgroundColor,
                      border: px(st.borderBottomWidth) && st.borderBottomStyle !== 'none' ? st.borderBottomColor : null,
                      borderWidth: Math.min(px(st.borderTopWidth), px(st.borderBottomWidth), px(st.borderLeftWidth)),
                      chip: chip && chip !== 'none' && chip !== 'normal' ? chip.replace(/^"|"$/g, '') : null,
                      same: !!inner && inner.textContent === n.textContent,
                      wider: ibox ? box.width - ibox.width : null, taller: ibox ? box.height - ibox.height : null,
                      lines: n.getClientRects().length});
    }
  }
  document.querySelectorAll('.legend span').forEach(function (el) {
    out.legend.push({cls: el.className, text: el.textContent, bg: getComputedStyle(el).backgroundColor});
  });
  document.querySelectorAll('a[href]').forEach(function (a) { out.links.push(a.href); });
  out.hashes = Array.from(document.querySelectorAll('aside a[href^="#"]')).map(function (a) {
    return a.getAttribute('href').slice(1); });
  document.querySelectorAll('aside table, table.index').forEach(function (t) {  // date columns on one line
    var heads = Array.from(t.rows[0].cells).map(function (c) { return c.textContent.trim(); });
    Array.from(t.rows).slice(1).forEach(function (row) {
      Array.from(row.cells).forEach(function (c, i) {
        if (!/^(due|deadline|issued)$/.test(heads[i] || '') || !c.textContent.trim()) return;
        var r = document.createRange(); r.selectNodeContents(c); out.cells++;
        var tops = new Set(Array.from(r.getClientRects()).map(function (b) { return Math.round(b.top); }));
        if (tops.size > 1) out.wrapped.push(c.textContent);
      });
    });
  });
  var hop = Array.from(document.querySelectorAll('aside a[href^="#t"]')).pop();  // follow the last target's link
  if (hop) {
    var el = document.getElementById(hop.getAttribute('href').slice(1));
    out.jump = {href: hop.getAttribute('href'), before: el && el.getBoundingClientRect().top};
    hop.click();
    out.jump.after = el && el.getBoundingClientRect().top; out.jump.height = window.innerHeight;
    out.jump.hash = location.hash;
  }
  var r = document.createElement('pre'); r.id = '__probe'; r.textContent = JSON.stringify(out);
  document.body.appendChild(r);
})();</script>"""

TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent", "")
KIND_CHIPS = {"增长": "growth", "下降": "reduction", "占比": "share", "数量": "count", "水平": "level"}
FRAME = (0xE0, 0xA8, 0x00)  # the colour of a target's frame and chip


def probe(page: Path) -> dict[str, Any]:
    """Load ``page`` in headless Chromium and return what the probe read from the live DOM."""
    src = page.read_text(encoding="utf-8")
    at = src.rfind("</body>")
    assert at > 0, f"{page.name} has no </body>"
    copy = page.with_name(f"__probe_{page.name}")
    copy.write_text(src[:at] + PROBE + src[at:], encoding="utf-8", newline="")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        assert CHROMIUM is not None
        done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", copy.as_uri()],
                              capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    copy.unlink()
    m = re.search(r'<pre id="__probe">(.*?)</pre>', done.stdout, re.S)
    assert m, f"chromium did not run the probe (exit {done.returncode}): {done.stderr[-800:]}"
    probe: dict[str, Any] = json.loads(html.unescape(m.group(1)))
    return probe


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


@pytest.fixture(scope="module")
def probed(report) -> dict[str, dict[str, Any]]:
    """What the probe read from each document page, by fixture key (one browser run per page)."""
    rdir, results = report
    return {k: probe(rdir / f"{r.doc_id}.html") for k, r in results.items()}


@pytest.mark.parametrize("key", ["seed000", "seed004", "crlf"])
def test_highlights_show_exactly_their_original_slice(report, probed, key: str) -> None:
    r = report[1][key]
    got = probed[key]
    assert got["doc"] == r.original_text, "the page's text differs from the original text"
    assert got["spans"], "no highlight rendered"
    bad = [(s["type"], s["start"], s["text"]) for s in got["spans"]
           if s["text"] != r.original_text[s["start"]: s["start"] + len(s["text"])]]
    assert not bad, f"{len(bad)} highlights whose text is not at their place, e.g. {bad[:3]}"
    for s in got["spans"]:
        assert s["type"] in LEGEND and f"hl-{s['type']}" in s["cls"].split(), s
        assert s["bg"] not in TRANSPARENT, f"highlight {s['type']} has no colour"
        assert s["title"], s
    # every target is highlighted on exactly its characters (a part crossing another highlight continues after it)
    parts: dict[str, list[dict[str, Any]]] = {}
    for s in got["spans"]:
        if s["type"] == "target":
            parts.setdefault(s["ref"], []).append(s)
    assert len(parts) == len(r.targets)
    for i, t in enumerate(r.targets, 1):
        ps = parts[f"t{i}"]
        assert (ps[0]["start"], "".join(p["text"] for p in ps)) == (t.span.start, t.span.text), (i, t.span.text)


@pytest.mark.parametrize("key", ["seed000", "seed004", "crlf"])
def test_tooltips_never_print_none(probed, key: str) -> None:
    tips = [s["title"] for s in probed[key]["spans"]]
    bad = [t for t in tips if re.search(r"\b(None|nan|NaT|null|undefined)\b", t)]
    assert not bad, f"{len(bad)} of {len(tips)} tooltips print a missing value, e.g. {bad[:3]}"


def test_a_target_and_a_figure_on_the_same_characters_are_both_visible(report, probed) -> None:
    targets = [s for s in probed["seed004"]["spans"] if s["type"] == "target"]
    assert all(s["lines"] == 1 for s in targets), "a target (and its chip) broken over two lines"
    same = [s for s in targets if s["same"]]
    assert len(same) > 50, "expected targets whose figure covers exactly the same characters"
    for s in same:  # the figure's background fills the target: the target shows by its frame and its chip
        assert s["border"] not in (None, *TRANSPARENT) and s["borderWidth"] >= 2, s
        assert s["wider"] >= 4 and s["taller"] >= 2, f"the frame is hidden under the inner highlight: {s}"
        assert s["chip"] in KIND_CHIPS, s
    kinds = {KIND_CHIPS[s["chip"]] for s in probed["seed004"]["spans"] if s["type"] == "target" and s["chip"]}
    assert kinds == {t.kind for t in report[1]["seed004"].targets}


@pytest.mark.parametrize("key", ["seed000", "seed004"])
def test_sidebar_rows_link_to_their_place_in_the_text(report, probed, key: str) -> None:
    r, got = report[1][key], probed[key]
    assert len(got["hashes"]) == len(r.targets) + len(r.tasks)
    assert all(h in got["anchors"] for h in got["hashes"]), "a link to an anchor that does not exist"
    assert [got["anchors"][f"t{i}"] for i in range(1, len(r.targets) + 1)] == [t.span.start for t in r.targets]
    assert [got["anchors"][f"k{t.task_id}"] for t in r.tasks] == [t.span.start for t in r.tasks]
    jump = got["jump"]  # clicking the last target's row scrolls its highlight into view
    assert jump["hash"] == jump["href"] and jump["before"] > jump["height"], jump
    assert 0 <= jump["after"] < jump["height"], jump


def test_dates_never_wrap(report, probed) -> None:
    for got in (probed["seed004"], probe(report[0] / "index.html")):
        assert got["cells"] > 0
        assert not got["wrapped"], f"{len(got['wrapped'])} of {got['cells']} date cells wrap: {got['wrapped'][:3]}"


def test_screenshot_shows_the_frames_of_targets_that_hold_a_figure(report) -> None:
    """A picture of the top of seed 004's page, whose first targets each hold a figure on the same characters."""
    rdir, results = report
    shots = rdir.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    png = shots / "seed004_top.png"
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:  # a tall window: no scrolling needed
        subprocess.run([CHROMIUM, *FLAGS, "--window-size=1280,1400", f"--user-data-dir={profile}",
                        f"--screenshot={png}", (rdir / f"{results['seed004'].doc_id}.html").as_uri()],
                       capture_output=True, timeout=120, check=False)
    print(f"screenshot: {png}")
    assert png.is_file(), "chromium wrote no screenshot"
    with Image.open(png) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 24) or []
    frame = sum(n for n, c in colours
                if isinstance(c, tuple) and max(abs(a - b) for a, b in zip(c, FRAME, strict=True)) < 24)
    assert frame > 1000, f"the colour of target frames is (almost) absent from {png}: {frame} pixels"


def test_every_kind_of_extraction_is_highlighted_with_a_legend(report, probed) -> None:
    r = report[1]["seed004"]
    got = probed["seed004"]
    types = {s["type"] for s in got["spans"]}
    expected = {"target", "lead", "deadline", "figure"}
    assert expected <= types, f"missing highlight types: {expected - types}"
    n_targets = sum(s["type"] == "target" and s["chip"] is not None for s in got["spans"])
    assert n_targets == len(r.targets)
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
