"""Sets of normalised spans to test candidates against (table cells, blocked contexts): constant time per test."""

from __future__ import annotations

import bisect
from collections.abc import Sequence


class SpanSet:
    """Spans to test hits against in constant time: a coverage map, with empty spans kept as points."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.cover = bytearray(max((e for _, e in spans), default=0) + 1)
        self.points: list[int] = []  # empty spans: they overlap a hit that strictly contains them
        for s, e in spans:
            if s < e:
                self.cover[s:e] = b"\x01" * (e - s)
            elif s == e:
                self.points.append(s)
        self.points.sort()

    def overlaps(self, s: int, e: int) -> bool:
        """Does ``[s, e)`` overlap a span (``s < span end and span start < e``)?"""
        if s >= e:
            return any(s < be and bs < e for bs, be in self.spans)
        if self.cover.find(1, s, e) >= 0:
            return True
        k = bisect.bisect_right(self.points, s)
        return k < len(self.points) and self.points[k] < e


def overlaps(s: int, e: int, spans: SpanSet | Sequence[tuple[int, int]]) -> bool:
    """Does ``[s, e)`` overlap one of ``spans``?"""
    if isinstance(spans, SpanSet):
        return spans.overlaps(s, e)
    return any(s < be and bs < e for bs, be in spans)
