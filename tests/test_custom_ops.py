"""define_op: a user's op works everywhere a table op works, and never cuts a graph silently."""

from __future__ import annotations

import math

import mpmath
import pytest

from autograd_lite import (
    OPS,
    OpTest,
    Value,
    apply,
    define_op,
    draw_dot,
    grad,
    remove_op,
    trace_backward,
)
from autograd_lite.core.expression import parse
from autograd_lite.core.rules import cos as rule_cos
from autograd_lite.core.rules import step as rule_step

from .op_cases import close


@pytest.fixture
def defined():
    """Ops made in a test are removed afterwards, so the table stays the README's."""
    made = []

    def make(**kw):
        op = define_op(**kw)
        made.append(op.name)
        return op

    yield make
    for name in made:
        remove_op(name)
    assert not any(name in OPS for name in made)


def test_an_op_from_text_works_everywhere(defined):
    op = defined(name="my_sin", forward=math.sin, derivative="cos(x)",
                 test=OpTest(reference=lambda m, x: m.sin(x), derivative=(lambda m, x: m.cos(x),)))
    assert op.describe() == "my_sin: my_sin(x);  ∂/∂x = cos(x)"
    x = Value(5.0, label="x")
    y = x.my_sin() * x  # a Value method
    y.backward()
    assert x.grad == pytest.approx(math.cos(5) * 5 + math.sin(5), rel=1e-15)
    assert apply("my_sin", 0.5).data == math.sin(0.5)  # apply by name
    f, _ = parse("my_sin(x) * 2").build({"x": 1.0})  # the expression language
    assert f.data == 2 * math.sin(1.0)
    steps = trace_backward(x.my_sin())  # the trace shows its formula with numbers
    assert "cos(x)" in steps[0].rules[0] and "cos(5)" in steps[0].rules[0]
    assert "my_sin" in draw_dot(x.my_sin()).source  # the picture names it
    # second order from the same rule, against mpmath (the grad(grad(my_sin))(5))
    assert grad(grad(lambda v: v.my_sin()))(5.0) == pytest.approx(-math.sin(5), rel=1e-14)
    assert close(grad(grad(grad(lambda v: v.my_sin())))(5.0), -mpmath.cos(5), rel=1e-12)


def test_the_table_tests_can_take_it(defined):
    from .test_ops_table import test_unary_op

    op = defined(name="my_cube", forward=lambda x: x**3, derivative="3.0 * x * x",
                 test=OpTest(reference=lambda m, x: x**3, derivative=(lambda m, x: 3 * x**2,)))
    for x in [0.0, 1e-8, -1.0, 20.0, -700.0]:
        test_unary_op((op, x, ()))


def test_a_binary_op_with_a_parameter(defined):
    defined(name="scaled_hypot", inputs=("a", "b"), params=("k",), defaults=(1.0,),
            forward=lambda a, b, k: k * math.hypot(a, b),
            derivative=("k * a / (out / k)", "k * b / (out / k)"))
    a, b = Value(3.0), Value(4.0)
    y = apply("scaled_hypot", a, b, k=2.0)
    y.backward()
    assert y.data == 10.0 and (a.grad, b.grad) == (pytest.approx(1.2), pytest.approx(1.6))
    assert parse("scaled_hypot(x, y)").build({"x": 3.0, "y": 4.0})[0].data == 5.0


def test_a_function_that_goes_through_math_cannot_give_silently_wrong_second_derivatives(defined):
    defined(name="math_sin", forward=math.sin, derivative=lambda out, x: math.cos(x))
    assert grad(lambda v: v.math_sin())(5.0) == math.cos(5.0)  # first order is fine
    with pytest.raises(TypeError) as error:
        grad(grad(lambda v: v.math_sin()))(5.0)  # today this would be 0.0, silently
    message = str(error.value)
    assert "'math_sin'" in message and "create_graph=True" in message and "math.cos(x)" in message
    assert "derivative='cos(x)'" in message


def test_a_function_built_from_the_vocabulary_gives_second_derivatives(defined):
    defined(name="good_sin", forward=math.sin, derivative=lambda out, x: rule_cos(x))
    assert grad(grad(lambda v: v.good_sin()))(5.0) == pytest.approx(-math.sin(5.0), rel=1e-14)


def test_a_locally_constant_derivative_may_be_a_plain_number(defined):
    defined(name="my_step", forward=lambda x: 2.0 * x if x > 0 else 0.0,
            derivative=lambda out, x: 2.0 * rule_step(x, 0.0))  # a float, for floats and Values
    assert grad(grad(lambda v: v.my_step() * v))(1.5) == 4.0  # d²(2x·x)/dx² = 4


@pytest.mark.parametrize("kw, error, message", [
    ({"derivative": "math.cos(x)"}, ValueError, "cos(x), not math.cos(x)"),
    ({"derivative": "cosine(x)"}, ValueError, "unknown name 'cosine'"),
    ({"derivative": "cos(x"}, ValueError, "not a Python expression"),
    ({"derivative": ("cos(x)", "1.0")}, ValueError, "one derivative per input"),
    ({"derivative": 3}, TypeError, "text (such as 'cos(x)') or a function"),
    ({"derivative": "cos(x)", "name": "sin"}, ValueError, "already an op named 'sin'"),
    ({"derivative": "cos(x)", "name": "backward"}, ValueError, "already a name of Value"),
    ({"derivative": "cos(x)", "name": "ln"}, ValueError, "expression language"),
    ({"derivative": "cos(x)", "name": "2x"}, ValueError, "identifier"),
])
def test_mistakes_in_a_definition_are_named(kw, error, message):
    with pytest.raises(error) as raised:
        define_op(**{"name": "bad_op", "forward": math.sin, **kw})
    assert message in str(raised.value)
    assert "bad_op" not in OPS


def test_only_defined_ops_can_be_removed():
    with pytest.raises(ValueError, match="not an op made with define_op"):
        remove_op("sin")
    assert "sin" in OPS
