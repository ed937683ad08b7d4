"""``--executor dask`` on a 2-worker LocalCluster writes the same tables as a local run."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.cli import main
from pipeline.store import DB_NAME, read_store
from tests.conftest import CORPUS


def _inputs(tmp: Path) -> Path:
    folder = tmp / "in"
    folder.mkdir()
    for p in sorted((CORPUS / "seeds").glob("*.txt"))[:3]:
        shutil.copy(p, folder / p.name)
    html = sorted(CORPUS.rglob("*.html"))[0]
    shutil.copy(html, folder / html.name)
    (folder / "empty.txt").write_bytes(b"")  # fails alone: a documents row with status=error
    return folder


def test_dask_local_cluster_tables_equal_a_local_run(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert main(["extract", str(folder), "--out", str(local), "--quiet"]) == 3
    assert main(["extract", str(folder), "--out", str(dask), "--quiet", "--executor", "dask", "--jobs", "2"]) == 3
    a, b = read_store(local / DB_NAME), read_store(dask / DB_NAME)
    assert a["documents"].num_rows == 5 and a["targets"].num_rows > 0
    for table in a:
        assert a[table].to_pylist() == b[table].to_pylist(), table
    assert not (dask / ".parts").exists()  # the workers' parts are merged, then removed
    assert sorted(p.name for p in (dask / "report").iterdir()) == sorted(p.name for p in (local / "report").iterdir())
    assert sorted(p.name for p in (dask / "text").iterdir()) == sorted(p.name for p in (local / "text").iterdir())
