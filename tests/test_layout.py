"""The package's layout: each room imports only from the rooms beneath it, and nothing goes round in a circle.

The rooms, from the bottom up (DESIGN.md's arrows):

    core  <-  transforms  <-  fast  <-  views  <-  nn  <-  explorer  <-  cli

``autograd_lite/__init__.py`` is the public face (it re-exports from every room),
``__main__.py`` starts the command line and ``datasets.py`` is the public name of
``nn.datasets``: those three stand above the rooms. Package ``__init__`` modules
count like any module (an import of ``autograd_lite.explorer`` runs
``explorer/__init__.py``), and so do imports made lazily inside a function or
only for type checkers.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "autograd_lite"
ROOMS = ("core", "transforms", "fast", "views", "nn", "explorer", "cli")
ABOVE_THE_ROOMS = {"autograd_lite", "autograd_lite.__main__", "autograd_lite.datasets"}


def _module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _imports() -> dict[str, set[str]]:
    """Every module's imports of the package's own modules, package ``__init__`` modules included."""
    modules = _module_names()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name.split(".") if is_package else name.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = ".".join(here[:len(here) - node.level + 1] + ([node.module] if node.module else []))
                if node.module:
                    targets.add(base)
                for alias in node.names:  # `from .. import pictures` imports the module pictures
                    if f"{base}.{alias.name}" in modules:
                        targets.add(f"{base}.{alias.name}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd_lite"):
                targets.add(node.module)  # type: ignore[arg-type]
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("autograd_lite"))
        missing = {t for t in targets if t not in modules and t.rsplit(".", 1)[0] not in modules}
        if missing:
            raise AssertionError(f"{name} imports {sorted(missing)}, which the package does not have")
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _room(module: str) -> int | None:
    parts = module.split(".")
    return ROOMS.index(parts[1]) if len(parts) > 1 and parts[1] in ROOMS else None


def test_every_module_lives_in_a_room_or_is_the_public_face():
    homeless = [m for m in _imports() if _room(m) is None and m not in ABOVE_THE_ROOMS]
    assert homeless == []


def test_imports_run_downward_only():
    upward = []
    for module, targets in _imports().items():
        mine = _room(module)
        if mine is None:
            continue
        upward += [f"{module} -> {t}" for t in targets if (_room(t) is None or _room(t) > mine)]
    assert upward == []


def _circles(graph: dict[str, set[str]]) -> list[str]:
    circles = []
    for start in graph:
        stack, seen = [(start, (start,))], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    circles.append(" -> ".join((*path, nxt)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, (*path, nxt)))
    return circles


def test_no_module_of_the_package_takes_part_in_an_import_circle():
    graph = _imports()
    assert "autograd_lite.core.value" in graph and "autograd_lite.nn.training" in graph
    assert _circles(graph) == []


def test_the_checks_see_a_circle_through_a_package_init(tmp_path, monkeypatch):
    """The old test dropped ``__init__`` modules and missed trace -> explorer -> trace."""
    package = tmp_path / "autograd_lite"
    (package / "views").mkdir(parents=True)
    (package / "explorer").mkdir()
    (package / "__init__.py").write_text("")
    (package / "views" / "__init__.py").write_text("")
    (package / "views" / "steps.py").write_text("def page():\n    from ..explorer import page_of\n")
    (package / "explorer" / "__init__.py").write_text("from .pages import page_of\n")
    (package / "explorer" / "pages.py").write_text("from ..views import steps\n")
    monkeypatch.setitem(globals(), "PACKAGE", package)
    graph = _imports()
    assert graph["autograd_lite.views.steps"] == {"autograd_lite.explorer"}
    assert _circles(graph) != []
    monkeypatch.setitem(globals(), "_imports", lambda: graph)
    try:
        test_imports_run_downward_only()
    except AssertionError as upward:
        assert "autograd_lite.views.steps -> autograd_lite.explorer" in str(upward)
    else:  # pragma: no cover - the planted upward import must be found
        raise AssertionError("views -> explorer went unseen")


def test_the_engine_core_imports_nothing_above_it_and_the_table_nothing_at_all():
    graph = _imports()
    assert all(_room(t) == 0 for t in graph["autograd_lite.core.value"])
    assert {t for t in graph["autograd_lite.core.ops"]} <= {"autograd_lite.core.rules"}
    assert "autograd_lite.core.value" in graph["autograd_lite.fast.fastpath"]


def test_the_public_imports_are_unchanged_by_the_rooms():
    """``from autograd_lite import …`` keeps every name it had before the reorganisation."""
    import autograd_lite
    from autograd_lite import datasets, explorer, nn

    before = {"OPS", "DivisionByZero", "DomainError", "EvaluationTrace", "GradcheckError", "GraphvizNotFound",
              "Op", "OpTest", "Program", "StructureChanged", "Trace", "Value", "apply", "cos", "define_op", "dot",
              "draw_dot", "elu", "evaluation_trace", "exp", "gelu", "grad", "gradcheck", "gradgradcheck",
              "hessian", "hvp", "jacobian", "jvp", "leaky_relu", "local_derivatives", "log", "log_softmax",
              "maximum", "minimum", "relu", "remove_op", "scope", "sigmoid", "silu", "sin", "softmax",
              "softplus", "sqrt", "sum_of", "tan", "tanh", "to_floats", "topological_order", "trace_backward",
              "trace_of", "compile", "fastpath"}
    assert before <= set(dir(autograd_lite))
    assert datasets.make_moons is nn.datasets.make_moons and callable(explorer.trace_page)
    # the old names of the two traces are aliases of the new ones for one release
    assert autograd_lite.Trace is autograd_lite.BackwardSteps
    assert autograd_lite.trace_backward is autograd_lite.backward_steps
    assert autograd_lite.trace_of is autograd_lite.evaluation_trace_of
