"""``extract`` over several folders: sources keep same-named files apart, identical files are one document,
changed files are said, skipped files are listed, bad output folders and held stores stop before the work."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.io.store import DB_NAME

PLAN_A = "一、目标任务\n（一）到2025年，全县规模工业增加值增长8%以上。（县工信局牵头）\n"
PLAN_B = "一、目标任务\n（一）2024年底前，城乡低保标准提高到每人每月700元以上。（县民政局牵头）\n"


def put(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def extract(*argv: str | Path) -> int:
    return main(["extract", *map(str, argv), "--no-report"])


def table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{name}.parquet")


def test_two_counties_with_the_same_file_name_both_stay(tmp_path: Path, capsys) -> None:
    a, b, out = tmp_path / "countyA", tmp_path / "countyB", tmp_path / "out"
    put(a, "plan.txt", PLAN_A)
    put(b, "plan.txt", PLAN_B)
    assert extract(a, "--out", out) == 0
    assert extract(b, "--out", out) == 0
    docs = table(out, "documents")
    assert sorted(docs["source"]) == ["countyA/plan.txt", "countyB/plan.txt"]
    assert len(set(docs["doc_id"])) == 2
    assert set(table(out, "tasks")["doc_id"]) == set(docs["doc_id"])
    assert "replaced" not in capsys.readouterr().err


def test_a_changed_file_replaces_its_rows_and_the_summary_says_so(tmp_path: Path, capsys) -> None:
    a, out = tmp_path / "countyA", tmp_path / "out"
    plan = put(a, "plan.txt", PLAN_A)
    assert extract(a, "--out", out) == 0
    capsys.readouterr()
    plan.write_text(PLAN_B, encoding="utf-8")
    assert extract(a, "--out", out) == 0
    err = capsys.readouterr().err
    assert "replaced 1 changed file(s)" in err and "countyA/plan.txt" in err
    docs = table(out, "documents")
    assert list(docs["source"]) == ["countyA/plan.txt"] and len(docs) == 1
    assert list(table(out, "tasks")["doc_id"].unique()) == list(docs["doc_id"])


def test_same_named_folders_need_a_collection(tmp_path: Path, capsys) -> None:
    one, two, out = tmp_path / "x" / "in", tmp_path / "y" / "in", tmp_path / "out"
    put(one, "plan.txt", PLAN_A)
    put(two, "plan.txt", PLAN_B)
    assert extract(one, "--out", out, "--quiet") == 0
    capsys.readouterr()
    before = (out / DB_NAME).read_bytes()
    assert extract(two, "--out", out, "--quiet") == 2  # refused before any work, store untouched
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--collection" in err and "in/plan.txt" in err
    assert (out / DB_NAME).read_bytes() == before
    assert extract(two, "--out", out, "--quiet", "--collection", "countyB") == 0
    assert sorted(table(out, "documents")["source"]) == ["countyB/plan.txt", "in/plan.txt"]


def test_identical_files_are_one_document_with_several_sources(tmp_path: Path) -> None:
    inp, mirror, out, single = tmp_path / "in", tmp_path / "mirror", tmp_path / "out", tmp_path / "single"
    put(inp, "plan.txt", PLAN_A)
    put(inp, "sub/copy of plan.txt", PLAN_A)
    put(single, "plan.txt", PLAN_A)
    assert extract(single, "--out", tmp_path / "ref", "--quiet") == 0
    ref = {t: len(table(tmp_path / "ref", t)) for t in ("tasks", "targets", "deadlines", "responsibilities")}
    assert ref["targets"] > 0
    assert extract(inp, "--out", out, "--quiet") == 0
    docs = table(out, "documents")
    assert len(docs) == 1 and docs.loc[0, "source"] == "in/plan.txt"
    for t, n in ref.items():
        assert len(table(out, t)) == n, t
    srcs = table(out, "document_sources")
    assert sorted(srcs["source"]) == ["in/plan.txt", "in/sub/copy of plan.txt"]
    assert set(srcs["doc_id"]) == set(docs["doc_id"])
    assert all(Path(p).is_absolute() for p in srcs["path"])
    # the same bytes found later elsewhere: one more source, still one set of rows
    put(mirror, "镜像.txt", PLAN_A)
    assert extract(mirror, "--out", out, "--quiet") == 0
    assert len(table(out, "documents")) == 1 and len(table(out, "document_sources")) == 3
    for t, n in ref.items():
        assert len(table(out, t)) == n, t
    con = duckdb.connect(str(out / DB_NAME), read_only=True)
    assert con.execute("SELECT count(*) FROM commitments").fetchone() == (ref["targets"],)
    con.close()


def test_unsupported_files_and_unreadable_folders_are_listed(tmp_path: Path, capsys, monkeypatch) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    put(inp, "a.txt", PLAN_A)
    put(inp, "B.HTML", f"<html><body><p>{PLAN_B}</p></body></html>")
    for name in ("old.doc", "sheet.xlsx", "x.wps", "OLD2.DOC"):
        (inp / name).write_bytes(b"\xd0\xcf\x11\xe0")
    (inp / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path=".", *a, **k):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *a, **k)

    monkeypatch.setattr(os, "scandir", scandir)
    assert extract(inp, "--out", out) == 3  # like an unreadable file: the rest is written, the exit says so
    err = capsys.readouterr().err
    assert "documents: 2 ok, 0 failed" in err
    assert "skipped 5 (not read)" in err
    lines = {ln.strip().split(":")[0].rsplit("/", 1)[-1]: ln for ln in err.splitlines() if ln.startswith("  ")}
    assert "save it as .docx" in lines["old.doc"] and "save it as .docx" in lines["OLD2.DOC"]
    assert "spreadsheet" in lines["sheet.xlsx"] and "WPS" in lines["x.wps"]
    assert "cannot read folder" in lines["locked"]
    assert len(table(out, "documents")) == 2


def test_only_unsupported_files_is_a_usage_error_that_says_why(tmp_path: Path, capsys) -> None:
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    assert extract(tmp_path, "--out", tmp_path / "out") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "old.doc" in err and ".docx" in err


@pytest.mark.parametrize("case", ["file", "below_file"])
def test_out_that_is_a_file_is_one_line_exit_2(tmp_path: Path, capsys, case: str) -> None:
    inp = tmp_path / "in"
    put(inp, "a.txt", PLAN_A)
    f = tmp_path / "f"
    f.write_text("x")
    out = f if case == "file" else f / "sub"
    assert extract(inp, "--out", out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and ("is a file" in err or "below a file" in err)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    inp, ro = tmp_path / "in", tmp_path / "ro"
    put(inp, "a.txt", PLAN_A)
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert extract(inp, "--out", ro / "out") == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    finally:
        ro.chmod(0o755)


def test_read_only_out_as_seen_by_access_is_one_line_exit_2(tmp_path: Path, capsys, monkeypatch) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    put(inp, "a.txt", PLAN_A)
    out.mkdir()
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != out)
    assert extract(inp, "--out", out) == 2
    assert "not writable" in capsys.readouterr().err


def test_a_corrupt_store_is_named_and_never_overwritten(tmp_path: Path, capsys) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    put(inp, "a.txt", PLAN_A)
    out.mkdir()
    junk = b"not a database " * 500
    (out / DB_NAME).write_bytes(junk)
    assert extract(inp, "--out", out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a readable DuckDB store" in err and "mv " in err
    assert (out / DB_NAME).read_bytes() == junk


def test_output_files_respect_the_umask(tmp_path: Path) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    put(inp, "a.txt", PLAN_A)
    put(inp, "b.html", f"<html><body><p>{PLAN_B}</p></body></html>")
    old = os.umask(0o022)
    try:
        assert main(["extract", str(inp), "--out", str(out), "--quiet"]) == 0
    finally:
        os.umask(old)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".csv" for p in files) and any(p.parent.name == "report" for p in files)
    assert any(p.parent.name == "text" for p in files)
    assert (out / "policy.xlsx").is_file()
    for p in files:
        assert p.stat().st_mode & 0o044 == 0o044, (p, oct(p.stat().st_mode))
    (out / "policy.xlsx").unlink()
    assert main(["extract", str(inp), "--out", str(out), "--quiet", "--no-xlsx", "--no-report"]) == 0
    assert not (out / "policy.xlsx").exists() and (out / "targets.csv").is_file()


NO_REGION = "一、重点任务\n（一）加快农村公路建设，年底前完成。（县交通运输局牵头）\n"
OWN_REGION = "溆浦县人民政府办公室关于印发实施方案的通知\n一、重点任务\n（一）加快农村公路建设。（县交通运输局牵头）\n"


def leads(out: Path) -> dict[str, str]:
    docs = table(out, "documents").set_index("doc_id")["source"]
    resp = table(out, "responsibilities")
    return {docs[d]: c for d, c in zip(resp["doc_id"], resp["canonical"], strict=True)}


def test_region_from_the_command_line_and_a_folder_sidecar(tmp_path: Path, capsys) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    put(inp, "a.txt", NO_REGION)
    put(inp, "own.txt", OWN_REGION)
    put(inp, "pingyang/b.txt", NO_REGION + "\n")
    put(inp, "pingyang/deeper/c.txt", NO_REGION + "\n\n")
    put(inp, "pingyang/policy-extract.yaml", "region: 温州市平阳县\n")
    assert extract(inp, "--out", tmp_path / "bare", "--quiet") == 0
    assert leads(tmp_path / "bare")["in/a.txt"] == "县交通运输局"
    assert extract(inp, "--out", out, "--region", "苍南县") == 0
    got = leads(out)
    assert got["in/a.txt"] == "苍南县交通运输局"
    assert got["in/pingyang/b.txt"] == got["in/pingyang/deeper/c.txt"] == "平阳县交通运输局"
    assert got["in/own.txt"] == "溆浦县交通运输局"  # a document that names its region keeps it
    docs = table(out, "documents").set_index("source")
    assert docs.loc["in/a.txt", "county"] == "苍南县" and docs.loc["in/a.txt", "city"] == "温州市"
    err = capsys.readouterr().err
    assert "policy-extract.yaml" not in err and "no region" not in err  # the sidecar is no skipped document


def test_documents_without_a_region_are_counted_in_the_summary(tmp_path: Path, capsys) -> None:
    inp = tmp_path / "in"
    put(inp, "a.txt", NO_REGION)
    put(inp, "own.txt", OWN_REGION)
    assert extract(inp, "--out", tmp_path / "out") == 0
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if ln.startswith("no region"))
    assert "1 document(s)" in line and "in/a.txt" in line and "--region" in line


def test_a_national_document_needs_no_region(tmp_path: Path, capsys) -> None:
    """Ministries are named without a region (国办发, pool f002): no hint to give such a document a county."""
    inp = tmp_path / "in"
    put(inp, "national.txt", "国务院办公厅关于深入开展消费扶贫的指导意见\n一、加快流通服务网络建设。（商务部、发展改革委、交通运输部负责）\n")
    put(inp, "no_units.txt", "关于做好防汛工作的通知\n请各地做好准备。\n")
    assert extract(inp, "--out", tmp_path / "out") == 0
    assert "no region" not in capsys.readouterr().err


@pytest.mark.parametrize("how", ["option", "sidecar", "ambiguous"])
def test_an_unknown_region_is_one_line_exit_2(tmp_path: Path, capsys, how: str) -> None:
    inp = tmp_path / "in"
    put(inp, "a.txt", NO_REGION)
    argv = ["--region", "不存在县"] if how == "option" else ["--region", "鼓楼区"] if how == "ambiguous" else []
    if how == "sidecar":
        put(inp, "policy-extract.yaml", "region: 不存在县\n")
    assert extract(inp, "--out", tmp_path / "out", *argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and ("不存在县" in err or "鼓楼区" in err)
    assert not (tmp_path / "out").exists()


def test_jobs_1_writes_rows_in_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14.8: with --jobs 1 too, rows are written by a worker as documents finish (parts), so the
    parent holds summaries, not every result."""
    import pipeline.io.parts as parts
    from pipeline.cli import main

    calls: list[int] = []
    real = parts.run_parts

    def spy(*a: object, **k: object) -> object:
        calls.append(1)
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(parts, "run_parts", spy)
    inp = tmp_path / "in"
    inp.mkdir()
    for i in range(3):
        (inp / f"d{i}.txt").write_text(f"县发改局牵头推进第{i}项工作,年底前完成。\n", encoding="utf-8")
    assert main(["extract", str(inp), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet", "--no-report"]) == 0
    assert calls == [1]
