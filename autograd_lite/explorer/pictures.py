"""The page for a traced pass: the graph drawn by Graphviz, and the model beside it.

Without scopes collapsed the page has one picture. With ``collapse=depth``
each scope at that depth is one box; clicking a box opens it, so the page
carries one picture per state it can reach that way (the first, then each
box opened, breadth first, at most :data:`MAX_STATES`), and the script shows
one at a time and restyles it per step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..views.pictures import draw_dot
from ..views.render import GraphvizNotFound
from ..views.scope_boxes import scope_boxes
from ..views.steps import MAX_STEPS, BackwardSteps
from .model import node_ids, trace_model
from .page import render_page

__all__ = ["MAX_STATES", "graph_svg", "picture_states", "trace_page", "use_renderer"]

#: the part of a 1400×900 screen the page gives the graph, in CSS pixels
SCREEN = (940.0, 700.0)
#: the most pictures one page carries for its collapsed scopes (each is one Graphviz layout)
MAX_STATES = 12
_SIZE = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')
#: DOT text in, SVG text out, when not the program ``dot`` (see :func:`use_renderer`)
_renderer: Callable[[str], str] | None = None


def use_renderer(render: Callable[[str], str] | None) -> None:
    """Lay graphs out with ``render`` (DOT text in, SVG text out) instead of the program ``dot``.

    The browser-only site runs the package where no program can start: its
    Web Worker passes Graphviz built for WebAssembly here. ``None`` goes back
    to ``dot``.

    Example:
        >>> from autograd_lite import Value, backward_steps
        >>> x = Value(2.0, label="x")
        >>> use_renderer(lambda dot: "<svg>laid out from a " + dot.split()[0] + "</svg>")
        >>> graph_svg(backward_steps(x * x), "LR")
        '<svg>laid out from a digraph</svg>'
        >>> use_renderer(None)
    """
    global _renderer
    _renderer = render


def _render(trace: BackwardSteps, rankdir: str, collapse: int | None, expand: tuple[str, ...]) -> str | None:
    scopes: dict[str, Any] = {} if collapse is None else {"collapse": collapse, "expand": expand}
    picture = draw_dot(trace.root, rankdir=rankdir, parameters=trace.parameters, edge_derivatives=True,
                       max_nodes=None, **scopes)
    if _renderer is not None:
        return _renderer(picture.source)
    try:
        svg: str = picture.pipe(format="svg", encoding="utf-8")
    except GraphvizNotFound:
        return None
    return svg


def _direction(trace: BackwardSteps, rankdir: str, collapse: int | None,
               expand: tuple[str, ...]) -> tuple[str, str | None]:
    """``rankdir``, or for "auto" the direction whose whole picture is larger on a laptop screen."""
    if rankdir != "auto":
        return rankdir, _render(trace, rankdir, collapse, expand)
    best: tuple[str, str | None] = ("LR", None)
    best_scale = -1.0
    for direction in ("LR", "TB"):
        svg = _render(trace, direction, collapse, expand)
        if svg is None:
            return direction, None
        size = _SIZE.search(svg)
        scale = min(SCREEN[0] / float(size[1]), SCREEN[1] / float(size[2])) if size else 0.0
        if scale > best_scale * 1.05:  # left to right unless top to bottom is clearly better
            best, best_scale = (direction, svg), scale
    return best


def graph_svg(trace: BackwardSteps, rankdir: str = "auto", *, collapse: int | None = None,
              expand: Iterable[str] = ()) -> str | None:
    """The graph as SVG text, drawn with every value and final gradient so each label has room.

    The page rewrites the data and grad texts per step. ``rankdir="auto"``
    lays the graph out both left to right and top to bottom and keeps the
    one whose text is larger when the whole graph fits a laptop screen.
    None without Graphviz.
    """
    return _direction(trace, rankdir, collapse, tuple(expand))[1]


def _boxes(trace: BackwardSteps, collapse: int | None, expand: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """Which box stands for each hidden node, and each box's path, by the ids the picture gives them.

    draw_dot numbers the boxes ``box0, box1, …`` in the order their first node
    comes in the graph's topological order.
    """
    if collapse is None:
        return {}, {}
    boxes = scope_boxes(trace.order, collapse, expand)
    paths = list(dict.fromkeys(boxes[n] for n in trace.order if n in boxes))
    box_ids = {path: f"box{k}" for k, path in enumerate(paths)}
    ids = node_ids(trace.order)
    return {ids[n]: box_ids[p] for n, p in boxes.items()}, {b: p for p, b in box_ids.items()}


def picture_state(trace: BackwardSteps, rankdir: str, collapse: int | None, expand: Iterable[str],
                  svg: str | None = None) -> dict[str, Any]:
    """One picture and what the page needs to know about its boxes."""
    opened = tuple(expand)
    if rankdir == "auto":
        rankdir, svg = _direction(trace, rankdir, collapse, opened)
    elif svg is None:
        svg = _render(trace, rankdir, collapse, opened)
    box_of, paths = _boxes(trace, collapse, opened)
    outputs = _box_outputs(trace, collapse, opened)
    return {"expand": list(opened), "svg": svg, "boxOf": box_of,
            "boxes": {box: {"path": path, "open": None, "outputs": outputs.get(path, [])}
                      for box, path in paths.items()}}


def _box_outputs(trace: BackwardSteps, collapse: int | None,
                 expand: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """Per box path, the values that leave it, in the order its label lists them.

    The page rewrites a box's data and grad rows per step from these, so a
    box shows the numbers of the step shown, not the final ones. Each is
    ``{"id", "named"}``: named values are written ``name: data … · grad …``.
    """
    if collapse is None:
        return {}
    boxes = scope_boxes(trace.order, collapse, expand)
    ids = node_ids(trace.order)
    found: dict[str, dict[Any, None]] = {}
    for node in trace.order:  # the order viz's box labels use: by first consumer outside the box
        box = boxes.get(node)
        for parent in node.parents:
            source = boxes.get(parent)
            if source is not None and source != box and not parent.is_leaf:
                found.setdefault(source, {})[parent] = None
    root = trace.root
    if root in boxes:
        found.setdefault(boxes[root], {})[root] = None
    return {path: [{"id": ids[n], "named": bool(n.label)} for n in nodes] for path, nodes in found.items()}


def picture_states(trace: BackwardSteps, rankdir: str = "auto", *, collapse: int | None = None,
                   expand: Iterable[str] = (), max_states: int = MAX_STATES) -> list[dict[str, Any]]:
    """The page's pictures: the first, then (with ``collapse``) each box opened, breadth first.

    Each state's boxes say which state opening them shows (``open``: its
    index, or None when the page does not carry it).
    """
    first = tuple(expand)
    direction, svg = _direction(trace, rankdir, collapse, first)
    states = [picture_state(trace, direction, collapse, first, svg)]
    if svg is None or collapse is None:
        return states
    scopes = {n.scope for n in trace.order if n.scope is not None}
    index = {tuple(sorted(first)): 0}
    k = 0
    while k < len(states):
        state = states[k]
        for box in state["boxes"].values():
            opened = opening(scopes, state["expand"], box["path"])
            if opened is None:
                continue
            if opened not in index and len(states) < max_states:
                index[opened] = len(states)
                states.append(picture_state(trace, direction, collapse, opened))
            box["open"] = index.get(opened)
        k += 1
    return states


def opening(scopes: Iterable[str], expand: Iterable[str], box: str) -> tuple[str, ...] | None:
    """The scopes to expand so that ``box`` opens: its scope, and each scope one level inside it.

    Expanding a scope alone would draw its closed parts as one box
    (``L0/… 4 more``); expanding its parts too draws them one by one. A
    box of ``… more calls`` (the same scope called again) does not open.
    Returns the new ``expand``, sorted, or None.

    Example:
        >>> opening({"MLP/L0/N0", "MLP/L0/N1", "MLP/L1/N0", "hinge"}, [], "MLP/L0")
        ('MLP/L0', 'MLP/L0/N0', 'MLP/L0/N1')
        >>> opening({"MLP/L0/N0", "MLP/L0/N1"}, ["MLP/L0", "MLP/L0/N0"], "MLP/L0/… 1 more")
        ('MLP/L0', 'MLP/L0/N0', 'MLP/L0/N1')
        >>> opening({"tanh"}, [], "tanh/… 2 more calls") is None
        True
    """
    if box.endswith(("more call", "more calls")):
        return None
    base = box.split("/… ", 1)[0]
    depth = base.count("/") + 1
    inside = {"/".join(s.split("/")[:depth + 1]) for s in scopes if s.startswith(base + "/")}
    opened = tuple(sorted({*expand, base, *inside}))
    return None if set(opened) == set(expand) else opened


def trace_page(trace: BackwardSteps, rankdir: str = "auto", *, max_steps: int | None = MAX_STEPS,
               collapse: int | None = None, expand: Iterable[str] = ()) -> str:
    """The self-contained page stepping through ``trace``: forward, then backward.

    ``rankdir`` is ``"auto"`` (see :func:`graph_svg`), ``"LR"``, ``"TB"``,
    ``"RL"`` or ``"BT"``. ``collapse=depth`` draws each scope at that depth
    as one box that opens on click; ``expand`` opens some from the start.
    Raises ValueError for a pass of more than ``max_steps`` steps (``None``:
    no limit): Graphviz's layout grows fast beyond a few hundred nodes.
    """
    if max_steps is not None and len(trace) > max_steps:
        raise ValueError(
            f"this pass has {len(trace):,} steps, more than max_steps={max_steps:,}: "
            "the page would take long to draw and be too big to step through; trace a "
            "smaller expression, or pass max_steps=None"
        )
    model = trace_model(trace)
    states = picture_states(trace, rankdir, collapse=collapse, expand=expand)
    first_svg = states[0]["svg"]
    states[0] = {**states[0], "svg": None}  # the first picture is in the page itself
    model["states"] = states
    return render_page(model["title"], first_svg, model)
