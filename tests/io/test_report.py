"""The report's pages read as markup: tooltips, kinds and links of the sidebar, crossing highlights, fonts, size.

What the browser makes of them (colours, frames, scrolling, wrapping) is in test_report_browser.py.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from pipeline.dimensions import Mark
from pipeline.io.report import CSS, document_page, render_text
from pipeline.models import DocResult
from tests.conftest import ROOT, SEED_004

KINDS = {"growth": "增长", "reduction": "下降", "share": "占比", "count": "数量", "level": "水平"}


@pytest.fixture(scope="module")
def seed004(pipeline_obj) -> DocResult:
    r: DocResult = pipeline_obj.process_file(SEED_004, "seeds/004.txt")
    assert r.status == "ok" and len(r.targets) > 100
    return r


@pytest.fixture(scope="module")
def page(seed004: DocResult) -> BeautifulSoup:
    return BeautifulSoup(document_page(seed004), "html.parser")


def test_the_page_of_the_largest_seed_is_small(seed004: DocResult) -> None:
    size = len(document_page(seed004).encode("utf-8"))
    print(f"report page of {SEED_004.name}: {size / 1000:.0f} KB for a {SEED_004.stat().st_size / 1000:.0f} KB file")
    assert size < 3 * SEED_004.stat().st_size  # 634 KB (5.1 times the file) before


def test_tooltips_never_print_none(page: BeautifulSoup, seed004: DocResult) -> None:
    tips = [el["title"] for el in page.select("[title]")]
    assert len(tips) >= len(seed004.targets) + len(seed004.figures)
    bad = [t for t in tips if re.search(r"\b(None|nan|NaT)\b", str(t))]
    assert not bad, bad[:5]
    assert any(t.period is None for t in seed004.targets)  # the case that printed "period: None"


def positions(page: BeautifulSoup) -> dict[str, int]:
    """Offset into the document text of every element with an id inside ``pre.doc``."""
    pre = page.select_one("pre.doc")
    assert pre is not None
    out, pos = {}, -1  # html.parser keeps the newline that follows <pre>, which a browser drops
    for node in pre.descendants:
        if isinstance(node, NavigableString):
            pos += len(node)
        elif isinstance(node, Tag) and node.get("id"):
            out[str(node["id"])] = pos
    return out


def fragments_text(page: BeautifulSoup, ref: str) -> str:
    """The text of the highlight with anchor ``ref``: its first fragment and any continuations, joined."""
    first = page.find(id=ref)
    assert isinstance(first, Tag), f"no element with id {ref}"
    return first.get_text() + "".join(x.get_text() for x in page.select(f'[data-of="{ref}"]'))


def test_sidebar_shows_each_target_with_its_kind_and_links_to_its_place(page: BeautifulSoup,
                                                                        seed004: DocResult) -> None:
    rows = page.select("aside table")[0].find_all("tr")[1:]
    assert len(rows) == len(seed004.targets)
    at = positions(page)
    for row, t in zip(rows, seed004.targets, strict=True):
        assert KINDS[t.kind] in [td.get_text() for td in row.find_all("td")], row
        link = row.find("a", href=True)
        assert isinstance(link, Tag), row
        ref = str(link["href"]).removeprefix("#")
        assert at.get(ref) == t.span.start and fragments_text(page, ref) == t.span.text, (ref, t.span.text)


def test_every_task_row_links_to_an_anchor_at_the_task(page: BeautifulSoup, seed004: DocResult) -> None:
    links = [str(a["href"]) for a in page.select("aside table")[1].select('a[href^="#"]')]
    assert len(links) == len(seed004.tasks)
    at = positions(page)
    assert [at.get(h.removeprefix("#")) for h in links] == [t.span.start for t in seed004.tasks]


def test_a_highlight_crossing_another_is_split_not_dropped() -> None:
    text = "甲乙丙丁戊己"
    out = render_text(text, [Mark(0, 4, "lead", tip="lead: x"), Mark(2, 6, "target", "t1", "target: y", "增长")])
    soup = BeautifulSoup(out, "html.parser")
    assert soup.get_text() == text
    assert fragments_text(soup, "t1") == text[2:6]
    assert soup.find(id="t1")["data-k"] == "增长"  # type: ignore[index]
    assert not soup.select('[data-of="t1"]')[0].get("data-k")  # one chip per target


def test_the_font_stack_names_cjk_fonts_of_windows_macos_and_linux() -> None:
    m = re.search(r"body\{font-family:([^;}]*)", CSS)
    assert m
    stack = m.group(1)
    for font in ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei"):
        assert f'"{font}"' in stack, font
    assert stack.endswith("sans-serif")
    assert "fonts-noto-cjk" in (ROOT / "README.md").read_text(encoding="utf-8")
