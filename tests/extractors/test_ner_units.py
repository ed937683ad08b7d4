"""NER unit candidates: the LAC backend on real sentences, the hook in the unit grammar, the HanLP loading path."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from pipeline.extractors.ner import HanLPBackend, LacBackend, NerUnavailable, make_backend, word_spans
from pipeline.extractors.ner_units import NerUnits
from pipeline.extractors.responsibilities import UnitExtractor
from pipeline.stages.normalize import Normalizer
from tests.conftest import make_doc

# Real sentences (corpus-real r12, 师宗县; r19, 嘉兴市) for the tagger itself.
R12 = ("由县工业园区管委会牵头,县自然资源局、漾月街道配合,在12月底前完成工业园区74.0亩批而未供土地处置任务;"
       "由丹凤街道牵头,县自然资源局配合,在12月底前完成荣海新区50.06亩批而未供土地处置任务。")
# State enterprises named without a unit suffix (as in the utility and telecom rows of county task lists): the
# unit grammar cannot read them, the tagger can.
ORGS = "由中国移动牵头,县工信局、中国铁塔配合,年底前完成5G基站建设。"
R19 = "强化清华长三角研究院引领作用,支持北理工长三角研究院打造教育、科研、孵化一体的创新载体,推动南湖实验室和中电科南湖研究院提档升级。"


@pytest.fixture(scope="module")
def lac() -> LacBackend:
    return LacBackend()


@pytest.fixture(scope="module")
def ner_units(lac: LacBackend) -> NerUnits:
    return NerUnits(lac)


class Stub:
    """A stand-in tagger: fixed (word, label) entities, every call recorded."""

    name = "stub"

    def __init__(self, ents: dict[str, str]) -> None:
        self.ents = ents
        self.seen: list[str] = []

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        self.seen.append(text)
        out = []
        for w, lab in self.ents.items():
            i = text.find(w)
            if i >= 0:
                out.append((i, i + len(w), lab))
        return out


def _resp(ex: UnitExtractor, normalizer: Normalizer, text: str, **meta: object) -> list[tuple[str, str, str]]:
    doc = make_doc(normalizer, text, **meta)
    return [(r.span.text, r.role, r.canonical) for r in ex.responsibilities(doc)]


def test_lac_tags_real_sentences(lac: LacBackend) -> None:
    ents = lac.entities(R12)
    assert "".join(R12[s:e] for s, e, _ in ents) == R12  # words tile the text: offsets are exact
    tagged = {R12[s:e]: lab for s, e, lab in ents}
    assert tagged["县工业园区管委会"] == "ORG"
    assert tagged["县自然资源局"] == "ORG"
    assert tagged["漾月街道"] == "LOC"
    assert tagged["丹凤街道"] == "LOC"
    orgs = {R19[s:e] for s, e, lab in lac.entities(R19) if lab == "ORG"}
    assert {"清华长三角研究院", "中电科南湖研究院"} <= orgs


def test_lac_on_traditional_input_after_normalisation(lac: LacBackend, normalizer: Normalizer) -> None:
    doc = make_doc(normalizer, "由縣工業園區管委會牽頭,縣自然資源局、漾月街道配合")
    tagged = {doc.text[s:e]: lab for s, e, lab in lac.entities(doc.text)}
    assert tagged.get("县自然资源局") == "ORG"


def test_ner_adds_the_units_the_grammar_cannot_parse(ner_units: NerUnits, normalizer: Normalizer) -> None:
    plain = _resp(UnitExtractor(), normalizer, ORGS, county="师宗县")
    with_ner = _resp(UnitExtractor(ner_units), normalizer, ORGS, county="师宗县")
    assert ("中国移动", "lead", "中国移动") not in plain
    assert ("中国移动", "lead", "中国移动") in with_ner
    assert ("中国铁塔", "co", "中国铁塔") in with_ner
    assert ("县工信局", "co", "师宗县工业和信息化局") in with_ner  # the co part no longer fails as a whole
    assert set(plain) <= set(with_ner)  # NER only adds
    plain = _resp(UnitExtractor(), normalizer, R12, county="师宗县")
    assert ("漾月街道", "co", "漾月街道") in plain  # a name ending like a body: the grammar reads it itself
    assert set(plain) <= set(_resp(UnitExtractor(ner_units), normalizer, R12, county="师宗县"))


def test_ner_mention_keeps_a_written_name_and_expands_a_region_prefix(normalizer: Normalizer) -> None:
    stub = Stub({"县护城河指挥部": "ORG", "嘉禾科创有限责任合伙": "ORG"})
    ex = UnitExtractor(NerUnits(stub))
    got = _resp(ex, normalizer, "(县护城河指挥部牵头,嘉禾科创有限责任合伙配合)", county="大竹县")
    assert ("县护城河指挥部", "lead", "大竹县护城河指挥部") in got
    assert ("嘉禾科创有限责任合伙", "co", "嘉禾科创有限责任合伙") in got


def test_ner_defers_to_the_lexicon_and_wants_the_whole_item(normalizer: Normalizer) -> None:
    nu = NerUnits(Stub({"县财政局专项": "ORG", "老城片": "ORG"}))
    text = "由县财政局专项牵头,老城片区配合"
    assert nu.item(text, 1, 7) is None  # a lexicon mention (县财政局) inside: the rules decide
    assert nu.item(text, 10, 14) is None  # the tagger's ORG covers only part of the item


def test_a_place_is_a_unit_only_when_it_ends_like_a_body() -> None:
    nu = NerUnits(Stub({"漾月街道": "LOC", "荣海": "LOC"}))
    assert nu.item("由漾月街道牵头", 1, 5) is not None
    assert nu.item("由荣海牵头", 1, 3) is None


def test_measure_units_are_never_names() -> None:
    nu = NerUnits(Stub({"万只": "ORG", "万人": "ORG", "县护城河指挥部": "ORG"}))
    assert nu.item("家禽出栏\n万只\n县护城河指挥部", 5, 7) is None  # a one-cell-per-line table: the unit cell
    assert nu.item("由万人牵头", 1, 3) is None
    assert nu.item("家禽出栏\n万只\n县护城河指挥部", 8, 15) is not None


def test_tagger_is_asked_only_in_unit_slots(normalizer: Normalizer) -> None:
    stub = Stub({"中国移动": "ORG"})
    ex = UnitExtractor(NerUnits(stub))
    _resp(ex, normalizer, "(一)完善工作机制。中国移动位于县城东部,2023年完成改造。(试行)\n附件:清单")
    assert stub.seen == []
    _resp(ex, normalizer, "由中国移动牵头")
    assert stub.seen  # before a role cue it is asked


def test_lac_loads_lazily_once_per_instance() -> None:
    made: list[object] = []

    class FakeLac:
        def __init__(self) -> None:
            made.append(self)

        def run(self, text: str) -> list[tuple[str, str]]:
            return [(text, "ORG")]

    be = LacBackend(factory=FakeLac)
    assert made == []
    assert be.entities("县代建中心") == [(0, 5, "ORG")]
    be.entities("县残联")
    assert len(made) == 1


def test_importing_and_building_load_no_model() -> None:
    code = ("import sys, pipeline.extractors.ner, pipeline.extractors.ner_units; from pipeline.compose import Pipeline; "
            "a = 'onnxruntime' in sys.modules; Pipeline(ner='lac'); print(a, 'onnxruntime' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]  # the model loads on the first unparsed list item


def test_word_spans_skip_words_not_in_the_text() -> None:
    assert word_spans([("县", "n"), ("X", "n"), ("残联", "ORG")], "县残联") == [(0, 1, "n"), (1, 3, "ORG")]


def test_hanlp_backend_through_its_real_loading_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     normalizer: Normalizer) -> None:
    loaded: list[str] = []

    def model(sentence: str) -> dict[str, Any]:
        i = sentence.find("中国铁塔")
        if i < 0:
            return {"tok/fine": [sentence], "ner/msra": []}
        toks = [sentence[:i], "中国铁塔", sentence[i + 4:]]
        return {"tok/fine": toks, "ner/msra": [("中国铁塔", "ORGANIZATION", 1, 2)]}

    def load(path: str) -> object:
        loaded.append(path)
        return model

    monkeypatch.setitem(sys.modules, "hanlp", types.SimpleNamespace(load=load))
    backend = make_backend(f"hanlp:{tmp_path}")
    assert isinstance(backend, HanLPBackend) and loaded == []  # lazily
    ex = UnitExtractor(NerUnits(backend))
    got = _resp(ex, normalizer, "由县自然资源局牵头,中国铁塔配合", county="师宗县")
    assert ("中国铁塔", "co", "中国铁塔") in got
    assert loaded == [str(tmp_path)]


def test_unknown_or_missing_backends_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(NerUnavailable, match="unknown NER backend"):
        make_backend("bert")
    with pytest.raises(NerUnavailable, match="not downloaded"):
        make_backend(f"hanlp:{tmp_path / 'none'}")


def test_eval_prints_each_group_without_and_with_ner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    docs, gold = tmp_path / "docs", tmp_path / "gold"
    docs.mkdir()
    gold.mkdir()
    (docs / "orgs.txt").write_text(ORGS, encoding="utf-8")
    units = [{"text": t, "occ": 1, "role": r} for t, r in (("中国移动", "lead"), ("县工信局", "co"), ("中国铁塔", "co"))]
    g = {"doc": "orgs.txt", "ref_year": 2022, "units": units, "deadlines": [], "targets": [], "figures": []}
    (gold / "orgs.gold.json").write_text(json.dumps(g, ensure_ascii=False), encoding="utf-8")
    assert main(["eval", "--docs", str(docs), "--gold", str(gold), "--ner", "both", "--errors", "0"]) == 0
    out = capsys.readouterr().out
    assert "without NER | with NER (lac)" in out
    row = next(ln for ln in out.splitlines() if ln.startswith("units"))
    cells = row.split("|")
    assert float(cells[-1]) > 0  # F1 rises with NER on this sentence


def test_extract_chooses_the_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    from pipeline.cli import main

    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "orgs.txt").write_text("师宗县人民政府\n" + ORGS, encoding="utf-8")
    names = {}
    for ner in ("off", "lac"):
        out = tmp_path / ner
        assert main(["extract", str(inp), "--out", str(out), "--quiet", "--no-report", "--ner", ner]) == 0
        names[ner] = set(pd.read_parquet(out / "responsibilities.parquet")["text"])
    assert "中国移动" in names["lac"] - names["off"]
    assert main(["extract", str(inp), "--out", str(tmp_path / "x"), "--quiet", "--ner", "bert"]) == 2
    assert "unknown NER backend" in capsys.readouterr().err


def test_bench_times_the_pipeline_without_and_with_ner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    (tmp_path / "r12.txt").write_text(R12, encoding="utf-8")
    assert main(["bench", str(tmp_path), "--mb", "0.001", "--ner", "both"]) == 0
    out = capsys.readouterr().out
    assert "ratio pipeline/jieba, NER off:" in out
    assert "ratio pipeline/jieba, NER lac:" in out
