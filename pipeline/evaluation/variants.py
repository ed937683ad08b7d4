"""``make eval-variants``: the real annotated documents in the forms the same text takes elsewhere, scored again.

A document reaches users as a web page with ASCII punctuation, as an official file with full-width ``，：；（）``, in
traditional characters, or as a PDF copy whose lines are hard-wrapped anywhere. The extractors read normalised
text, so each variant of a real document should score as the document itself; a drop names a form they mishandle.

Variants (of every ``.txt`` document with gold in the real groups; the gold is rewritten alike, so every gold text
still resolves to its occurrence):

- ``fullwidth``: ASCII ``,:;()?!`` → full-width (a comma or colon between digits stays);
- ``traditional``: OpenCC ``s2t`` character by character (a character that would change length stays);
- ``wrapped``: a line break every ``WRAP`` characters of the long lines outside tables, never inside an occurrence
  of a gold string (that would change the gold, not test the reader).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.compose import Pipeline
from pipeline.evaluation.run import CORPUS_GROUPS, HEADLINES, evaluate_folder
from pipeline.evaluation.scorer import FIELDS, FieldScore, micro
from pipeline.stages.normalize import make_converter

WRAP = 38  # characters per line of the wrapped variant (a narrow PDF column)
_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}


def fullwidth(text: str) -> str:
    """ASCII punctuation as an official file writes it; digit separators (1,000 / 10:30) kept."""
    out = []
    for i, c in enumerate(text):
        between_digits = 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
        out.append(c if c not in _FULL or (c in ",:" and between_digits) else _FULL[c])
    return "".join(out)


class Traditional:
    """Simplified → traditional, character by character, so every span keeps its length."""

    def __init__(self) -> None:
        self._s2t = make_converter("s2t")
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        return "".join(self._char(c) for c in text)

    def _char(self, c: str) -> str:
        if c not in self._cache:
            t = str(self._s2t.convert(c))
            self._cache[c] = t if len(t) == 1 else c
        return self._cache[c]


def wrapped(text: str, keep: list[str], width: int = WRAP) -> str:
    """``text`` hard-wrapped every ``width`` characters of its lines without bars or tabs, never inside ``keep``."""
    inside = bytearray(len(text) + 1)
    for s in keep:
        i = text.find(s)
        while i >= 0:
            inside[i + 1:i + len(s)] = b"\x01" * (len(s) - 1)
            i = text.find(s, i + 1)
    out: list[str] = []
    pos = 0
    for line in text.split("\n"):
        col = 0
        table = "|" in line or "\t" in line
        for k, c in enumerate(line):
            if col >= width and not table and not inside[pos + k]:
                out.append("\n")
                col = 0
            out.append(c)
            col += 1
        out.append("\n")
        pos += len(line) + 1
    return "".join(out)[:-1]


def _gold_texts(gold: dict[str, Any]) -> list[str]:
    return [it["text"] for f in FIELDS for it in gold.get(f, [])]


def write_variant(name: str, docs: Path, gold_dir: Path, dest: Path, trad: Traditional) -> int:
    """Write the ``name`` variant of every annotated ``.txt`` document of ``docs`` into ``dest`` (and its gold)."""
    (dest / "gold").mkdir(parents=True, exist_ok=True)
    convs: dict[str, Callable[[str], str]] = {"fullwidth": fullwidth, "traditional": trad}
    conv = convs.get(name, str)
    n = 0
    for gpath in sorted(gold_dir.glob("*.gold.json")):
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        doc = docs / str(gold.get("doc", ""))
        if doc.suffix != ".txt" or not doc.exists():
            continue
        text = doc.read_text(encoding="utf-8")
        if name == "wrapped":
            new_text = wrapped(text, _gold_texts(gold))
        else:
            new_text = conv(text)
            for f in FIELDS:
                for it in gold.get(f, []):
                    it["text"] = conv(it["text"])
        (dest / doc.name).write_text(new_text, encoding="utf-8")
        (dest / "gold" / gpath.name).write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
        n += 1
    return n


def score_variants(root: Path, names: tuple[str, ...] = ("original", "fullwidth", "traditional", "wrapped")
                   ) -> dict[str, dict[str, FieldScore]]:
    """F1 per field of each variant of the real groups' ``.txt`` documents under corpus ``root``."""
    real_parts = dict(HEADLINES)["real"]
    groups = [(n, root / d, root / g) for n, d, g in CORPUS_GROUPS if n in real_parts and (root / d).exists()]
    pipe, trad = Pipeline(ner=None), Traditional()
    out: dict[str, dict[str, FieldScore]] = {}
    with tempfile.TemporaryDirectory(prefix="variants-") as tmp:
        for name in names:
            evs = []
            for group, docs, gold in groups:
                dest = Path(tmp) / name / group
                write_variant(name, docs, gold, dest, trad)
                evs += evaluate_folder(pipe, group, dest, dest / "gold")
            out[name] = micro(e.score for e in evs)
    return out


def format_variants(scores: dict[str, dict[str, FieldScore]]) -> str:
    """One line per variant: F1 per field and its change from the original."""
    base = scores.get("original")
    lines = ["variant        " + "".join(f"{f:>18}" for f in FIELDS)]
    for name, sc in scores.items():
        cells = []
        for f in FIELDS:
            d = sc[f].f1 - base[f].f1 if base else 0.0
            cells.append(f"{sc[f].f1:>10.3f} ({d:+.3f})")
        lines.append(f"{name:<15}" + "".join(cells))
    return "\n".join(lines)


def report_variants(corpus: Path) -> int:
    """Print the variants table for the corpus."""
    scores = score_variants(corpus)
    n = sum(scores["original"][f].n_gold for f in FIELDS)
    print(f"real .txt documents with gold, {n} gold items; F1 (change from the original)")
    print(format_variants(scores))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.evaluation.variants`` (its arguments are parsed in ``cli.py``)."""
    from pipeline.cli import tool_main

    return tool_main("variants", argv)


if __name__ == "__main__":
    sys.exit(main())
