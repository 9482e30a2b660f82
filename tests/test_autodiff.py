"""grad, jacobian, hessian, create_graph, gradcheck; every op to second order."""

from __future__ import annotations

import math

import mpmath
import pytest

from autograd_lite import (
    GradcheckError,
    Value,
    apply,
    grad,
    gradcheck,
    gradgradcheck,
    hessian,
    jacobian,
    softmax,
)

from .op_cases import (
    BINARY,
    UNARY,
    VECTOR,
    close,
    defined,
    index_args,
    outputs_of,
    params_kw,
)
from .op_info import info

M = mpmath.mp
SECOND_ORDER_GRID = [-3.0, -1.0, -0.5, 1e-8, 0.3, 1.0, 2.5, 20.0]


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def test_issue_examples():
    s = sigmoid(0.3)
    assert grad(grad(lambda x: x.sigmoid()))(0.3) == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-13)
    t = math.tanh(0.7)
    third = -2 * (1 - t * t) * (1 - 3 * t * t)
    assert grad(grad(grad(lambda x: x.tanh())))(0.7) == pytest.approx(third, rel=1e-12)
    assert grad(lambda x, y: x * y ** 2, argnums=(0, 1))(3.0, 2.0) == (4.0, 12.0)
    h = hessian(lambda v: v[0] ** 2 * v[1] + v[1].exp(), [1.0, 2.0])
    assert h == [[4.0, 2.0], [2.0, pytest.approx(math.exp(2.0))]]
    x = Value(0.5)
    y = x.tanh()
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(1 - math.tanh(0.5) ** 2)
    g = x.grad
    x.grad = 0.0
    g.backward()
    assert x.grad == pytest.approx(-2 * y.data * (1 - y.data ** 2))
    assert gradcheck(lambda x, y: (x * y).tanh(), [0.3, -1.2]) is True


def test_grad_leaves_no_trace_in_grads():
    w = Value(2.0)
    assert grad(lambda x: x * w)(3.0) == 2.0
    assert w.grad == 0.0


def test_grad_of_values_is_differentiable_and_of_floats_is_float():
    assert isinstance(grad(lambda x: x * x)(3.0), float)
    g = grad(lambda x: x * x)(Value(3.0))
    assert isinstance(g, Value) and g.data == 6.0
    assert grad(lambda x: Value(1.0) + 0 * x)(Value(1.0)).data == 0.0
    assert grad(grad(lambda x: x * 3))(1.0) == 0.0


def test_derivatives_of_tanh_to_fourth_order():
    f = lambda x: x.tanh()
    x = 0.4
    t = math.tanh(x)
    closed = [1 - t * t, -2 * t * (1 - t * t), -2 * (1 - t * t) * (1 - 3 * t * t),
              8 * t * (1 - t * t) * (2 - 3 * t * t)]
    d = f
    for want in closed:
        d = grad(d)
        assert d(x) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.name)
def test_every_unary_op_to_second_order(op):
    for params in info(op).samples:
        kw = params_kw(op, params)
        d2 = grad(grad(lambda x, kw=kw: apply(op, x, **kw)))
        for x in SECOND_ORDER_GRID:
            if not defined(op, x, *params) or x in info(op).kinks:
                continue
            want = M.diff(lambda t, params=params: info(op).reference(M, t, *params), M.mpf(x), 2)
            assert close(d2(x), want, rel=1e-8, abs_=1e-12), (op.name, params, x)


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.name)
def test_every_binary_op_hessian(op):
    for a, b in [(0.7, 1.3), (2.0, -0.5), (1.5, 3.0), (-2.0, 3.0)]:
        if not defined(op, a, b) or (op.name == "pow" and a < 0):
            continue
        h = hessian(lambda v: apply(op, v[0], v[1]), [a, b])
        for i in range(2):
            for j in range(2):
                order = ((i == 0) + (j == 0), (i == 1) + (j == 1))
                want = M.diff(lambda s, t: info(op).reference(M, s, t), (M.mpf(a), M.mpf(b)), order)
                assert close(h[i][j], want, rel=1e-8, abs_=1e-12), (op.name, a, b, i, j)


@pytest.mark.parametrize("op", VECTOR, ids=lambda op: op.name)
def test_vector_ops_hessian(op):
    xs = [0.5, -1.0, 2.0] + ([1.5] if op.paired else [])  # dot takes pairs
    n = len(xs)
    for i in range(n) if op.is_vector else [None]:
        h = hessian(lambda v, i=i: outputs_of(op, v)[i or 0], xs)
        for j in range(n):
            for k in range(n):
                order = tuple((j == m) + (k == m) for m in range(n))
                want = M.diff(lambda *a, i=i: info(op).reference(M, list(a), *index_args(i)),
                              [M.mpf(x) for x in xs], order)
                assert close(h[j][k], want, rel=1e-8, abs_=1e-12)


def test_softmax_hessian_closed_form():
    xs = [1.0, 2.0, 3.0]
    exps = [math.exp(x) for x in xs]
    s = [e / sum(exps) for e in exps]
    h = hessian(lambda v: softmax(v)[0], xs)
    delta = lambda a, b: 1.0 if a == b else 0.0
    for j in range(3):
        for k in range(3):
            want = s[0] * ((delta(0, j) - s[j]) * (delta(0, k) - s[k]) - s[j] * (delta(j, k) - s[k]))
            assert h[j][k] == pytest.approx(want, rel=1e-10, abs=1e-15)


def test_second_derivatives_at_the_kinks_follow_the_conventions():
    assert grad(grad(lambda x: x.relu()))(0.0) == 0.0
    assert grad(grad(lambda x: x.relu()))(2.0) == 0.0
    assert grad(grad(lambda x: x.leaky_relu()))(0.0) == 0.0
    assert grad(lambda x: x.leaky_relu(0.3))(0.0) == 0.3


def test_jacobian_shapes():
    assert jacobian(lambda v: v[0] * v[1], [2.0, 3.0]) == [3.0, 2.0]
    assert jacobian(lambda v: [v[0] * v[1], v[0] + v[1]], [2.0, 3.0]) == [[3.0, 2.0], [1.0, 1.0]]


def test_gradcheck_catches_a_wrong_rule():
    def cube(x):
        return x * x * x

    assert gradcheck(cube, [1.3]) is True
    from autograd_lite.core.ops import OPS, Op

    good = OPS["tanh"]
    # a deliberately wrong rule: tanh' written as 1 − t instead of 1 − t²
    bad = Op(name="tanh", forward=good.forward, text=good.text,
             rule=lambda t, x: 1.0 - t, formula=good.formula)
    with pytest.raises(GradcheckError) as err:
        gradcheck(lambda x, y: apply(bad, x * y), [0.3, -1.2])
    report = str(err.value)
    assert "input 0 (= 0.3)" in report and "input 1 (= -1.2)" in report
    assert "backward gives" in report and "central differences give" in report and "difference" in report
    assert gradcheck(lambda x: apply(bad, x), [0.5], raise_exception=False) is False


def test_gradgradcheck():
    assert gradgradcheck(lambda x, y: (x * y).tanh() + x.exp() / y, [0.3, -1.2]) is True
    assert gradgradcheck(lambda *v: softmax(list(v))[1], [0.1, 0.5, -0.3]) is True


def test_bad_input_to_the_transforms():
    with pytest.raises(TypeError, match="returns one Value"):
        grad(lambda x: [x, x])(1.0)
    with pytest.raises(TypeError, match="returns a Value"):
        grad(lambda x: 3.0)(1.0)
    with pytest.raises(TypeError, match="cannot be called with 2"):
        grad(lambda x: x)(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums=1"):
        grad(lambda x: x, argnums=1)(1.0)
    with pytest.raises(TypeError, match="argnums"):
        grad(lambda x: x, argnums="x")
    for mistake in (True, (0, False), None, 0.0, ()):  # bool is an int to Python, never a position here
        with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
            grad(lambda x: x, argnums=mistake)
    with pytest.raises(TypeError, match="real number"):
        grad(lambda x: x)("a")
    with pytest.raises(TypeError, match="list of numbers"):
        jacobian(lambda v: v[0], 3.0)
    with pytest.raises(TypeError, match="list of numbers"):
        gradcheck(lambda x: x, 3.0)
