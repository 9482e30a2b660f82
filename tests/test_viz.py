"""Pictures: what draw_dot draws, how it looks, and life without Graphviz's dot."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import graphviz
import pytest

from autograd_lite import GraphvizNotFound, Value, apply, draw_dot
from autograd_lite.core.value import topological_order
from autograd_lite.views.notation import format_number
from autograd_lite.views.pictures import MAX_NODES


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o, (x1, x2, w1, w2, b)


def fill_of(source: str, node_id: str) -> str:
    line = next(ln for ln in source.splitlines() if ln.strip().startswith(node_id + " "))
    return line.split('fillcolor="')[1].split('"')[0]


def test_a_record_per_value_and_a_node_per_op():
    o, _ = neuron()
    g = draw_dot(o)
    assert isinstance(g, graphviz.Digraph)
    order = topological_order(o)
    records = [ln for ln in g.source.splitlines() if "shape=record" in ln]
    ops = [ln for ln in g.source.splitlines() if "_op [" in ln]
    assert len(records) == len(order) == 10
    assert len(ops) == sum(not n.is_leaf for n in order) == 5
    assert 'label="x1 | data 2 | grad —"' in g.source  # before backward: no grads yet


def test_grads_show_after_backward():
    o, _ = neuron()
    o.backward()
    source = draw_dot(o).source
    assert "x1 | data 2 | grad -1.5" in source
    assert "o | data 0.7071 | grad 1" in source
    assert "grad —" not in source


def test_a_times_a_draws_two_edges_in_operand_order():
    a = Value(3.0, label="a")
    y = a * a
    assert draw_dot(y).source.count("n0 -> n1_op") == 2
    b = Value(1.0, label="b")
    z = a - b  # sub: the side matters, so each edge names its operand
    source = draw_dot(z).source
    ids = {n.label: f"n{k}" for k, n in enumerate(topological_order(z))}
    op = f"n{len(topological_order(z)) - 1}_op"
    assert f"{ids['a']} -> {op} [label=a]" in source
    assert f"{ids['b']} -> {op} [label=b]" in source


def test_kinds_have_distinct_looks_and_a_legend():
    x = Value(1.0, label="x")
    w = Value(2.0, label="w")
    y = x * w + 3
    source = draw_dot(y, parameters=[w], constants="nodes").source
    order = topological_order(y)
    fills = {n.label or n.op or format_number(n.data): fill_of(source, f"n{k}") for k, n in enumerate(order)}
    assert len({fills["x"], fills["w"], fills["3"], fills["mul"], fills["add"]}) == 5
    assert "legend" in source and "parameter" in source and "constant" in source
    assert "legend" not in draw_dot(y, legend=False).source
    assert ">constant<" not in draw_dot(y).source  # folded into "+ 3": no constant node to name


def test_edge_derivatives_and_grad_sums_carry_the_numbers():
    a = Value(3.0, label="a")
    y = a * a + a
    y.label = "y"
    y.backward()
    source = draw_dot(y, edge_derivatives=True, grad_sums=True).source
    assert source.count("= 3\"") >= 2  # ∂(a·a)/∂a = 3 on both edges of a*a
    assert "= 1·3 + 1·3 + 1·1 = 7" in source  # ∂y/∂a as the sum over its three uses


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_every_rank_direction_renders(rankdir, tmp_path):
    o, _ = neuron()
    o.backward()
    path = draw_dot(o, rankdir=rankdir).render(tmp_path / "g", format="png")
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_formats_and_jupyter_display(tmp_path):
    o, _ = neuron()
    g = draw_dot(o, format="pdf")
    assert g.render(tmp_path / "g").endswith(".pdf")
    bundle = g._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


def test_bad_arguments_are_clear():
    o, _ = neuron()
    with pytest.raises(ValueError, match="rankdir must be"):
        draw_dot(o, rankdir="sideways")
    with pytest.raises(TypeError, match="draw_dot takes a Value"):
        draw_dot(3.0)


def test_a_few_thousand_nodes_render_and_bigger_graphs_are_refused_clearly():
    x = Value(0.5, label="x")
    y = x
    for k in range(1000):  # 2,000 nodes: about 5 s in dot
        y = y * 1.0001 if k % 2 else (y + 0.1).tanh()
    start = time.perf_counter()
    svg = draw_dot(y).pipe(format="svg", encoding="utf-8")
    assert "<svg" in svg and time.perf_counter() - start < 120
    z = x
    for _ in range(MAX_NODES):
        z = z + 1.0
    with pytest.raises(ValueError, match="max_nodes=None to draw it anyway"):
        draw_dot(z)
    assert "n2_op" in draw_dot(z, max_nodes=None).source


def test_without_dot_the_graph_and_source_work_and_rendering_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot anywhere
    assert shutil.which("dot") is None
    o, _ = neuron()
    g = draw_dot(o)
    assert "digraph" in g.source
    for render in (lambda: g.render(tmp_path / "g", format="png"), lambda: g.pipe(format="svg")):
        with pytest.raises(GraphvizNotFound, match="apt-get install graphviz.*brew.*conda"):
            render()
    with pytest.raises(graphviz.ExecutableNotFound):  # graphviz's own handlers still catch it
        g.pipe()
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    assert "Install it" in bundle["text/plain"] and "o = tanh(n" not in bundle["text/plain"]
    assert "x1: data 2, grad —" in bundle["text/plain"]


def test_number_formatting_is_short_and_exact_for_integers():
    assert [format_number(v) for v in (0.0, -0.0, 1e15, 123456.0, 1 / 3, -2.5e-9, float("inf"))] == [
        "0", "0", "1e+15", "123456", "0.3333", "-2.5e-09", "inf"]


def test_render_without_dot_leaves_no_stray_dot_file(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    o, _ = neuron()
    with pytest.raises(GraphvizNotFound):
        draw_dot(o).render(tmp_path / "g", format="png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", ["5", 0, -1, 2.5, True])
def test_max_nodes_must_be_a_whole_number_or_none(bad):
    o, _ = neuron()
    with pytest.raises(TypeError, match="max_nodes must be a whole number"):
        draw_dot(o, max_nodes=bad)


def test_constants_fold_into_their_ops_label_or_show_as_nodes():
    x = Value(3.0, label="x")
    y = ((x * 2 + 1) / 4 - 1).exp() + (1 - x) + apply("sum", [x, 1, 2])
    source = draw_dot(y).source
    for label in ("× 2", "+ 1", "÷ 4", "− 1", "1 −", "Σ + 1 + 2"):
        assert f'label="{label}"' in source, label
    assert "data 4" not in source and "constant" not in source  # no constant records, none in the legend
    nodes = draw_dot(y, constants="nodes").source
    assert "constant" in nodes and 'label="×"' in nodes and '"2 | data 2 | grad —' not in nodes
    assert '"2#1 | data 2 | grad —' in nodes  # two constants 2, two names
    with pytest.raises(ValueError, match="constants must be 'fold'"):
        draw_dot(y, constants="hide")


def test_mean_losses_divide_by_n_in_the_picture():
    from autograd_lite.nn import losses

    loss = losses.mse([Value(1.0), Value(2.0), Value(0.0)], [0.0, 0.0, 1.0])
    assert 'label="÷ 3"' in draw_dot(loss).source


def test_size_fits_the_picture_to_a_slide(tmp_path):
    from autograd_lite.nn import MLP, losses

    model = MLP(2, [2, 1], activation="tanh", seed=0)
    loss = losses.mse([model([1.0, 2.0]), model([0.5, -1.0])], [1.0, -1.0])
    loss.backward()
    path = draw_dot(loss, size="slide").render(tmp_path / "slide", format="png")
    width, height = _png_size(path)
    assert width <= 1920 and height <= 1080
    assert 'size="6,100"' in draw_dot(loss, size=6).source
    assert 'size="8,4.5"' in draw_dot(loss, size=(8, 4.5)).source
    with pytest.raises(ValueError, match="the presets are slide"):
        draw_dot(loss, size="poster")
    with pytest.raises(ValueError, match="inches between"):
        draw_dot(loss, size=(0, 3))


def test_an_svg_of_a_preset_size_is_whole(tmp_path):
    """The preset's dpi is for bitmaps: an SVG keeps its viewBox equal to its size (no clipped picture)."""
    import re

    from autograd_lite.nn import MLP, losses

    model = MLP(2, [4, 4, 1], activation="tanh", seed=0)
    loss = losses.mse([model([1.0, 2.0]), model([0.5, -1.0])], [1.0, -1.0])
    picture = draw_dot(loss, size="laptop")  # 14 × 8.5 inches at 96 dpi: wider than that, so shrunk
    svgs = [picture.pipe(format="svg", encoding="utf-8"), picture._repr_mimebundle_()["image/svg+xml"],
            Path(picture.render(tmp_path / "laptop", format="svg")).read_text(encoding="utf-8")]
    for svg in svgs:
        width, height, box = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([^"]+)"', svg).groups()
        box_width, box_height = (float(v) for v in box.split()[2:])
        assert abs(float(width) - box_width) <= 1 and abs(float(height) - box_height) <= 1
        assert float(width) <= 14 * 72 + 1  # 1,344 px at 96 px per inch
    png_width, _ = _png_size(picture.render(tmp_path / "laptop", format="png"))
    assert png_width <= 1344 and picture.graph_attr["dpi"] == "96"  # bitmaps keep the preset's dpi


def _png_size(path):
    header = Path(path).read_bytes()[:24]
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
