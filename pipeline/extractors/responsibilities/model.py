"""Data of the units extractor: a recognised mention and a township context (the level words, suffix kinds and
the township title pattern are in ``lexicons/unit_grammar.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass


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
