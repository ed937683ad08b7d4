"""The user-facing contract lives in the repository (docs/), is linked from the README and lists every table
and column that the pipeline writes."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.io.tables import SCHEMAS

ROOT = Path(__file__).resolve().parent.parent


def section(text: str, table: str) -> str:
    m = re.search(rf"^### {table}\b.*?(?=^### |^## |\Z)", text, re.S | re.M)
    assert m, f"no section for {table}"
    return m.group(0)


def test_output_contract_lists_every_table_and_column() -> None:
    doc = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    for table, schema in SCHEMAS.items():
        body = section(doc, table)
        for col in schema.names:
            assert re.search(rf"(^|[|,\s`]){col}([|,\s`]|$)", body, re.M), (table, col)
    for must in ("Offsets", "original_text[start:end] == text", "document_sources", "--collection", "umask",
                 "policy.xlsx", "byte-order mark", "v1.4.0", "--wait"):
        assert must in doc, must


def test_gold_format_is_documented() -> None:
    doc = (ROOT / "docs" / "gold.md").read_text(encoding="utf-8")
    for must in ('"occ"', ".gold.json", "comparator", "value_base", "Scoring"):
        assert must in doc, must


def test_readme_links_the_docs_and_says_how_to_get_chromium() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/output.md)" in readme and "(docs/gold.md)" in readme
    assert "../shared/spec" not in readme  # a clone has no shared/ folder beside it: the contract is in docs/
    assert "test_report_browser.py" in readme and "apt-get install -y chromium" in readme
