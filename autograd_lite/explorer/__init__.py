"""The explorer: a self-contained page that steps through a backward pass, and a live one.

:func:`trace_page` turns a :class:`~autograd_lite.views.steps.Trace` into one HTML
file (what ``steps.save_html(path)`` and ``autograd-lite EXPR --html FILE``
write): a single Graphviz SVG of the graph, restyled by a small script for
each step of the forward and then the backward pass, with zoom and pan, a
step counter, play/pause, the keyboard, and an explanation of any node that
is clicked. ``autograd-lite serve`` (:mod:`autograd_lite.explorer.server`)
serves the same page with a form and sliders, recomputing on the server.

Example:
    >>> from autograd_lite import Value, backward_steps
    >>> x = Value(3.0, label="x"); y = (x * x).tanh(); y.label = "y"
    >>> page = trace_page(backward_steps(y))
    >>> page.count("<svg") <= 1 and 'data-testid="step"' in page
    True
"""

from __future__ import annotations

from .live import explore
from .page import render_page
from .pictures import graph_svg, trace_page

__all__ = ["explore", "graph_svg", "render_page", "trace_page"]
