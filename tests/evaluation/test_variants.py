"""The variants of real documents (full-width, traditional, hard-wrapped) and their scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pipeline.evaluation.scorer import FIELDS, load_gold
from pipeline.evaluation.variants import Traditional, format_variants, fullwidth, score_variants, wrapped, write_variant

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_fullwidth_keeps_digit_separators() -> None:
    assert fullwidth("(牵头单位:县发改局;责任单位:县财政局),投资1,000万元,10:30前") == \
        "（牵头单位：县发改局；责任单位：县财政局），投资1,000万元，10:30前"


def test_traditional_keeps_every_length() -> None:
    text = "县发展和改革局牵头,2024年底前完成改造任务。"
    got = Traditional()(text)
    assert got == "縣發展和改革局牽頭,2024年底前完成改造任務。" and len(got) == len(text)


def test_wrapped_breaks_long_prose_lines_only_outside_the_kept_strings() -> None:
    text = "一、重点任务\n" + "全县新建5G基站200个以上,由县工信局牵头负责推进," * 3 + "\n| 序号 | 任务 | " + "长" * 60 + " |\n"
    got = wrapped(text, ["县工信局"], width=20)
    assert got.replace("\n", "") == text.replace("\n", "")
    assert all(len(ln) <= 21 for ln in got.split("\n") if "|" not in ln)
    assert got.count("县工信局") == 3 and "| 序号 | 任务 | " + "长" * 60 + " |" in got.split("\n")


def test_every_gold_text_of_a_variant_still_resolves(tmp_path: Path) -> None:
    trad = Traditional()
    for name in ("fullwidth", "traditional", "wrapped"):
        dest = tmp_path / name
        assert write_variant(name, CORPUS / "real", CORPUS / "real" / "gold", dest, trad) == 30
        for gpath in sorted((dest / "gold").glob("*.gold.json")):
            doc = dest / json.loads(gpath.read_text(encoding="utf-8"))["doc"]
            load_gold(gpath, doc.read_text(encoding="utf-8"))  # raises GoldError on a text that no longer resolves


def test_the_variants_of_real_documents_score_as_the_documents(tmp_path: Path) -> None:
    """r02 (traditional, parenthesised lists), r19 (a pipe table), r28 (prose): a form must not change a score."""
    (tmp_path / "real" / "gold").mkdir(parents=True)
    for name in ("r02", "r19", "r28"):
        shutil.copy(CORPUS / "real" / f"{name}.txt", tmp_path / "real")
        shutil.copy(CORPUS / "real" / "gold" / f"{name}.gold.json", tmp_path / "real" / "gold")
    scores = score_variants(tmp_path)
    base = {f: (scores["original"][f].tp, scores["original"][f].n_pred) for f in FIELDS}
    assert sum(tp for tp, _ in base.values()) > 20
    for name in ("fullwidth", "traditional", "wrapped"):
        assert {f: (scores[name][f].tp, scores[name][f].n_pred) for f in FIELDS} == base, name
    assert format_variants(scores).splitlines()[1].startswith("original")
