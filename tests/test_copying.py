"""Copies and pickles of graphs: any depth, the same numbers, grads, structure and op entries."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle

import pytest

from autograd_lite import Value, topological_order
from autograd_lite.core.ops import OPS, BoundOp, Op

from .op_cases import (
    BINARY,
    PAIR_GRID,
    UNARY,
    VECTORS,
    defined,
    outputs_of,
    paired_up,
    params_kw,
)
from .op_info import info


def build_cases(name: str) -> list[Value]:
    """A few nodes made by the op ``name``, at points of its domain, each with its parameters."""
    from autograd_lite import apply

    op = OPS[name]
    roots: list[Value] = []
    if op.arity == 1 and op not in UNARY:  # an op the generated tests leave out: its defaults
        return [apply(op, Value(0.5, label="x"), **dict(zip(op.params, op.defaults)))]
    if op in UNARY:
        for params in info(op).samples:
            points = [x for x in (0.5, -1.5, 2.0, 0.0) if defined(op, x, *params)][:2]
            roots += [apply(op, Value(x, label="x"), **params_kw(op, params)) for x in points]
    elif op in BINARY:
        pairs = [(a, b) for a in PAIR_GRID for b in PAIR_GRID if defined(op, a, b)][3:6]
        roots += [apply(op, Value(a, label="a"), Value(b, label="b")) for a, b in pairs]
    else:
        roots += outputs_of(op, paired_up(op, [Value(v) for v in VECTORS[0]]))
    assert roots, name
    return roots


def _same_graph(original: Value, twin: Value) -> None:
    """Node for node: data, grad, label, scope, op entry (the very object), parent structure."""
    a, b = topological_order(original), topological_order(twin)
    assert len(a) == len(b)
    position = {id(node): k for k, node in enumerate(a)}
    twin_position = {id(node): k for k, node in enumerate(b)}
    for x, y in zip(a, b):
        assert x is not y
        assert (x.data, x.label, x.scope, x.is_constant) == (y.data, y.label, y.scope, y.is_constant)
        assert x.data == y.data or (x.data != x.data and y.data != y.data)  # NaN stays NaN
        if isinstance(x.grad, Value):
            assert isinstance(y.grad, Value) and y.grad.data == x.grad.data
        else:
            assert y.grad == x.grad
        assert y.op_entry is x.op_entry
        assert [position[id(p)] for p in x.parents] == [twin_position[id(p)] for p in y.parents]


def _roundtrips(v: Value) -> list[Value]:
    return [copy.deepcopy(v), pickle.loads(pickle.dumps(v)), pickle.loads(pickle.dumps(v, protocol=2))]


def test_a_square_copies_and_pickles():  # copy.deepcopy(Value(2.0) ** 2) used to recurse forever
    y = Value(2.0, label="x") ** 2
    y.backward()
    for twin in _roundtrips(y):
        _same_graph(y, twin)
        assert twin.data == 4.0 and twin.parents[0].grad == 4.0


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_of_the_table_round_trips(name):
    for root in build_cases(name):
        root.backward()
        for twin in _roundtrips(root):
            _same_graph(root, twin)


def test_bound_ops_and_ops_are_the_tables_own_entries_after_a_copy_or_a_pickle():
    bound = Value(-1.0).leaky_relu(0.2).op_entry
    assert isinstance(bound, BoundOp)
    for entry in (bound, OPS["mul"], OPS["softmax"].bind(1)):
        assert copy.copy(entry) is entry and copy.deepcopy(entry) is entry
        assert pickle.loads(pickle.dumps(entry)) is entry


def test_an_op_that_is_not_the_tables_entry_is_refused_by_name():
    impostor = dataclasses.replace(OPS["exp"])  # the same fields, but not the table's entry
    assert isinstance(impostor, Op) and impostor is not OPS["exp"]
    with pytest.raises(pickle.PicklingError, match="'exp' pickles by its name, but it is not the op table's"):
        pickle.dumps(impostor)


def test_a_pickle_naming_an_unknown_op_says_so():
    data = pickle.dumps(Value(1.0).exp()).replace(b"exp", b"pxe")
    with pytest.raises(pickle.UnpicklingError, match="the op 'pxe', which is not in this op table"):
        pickle.loads(data)


def test_a_chain_100000_deep_copies_and_pickles():
    x = Value(0.5, label="x")
    y = x
    for k in range(100_000):
        y = y * 1.0 if k % 2 else y + 0.0
    y.backward()
    for twin in (copy.deepcopy(y), pickle.loads(pickle.dumps(y)), pickle.loads(pickle.dumps(y))):
        leaf = topological_order(twin)[0]
        assert leaf.label == "x" and leaf.grad == 1.0 and twin.data == 0.5
        twin.backward()
        assert leaf.grad == 2.0 and x.grad == 1.0  # the copy accumulates on its own


def test_a_pickle_after_a_pickle_of_the_same_deep_graph_still_works():
    # pickle gives no sign where a dump ends: the second dump must not trust the first's record
    y = Value(1.0)
    for _ in range(20_000):
        y = y * 1.0
    first = pickle.dumps(y)
    z = y + 1.0  # a new node on top of nodes the first dump saved
    for data in (pickle.dumps(y), pickle.dumps(z), pickle.dumps([z, y]), first):
        assert pickle.loads(data) is not None


def test_nodes_shared_by_several_roots_stay_shared_in_one_pickle_or_deepcopy():
    x = Value(3.0, label="x")
    shared = x * x
    outputs = [shared + 1.0, shared * 2.0, shared]
    for twins in (copy.deepcopy(outputs), pickle.loads(pickle.dumps(outputs))):
        first_shared = twins[0].parents[0]
        assert twins[1].parents[0] is first_shared is twins[2]
        assert first_shared.parents[0] is first_shared.parents[1]  # x * x: one x, twice
        for out in twins:
            out.backward()
        assert first_shared.parents[0].grad == 6.0 + 12.0 + 6.0  # x*x's three uses, d/dx 6 each, one doubled
    separate = [pickle.loads(pickle.dumps(v)) for v in outputs]  # separate dumps: separate copies
    assert separate[2] is not separate[0].parents[0]


def test_softmax_outputs_keep_sharing_their_inputs():
    from autograd_lite import apply

    outputs = apply("softmax", [Value(1.0), Value(2.0), Value(3.0)])
    for twins in (copy.deepcopy(outputs), pickle.loads(pickle.dumps(outputs))):
        assert [o.data for o in twins] == [o.data for o in outputs]
        assert all(p is q for p, q in zip(twins[0].parents, twins[2].parents))
        assert [o.op_entry for o in twins] == [o.op_entry for o in outputs]


def test_grads_that_are_values_come_along():
    x = Value(0.7, label="x")
    y = (x * x).tanh()
    y.backward(create_graph=True)
    assert x.grad.data == pytest.approx(2 * 0.7 * (1 - math.tanh(0.49) ** 2))
    for twin_y in _roundtrips(y):
        twin_x = topological_order(twin_y)[0]
        assert isinstance(twin_x.grad, Value) and twin_x.grad.data == x.grad.data
        in_grad_graph = topological_order(twin_x.grad)
        assert any(n is twin_x for n in in_grad_graph) and not any(n is x for n in in_grad_graph)


def test_copy_copy_is_one_new_node_on_the_same_parents():
    a, b = Value(2.0), Value(3.0)
    y = a * b
    twin = copy.copy(y)
    assert twin is not y and twin.data == 6.0 and twin.parents[0] is a and twin.parents[1] is b


def test_labels_scopes_and_constants_come_along():
    from autograd_lite import scope

    with scope("block"):
        y = Value(2.0, label="w") * 3
    for twin in _roundtrips(y):
        assert twin.scope == "block" and twin.parents[0].label == "w" and twin.parents[1].is_constant


def test_a_model_pickles_and_copies_with_its_parameters():
    from autograd_lite.nn import MLP

    model = MLP(2, [4, 1])
    x = [0.3, -0.2]

    def output(m):
        out = m(x)
        return (out[0] if isinstance(out, list) else out).data

    for twin in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert output(twin) == output(model)
        assert [p.data for p in twin.parameters()] == [p.data for p in model.parameters()]
        assert not any(p is q for p, q in zip(twin.parameters(), model.parameters()))
