"""Pictures that always finish and fit their size (issue 22, items 4 and 5).

micrograd's demo written as micrograd writes it (plain Values, builtin sum, no
scopes) must draw collapsed within seconds or be refused at once; ``size=``
chooses the rank direction and collapse depth left open so that node text is
legible (measured in the SVG Graphviz writes), and warns when it cannot be.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import time
import warnings

import pytest

from autograd_lite import Value, draw_dot
from autograd_lite.core.value import topological_order
from autograd_lite.datasets import make_moons
from autograd_lite.nn import GPT, MLP, losses
from autograd_lite.views.fitting import LEGIBLE_PT
from autograd_lite.views.pictures import MAX_NODES, drawn_nodes
from autograd_lite.views.render import SIZES

# skips on a workstation without Graphviz, never in CI (CI set): there a missing dot must fail
needs_dot = pytest.mark.skipif(shutil.which("dot") is None and not os.environ.get("CI"), reason="needs Graphviz's dot")


# --- micrograd's own code, with our Value ---------------------------------------


class _Neuron:
    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act


class _MLP:
    def __init__(self, nin: int, nouts: list[int]) -> None:
        sizes = [nin, *nouts]
        self.layers = [[_Neuron(sizes[i], nonlin=i != len(nouts) - 1) for _ in range(sizes[i + 1])]
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in (*n.w, n.b)]


def micrograd_demo(samples: int = 100):
    """micrograd's demo.ipynb loss: 2-16-16-1 MLP, hinge over moons, L2; inputs list(map(Value, x))."""
    random.seed(1337)
    X, y = make_moons(n=max(samples, 2), noise=0.1, seed=1337)
    model = _MLP(2, [16, 16, 1])
    scores = [model(list(map(Value, x))) for x in X[:samples]]
    data_loss = sum((1 + -yi * si).relu() for yi, si in zip(y, scores)) * (1.0 / samples)
    total = data_loss + 1e-4 * sum(p * p for p in model.parameters())
    total.backward()
    return model, total


@pytest.fixture(scope="module")
def micrograd():
    return micrograd_demo()


def _titles(source: str) -> list[str]:
    return re.findall(r"<b>([^<]+)</b>", source)


def test_what_is_counted_is_what_graphviz_lays_out():
    a = Value(3.0, label="a")
    y = a * a + 1
    assert drawn_nodes(topological_order(y), {}) == 6  # a, a*a and its op, y and its op, the legend
    picture = draw_dot(y)
    ids = set(re.findall(r"^\t(\w+) \[", picture.source, re.MULTILINE)) - {"graph", "node", "edge"}
    assert len(ids) == 6


def test_a_graph_of_fewer_values_than_max_nodes_but_more_graphviz_nodes_is_refused():
    # 3 samples: 2,962 values (under 5,000) but about 5,600 nodes to lay out, values and ops
    _, loss = micrograd_demo(3)
    assert len(topological_order(loss)) < MAX_NODES
    with pytest.raises(ValueError, match=r"the picture has 5,\d{3} nodes .* collapse its scopes"):
        draw_dot(loss)


def test_micrograds_demo_at_collapse_2_finishes_in_seconds(micrograd):
    model, loss = micrograd
    assert len(topological_order(loss)) > 60_000
    start = time.perf_counter()
    picture = draw_dot(loss, collapse=2, parameters=model.parameters())
    titles = _titles(picture.source)
    assert 3 <= len(titles) <= 12 and all(t.startswith("depths ") for t in titles)
    # the first layer's products and sums are one band, with its parameters and the inputs
    assert "6,400 ops · 48 parameters · 200 inputs" in picture.source
    if shutil.which("dot"):
        assert "<svg" in picture.pipe(format="svg", encoding="utf-8")
    assert time.perf_counter() - start < 60  # only to catch a hang: it takes well under a second


def test_max_nodes_holds_for_collapsed_pictures_too(micrograd, moons):
    _, loss = micrograd
    with pytest.raises(ValueError, match=r"the picture has \d+ nodes .* more than max_nodes=5"):
        draw_dot(loss, collapse=1, max_nodes=5)
    _, loss = moons
    with pytest.raises(ValueError, match=r"the picture has \d+ nodes .* more than max_nodes=20"):
        draw_dot(loss, collapse=3, max_nodes=20)  # 49 neuron boxes


def test_depth_bands_follow_runs_of_one_op():
    x = Value(0.5, label="x")
    y = sum([x * k for k in range(1, 6)]).tanh()
    y.label = "y"
    titles = _titles(draw_dot(y, collapse=1).source)
    assert sorted(titles) == ["depth 1: +", "depth 2: ×"]  # the chain of + is one depth; y is drawn itself
    assert '"y | data' in draw_dot(y, collapse=1).source
    small = (x * 3).tanh()  # bands of one op are drawn as they are
    assert _titles(draw_dot(small, collapse=1).source) == []


# --- pictures that fit their size ------------------------------------------------


def _node_text_pt(svg: str) -> float:
    """The size in points of the largest text (node text; edge labels are smaller) as drawn."""
    scale = re.search(r'transform="scale\(([\d.]+) ', svg)
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    return max(sizes) * (float(scale.group(1)) if scale else 1.0)


def _svg_inches(svg: str) -> tuple[float, float]:
    width, height = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(width) / 72, float(height) / 72


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.88, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    return o, [w1, w2, b]


def mlp_2_2_1():
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    loss = losses.mse([model([1.0, -2.0])], [1.0])
    loss.label = "loss"
    loss.backward()
    return loss, model.parameters()


@pytest.fixture(scope="module")
def moons():
    """The nn MLP on micrograd's demo, its inputs fed as micrograd does: list(map(Value, x))."""
    X, y = make_moons(n=100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], activation="relu", seed=1)
    loss = losses.hinge([model(list(map(Value, x))) for x in X], y) + losses.l2(model.parameters(), 1e-4)
    loss.label = "loss"
    loss.backward()
    return model.parameters(), loss


def tiny_gpt():
    model = GPT(27, block_size=16, n_embd=16, n_head=4, n_layer=1, seed=0)
    loss = model.loss([26, 4, 12, 12, 0, 26])
    loss.backward()
    return loss, model.parameters()


def _draw(root, parameters, size, **options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        picture = draw_dot(root, parameters=parameters, size=size, **options)
    svg = picture.pipe(format="svg", encoding="utf-8")
    return picture, svg, [str(w.message) for w in caught]


@needs_dot
@pytest.mark.parametrize("size", ["laptop", "slide"])
@pytest.mark.parametrize("graph", ["neuron", "mlp", "moons"])
def test_size_picks_the_direction_and_collapse_that_keep_text_legible(graph, size, moons):
    root, parameters = {"neuron": neuron, "mlp": mlp_2_2_1, "moons": lambda: moons[::-1]}[graph]()
    picture, svg, warned = _draw(root, parameters, size)
    assert warned == []
    assert _node_text_pt(svg) >= LEGIBLE_PT
    width, height = _svg_inches(svg)
    assert width <= SIZES[size][0] + 0.05 and height <= SIZES[size][1] + 0.05
    if graph == "moons":  # 40,000 nodes: it had to be collapsed (to the layers, or to the model)
        titles = set(_titles(picture.source))
        assert "inputs" in titles and ("L0" in titles or "MLP" in titles) and "L0.N0" not in titles
        assert "200 inputs: data" in picture.source
        if size == "laptop":  # the layers fit a laptop's screen
            assert {"L0", "L1", "L2"} <= titles


@needs_dot
@pytest.mark.parametrize("size", ["laptop", "slide"])
def test_the_tiny_gpt_is_legible_or_says_what_to_do(size):
    root, parameters = tiny_gpt()
    _, svg, warned = _draw(root, parameters, size)
    text = _node_text_pt(svg)
    assert text > 6  # not 4 pt text
    if text < LEGIBLE_PT:
        assert len(warned) == 1 and "under 10 pt" in warned[0] and "bigger size" in warned[0]
    else:
        assert warned == []


@needs_dot
def test_the_users_own_collapse_and_direction_are_kept_with_a_warning_when_too_small(moons):
    parameters, loss = moons
    picture, svg, warned = _draw(loss, parameters, "slide", collapse=3, rankdir="LR")
    assert picture.graph_attr["rankdir"] == "LR"
    assert "L0.N3" in _titles(picture.source)  # still one box per neuron
    assert _node_text_pt(svg) < LEGIBLE_PT
    assert len(warned) == 1
    assert "size='slide'" in warned[0] and "under 10 pt" in warned[0] and "collapse=1 or 2" in warned[0]
    # only the direction left open: chosen, and the same warning for the neurons that do not fit
    picture, _, warned = _draw(loss, parameters, "slide", collapse=3)
    assert "L0.N3" in _titles(picture.source) and len(warned) == 1


def test_without_a_size_nothing_is_chosen(moons):
    parameters, loss = moons
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        picture = draw_dot(loss, collapse=3, parameters=parameters)
    assert picture.graph_attr["rankdir"] == "LR" and "size" not in picture.graph_attr


def test_many_input_leaves_feeding_boxes_are_one_box(moons):
    parameters, loss = moons
    source = draw_dot(loss, collapse=2, parameters=parameters).source
    assert "200 inputs: data" in source
    assert "×200" in source  # one edge from the inputs into the first layer
    assert not re.search(r'"x\d* \| data', source)
    few = [Value(float(k)) for k in range(3)]  # a few inputs keep their own records
    model = MLP(3, [2], activation="tanh", seed=0)
    assert "inputs" not in draw_dot(model(few)[0], collapse=1).source


@needs_dot
def test_collapse_none_means_no_boxes_even_with_a_size():
    root, parameters = mlp_2_2_1()
    auto, _, warned = _draw(root, parameters, "laptop")
    assert warned == [] and "L1.N0" in _titles(auto.source)  # chosen: a box per neuron keeps 10 pt
    whole, svg, warned = _draw(root, parameters, "laptop", collapse=None)
    assert _titles(whole.source) == [] and '"loss | data' in whole.source
    assert (_node_text_pt(svg) >= LEGIBLE_PT) == (warned == [])
    with pytest.raises(ValueError, match="collapse takes a depth of 1 or more, None .* or 'auto'"):
        draw_dot(root, collapse="deep")
