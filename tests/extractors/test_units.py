"""Example-table tests of pipeline/extractors/responsibilities.py (tests/examples/units.yaml) and corpus sanity checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.extractors.responsibilities import UnitExtractor, canonical_name, trie_regex
from pipeline.models import DocMeta
from pipeline.stages.normalize import Normalizer
from pipeline.stages.structure import Structurer
from tests.example_tables import load, params

TABLE: dict[str, Any] = load("units")
REGIONS: dict[str, dict[str, Any]] = TABLE["regions"]


@pytest.fixture(scope="module")
def extractor() -> UnitExtractor:
    return UnitExtractor()


@pytest.fixture(scope="module")
def structurer() -> Structurer:
    return Structurer()


def _doc(normalizer: Normalizer, structurer: Structurer, text: str, region: str):
    doc = structurer.build("example", "example.txt", normalizer.normalize(text))
    structurer.set_meta(doc, DocMeta(**REGIONS[region]))  # the example fixes the region, not the structure stage
    return doc


@pytest.mark.parametrize("case", params(TABLE["cases"], "text"))
def test_responsibilities(case: dict[str, Any], normalizer: Normalizer, structurer: Structurer,
                          extractor: UnitExtractor) -> None:
    doc = _doc(normalizer, structurer, case["text"], case["region"])
    got = extractor.responsibilities(doc)
    for r in got:
        assert doc.original[r.span.start:r.span.end] == r.span.text
    assert [[r.span.text, r.role, r.canonical] for r in got if not r.generic] == case["units"]
    assert [r.span.text for r in got if r.generic] == case.get("generic", [])


@pytest.mark.parametrize("row", TABLE["canonical"], ids=lambda r: f"{r[0]}-{r[1]}")
def test_canonical_name(row: list[str], extractor: UnitExtractor) -> None:
    mention, region, expected = row
    assert canonical_name(extractor.g, mention, DocMeta(**REGIONS[region])) == expected


@pytest.mark.parametrize("case", params(TABLE["organizations"], "text"))
def test_organizations(case: dict[str, Any], normalizer: Normalizer, structurer: Structurer,
                       extractor: UnitExtractor) -> None:
    doc = _doc(normalizer, structurer, case["text"], case["region"])
    assert [[o.span.text, o.canonical] for o in extractor.organizations(doc)] == case["orgs"]


def test_table_is_large_enough() -> None:
    cases = TABLE["cases"]
    assert len(cases) >= 80
    assert sum(1 for c in cases if not c["units"]) >= 10  # sentences that must yield nothing
    assert any(any("\u4e00" <= ch <= "\u9fff" and ch in "縣牽責" for ch in c["text"]) for c in cases)


def test_lexicon_size(extractor: UnitExtractor) -> None:
    fulls = {t[0] for t in extractor.g.types.values()}
    assert len(fulls) >= 150
    assert len(extractor.g.types) >= 300


def test_user_words(extractor: UnitExtractor) -> None:
    words = extractor.user_words()
    assert "发改局" in words and "人社局" in words


def test_trie_regex_prefers_longest() -> None:
    import re

    rx = re.compile(trie_regex(["委", "委办", "委办公室"]))
    assert [m.group(0) if (m := rx.match(w)) else None for w in ("委办公室", "委办")] == ["委办公室", "委办"]


def test_trie_regex_wide_nodes_match_as_plain_alternation() -> None:
    """A node with hundreds of alternatives is cut into buckets; every match stays the longest-first one."""
    import random
    import re

    rnd = random.Random(13)
    chars = [chr(0x4E00 + k) for k in range(300)]
    words = {"".join(rnd.choice(chars) for _ in range(rnd.randint(1, 4))) for _ in range(3000)}
    trie = trie_regex(words)
    assert "(?=[" in trie  # the wide root is bucketed
    rx = re.compile(f"(?:{trie}){{0,2}}{trie}")
    plain = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    ref = re.compile(f"(?:{plain}){{0,2}}(?:{plain})")
    text = "".join(rnd.choice(chars[:320]) for _ in range(5000))
    assert [m.span() for m in rx.finditer(text)] == [m.span() for m in ref.finditer(text)]

def test_seed_004_offsets(normalizer: Normalizer, structurer: Structurer, extractor: UnitExtractor) -> None:
    """Traditional-character seed: every span maps back to the original characters."""
    path = Path(__file__).resolve().parent.parent.parent / "corpus" / "seeds" / "004_b2362a690fe9adf5.txt"
    with path.open(encoding="utf-8", newline="") as fh:
        original = fh.read()
    doc = structurer.build("004", str(path), normalizer.normalize(original))
    rs = extractor.responsibilities(doc)
    assert len(rs) > 300
    assert all(original[r.span.start:r.span.end] == r.span.text for r in rs)
    assert {r.role for r in rs} == {"lead", "co", "joint"}


def test_the_township_is_the_documents(normalizer: Normalizer, structurer: Structurer,
                                       extractor: UnitExtractor) -> None:
    """The unit stage reads the township the structure stage found (PolicyDoc.town), once per document."""
    from pipeline.stages.towns import Town

    doc = _doc(normalizer, structurer, "3.化解矛盾纠纷。(青石派出所、镇司法所负责)", "county")
    assert doc.town is None
    assert [r.canonical for r in extractor.responsibilities(doc)] == ["青石派出所", "镇司法所"]
    doc.town = Town("青石镇", "溆浦县", "怀化市")
    assert [r.canonical for r in extractor.responsibilities(doc)] == ["溆浦县公安局青石派出所", "溆浦县司法局青石司法所"]
