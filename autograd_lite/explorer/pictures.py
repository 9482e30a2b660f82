"""The page for a traced pass: the graph drawn once by Graphviz, and the model beside it."""

from __future__ import annotations

import re

from ..trace import MAX_STEPS, Trace
from ..viz import GraphvizNotFound, draw_dot
from .model import trace_model
from .page import render_page

__all__ = ["graph_svg", "trace_page"]


#: the part of a 1400×900 screen the page gives the graph, in CSS pixels
SCREEN = (940.0, 700.0)
_SIZE = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')


def graph_svg(trace: Trace, rankdir: str = "auto") -> str | None:
    """The graph as SVG text, drawn with every value and final gradient so each label has room.

    The page rewrites the data and grad texts per step. ``rankdir="auto"``
    lays the graph out both left to right and top to bottom and keeps the
    one whose text is larger when the whole graph fits a laptop screen.
    None without Graphviz.
    """
    directions = ("LR", "TB") if rankdir == "auto" else (rankdir,)
    best, best_scale = None, -1.0
    for direction in directions:
        picture = draw_dot(trace.root, rankdir=direction, parameters=trace.parameters,
                           edge_derivatives=True, max_nodes=None)
        try:
            svg: str = picture.pipe(format="svg", encoding="utf-8")
        except GraphvizNotFound:
            return None
        size = _SIZE.search(svg)
        scale = min(SCREEN[0] / float(size[1]), SCREEN[1] / float(size[2])) if size else 0.0
        if scale > best_scale * 1.05:  # left to right unless top to bottom is clearly better
            best, best_scale = svg, scale
    return best


def trace_page(trace: Trace, rankdir: str = "auto", *, max_steps: int | None = MAX_STEPS) -> str:
    """The self-contained page stepping through ``trace``: forward, then backward.

    ``rankdir`` is ``"auto"`` (see :func:`graph_svg`), ``"LR"``, ``"TB"``,
    ``"RL"`` or ``"BT"``. Raises ValueError for a pass of more than ``max_steps`` steps (``None``:
    no limit): Graphviz's layout grows fast beyond a few hundred nodes.
    """
    if max_steps is not None and len(trace) > max_steps:
        raise ValueError(
            f"this pass has {len(trace):,} steps, more than max_steps={max_steps:,}: "
            "the page would take long to draw and be too big to step through; trace a "
            "smaller expression, or pass max_steps=None"
        )
    model = trace_model(trace)
    return render_page(model["title"], graph_svg(trace, rankdir), model)
