"""End to end: the CLI over good and bad inputs; the offset rule on every row of every table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.io.tables import TABLES
from tests.conftest import CORPUS, SEED_004, read


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("e2e")
    inp = base / "in"
    (inp / "sub").mkdir(parents=True)
    shutil.copy(SEED_004, inp / "004.txt")
    shutil.copy(CORPUS / "dev" / "d01.txt", inp / "sub" / "d01.txt")
    (inp / "empty.txt").write_bytes(b"")
    (inp / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (inp / "gbk.txt").write_bytes("县发改局牵头,2024年底前完成。".encode("gb18030"))
    (inp / "big5.txt").write_bytes("縣財政局負責,2024年6月底前完成。".encode("big5"))
    (inp / "truncated.txt").write_bytes("规模工业增加值增长7%。".encode() + "县".encode()[:2])
    (inp / "broken.html").write_bytes(b"<html><body><p>\xe5\x8e\xbf\xe5\x8f\x91\xe6\x94\xb9\xe5\xb1\x80<div>")
    (inp / "notext.pdf").write_bytes(b"%PDF-1.4\n%broken")
    out = base / "out"
    code = main(["extract", str(inp), "--out", str(out), "--quiet"])
    assert code == 3  # some documents failed, the others are written
    return out


def test_every_document_gets_a_row(run_dir: Path) -> None:
    docs = pd.read_parquet(run_dir / "documents.parquet")
    docs = docs.set_index(docs["source"].str.removeprefix("in/"))
    assert set(docs.index) == {"004.txt", "sub/d01.txt", "empty.txt", "binary.txt", "gbk.txt", "big5.txt",
                               "truncated.txt", "broken.html", "notext.pdf"}
    assert docs.loc["empty.txt", "status"] == "error" and docs.loc["empty.txt", "error"].startswith("E001")
    assert docs.loc["binary.txt", "error"].startswith("E002")
    assert docs.loc["notext.pdf", "status"] == "error"
    assert docs.loc["gbk.txt", "encoding"] == "gb18030" and docs.loc["gbk.txt", "status"] == "ok"
    assert docs.loc["big5.txt", "status"] == "ok" and docs.loc["big5.txt", "script"] == "traditional"
    assert docs.loc["truncated.txt", "status"] == "ok"
    assert docs.loc["004.txt", "county"] == "溆浦县" and docs.loc["004.txt", "ref_year"] == 2024
    for err in docs["error"].dropna():
        assert "\n" not in err


def test_offsets_point_at_the_original_text(run_dir: Path) -> None:
    docs = pd.read_parquet(run_dir / "documents.parquet").set_index("doc_id")
    texts = {}
    for doc_id, row in docs.iterrows():
        if row["status"] == "ok" and row["source"] in ("in/004.txt", "in/sub/d01.txt"):
            texts[doc_id] = read(SEED_004 if row["source"] == "in/004.txt" else CORPUS / "dev" / "d01.txt")
    seen = 0
    for t in TABLES:
        if t in ("documents", "document_sources"):
            continue
        df = pd.read_parquet(run_dir / f"{t}.parquet")
        for row in df.itertuples():
            if row.doc_id in texts:
                assert texts[row.doc_id][row.start : row.end] == row.text, (t, row)
                seen += 1
    assert seen > 200


def test_traditional_seed_has_rows_in_every_extraction_table(run_dir: Path) -> None:
    docs = pd.read_parquet(run_dir / "documents.parquet")
    doc_id = docs.loc[docs["source"] == "in/004.txt", "doc_id"].item()
    for t in ("tasks", "responsibilities", "organizations", "deadlines", "figures", "targets"):
        df = pd.read_parquet(run_dir / f"{t}.parquet")
        assert (df["doc_id"] == doc_id).sum() > 5, t


def test_report_is_written_and_escaped(run_dir: Path) -> None:
    index = (run_dir / "report" / "index.html").read_text(encoding="utf-8")
    assert "004.txt" in index
    pages = list((run_dir / "report").glob("*.html"))
    assert len(pages) >= 9


def test_rerun_does_not_duplicate(run_dir: Path, tmp_path: Path) -> None:
    before = {t: len(pd.read_parquet(run_dir / f"{t}.parquet")) for t in TABLES}
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(SEED_004, inp / "004.txt")
    # another folder named in/: refused unless --collection says it is the same collection
    assert main(["extract", str(inp), "--out", str(run_dir), "--quiet", "--no-report"]) == 2
    assert main(["extract", str(inp), "--out", str(run_dir), "--quiet", "--no-report", "--collection", "in"]) == 0
    after = {t: len(pd.read_parquet(run_dir / f"{t}.parquet")) for t in TABLES}
    assert after == before


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert main(["extract", str(tmp_path / "missing"), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["extract"])
    assert exc.value.code == 2


def test_adding_a_folder_merges_and_the_index_lists_the_whole_store(run_dir: Path, tmp_path: Path) -> None:
    inp = tmp_path / "new"
    inp.mkdir()
    shutil.copy(CORPUS / "dev" / "d06.txt", inp / "d06.txt")
    assert main(["extract", str(inp), "--out", str(run_dir), "--quiet"]) == 0
    docs = pd.read_parquet(run_dir / "documents.parquet")
    assert {"new/d06.txt", "in/004.txt", "in/sub/d01.txt"} <= set(docs["source"])
    index = (run_dir / "report" / "index.html").read_text(encoding="utf-8")
    assert "new/d06.txt" in index and "in/004.txt" in index and "in/sub/d01.txt" in index


def one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_eval_bad_paths_and_no_gold_are_one_line_exit_2(tmp_path: Path, capsys) -> None:
    docs, gold = tmp_path / "docs", tmp_path / "gold"
    docs.mkdir()
    gold.mkdir()
    shutil.copy(SEED_004, docs / "a.txt")
    assert "no such folder" in one_line_exit_2(["eval", "--docs", "/nonexist", "--gold", str(gold)], capsys)
    assert "no such folder" in one_line_exit_2(["eval", "--docs", str(docs), "--gold", "/nonexist"], capsys)
    assert "no such folder" in one_line_exit_2(["eval", "--corpus", "/nonexist"], capsys)
    assert "gold" in one_line_exit_2(["eval", "--docs", str(docs), "--gold", str(gold)], capsys)


def test_bench_bad_paths_and_empty_folders_are_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert "no such file" in one_line_exit_2(["bench", "/nonexist"], capsys)
    assert "no supported documents" in one_line_exit_2(["bench", str(tmp_path)], capsys)
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["bench", str(tmp_path), "--mb", "0.01"]) == 2
    assert capsys.readouterr().err.strip().endswith("no readable text in the given documents")


def test_search_on_a_corrupt_store_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "policy.duckdb").write_bytes(b"not a database " * 500)
    assert "cannot read the store" in one_line_exit_2(["search", "低保", "--out", str(tmp_path)], capsys)


def test_cut_off_tail_is_named_in_the_documents_row(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    text = read(SEED_004)
    (src / "cut.txt").write_bytes(text.encode("utf-8") + "中".encode()[:2])
    assert main(["extract", str(src), "--out", str(tmp_path / "out"), "--quiet", "--no-report"]) == 0
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["warnings"].tolist() == ["tail of 2 bytes undecodable"]
    assert docs["n_chars"].tolist() == [len(text)]
