"""The task pack's grader: checks one task of a learner's directory, in a process of its own.

``python -m autograd_lite.cli.grading DIR TASK`` imports the learner's file for
TASK, runs its checks and writes one JSON object, ``{"task", "passed",
"message"}``, as the last line of standard output. What the learner's code
prints goes to standard error. :mod:`autograd_lite.cli.exercises` starts this
with a time limit, so an endless loop is reported rather than waited for.

Each task is checked against closed forms, finite differences and the real
engine on random graphs; the first failure is reported with the input that
failed, what came out, what was expected, and (for the typical mistakes) why.
"""

from __future__ import annotations

import importlib.util
import json
import math
import random
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from ..core.value import Value, local_derivatives, topological_order
from .taskpack import TASKS

__all__ = ["GradingFailure", "grade", "main"]

#: how deep the deep-graph checks go: beyond Python's recursion limit of about 1,000
DEEP = 5000
_DEPTH_HINT = (f"RecursionError on a graph {DEEP:,} nodes deep: Python stops a recursion at a depth of about "
               "1,000. Walk the graph with a loop and a list used as a stack instead of a recursive function")


class GradingFailure(Exception):
    """A check failed: the message says which input and how."""


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _n(x: float) -> str:
    return f"{x:.6g}"


# --- task 1: local derivative rules ------------------------------------------------------------

def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


# name -> (forward, closed forms of the local derivatives, formula text of each, argument names)
_RULES: dict[str, tuple[Callable[..., float], tuple[Callable[..., float], ...], tuple[str, ...], tuple[str, ...]]] = {
    "mul": (lambda a, b: a * b, (lambda a, b: b, lambda a, b: a), ("b", "a"), ("a", "b")),
    "div": (lambda a, b: a / b, (lambda a, b: 1 / b, lambda a, b: -a / b ** 2), ("1/b", "-a/b²"), ("a", "b")),
    "power": (lambda a, n: a ** n, (lambda a, n: n * a ** (n - 1),), ("n·a^(n−1)",), ("a", "n")),
    "tanh": (math.tanh, (lambda x: 1 - math.tanh(x) ** 2,), ("1 − tanh(x)²",), ("x",)),
    "sigmoid": (_sigmoid, (lambda x: _sigmoid(x) * (1 - _sigmoid(x)),), ("σ(x)·(1 − σ(x))",), ("x",)),
}


def _rule_points(name: str, rng: random.Random) -> Sequence[tuple[float, ...]]:
    if name == "power":
        return [(2.0, 3.0), (1.5, 2.0), (0.5, -1.0), (4.0, 0.5)] + [
            (round(rng.uniform(0.2, 3.0), 2), float(rng.choice([2, 3, 4, -2, 0.5]))) for _ in range(8)]
    if name in ("mul", "div"):
        points = [(1.5, -2.0), (-0.5, 3.0), (2.0, 0.25)]
        while len(points) < 12:
            a, b = round(rng.uniform(-3, 3), 2), round(rng.uniform(-3, 3), 2)
            if b != 0 and a != 0 and abs(a) != abs(b):
                points.append((a, b))
        return points
    return [(0.5,), (-1.25,), (2.0,), (0.0,)] + [(round(rng.uniform(-4, 4), 2),) for _ in range(8)]


def check_rules(module: ModuleType) -> str:
    rng = random.Random(1)
    for name, (forward, closed, formulas, args) in _RULES.items():
        function = _function(module, name)
        for point in _rule_points(name, rng):
            call = f"{name}({', '.join(f'{a}={_n(x)}' for a, x in zip(args, point))})"
            result = function(*point)
            wanted = len(closed)
            got = _numbers(result, wanted, call)
            expected = [c(*point) for c in closed]
            for k, (g, e) in enumerate(zip(got, expected)):
                if _close(g, e):
                    continue
                h = 1e-6
                moved = list(point)
                moved[k] += h
                up = forward(*moved)
                moved[k] -= 2 * h
                estimate = (up - forward(*moved)) / (2 * h)
                d = f"∂out/∂{args[k]}"
                why = ""
                if e != 0 and _close(g, -e):
                    why = ": the sign is wrong"
                elif wanted == 2 and _close(g, expected[1 - k]) and _close(got[1 - k], e):
                    why = f": you swapped ∂out/∂{args[0]} and ∂out/∂{args[1]}"
                raise GradingFailure(f"{call}: your {d} is {_n(g)}, expected {_n(e)} (the closed form "
                                     f"{formulas[k]}; finite differences give {_n(estimate)}){why}")
    return f"{len(_RULES)} ops, 12 points each, match their closed forms"


def _numbers(result: Any, count: int, call: str) -> list[float]:
    items = [result] if count == 1 and not isinstance(result, (tuple, list)) else result
    shape = "one number" if count == 1 else f"a tuple of {count} numbers"
    if not isinstance(items, (tuple, list)) or len(items) != count:
        raise GradingFailure(f"{call} should return {shape}; it returned {_shown(result)}")
    out = []
    for item in items:
        if isinstance(item, Value):
            item = item.data
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise GradingFailure(f"{call} should return {shape}; it returned {_shown(result)}")
        out.append(float(item))
    return out


def _shown(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:59] + "…"


# --- graphs to check on -----------------------------------------------------------------------

# A recipe builds the same graph twice: once for the learner, once for the engine.
Recipe = Callable[[], tuple[Value, list[Value]]]


def _named(root: Value) -> list[Value]:
    leaves = inner = 0
    order = topological_order(root)
    for node in order:
        if node.label:
            continue
        if node.is_leaf:
            leaves += 1
            node.label = f"c{leaves}" if node.is_constant else f"v{leaves}"
        else:
            inner += 1
            node.label = f"t{inner}"
    return order


def _square() -> tuple[Value, list[Value]]:
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    return y, _named(y)


def _reuse() -> tuple[Value, list[Value]]:
    a, b = Value(2.0, label="a"), Value(-1.5, label="b")
    y = a * b + a
    y.label = "y"
    return y, _named(y)


def _diamond() -> tuple[Value, list[Value]]:
    x = Value(0.5, label="x")
    u = x * 2.0
    u.label = "u"
    v = x.tanh()
    v.label = "v"
    y = u * v
    y.label = "y"
    return y, _named(y)


def _random_graph(seed: int) -> Recipe:
    def build() -> tuple[Value, list[Value]]:
        rng = random.Random(seed)
        nodes = [Value(round(rng.uniform(-1.5, 1.5), 2), label=name) for name in ("x", "y", "z")]
        for _ in range(rng.randrange(4, 25)):
            a, b = rng.choice(nodes), rng.choice(nodes)
            kind = rng.choice(["add", "mul", "tanh", "sigmoid", "addc"])
            node = (a + b if kind == "add" else a * b if kind == "mul" else a.tanh() if kind == "tanh"
                    else a.sigmoid() if kind == "sigmoid" else a + 0.5)
            nodes.append(node)
        root = nodes[-1] + nodes[-2] * nodes[3]  # several paths into the output
        root.label = "out"
        return root, _named(root)
    return build


def _chain() -> tuple[Value, list[Value]]:
    x = Value(0.3, label="x")
    v = x
    for _ in range(DEEP):
        v = v * 0.9995 + 0.001
    v.label = "out"
    return v, _named(v)


_GRAPHS: list[tuple[str, Recipe]] = [
    ("y = x*x (x used twice)", _square),
    ("y = a*b + a (a used twice)", _reuse),
    ("y = u*v with u = 2x, v = tanh(x) (a diamond)", _diamond),
    *[(f"random graph #{k}", _random_graph(k)) for k in range(1, 21)],
    (f"a chain {DEEP:,} nodes deep", _chain),
]


def _describe(desc: str, order: Sequence[Value]) -> str:
    if len(order) > 12:
        return desc
    parts = [f"{n.label} = {n.data:.4g}" if n.is_leaf else f"{n.label} = {n.op}({', '.join(p.label or '?' for p in n.parents)})"
             for n in order]
    return f"{desc} [{'; '.join(parts)}]"


# --- task 2: topological order --------------------------------------------------------------

def check_topo(module: ModuleType) -> str:
    topo = _function(module, "topological_order")
    for desc, recipe in _GRAPHS:
        root, order = recipe()
        where = _describe(desc, order)
        try:
            result = topo(root)
        except RecursionError:
            raise GradingFailure(f"on {desc}: {_DEPTH_HINT}") from None
        if not isinstance(result, (list, tuple)):
            raise GradingFailure(f"topological_order should return a list of nodes; on {desc} it returned "
                                 f"{type(result).__name__}")
        seen: dict[int, int] = {}
        for node in result:
            seen[id(node)] = seen.get(id(node), 0) + 1
        for node in order:
            if seen.get(id(node), 0) > 1:
                raise GradingFailure(f"on {where}: {node.label} appears {seen[id(node)]} times in your order; "
                                     "a node reached along two paths must be listed once: keep a set of the "
                                     "nodes already visited")
        known = {id(n) for n in order}
        strangers = [n for n in result if id(n) not in known]
        if strangers:
            raise GradingFailure(f"on {desc}: your order holds {_shown(strangers[0])}, which is not a node of the graph")
        missing = [n for n in order if id(n) not in seen]
        if missing:
            raise GradingFailure(f"on {where}: your order misses {', '.join(n.label or '?' for n in missing[:5])}"
                                 f"{' and more' if len(missing) > 5 else ''} ({len(result)} of {len(order)} nodes)")
        position = {id(n): k for k, n in enumerate(result)}
        for node in result:
            for parent in node.parents:
                if position[id(parent)] > position[id(node)]:
                    raise GradingFailure(f"on {where}: {node.label} comes before its parent {parent.label}; "
                                         "each node must come after all of its parents (append a node once "
                                         "its parents are in)")
        if result[-1] is not root:
            raise GradingFailure(f"on {where}: the root {root.label} should be last")
    return f"{len(_GRAPHS)} graphs, shared nodes, diamonds, random ones and one {DEEP:,} deep, ordered right"


# --- task 3: backward -----------------------------------------------------------------------

def check_backward(module: ModuleType) -> str:
    backward = _function(module, "backward")
    for desc, recipe in _GRAPHS:
        root, order = recipe()
        twin_root, twin = recipe()
        twin_root.backward()
        try:
            backward(root)
        except RecursionError:
            raise GradingFailure(f"on {desc}: {_DEPTH_HINT}") from None
        where = _describe(desc, order)
        if not _close(root.grad, 1.0):
            raise GradingFailure(f"on {where}: the root {root.label} has grad {_n(root.grad)}; "
                                 "backward starts from root.grad = 1 (∂root/∂root)")
        for node, right in zip(order, twin):
            if node.is_constant:
                continue
            if not isinstance(node.grad, (int, float)) or not _close(float(node.grad), right.grad):
                got = node.grad if not isinstance(node.grad, (int, float)) else _n(node.grad)
                raise GradingFailure(f"on {where}: your {node.label}.grad = {got}, the engine's "
                                     f"{_n(right.grad)}{_backward_hint(node, right, twin)}")
    return f"{len(_GRAPHS)} graphs, every node's grad equal to the engine's"


def _backward_hint(node: Value, right: Value, twin: list[Value]) -> str:
    """Why a node's grad may be wrong: each of its consumers' contributions, to compare."""
    parts = []
    for child in twin:
        for parent, local in zip(child.parents, _locals(child)):
            if parent is right:
                parts.append(child.grad * local)
    if len(parts) > 1 and any(_close(float(node.grad), p) for p in parts):
        return (f". {right.label} feeds {len(parts)} uses, and its grad is the sum of what each sends "
                f"({' + '.join(_n(p) for p in parts)}); yours equals one of them: add with +=, do not assign with =")
    if len(parts) > 1:
        return f" (the sum of {len(parts)} contributions: {' + '.join(_n(p) for p in parts)})"
    return ""


def _locals(node: Value) -> tuple[float, ...]:
    return local_derivatives(node)


# --- task 4: a neuron -----------------------------------------------------------------------

def check_neuron(module: ModuleType) -> str:
    neuron_class = _function(module, "Neuron")
    n = neuron_class(3)
    params = n.parameters()
    if not isinstance(params, (list, tuple)) or len(params) != 4:
        raise GradingFailure(f"Neuron(3).parameters() should be a list of 4 Values (3 weights, then the bias); "
                             f"it returned {_shown(params)}")
    if not all(isinstance(p, Value) for p in params):
        raise GradingFailure("Neuron(3).parameters() should hold Values, so that backward reaches them; "
                             f"it holds {', '.join(sorted({type(p).__name__ for p in params}))}")
    if len({id(p) for p in params}) != 4:
        raise GradingFailure("Neuron(3).parameters() holds the same Value twice: each weight needs its own")
    if not all(-1 <= p.data <= 1 for p in params):
        raise GradingFailure(f"Neuron(3)'s parameters should start in [-1, 1]; they are "
                             f"{', '.join(_n(p.data) for p in params)}")
    first = n([1.0, 2.0, -3.0])
    used = {id(node) for node in topological_order(first)} if isinstance(first, Value) else set()
    unused = [name for name, p in zip(["w1", "w2", "w3", "b"], params) if id(p) not in used]
    if isinstance(first, Value) and unused:
        raise GradingFailure(f"Neuron(3)'s output does not depend on its parameters() {', '.join(unused)}: "
                             "parameters() must return the very Values __call__ uses, not copies")
    w, b = [0.5, -1.0, 0.25], 0.1
    for p, v in zip(params, [*w, b]):
        p.data = v
    x = [1.0, 2.0, -3.0]
    z = sum(wi * xi for wi, xi in zip(w, x)) + b
    expected = math.tanh(z)
    given = "Neuron(3) with weights 0.5, -1, 0.25 and bias 0.1, at x = [1, 2, -3]"
    out = n(x)
    if not isinstance(out, Value):
        raise GradingFailure(f"{given}: the output should be a Value, so backward can run; got {_shown(out)}")
    if not _close(out.data, expected):
        why = " (that is w·x + b without the tanh)" if _close(out.data, z) else ""
        raise GradingFailure(f"{given}: the output is {_n(out.data)}, expected tanh(w·x + b) = "
                             f"tanh({_n(z)}) = {_n(expected)}{why}")
    out.backward()
    slope = 1 - expected ** 2
    names = ["w1", "w2", "w3", "b"]
    for name, p, e in zip(names, params, [slope * xi for xi in x] + [slope]):
        if not _close(p.grad, e):
            why = (": parameters() must return the very Values __call__ uses, not copies" if p.grad == 0 else "")
            raise GradingFailure(f"{given}: after backward, {name}.grad is {_n(p.grad)}, expected "
                                 f"(1 − tanh²)·{'x' + name[1] if name != 'b' else '1'} = {_n(e)}{why}")
    inputs = [Value(v) for v in x]
    n(inputs).backward()
    for k, (xi, wi) in enumerate(zip(inputs, w), 1):
        if not _close(xi.grad, slope * wi):
            raise GradingFailure(f"{given}, x given as Values: x{k}.grad is {_n(xi.grad)}, expected "
                                 f"(1 − tanh²)·w{k} = {_n(slope * wi)}")
    five = neuron_class(5).parameters()
    if len(five) != 6:
        raise GradingFailure(f"Neuron(5).parameters() should hold 6 Values; it holds {len(five)}")
    return "output, parameters and every grad match tanh(w·x + b) and its derivative"


_CHECKS: dict[str, Callable[[ModuleType], str]] = {
    "rules": check_rules, "topo": check_topo, "backward": check_backward, "neuron": check_neuron,
}


# --- running one task --------------------------------------------------------------------------

def _function(module: ModuleType, name: str) -> Any:
    if not hasattr(module, name):
        raise GradingFailure(f"{Path(module.__file__ or '?').name} has no {name}: keep the names of the stub")
    return getattr(module, name)


def _load(directory: Path, task: str) -> ModuleType:
    path = directory / TASKS[task][0]
    if not path.is_file():
        raise GradingFailure(f"{path} is missing: `autograd-lite exercises new {directory}` writes the stubs")
    sys.path.insert(0, str(directory))  # task 3 may import the learner's task 2
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _where(error: BaseException, directory: Path) -> str:
    """``task2_topo.py line 12``: the learner's last line the error went through."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).resolve().parent == directory.resolve()]
    if isinstance(error, SyntaxError) and error.filename:
        return f" ({Path(error.filename).name} line {error.lineno})"
    return f" ({Path(frames[-1].filename).name} line {frames[-1].lineno})" if frames else ""


def grade(directory: str | Path, task: str) -> dict[str, Any]:
    """Grade ``task`` of the learner's ``directory``: ``{"task", "passed", "message"}``.

    Runs the learner's code in this process: :mod:`autograd_lite.cli.exercises`
    calls it in a process of its own, with a time limit.
    """
    folder = Path(directory)
    try:
        module = _load(folder, task)
        message = _CHECKS[task](module)
        return {"task": task, "passed": True, "message": message}
    except GradingFailure as failure:
        return {"task": task, "passed": False, "message": str(failure)}
    except NotImplementedError as error:
        frames = traceback.extract_tb(error.__traceback__)
        return {"task": task, "passed": False,
                "message": f"not done yet: {frames[-1].name} still raises NotImplementedError{_where(error, folder)}"}
    except RecursionError as error:
        return {"task": task, "passed": False, "message": f"{_DEPTH_HINT}{_where(error, folder)}"}
    except Exception as error:  # noqa: BLE001 - the learner's code failed: say what and where, no traceback
        text = str(error)
        text = f": {text[:200]}" if text else ""
        return {"task": task, "passed": False,
                "message": f"your code raised {type(error).__name__}{text}{_where(error, folder)}"}


def main(argv: Sequence[str] | None = None) -> int:
    """The grading process: ``DIR TASK`` in, one JSON line out (what the learner prints goes to stderr)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[1] not in TASKS:
        print(f"usage: python -m autograd_lite.cli.grading DIR {{{','.join(TASKS)}}}", file=sys.stderr)
        return 2
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        result = grade(args[0], args[1])
    finally:
        sys.stdout = out
    out.write("\n" + json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
