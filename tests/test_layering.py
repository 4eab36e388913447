"""The floors of DESIGN.md, read from the source with `ast`: a module imports only from its own
package or from floors below; no import cycle among `planner/` modules; below `planner/cli/`
every `planner` import is at the top of its module (not in a function, not under
`TYPE_CHECKING`); no command-line flag is named below `planner/cli/`."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "planner"

# Bottom to top. A package may import its own modules and any package on a lower floor, never
# a package on its own floor (the stages side by side) or above.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("__init__", "errors", "choices"),
    ("io", "notes"),
    ("erlang", "store"),
    ("history", "calendar", "staffing", "schedule", "simulate"),
    ("forecast", "scenario"),
    ("capacity", "intraday"),
    ("pipeline",),
    ("report",),
    ("accuracy",),
    ("jobs",),
    ("cli",),
    ("__main__",),
)
RANK = {name: rank for rank, names in enumerate(FLOORS) for name in names}


def module_names() -> dict[str, Path]:
    """`planner.x.y` -> its file, for every module of the package."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ("planner",) + path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = module_names()


def _known(name: str) -> str:
    """The module `name` refers to: itself, or the nearest enclosing module that exists."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


@functools.cache
def tree_of(module: str) -> ast.Module:
    """The parsed source of `module` (parsed once for every test here)."""
    path = MODULES[module]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@functools.cache
def imports_of(module: str) -> list[tuple[str, ast.stmt]]:
    """Every `planner` module that `module` imports, with the statement that imports it.
    `from planner.x import y` imports `planner.x.y` when that is a module, else `planner.x`."""
    path = MODULES[module]
    tree = tree_of(module)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "planner":
                    found.append((_known(alias.name), node))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "planner":
                continue
            subs = [f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in MODULES]
            found.extend((name, node) for name in subs)
            if len(subs) < len(node.names):
                found.append((_known(source), node))
    return [(name, node) for name, node in found if name != module]


def floor_of(module: str) -> str:
    """The floor's package (or top-level module) that `module` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_has_a_floor():
    unknown = sorted({floor_of(m) for m in MODULES} - set(RANK) - {"bundled"})
    assert not unknown, f"add these to FLOORS (tests/test_layering.py): {unknown}"


def test_imports_go_down_the_floors():
    wrong = []
    for module in MODULES:
        here = floor_of(module)
        for target, node in imports_of(module):
            there = floor_of(target)
            if there == here:
                continue
            if RANK[there] >= RANK[here]:
                wrong.append(f"{module}:{node.lineno} imports {target} (floor {there})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    graph = {m: sorted({t for t, _ in imports_of(m)}) for m in MODULES}
    cycles = _strongly_connected(graph)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """The components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    component.append(item)
                    if item == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}
    assert _strongly_connected(graph) == [["a", "b", "c"]]
    assert _strongly_connected({"a": ["b"], "b": []}) == []


def test_planner_imports_below_the_cli_are_at_the_top():
    nested = []
    for module, path in MODULES.items():
        if floor_of(module) in ("cli", "__main__"):
            continue
        for _, node in imports_of(module):
            if node.col_offset > 0:
                nested.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert not nested, "imports inside a function or under TYPE_CHECKING:\n" + "\n".join(
        sorted(set(nested))
    )


@pytest.mark.parametrize("floor", ["report", "accuracy", "jobs", "cli"])
def test_the_pipeline_imports_nothing_above_it(floor):
    for module in MODULES:
        if floor_of(module) == "pipeline":
            assert all(floor_of(t) != floor for t, _ in imports_of(module)), module


FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, nodes)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def test_no_flag_is_named_below_the_cli():
    """Only `planner/cli/` knows the flags: below it, an error names its parameter (which the
    CLI shows as its flag) and a note names no flag (docstrings may)."""
    named = []
    for module, path in MODULES.items():
        if floor_of(module) in ("cli", "__main__"):
            continue
        tree = tree_of(module)
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
                and FLAG.search(node.value)
            ):
                named.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {node.value!r}")
    assert not named, "\n".join(named)
