"""Packaging: the wheel carries the lexicons and runs ``extract`` in a fresh venv; the build prints no
deprecation banner; ``make extract`` installs the runtime only and ``make test`` adds the dev tools."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SEED_004

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A wheel built from a copy of the repository's tracked sources (no network: the venv's setuptools)."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("pipeline", "lexicons"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation",
                           "--no-index", "-w", str(base / "dist"), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (whl,) = (base / "dist").glob("policy_extract-*.whl")
    return whl, done.stdout + done.stderr


def test_the_build_prints_no_deprecation_banner(wheel: tuple[Path, str]) -> None:
    _, log = wheel
    assert "deprecated" not in log.lower() and "SetuptoolsDeprecationWarning" not in log


def test_the_wheel_installs_into_a_fresh_venv_and_extracts_a_seed(wheel: tuple[Path, str], tmp_path: Path) -> None:
    whl, _ = wheel
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    py = env / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
                           "--quiet", str(whl)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    # the dependencies come from this venv's site-packages (a plain path, so its editable install of
    # pipeline is not seen); pipeline itself must come from the wheel
    fresh_site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                     capture_output=True, text=True, check=True).stdout.strip())
    (fresh_site / "zz_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    where = subprocess.run([str(py), "-c", "import pipeline; print(pipeline.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(fresh_site), where
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(SEED_004, inp / "004.txt")
    run = subprocess.run([str(env / "bin" / "policy-extract"), "extract", str(inp), "--out", str(tmp_path / "out"),
                          "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    targets = pd.read_parquet(tmp_path / "out" / "targets.parquet")
    assert len(targets) > 5


def make_commands(target: str) -> str:
    done = subprocess.run(["make", "-n", "-B", target, "VENV=/nonexistent-venv"], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_extract_installs_the_runtime_only_and_make_test_the_dev_tools() -> None:
    extract = [ln for ln in make_commands("extract").splitlines() if "pip install" in ln and "-e" in ln]
    assert extract and all("[" not in ln for ln in extract), extract  # no extra at all
    test = [ln for ln in make_commands("test").splitlines() if "pip install" in ln and "-e" in ln]
    assert any("[dev" in ln for ln in test), test  # .[dev] or .[dev,ner]
