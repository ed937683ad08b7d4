"""Optional NER backend: organisation mentions from a local HanLP model.

The default pipeline recognises bodies with rules and the unit lexicon and
works fully offline. HanLP can add organisation mentions the lexicon does not
know, but its pretrained models cannot be downloaded at run time here: the
user installs ``hanlp`` (extra ``hanlp``) and points ``--ner-model`` at a model
directory that is already on disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pipeline.document import PolicyDoc
from pipeline.models import Organization

#: NER labels that name organisations in HanLP's tag sets (MSRA, OntoNotes, PKU).
ORG_LABELS = frozenset({"ORGANIZATION", "ORG", "NT"})
_SENTENCE = re.compile(r"[^。;!?\n]+[。;!?]?")


class NerUnavailable(RuntimeError):
    """The optional NER backend cannot be used (package or model missing)."""


def entity_spans(tokens: Sequence[str], entities: Sequence[Sequence[Any]], text: str) -> list[tuple[int, int, str]]:
    """Character spans in ``text`` of HanLP entities ``(word, label, tok_start, tok_end)`` over ``tokens``."""
    starts = []
    pos = 0
    for tok in tokens:
        found = text.find(tok, pos)
        starts.append(found if found >= 0 else pos)
        pos = (found if found >= 0 else pos) + len(tok)
    starts.append(pos)
    out = []
    for ent in entities:
        _, label, ts, te = ent[0], ent[1], int(ent[2]), int(ent[3])
        if label in ORG_LABELS and 0 <= ts < te <= len(tokens):
            s, e = starts[ts], starts[te - 1] + len(tokens[te - 1])
            out.append((s, e, label))
    return out


class HanLPOrganizations:
    """Organisation mentions from a HanLP multi-task model loaded from a local path."""

    def __init__(self, model: str | Path, loader: Callable[[str], Any] | None = None) -> None:
        if loader is None:
            try:
                import hanlp
            except ImportError as exc:
                raise NerUnavailable("the HanLP backend needs `pip install -e '.[hanlp]'`") from exc
            loader = hanlp.load
        path = Path(model)
        if not path.exists():
            raise NerUnavailable(f"HanLP model not found at {path}; models are not downloaded at run time")
        self._nlp = loader(str(path))

    def __call__(self, doc: PolicyDoc) -> list[Organization]:
        """Organisation mentions in the normalised text, mapped to original spans."""
        out: list[Organization] = []
        for m in _SENTENCE.finditer(doc.text):
            sent = m.group(0)
            if not sent.strip():
                continue
            res = self._nlp(sent)
            tokens = res.get("tok/fine") or res.get("tok") or []
            ents = res.get("ner/msra") or res.get("ner/ontonotes") or res.get("ner/pku") or res.get("ner") or []
            for s, e, label in entity_spans(tokens, ents, sent):
                span = doc.span(m.start() + s, m.start() + e)
                out.append(Organization(span, span.text_norm, "other", None, f"ner.hanlp.{label}"))
        return out


def merge_organizations(base: list[Organization], extra: list[Organization]) -> list[Organization]:
    """Add NER mentions that do not overlap a rule-based mention (rules win: they carry canonical names)."""
    merged = list(base)
    for o in extra:
        if not any(b.span.start < o.span.end and o.span.start < b.span.end for b in base):
            merged.append(o)
    return sorted(merged, key=lambda o: o.span.start)
