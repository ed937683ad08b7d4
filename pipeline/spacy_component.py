"""spaCy component ``policy_extract``: the tables' rows as span groups of a ``Doc`` (extra ``spacy``).

``nlp = spacy.blank("zh"); nlp.add_pipe("policy_extract")`` (or ``load()``)
runs the whole pipeline on ``doc.text`` and fills ``doc.spans`` with one group
per table: ``units`` (the ``responsibilities`` rows, label = role),
``deadlines`` (label = kind), ``targets`` (label = kind), ``figures`` (label =
base unit, ``number`` without one) and ``organizations`` (label = kind). Each
span's ``start_char``/``end_char`` are the row's ``start``/``end``: the
component splits any token that a row's edge falls inside (``Doc.retokenize``),
so spans never snap to token edges. ``span._.row`` is the table row itself
(dates as ISO strings, so the ``Doc`` serialises); ``span._.canonical``,
``_.date_start``, ``_.date_end``, ``_.due``, ``_.value``, ``_.value_base``,
``_.unit``, ``_.indicator``, ``_.comparator`` read it (dates as ``datetime.date``).
``doc._.policy_document`` is the ``documents`` row.

The factory also makes the tokenizer the pipeline's own segmenter (the same
``jieba.Tokenizer`` instance with the lexicons' words), run on the normalised
(simplified) text with its tokens mapped back to the original characters;
``segment=False`` keeps the language's tokenizer. The factory is registered
with spaCy through the ``spacy_factories`` entry point; extensions are
registered when a component is created, not at import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import get_words_and_spaces
from spacy.vocab import Vocab

from pipeline.compose import Pipeline
from pipeline.io.tables import iso, rows_of
from pipeline.models import DocResult

#: span group → (table, the row field giving the label, label when that field is empty)
GROUPS: dict[str, tuple[str, str, str]] = {
    "units": ("responsibilities", "role", "unit"),
    "deadlines": ("deadlines", "kind", "deadline"),
    "targets": ("targets", "kind", "target"),
    "figures": ("figures", "unit_base", "number"),
    "organizations": ("organizations", "kind", "organization"),
}
_DATES = ("date_start", "date_end", "due")
_FIELDS = ("canonical", "value", "value_base", "unit", "indicator", "comparator")
_WORD = re.compile(r"\S+")


def _row(span: Span) -> dict[str, Any] | None:
    rows = span.doc._.policy_rows
    return rows[span.id] if rows is not None and 0 <= span.id < len(rows) else None


def _field(name: str) -> Callable[[Span], Any]:
    def get(span: Span) -> Any:
        row = _row(span)
        return row.get(name) if row else None

    return get


def _date(name: str) -> Callable[[Span], dt.date | None]:
    def get(span: Span) -> dt.date | None:
        row = _row(span)
        value = row.get(name) if row else None
        return dt.date.fromisoformat(value) if value else None

    return get


def register_extensions() -> None:
    """Declare the ``Doc``/``Span`` extensions (idempotent: ``force=True`` re-declares the same getters)."""
    Doc.set_extension("policy_rows", default=None, force=True)
    Doc.set_extension("policy_document", default=None, force=True)
    Span.set_extension("row", getter=_row, force=True)
    for name in _FIELDS:
        Span.set_extension(name, getter=_field(name), force=True)
    for name in _DATES:
        Span.set_extension(name, getter=_date(name), force=True)


class PolicyTokenizer:
    """Tokens of the pipeline's jieba segmenter over the normalised text, as original-text words."""

    def __init__(self, vocab: Vocab, pipeline: Pipeline) -> None:
        self.vocab = vocab
        self.pipeline = pipeline

    def __call__(self, text: str) -> Doc:
        norm = self.pipeline.normalizer.normalize(text)
        cuts = {0, len(text)}
        for _, s, e in self.pipeline.resources.segmenter.tokenize(norm.text):
            cuts.update(norm.to_original(s, e))
        edges = sorted(cuts)
        words = [m.group(0) for a, b in pairwise(edges) for m in _WORD.finditer(text, a, b)]
        words, spaces = get_words_and_spaces(words, text)
        return Doc(self.vocab, words=words, spaces=spaces)

    # no state of its own: what spaCy's (de)serialisation asks of a tokenizer
    def to_bytes(self, **_: Any) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **__: Any) -> PolicyTokenizer:
        return self

    def to_disk(self, _path: str | Path, **__: Any) -> None:
        return None

    def from_disk(self, _path: str | Path, **__: Any) -> PolicyTokenizer:
        return self


def split_at(doc: Doc, offsets: Iterable[int]) -> None:
    """Split the tokens that a character offset falls strictly inside, so a span can start or end there."""
    starts = [t.idx for t in doc]
    by_token: dict[int, set[int]] = {}
    for off in offsets:
        i = bisect_right(starts, off) - 1
        if i >= 0 and starts[i] < off < starts[i] + len(doc[i].text):
            by_token.setdefault(i, set()).add(off - starts[i])
    if not by_token:
        return
    with doc.retokenize() as retok:
        for i, cuts in by_token.items():
            token = doc[i]
            edges = [0, *sorted(cuts), len(token.text)]
            orths = [token.text[a:b] for a, b in pairwise(edges)]
            retok.split(token, orths, heads=[(token, 0)] * len(orths))


class PolicyExtract:
    """The component: one ``Pipeline`` per instance, rows of every table as span groups."""

    def __init__(self, nlp: Language, name: str, ner: str | None, ner_model: str | None, region: str | None,
                 segment: bool) -> None:
        register_extensions()
        self.name = name
        self.region = region
        self.pipeline = Pipeline(ner=ner, ner_model=ner_model)
        if segment:
            nlp.tokenizer = PolicyTokenizer(nlp.vocab, self.pipeline)

    def result(self, text: str) -> DocResult:
        """The pipeline's result for ``text`` (its ``doc_id`` is that of the text's UTF-8 bytes)."""
        doc_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        return self.pipeline.process_text(doc_id, "spacy", text, self.region)

    def __call__(self, doc: Doc) -> Doc:
        tables = rows_of(self.result(doc.text))
        grouped = {key: tables[table] for key, (table, _, _) in GROUPS.items()}
        split_at(doc, (r[k] for rows in grouped.values() for r in rows for k in ("start", "end")))
        stored: list[dict[str, Any]] = []
        for key, rows in grouped.items():
            _, field, default = GROUPS[key]
            spans = []
            for row in rows:
                span = doc.char_span(row["start"], row["end"], label=str(row.get(field) or default),
                                     span_id=len(stored), alignment_mode="expand")
                if span is None:  # an empty or whitespace-only stretch: no token to hold it
                    continue
                stored.append({k: iso(v) for k, v in row.items()})
                spans.append(span)
            doc.spans[key] = spans
        doc._.policy_rows = stored
        doc._.policy_document = {k: iso(v) for k, v in tables["documents"][0].items()}
        return doc


@Language.factory(
    "policy_extract",
    default_config={"ner": None, "ner_model": None, "region": None, "segment": True},
    assigns=["doc.spans", "doc._.policy_rows", "doc._.policy_document", "span._.row",
             *(f"span._.{n}" for n in (*_FIELDS, *_DATES))],
)
def make_policy_extract(nlp: Language, name: str, ner: str | None, ner_model: str | None, region: str | None,
                        segment: bool) -> PolicyExtract:
    """The ``policy_extract`` factory: ``ner`` ('lac', 'hanlp:DIR'), ``ner_model`` (a HanLP model directory
    for organisations), ``region`` for texts naming none, ``segment`` to use the pipeline's jieba tokenizer."""
    return PolicyExtract(nlp, name, ner, ner_model, region, segment)


def load(**config: Any) -> Language:
    """``spacy.blank("zh")`` with the ``policy_extract`` component (``config`` as the factory's)."""
    import spacy

    nlp = spacy.blank("zh")
    nlp.add_pipe("policy_extract", config=config)
    return nlp
