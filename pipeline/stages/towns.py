"""The township a township-level document governs, found once by the structure stage (``PolicyDoc.town``).

``DocMeta`` stops at the county; a document of 石马镇人民政府 names its township at the start of its title, its
issuer or its first line. Its county is the document's, else the county named before the township there or
near the top; its city the document's, else the one city that county belongs to (``lexicons/regions.tsv``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.models import DocMeta
from pipeline.stages.gazetteer import Gazetteer


@dataclass(frozen=True, slots=True)
class Town:
    """The township a township-level document governs (DocMeta stops at the county)."""

    township: str  # 石马镇
    county: str | None = None  # 永丰县: the DocMeta county, or the county named before the township
    city: str | None = None


class TownFinder:
    """Finds a document's township; owns the township pattern and the county → cities map."""

    def __init__(self, gazetteer: Gazetteer, township: re.Pattern[str]) -> None:
        self.township = township  # structure.yaml: township
        #: county-level name → the cities it may belong to
        self.parent_city: dict[str, set[str]] = {}
        for r in gazetteer.regions:
            if r.level == "county" and r.city:
                self.parent_city.setdefault(r.name, set()).add(r.city)

    def __call__(self, meta: DocMeta, text: str) -> Town | None:
        """The township of a township document: named at the start of its title, issuer or first line."""
        first = text.lstrip()[:80].split("\n", 1)[0]
        for src in (meta.title or "", meta.issuer or "", first):
            m = self.township.match(src)
            if not m:
                continue
            t = m.group("t")
            cty = m.group("cty") if m.group("cty") in self.parent_city else None
            for k in ([] if cty or meta.county else [k.start() for k in re.finditer(t, text[:400])]):
                cty = next((text[j:k] for j in range(max(0, k - 6), k) if text[j:k] in self.parent_city), None)
                if cty:
                    break
            county = meta.county or cty
            cities = self.parent_city.get(county or "", set())
            city = meta.city or (next(iter(cities)) if len(cities) == 1 else None)
            return Town(t, county, city)
        return None
