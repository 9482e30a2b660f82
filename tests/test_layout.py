"""The package's layout: modules import downward only, with no import circles."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "autograd_lite"


def _imports() -> dict[str, set[str]]:
    """Every module's imports of the package's own modules (annotations-only ones included)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        here = parts[:-1]  # the package the module is in
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = here[:len(here) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
                if node.module:
                    targets.add(module)
                else:
                    targets.update(f"{module}.{a.name}" for a in node.names)
        if not is_package:  # a package's __init__ re-exports; it is not a layer
            graph[name] = targets
    return graph


def test_no_module_of_the_package_takes_part_in_an_import_circle():
    graph = _imports()
    assert "autograd_lite.value" in graph and "autograd_lite.nn.training" in graph
    circles = []
    for start in graph:
        stack, seen = [(start, (start,))], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    circles.append(" -> ".join((*path, nxt)))
                elif nxt not in seen and nxt in graph:
                    seen.add(nxt)
                    stack.append((nxt, (*path, nxt)))
    assert circles == []


def test_the_engine_imports_only_what_lies_beneath_it():
    graph = _imports()
    beneath = {"autograd_lite.ops", "autograd_lite.checks", "autograd_lite.scopes", "autograd_lite.node"}
    assert graph["autograd_lite.value"] <= beneath
    assert graph["autograd_lite.ops"] == set()
    assert "autograd_lite.value" in graph["autograd_lite.fastpath"]


def test_value_py_is_the_algorithm_in_well_under_300_lines():
    lines = (PACKAGE / "value.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 300
    text = "\n".join(lines)
    # the documented backward is the plain loop, in value.py itself
    assert "for node in reversed(order):" in text
    assert "parent.grad += node.grad * local" in text
    assert "exec(" not in text
