"""Practice: generated exercises that the learner answers and the engine grades.

:func:`exercises` makes a ladder of questions "what is ∂f/∂x at these values?",
one rung per level:

1. one op (``x*y``, ``tanh(x)``, ``log(x)``, ...);
2. a neuron, ``tanh(x1*w1 + x2*w2 + b)``;
3. a shared input used twice (``x*y + sin(x)``): its grad is a sum;
4. a row of a softmax, ``softmax(a, b, c)[i]``;
5. a node deep in a two-layer MLP.

The same ``seed`` and ``count`` give the same questions in the same order, so
a class can share a set. Each :class:`Exercise` knows its answer (the engine's
backward pass), grades a typed answer (:meth:`Exercise.grade`, relative
tolerance :data:`TOLERANCE`) and explains itself with the backward steps of
the nodes between the variable and the output (:meth:`Exercise.explain`).
The terminal's ``autograd-lite practice`` is one user; a page can be another.

Example:
    >>> ex = exercises(seed=3, count=5)
    >>> [e.level for e in ex]
    [1, 2, 3, 4, 5]
    >>> ex[1].expression
    'tanh(x1*w1 + x2*w2 + b)'
    >>> ex[1].grade(ex[1].answer), ex[1].grade(ex[1].answer + 1)
    (True, False)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from ..core.expression import parse
from ..core.value import Value, topological_order
from .notation import format_number, symbol
from .steps import BackwardSteps, backward_steps

__all__ = ["LEVELS", "TOLERANCE", "Exercise", "check", "exercises", "is_right"]

#: what each level asks about, by number
LEVELS = {
    1: "one op",
    2: "a neuron",
    3: "a shared input used twice",
    4: "a softmax row",
    5: "a node of a two-layer MLP",
}
#: an answer is right when it is within this fraction of the engine's (relative 1e-3)
TOLERANCE = 1e-3
#: an engine answer of exactly 0 (relu at a negative input) needs an answer within this of 0
ZERO_TOLERANCE = 1e-9
#: the most exercises one call makes
MAX_COUNT = 1000


def is_right(answer: float, expected: float) -> bool:
    """Whether ``answer`` matches ``expected`` within the relative tolerance :data:`TOLERANCE`.

    Example:
        >>> is_right(0.7071, 0.70710678), is_right(0.70, 0.70710678)
        (True, False)
    """
    return math.isclose(answer, expected, rel_tol=TOLERANCE, abs_tol=ZERO_TOLERANCE)


def check(answer: Any, expected: Any, what: str = "the answer") -> bool:
    """Print ``OK`` or ``WRONG`` with the reason, for an exercise checked in place (a notebook's).

    ``answer`` left as ``...`` (the placeholder of an unanswered question) is
    WRONG, not answered yet; nothing raises, so a notebook runs on. Returns
    whether the answer is right (relative tolerance :data:`TOLERANCE`).

    Example:
        >>> check(0.5, 0.5000001, "∂o/∂n")
        OK: ∂o/∂n = 0.5
        True
        >>> check(-0.5, 0.5, "∂o/∂n")
        WRONG: ∂o/∂n: you said -0.5, the engine says 0.5: the sign is wrong
        False
        >>> check(..., 0.5, "∂o/∂n")
        WRONG: ∂o/∂n: not answered yet (replace the ... with your number)
        False
    """
    right = float(expected.data if isinstance(expected, Value) else expected)
    if answer is Ellipsis:
        print(f"WRONG: {what}: not answered yet (replace the ... with your number)")
        return False
    if isinstance(answer, Value):
        answer = answer.data
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        print(f"WRONG: {what}: {answer!r} is not a number")
        return False
    if is_right(float(answer), right):
        print(f"OK: {what} = {format_number(right)}")
        return True
    why = ": the sign is wrong" if right != 0 and is_right(-float(answer), right) else ""
    print(f"WRONG: {what}: you said {format_number(answer)}, the engine says {format_number(right)}{why}")
    return False


@dataclass
class Exercise:
    """One question: ∂f/∂``wrt`` of ``expression`` at ``variables``, with the engine's ``answer``."""

    level: int
    expression: str
    variables: dict[str, float]
    wrt: str
    answer: float = field(init=False)
    value: float = field(init=False)  #: f at the variables
    _trace: BackwardSteps = field(init=False, repr=False)
    _leaf: Value = field(init=False, repr=False)

    def __post_init__(self) -> None:
        root, leaves = parse(self.expression).build(self.variables)
        if self.level == 5:  # names of pieces of the source would be long: h1, h2 and t1, t2, ...
            _short_names(root)
        self._trace = backward_steps(root)
        self._leaf = leaves[self.wrt]
        self.answer = self._trace.pass_grad(self._leaf)
        self.value = root.data

    @property
    def kind(self) -> str:
        """What the level asks about, in words."""
        return LEVELS[self.level]

    @property
    def question(self) -> str:
        """The question as one line of text."""
        given = ", ".join(f"{name} = {format_number(v)}" for name, v in self.variables.items())
        return f"f = {self.expression}  at  {given}.  What is ∂f/∂{symbol(self.wrt)}?"

    def grade(self, answer: float) -> bool:
        """Whether ``answer`` is right (relative tolerance :data:`TOLERANCE`)."""
        return is_right(answer, self.answer)

    def relevant_steps(self) -> list[Any]:
        """The backward steps of the nodes on a path from ``wrt`` to the output, output first."""
        reaches = {self._leaf}
        for node in self._trace.order:  # parents before children
            if any(p in reaches for p in node.parents):
                reaches.add(node)
        return [s for s in self._trace if s.node in reaches]

    def explain(self) -> str:
        """How the engine got the answer: the relevant backward steps, then the chain rule's sum."""
        steps = self.relevant_steps()
        lines = [f"f = {format_number(self.value)}; the backward steps that lead to {self.wrt}:"]
        lines += [str(s) for s in steps]
        lines.append(self._trace.grad_sum(self._leaf))
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The exercise for a quiz of one's own: question, expression, variables, wrt, answer, ..."""
        return {"level": self.level, "kind": self.kind, "question": self.question,
                "expression": self.expression, "variables": dict(self.variables), "wrt": self.wrt,
                "answer": self.answer, "value": self.value, "tolerance": TOLERANCE}


def exercises(level: int | None = None, seed: int = 0, count: int = 5) -> list[Exercise]:
    """``count`` exercises from ``seed``: all at ``level`` (1-5), or climbing the ladder from 1 to 5.

    Raises ValueError for a level outside 1-5 or a count outside 1-:data:`MAX_COUNT`.
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"the level must be from 1 to {len(LEVELS)}, got {level}")
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"the count must be from 1 to {MAX_COUNT}, got {count}")
    rng = random.Random(seed)
    result = []
    for k in range(count):
        rung = level if level is not None else 1 + k * len(LEVELS) // count
        result.append(_exercise(rung, rng))
    return result


def _short_names(root: Value) -> None:
    hidden = 0
    for node in topological_order(root):
        if node.is_leaf or node is root:
            continue
        node.label = None
        if node.op == "tanh":
            hidden += 1
            node.label = f"h{hidden}"


# --- the generators: each draws an expression, its numbers and the variable asked about ----------

def _number(rng: random.Random, low: float = -2.0, high: float = 2.0, *, nonzero: bool = False) -> float:
    while True:
        x = round(rng.uniform(low, high), 1)
        if not (nonzero and x == 0):
            return x + 0.0  # no -0.0


def _one_op(rng: random.Random) -> tuple[str, dict[str, float], str]:
    kind = rng.choice(["mul", "div", "pow", "exp", "log", "tanh", "sigmoid", "sin", "relu", "sqrt"])
    if kind == "mul":
        return "x*y", {"x": _number(rng), "y": _number(rng)}, rng.choice("xy")
    if kind == "div":
        return "x/y", {"x": _number(rng), "y": _number(rng, nonzero=True)}, rng.choice("xy")
    if kind == "pow":
        return f"x**{rng.choice([2, 3])}", {"x": _number(rng)}, "x"
    if kind in ("log", "sqrt"):
        return f"{kind}(x)", {"x": _number(rng, 0.1, 4.0)}, "x"
    return f"{kind}(x)", {"x": _number(rng)}, "x"


def _neuron(rng: random.Random) -> tuple[str, dict[str, float], str]:
    act = rng.choice(["tanh", "sigmoid", "relu"])
    names = ["x1", "w1", "x2", "w2", "b"]
    values = {name: _number(rng) for name in names}
    return f"{act}(x1*w1 + x2*w2 + b)", values, rng.choice(["w1", "w2", "b", "x1"])


def _shared(rng: random.Random) -> tuple[str, dict[str, float], str]:
    text = rng.choice(["x*y + sin(x)", "x*exp(x)", "(x + y)*x", "tanh(x)*x + y", "x*y*x", "sigmoid(x*y)*x"])
    values = {"x": _number(rng)}
    if "y" in text:
        values["y"] = _number(rng)
    return text, values, "x"


def _softmax(rng: random.Random) -> tuple[str, dict[str, float], str]:
    i = rng.randrange(3)
    text = rng.choice([f"softmax(a, b, c)[{i}]", f"log(softmax(a, b, c)[{i}])"])
    return text, {"a": _number(rng), "b": _number(rng), "c": _number(rng)}, rng.choice("abc")


def _mlp(rng: random.Random) -> tuple[str, dict[str, float], str]:
    text = "tanh(v1*tanh(w11*x1 + w12*x2 + b1) + v2*tanh(w21*x1 + w22*x2 + b2) + c)"
    names = ["x1", "x2", "w11", "w12", "b1", "w21", "w22", "b2", "v1", "v2", "c"]
    return text, {name: _number(rng, -1.0, 1.0) for name in names}, rng.choice(["w11", "w22", "b1", "v2", "x1"])


_MAKERS = {1: _one_op, 2: _neuron, 3: _shared, 4: _softmax, 5: _mlp}


def _exercise(level: int, rng: random.Random) -> Exercise:
    # Redraw an answer so small that a relative tolerance would ask for many digits
    # (0 itself is fine: relu below zero), and the rare draw outside an op's domain.
    while True:
        text, values, wrt = _MAKERS[level](rng)
        try:
            exercise = Exercise(level, text, values, wrt)
        except ValueError:  # pragma: no cover - the draws keep inside the domains
            continue
        if exercise.answer == 0 or 1e-3 <= abs(exercise.answer) < 1e6:
            return exercise
