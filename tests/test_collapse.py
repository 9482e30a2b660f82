"""Scopes in pictures: nn's automatic scopes, clusters, collapsing to boxes, expanding one."""

from __future__ import annotations

import re

import pytest

from autograd_lite import Value, draw_dot, scope
from autograd_lite.core.value import topological_order
from autograd_lite.datasets import make_moons
from autograd_lite.nn import MLP, Neuron, losses
from autograd_lite.views.scope_boxes import scope_boxes


@pytest.fixture(scope="module")
def moons():
    """micrograd's demo: a 2-16-16-1 MLP, hinge loss over 100 moons plus L2, after backward."""
    X, y = make_moons(n=100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], activation="relu", seed=1)
    loss = losses.hinge([model(x) for x in X], y) + losses.l2(model.parameters(), 1e-4)
    loss.label = "loss"
    loss.backward()
    return model, loss


def test_nn_modules_open_their_scopes():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    out = model([1.0, 2.0])
    assert out.scope == "MLP/L1/L1.N0"
    assert model.layers[0].neurons[2].w[1].scope == "MLP/L0/L0.N2"  # parameters live in their neuron
    assert {n.scope for n in topological_order(out) if not n.is_leaf} == {
        "MLP/L0/L0.N0", "MLP/L0/L0.N1", "MLP/L0/L0.N2", "MLP/L1/L1.N0"}
    with scope("step3"):
        assert model([1.0, 2.0]).scope == "step3/MLP/L1/L1.N0"
    assert model([1.0, 2.0]).scope == "MLP/L1/L1.N0"  # the scope around a call is not remembered
    assert Neuron(2)([1.0, 1.0]).scope == "Neuron"
    assert losses.mse([out], [0.0]).scope == "mse" and losses.l2(model.parameters(), 0.1).scope == "l2"
    assert Value(1.0).scope is None  # nothing is left open


def test_scopes_are_clusters_without_collapsing():
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    loss = losses.mse([model([1.0, 2.0])], [1.0])
    source = draw_dot(loss).source
    labels = [label.strip('"') for label in re.findall(r"subgraph cluster_\d+ \{\n.* label=(\S+)", source)]
    assert {"MLP", "L0", "L0.N0", "L0.N1", "L1", "L1.N0", "mse"} <= set(labels)
    assert source.count("subgraph cluster_") == 7
    assert "subgraph" not in draw_dot(loss, clusters=False).source


def test_the_moons_mlp_collapses_to_its_layers(moons):
    model, loss = moons
    order = topological_order(loss)
    assert len(order) > 40_000
    with pytest.raises(ValueError, match="collapse its scopes"):
        draw_dot(loss)
    source = draw_dot(loss, collapse=2, parameters=model.parameters()).source
    titles = re.findall(r"<b>([^<]+)</b>", source)
    assert sorted(titles) == ["L0", "L1", "L2", "hinge", "l2"]
    boxes = scope_boxes(order, 2)
    ops = {box: sum(1 for n in order if boxes.get(n) == box and not n.is_leaf) for box in set(boxes.values())}
    assert ops == {"MLP/L0": 6_400, "MLP/L1": 28_800, "MLP/L2": 1_700, "hinge": 400, "l2": 674}
    assert "6,400 ops · 48 parameters" in source and "28,800 ops · 272 parameters" in source
    assert "label=\"×1,600\"" in source  # 16 neurons × 100 samples flow from L0 into L1
    assert "1,600 outputs: data 0 … " in source  # relu outputs: their range
    assert re.search(r"data [\d.]+ · grad 1<", source)  # hinge's one output, its data and grad
    ids = re.findall(r"^\t(\w+) \[", source, re.MULTILINE)
    assert len(ids) < 20  # boxes, the final sum, the loss and the legend


def test_one_neuron_expands_to_its_products(moons):
    model, loss = moons
    picture = draw_dot(loss, collapse=2, expand=["MLP/L0/L0.N3"])
    source = picture.source
    n3 = model.layers[0].neurons[3]
    for p in (*n3.w, n3.b):
        assert f"\"{p.label} | data" in source
    assert source.count('label="× ') == 2 and 'label="Σ"' in source and 'label=relu' in source
    assert "… 99 more calls" in source and "… 15 more" in source
    assert "<b>L1</b>" in source  # the other layer stays one box
    svg = picture.pipe(format="svg", encoding="utf-8")
    assert "L0.N3.w0" in svg


def test_labelling_nodes_keeps_them_in_their_call_and_few_siblings_keep_names():
    from autograd_lite import softmax

    x = [Value(v, label=f"x{k}") for k, v in enumerate((0.5, -1.0, 2.0))]
    with scope("head"):
        with scope("scores"):
            s = [xi * 2 for xi in x]
        with scope("softmax"):
            w = softmax(s)
        with scope("mix"):
            o = w[0] * x[0] + w[1] * x[1] + w[2] * x[2]
    for k, w_k in enumerate(w):
        w_k.label = f"w{k}"  # a label gives a node a tag of its own: still the same call
    source = draw_dot(o, collapse=1, expand="head/softmax").source
    for k in range(3):
        assert f'"w{k} | data' in source
    assert "more call" not in source and "… 2 more" not in source
    assert "<b>scores</b>" in source and "<b>mix</b>" in source  # two closed siblings keep their names


def test_bad_collapse_and_expand_are_clear(moons):
    _, loss = moons
    with pytest.raises(ValueError, match="no scope 'MLP/L0/L0.N99'; scopes at that depth: MLP/L0/L0.N0"):
        draw_dot(loss, collapse=2, expand=["MLP/L0/L0.N99"])
    with pytest.raises(ValueError, match="give collapse=depth too"):
        draw_dot(loss, expand="MLP/L0")
    with pytest.raises(ValueError, match="collapse takes a scope depth of 1 or more"):
        draw_dot(loss, collapse=0)
    with pytest.raises(TypeError, match="expand takes scope paths"):
        draw_dot(loss, collapse=1, expand=[3])


def test_collapse_one_is_the_model_and_the_loss(moons):
    _, loss = moons
    source = draw_dot(loss, collapse=1).source
    assert sorted(re.findall(r"<b>([^<]+)</b>", source)) == ["MLP", "hinge", "l2"]
    assert "36,900 ops · 337 parameters" in source


def test_unscoped_graphs_are_drawn_as_before():
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    assert draw_dot(y, collapse=1).source.replace("scope (collapsed)", "") == draw_dot(y).source
