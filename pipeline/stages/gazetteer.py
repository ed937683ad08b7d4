"""Administrative divisions (province / city / county) from ``lexicons/regions.tsv``.

Used to find the region a document governs and to attach it to unit names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pipeline.lexicon import read_tsv
from pipeline.stages.wordscan import WordScanner


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative division with its parents (full simplified names)."""

    adcode: str
    name: str
    short: str
    level: str  # province | city | county
    province: str
    city: str


class Gazetteer:
    """Lookup of divisions by full name; finds the governed region of a text."""

    def __init__(self) -> None:
        self.regions = [Region(**r) for r in read_tsv("regions.tsv")]
        self.by_name: dict[str, list[Region]] = {}
        for r in self.regions:
            self.by_name.setdefault(r.name, []).append(r)
        # two-character district names (中区, 城区, 新区, 矿区) are ordinary words in running text
        self._names = WordScanner(n for n in self.by_name if len(n) > 2)  # longest match, one pass

    def mentions(self, text: str) -> Counter[str]:
        """Full division names mentioned in ``text`` (longest match) with counts."""
        return Counter(text[s:e] for s, e in self._names.longest(text))

    def resolve(self, name: str, context: Counter[str] | None = None) -> Region | None:
        """The division called ``name``; ambiguous names are settled by parents in ``context``."""
        cands = self.by_name.get(name, [])
        provinces = [r for r in cands if r.level == "province"]
        if provinces:  # 北京市/重庆市 are listed as province and as city: the province wins
            return provinces[0]
        if len(cands) <= 1 or not context:
            return cands[0] if cands else None
        return max(cands, key=lambda r: (context.get(r.city, 0) + context.get(r.province, 0), -int(r.adcode)))

    def governed_region(self, head: str, body: str) -> Region | None:
        """The region a document governs.

        ``head`` is the title, issuer and document number; a division named
        there wins (the most specific one). Otherwise the most frequent
        division named in ``body`` (at least twice), preferring its level by
        frequency.
        """
        head_counts, body_counts = self.mentions(head), self.mentions(body)
        ctx = head_counts + body_counts  # = mentions(head + "\n" + body): no name spans a line break
        head_hits = [r for n in head_counts if (r := self.resolve(n, ctx))]
        if head_hits:
            order = {"county": 0, "city": 1, "province": 2}
            return min(head_hits, key=lambda r: order[r.level])
        if not body_counts:
            return None
        name, n = body_counts.most_common(1)[0]
        return self.resolve(name, ctx) if n >= 2 else None

    def full_names(self, region: Region) -> tuple[str | None, str | None, str | None]:
        """(province, city, county) names for a region."""
        if region.level == "province":
            return region.name, None, None
        if region.level == "city":
            return region.province or None, region.name, None
        city = region.city or None
        if city == region.province:  # municipalities: 重庆市 > 沙坪坝区
            city = None
        return region.province or None, city, region.name
