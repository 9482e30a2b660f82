"""A neuron's scope without opening one (issue 28): the same graph, the same scopes, the same calls.

nn's Neuron gives the nodes of each call their scope tag directly instead of
opening a scope the usual way, and fastpath builds a neuron's products and Σ
inline. Whatever the inputs, the graph, the numbers, the scopes and the
grouping of nodes by call must be what ``with scope(...)`` and the plain
operators give.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest

from autograd_lite import Value, fastpath, scope, topological_order
from autograd_lite.core.scopes import ScopeTag
from autograd_lite.nn import ACTIVATIONS, MLP, Layer, Neuron


def _bits(x: float) -> bytes:
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def _call(node: Value) -> Any:
    tag = node._tag
    return tag.shared() if tag.__class__ is ScopeTag else None


def _inputs(kind: str) -> list[Any]:
    values = [Value(0.75, label="x0"), Value(-1.5, label="x1"), Value(0.0, label="x2")]
    return {"values": values, "floats": [0.75, -1.5, 0.0], "mixed": [values[0], -1.5, 2]}[kind]


def _record(fast: bool, activation: str, kind: str) -> list[Any]:
    """Two calls of one neuron inside a scope, and backward: everything a picture or a test can see."""
    (fastpath.install if fast else fastpath.uninstall)()
    try:
        inputs = _inputs(kind)
        neuron = Neuron(3, activation, name="L0.N2.", alpha=0.05)
        for k, w in enumerate(neuron.w):
            w.data = [0.5, -1.25, 2.0][k]
        neuron.b.data = 0.375
        with scope("step"):
            outs = [neuron(inputs), neuron([x * 2 if isinstance(x, Value) else x for x in inputs])]
        root = outs[0] * outs[1] + outs[0]
        root.backward()
        order = topological_order(root)
        calls: dict[int, int] = {}  # the nodes' calls, numbered in order of first appearance
        record = []
        for node in order:
            call = _call(node)
            number = calls.setdefault(id(call), len(calls)) if call is not None else None
            record.append((node.op, node.label, node.scope, number, _bits(node.data), _bits(node.grad),
                           node.is_constant, [order.index(p) for p in node.parents]))
        return record
    finally:
        fastpath.install()


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("kind", ["values", "floats", "mixed"])
def test_a_neuron_builds_the_same_graph_fast_and_plain(activation, kind):
    plain = _record(False, activation, kind)
    assert _record(True, activation, kind) == plain
    ops = [row[0] for row in plain]
    assert ops.count("sum") == 2 and ops.count("mul") >= 6  # both calls are in the graph


def test_each_call_of_a_neuron_is_one_scope_entry():
    neuron = Neuron(2, "relu", name="L0.N3.")
    x = [Value(1.0), Value(2.0)]
    with scope("MLP/L0"):
        first, second = neuron(x), neuron(x)
        after = Value(1.0) * 2  # built in the scope around the calls, not in the neuron's
    calls = []
    for out in (first, second):
        built = [n for n in topological_order(out) if not n.is_leaf]
        assert [n.op for n in built] == ["mul", "mul", "sum", "relu"]
        assert {n.scope for n in built} == {"MLP/L0/L0.N3"}
        assert len({id(_call(n)) for n in built}) == 1  # one tag shared by the whole call
        calls.append(_call(built[0]))
    assert calls[0] is not calls[1]  # pictures tell the calls apart ("… 99 more calls")
    assert after.scope == "MLP/L0"
    assert neuron.w[0].scope == "L0.N3"  # parameters keep the scope they were made in
    assert Value(1.0).scope is None  # nothing is left open


def test_constants_of_plain_number_inputs_are_in_the_call_too():
    neuron = Neuron(2, "tanh", name="N.")
    out = neuron([0.5, 3])
    constants = [n for n in topological_order(out) if n.is_constant]
    assert len(constants) == 2
    assert all(n.scope == "N" and _call(n) is _call(out) for n in constants)


def test_layers_and_models_still_nest_their_neurons():
    model = MLP(2, [3, 1], activation="relu", seed=0)
    with scope("epoch1"):
        out = model([Value(1.0), Value(-1.0)])
    scopes = {n.scope for n in topological_order(out) if not n.is_leaf}
    assert scopes == {f"epoch1/MLP/L0/L0.N{k}" for k in range(3)} | {"epoch1/MLP/L1/L1.N0"}
    layer = Layer(2, 2, "tanh", name="L7.")
    assert [o.scope for o in layer([1.0, 2.0])] == ["L7/L7.N0", "L7/L7.N1"]


@pytest.mark.parametrize("inputs", [[1.0], [1.0, 2.0, 3.0], []])
def test_a_neuron_refuses_the_wrong_number_of_inputs(inputs):
    neuron = Neuron(2, "relu")
    with pytest.raises(ValueError, match="this neuron takes 2 inputs, got"):
        neuron(inputs)
    assert Value(1.0).scope is None
