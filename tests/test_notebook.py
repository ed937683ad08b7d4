"""notebooks/explore.ipynb runs top to bottom on a fresh extract, and its Chinese chart labels have glyphs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pipeline.cli import main
from tests.conftest import CORPUS, ROOT

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``policy-extract extract corpus`` into a folder of the test's own."""
    out = tmp_path_factory.mktemp("nb_outputs")
    code = main(["extract", str(CORPUS), "--out", str(out), "--jobs", "2", "--quiet"])
    assert code in (0, 3), f"extract exited {code}"
    assert (out / "policy.duckdb").is_file()
    return out


def outputs_of(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def stream_text(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in outputs_of(nb) if o.get("output_type") == "stream")


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebook_runs_top_to_bottom(extracted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_EXTRACT_OUT", str(extracted))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()  # raises on a failing cell
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
