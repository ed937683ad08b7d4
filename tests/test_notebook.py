"""notebooks/explore.ipynb runs top to bottom on a fresh extract, and its Chinese chart labels have glyphs.

A probe cell appended to a copy reads the charts back from the kernel (``county_ax``, ``cal_ax``, ``docs``).
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from pipeline.cli import main
from tests.conftest import CORPUS, ROOT

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
PROBE = """import json as _json
from matplotlib.colors import to_hex as _hex
_cal, _county = globals().get("cal_ax"), globals().get("county_ax")
_leg = _cal.get_legend() if _cal is not None else None
print("PROBE" + _json.dumps({
    "calendar": [[t.get_text(), _hex(h.get_facecolor())] for t, h in zip(_leg.get_texts(), _leg.legend_handles)]
    if _leg else None,
    "county": [[t.get_text(), p.get_width()] for t, p in zip(_county.get_yticklabels(), _county.patches)]
    if _county is not None else None,
    "titles": [t for t in docs["title"] if isinstance(t, str) and t]}, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``policy-extract extract corpus`` into a folder of the test's own."""
    out = tmp_path_factory.mktemp("nb_outputs")
    code = main(["extract", str(CORPUS), "--out", str(out), "--jobs", "2", "--quiet"])
    assert code in (0, 3), f"extract exited {code}"
    assert (out / "policy.duckdb").is_file()
    return out


def outputs_of(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def stream_text(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in outputs_of(nb) if o.get("output_type") == "stream")


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.fixture(scope="module")
def executed(extracted: Path) -> nbformat.NotebookNode:
    """The notebook run top to bottom on ``extracted`` (raises on a failing cell), with the probe cell last."""
    mp = pytest.MonkeyPatch()
    mp.setenv("POLICY_EXTRACT_OUT", str(extracted))
    mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb: nbformat.NotebookNode = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        mp.undo()
    return nb


def probed(nb: nbformat.NotebookNode) -> dict[str, Any]:
    line = next(x for x in stream_text(nb).splitlines() if x.startswith("PROBE"))
    probe: dict[str, Any] = json.loads(line.removeprefix("PROBE"))
    return probe


def test_notebook_runs_top_to_bottom(extracted: Path, executed: nbformat.NotebookNode) -> None:
    nb = executed
    text = stream_text(nb)
    assert f"reading {extracted.resolve() / 'policy.duckdb'}" in text  # the env var was honoured
    assert "CJK font:" in text, ("no CJK font registered (install the dev extra's mplfonts, or Debian's "
                                 f"fonts-noto-cjk): {text[-300:]}")
    # matplotlib warns "Glyph 22266 (\\N{CJK UNIFIED IDEOGRAPH-56FA}) missing from font(s) DejaVu Sans."
    assert "missing from" not in text and "Glyph" not in text
    images = [o for o in outputs_of(nb) if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "expected the county comparison, workload and calendar charts"
    assert not [o for o in outputs_of(nb) if o.get("output_type") == "error"]
    shown = json.dumps([o.get("data", {}).get("text/plain", "") for o in outputs_of(nb)], ensure_ascii=False)
    assert "溆浦县" in shown  # the search cell found the traditional seed with a traditional query


def html_outputs(nb: nbformat.NotebookNode) -> list[str]:
    return [o["data"]["text/html"] for o in outputs_of(nb) if "text/html" in o.get("data", {})]


def test_the_notebook_starts_with_the_plain_commitments_table(executed: nbformat.NotebookNode) -> None:
    first = html_outputs(executed)[0]
    heads = re.findall(r"<th>([^<]*)</th>", first)
    for col in ("地区", "年度", "承诺事项", "目标值", "期限", "牵头单位"):
        assert col in heads, (col, heads[:12])
    assert re.search(r"<td>[≥≤≈=] \d+(\.\d+)?\S*</td>", first), "no target value such as ≥ 8.5% in the table"


def test_no_table_prints_a_missing_value(executed: nbformat.NotebookNode) -> None:
    for page in html_outputs(executed):
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
        bad = [c for c in cells if c.strip() in ("nan", "NaN", "None", "NaT", "&lt;NA&gt;")]
        assert not bad, f"{len(bad)} cells print a missing value: {bad[:5]} in {page[:300]}"


def test_the_county_chart_shows_binding_values_with_plan_years_and_no_titles(executed: nbformat.NotebookNode) -> None:
    got = probed(executed)
    assert got["county"] is not None, "no county chart (county_ax) in the notebook"
    bars = dict(got["county"])
    assert len(bars) >= 2
    assert all(re.fullmatch(r"\S+ (\d{4}年|\(年份不明\))", label) for label in bars), list(bars)
    titles = set(got["titles"])
    assert not [b for b in bars if b.split(" ")[0] in titles], "a document's title used as a region"
    assert bars["溆浦县 2024年"] == 8.5  # 确保固定资产投资同比增长8.5%,力争达到10%以上: not the 力争 10


def test_the_calendar_legend_has_few_distinct_colours(executed: nbformat.NotebookNode) -> None:
    legend = probed(executed)["calendar"]
    assert legend is not None, "no calendar chart (cal_ax) with a legend in the notebook"
    assert 2 <= len(legend) <= 8, legend
    assert len({c for _, c in legend}) == len(legend), f"colours repeat in the legend: {legend}"


def test_make_notebook_installs_the_notebook_extra_and_opens_jupyterlab() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(d.startswith("jupyterlab") for d in extras["notebook"])
    done = subprocess.run(["make", "-n", "-B", "notebook", "OUT=tests/no_such_out"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "pip install" in done.stdout and ".[notebook]" in done.stdout
    assert re.search(r"jupyter lab .*notebooks/explore\.ipynb", done.stdout), done.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make notebook" in readme
