"""The one harness of the example tables (``tests/examples/*.yaml``): load, name the cases, check spans.

Every extractor's table is read the same way: ``cases(name)`` gives the
cases as pytest parameters named by their first characters, ``spans_point_back``
checks that each record's span is the exact original text and names its rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parent / "examples"


def load(name: str) -> Any:
    """The parsed ``tests/examples/<name>.yaml``."""
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


def params(cases: Iterable[dict[str, Any]], key: str) -> list[Any]:
    """Cases as pytest parameters, each named by the first 24 characters of its ``key`` field."""
    return [pytest.param(c, id=str(c[key])[:24]) for c in cases]


def spans_point_back(original: str, records: Iterable[Any], rule_prefix: str = "") -> None:
    """Every record's span is the original text at its offsets, and it names the rule that made it."""
    for r in records:
        assert original[r.span.start : r.span.end] == r.span.text, r
        assert r.rule and r.rule.startswith(rule_prefix), r.rule
