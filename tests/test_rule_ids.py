"""Every target and responsibility row names the specific rule that made it (lexicons/commitment.yaml, roles.yaml).

Example tables (tests/examples/commitment_rules.yaml, role_rules.yaml) show a corpus sentence and the id it
yields; the rule tables are checked for unique ids, ids used in code that the lexicon declares, predicates
that some rule names; the seed and real corpus must carry no generic id (``targets``, ``units.resp.…``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.extractors.figures import FigureExtractor
from pipeline.extractors.responsibilities import UnitExtractor
from pipeline.extractors.responsibilities.roles import RoleRules
from pipeline.extractors.targets import TargetExtractor
from pipeline.extractors.targets import commitment as cm
from pipeline.lexicon import LexiconError, read_yaml
from pipeline.ruletable import RuleTable
from pipeline.stages.normalize import Normalizer
from pipeline.stages.structure import Structurer
from tests.conftest import CORPUS, ROOT, make_doc
from tests.example_tables import load
from tests.extractors.test_units import REGIONS

TARGET_CASES: list[dict[str, Any]] = load("commitment_rules")["cases"]
ROLE_CASES: list[dict[str, Any]] = load("role_rules")["cases"]

#: Rules only a document's structure can fire (headings, numbered items, table columns): see the documents below.
STRUCTURE_CASES = [
    ("布久乡2019年人居环境整治工作方案\n一、基本情况\n我乡乡域面积约1136平方公里,辖7个行政村。\n二、工作目标\n"
     "全年新建卫生厕所120座。\n", 7, "targets.commit.fact_section"),
    ("溆浦县2024年重点民生实事\n(3)新生儿疾病免费筛查与诊断服务3700人。为全县新生儿免费提供筛查。\n", 3700,
     "targets.commit.item_headline"),
    ("序号 | 工作任务 | 目标 | 进展情况\n1 | 新建口袋公园 | 10处 | 完成8处\n2 | 改造老旧小区 | 20个 | 完成15个\n", 8,
     "targets.commit.progress_column"),
]


class _Recording(TargetExtractor):
    """The targets stage, noting the id of the commitment rule that decided each number."""

    log: list[tuple[float, str]]

    def _decide(self, text: str, doc: Any, nums: list[Any], ctxs: list[Any], i: int, scan: Any) -> Any:
        r = super()._decide(text, doc, nums, ctxs, i, scan)
        self.log.append((nums[i].value, r.id))
        return r


@pytest.fixture(scope="module")
def recording() -> _Recording:
    return _Recording()


@pytest.fixture(scope="module")
def figures() -> FigureExtractor:
    return FigureExtractor()


def _verdict(table: RuleTable[Any], rid: str) -> str:
    return table.rules[table.ids.index(rid)].verdict


@pytest.mark.parametrize("case", TARGET_CASES, ids=[c["rule"].rsplit(".", 1)[-1] for c in TARGET_CASES])
def test_commitment_example(case: dict[str, Any], normalizer: Normalizer, recording: _Recording,
                            figures: FigureExtractor) -> None:
    recording.log = []
    doc = make_doc(normalizer, case["text"], ref_year=case.get("ref_year", 2024))
    rows = [(t.value, t.rule) for t in recording(doc, figures.hits(doc), [])]
    decided = [rid for v, rid in recording.log if v == case["value"]]
    assert decided[:1] == [case["rule"]]
    committed = _verdict(recording._commitment, case["rule"]) == "commit"
    assert ((case["value"], case["rule"]) in rows) == committed


@pytest.mark.parametrize(("text", "value", "rule"), STRUCTURE_CASES, ids=[c[2] for c in STRUCTURE_CASES])
def test_commitment_by_structure(text: str, value: float, rule: str, normalizer: Normalizer,
                                 recording: _Recording, figures: FigureExtractor) -> None:
    doc = Structurer().build("x", "x.txt", normalizer.normalize(text))
    recording.log = []
    recording(doc, figures.hits(doc), [])
    assert [rid for v, rid in recording.log if v == value][:1] == [rule]


def test_every_commitment_rule_has_an_example(recording: _Recording) -> None:
    shown = {c["rule"] for c in TARGET_CASES} | {c[2] for c in STRUCTURE_CASES}
    assert set(recording._commitment.ids) - shown == set()


@pytest.mark.parametrize("case", ROLE_CASES, ids=[c["rule"] for c in ROLE_CASES])
def test_role_example(case: dict[str, Any], normalizer: Normalizer) -> None:
    doc = Structurer().build("example", "example.txt", normalizer.normalize(case["text"]))
    doc.meta = type(doc.meta)(**REGIONS[case["region"]])
    got = [(r.span.text, r.role, r.rule) for r in UnitExtractor().responsibilities(doc)]
    assert (case["unit"], case["role"], case["rule"]) in got


def test_every_role_rule_that_sets_a_role_has_an_example() -> None:
    rules = RoleRules()
    setting = {r.id for t in (rules.item, rules.clause, rules.recheck) for r in t.rules
               if r.verdict not in ("none", "keep", "clause")}
    assert setting - {c["rule"].split(".")[1] for c in ROLE_CASES} == set()


def test_rule_ids_are_unique_and_a_duplicate_is_refused(recording: _Recording) -> None:
    for name, key in (("commitment.yaml", "rules"), ("roles.yaml", "item"), ("roles.yaml", "clause")):
        ids = [r["id"] for r in read_yaml(name)[key]]
        assert len(ids) == len(set(ids)), name
    assert len(RoleRules().ids) == len(set(RoleRules().ids))
    entries: list[dict[str, Any]] = [{"id": "a", "verdict": "x", "when": [{"p": 1}]}, {"id": "a", "verdict": "x"}]
    with pytest.raises(LexiconError, match="used twice"):
        RuleTable[object]("t.yaml", entries, ("x",), lambda c: lambda ctx: True)
    with pytest.raises(LexiconError, match="unknown predicate"):
        RuleTable("t.yaml", [{"id": "a", "verdict": "commit", "when": [{"pred": "no_such_predicate"}]},
                             {"id": "b", "verdict": "reject"}], ("commit", "reject"), recording._condition)


def test_every_predicate_is_named_by_a_rule_and_every_id_in_code_is_declared() -> None:
    rules = read_yaml("commitment.yaml")
    named = {c["pred"] for r in rules["rules"] for c in r.get("when", ()) if "pred" in c}
    assert named == set(cm._PREDICATES)
    declared = {"targets.commit." + r["id"] for r in rules["rules"]} | {"targets." + r["id"]
                                                                        for r in rules["elsewhere"]}
    used = {m.group(1) for p in (ROOT / "pipeline").rglob("*.py")
            for m in re.finditer(r"rule=[\"'](targets[a-z_.]*)[\"']", p.read_text(encoding="utf-8"))}
    assert used and used <= declared


def test_no_generic_rule_on_the_seed_and_real_corpus(pipeline_obj: Any, recording: _Recording) -> None:
    """Every target row names its commitment rule (or the table rule), every responsibility row its role rule."""
    commit = {r.id for r in recording._commitment.rules if r.verdict == "commit"}
    elsewhere = {"targets." + r["id"] for r in read_yaml("commitment.yaml")["elsewhere"]}
    roles = RoleRules()
    role_ids = {r.id for t in (roles.item, roles.clause, roles.recheck) for r in t.rules
                if r.verdict not in ("none", "keep", "clause")}
    n_targets = n_resp = 0
    for folder in ("seeds", "real"):
        for path in sorted((CORPUS / folder).glob("*.txt")):
            r = pipeline_obj.process_file(path, path.name)
            for t in r.targets:
                assert t.rule in commit | elsewhere, (path.name, t.span.text, t.rule)
            for x in r.responsibilities:
                _, rid, how = x.rule.split(".", 2)
                assert rid in role_ids and how, (path.name, x.span.text, x.rule)
            n_targets += len(r.targets)
            n_resp += len(r.responsibilities)
    assert n_targets > 100 and n_resp > 100


def test_rule_data_lives_in_the_lexicons() -> None:
    """The cue list of the structure stage, the level words, suffix kinds, township title pattern and regulator
    renames of the units stage are lexicon data (issue 15), not constants in code."""
    import pipeline.extractors.responsibilities.canonical as canonical
    import pipeline.extractors.responsibilities.model as unit_model
    import pipeline.stages.structure as structure

    assert not hasattr(structure, "_TASK_CUE") and read_yaml("structure.yaml")["patterns"]["task_cue"]
    for name in ("_LEVEL_OF_CHAR", "_SUFFIX_KIND", "_TOWN_RX"):
        assert not hasattr(unit_model, name)
    g = read_yaml("unit_grammar.yaml")
    assert g["level_of_char"]["街道"] == "township" and ["管委会", "development_zone"] in g["suffix_kind"]
    assert any("银保监" in a for a, _ in g["complete_renames"])
    assert "银保监" not in Path(canonical.__file__).read_text(encoding="utf-8")
