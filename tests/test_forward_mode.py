"""Forward mode (jvp) and forward-over-reverse (hvp), for every op of the table.

Generated from the table like test_ops_table.py: an op added to ``OPS`` is
tested here too. For each op and point:
* jvp's value is the forward's, and its tangent agrees with the closed-form
  derivative (mpmath, 50 digits) dotted with the direction, with central
  differences where they are well conditioned, and exactly with reverse mode
  (backward's gradient dotted with the direction: the same local derivatives);
* hvp agrees with ``hessian(f) @ v`` (reverse over reverse) and with mpmath's
  high-precision second derivatives of the op's reference.
"""

from __future__ import annotations

import math

import mpmath
import pytest

from autograd_lite import Value, apply, hessian, hvp, jvp
from autograd_lite.transforms.autodiff import tangents

from .op_cases import (
    BINARY,
    PAIR_GRID,
    TESTED,
    UNARY,
    binary_cases,
    case_id,
    close,
    defined,
    fd_step,
    index_args,
    mp_eval,
    near_kink,
    outputs_of,
    paired_up,
    params_kw,
    unary_cases,
    vector_cases,
)
from .op_info import info

M = mpmath.mp
TANGENT = 0.7  # not 1: a unit direction would hide a missing factor
DIRECTION = (0.7, -1.3)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("case", [c for c in unary_cases() if defined(c[0], c[1], *c[2])], ids=case_id)
def test_jvp_unary(case):
    op, x, params = case
    kw = params_kw(op, params)
    value, slope = jvp(lambda v: apply(op, v, **kw), [x], [TANGENT])
    assert value == op.forward(x, *params)
    leaf = Value(x)
    apply(op, leaf, **kw).backward()
    assert _same(slope, leaf.grad * TANGENT), "reverse mode"
    closed = mp_eval(info(op).derivative[0], M.mpf(x), *params)
    assert close(slope, closed * TANGENT, rel=1e-9), f"closed form {closed}"
    h = fd_step(x)
    if near_kink(op, x, h) or not (defined(op, x + h, *params) and defined(op, x - h, *params)):
        return
    up, down = op.forward(x + h, *params), op.forward(x - h, *params)
    if math.isfinite(up) and math.isfinite(down) and math.isfinite(slope):
        fd = (up - down) / (2 * h) * TANGENT
        assert abs(fd - slope) <= 1e-6 + 1e-4 * abs(slope), f"central differences {fd}"


@pytest.mark.parametrize("case", [c for c in binary_cases() if defined(*c)], ids=case_id)
def test_jvp_binary(case):
    op, a, b = case
    value, slope = jvp(lambda p, q: apply(op, p, q), [a, b], list(DIRECTION))
    assert value == op.forward(a, b)
    va, vb = Value(a), Value(b)
    apply(op, va, vb).backward()
    assert _same(slope, 0.0 + va.grad * DIRECTION[0] + vb.grad * DIRECTION[1]), "reverse mode"
    am, bm = M.mpf(a), M.mpf(b)
    closed = [mp_eval(info(op).derivative[k], am, bm) for k in range(2)]
    if any(isinstance(c, mpmath.mpc) for c in closed) or (a == 0.0 and op.name == "pow"):
        return  # d/dy x**y at x ≤ 0: a convention, pinned in test_value
    if any(math.isinf(float(c)) for c in closed):
        return  # a term beyond the largest float: inf·t1 + inf·t2 may be nan, like reverse mode's
    want = closed[0] * DIRECTION[0] + closed[1] * DIRECTION[1]
    terms = max(abs(closed[0] * DIRECTION[0]), abs(closed[1] * DIRECTION[1]))
    assert abs(mpmath.mpf(slope) - want) <= 1e-15 + 1e-9 * terms, f"closed form {want}"


@pytest.mark.parametrize("case", vector_cases(), ids=case_id)
def test_jvp_vector(case):
    op, vector, i = case
    direction = [0.5 - 0.3 * k for k in range(len(vector))]
    _, slope = jvp(lambda *xs: outputs_of(op, list(xs))[i or 0], vector, direction)
    leaves = [Value(v) for v in vector]
    outputs_of(op, leaves)[i or 0].backward()
    reverse = 0.0
    for leaf, t in zip(leaves, direction):
        reverse += leaf.grad * t
    if op.jacobian_scale is None:
        assert _same(slope, reverse), "reverse mode"
    else:  # backward sums a softmax's rows once per call (O(N)); jvp applies the row: equal to rounding
        assert slope == pytest.approx(reverse, rel=1e-12, abs=1e-15), "reverse mode"
    am = [M.mpf(v) for v in vector]
    want = M.fsum(info(op).derivative[0](M, am, *index_args(i), j) * t for j, t in enumerate(direction))
    scale = M.fsum(abs(info(op).derivative[0](M, am, *index_args(i), j) * t) for j, t in enumerate(direction))
    assert abs(mpmath.mpf(slope) - want) <= 1e-15 + 1e-9 * scale, f"closed form {want}"


# --- hvp: forward over reverse ------------------------------------------------------

SMOOTH = [0.3, -1.2, 2.5, 7.0]  # away from every kink and overflow


def _second_derivatives(reference, point):
    """The Hessian of a reference at a point, by mpmath's high-precision differentiation."""
    n = len(point)
    rows = []
    for i in range(n):
        row = []
        for j in range(n):
            order = [0] * n
            order[i] += 1
            order[j] += 1
            row.append(M.diff(reference, point, tuple(order)))
        rows.append(row)
    return rows


def _check_hvp(f, reference, point, v):
    got = hvp(f, point, v)
    by_reverse = [math.fsum(h * t for h, t in zip(row, v)) for row in hessian(f, point)]
    want = [M.fsum(h * t for h, t in zip(row, v)) for row in _second_derivatives(reference, [M.mpf(p) for p in point])]
    for g, r, w in zip(got, by_reverse, want):
        assert abs(g - r) <= 1e-12 + 1e-10 * abs(r), f"hessian @ v: {r}"
        assert abs(mpmath.mpf(g) - w) <= 1e-12 + 1e-8 * abs(w), f"mpmath: {w}"


@pytest.mark.parametrize("case", [(op, x, p) for op in UNARY for p in info(op).samples for x in SMOOTH
                                  if defined(op, x, *p) and not near_kink(op, x, 1e-3)], ids=case_id)
def test_hvp_unary(case):
    op, x, params = case
    kw = params_kw(op, params)
    _check_hvp(lambda v: apply(op, v[0], **kw) * v[0], lambda t: info(op).reference(M, t, *params) * t, [x], [TANGENT])


def _real_derivatives(op, a, b):
    return not any(isinstance(mp_eval(d, M.mpf(a), M.mpf(b)), mpmath.mpc) for d in info(op).derivative)


@pytest.mark.parametrize("case", [(op, a, b) for op in BINARY for a in SMOOTH for b in PAIR_GRID[3:7]
                                  if defined(op, a, b) and _real_derivatives(op, a, b)], ids=case_id)
def test_hvp_binary(case):
    op, a, b = case
    _check_hvp(lambda v: apply(op, v[0], v[1]), lambda p, q: info(op).reference(M, p, q), [a, b], list(DIRECTION))


@pytest.mark.parametrize("op", [op for op in TESTED if op.arity == 0], ids=lambda op: op.name)
def test_hvp_vector(op):
    point = paired_up(op, [0.4, -1.1, 2.0])
    index = (1,) if op.is_vector else ()

    def f(v):
        out = outputs_of(op, v)[index[0] if index else 0]
        return out * out  # squared, so sum's Hessian is not all zeros

    def reference(*xs):
        r = info(op).reference(M, list(xs), *index)
        return r * r

    _check_hvp(f, reference, point, [0.5, -0.2, 0.9, 0.3][:len(point)])


# --- the API ------------------------------------------------------------------------


def test_jvp_of_a_vector_function_is_one_pass_for_every_output():
    values, slopes = jvp(lambda x: [x * x, x.exp(), x.tanh()], [0.5], [1.0])
    assert values == [0.25, math.exp(0.5), math.tanh(0.5)]
    assert slopes == [1.0, math.exp(0.5), 1 - math.tanh(0.5) ** 2]


def test_tangents_reach_every_node_and_constants_have_none():
    x = Value(3.0, label="x")
    y = x * 2 + 1
    t = tangents([y], {x: 1.0})
    assert t[y] == 2.0 and [t[p] for p in y.parents] == [2.0, 0.0]


def test_jvp_and_hvp_say_what_was_wrong():
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        jvp(lambda a, b: a * b, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="takes a list"):
        jvp(lambda a: a, 1.0, [1.0])
    with pytest.raises(TypeError, match="returns a Value"):
        jvp(lambda a: 3.0, [1.0], [1.0])
    with pytest.raises(TypeError, match="cannot be called with 1 argument"):
        jvp(lambda a, b: a, [1.0], [1.0])
    with pytest.raises(ValueError, match="a vector v of 1"):
        hvp(lambda v: v[0] * v[1], [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="one Value"):
        hvp(lambda v: [v[0], v[1]], [1.0, 2.0], [1.0, 0.0])
    with pytest.raises(TypeError, match="real number"):
        jvp(lambda a: a, [1.0], ["up"])


def test_one_forward_sweep_for_many_outputs_visits_each_node_once(monkeypatch):
    from autograd_lite.transforms import autodiff

    calls = []
    real = autodiff.local_derivatives
    monkeypatch.setattr(autodiff, "local_derivatives", lambda node: calls.append(node) or real(node))

    def g(x):
        h = x
        for _ in range(50):
            h = (h * 0.9 + x).tanh()
        return [(h * k).sin() for k in range(1, 21)]

    jvp(g, [0.3], [1.0])
    assert len(calls) == len(set(calls)) == 150 + 2 * 20  # the shared chain once, not 20 times
