"""Value: operators, conventions, accumulation, the deep chain, memory, errors."""

from __future__ import annotations

import gc
import math
import sys
import weakref

import pytest

from autograd_lite import (
    OPS,
    DivisionByZero,
    DomainError,
    Value,
    apply,
    sum_of,
    topological_order,
)


def grads(f, *xs):
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


# --- the node ---------------------------------------------------------------

def test_node_fields_and_repr():
    x = Value(0.5, label="x")
    assert (x.data, x.grad, x.parents, x.op, x.label) == (0.5, 0.0, (), None, "x")
    assert repr(x) == "Value(data=0.5, grad=0.0, label='x')"
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"
    y = x * 3
    assert y.op == "mul" and y.parents[0] is x and y.parents[1].data == 3.0
    assert not hasattr(x, "__dict__")  # __slots__


def test_parents_keep_both_edges_of_a_times_a():
    a = Value(3.0)
    f = a * a
    assert f.parents == (a, a)
    f.backward()
    assert a.grad == 6.0


def test_operators_with_numbers_on_either_side():
    cases = [
        (lambda x: x + 2, 1.0), (lambda x: 2 + x, 1.0),
        (lambda x: x - 2, 1.0), (lambda x: 2 - x, -1.0),
        (lambda x: x * 2, 2.0), (lambda x: 2 * x, 2.0),
        (lambda x: x / 2, 0.5), (lambda x: 2 / x, -2 / 9),
        (lambda x: x ** 2, 6.0), (lambda x: 2 ** x, 8 * math.log(2)),
        (lambda x: -x, -1.0),
    ]
    for f, want in cases:
        _, [g] = grads(f, 3.0)
        assert g == pytest.approx(want, rel=1e-15)


def test_value_to_the_power_of_a_value():
    value, (gx, gy) = grads(lambda x, y: x ** y, 2.0, 3.0)
    assert (value, gx) == (8.0, 12.0)
    assert gy == pytest.approx(8 * math.log(2))


def test_methods():
    x = Value(0.5)
    assert x.exp().data == math.exp(0.5)
    assert x.log().data == math.log(0.5)
    assert x.tanh().data == math.tanh(0.5)
    assert x.sigmoid().data == 1 / (1 + math.exp(-0.5))
    assert Value(-2.0).relu().data == 0.0
    assert Value(-2.0).leaky_relu().data == -0.02
    assert Value(-2.0).leaky_relu(alpha=0.5).data == -1.0
    assert Value(-2.0).leaky_relu(0.5).op_params == {"alpha": 0.5}


def test_issue_example():
    x = Value(0.5, label="x"); w = Value(-3.0, label="w"); b = Value(2.0, label="b")
    y = (x * w + b).sigmoid()
    y.backward()
    s = y.data
    assert x.grad == pytest.approx(w.data * s * (1 - s), rel=1e-15)
    assert w.grad == pytest.approx(x.data * s * (1 - s), rel=1e-15)
    assert b.grad == pytest.approx(s * (1 - s), rel=1e-15)


# --- accumulation and shared subexpressions ----------------------------------

def test_shared_subexpressions():
    a = Value(2.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad, c.grad) == (4.0, 2.0, 1.0)
    a, b = Value(2.0), Value(3.0)
    f = (a * b) * (a + b)  # a²b + ab²
    f.backward()
    assert (a.grad, b.grad) == (2 * 2 * 3 + 3 * 3, 2 * 2 + 2 * 2 * 3)


def test_backward_twice_accumulates_in_leaves_like_pytorch():
    x = Value(3.0)
    h = x * x          # an intermediate node
    y = h * 2
    y.backward()
    assert (x.grad, h.grad) == (12.0, 2.0)
    y.backward()
    assert x.grad == 24.0   # leaves accumulate
    assert h.grad == 2.0    # intermediates hold the latest pass
    y.zero_grad()
    assert (x.grad, h.grad, y.grad) == (0.0, 0.0, 0.0)


def test_two_outputs_sharing_a_graph():
    x = Value(1.5)
    h = x.tanh()
    (h * 2).backward()
    (h * 3).backward()
    assert x.grad == pytest.approx(5 * (1 - h.data ** 2))


def test_zero_grad_clears_the_whole_graph():
    x, w = Value(1.0), Value(2.0)
    y = (x * w).relu() + x
    y.backward()
    y.zero_grad()
    assert all(node.grad == 0.0 for node in topological_order(y))


def test_backward_with_a_seed():
    x = Value(2.0)
    (x * 3).backward(grad=0.5)
    assert x.grad == 1.5


# --- conventions ---------------------------------------------------------------

def test_relu_and_leaky_relu_at_zero():
    assert grads(lambda x: x.relu(), 0.0)[1] == [0.0]            # relu'(0) = 0
    assert grads(lambda x: x.leaky_relu(), 0.0)[1] == [0.01]     # leaky_relu'(0) = alpha
    assert grads(lambda x: x.leaky_relu(0.2), 0.0)[1] == [0.2]


@pytest.mark.parametrize("x", [1000.0, -1000.0])
@pytest.mark.parametrize("method", ["sigmoid", "tanh"])
def test_activations_are_finite_at_plus_minus_1000(method, x):
    value, [g] = grads(lambda v: getattr(v, method)(), x)
    assert math.isfinite(value) and math.isfinite(g)


def test_nan_propagates():
    for method in ["exp", "log", "sigmoid", "tanh", "relu", "leaky_relu"]:
        value, [g] = grads(lambda v, method=method: getattr(v, method)(), math.nan)
        assert math.isnan(value) and math.isnan(g), method
    value, [ga, gb] = grads(lambda a, b: a * b + a / b, math.nan, 2.0)
    assert math.isnan(value) and ga == 2.5 and math.isnan(gb)  # ∂/∂a = b + 1/b needs no a


def test_overflow_gives_inf_not_an_exception():
    assert Value(1000.0).exp().data == math.inf
    assert (Value(10.0) ** 400).data == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf
    assert (Value(1e300) * 1e300).data == math.inf


def test_sum_is_one_correctly_rounded_node():
    a, b, c = Value(0.1), Value(0.2), Value(0.3)
    total = sum_of([a, b, c])
    assert total.op == "sum" and total.parents == (a, b, c)
    assert total.data == math.fsum([0.1, 0.2, 0.3]) == 0.6  # chained + gives 0.6000000000000001
    assert sum_of([c, a, b]).data == total.data  # order does not change the value
    total.backward()
    assert a.grad == b.grad == c.grad == 1.0


def test_sum_counts_a_term_listed_twice_and_lifts_numbers():
    a = Value(3.0)
    total = sum_of([a, a, 2, a * a])
    total.backward()
    assert total.data == 17.0 and a.grad == 2.0 + 6.0
    assert total.parents[2].is_constant


def test_sum_overflows_only_when_the_total_does():
    assert sum_of([1e308, 1e308, -1e308]).data == 1e308  # a partial sum passes the largest float
    assert sum_of([1e308, 1e308]).data == math.inf
    assert sum_of([-1e308, -1e308]).data == -math.inf
    assert math.isnan(sum_of([math.inf, -math.inf]).data)
    assert math.isnan(sum_of([math.nan, 1.0]).data)


def test_dot_is_one_node_equal_to_the_sum_of_its_products_bit_for_bit():
    from autograd_lite import dot
    from autograd_lite.core import generic
    from autograd_lite.fast import fastpath

    ws = [Value(0.1), Value(-2.5), Value(1e-8), 3]
    xs = [Value(0.7), Value(0.3), Value(1e8), Value(-1.0 / 3)]
    y = dot(ws, xs)
    assert y.op == "dot" and len(y.parents) == 8 and y.parents[0] is ws[0] and y.parents[1] is xs[0]
    products = sum_of([w * x for w, x in zip(ws, xs)])
    assert y.data == products.data
    y.backward()
    want = [x.data for x in xs]
    assert [w.grad for w in ws[:3]] == want[:3] and [x.grad for x in xs] == [0.1, -2.5, 1e-8, 3.0]
    leaves = [Value(v) for v in (0.1, -2.5, 1e-8, 3.0, 0.7, 0.3, 1e8, -1.0 / 3)]
    runs = []
    for fast in (True, False):  # nn's constructor and loop: fast path and value.py's plain code agree
        for v in leaves:
            v.grad = 0.0
        if not fast:
            fastpath.uninstall()
        try:
            out = generic._dot_nodes(leaves[:4], leaves[4:]) * 1.5
            out.backward()
            runs.append((out.data, out.parents[0].parents, [v.grad for v in leaves]))
        finally:
            fastpath.install()
    assert runs[0] == runs[1] and runs[0][0] == 1.5 * y.data


def test_dot_of_a_vector_with_itself_gives_both_shares():
    from autograd_lite import dot

    x = [Value(3.0), Value(-2.0)]
    y = dot(x, x)
    y.backward()
    assert y.data == 13.0 and [v.grad for v in x] == [6.0, -4.0]


def test_dot_refuses_unequal_lengths_and_unpaired_inputs():
    from autograd_lite import apply, dot
    from autograd_lite.core.ops import DomainError

    with pytest.raises(ValueError, match="same length, got 2 and 3"):
        dot([1.0, 2.0], [Value(1.0), 2.0, 3.0])
    with pytest.raises(DomainError, match="even number of inputs, got 3"):
        apply("dot", [1.0, 2.0, Value(3.0)])
    with pytest.raises(TypeError, match="dot takes Values or real numbers"):
        dot(["a"], [1.0])


def test_sum_of_nothing_or_of_non_numbers_says_what_is_accepted():
    with pytest.raises(ValueError, match="at least one"):
        sum_of([])
    with pytest.raises(TypeError, match="sequence"):
        sum_of(3.0)
    with pytest.raises(TypeError, match="str"):
        sum_of([Value(1.0), "x"])


# --- errors -----------------------------------------------------------------

@pytest.mark.parametrize("expr, op, shown", [
    (lambda: Value(0.0).log(), "log", "0.0"),
    (lambda: Value(-1.0).log(), "log", "-1.0"),
    (lambda: Value(0.0) ** -1, "pow", "0.0"),
    (lambda: Value(-8.0) ** 0.5, "pow", "-8.0"),
    (lambda: Value(-8.0) ** Value(0.5), "pow", "-8.0"),
    (lambda: Value(1.0) / 0, "div", "1.0"),
    (lambda: 1 / Value(0.0), "div", "1.0"),
])
def test_domain_errors_raise_at_forward_time_naming_op_and_value(expr, op, shown):
    with pytest.raises(DomainError) as err:
        expr()
    assert op in str(err.value) and shown in str(err.value)


def test_division_by_zero_is_also_a_zero_division_error():
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0.0
    assert issubclass(DivisionByZero, DomainError)


@pytest.mark.parametrize("bad", ["abc", None, [1], {}, 1j, Value(1.0)])
def test_bad_types_say_what_is_accepted(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


def test_bad_operands_and_labels():
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="unsupported operand"):
        None * Value(1.0)
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)
    with pytest.raises(ValueError, match="too large"):
        Value(10 ** 400)
    with pytest.raises(TypeError, match="alpha"):
        Value(1.0).leaky_relu(alpha="big")
    with pytest.raises(TypeError, match="leaky_relu"):
        Value(1.0).leaky_relu(0.1, 0.2)


def test_bools_fractions_and_nan_are_accepted_as_real_numbers():
    from fractions import Fraction
    assert Value(True).data == 1.0
    assert Value(Fraction(1, 4)).data == 0.25
    assert math.isnan(Value(math.nan).data)


# --- scale and memory --------------------------------------------------------

def test_a_million_deep_chain_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    del y  # freeing it must not recurse either


def test_a_dropped_graph_is_freed_by_reference_counting_alone():
    gc.collect()
    gc.disable()
    try:
        x = Value(0.5)
        y = ((x * x).sigmoid() + x.exp()).tanh()
        y.backward()
        probe = weakref.ref(y.parents[0])
        del y
        assert probe() is None  # no cycle kept it alive
        w = Value(2.0)
        h = w.tanh()
        h.backward(create_graph=False)
        probe = weakref.ref(h)
        del h
        assert probe() is None
    finally:
        gc.enable()


def test_topological_order_puts_parents_first():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    order = topological_order(d)
    assert order[-1] is d and len(order) == 4
    position = {id(n): k for k, n in enumerate(order)}
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents)
    with pytest.raises(TypeError, match="Value"):
        topological_order(3.0)


def test_every_rule_written_as_text_runs_inline_in_the_fast_loop(monkeypatch):
    """The fast loop applies every text rule without the general path's function call (its reason
    to exist), and gives backward's numbers: specified by behaviour, not by the generated text."""
    from autograd_lite import apply
    from autograd_lite.core.ops import VARIADIC
    from autograd_lite.fast import fastpath

    from .op_cases import defined, outputs_of, paired_up
    from .op_info import info

    def general(*args):
        raise AssertionError("a text rule went through the general path")

    loop = fastpath.propagate_floats
    for op in OPS.values():
        if op.rule_source is None:
            continue
        for params in info(op).samples:
            xs = [0.7, -0.4, 1.3] if op.arity == VARIADIC else [0.7, 1.3][:op.arity]
            if op.arity != VARIADIC and not defined(op, *xs, *params):
                xs = [abs(x) + 0.5 for x in xs]
            leaves = [Value(x) for x in (paired_up(op, xs) if op.arity == VARIADIC else xs)]
            out = (outputs_of(op, leaves)[0] if op.arity == VARIADIC
                   else apply(op, *leaves, **dict(zip(op.params, params))))
            with monkeypatch.context() as patch:
                patch.setitem(loop.__globals__, "_general", general)
                out.backward()
            assert any(leaf.grad != 0.0 for leaf in leaves), op.name


def test_an_op_made_at_run_time_backprops_through_its_own_rule():
    from autograd_lite.core.ops import Op

    tanh = OPS["tanh"]
    doubled = Op(name="tanh2", forward=tanh.forward, text=tanh.text,
                 rule=lambda out, x: 2.0 * (1.0 - out * out), formula=tanh.formula)
    as_text = Op(name="tanh3", forward=tanh.forward, text=tanh.text,
                 rule=("3.0 * (1.0 - out * out)",), formula=tanh.formula)
    for op, factor in ((doubled, 2.0), (as_text, 3.0)):
        x = Value(0.3)
        apply(op, x).backward()
        assert x.grad == factor * (1.0 - math.tanh(0.3) ** 2)
