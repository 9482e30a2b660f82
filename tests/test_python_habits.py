"""Python's habits on a Value (README's conventions table): each one pinned."""

from __future__ import annotations

import math

import pytest

from autograd_lite import OPS, Value, apply, grad


@pytest.mark.parametrize("call", [float, math.sin, math.exp, math.sqrt, math.floor, math.isfinite,
                                  lambda v: math.fsum([v]), lambda v: math.pow(v, 2.0),
                                  lambda v: math.atan2(v, 1.0)])
def test_math_functions_and_float_refuse_a_value_instead_of_dropping_its_gradient(call):
    with pytest.raises(TypeError, match=r"would drop the gradient.*v\.sin\(\).*autograd_lite\.sin.*v\.data"):
        call(Value(0.5))


def test_the_silent_wrong_gradient_of_the_issue_is_now_an_error():
    def f(x):
        return x * math.sin(x)  # the issue's example: the gradient came out 0.8415, the truth is 1.3818

    with pytest.raises(TypeError, match="drop the gradient"):
        grad(f)(1.0)


def test_comparisons_read_the_data_with_values_or_numbers():
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= b and b > a and b >= a and not a > b and not b <= a
    assert a < 1.5 and a <= 1 and a >= 1 and b > 1.5 and 0.5 < a and 3 > b
    assert Value(1.0) <= Value(1.0) and Value(1.0) >= Value(1.0)
    assert not Value(math.nan) < 1.0 and not Value(math.nan) >= 1.0
    with pytest.raises(TypeError):
        a < "b"  # noqa: B015 - the comparison itself must raise


def test_max_min_and_sorted_pick_values_and_the_gradient_flows_through_the_chosen_one():
    vs = [Value(0.5), Value(-2.0), Value(3.0), Value(1.0)]
    top, bottom = max(vs), min(vs)
    assert top is vs[2] and bottom is vs[1]
    assert sorted(vs) == [vs[1], vs[0], vs[3], vs[2]]
    (top * 2 + bottom).backward()
    assert [v.grad for v in vs] == [0.0, 1.0, 2.0, 0.0]
    assert max(Value(1.0), 5) == 5  # with a number too


def test_equality_is_identity_and_values_stay_hashable():
    a, b = Value(1.0), Value(1.0)
    same = a
    assert a == same and a != b and (a == 1.0) is False
    assert len({a, b, a}) == 2 and {a: "a"}[a] == "a"
    assert hash(a) != hash(b) or a is not b


def test_round_int_and_bool_read_the_data():
    v = Value(-2.71828)
    assert round(v, 2) == -2.72 and round(v) == -3 and isinstance(round(v), int)
    assert int(v) == -2 and int(Value(3.9)) == 3
    assert bool(Value(0.5)) and bool(Value(-1.0)) and bool(Value(math.nan))
    assert not Value(0.0) and not Value(-0.0)
    assert f"{Value(2 / 3):.3f}" == "0.667"


def test_abs_is_the_abs_op():
    x = Value(-1.5)
    y = abs(x)
    assert y.op == "abs" and y.data == 1.5
    y.backward()
    assert x.grad == -1.0
    zero = Value(0.0)
    abs(zero).backward()
    assert zero.grad == 0.0  # abs'(0) = 0, as in PyTorch


def test_apply_of_an_unknown_op_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"no op named 'foo'; the op table has: add, sub, mul"):
        apply("foo", 1.0)
    with pytest.raises(TypeError, match=r"apply\(\) takes an op's name"):
        apply(3, 1.0)


def test_help_shows_docstrings_with_formula_and_local_derivative_for_every_operator():
    import pydoc

    text = pydoc.render_doc(Value, renderer=pydoc.plaintext)
    assert "#" not in "".join(line for line in text.splitlines() if "Example" not in line
                              and ">>>" not in line)  # no internal comments leak
    for op in OPS.values():
        if op.dunder is not None:
            method = getattr(Value, f"__{op.dunder}__")
        elif op.is_function and op.arity == 1:
            method = getattr(Value, op.name)
        else:
            continue
        doc = method.__doc__ or ""
        assert op.forward_text() in doc and "local derivative" in doc and "∂/∂" in doc, op.name
    for name in ("__neg__", "__pow__", "__rpow__", "backward", "zero_grad", "__init__",
                 "__lt__", "__float__", "__bool__", "__round__", "__int__", "__abs__"):
        assert getattr(Value, name).__doc__, name
