"""The package layout: no import cycles, the layer rule, and setup.py installing every package.

The import graph is read from the source with :mod:`ast` (every ``import`` statement,
including those inside functions, which are import-time dependencies too once called), over
``workbench/**`` and the catalogue ``problems/**`` (installed as ``workbench.problems``).
Layers follow the data flow (DESIGN.md): cards -> engine -> outputs -> cli, and the families
under ``problems/`` know nothing of claims, fits or outputs.
"""

from __future__ import annotations

import ast
import runpy
from pathlib import Path

import pytest
import setuptools

ROOT = Path(__file__).resolve().parent.parent
# Source folder -> installed package name (as setup.py maps them).
SOURCES = {"workbench": ROOT / "workbench", "workbench.problems": ROOT / "problems"}
LAYERS = {
    "workbench.cards": ("workbench.engine", "workbench.outputs", "workbench.cli"),
    "workbench.engine": ("workbench.outputs", "workbench.cli"),
    "workbench.outputs": ("workbench.cli",),
    "workbench.catalogue": ("workbench.cards", "workbench.engine", "workbench.outputs",
                            "workbench.cli"),
    "workbench.problems": ("workbench.cards", "workbench.engine", "workbench.outputs",
                           "workbench.cli"),
}
# Known breaks of the layer rule, each with its way out; an entry that no longer holds fails
# ``test_known_breaks_still_exist``, so the list only shrinks.
KNOWN_BREAKS: dict[tuple[str, str], str] = {}


def _skip(path: Path) -> bool:
    return any(part == "__pycache__" or part.startswith(".") for part in path.parts)


def modules() -> dict[str, Path]:
    """Every module of the installed ``workbench`` namespace, by dotted name."""
    found: dict[str, Path] = {}
    for package, folder in SOURCES.items():
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(folder)
            if _skip(relative):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST, typing_only: bool = False):
    """``(node, typing_only)`` for every import, noting those under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, typing_only
        elif _is_type_checking(child):
            for inner in child.body:
                yield from _import_nodes(ast.Module(body=[inner], type_ignores=[]), True)
            for inner in child.orelse:
                yield from _import_nodes(ast.Module(body=[inner], type_ignores=[]),
                                         typing_only)
        else:
            yield from _import_nodes(child, typing_only)


def imports(name: str, path: Path, known: set[str],
            with_typing: bool = True) -> set[str]:
    """The internal modules ``name`` imports (and the packages whose ``__init__`` that runs);
    ``with_typing=False`` leaves out imports under ``if TYPE_CHECKING:`` (never executed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if _is_package(path) else name.rpartition(".")[0]
    targets: set[str] = set()
    for node, typing_only in _import_nodes(tree):
        if typing_only and not with_typing:
            continue
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        for alias in node.names:
            submodule = f"{origin}.{alias.name}"
            targets.add(submodule if submodule in known else origin)
    edges = set()
    own_ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
    for target in targets:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):  # the target and the packages above it
            step = ".".join(parts[:i])
            if step in known and step not in own_ancestors:
                edges.add(step)
    edges.discard(name)
    return edges


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    """Every import, type-only ones included (the layer rule reads this)."""
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    for root in sorted(graph):
        if root in state:
            continue
        path, stack = [root], [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(sorted(graph.get(child, ()))))
    return None


def _breaks(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    found = set()
    for name, targets in graph.items():
        for layer, forbidden in LAYERS.items():
            if name == layer or name.startswith(layer + "."):
                found |= {(name, t) for t in targets
                          if any(t == f or t.startswith(f + ".") for f in forbidden)}
    return found


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_imports_are_resolved(tmp_path):
    source = tmp_path / "methods.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import kernels\n"
        "from .instances import Instance\n"
        "from ..helpers import tool\n"
        "import workbench.engine.fit\n"
        "if TYPE_CHECKING:\n"
        "    from workbench.outputs import figures\n"
        "def late():\n"
        "    from workbench.cli.main import main\n")
    known = {"workbench", "workbench.problems", "workbench.problems.fam",
             "workbench.problems.fam.kernels", "workbench.problems.fam.instances",
             "workbench.problems.fam.methods", "workbench.problems.helpers",
             "workbench.engine", "workbench.engine.fit", "workbench.outputs",
             "workbench.outputs.figures", "workbench.cli", "workbench.cli.main"}
    name = "workbench.problems.fam.methods"
    runtime = {"workbench.problems.fam.kernels", "workbench.problems.fam.instances",
               "workbench.problems.helpers", "workbench.engine", "workbench.engine.fit",
               "workbench.cli", "workbench.cli.main"}
    assert imports(name, source, known, with_typing=False) == runtime
    assert imports(name, source, known) == runtime | {"workbench.outputs",
                                                      "workbench.outputs.figures"}


def test_the_graph_is_read_correctly(graph):
    # Known edges, absolute and relative, so an empty graph cannot pass the tests below.
    assert "workbench.catalogue" in graph["workbench.cards.claims"]
    assert "workbench.problems.logistic.kernels" in graph["workbench.problems.logistic.methods"]
    assert "workbench.engine.fit" in graph["workbench.outputs.figures"]
    assert sum(len(targets) for targets in graph.values()) > 50


def test_no_import_cycles(graph):
    """On the full graph: a type-only or function-level import that closes a circle still
    ties the two modules together (one cannot be read, or changed, without the other)."""
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_layers(graph):
    broken = sorted(_breaks(graph) - set(KNOWN_BREAKS))
    assert not broken, "\n".join(f"{name} imports {target}" for name, target in broken)


def test_known_breaks_still_exist(graph):
    """Every listed break still exists (a fixed one must leave the list); with the list empty,
    the real graph has no break at all."""
    found = _breaks(graph)
    assert set(KNOWN_BREAKS) <= found, "fixed: remove it from KNOWN_BREAKS"
    if not KNOWN_BREAKS:
        assert found == set(), sorted(found)


def test_layer_check_finds_a_break_in_a_synthetic_graph():
    """The layer check is not blind: each forbidden direction it knows is reported, allowed
    ones (and a name merely sharing a prefix) are not."""
    assert LAYERS, "no layer rules to check"
    for layer, forbidden in LAYERS.items():
        for target in forbidden:
            inner = f"{target}.deep"
            graph = {f"{layer}.x": {inner}, f"{layer}x.y": {inner}, target: set()}
            assert _breaks(graph) == {(f"{layer}.x", inner)}, (layer, target)
    assert _breaks({"workbench.cards.claims": {"numpy", "workbench.errors"}}) == set()


def test_setup_installs_every_package_folder(monkeypatch):
    """Run setup.py's discovery (``setup`` captured, nothing built) and compare it with every
    source folder: a folder holding Python files must be a package (``__init__.py``), and
    every package must be installed under the ``workbench`` namespace, from its own folder."""
    captured: dict = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kwargs: captured.update(kwargs))
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(ROOT / "setup.py"))
    packages, package_dir = set(captured["packages"]), captured["package_dir"]
    assert all(p == "workbench" or p.startswith("workbench.") for p in packages), packages
    expected = {}
    for package, folder in SOURCES.items():
        for sub in [folder, *sorted(p for p in folder.rglob("*") if p.is_dir())]:
            relative = sub.relative_to(folder)
            if _skip(relative) or not any(sub.glob("*.py")):
                continue
            assert (sub / "__init__.py").is_file(), f"{sub} holds Python files but no __init__.py"
            expected[".".join([package, *relative.parts])] = sub
    assert set(expected) <= packages, sorted(set(expected) - packages)
    for name, folder in expected.items():
        assert (ROOT / package_dir[name]).resolve() == folder.resolve(), name
    assert {"workbench.problems.logistic", "workbench.problems.matrix_sensing"} <= packages


# Law kinds are objects in workbench/engine/laws.py; nothing else asks which kind it holds.
# The card layer (workbench/cards/) defines a law's shape and a claim's kind, upstream of them.
KIND_NAMES = {"power", "geometric", "growth", "floor"}
KIND_OBJECTS = {"POWER", "GEOMETRIC", "GROWTH", "FLOOR", "PowerKind", "GeometricKind",
                "GrowthKind", "FloorKind"}
KIND_OWNERS = ("workbench/engine/laws.py", "workbench/cards/")


def _kind_branches(tree: ast.AST) -> list[int]:
    """Lines that compare with a kind's name or object, ``isinstance`` a kind class, or key
    a dict by two or more kinds' names."""
    def names(node: ast.AST) -> set[str]:
        items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
        found = {i.value for i in items if isinstance(i, ast.Constant)} & KIND_NAMES
        objects = {i.id for i in items if isinstance(i, ast.Name)}
        objects |= {i.attr for i in items if isinstance(i, ast.Attribute)}
        return found | (objects & KIND_OBJECTS)

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
                names(side) for side in [node.left, *node.comparators]):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "isinstance" and len(node.args) == 2 \
                and names(node.args[1]):
            lines.append(node.lineno)
        elif isinstance(node, ast.Dict) and len(
                {k.value for k in node.keys if isinstance(k, ast.Constant)} & KIND_NAMES) >= 2:
            lines.append(node.lineno)
    return lines


def test_the_kind_branch_scan_finds_branches():
    source = ("if fit.model == 'power': pass\n"
              "ok = kind is POWER\n"
              "b = isinstance(k, (GrowthKind, int))\n"
              "judges = {'power': 1, 'floor': 2}\n"
              "x = model in ('geometric', 'growth')\n"
              "fine = {'floor': level, 'noise': 2}\n"
              "also = name == 'rate_constant' or curve.floor > 0\n")
    assert _kind_branches(ast.parse(source)) == [1, 2, 3, 4, 5]


def test_only_laws_branches_on_a_law_kind():
    found = []
    for path in sorted((ROOT / "workbench").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if _skip(path.relative_to(ROOT)) or relative.startswith(KIND_OWNERS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{relative}:{line}" for line in _kind_branches(tree)]
    assert not found, "branches on a law kind (make it a LawKind method): " + ", ".join(found)
