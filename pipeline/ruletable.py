"""Ordered tables of named rules read from ``lexicons/`` (in the style of ``time.yaml``'s patterns).

A table is a list of rules, each ``{id, doc, when: [condition, ...], verdict}``; the first rule whose
conditions all hold decides, and its id goes into the ``rule`` column of the row it produced. The order
and the ids live in the data; a stage turns each condition mapping into a test (a word list or regex
referenced by name, a position or role condition, or a predicate it registers in code by name), so a
condition that truly needs code is still named and placed by the lexicon.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pipeline.lexicon import LexiconError

C = TypeVar("C")
Check = Callable[[C], bool]


@dataclass(frozen=True, slots=True)
class Rule(Generic[C]):
    """One named rule: all ``checks`` hold → ``verdict``; ``id`` is what the row records."""

    id: str
    verdict: str
    checks: tuple[Callable[[C], bool], ...]
    doc: str


class RuleTable(Generic[C]):
    """An ordered rule list; ``decide`` returns the first rule that holds (the last must hold always)."""

    def __init__(self, name: str, entries: Sequence[Mapping[str, Any]], verdicts: Sequence[str],
                 condition: Callable[[Mapping[str, Any]], Callable[[C], bool]], prefix: str = "") -> None:
        """Compile ``entries`` (from the lexicon file ``name``) with ``condition`` (one mapping → one test).

        Ids must be unique and verdicts one of ``verdicts``; a condition the stage does not know raises
        ``LexiconError`` here, at load time. ``prefix`` is put before every id (``targets.commit.``).
        """
        rules: list[Rule[C]] = []
        seen: set[str] = set()
        for k, e in enumerate(entries):
            rid = e.get("id")
            if not isinstance(rid, str) or not rid:
                raise LexiconError(f"{name}: rule {k + 1} has no id")
            if rid in seen:
                raise LexiconError(f"{name}: rule id {rid!r} is used twice")
            seen.add(rid)
            if e.get("verdict") not in verdicts:
                raise LexiconError(f"{name}: rule {rid!r} has verdict {e.get('verdict')!r}, not one of {list(verdicts)}")
            try:
                checks = tuple(condition(cond) for cond in e.get("when") or ())
            except (KeyError, TypeError, ValueError) as exc:
                raise LexiconError(f"{name}: rule {rid!r}: bad condition ({exc})") from exc
            rules.append(Rule(prefix + rid, e["verdict"], checks, str(e.get("doc", ""))))
        if not rules or rules[-1].checks:
            raise LexiconError(f"{name}: the last rule must have no condition (the default)")
        self.name = name
        self.rules = tuple(rules)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every rule id, in order (with the prefix)."""
        return tuple(r.id for r in self.rules)

    def decide(self, ctx: C) -> Rule[C]:
        """The first rule whose checks all hold for ``ctx``."""
        for r in self.rules:
            for check in r.checks:
                if not check(ctx):
                    break
            else:
                return r
        return self.rules[-1]  # unreachable: the last rule has no checks
