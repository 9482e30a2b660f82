"""Inputs for the tests generated from the op table: grids, vectors, helpers.

Nothing here names an op: every op in ``OPS`` gets these cases by its arity,
parameters, domain and kinks.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath

from autograd_lite.core.ops import OPS, VARIADIC

from .op_info import OP_INFO, info

# The edge grid: 0, ±1e-8, ±1, ±20, ±700, ±1000.
GRID = [0.0, 1e-8, -1e-8, 1.0, -1.0, 20.0, -20.0, 700.0, -700.0, 1000.0, -1000.0]
# Binary ops get every pair from a smaller grid (the big values overflow most pairs).
PAIR_GRID = [0.0, 1e-8, -1e-8, 0.5, -1.0, 2.0, -3.0, 20.0, -20.0, 700.0]
VECTORS = [
    [1.0, 2.0, 3.0],
    [0.0, 0.0],
    [1000.0, -1000.0, 0.0],
    [-1000.0, -1000.0, -999.0],
    [1e-8, -1e-8, 20.0, -20.0],
    [700.0, 700.0, -700.0],
    [5.0],
]

# ops without test metadata (custom ops made without test=OpTest(...)) are left out
TESTED = [op for op in OPS.values() if op.name in OP_INFO or op.test is not None]
UNARY = [op for op in TESTED if op.arity == 1]
BINARY = [op for op in TESTED if op.arity == 2]
VECTOR = [op for op in TESTED if op.arity == VARIADIC]

mpmath.mp.dps = 50


def unary_cases() -> list[tuple[Any, float, tuple[Any, ...]]]:
    return [(op, x, params) for op in UNARY for params in info(op).samples for x in GRID]


def binary_cases() -> list[tuple[Any, float, float]]:
    return [(op, a, b) for op in BINARY for a in PAIR_GRID for b in PAIR_GRID]


def paired_up(op: Any, inputs: list[Any]) -> list[Any]:
    """``inputs`` as the op takes them: a paired op (dot) given an odd number gets the first again."""
    return [*inputs, inputs[0]] if op.paired and len(inputs) % 2 else inputs


def vectors_for(op: Any) -> list[list[float]]:
    """VECTORS as the op takes them: a paired op (dot) gets an odd-length vector with one more input."""
    return [v + [-0.5] if op.paired and len(v) % 2 else v for v in VECTORS]


def vector_cases() -> list[tuple[Any, list[float], int | None]]:
    """(op, inputs, i): every output i of a vector op; i is None for a reduction's one output."""
    return [(op, v, i) for op in VECTOR for v in vectors_for(op)
            for i in (range(len(v)) if op.is_vector else [None])]


def outputs_of(op: Any, inputs: Any) -> list[Any]:
    """A variadic op's outputs as a list: one for a reduction (sum)."""
    from autograd_lite import apply

    result = apply(op, inputs)
    return result if op.is_vector else [result]


def index_args(i: int | None) -> tuple[int, ...]:
    """The output index as the references and closed forms take it: none for a reduction."""
    return () if i is None else (i,)


def case_id(case: Any) -> str:
    return "-".join(c.name if hasattr(c, "name") else repr(c) for c in case)


def defined(op: Any, *xs: Any) -> bool:
    return info(op).domain is None or bool(info(op).domain(*xs))


def params_kw(op: Any, params: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(op.params, params))


def mp_eval(fn: Any, *args: Any) -> Any:
    """A reference evaluated by mpmath; a pole (1/0) counts as +inf."""
    try:
        return fn(mpmath.mp, *args)
    except ZeroDivisionError:
        return mpmath.inf


def close(got: float, want: Any, rel: float = 1e-9, abs_: float = 1e-15) -> bool:
    """|got − want| small, where want may be an mpf; overflowing wants must be ±inf."""
    want_f = float(want)
    if math.isinf(want_f) or math.isinf(got):
        return got == want_f
    return abs(got - want_f) <= abs_ + rel * abs(want_f) or abs(mpmath.mpf(got) - want) <= abs_ + rel * abs(want)


def fd_step(x: float) -> float:
    h = 1e-6 * max(1.0, abs(x))
    return h if x == 0.0 else min(h, abs(x) * 1e-3)


def near_kink(op: Any, x: float, h: float) -> bool:
    return any(abs(x - k) <= 2 * h for k in info(op).kinks)
