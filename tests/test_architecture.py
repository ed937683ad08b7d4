"""The package's layering: argparse in the CLI layer only, no import cycle among the pipeline modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


def _modules() -> dict[str, Path]:
    """``pipeline.x.y`` → its file, for every module of the package."""
    mods = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return mods


def _is_cli(name: str) -> bool:
    return name == "pipeline.cli" or name.startswith("pipeline.cli_")


def _imports(path: Path, top_level_only: bool, known: dict[str, Path]) -> set[str]:
    """The pipeline modules ``path`` imports: at its top level only, or anywhere (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "pipeline":  # from pipeline import dataset
                found.update(f"pipeline.{a.name}" for a in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in known}


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    mods = _modules()
    return {name: _imports(path, top_level_only, mods) for name, path in mods.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (``[a, b, …, a]``), or [] when it has none."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return [*path[path.index(n):], n]
            if n not in state and (found := visit(n)):
                return found
        state[m] = 2
        path.pop()
        return []

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return []


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        for n in graph[todo.pop()]:
            if n == goal:
                return True
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return False


def test_argparse_only_in_the_cli_layer() -> None:
    users = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] == "argparse" for n in names) and not _is_cli(name):
                users.append(name)
    assert not users, f"argparse outside pipeline/cli*.py: {sorted(set(users))}"


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_at_module_level() -> None:
    graph = _graph(top_level_only=True)
    assert len(graph) > 40 and graph["pipeline.io.store"]  # the walk sees the package
    assert _cycle(graph) == []


def test_store_and_search_depend_one_way() -> None:
    """``store.save`` updates the search index; search.py gets the store's path by parameter."""
    graph = _graph(top_level_only=False)  # function-level imports included
    assert "pipeline.io.search" in graph["pipeline.io.store"]
    assert not _reaches(graph, "pipeline.io.search", "pipeline.io.store")


@pytest.mark.parametrize("tool", ["goldtool", "fuzz", "tabledigest"])
def test_tool_entry_points_parse_in_the_cli(tool: str) -> None:
    done = subprocess.run([sys.executable, "-m", f"pipeline.evaluation.{tool}", "--help"], capture_output=True, text=True,
                          check=False, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python -m pipeline.evaluation.{tool}")


def test_option_defaults_are_the_command_lines() -> None:
    """A library caller leaving an option out gets what the command line gives by default."""
    from dataclasses import fields

    from pipeline.cli import _parser
    from pipeline.evaluation.bench import BenchOptions
    from pipeline.evaluation.run import EvalOptions
    from pipeline.extract_cmd import ExtractOptions
    from pipeline.io.exports import ExportOptions

    cases: list[tuple[list[str], ExtractOptions | ExportOptions | BenchOptions | EvalOptions]] = [
        (["extract", "x"], ExtractOptions(paths=(Path("x"),))), (["export"], ExportOptions(out=Path("outputs"))),
        (["bench"], BenchOptions()), (["eval"], EvalOptions())]
    for argv, opts in cases:
        args = vars(_parser().parse_args(argv))
        for f in fields(opts):
            parsed = args[f.name]
            parsed = tuple(parsed) if isinstance(parsed, list) else () if parsed is None and f.name in ("docs", "gold") \
                else parsed
            assert getattr(opts, f.name) == parsed, (argv[0], f.name)
