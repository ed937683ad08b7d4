"""Sentences, table cells and clauses of a normalised text: found once, when the structure stage builds the
``PolicyDoc``, and read by every extractor (``doc.sentences``).

A sentence ends at 。 ; ! ? or a line end; a table cell also ends at | ; a clause also ends at , and : . A
*full* sentence runs on over ; (it ends only at 。 ! ? or a line end). The boundaries are the sorted positions
of each kind of separator, so the sentence or clause around a position is a bisect, not a walk over the text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

#: separator characters by kind (simplified, half-width: the normalised text)
FULL_STOPS = "。!?\n"
SEMICOLON = ";"
CELL = "|"
CLAUSE_MARKS = ",:"
SENTENCE_ENDS = FULL_STOPS + SEMICOLON
_SEP_RX = re.compile("[" + re.escape(FULL_STOPS + SEMICOLON + CELL + CLAUSE_MARKS) + "]")


class Sentences:
    """Separator positions of one text, by kind, and the sentence, cell and clause bounds they give."""

    __slots__ = ("_by_kind", "_n", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._n = len(text)
        by_char: dict[str, list[int]] = {}
        for m in _SEP_RX.finditer(text):
            by_char.setdefault(m.group(0), []).append(m.start())
        #: sorted positions of the separators of each combination the bounds below use
        self._by_kind: dict[str, list[int]] = {}
        for kind in (FULL_STOPS, FULL_STOPS + CELL, SENTENCE_ENDS, SENTENCE_ENDS + CELL,
                     SENTENCE_ENDS + CELL + CLAUSE_MARKS):
            self._by_kind[kind] = sorted(p for ch in kind for p in by_char.get(ch, ()))

    def _start(self, pos: int, kind: str) -> int:
        """Position after the last separator of ``kind`` before ``pos`` (0 when there is none)."""
        seps = self._by_kind[kind]
        k = bisect.bisect_left(seps, pos) - 1
        return seps[k] + 1 if k >= 0 else 0

    def _end(self, pos: int, kind: str) -> int:
        """Position of the first separator of ``kind`` at or after ``pos`` (the text's end when there is none)."""
        seps = self._by_kind[kind]
        k = bisect.bisect_left(seps, pos)
        return seps[k] if k < len(seps) else self._n

    def sentence_start(self, pos: int, cells: bool = True) -> int:
        """Start of the sentence (of the table cell, with ``cells``) holding ``pos``."""
        return self._start(pos, SENTENCE_ENDS + CELL if cells else SENTENCE_ENDS)

    def full_sentence_start(self, pos: int) -> int:
        """Start of the full sentence (running on over ;) or table cell holding ``pos``."""
        return self._start(pos, FULL_STOPS + CELL)

    def clause_start(self, pos: int) -> int:
        """Start of the clause (cut at , and : too) holding ``pos``."""
        return self._start(pos, SENTENCE_ENDS + CELL + CLAUSE_MARKS)

    def clause_end(self, pos: int) -> int:
        """End of the clause holding ``pos`` (the position of its separator)."""
        return self._end(pos, SENTENCE_ENDS + CELL + CLAUSE_MARKS)

    def spans(self, with_end: bool = False) -> Iterator[tuple[int, int]]:
        """Every sentence as ``[start, end)`` (table cells are not cut), empty ones skipped; ``with_end`` keeps
        the 。 ; ! ? that ends it (not a line end)."""
        prev = 0
        for p in [*self._by_kind[SENTENCE_ENDS], self._n]:
            if p > prev:
                yield prev, (p + 1 if with_end and p < self._n and self.text[p] != "\n" else p)
            prev = p + 1
