"""Every occurrence of a fixed word list in one pass over a text (Aho-Corasick, ``pyahocorasick``).

Python's ``re`` tries a large alternation (thousands of place names and
aliases) alternative by alternative at every position; an Aho-Corasick
automaton reads each character once. The unit recognisers use ``starts`` to
learn where a mention can begin and try their patterns only there; the
gazetteer uses ``longest`` instead of a longest-first regex alternation.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick


class WordScanner:
    """An automaton over ``words`` (empty words ignored)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self.max_len = 0
        for w in set(words):
            if w:
                self.automaton.add_word(w, len(w))
                self.max_len = max(self.max_len, len(w))
        if self.max_len:
            self.automaton.make_automaton()

    def starts(self, text: str, start: int = 0, end: int | None = None) -> list[int]:
        """Sorted positions in ``[start, end)`` where at least one word starts (and ends by ``end``)."""
        if not self.max_len:
            return []
        end = len(text) if end is None else end
        return sorted({e - n + 1 for e, n in self.automaton.iter(text, start, end)})

    def starts_at(self, text: str, pos: int) -> bool:
        """Does a word start at ``pos``?"""
        if not self.max_len:
            return False
        window = text[pos:pos + self.max_len]  # a slice: the automaton converts the whole string it is given
        return any(e - n + 1 == 0 for e, n in self.automaton.iter(window))

    def longest(self, text: str) -> list[tuple[int, int]]:
        """Non-overlapping ``(start, end)`` of words, left to right, the longest word at each start.

        The same spans as ``re.finditer`` with the words as one alternation sorted longest first.
        """
        if not self.max_len:
            return []
        best: dict[int, int] = {}
        for e, n in self.automaton.iter(text):
            s = e - n + 1
            if n > best.get(s, 0):
                best[s] = n
        out = []
        pos = 0
        for s in sorted(best):
            if s >= pos:
                out.append((s, s + best[s]))
                pos = s + best[s]
        return out
