"""Property-based: random expression graphs against central differences."""

from __future__ import annotations

import math
import operator

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd_lite import (
    DomainError,
    Value,
    apply,
    gradcheck,
    gradgradcheck,
    local_derivatives,
    topological_order,
)
from autograd_lite.core.ops import OPS

from .op_info import info

UNARY_METHODS = [name for name, op in OPS.items() if op.is_function and op.arity == 1]
BINARY_FUNCTIONS = [name for name, op in OPS.items() if op.is_function and op.arity == 2]
BINARY = ["+", "-", "*", "/", "**", *BINARY_FUNCTIONS]

# An expression is a nested tuple: ("var", k), ("const", c), ("un", name, e), ("bin", op, e1, e2)
leaves = st.one_of(
    st.tuples(st.just("var"), st.integers(0, 2)),
    st.tuples(st.just("const"), st.floats(-3, 3, allow_nan=False).filter(lambda c: abs(c) > 0.1)),
)
expressions = st.recursive(
    leaves,
    lambda sub: st.one_of(
        st.tuples(st.just("un"), st.sampled_from(UNARY_METHODS), sub),
        st.tuples(st.just("bin"), st.sampled_from(BINARY), sub, sub),
    ),
    max_leaves=8,
)
points = st.lists(st.floats(-2, 2, allow_nan=False).filter(lambda v: abs(v) > 0.05), min_size=3, max_size=3)


def build(e, xs):
    kind = e[0]
    if kind == "var":
        return xs[e[1]]
    if kind == "const":
        return e[1]
    if kind == "un":
        x = build(e[2], xs)
        x = x if isinstance(x, Value) else Value(x)
        return getattr(x, e[1])()
    a, b = build(e[2], xs), build(e[3], xs)
    if not isinstance(a, Value) and not isinstance(b, Value):
        a = Value(a)  # two constants: make it a graph all the same
    if e[1] in BINARY_FUNCTIONS:
        return apply(e[1], a, b)
    return {"+": operator.add, "-": operator.sub, "*": operator.mul,
            "/": operator.truediv, "**": operator.pow}[e[1]](a, b)


def well_conditioned(f, xs):
    """Finite, away from kinks and domain edges: where differences are meaningful."""
    for delta in (0.0, 1e-4, -1e-4):
        try:
            out = f(*[Value(x + delta) for x in xs])
        except (DomainError, OverflowError):
            return False
        if not isinstance(out, Value) or not math.isfinite(out.data) or abs(out.data) > 1e6:
            return False
    return True


def checkable(expr, xs):
    """The expression as a function of three Values, or None where differences mislead."""

    def f(*vs):
        out = build(expr, list(vs))
        return out if isinstance(out, Value) else Value(out) + 0 * vs[0]

    return f if well_conditioned(f, xs) and not _near_kink(f, xs) else None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, points)
def test_random_graphs_match_central_differences(expr, xs):
    f = checkable(expr, xs)
    assume(f is not None)
    assert gradcheck(f, xs, eps=1e-6, atol=1e-4, rtol=1e-3)


@settings(max_examples=60, deadline=None)
@given(expressions, points)
def test_random_graphs_second_order(expr, xs):
    f = checkable(expr, xs)
    assume(f is not None)
    assert gradgradcheck(f, xs, eps=1e-5, atol=1e-3, rtol=1e-2)


def _near_kink(f, xs):
    """True where differences mislead: an input within 1e-3 of one of its op's
    kinks (relu at 0, where even a smooth first slope can leave a jump in the
    second: elu) or of its domain's edge (sqrt at 0), a local derivative that
    jumps or is steep within 1e-3 (a tie in maximum, tan near a pole), or a
    negative base under a Value exponent (d/dy is NaN there by convention).

    (At a power's base 0 the chain rule meets 0·∞ = NaN, as in PyTorch.)
    """
    out = f(*[Value(x) for x in xs])
    for n in topological_order(out):
        if n.is_leaf:
            continue
        entry = n.op_entry
        inputs = [p.data for p in n.parents]
        if entry.arity == 1 and any(abs(inputs[0] - k) < 1e-3 for k in info(entry).kinks):
            return True
        if n.op == "pow" and inputs[0] < 1e-3:
            return True
        here = local_derivatives(n)
        if any(abs(d) > 1e4 for d in here):
            return True
        for k, delta in [(k, d) for k in range(len(inputs)) for d in (-1e-3, 1e-3)]:
            moved = [v + delta if j == k else v for j, v in enumerate(inputs)]  # one input at a time
            try:
                there = entry.local(entry.op.forward(*moved, *entry.args), *moved)
            except DomainError:
                return True
            there = there if entry.arity == 2 else (there,)
            if not all(abs(a - b) <= 0.25 * (1 + abs(a)) for a, b in zip(here, there)):
                return True
    return False
