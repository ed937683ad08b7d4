"""The spaCy component ``policy_extract``: the tables' rows as span groups, offsets identical to the tables."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

spacy = pytest.importorskip("spacy")

from spacy import displacy  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from pipeline.compose import Pipeline  # noqa: E402
from pipeline.io.ingest import read_document  # noqa: E402
from pipeline.io.tables import arrow_tables, iso  # noqa: E402
from pipeline.spacy_component import GROUPS, PolicyTokenizer, load  # noqa: E402
from pipeline.stages.normalize import make_converter  # noqa: E402
from tests.conftest import SEED_004  # noqa: E402

SENTENCE = "到2025年，全縣城鎮化率達到70%以上，由縣發展和改革局牽頭，縣財政局配合。"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load()


def _spans(doc: Doc) -> dict[str, list[tuple[int, int, str]]]:
    return {k: [(s.start_char, s.end_char, s.label_) for s in doc.spans[k]] for k in GROUPS}


def _table_rows(pipe: Pipeline, text: str) -> dict[str, list[tuple[int, int, str]]]:
    """What the tables hold for ``text``: ``(start, end, label field)`` per row of each group's table."""
    tables = arrow_tables([pipe.process_text("d", "d.txt", text)])
    return {k: [(r["start"], r["end"], str(r[field] or default)) for r in tables[table].to_pylist()]
            for k, (table, field, default) in GROUPS.items()}


def test_add_pipe_by_name_after_install_uses_the_entry_point() -> None:
    """A fresh interpreter that never imported the module: ``add_pipe`` finds the factory by its entry point."""
    code = ("import sys, spacy\n"
            "nlp = spacy.blank('zh'); nlp.add_pipe('policy_extract')\n"
            "comp = nlp.get_pipe('policy_extract')\n"
            "assert nlp.tokenizer.pipeline.resources.segmenter is comp.pipeline.resources.segmenter\n"
            "doc = nlp('由县教育局牵头')\n"
            "print(type(nlp.tokenizer).__name__, [(s.text, s.label_, s._.canonical) for s in doc.spans['units']])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "PolicyTokenizer [('县教育局', 'lead', '县教育局')]"


def test_every_table_row_of_a_seed_is_a_span_with_the_same_offsets(nlp: Language, pipeline_obj: Pipeline) -> None:
    text = read_document(SEED_004).text
    doc = nlp(text)
    assert doc.text == text
    got, want = _spans(doc), _table_rows(pipeline_obj, text)
    assert len(want["targets"]) > 100 and all(want[k] for k in GROUPS)
    assert got == want
    for key in GROUPS:
        for s in doc.spans[key]:
            assert s.text == text[s.start_char:s.end_char] == s._.row["text"]


def test_span_extensions_carry_canonical_names_dates_and_values(nlp: Language) -> None:
    doc = nlp(SENTENCE)
    units = [(s.text, s.label_, s._.canonical) for s in doc.spans["units"]]
    assert units == [("縣發展和改革局", "lead", "县发展和改革局"), ("縣財政局", "co", "县财政局")]
    (deadline,) = doc.spans["deadlines"]
    assert (deadline.text, deadline.label_, deadline._.date_end) == ("到2025年", "deadline", dt.date(2025, 12, 31))
    (target,) = doc.spans["targets"]
    assert (target.text, target.label_, target._.indicator, target._.comparator, target._.value, target._.unit) == \
        ("70%以上", "share", "城镇化率", ">=", 70.0, "%")
    assert target._.due == dt.date(2025, 12, 31) and target._.row["lead_units"] == ["县发展和改革局"]
    assert [(s.text, s._.value_base) for s in doc.spans["figures"]] == [("70%", 70.0)]
    assert doc._.policy_document["script"] in ("traditional", "mixed")


def test_a_traditional_seed_keeps_offsets_into_its_own_characters(nlp: Language, pipeline_obj: Pipeline) -> None:
    simplified = read_document(SEED_004).text
    text = make_converter("s2t").convert(simplified)
    assert text != simplified
    doc = nlp(text)
    assert _spans(doc) == _table_rows(pipeline_obj, text)
    units = doc.spans["units"]
    assert units and any(s.text != s._.canonical for s in units)  # written traditional, named simplified
    assert all(s.text == text[s.start_char:s.end_char] for s in units)


def test_tokens_that_straddle_a_row_edge_are_split_not_the_span_snapped() -> None:
    """With a tokenizer that knows nothing of Chinese (one token per whitespace chunk) the offsets stay exact."""
    nlp = spacy.blank("xx")
    nlp.add_pipe("policy_extract", config={"segment": False})
    assert not isinstance(nlp.tokenizer, PolicyTokenizer)
    assert len(nlp.make_doc(SENTENCE)) == 2  # the text, and its closing 。
    doc = nlp(SENTENCE)
    assert [(s.start_char, s.end_char) for s in doc.spans["units"]] == [(22, 29), (32, 36)]
    assert doc.text == SENTENCE and len(doc) > 1


def test_displacy_renders_each_group_with_its_labels(nlp: Language) -> None:
    doc = nlp(read_document(SEED_004).text)
    targets = displacy.render(doc, style="span", options={"spans_key": "targets"})
    assert "<span" in targets and {"growth", "share", "level"} <= {s.label_ for s in doc.spans["targets"]}
    for label in {s.label_ for s in doc.spans["targets"]}:
        assert f"\n        {label}\n" in targets
    units = displacy.render(doc, style="span", options={"spans_key": "units"})
    assert "\n        lead\n" in units and "\n        co\n" in units


def test_the_doc_round_trips_through_bytes_with_its_rows(nlp: Language) -> None:
    doc = nlp(SENTENCE)
    back = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [(s.text, s.label_, s._.value, s._.due) for s in back.spans["targets"]] == \
        [("70%以上", "share", 70.0, dt.date(2025, 12, 31))]
    assert back.spans["units"][0]._.row == {k: iso(v) for k, v in doc.spans["units"][0]._.row.items()}


def test_hanlp_organisations_through_the_real_loading_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ner_model``: ``import hanlp; hanlp.load(DIR)`` with a stand-in module and model; nothing downloaded."""
    loaded: list[str] = []

    def model(sentence: str) -> dict[str, Any]:
        i = sentence.find("漾月街道办")
        if i < 0:
            return {"tok/fine": [sentence], "ner/msra": []}
        return {"tok/fine": [sentence[:i], "漾月街道办", sentence[i + 5:]],
                "ner/msra": [("漾月街道办", "ORGANIZATION", 1, 2)]}

    def fake_load(path: str) -> object:
        loaded.append(path)
        return model

    monkeypatch.setitem(sys.modules, "hanlp", types.SimpleNamespace(load=fake_load))
    nlp = spacy.blank("zh")
    nlp.add_pipe("policy_extract", config={"ner_model": str(tmp_path)})
    assert loaded == [str(tmp_path)]  # loaded when the component is made, before any text
    text = "请漾月街道办做好宣传。"
    doc = nlp(text)
    orgs = [(s.text, s.label_, s._.row["rule"]) for s in doc.spans["organizations"]]
    assert ("漾月街道办", "other", "ner.hanlp.ORGANIZATION") in orgs
