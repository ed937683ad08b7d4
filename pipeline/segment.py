"""Segmentation stage: a jieba tokenizer of our own, with the lexicons' words added.

The tokenizer is an instance (``jieba.Tokenizer``), never the global one, so
adding our words does not change anyone else's segmentation. Words come from
the unit lexicon (department names and aliases) and the measure units.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import jieba


class Segmenter:
    """Owns a ``jieba.Tokenizer`` with the project's user words; ``tokenize`` gives offsets."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        jieba.setLogLevel(logging.WARNING)
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        for w in words:
            if w and len(w) >= 2:
                self.tokenizer.add_word(w, freq=None)

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """``(word, start, end)`` for every token of ``text`` (HMM on for unknown words)."""
        return [(w, s, e) for w, s, e in self.tokenizer.tokenize(text)]

    def words(self, text: str) -> list[str]:
        """The tokens of ``text`` (for search indexing)."""
        return self.tokenizer.lcut(text)


def lexicon_words() -> list[str]:
    """User words from the lexicons: department names/aliases and measure units."""
    from pipeline.lexicon import LEXICON_DIR, read_tsv

    words: list[str] = []
    dep = LEXICON_DIR / "departments.tsv"
    if dep.exists():
        for row in read_tsv(dep):
            for col in ("name", "full_name", "aliases"):
                words.extend(w for w in row.get(col, "").split("|") if w)
    units = LEXICON_DIR / "units.tsv"
    if units.exists():
        words.extend(r.get("unit", "") for r in read_tsv(units))
    return sorted(set(words))
