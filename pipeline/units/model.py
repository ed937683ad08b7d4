"""Data of the units extractor: a recognised mention, a township context, and the level words."""

from __future__ import annotations

from dataclasses import dataclass

_LEVEL_OF_CHAR = {
    "省": "province", "自治区": "province", "市": "city", "州": "city", "盟": "city", "地区": "city",
    "自治州": "city", "县": "county", "区": "county", "旗": "county", "自治县": "county",
    "乡": "township", "镇": "township", "街道": "township",
}
_SUFFIX_KIND = (
    ("专班", "task_force"), ("领导小组办公室", "task_force"), ("管委会", "development_zone"),
    ("公司", "enterprise"), ("集团", "enterprise"), ("行", "enterprise"), ("中心", "public_institution"),
    ("院", "public_institution"), ("站", "public_institution"), ("所", "public_institution"),
    ("馆", "public_institution"),
)



@dataclass(frozen=True, slots=True)
class Mention:
    """A recognised unit mention in the normalised text (internal to this stage and its tests)."""

    nstart: int
    nend: int
    prefix: str  # region prefix as written: 县, 市, 溆浦县, 河南, '' …
    full: str  # the body with its type expanded: 发展和改革局; the whole name for a compound
    sub: str  # a sub-unit after the body: 溆浦分局
    kind: str
    level: str | None
    complete: bool  # compound names are complete as written
    rule: str
    form: str = ""  # how the canonical name is built: 中共{region}{full}; '' = {region}{full}


