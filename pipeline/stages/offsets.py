"""Normalised text that never loses the way back to the original characters.

``NormText`` holds the original text, the normalised text and, for every
normalised character, the original ``[start, end)`` it came from. Stages work
on ``NormText.text`` and turn their hits into original spans with ``span()``.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from pipeline.models import Span


@dataclass(frozen=True, slots=True)
class NormText:
    """Normalised text plus the per-character map back to the original."""

    original: str
    text: str
    starts: array[int]  # original start index of each normalised character
    ends: array[int]  # original end index (exclusive) of each normalised character

    def to_original(self, nstart: int, nend: int) -> tuple[int, int]:
        """Map a normalised ``[nstart, nend)`` to the original ``[start, end)``."""
        n = len(self.text)
        if not 0 <= nstart <= nend <= n:
            raise ValueError(f"span [{nstart}, {nend}) outside normalised text of length {n}")
        if nstart == nend:
            pos = self.starts[nstart] if nstart < n else len(self.original)
            return pos, pos
        return self.starts[nstart], self.ends[nend - 1]

    def span(self, nstart: int, nend: int) -> Span:
        """The record-ready span for a normalised ``[nstart, nend)``."""
        start, end = self.to_original(nstart, nend)
        return Span(start, end, self.original[start:end], self.text[nstart:nend])

    def to_norm(self, start: int) -> int:
        """First normalised index whose original start is ``>= start`` (for gold spans)."""
        lo, hi = 0, len(self.starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.starts[mid] < start:
                lo = mid + 1
            else:
                hi = mid
        return lo


class NormBuilder:
    """Accumulates normalised pieces with the original span each came from."""

    __slots__ = ("_ends", "_parts", "_starts")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._starts = array("l")
        self._ends = array("l")

    def add(self, piece: str, start: int, end: int) -> None:
        """Append ``piece`` as the normalised form of original ``[start, end)``.

        A one-to-one piece maps character by character; a piece whose length
        differs maps every character to the whole original stretch.
        """
        if not piece:
            return
        self._parts.append(piece)
        if len(piece) == end - start:
            self._starts.extend(range(start, end))
            self._ends.extend(range(start + 1, end + 1))
        else:
            self._starts.extend([start] * len(piece))
            self._ends.extend([end] * len(piece))

    def build(self, original: str) -> NormText:
        """Freeze into a ``NormText`` over ``original``."""
        return NormText(original, "".join(self._parts), self._starts, self._ends)
