"""The optional HanLP backend: clear errors when unavailable, correct span mapping when present."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.extractors.ner import HanLPOrganizations, NerUnavailable, entity_spans, merge_organizations
from pipeline.stages.normalize import Normalizer
from tests.conftest import make_doc


def test_entity_spans_map_tokens_to_characters() -> None:
    text = "由溆浦县商务局牵头,县财政局配合。"
    tokens = ["由", "溆浦县", "商务局", "牵头", ",", "县", "财政局", "配合", "。"]
    ents = [("溆浦县商务局", "ORGANIZATION", 1, 3), ("县财政局", "NT", 5, 7), ("牵头", "PERSON", 3, 4)]
    assert entity_spans(tokens, ents, text) == [(1, 7, "ORGANIZATION"), (10, 14, "NT")]


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NerUnavailable, match="not downloaded"):
        HanLPOrganizations(tmp_path / "nope", loader=lambda p: None)


def test_adapter_with_a_local_model_adds_only_new_mentions(tmp_path: Path, normalizer: Normalizer) -> None:
    def fake_model(sentence: str) -> dict[str, Any]:
        i = sentence.find("县融媒体中心")
        if i < 0:
            return {"tok/fine": list(sentence), "ner/msra": []}
        toks = [sentence[:i], "县融媒体中心", sentence[i + 6 :]]
        return {"tok/fine": toks, "ner/msra": [("县融媒体中心", "ORGANIZATION", 1, 2)]}

    ner = HanLPOrganizations(tmp_path, loader=lambda p: fake_model)
    doc = make_doc(normalizer, "（縣融媒體中心負責）\n第二句。")
    orgs = ner(doc)
    assert [(o.span.text, o.canonical, o.rule) for o in orgs] == [("縣融媒體中心", "县融媒体中心", "ner.hanlp.ORGANIZATION")]
    assert merge_organizations(orgs, orgs[:0]) == orgs
    assert merge_organizations(orgs, orgs) == orgs  # overlapping mentions are not added twice
