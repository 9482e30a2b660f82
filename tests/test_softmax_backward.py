"""softmax and log_softmax: backward sums all outputs of one call at once, in O(N).

The pictures and the trace keep showing each output's Jacobian row
S_i(δ_ij − S_j); backward must give the same gradients as those rows, up to
rounding, while recomputing the softmax once per call rather than once per output.
"""

from __future__ import annotations

import random

import pytest

from autograd_lite import (
    Value,
    apply,
    local_derivatives,
    log_softmax,
    softmax,
    sum_of,
    topological_order,
)
from autograd_lite.core import softmax_backward as module


def by_rows(root):
    """The gradients as the Jacobian rows give them: the textbook chain rule, row by row."""
    order = [n for n in topological_order(root) if not n.is_leaf]
    grads = {id(n): 0.0 for n in topological_order(root)}
    grads[id(root)] = 1.0
    for node in reversed(order):
        for parent, d in zip(node.parents, local_derivatives(node)):
            grads[id(parent)] += grads[id(node)] * d
    return grads


@pytest.mark.parametrize("seed", range(12))
def test_backward_gives_the_rows_gradients(seed):
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-3, 3)) for _ in range(rng.randint(1, 6))]
    inputs = [rng.choice(xs) for _ in range(rng.randint(1, 8))]  # repeats: softmax([a, a, b])
    first = apply(rng.choice(["softmax", "log_softmax"]), inputs)
    second = apply(rng.choice(["softmax", "log_softmax"]), [x * 2 for x in xs])  # a second call, same leaves
    used = [o for o in first if rng.random() < 0.7] + [o for o in second if rng.random() < 0.5]
    root = sum_of([o * rng.uniform(-2, 2) for o in used] + [xs[0] * 0.5])
    want = by_rows(root)
    root.backward()
    for x in xs:
        assert x.grad == pytest.approx(want[id(x)], rel=1e-12, abs=1e-15)


def test_one_softmax_is_computed_once_per_call_not_once_per_output(monkeypatch):
    calls = []
    real = module._softmax_any
    monkeypatch.setattr(module, "_softmax_any", lambda inputs: calls.append(len(inputs)) or real(inputs))
    n = 300
    xs = [Value(k / n) for k in range(n)]
    s = softmax(xs)
    ls = log_softmax(xs)
    sum_of([si * (k % 5) for k, si in enumerate(s)] + ls[:3]).backward()
    assert calls == [n, n]  # one per call, whatever the number of outputs used


def test_only_the_outputs_in_the_graph_count():
    a = [Value(1.0), Value(2.0), Value(3.0)]
    s = softmax(a)
    s[1].backward()  # s[0] and s[2] exist but are not in this graph
    S = [v.data for v in s]
    assert [x.grad for x in a] == pytest.approx([-S[1] * S[0], S[1] * (1 - S[1]), -S[1] * S[2]], rel=1e-15)


def test_second_order_through_the_grouped_backward():
    a = [Value(0.5), Value(-1.0), Value(2.0)]
    s = softmax(a)
    loss = sum_of([s[0] * 3.0, s[2]])
    loss.backward(create_graph=True)
    g0 = a[0].grad
    assert isinstance(g0, Value)
    for x in a:
        x.grad = 0.0
    g0.backward()  # ∂/∂a of ∂loss/∂a_0: compare with central differences of the first derivative

    def first(values):
        vs = [Value(v) for v in values]
        t = softmax(vs)
        sum_of([t[0] * 3.0, t[2]]).backward()
        return vs[0].grad

    h = 1e-6
    for k, x in enumerate(a):
        up = [v.data + (h if j == k else 0.0) for j, v in enumerate(a)]
        down = [v.data - (h if j == k else 0.0) for j, v in enumerate(a)]
        assert x.grad == pytest.approx((first(up) - first(down)) / (2 * h), rel=1e-6, abs=1e-9)


def test_the_walk_expands_a_shared_parents_tuple_once():
    n = 2000
    xs = [Value(k / n) for k in range(n)]
    s = softmax(xs)
    order = topological_order(sum_of(s))
    assert len(order) == n + n + 1  # leaves, outputs, the sum: each once, in order
    position = {id(v): k for k, v in enumerate(order)}
    assert all(position[id(p)] < position[id(o)] for o in s[:5] for p in o.parents)
