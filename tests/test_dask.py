"""``--executor dask`` on a 2-worker LocalCluster writes the same tables as a local run."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.cli import main
from pipeline.io.store import DB_NAME, read_store
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


def _without_path(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in row.items() if k != "path"} for row in rows]


def test_dask_reads_fsspec_urls_like_local_files(tmp_path: Path) -> None:
    """Inputs given as a ``memory://`` URL: listed on the driver, read by the workers, the same tables."""
    import fsspec
    from distributed import LocalCluster

    folder = _inputs(tmp_path)
    (folder / "sub").mkdir()
    shutil.copy(sorted(folder.glob("*.txt"))[1], folder / "sub" / "again.txt")
    (folder / "notes.xls").write_bytes(b"x")  # skipped like in a local folder
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "x.txt").write_text("不读", encoding="utf-8")
    mem = fsspec.filesystem("memory")
    root = f"/policy-test-{tmp_path.name}/in"
    for p in folder.rglob("*"):
        if p.is_file():
            mem.pipe(f"{root}/{p.relative_to(folder).as_posix()}", p.read_bytes())
    local, remote = tmp_path / "local", tmp_path / "remote"
    try:
        assert main(["extract", str(folder), "--out", str(local), "--quiet"]) == 3
        # the memory filesystem is per process: the workers are threads of this one, and no child process reads
        # the documents (--doc-timeout 0; the limit's child process would see an empty memory filesystem)
        with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
            assert main(["extract", f"memory://{root}", "--out", str(remote), "--quiet", "--executor", "dask",
                         "--scheduler", cluster.scheduler_address, "--doc-timeout", "0"]) == 3
    finally:
        mem.rm(root, recursive=True)
    a, b = read_store(local / DB_NAME), read_store(remote / DB_NAME)
    assert a["documents"].num_rows == 5 and a["document_sources"].num_rows == 6
    for table in a:
        assert _without_path(a[table].to_pylist()) == _without_path(b[table].to_pylist()), table
    paths = sorted(r["path"] for r in b["document_sources"].to_pylist())
    assert f"memory://{root}/sub/again.txt" in paths and all(p.startswith(f"memory://{root}/") for p in paths)
    assert sorted(p.name for p in (remote / "text").iterdir()) == sorted(p.name for p in (local / "text").iterdir())


def test_url_inputs_need_the_dask_executor(tmp_path: Path) -> None:
    assert main(["extract", "memory:///nowhere", "--out", str(tmp_path / "o"), "--quiet"]) == 2


def test_a_file_url_lists_the_same_documents_as_its_folder(tmp_path: Path) -> None:
    from pipeline.io.ingest import iter_inputs, unsupported_reason
    from pipeline.io.remote import iter_url_inputs

    folder = _inputs(tmp_path)
    (folder / "gold").mkdir()
    (folder / "gold" / "a.txt").write_text("x", encoding="utf-8")
    (folder / "b").mkdir()
    (folder / "b" / "c.md").write_text("x", encoding="utf-8")
    (folder / "~$lock.docx").write_bytes(b"x")
    (folder / "t.xls").write_bytes(b"x")
    local_skipped: list[tuple[str, str]] = []
    url_skipped: list[tuple[str, str]] = []
    local = iter_inputs([folder], local_skipped)
    got = iter_url_inputs(folder.as_uri(), url_skipped)
    assert [s for _, s in got] == [s for _, s in local] and len(got) == 6
    assert [u for u, _ in got] == [p.resolve().as_uri() for p, _ in local]
    assert [r for _, r in url_skipped] == [r for _, r in local_skipped] == [unsupported_reason("t.xls")]
    one = (folder / "b" / "c.md").as_uri()
    assert iter_url_inputs(one) == [(one, "c.md")]
