"""The output folder lock and the store check: a second run, or a program holding the store, stops before
the work with one line naming the holder (exit 2), or waits with --wait; nothing already written is lost."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd

from pipeline.cli import main
from pipeline.io.outlock import LOCK_NAME
from pipeline.io.store import DB_NAME

ROOT = Path(__file__).resolve().parent.parent.parent
TEXT = "一、目标任务\n（一）到2025年，全县规模工业增加值增长8%以上。（县工信局牵头）\n"

HOLD_LOCK = """
import sys, time
from pathlib import Path
from pipeline.io.outlock import OutLock
lock = OutLock(Path(sys.argv[1])); lock.acquire(False, print)
print("ready", flush=True); time.sleep(float(sys.argv[2])); lock.release()
"""
HOLD_STORE = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("ready", flush=True); time.sleep(float(sys.argv[2])); con.close()
"""


def holder(script: str, target: Path, seconds: float) -> subprocess.Popen[str]:
    p = subprocess.Popen([sys.executable, "-c", script, str(target), str(seconds)], cwd=ROOT,
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    return p


def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    for d, text in ((a, TEXT), (b, TEXT.replace("8%", "9%"))):
        d.mkdir()
        (d / "plan.txt").write_text(text, encoding="utf-8")
    assert main(["extract", str(a), "--out", str(out), "--quiet", "--no-report"]) == 0
    return a, b, out


def test_a_second_run_exits_2_naming_the_first(tmp_path: Path, capsys) -> None:
    _, b, out = folders(tmp_path)
    before = (out / DB_NAME).read_bytes()
    p = holder(HOLD_LOCK, out, 30)
    try:
        assert main(["extract", str(b), "--out", str(out), "--no-report"]) == 2
    finally:
        p.kill()
        p.wait()
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"pid {p.pid}" in err and "--wait" in err, err
    assert "started" in err and "documents:" not in err  # checked before the work: no document was read
    assert (out / DB_NAME).read_bytes() == before
    assert (out / LOCK_NAME).exists()


def test_wait_lets_the_first_run_finish(tmp_path: Path, capsys) -> None:
    _, b, out = folders(tmp_path)
    p = holder(HOLD_LOCK, out, 1.5)
    try:
        assert main(["extract", str(b), "--out", str(out), "--no-report", "--wait"]) == 0
    finally:
        p.wait()
    assert "waiting for the other run" in capsys.readouterr().err
    assert sorted(pd.read_parquet(out / "documents.parquet")["source"]) == ["a/plan.txt", "b/plan.txt"]


def test_a_program_holding_the_store_is_named_before_the_work(tmp_path: Path, capsys) -> None:
    _, b, out = folders(tmp_path)
    capsys.readouterr()
    before = (out / DB_NAME).read_bytes()
    p = holder(HOLD_STORE, out / DB_NAME, 30)
    try:
        assert main(["extract", str(b), "--out", str(out), "--no-report"]) == 2
    finally:
        p.kill()
        p.wait()
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"pid {p.pid}" in err and "--wait" in err, err
    assert "documents:" not in err
    assert (out / DB_NAME).read_bytes() == before
    assert list(pd.read_parquet(out / "documents.parquet")["source"]) == ["a/plan.txt"]


def test_wait_for_a_program_holding_the_store(tmp_path: Path, capsys) -> None:
    _, b, out = folders(tmp_path)
    p = holder(HOLD_STORE, out / DB_NAME, 1.5)
    done: list[int] = []
    th = threading.Thread(target=lambda: done.append(
        main(["extract", str(b), "--out", str(out), "--no-report", "--wait"])))
    th.start()
    th.join(60)
    p.wait()
    assert done == [0]
    assert "waiting for" in capsys.readouterr().err
    assert sorted(pd.read_parquet(out / "documents.parquet")["source"]) == ["a/plan.txt", "b/plan.txt"]
