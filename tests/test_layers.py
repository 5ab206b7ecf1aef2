"""The floor plan, checked: no package imports a package above it, no hidden imports.

Layers, lowest first (docs/architecture.md, "Import rules"):

0. ``foundation``: settings, database, clock, outbox, claim/lock, domain reader. Imports nothing of
   the project.
1. ``integrations``: HTTP clients of external systems and of Rasa's HTTP API. Never rasa_sdk.
2. features: ``actions``, ``channels``, ``components``, ``privacy``, ``signals``, ``webchat``,
   ``workbench``, ``scaling``. They import the two floors below and each other without package
   cycles.
3. ``app`` (the composition root ``app/registry.py`` and the processes) and ``scripts``.

``backend`` is the stand-in of external systems: it imports nothing of the assistant, and nothing
of the assistant imports it. Tests may import anything.

A function-local import of a project module hides a dependency; it is allowed only with a
comment on its line (or the line above) saying which import cycle it breaks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS: dict[str, int] = {
    "foundation": 0,
    "integrations": 1,
    "actions": 2,
    "channels": 2,
    "components": 2,
    "privacy": 2,
    "signals": 2,
    "webchat": 2,
    "workbench": 2,
    "scaling": 2,
    "app": 3,
    "scripts": 3,
}
EXTERNAL = "backend"
PROJECT = set(LAYERS) | {EXTERNAL, "tests"}
NEVER = {"integrations": {"rasa_sdk"}, "foundation": {"rasa_sdk", "rasa"}}


def _sources() -> list[Path]:
    return sorted(
        path
        for top in (*LAYERS, EXTERNAL)
        for path in (ROOT / top).rglob("*.py")
        if "node_modules" not in path.parts
    )


def _imports(tree: ast.AST) -> list[tuple[ast.stmt, str]]:
    found: list[tuple[ast.stmt, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node, node.module))
    return found


def _package(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


PARSED = {path: ast.parse(path.read_text(encoding="utf-8")) for path in _sources()}


def _edges() -> list[tuple[str, str, str]]:
    """(importing package, imported top-level name, where) for every import in the tree."""
    edges = []
    for path, tree in PARSED.items():
        for node, name in _imports(tree):
            where = f"{path.relative_to(ROOT)}:{node.lineno} imports {name}"
            edges.append((_package(path), name.split(".")[0], where))
    return edges


def test_no_package_imports_a_package_above_it() -> None:
    wrong = [
        where
        for source, target, where in _edges()
        if source in LAYERS and target in LAYERS and target != source and LAYERS[target] > LAYERS[source]
    ]
    assert wrong == []


def test_the_backend_stand_in_and_the_assistant_do_not_import_each_other() -> None:
    wrong = [
        where
        for source, target, where in _edges()
        if (source == EXTERNAL and target in PROJECT and target != EXTERNAL)
        or (source in LAYERS and target == EXTERNAL)
    ]
    assert wrong == []


@pytest.mark.parametrize("package", sorted(NEVER))
def test_the_floors_never_import_rasa(package: str) -> None:
    wrong = [where for source, target, where in _edges() if source == package and target in NEVER[package]]
    assert wrong == []


def test_feature_packages_have_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for source, target, _ in _edges():
        if LAYERS.get(source) == 2 and LAYERS.get(target) == 2 and source != target:
            graph.setdefault(source, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted({f"{a} <-> {b}" for a, targets in graph.items() for b in targets if reaches(b, a, {b})})
    assert cycles == []


def _local_imports(path: Path, tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node, name in _imports(function):
                if name.split(".")[0] in PROJECT:
                    found.append((node.lineno, name))
    return sorted(set(found))


def test_function_local_imports_of_project_modules_say_which_cycle_they_break() -> None:
    unexplained = []
    for path, tree in PARSED.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for lineno, name in _local_imports(path, tree):
            context = " ".join(lines[max(0, lineno - 2) : lineno]).lower()
            if "cycle" not in context:
                unexplained.append(f"{path.relative_to(ROOT)}:{lineno} imports {name}")
    assert unexplained == []
