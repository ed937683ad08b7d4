"""Segmentation stage: a jieba tokenizer of our own, with the lexicons' words added.

The tokenizer is an instance (``jieba.Tokenizer``), never the global one, so
adding our words does not change anyone else's segmentation. Words come from
the unit lexicon (department names and aliases) and the measure units.
jieba (its import and its ~9 MB dictionary) is loaded on first use, so a
pipeline that meets no sentence needing a segmentation never pays for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any


class Segmenter:
    """Owns a ``jieba.Tokenizer`` with the project's user words; ``tokenize`` gives offsets."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._words = [w for w in words if w and len(w) >= 2]
        self._tokenizer: Any = None

    @property
    def tokenizer(self) -> Any:
        """The ``jieba.Tokenizer`` with the user words, built on first use."""
        if self._tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            for w in self._words:
                tok.add_word(w, freq=None)
            self._tokenizer = tok
        return self._tokenizer

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """``(word, start, end)`` for every token of ``text`` (HMM on for unknown words)."""
        return [(w, s, e) for w, s, e in self.tokenizer.tokenize(text)]

    def words(self, text: str) -> list[str]:
        """The tokens of ``text`` (for search indexing)."""
        words: list[str] = self.tokenizer.lcut(text)
        return words


def lexicon_words() -> list[str]:
    """User words from ``lexicons/measure_units.tsv`` (measure units such as 万平方米, 个百分点).

    Department names come from the unit extractor (``UnitExtractor.user_words``).
    """
    from pipeline.lexicon import read_tsv

    return sorted({r["unit"] for r in read_tsv("measure_units.tsv") if len(r.get("unit", "")) >= 2})
