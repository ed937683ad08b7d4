"""Canonical names: a mention's abbreviation expanded and its region attached (溆浦县发展和改革局)."""

from __future__ import annotations

import re
from typing import Any

from pipeline.extractors.responsibilities.model import Mention
from pipeline.models import DocMeta
from pipeline.stages.towns import Town


class CanonicalNames:
    """Canonical-name methods of the compiled grammar (``mentions._Grammar``), which owns the data they read."""

    p: dict[str, re.Pattern[str]]
    level_of_char: dict[str, str]
    complete_renames: list[tuple[re.Pattern[str], str]]
    canonical_renames: list[tuple[re.Pattern[str], str]]
    central_issuer: re.Pattern[str]
    central_names: dict[str, str]
    prefix_rx: re.Pattern[str]
    forms: dict[str, str]
    short_of: dict[str, str]
    sector_types: dict[str, Any]
    parent_city: dict[str, set[str]]
    township_abbr: dict[str, str]
    township_stations: Any
    township_types: dict[str, str]

    def _township_name(self, mn: Mention, town: Town) -> str | None:
        """Canonical name of a township body in a township document (镇党政办 → 石马镇党政办公室), or None."""
        pm = self.prefix_rx.fullmatch(mn.prefix) if mn.prefix else None
        places, lv = (pm.group("places"), pm.group("lv")) if pm else ("", None)
        short = re.sub("(?:镇|乡|街道)$", "", town.township)
        full = mn.full
        own = lv in ("镇", "乡", "街道") and places in ("", short)
        station = full if own or (places == short and not lv) else None
        if mn.rule == "item" and not mn.prefix and full.startswith(short):
            station = full[len(short):]
        if station in self.township_stations and town.county:
            bureau = self.township_stations[station]
            if bureau == "公安局" and town.county.endswith("区") and town.city:
                return f"{town.city}公安局{self.short_of.get(town.county, town.county)}分局{short}{station}"
            return f"{town.county}{bureau}{short}{station}"
        if not own:
            return None
        if mn.rule == "lexicon":
            full = self.township_types.get(full, full)
            form = self.forms.get(mn.full, "")
            if form:
                return form.format(region=town.township, short=short, full=full) + mn.sub
            return town.township + full + mn.sub
        full = self.township_abbr.get(full, full)
        if full.endswith("办"):
            full += "公室"
        return town.township + full

    def region_for(self, places: str, lv: str | None, meta: DocMeta) -> str:
        """The region a prefix stands for: the place as written, or the document's region for a level word."""
        if places:
            return places + (lv or "")
        if not lv:
            return ""
        level = self.level_of_char.get(lv)
        region: str | None = None
        if level == "province":
            region = meta.province
        elif level == "city" and meta.county and meta.county.endswith("市"):
            region = meta.county  # a county-level city calls itself 市
        elif level == "city":
            region = meta.city or (meta.province if meta.province and meta.province.endswith("市") else None)
        elif level == "county":
            region = meta.county
        return region or lv

    def canonical(self, mn: Mention, meta: DocMeta, inherited: str | None = None, town: Town | None = None) -> str:
        """Full canonical name (see ``_canonical``); 管委会 is always written out as 管理委员会."""
        name = self._canonical(mn, meta, inherited, town)
        for rx, new in self.canonical_renames:
            name = rx.sub(new, name)
        return name

    def _canonical(self, mn: Mention, meta: DocMeta, inherited: str | None, town: Town | None) -> str:
        """Full canonical name: abbreviation expanded, region attached.

        With no prefix (and none inherited from the list) a lexicon or sector mention
        belongs to the document's own region: 发改部门 in a 安康市 document →
        安康市发展和改革委员会; a development zone takes the short place name
        (经开区 → 汉阴经济技术开发区管理委员会).
        """
        doc_region = meta.county or meta.city or meta.province or ""
        if mn.complete:
            full = mn.full
            for rx, new in self.complete_renames:  # 人行 → 中国人民银行, the regulators renamed (unit_grammar.yaml)
                full = rx.sub(new, full)
            return full
        if mn.form == "{full}":
            return mn.full + mn.sub  # a central body (财政部, 海关总署): its name has no region
        central = self.central_body(mn, meta, inherited)
        if central is not None:
            return central + mn.sub  # 发展改革委 in a 国务院 document
        if town is not None:
            name = self._township_name(mn, town)
            if name:
                return name
        written = mn.prefix + mn.full
        if meta.county and self.p["subcounty"].fullmatch(written):
            return meta.county + written  # 吴家营街道办事处 in a 呈贡区 document → 呈贡区吴家营街道办事处
        if mn.rule == "item":
            if mn.prefix:
                return self._region(mn.prefix, meta)[0] + mn.full
            return (doc_region if mn.kind == "task_force" else "") + mn.full
        prefix = mn.prefix or inherited or ""
        full, form = mn.full, mn.form
        if mn.rule == "sector":
            pm = self.prefix_rx.fullmatch(prefix) if prefix else None
            level = self.level_of_char.get(pm.group("lv") or "") if pm else None
            types = self.sector_types.get(full[:-2])
            if types is not None:
                full = types[{"province": 0, "city": 1}.get(level or _doc_level(meta) or "county", 2)]
                form = self.forms.get(full, "")
        if prefix:
            region, named = self._region(prefix, meta)
        else:
            region, named = doc_region, bool(doc_region)
        if named and form:
            return form.format(region=region, short=self.short_of.get(region, region), full=full) + mn.sub
        return region + full + mn.sub

    def central_body(self, mn: Mention, meta: DocMeta, inherited: str | None = None) -> str | None:
        """The central body a bare short form names in a central body's document (发展改革委 issued by 国务院 →
        国家发展和改革委员会), else None."""
        if mn.prefix or inherited or meta.county or meta.city or meta.province or mn.full not in self.central_names:
            return None
        return self.central_names[mn.full] if self.central_issuer.match(meta.issuer or "") else None

    def _region(self, prefix: str, meta: DocMeta) -> tuple[str, bool]:
        """The region a prefix names and whether it is a real place (not a bare level word)."""
        pm = self.prefix_rx.fullmatch(prefix)
        places, lv = (pm.group("places"), pm.group("lv")) if pm else (prefix, None)
        region = self.region_for(places, lv, meta)
        if places and meta.city and not meta.county and meta.city in self.parent_city.get(region, ()):
            region = meta.city + region  # 鲤城区 in a 泉州市 document → 泉州市鲤城区
        return region, bool(places) or region != (lv or "")


def _doc_level(meta: DocMeta) -> str | None:
    """The level of the region the document governs."""
    return "county" if meta.county else "city" if meta.city else "province" if meta.province else None
