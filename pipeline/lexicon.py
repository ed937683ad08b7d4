"""Loading and validating the data files in ``lexicons/``.

TSV files start with ``#`` comment lines (the first says what the file is),
then a header row. YAML pattern files hold named regex fragments that other
patterns reuse as ``{name}``; the loader expands them, rejects unknown
references and empty alternatives, and compiles every pattern once.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pipeline.recache import MIN_CACHED_LEN, compile_cached, first_char_gate

#: The regex fragments every pattern lexicon shares (year, Chinese digits, 发文字号 brackets)
COMMON = "common.yaml"
#: The lexicons of a source checkout (the top-level ``lexicons/``, the one copy kept in git).
LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicons"

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_REF = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class LexiconError(ValueError):
    """A lexicon file is malformed (unknown reference, empty alternative, bad row)."""


@cache
def lexicon_dir() -> Path:
    """Where the lexicon files are: ``pipeline/lexicons`` in an installed wheel, else ``LEXICON_DIR``.

    The wheel maps the top-level ``lexicons/`` into the package (pyproject
    ``package-dir``), so there is one copy in the repository.
    """
    packaged = resources.files("pipeline").joinpath("lexicons")
    if packaged.is_dir():
        return Path(str(packaged))
    return LEXICON_DIR


def lexicon_path(name: str) -> Path:
    """Path of a lexicon file by file name."""
    return lexicon_dir() / name


def read_tsv(name: str | Path) -> list[dict[str, str]]:
    """Rows of a commented TSV lexicon as dicts keyed by the header."""
    path = Path(name) if isinstance(name, Path) else lexicon_path(name)
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = list(reader)
    if not rows:
        raise LexiconError(f"{path.name}: no header row")
    header = [h.strip() for h in rows[0]]
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise LexiconError(f"{path.name}: row {i} has {len(row)} fields, header has {len(header)}")
        out.append({h: (row[k].strip() if k < len(row) else "") for k, h in enumerate(header)})
    return out


def read_yaml(name: str | Path) -> Any:
    """A YAML lexicon file, parsed."""
    path = Path(name) if isinstance(name, Path) else lexicon_path(name)
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_YAML_LOADER)  # the C loader when libyaml is there: same result, 8x faster


def expand(fragments: Mapping[str, str], pattern: str, _stack: tuple[str, ...] = ()) -> str:
    """Expand ``{name}`` references in ``pattern`` from ``fragments`` (recursively).

    Literal braces for regex repetition (``{2,4}``) are left alone because
    they do not start with a letter.
    """

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key in _stack:
            raise LexiconError(f"circular reference to {{{key}}}")
        if key not in fragments:
            raise LexiconError(f"unknown reference {{{key}}} in {pattern!r}")
        return "(?:" + expand(fragments, fragments[key], (*_stack, key)) + ")"

    return _REF.sub(sub, pattern)


def check_alternatives(pattern: str, where: str) -> None:
    """Reject an empty alternative (``a||b``, ``(|a)``, ``a|``), which matches everywhere."""
    if re.search(r"(?<!\\)\|\||(?<![\\])\(\?:\||(?<![\\])\(\||(?<!\\)\|\)|^\||(?<!\\)\|$", pattern):
        raise LexiconError(f"{where}: empty alternative in {pattern!r}")


def with_common(fragments: Mapping[str, str], where: str = "lexicon") -> dict[str, str]:
    """``fragments`` with the shared fragments of ``common.yaml`` added; a file that defines a shared name
    differently is refused (one definition per concept)."""
    common: dict[str, str] = read_yaml(COMMON)["fragments"]
    clash = sorted(k for k in set(common) & set(fragments) if fragments[k] != common[k])
    if clash:
        raise LexiconError(f"{where}: fragments {clash} are defined in {COMMON}: refer to them by name")
    return {**common, **fragments}


def compile_patterns(
    fragments: Mapping[str, str], patterns: Mapping[str, str], where: str = "lexicon"
) -> dict[str, re.Pattern[str]]:
    """Compile named patterns after expanding fragment references (the file's and ``common.yaml``'s)."""
    fragments = with_common(fragments, where)
    for key, frag in fragments.items():
        if not isinstance(frag, str) or not frag:
            raise LexiconError(f"{where}: fragment {key!r} is empty")
        check_alternatives(frag, f"{where}:{key}")
    out = {}
    for key, pat in patterns.items():
        if not isinstance(pat, str) or not pat:
            raise LexiconError(f"{where}: pattern {key!r} is empty")
        check_alternatives(pat, f"{where}:{key}")
        try:
            full = expand(fragments, pat)
            rx = compile_cached(full)
            # a start set for re's scans; big patterns (the unit tries) are only matched at anchors, and parsing them
            # again would cost a second per process
            out[key] = first_char_gate(rx) if len(full) < MIN_CACHED_LEN else rx
        except re.error as exc:
            raise LexiconError(f"{where}: pattern {key!r} does not compile: {exc}") from exc
    return out
