"""Shared fixtures: the corpus paths, one normaliser and one pipeline per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.models import DocMeta
from pipeline.stages.document import PolicyDoc
from pipeline.stages.normalize import Normalizer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED_004 = CORPUS / "seeds" / "004_b2362a690fe9adf5.txt"


@pytest.fixture(scope="session")
def normalizer() -> Normalizer:
    return Normalizer()


@pytest.fixture(scope="session")
def pipeline_obj():
    from pipeline.compose import Pipeline

    return Pipeline()


def read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def make_doc(normalizer: Normalizer, text: str, **meta: object) -> PolicyDoc:
    """A ``PolicyDoc`` for one example sentence (no structure), with the given metadata."""
    return PolicyDoc("example", "example.txt", normalizer.normalize(text), meta=DocMeta(**meta))  # type: ignore[arg-type]
