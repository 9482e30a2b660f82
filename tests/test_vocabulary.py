"""The conventions of the op table's vocabulary, each pinned: abs'(0), sqrt'(0),
ties in maximum/minimum, ±1000, NaN, ±inf, and powers with huge integer exponents."""

from __future__ import annotations

import math

import pytest

from autograd_lite import OPS, DomainError, Value, apply, grad, trace_backward
from autograd_lite.core.ops import VARIADIC

from .op_cases import GRID, defined
from .op_info import info

UNARY_FUNCTIONS = [op for op in OPS.values() if op.arity == 1 and op.is_function]
BINARY_FUNCTIONS = [op for op in OPS.values() if op.arity == 2 and op.is_function]


def grads(f, *xs, create_graph=False):
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward(create_graph=create_graph)
    return out.data, [leaf.grad for leaf in leaves]


def test_abs_slope_at_zero_is_zero():
    assert grads(lambda x: x.abs(), 0.0) == (0.0, [0.0])
    assert grads(lambda x: x.abs(), -0.0) == (0.0, [0.0])
    assert grads(lambda x: x.abs(), -2.0) == (2.0, [-1.0])
    assert grad(grad(lambda x: x.abs()))(0.0) == 0.0


def test_sqrt_slope_at_zero_is_plus_infinity():
    assert grads(lambda x: x.sqrt(), 0.0) == (0.0, [math.inf])
    assert grads(lambda x: x.sqrt(), -0.0)[1] == [math.inf]  # the limit from the right, whatever the zero's sign
    assert grads(lambda x: x.sqrt(), 4.0) == (2.0, [0.25])
    with pytest.raises(DomainError, match=r"sqrt\(x\) is undefined at x = -1.0"):
        Value(-1.0).sqrt()


@pytest.mark.parametrize("name, a_share", [("maximum", 1.0), ("minimum", 0.0)])
def test_maximum_and_minimum_pick_a_side_and_split_ties_evenly(name, a_share):
    assert grads(lambda a, b: apply(name, a, b), 3.0, 2.0)[1] == [a_share, 1.0 - a_share]
    assert grads(lambda a, b: apply(name, a, b), 2.0, 2.0) == (2.0, [0.5, 0.5])
    value, [g] = grads(lambda x: apply(name, x, x), 5.0)  # both sides are x: all of it comes back
    assert (value, g) == (5.0, 1.0)
    assert math.isnan(apply(name, math.nan, 1.0).data) and math.isnan(apply(name, 1.0, math.nan).data)


@pytest.mark.parametrize("op", UNARY_FUNCTIONS, ids=lambda op: op.name)
@pytest.mark.parametrize("x", [-1000.0, 1000.0])
def test_every_unary_function_is_finite_or_exact_at_plus_minus_1000(op, x):
    if not defined(op, x):
        with pytest.raises(DomainError):
            apply(op, x)
        return
    value, [g] = grads(lambda v: apply(op, v), x)
    if op.name != "exp":  # exp(1000) = +inf by the overflow convention
        assert math.isfinite(value) and math.isfinite(g), (value, g)


def test_stable_activations_at_plus_minus_1000():
    assert grads(lambda x: x.softplus(), 1000.0) == (1000.0, [1.0])
    assert grads(lambda x: x.softplus(), -1000.0) == (0.0, [0.0])
    assert grads(lambda x: x.silu(), 1000.0) == (1000.0, [1.0])
    assert grads(lambda x: x.gelu(), 1000.0) == (1000.0, [1.0])
    value, [g] = grads(lambda x: x.gelu(), -1000.0)
    assert value == 0.0 and g == 0.0
    assert grads(lambda x: x.elu(), -1000.0) == (-1.0, [0.0])


def test_gelu_is_the_exact_erf_form_in_both_tails():
    # x·Φ(x) with Φ from erfc: the left tail keeps its digits (1 + erf(−14.1) would be 0)
    want = -20.0 * 0.5 * math.erfc(20.0 / math.sqrt(2.0))
    assert Value(-20.0).gelu().data == pytest.approx(want, rel=1e-15) and want < 0.0
    assert Value(1.0).gelu().data == pytest.approx(0.5 * (1 + math.erf(1 / math.sqrt(2))), rel=1e-15)


def test_elu_slope_at_zero_is_alpha_like_leaky_relu():
    assert grads(lambda x: x.elu(0.5), 0.0) == (0.0, [0.5])
    assert grads(lambda x: x.elu(), -1.0)[1] == [pytest.approx(math.exp(-1.0), rel=1e-15)]


def test_trigonometry_of_infinity_is_nan_and_tan_is_finite_near_its_poles():
    for name in ("sin", "cos", "tan"):
        value, [g] = grads(lambda v, name=name: getattr(v, name)(), math.inf)
        assert math.isnan(value) and math.isnan(g), name
    value, [g] = grads(lambda v: v.tan(), math.pi / 2)  # no float is exactly π/2
    assert value == pytest.approx(1.633123935319537e16) and g == pytest.approx(value * value)


@pytest.mark.parametrize("op", UNARY_FUNCTIONS + BINARY_FUNCTIONS, ids=lambda op: op.name)
def test_nan_propagates_through_every_function(op):
    args = [math.nan] * op.arity
    value, gs = grads(lambda *vs: apply(op, *vs), *args)
    assert math.isnan(value) and all(math.isnan(g) for g in gs), (value, gs)


@pytest.mark.parametrize("op", UNARY_FUNCTIONS, ids=lambda op: op.name)
def test_every_rule_works_on_values_too(op):
    # create_graph hands the rule Values: it must build a graph, with the float rule's numbers
    for x in GRID[:7]:
        if not defined(op, x) or x in info(op).kinks:
            continue
        _, [as_float] = grads(lambda v: apply(op, v), x)
        _, [as_value] = grads(lambda v: apply(op, v), x, create_graph=True)
        assert isinstance(as_value, Value)
        assert as_value.data == pytest.approx(as_float, rel=1e-14, abs=1e-300), (op.name, x)


# --- powers at the edges: integer exponents beyond the floats ------------------

HUGE = 10**400


@pytest.mark.parametrize("base, exponent, value, slope", [
    (0.5, HUGE, 0.0, 0.0),
    (1.0, HUGE, 1.0, math.inf),  # n·1 = 10**400: beyond the floats
    (-1.0, HUGE, 1.0, -math.inf),  # even exponent: (−1)**n = 1; slope n·(−1)**(n−1) = −n
    (-1.0, HUGE + 1, -1.0, math.inf),
    (2.0, HUGE, math.inf, math.inf),
    (-2.0, HUGE + 1, -math.inf, math.inf),
    (-0.5, HUGE + 1, -0.0, 0.0),
    (0.0, HUGE, 0.0, 0.0),
    (0.5, -HUGE, math.inf, -math.inf),
    (2.0, -HUGE, 0.0, -0.0),
    (-1.0, -HUGE, 1.0, math.inf),
])
def test_huge_integer_exponents_give_exact_or_ieee_answers(base, exponent, value, slope):
    x = Value(base)
    y = x ** exponent
    assert y.data == value and math.copysign(1, y.data) == math.copysign(1, value)
    y.backward()
    assert x.grad == slope
    steps = trace_backward(x ** exponent)  # the step-by-step pass takes it too
    assert steps[0].contributions[0].local == slope


def test_pictures_show_a_huge_exponent():
    from autograd_lite import draw_dot

    y = Value(0.5, label="x") ** HUGE
    y.backward()
    assert "^1e+400" in draw_dot(y).source


def test_huge_exponent_edges_that_have_no_answer_say_so():
    with pytest.raises(DomainError, match="division by zero"):
        Value(0.0) ** -HUGE
    x = Value(0.5)
    with pytest.raises(ValueError, match="beyond the floats"):
        (x ** HUGE).backward(create_graph=True)
    with pytest.raises(ValueError, match="too large for a float"):
        HUGE ** Value(2.0)


def test_the_vocabulary_is_one_table():
    for name in ("sin", "cos", "tan", "sqrt", "abs", "softplus", "silu", "gelu", "elu", "maximum", "minimum"):
        op = OPS[name]
        assert op.is_function and info(op) is not None and op.arity in (1, 2) and op.arity != VARIADIC
        if op.arity == 1:
            assert getattr(Value(0.5), name)().op == name
