"""Pictures of a computation graph, drawn with Graphviz.

:func:`draw_dot` turns the graph behind a Value into a :class:`Graph` (a
``graphviz.Digraph``): one record per Value showing ``label | data | grad``, a
small node per op, edges in operand order (``a * a`` draws two), colours for
inputs, parameters, constants and the output, and a legend. In Jupyter it
shows inline; ``.render("name", format="png")`` writes a file; ``.source`` is
the DOT text, which needs no Graphviz program at all.

Building the picture needs only the ``graphviz`` Python package. Rendering it
needs Graphviz's ``dot`` program; without it, rendering raises
:class:`GraphvizNotFound`, which says how to install it, and Jupyter shows a
text summary instead of a traceback.

Example:
    >>> from autograd_lite import Value, draw_dot
    >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
    >>> y = x * w; y.label = "y"
    >>> y.backward()
    >>> picture = draw_dot(y, parameters=[w])
    >>> "x | data 2 | grad -3" in picture.source
    True
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import graphviz

from ..core.value import Value, float_of, local_derivatives, topological_order
from . import fitting
from .notation import (
    chain_rule_text,
    check_label,
    dot_text,
    format_number,
    node_names,
    plural,
    symbol,
)
from .render import SIZES, Graph
from .scope_boxes import (
    BOX_FILL,
    Cluster,
    box_label,
    box_summaries,
    cluster_places,
    clusters_of,
    depth_bands,
    group_leaves,
    scope_boxes,
)

__all__ = ["MAX_NODES", "add_legend", "draw_dot", "draw_graph", "drawn_nodes", "new_graph", "op_label",
           "pass_grads", "size_attributes"]

#: pictures of more nodes than this are refused unless ``max_nodes`` says otherwise
MAX_NODES = 5000

# fill colours per kind of node; the legend shows the same
_KINDS = {
    "input": ("#dbeafe", "input"),
    "parameter": ("#fde68a", "parameter"),
    "constant": ("#e5e7eb", "constant"),
    "intermediate": ("#ffffff", "intermediate"),
    "output": ("#bbf7d0", "output"),
}
_OP_FILL = "#f3f4f6"
_ACTIVE = "#dc2626"  # the node and edges of the current step in a frame
_FONT = "Helvetica"


_CONSTANT_CHOICES = ("fold", "nodes")


def draw_dot(
    root: Value,
    rankdir: str | None = None,
    format: str = "svg",
    *,
    parameters: Iterable[Value] = (),
    edge_derivatives: bool = False,
    grad_sums: bool = False,
    legend: bool = True,
    max_nodes: int | None = MAX_NODES,
    constants: str = "fold",
    size: str | float | tuple[float, float] | None = None,
    collapse: int | str | None = "auto",
    expand: Iterable[str] | str = (),
    clusters: bool = True,
) -> Graph:
    """The graph behind ``root`` as a Graphviz picture.

    Args:
        root: the output; drawn green, and its graph is what is drawn.
        rankdir: ``"LR"`` (left to right), ``"TB"``, ``"RL"`` or ``"BT"``;
            ``None`` or ``"auto"`` (the default): ``"LR"``, or with ``size``
            the direction that fills the size best.
        format: the file format ``.render()`` writes (svg, png, pdf, ...).
        parameters: leaves to draw as parameters (e.g. ``model.parameters()``);
            other leaves made with ``Value(...)`` are inputs, and numbers
            written into an expression (the 2 in ``x * 2``) are constants.
        edge_derivatives: label each edge into an op with its local
            derivative ∂out/∂in and the number backward multiplies by.
        grad_sums: under each gradient, write it as the sum over the nodes
            that consume it, ∂L/∂a = Σ ∂L/∂t·∂t/∂a, with the numbers.
        legend: draw the legend of node kinds.
        max_nodes: refuse pictures of more nodes than this (``None``: no
            limit), counted before any layout as Graphviz will lay them out:
            a record per value, a node per op, each box and dashed copy, the
            legend (collapsed or not). Graphviz's layout is what grows.
        constants: ``"fold"`` (the default) writes a constant into its op's
            label (``× 2``, ``1 −``, ``÷ 4``, ``Σ + 1``); ``"nodes"`` draws
            each constant as a node with its data and grad.
        size: fit the picture into a box: a preset name from :data:`SIZES`
            (``"slide"``, ``"half-slide"``, ``"page"``, ``"laptop"``), a width in
            inches, or ``(width, height)`` in inches. Pictures are shrunk to
            fit, never enlarged. What is left open (``rankdir``, ``collapse``)
            is chosen so that node text stays at least 10 pt once shrunk: each
            choice is laid out and the one with the most detail that is
            legible wins; if none is, the closest is drawn and a warning says
            what to do. A ``rankdir`` or ``collapse`` you give is kept.
        collapse: ``"auto"`` (the default): no boxes, or with ``size`` the
            scope depth that keeps the text legible (a graph without scopes
            is drawn whole, with a warning when its text cannot be legible:
            its bands of depth only with ``collapse=N``); ``None``: no boxes, whatever
            the size; a number: draw every scope (see :func:`autograd_lite.scope`) at this
            depth as one box: its name, its op count, the data and grad of
            its outputs (their range when there are many), and edges, marked
            ``×N`` for N values, for what goes in and out. With ``nn``
            models, ``collapse=1`` makes one box of the whole ``MLP``, ``2``
            one per layer (``MLP/L0``), ``3`` one per neuron
            (``MLP/L0/L0.N3``); losses are a box of their own (``hinge``).
            Nodes outside every scope are drawn as usual, except five or
            more leaves that feed only boxes (inputs fed as many Values):
            they make one box, ``inputs`` (or ``parameters``). A graph built
            without any scope (plain micrograd-style code) is cut into bands
            of depth instead: a node's depth is the number of op changes on
            the longest path from it to the output (a run of one op, like the
            chain of + that ``sum(...)`` builds, stays at one depth; a leaf
            sits with its deepest use), and ``collapse=N`` makes one box of
            each N depths; the output, and a band of one op, stay nodes.
            A numbered series of boxes whose earlier members feed several later
            ones (a GPT's positions ``pos0, pos1, …``) shares one rank, in reading order.
        expand: scopes to open in a collapsed picture, by path
            (``"MLP/L0/L0.N3"``): the scopes around it show their parts one
            level deeper, and the named scope its nodes one by one.
        clusters: draw each scope a node was built in as a labelled frame
            (a Graphviz cluster) around its nodes.

    Before ``backward()`` the grads show as ``grad —``.

    Example:
        >>> a = Value(3.0, label="a"); y = a * a; y.label = "y"
        >>> picture = draw_dot(y)
        >>> picture.source.count("n0 -> n1_op")  # a*a: two edges into the op
        2
        >>> "grad —" in picture.source
        True
        >>> 'label="× 2"' in draw_dot(a * 2).source  # the constant folded into its op
        True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot takes a Value, got {type(root).__name__}")
    _check_max_nodes(max_nodes)
    opened = (expand,) if isinstance(expand, str) else tuple(expand)
    if any(not isinstance(path, str) for path in opened):
        raise TypeError(f"expand takes scope paths such as 'MLP/L0/L0.N3', got {expand!r}")
    auto_collapse = isinstance(collapse, str) and collapse == "auto"
    if collapse is not None and not auto_collapse and (isinstance(collapse, (bool, str))
                                                       or not isinstance(collapse, int)):
        raise ValueError(f"collapse takes a depth of 1 or more, None (no boxes) or 'auto', got {collapse!r}")
    fixed = collapse if isinstance(collapse, int) else None  # no boxes, or a depth checked where used
    if opened and fixed is None:
        raise ValueError("expand opens scopes of a collapsed picture: give collapse=depth too")
    if rankdir is not None and rankdir != "auto" and rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL', 'BT' or 'auto', got {rankdir!r}")
    size_attrs = size_attributes(size)
    order = topological_order(root)
    names = node_names(order)
    params = list(parameters)
    parameter_ids = {id(p) for p in params}
    grads = pass_grads(root, order)
    scoped = any(n.scope is not None for n in order)
    fold = constants == "fold"
    boxes_of: dict[int | None, dict[Value, str]] = {}

    def boxes(depth: int | None) -> dict[Value, str]:
        if depth not in boxes_of:
            boxes_of[depth] = _boxes(order, depth, opened, parameter_ids, scoped)
        return boxes_of[depth]

    def count(depth: int | None) -> int:
        return drawn_nodes(order, boxes(depth), fold, legend)

    def build(direction: str, depth: int | None) -> Graph:
        return draw_graph(order, names, rankdir=direction, format=format, parameters=params, grads=grads,
                          edge_derivatives=edge_derivatives, grad_sums=grad_sums, legend=legend,
                          constants=constants, size=size, clusters=clusters, boxes=boxes(depth))

    directions = ["LR", "TB"] if rankdir is None or rankdir == "auto" else [rankdir]
    if not size_attrs:
        _refuse_if_too_big(count(fixed), max_nodes)
        return build(directions[0], fixed)
    width, height = (float(v) for v in size_attrs["size"].split(","))
    # size= collapses only scopes (a model's layers, its loss); a graph without scopes is
    # drawn whole, with a warning when it cannot be legible: depth bands only with collapse=N
    depths: list[int | None] = [None, *_collapse_choices(order)] if auto_collapse and scoped else [fixed]
    chosen = fitting.choose(count, build, (width, height), repr(size), directions, depths,
                            can_collapse=scoped or fixed is not None)
    _refuse_if_too_big(chosen.nodes, max_nodes)
    return chosen.graph


def _boxes(order: Sequence[Value], depth: int | None, opened: tuple[str, ...], parameter_ids: set[int],
           scoped: bool) -> dict[Value, str]:
    # scopes as boxes; a graph without scopes in depth bands; many leaves feeding boxes: one box
    if depth is None:
        return {}
    boxes = scope_boxes(order, depth, opened) if scoped or opened else depth_bands(order, depth)
    group_leaves(order, boxes, parameter_ids)
    return boxes


def _collapse_choices(order: Sequence[Value]) -> list[int]:
    # the scope depths size= tries, from the most detail to the least
    deepest = max((n.scope.count("/") + 1 for n in order if n.scope is not None), default=1)
    return list(range(deepest, 0, -1))


def drawn_nodes(order: Sequence[Value], boxes: Mapping[Value, str], fold: bool = True, legend: bool = True) -> int:
    """How many nodes Graphviz lays out for this picture: values, ops, boxes, dashed copies, legend.

    Counted before any layout, so that a picture too big to finish is refused at once.

    Example:
        >>> a = Value(3.0, label="a")
        >>> drawn_nodes(topological_order(a * a + 1), {})  # a; a*a and its op; the output and its op; legend
        6
    """
    if not order:
        return 0
    root = order[-1]
    count = len(set(boxes.values())) + int(legend)
    for node in order:
        if node in boxes or (fold and node.is_constant and node is not root):
            continue
        count += 1 if node.is_leaf else 2
    count += sum(len(uses) for uses in _far_uses(order, boxes, fold).values())
    return count


def _refuse_if_too_big(drawn: int, max_nodes: int | None) -> None:
    if max_nodes is not None and drawn > max_nodes:
        raise ValueError(
            f"the picture has {drawn:,} nodes (values, ops and boxes), more than max_nodes={max_nodes:,}: a "
            "picture that big takes Graphviz minutes and cannot be read; draw a smaller expression, "
            "collapse its scopes (collapse=1 or 2; a graph without scopes collapses into bands of depth), "
            "or pass max_nodes=None to draw it anyway"
        )


def _check_max_nodes(max_nodes: Any) -> None:
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise TypeError(f"max_nodes must be a whole number ≥ 1 or None (no limit), got {max_nodes!r}")


def pass_grads(root: Value, order: Sequence[Value]) -> dict[Value, Any] | None:
    """Each node's grad, or None if no backward pass has run from ``root`` yet.

    Before backward every grad is 0.0 and showing "grad 0" would be a lie;
    the output's own grad is nonzero once a pass has run from it.
    """
    if not root.is_leaf and float_of(root.grad) == 0.0 and all(float_of(n.grad) == 0.0 for n in order):
        return None
    return {node: node.grad for node in order}


def size_attributes(size: str | float | tuple[float, float] | None) -> dict[str, str]:
    """Graphviz graph attributes that fit a picture into ``size`` (see :func:`draw_dot`).

    Example:
        >>> size_attributes("slide")
        {'size': '13.33,7.5', 'dpi': '144'}
        >>> size_attributes(6)
        {'size': '6,100'}
    """
    if size is None:
        return {}
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(f"size {size!r} is not a preset; the presets are {', '.join(SIZES)}, "
                             "or give a width in inches or (width, height)")
        width, height, dpi = SIZES[size]
        return {"size": f"{width:g},{height:g}", "dpi": str(dpi)}
    if isinstance(size, (int, float)) and not isinstance(size, bool):
        dims: tuple[Any, ...] = (size, 100)
    elif isinstance(size, tuple) and len(size) == 2:
        dims = size
    else:
        raise TypeError(f"size takes a preset name, a width in inches or (width, height), got {size!r}")
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 < d < 1000:
            raise ValueError(f"size takes inches between 0 and 1000, got {size!r}")
    return {"size": f"{dims[0]:g},{dims[1]:g}"}


def new_graph(rankdir: str, format: str, size: str | float | tuple[float, float] | None,
              title: str | None = None) -> Graph:
    """An empty picture in the house style: fonts, spacing, rank direction, size."""
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    # graph_attr, not a body line: rendering an SVG takes the dpi out of it (Graph._without_dpi)
    dot = Graph(name="autograd_lite", format=format,
                graph_attr=dict(rankdir=rankdir, fontname=_FONT, nodesep="0.25", ranksep="0.35",
                                **size_attributes(size)))
    if title:
        dot.attr(label=graphviz.nohtml(dot_text(title)), labelloc="t", fontsize="13")
    dot.attr("node", fontname=_FONT, fontsize="11")
    dot.attr("edge", fontname=_FONT, fontsize="9", color="#4b5563", arrowsize="0.7")
    return dot


def draw_graph(
    order: Sequence[Value],
    names: Mapping[Value, str],
    *,
    rankdir: str = "LR",
    format: str = "svg",
    parameters: Iterable[Value] = (),
    grads: Mapping[Value, Any] | None,
    edge_derivatives: bool = False,
    grad_sums: bool = False,
    legend: bool = True,
    active: Value | None = None,
    title: str | None = None,
    constants: str = "fold",
    size: str | float | tuple[float, float] | None = None,
    clusters: bool = True,
    boxes: Mapping[Value, str] | None = None,
    data_known: Collection[Value] | None = None,
    derivatives_shown: Collection[Value] | None = None,
) -> Graph:
    """The picture of the nodes ``order`` (topological, output last) with the given grads.

    :func:`draw_dot` draws a graph after its backward pass with this; the
    step-by-step trace draws its frames with it, passing the grads filled
    in so far and the node of the current step as ``active``. ``boxes``
    maps nodes to the scope whose box stands for them (see ``collapse``).
    ``data_known``, when given, holds the nodes the forward pass has computed
    so far: the others show ``data —`` (the animation's forward frames).
    ``derivatives_shown``, when given, holds the nodes whose backward step
    has run: only the edges into them carry their local derivative, and the
    ``active`` node's edges turn red only once it is among them (the
    animation's seed and backward frames).
    """
    if constants not in _CONSTANT_CHOICES:
        raise ValueError(f"constants must be 'fold' (into the op's label) or 'nodes', got {constants!r}")
    parameter_ids = {id(p) for p in parameters}
    root = order[-1]
    fold = constants == "fold"
    boxes = boxes or {}
    shown = [n for n in order if n not in boxes and not (fold and n.is_constant and n is not root)]
    for node in shown:
        check_label(names[node], "the label of a node,")
    ids = {node: f"n{k}" for k, node in enumerate(order)}
    horizontal = rankdir in ("LR", "RL")
    dot = new_graph(rankdir, format, size, title)
    dot.text_summary = _text_summary(order, names, grads)
    sums = _consumer_sums(order, names, grads) if grad_sums and grads is not None else {}
    summaries = box_summaries(order, boxes, fold, parameter_ids) if boxes else {}
    box_ids = {path: f"box{k}" for k, path in enumerate(summaries)}
    places = cluster_places(dot, shown, summaries) if clusters else {}
    far = _far_uses(order, boxes, fold)
    kinds_drawn = set()
    kind_of: dict[Value, str] = {}
    for node in shown:
        kind = ("output" if node is root else "constant" if node.is_constant
                else "parameter" if id(node) in parameter_ids
                else "input" if node.is_leaf else "intermediate")
        kinds_drawn.add(kind)
        kind_of[node] = kind
        if grads is None or node not in grads:
            grad_text = "grad —"
        else:
            grad_text = f"grad {format_number(grads[node])}"
        # The fields lie across the rank direction (stacked in a left-to-right
        # picture, side by side in a top-to-bottom one): a picture grows along
        # its ranks, and this keeps each rank narrow.
        data_text = "data —" if data_known is not None and node not in data_known else f"data {format_number(node.data)}"
        label = " | ".join([dot_text(names[node], record=True), data_text, grad_text])
        if node in sums:  # the chain rule's sum under name, data and grad
            total = dot_text(sums[node], record=True)
            label = f"{label} | {total}" if horizontal else f"{{ {{ {label} }} | {total} }}"
        hot = node is active
        place = places.get(node, dot)
        place.node(ids[node], graphviz.nohtml(label), shape="record",
                   style="rounded,filled", fillcolor=_KINDS[kind][0],
                   color=_ACTIVE if hot else "#374151", penwidth="2.5" if hot else "1")
        if node.is_leaf:
            continue
        stepped = derivatives_shown is None or node in derivatives_shown
        labelled = edge_derivatives and stepped
        hot_edges = hot and stepped  # its op and edges: red at its own step
        op_id = ids[node] + "_op"
        op_text = op_label(node, fold)
        place.node(op_id, graphviz.nohtml(dot_text(op_text)),
                   shape="circle" if len(op_text) <= 2 else "ellipse",
                   style="filled", fillcolor="#fecaca" if hot_edges else _OP_FILL, fixedsize="false",
                   width="0.3", height="0.3", margin="0.02", fontsize="10",
                   color=_ACTIVE if hot_edges else "#6b7280")
        dot.edge(op_id, ids[node], color=_ACTIVE if hot_edges else None)
        derivatives = local_derivatives(node) if labelled else ()
        parents = node.parents
        inputs = _input_names(node) if not (fold and any(p.is_constant for p in parents)) else ()
        from_boxes: dict[str, int] = {}
        for k, parent in enumerate(parents):
            if fold and parent.is_constant:
                continue
            if parent in boxes:  # one edge per box, however many of its outputs come in
                path = boxes[parent]
                from_boxes[path] = from_boxes.get(path, 0) + 1
                continue
            attrs: dict[str, str] = {}
            if labelled:
                top, bottom = f"∂{symbol(names[node])}", f"∂{symbol(names[parent])}"
                # long names: the fraction on two lines, so an op's labels stay narrow and apart
                fraction = f"{top}/{bottom}" if len(top) + len(bottom) <= 16 else f"{top}\n/{bottom}"
                attrs["label"] = graphviz.nohtml(dot_text(f"{fraction}\n= {format_number(derivatives[k])}"))
            elif inputs:  # operand order matters: say which side each edge is
                attrs["label"] = inputs[k]
            if hot_edges:
                attrs.update(color=_ACTIVE, penwidth="2", fontcolor=_ACTIVE)
            tail = ids[parent]
            if node in far.get(parent, ()):  # a far use: the value drawn again beside it
                tail = f"{ids[parent]}_use{ids[node][1:]}"
                # in its use's rank (beside the op, not before it): Graphviz then ranks
                # it with the op, where a node of its own would cost a search per copy
                beside = graphviz.Digraph(graph_attr={"rank": "same"})
                beside.node(tail, graphviz.nohtml(dot_text(names[parent])), shape="box",
                            style="rounded,filled,dashed", fillcolor=_KINDS[kind_of[parent]][0],
                            color="#374151", margin="0.04,0.02", height="0.3", width="0.3")
                beside.node(op_id)
                (place.graph if isinstance(place, Cluster) else place).subgraph(beside)
            dot.edge(tail, op_id, **attrs)
        for path, count in from_boxes.items():
            dot.edge(box_ids[path], op_id, **_count_label(count))
    for path, summary in summaries.items():
        place = places.get(path, dot)
        place.node(box_ids[path], box_label(path, summary, grads, names, root), shape="plaintext", margin="0")
        for source, count in summary.sources.items():
            tail = box_ids[source] if isinstance(source, str) else ids[source]
            dot.edge(tail, box_ids[path], **_count_label(count))
    _numbered_boxes_side_by_side(summaries, box_ids, places, dot)
    if sum(1 if n.is_leaf else 2 for n in shown) + len(summaries) > FAST_PLACEMENT_NODES:
        # Graphviz's placement of nodes across the ranks (a network simplex) is what takes
        # minutes when a few values feed hundreds of ops (150 terms of tanh(x*k+y*k)*sin(y+i):
        # over 120 s); one pass per node settles it in seconds, and small pictures keep the full search
        dot.attr(nslimit="1")
    for cluster in reversed(list(clusters_of(places))):
        cluster.close()
    if legend:
        extra = [(BOX_FILL, "scope (collapsed)")] if summaries else []
        if far:
            extra.append(("#ffffff", _AGAIN_LEGEND))
        add_legend(dot, horizontal, kinds_drawn, extra)
    return dot


#: pictures of more Graphviz nodes than this limit Graphviz's placement search (``nslimit=1``)
FAST_PLACEMENT_NODES = 1000
#: a value whose far uses would stretch its edges over more ranks than this in all is
#: drawn again, dashed and with its name, beside each far use (see :func:`_far_uses`)
SHARED_SPAN = 60
_AGAIN_LEGEND = "dashed: a value drawn again beside a far use"


def _far_uses(order: Sequence[Value], boxes: Mapping[Value, str], fold: bool) -> dict[Value, set[Value]]:
    """The values to draw again beside some of their uses, and those uses.

    Graphviz ranks the picture (a value, its op, the next value, ...) and an
    edge that skips ranks costs it a hidden node per rank skipped: the ``x`` of
    ``x + x + … + x`` with 1,000 terms has edges over about a million ranks in
    all, which Graphviz takes hours to lay out. A value whose uses lie beyond
    the ranks next to it, over more than :data:`SHARED_SPAN` skipped ranks in
    all, is drawn once with its nearest uses, and again (its name, dashed)
    beside each far use.
    """
    rank: dict[Value, int] = {}
    uses: dict[Value, list[tuple[int, Value]]] = {}
    for node in order:
        parents = node.parents
        if not parents:
            rank[node] = 0
            continue
        op_rank = max(rank.get(p, 0) for p in parents) + 1
        rank[node] = op_rank + 1
        if node in boxes:
            continue
        for parent in parents:
            if parent in boxes or (fold and parent.is_constant):
                continue
            uses.setdefault(parent, []).append((op_rank, node))
    far: dict[Value, set[Value]] = {}
    for parent, used in uses.items():
        if len(used) < 2:
            continue
        # a leaf is ranked just before its nearest use; another value where it is computed
        base = min(r for r, _ in used) - 1 if parent.is_leaf else rank[parent]
        distant = [(r, node) for r, node in used if r - base > 2]
        if sum(r - base - 1 for r, _ in distant) > SHARED_SPAN:
            far[parent] = {node for _, node in distant}
    return far


_NUMBERED = re.compile(r"^(.*\D)(\d+)$")


def _numbered_boxes_side_by_side(summaries: Mapping[str, Any], box_ids: Mapping[str, str],
                                 places: Mapping[Any, Any], dot: Graph) -> None:
    """Lay a numbered series of sibling boxes (``pos0, pos1, …``) out in order, side by side.

    Each position of a sequence model is one scope, and each reads all the
    positions before it; left to Graphviz alone they scatter along the ranks
    those edges give them. One rank for the series keeps them in reading
    order, across the rank direction.
    """
    series: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for path in summaries:
        around, _, name = path.rpartition("/")
        match = _NUMBERED.match(name)
        if match:
            series.setdefault((around, match[1]), []).append((int(match[2]), path))
    for members in series.values():
        if len(members) < 3 or len({id(places.get(p, dot)) for _, p in members}) != 1:
            continue
        # only where earlier members feed several later ones (attention over positions), not a chain
        # of stages (layers L0 → L1 → L2), which reads best along the rank direction
        paths = {p for _, p in members}
        feeds: dict[str, int] = {}
        for _, p in members:
            for source in summaries[p].sources:
                if source in paths:
                    feeds[source] = feeds.get(source, 0) + 1
        if not feeds or max(feeds.values()) < 2:
            continue
        place = places.get(members[0][1], dot)
        graph = place.graph if isinstance(place, Cluster) else place
        ordered = " ".join(box_ids[p] for _, p in sorted(members))
        graph.body.append(f"\t{{rank=same; {ordered}}}\n")


def _count_label(count: int) -> dict[str, str]:
    # several values along one edge between a box and a node: say how many
    return {"label": f"×{count:,}", "penwidth": "1.6"} if count > 1 else {}


def op_label(node: Value, fold: bool = True) -> str:
    """The label of ``node``'s op in a picture; with ``fold``, its constants written in.

    Example:
        >>> x = Value(3.0)
        >>> op_label(x * 2), op_label(1 - x), op_label(x / 4), op_label(x ** 2), op_label(x * 2, fold=False)
        ('× 2', '1 −', '÷ 4', '^2', '×')
    """
    entry = node.op_entry
    if entry is None:
        return ""
    params = node.op_params
    op = entry.op
    text = op.symbol
    if "n" in params:
        text = f"^{format_number(params['n'])}"
    elif "alpha" in params and params["alpha"] != op.defaults[0]:
        text = f"{op.symbol}\n(α={format_number(params['alpha'])})"
    parents = node.parents
    if not fold or not any(p.is_constant for p in parents):
        return f"{text}[{params['i']}]" if "i" in params else text
    numbers = [format_number(p.data) for p in parents if p.is_constant]
    if op.is_vector:  # softmax over (0, z): the constants in place, a dot for each edge
        inside = ", ".join(format_number(p.data) if p.is_constant else "•" for p in parents)
        return f"{text}[{params['i']}]\n({inside})"
    if op.arity != 2:  # Σ with constant terms
        return f"{text} + " + " + ".join(numbers)
    left, right = (format_number(p.data) if p.is_constant else "" for p in parents)
    if right.startswith("-"):  # "− (-1)", not "− -1"
        right = f"({right})"
    return f"{left} {text} {right}".strip()


def _input_names(node: Value) -> tuple[str, ...]:
    # Commutative ops need no edge names; for − ÷ ^ the side matters.
    entry = node.op_entry
    if entry is not None and entry.arity == 2 and entry.name in ("sub", "div", "pow"):
        return tuple(entry.inputs)
    return ()


# --- gradients as sums, the legend, the text summary --------------------------------


def _consumer_sums(order: Sequence[Value], names: Mapping[Value, str],
                   grads: Mapping[Value, Any]) -> dict[Value, str]:
    """``∂L/∂a = ∂L/∂t·∂t/∂a + … = g·d + …`` for each node that has consumers."""
    root = order[-1]
    terms: dict[Value, list[tuple[Value, Any, float]]] = {}
    for node in order:
        if node not in grads:
            continue
        for parent, d in zip(node.parents, local_derivatives(node)):
            terms.setdefault(parent, []).append((node, grads[node], d))
    loss = names[root]
    return {node: chain_rule_text(loss, names[node], [(names[t], g, d) for t, g, d in items],
                                  grads[node], separator="\n")
            for node, items in terms.items()}


def add_legend(dot: Graph, horizontal: bool, kinds: set[str], extra: Sequence[tuple[str, str]] = ()) -> None:
    """A small table naming the kinds of node this picture has, and ``(colour, text)`` extras."""
    # One node holding a small table: compact, and it stays out of the layout.
    cells = [f'<td bgcolor="{fill}" border="1" style="rounded">{text}</td>'
             for kind, (fill, text) in _KINDS.items() if kind in kinds]
    cells += [f'<td bgcolor="{fill}" border="1" style="rounded">{text}</td>' for fill, text in extra]
    cells.append(f'<td bgcolor="{_OP_FILL}" border="1" style="rounded">op</td>')
    if horizontal:
        rows = f"<tr><td>legend</td>{''.join(cells)}</tr>"
    else:
        rows = "<tr><td>legend</td></tr>" + "".join(f"<tr>{c}</tr>" for c in cells)
    dot.node("legend", f'<<table border="0" cellspacing="3" cellpadding="3">{rows}</table>>',
             shape="plaintext", fontsize="9")


def _text_summary(order: Sequence[Value], names: Mapping[Value, str],
                  grads: Mapping[Value, Any] | None) -> str:
    # What Jupyter shows when it cannot render: one line per node.
    lines = [f"graph of {plural(len(order), 'node')} (output last):"]
    for node in order[:50]:
        grad = "—" if grads is None or node not in grads else format_number(grads[node])
        parents = ", ".join(names[p] for p in node.parents)
        made = f" = {node.op}({parents})" if parents else ""
        lines.append(f"  {names[node]}{made}: data {format_number(node.data)}, grad {grad}")
    if len(order) > 50:
        lines.append(f"  … {len(order) - 50} more")
    return "\n".join(lines)

