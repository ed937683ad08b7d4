"""Every occurrence of a fixed word list in one pass over a text (Aho-Corasick, ``pyahocorasick``).

Python's ``re`` tries a large alternation (thousands of place names and
aliases) alternative by alternative at every position; an Aho-Corasick
automaton reads each character once. The unit recognisers use ``starts`` to
learn where a mention can begin and try their patterns only there; the
gazetteer uses ``longest`` instead of a longest-first regex alternation.

pyahocorasick finds a node's child by a linear search, so a list whose words
begin with hundreds of distinct characters (the 3,263 division names: 921)
costs ~0.2 µs per character of text. When the words end in a few characters
(division names: 县 区 市 旗 州 省 …), ``longest`` finds those with ``re`` and
looks up only the substrings ending there: the same matches, a fraction of the
time (it runs on the first 4,000 characters of every document). ``starts_at``
(one position, asked ~30,000 times per 400,000 characters by the unit
parsers) looks up the words of the lengths that begin with that character
instead of running the automaton over a window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import ahocorasick

#: ``longest`` looks up the substrings ending at the words' last characters when there are at most this many
#: distinct ones, and when they are at most this share of the text (else the automaton reads the whole text)
_MAX_END_CHARS = 32
_MAX_END_SHARE = 0.25


class WordScanner:
    """An automaton over ``words`` (empty words ignored)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self.max_len = 0
        self.words = frozenset(w for w in words if w)
        lengths: dict[str, set[int]] = {}
        first: dict[str, set[int]] = {}
        for w in self.words:
            self.automaton.add_word(w, len(w))
            self.max_len = max(self.max_len, len(w))
            lengths.setdefault(w[-1], set()).add(len(w))
            first.setdefault(w[0], set()).add(len(w))
        if self.max_len:
            self.automaton.make_automaton()
        #: by last character, the lengths of the words ending with it (ascending)
        self._lengths = {c: tuple(sorted(ns)) for c, ns in lengths.items()}
        #: by first character, the lengths of the words starting with it
        self._first_lengths = {c: tuple(sorted(ns)) for c, ns in first.items()}
        self._ends = (re.compile("[" + "".join(re.escape(c) for c in sorted(lengths)) + "]")
                      if 0 < len(lengths) <= _MAX_END_CHARS else None)

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
        if pos < 0:  # a position from the end: the window the automaton reads, as before
            window = text[pos:pos + self.max_len]  # a slice: the automaton converts the whole string it is given
            return any(e - n + 1 == 0 for e, n in self.automaton.iter(window))
        return any(text[pos:pos + n] in self.words for n in self._first_lengths.get(text[pos:pos + 1], ()))

    def longest(self, text: str) -> list[tuple[int, int]]:
        """Non-overlapping ``(start, end)`` of words, left to right, the longest word at each start.

        The same spans as ``re.finditer`` with the words as one alternation sorted longest first.
        """
        if not self.max_len:
            return []
        best: dict[int, int] = {}
        for s, n in self._matches(text):
            if n > best.get(s, 0):
                best[s] = n
        out = []
        pos = 0
        for s in sorted(best):
            if s >= pos:
                out.append((s, s + best[s]))
                pos = s + best[s]
        return out

    def _matches(self, text: str) -> list[tuple[int, int]]:
        """``(start, length)`` of every occurrence of every word (overlaps included), in no particular order."""
        ends = [] if self._ends is None else [m.end() for m in self._ends.finditer(text)]
        if self._ends is None or len(ends) > _MAX_END_SHARE * len(text):
            return [(e - n + 1, n) for e, n in self.automaton.iter(text)]
        words, lengths = self.words, self._lengths
        out = []
        for e in ends:
            for n in lengths[text[e - 1]]:
                if n > e:
                    break
                if text[e - n:e] in words:
                    out.append((e - n, n))
        return out
