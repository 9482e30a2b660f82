"""Scopes: ``with scope("name"):`` tags every node built inside with the scope's path."""

from __future__ import annotations

import sys

import pytest

from autograd_lite import Value, apply, scope, sum_of, topological_order


def test_every_node_built_inside_gets_the_full_path():
    outside = Value(3.0, label="outside")
    with scope("MLP"):
        with scope("L0/L0.N3") as path:
            x = Value(2.0, label="x")
            y = (x * outside + 1).tanh() ** 2 - 2 ** x
            s = sum_of([y, x, 0.5])
            soft = apply("softmax", [x, y])
            lr = (-x).leaky_relu(0.2)
        after_inner = x * 2
    assert path == "MLP/L0/L0.N3"
    built_inside = [n for n in topological_order(s) if n is not outside]
    built_inside += topological_order(lr)[1:] + soft
    assert len(built_inside) > 10
    for node in built_inside:  # leaves, constants (the 1, the 2, the 0.5), unary, binary, variadic
        assert node.scope == "MLP/L0/L0.N3", node
    assert after_inner.scope == "MLP" and after_inner.parents[1].scope == "MLP"
    assert outside.scope is None
    assert (x * outside).scope is None  # built after every scope closed


def test_scopes_close_on_errors_and_return_to_the_outer_one():
    with scope("outer"):
        with pytest.raises(ZeroDivisionError), scope("inner"):
            Value(1.0) / 0
        assert Value(1.0).scope == "outer"
    assert Value(1.0).scope is None


def test_the_same_name_can_be_opened_again_and_nodes_keep_their_scope():
    with scope("block"):
        a = Value(1.0)
    with scope("block"):
        b = a * 2
    with scope("other"):
        c = a + b
    assert (a.scope, b.scope, c.scope) == ("block", "block", "other")


@pytest.mark.parametrize("name", ["", "/", "a//b", "/a", "a/"])
def test_empty_scope_names_are_refused(name):
    with pytest.raises(ValueError, match="at least one character between slashes"), scope(name):
        pass
    assert Value(1.0).scope is None  # nothing was left open


@pytest.mark.parametrize("name", [None, 3, b"layer", ["a"]])
def test_scope_names_must_be_strings(name):
    with pytest.raises(TypeError, match=r"scope\(\) takes a name"), scope(name):
        pass


def test_labels_work_as_before_and_keep_the_scope():
    plain = Value(1.0, label="p")
    assert plain.label == "p" and plain.scope is None
    plain.label = "q"
    assert plain.label == "q" and plain.scope is None
    plain.label = None
    assert plain.label is None and repr(plain) == "Value(data=1.0, grad=0.0)"
    with scope("net/layer"):
        x = Value(2.0, label="x")
        y = x * x
        z = x + x
    assert x.label == "x" and x.scope == "net/layer"
    assert y.label is None and y.scope == "net/layer"
    y.label = "y"
    assert (y.label, y.scope) == ("y", "net/layer")
    assert (z.label, z.scope) == (None, "net/layer")  # labelling y does not label its scope-mates
    y.label = "y2"
    y.label = None
    assert (y.label, y.scope) == (None, "net/layer")
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    with pytest.raises(TypeError, match="a label is a str or None"):
        y.label = 3
    with scope("s"), pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


def test_a_scope_adds_no_bytes_and_unlabelled_nodes_share_one_tag():
    # data, grad, two parents, op, tag (label or label + scope), mark, weakref: no slot for scopes
    assert sorted(Value.__slots__) == ["__weakref__", "_a", "_b", "_mark", "_op", "_tag", "data", "grad"]
    outside = Value(1.0) * 2
    with scope("a/b/c"):
        inside = Value(1.0) * 2
        other = inside + 1
    assert sys.getsizeof(inside) == sys.getsizeof(outside)
    assert inside._tag is other._tag  # one small object per scope, not per node
    assert outside._tag is None


def test_gradients_do_not_depend_on_scopes():
    def f(x: Value) -> Value:
        return (x * x + x.exp()).log() / (1 + x.sigmoid())

    a = Value(0.7)
    f(a).backward()
    b = Value(0.7)
    with scope("f"):
        y = f(b)
    y.backward()
    assert a.grad == b.grad


def test_nodes_built_by_backward_with_create_graph_take_the_scope_open_then():
    x = Value(1.5)
    y = x * x * x
    with scope("grad"):
        y.backward(create_graph=True)
    assert x.grad.data == 3 * 1.5**2
    assert x.grad.scope == "grad"
    assert y.scope is None


@pytest.mark.parametrize("fast", [True, False])
def test_both_the_plain_and_the_fast_constructors_tag_nodes(fast):
    from autograd_lite.fast import fastpath

    (fastpath.install if fast else fastpath.uninstall)()
    try:
        with scope("s"):
            x = Value(1.0)
            nodes = [x * x, x + 2, 3 - x, -x, x ** 2, 2 ** x, x.relu(), x.leaky_relu(0.2), sum_of([x, 1])]
        outside = [x * x, -x, x.relu()]
    finally:
        fastpath.install()
    assert [n.scope for n in nodes] == ["s"] * len(nodes)
    assert [n.scope for n in outside] == [None] * len(outside)
