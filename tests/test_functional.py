"""Activations on numbers, Values and nested lists; softmax and log_softmax."""

from __future__ import annotations

import math

import pytest

from autograd_lite import (
    Value,
    jacobian,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    tanh,
)

SEED_X = [0.1, 0.2, 0.3, 0.4, 0.5]
SEED_SIGMOID = [0.52497919, 0.549834, 0.57444252, 0.59868766, 0.62245933]
SEED_DERIVATIVE = [0.24937604, 0.24751657, 0.24445831, 0.24026075, 0.23500371]


def data(nested):
    if isinstance(nested, list):
        return [data(item) for item in nested]
    assert isinstance(nested, Value)
    return nested.data


@pytest.mark.parametrize("shape", ["(-1, 1)", "(-1,)", "(1, -1)"])
def test_the_seeds_numbers_in_each_shape(shape):
    inputs = {"(-1, 1)": [[x] for x in SEED_X], "(-1,)": SEED_X, "(1, -1)": [SEED_X]}[shape]
    out = sigmoid(inputs)
    flat_in = [x for row in inputs for x in (row if isinstance(row, list) else [row])]
    flat_out = [v for row in out for v in (row if isinstance(row, list) else [row])]
    assert len(flat_out) == 5 and type(out) is list
    assert [len(r) if isinstance(r, list) else None for r in out] == \
        [len(r) if isinstance(r, list) else None for r in inputs]
    for x, s, want, dwant in zip(flat_in, flat_out, SEED_SIGMOID, SEED_DERIVATIVE):
        assert round(s.data, 8) == pytest.approx(want, abs=1e-8)
        leaf = s.parents[0]
        s.backward()
        assert leaf.data == x and round(leaf.grad, 8) == pytest.approx(dwant, abs=1e-8)


def test_elementwise_keeps_any_shape_and_accepts_values():
    nested = [[[1.0, -1.0]], [[0.0, 2.0]]]
    for f, ref in [(tanh, math.tanh), (relu, lambda x: max(x, 0.0)),
                   (leaky_relu, lambda x: x if x > 0 else 0.01 * x)]:
        assert data(f(nested)) == [[[ref(1.0), ref(-1.0)]], [[ref(0.0), ref(2.0)]]]
    v = Value(0.3)
    assert tanh(v).parents == (v,)
    assert tanh(()) == []
    assert leaky_relu([-1.0], alpha=0.5)[0].data == -0.5


def test_softmax_jacobian_is_s_i_delta_minus_s_j():
    xs = [1.0, 2.0, 3.0]
    exps = [math.exp(x) for x in xs]
    s = [e / sum(exps) for e in exps]
    jac = jacobian(softmax, xs)
    for i in range(3):
        for j in range(3):
            assert jac[i][j] == pytest.approx(s[i] * ((i == j) - s[j]), rel=1e-12, abs=1e-16)


def test_softmax_along_the_last_axis():
    out = data(softmax([[1.0, 2.0], [3.0, 3.0]]))
    assert out[1] == [0.5, 0.5] and sum(out[0]) == pytest.approx(1.0)
    assert [math.exp(v) for v in data(log_softmax([[1.0, 2.0]])[0])] == pytest.approx(out[0])


@pytest.mark.parametrize("f", [softmax, log_softmax])
def test_softmax_and_log_softmax_finite_at_plus_minus_1000(f):
    xs = [1000.0, -1000.0, 0.0]
    values = data(f(xs))
    assert all(math.isfinite(v) for v in values)
    jac = jacobian(f, xs)
    assert all(math.isfinite(v) for row in jac for v in row)


def test_bad_inputs():
    with pytest.raises(TypeError, match="nested list"):
        sigmoid("abc")
    with pytest.raises(TypeError, match="sequence"):
        softmax(3.0)
    with pytest.raises(ValueError, match="empty"):
        softmax([])
    with pytest.raises(ValueError, match="ragged"):
        softmax([[1.0], 2.0])
    with pytest.raises(TypeError, match="real number"):
        softmax([1.0, "x"])


# --- numpy arrays, without depending on numpy -----------------------------------

np = pytest.importorskip("numpy")


def test_the_seeds_array_prints_its_numbers():
    from autograd_lite import to_floats

    x = np.array([[0.1], [0.2], [0.3], [0.4], [0.5]])
    s = sigmoid(x)
    assert isinstance(s, np.ndarray) and s.shape == (5, 1) and s.dtype == object
    assert np.allclose(to_floats(s), np.array([[v] for v in SEED_SIGMOID]), atol=1e-8)
    for v in s.reshape(-1):
        v.backward()
    grads = to_floats(s, grad=True)  # the outputs' own grads: the seed of each pass
    assert grads.shape == (5, 1) and (grads == 1.0).all()
    leaves = np.array([[v.parents[0]] for [v] in s], dtype=object)
    assert np.allclose(to_floats(leaves, grad=True), np.array([[d] for d in SEED_DERIVATIVE]), atol=1e-8)
    assert "0.52497918" in repr(s)  # printing shows the numbers


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "silu", "gelu",
                                  "exp", "sin", "cos", "tan", "sqrt", "log"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (1, 2, 2)])
def test_every_activation_keeps_an_arrays_shape(name, shape):
    import autograd_lite

    f = getattr(autograd_lite, name)
    x = np.linspace(0.5, 2.0, int(np.prod(shape))).reshape(shape)
    out = f(x)
    assert isinstance(out, np.ndarray) and out.shape == shape and out.dtype == object
    want = [autograd_lite.apply(name, float(v)).data for v in x.reshape(-1)]
    assert autograd_lite.to_floats(out).reshape(-1).tolist() == want


def test_softmax_along_the_last_axis_of_an_array():
    from autograd_lite import to_floats

    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    for f in (softmax, log_softmax):
        out = f(x)
        assert isinstance(out, np.ndarray) and out.shape == (2, 3)
        assert to_floats(out).tolist() == [[v.data for v in f(row)] for row in x.tolist()]
    assert np.allclose(to_floats(softmax(x)).sum(axis=-1), 1.0)
    with pytest.raises(TypeError, match="0-d"):
        softmax(np.array(1.0))


def test_maximum_and_minimum_broadcast_like_numpy():
    from autograd_lite import maximum, minimum, to_floats

    a = np.array([[1.0, 5.0], [3.0, -2.0]])
    assert to_floats(maximum(a, 2.0)).tolist() == [[2.0, 5.0], [3.0, 2.0]]
    assert to_floats(minimum(a, np.array([0.0, 10.0]))).tolist() == [[0.0, 5.0], [0.0, -2.0]]
    assert to_floats(maximum([1.0, 5.0], [2.0, 2.0])) == [2.0, 5.0]
    with pytest.raises(ValueError, match="differ in length"):
        maximum([1.0], [1.0, 2.0])


def test_to_floats_takes_any_nesting_and_create_graph_grads():
    from autograd_lite import to_floats

    a = Value(3.0)
    y = a * a
    y.backward(create_graph=True)
    assert to_floats([[a], (y,)]) == [[3.0], [9.0]]
    assert to_floats(a, grad=True) == 6.0  # a Value grad from create_graph=True gives its number
    assert to_floats(np.array([a, 2.0], dtype=object)).dtype == float
    with pytest.raises(TypeError, match="to_floats"):
        to_floats("abc")


def test_models_take_numpy_data():
    from autograd_lite.datasets import make_moons
    from autograd_lite.nn import MLP

    X, y = make_moons(n=40, noise=0.1, seed=0)
    Xa, ya = np.array(X), np.array(y)
    model = MLP(2, [4, 1], seed=0)
    twin = MLP(2, [4, 1], seed=0)
    history = model.fit(Xa, ya, epochs=3, quiet=True)
    assert history.loss == twin.fit(X, y, epochs=3, quiet=True).loss
    assert model.predict(Xa) == twin.predict(X)
    assert model.accuracy(Xa, ya) == twin.accuracy(X, y)
    assert model(Xa[0]).data == twin(X[0]).data
