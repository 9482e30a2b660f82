"""One request of the live explorer, without the HTTP: expression and values in, everything out.

:func:`explore` parses the expression with the safe parser (never ``eval``),
builds and traces it through the engine, and returns the value, every
gradient, the picture and the page's model, or a message (with a caret line
under the problem) for any bad input. It never raises for bad input.

Example:
    >>> r = explore("x*y + 1", "x=2 y=3")
    >>> r["ok"], r["value"], r["grads"]
    (True, 7.0, {'x': 3.0, 'y': 2.0})
    >>> r = explore("x +* 2", "x=1")
    >>> r["ok"], r["error"]
    (False, 'syntax error: invalid syntax')
    >>> print(r["pointer"])
      x +* 2
         ^
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..core.expression import Expression, ExpressionError, parse, read_assignments
from ..core.ops import DomainError
from ..transforms.autodiff import derivatives
from ..views.notation import format_number, given_text, json_number
from ..views.render import RenderTimeout
from ..views.steps import MAX_STEPS, backward_steps
from .model import trace_model
from .pictures import opening, picture_state

__all__ = ["MAX_ORDER", "MAX_VALUES_LENGTH", "answer", "explore", "read_values"]

#: the highest --order, as on the command line
MAX_ORDER = 8
#: the longest values text accepted, in characters
MAX_VALUES_LENGTH = 10_000
#: the seconds an order of derivatives may be expected to take (each takes up to ~10x the last)
DERIVATIVE_SECONDS = 5.0
DERIVATIVE_GROWTH = 10
#: the deepest collapse, and the most scopes opened at once
MAX_COLLAPSE = 9
MAX_EXPAND = 50

_SEPARATOR = re.compile(r"[\s,;]+")


class _BadInput(Exception):
    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.message, self.pointer = message, pointer


def read_values(text: str) -> dict[str, float]:
    """``"x=2 y=3"`` (spaces, commas or semicolons between) as ``{"x": 2.0, "y": 3.0}``.

    Raises ValueError with a message for people.

    Example:
        >>> read_values("x1=2, w1=-3 b=6.5")
        {'x1': 2.0, 'w1': -3.0, 'b': 6.5}
    """
    if len(text) > MAX_VALUES_LENGTH:
        raise ValueError(f"the values are {len(text):,} characters long; the limit is {MAX_VALUES_LENGTH:,}")
    return read_assignments(item for item in _SEPARATOR.split(text.strip()) if item)


def explore(expression: str, values: str, order: int = 1, *, collapse: int | None = None,
            expand: Sequence[str] = (), max_steps: int = MAX_STEPS, picture: bool = True) -> dict[str, Any]:
    """Evaluate ``expression`` at ``values`` (text such as ``"x=2 y=3"``) and trace its backward pass.

    Returns ``{"ok": True, "value", "inputs", "grads", "derivatives", "model", "svg"}``
    (and ``valueText``, ``gradTexts``, ``derivativeTexts``: the same numbers as the page prints them)
    or ``{"ok": False, "error", "pointer"}``. ``order`` > 1 adds the first
    ``order`` derivatives of a one-variable expression. ``collapse=depth``
    makes each function call a scope and draws those at that depth as boxes;
    ``expand`` opens some (paths as in :func:`~autograd_lite.draw_dot`).
    """
    try:
        return _explore(expression, values, order, collapse, expand, max_steps, picture)
    except _BadInput as bad:
        return {"ok": False, "error": bad.message, "pointer": bad.pointer}


def answer(request: Any) -> dict[str, Any]:
    """The live page's request (a JSON object's dict) answered by :func:`explore`, as ``serve`` and the site do.

    Example:
        >>> answer({"expression": "x*x", "values": "x=3", "order": 2.0})["derivatives"]
        [6.0, 2.0]
        >>> answer(["x"])["error"]
        'the request is not a JSON object'
    """
    if not isinstance(request, dict):
        return {"ok": False, "error": "the request is not a JSON object"}
    order = request.get("order", 1)
    if isinstance(order, float) and order.is_integer():
        order = int(order)
    return explore(request.get("expression", ""), request.get("values", ""), order,
                   collapse=request.get("collapse"), expand=request.get("expand") or [])


def _explore(text: str, values_text: str, order: Any, collapse: Any, expand: Any, max_steps: int,
             picture: bool) -> dict[str, Any]:
    if not isinstance(text, str) or not isinstance(values_text, str):
        raise _BadInput("the expression and the values must be text")
    if collapse is not None and (isinstance(collapse, bool) or not isinstance(collapse, int)
                                 or not 1 <= collapse <= MAX_COLLAPSE):
        raise _BadInput(f"collapse must be a whole number from 1 to {MAX_COLLAPSE}, or empty, got {collapse!r}")
    if (not isinstance(expand, (list, tuple)) or len(expand) > MAX_EXPAND
            or not all(isinstance(p, str) and len(p) <= 1000 for p in expand)):
        raise _BadInput(f"expand must be a list of at most {MAX_EXPAND} scope paths")
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise _BadInput(f"the order must be a whole number from 1 to {MAX_ORDER}, got {order!r}")
    try:
        expression = parse(text)
        values = read_values(values_text)
    except ExpressionError as error:
        raise _BadInput(error.message, error.pointer()) from None
    except ValueError as error:
        raise _BadInput(str(error)) from None
    unused = [name for name in values if name not in expression.variables]
    if unused:
        known = ", ".join(expression.variables) or "none"
        raise _BadInput(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} not in the "
                        f"expression (its variables: {known})")
    try:
        # function calls become scopes only when they are to be collapsed
        root, leaves = expression.build(values, scopes=True) if collapse is not None else expression.build(values)
    except ExpressionError as error:
        raise _BadInput(error.message, error.pointer()) from None
    trace = backward_steps(root)
    if len(trace) > max_steps:
        raise _BadInput(f"the backward pass has {len(trace):,} steps and the explorer stops at "
                        f"{max_steps:,}: try a smaller expression")
    derivatives = _derivatives(expression, values, order) if order > 1 else []
    model = trace_model(trace)
    try:
        state = picture_state(trace, "auto", collapse, expand) if picture else None
    except ValueError as error:  # a scope to expand that the graph does not have
        raise _BadInput(str(error)) from None
    except RenderTimeout as error:
        raise _BadInput(str(error)) from None
    if state is not None:  # the live page asks the server for the picture a click opens
        scopes = {n.scope for n in trace.order if n.scope is not None}
        for box in state["boxes"].values():
            box["open"] = opening(scopes, state["expand"], box["path"])
    return {
        "ok": True,
        "expression": expression.text,
        "value": json_number(root.data),
        "inputs": [{"name": n, "value": values[n], "text": given_text(values[n])} for n in leaves],
        "grads": {n: json_number(trace.pass_grad(leaf)) for n, leaf in leaves.items()},
        "derivatives": [json_number(d) for d in derivatives],
        # the numbers as the page prints them: one format on one screen (notation.format_number)
        "valueText": format_number(root.data),
        "gradTexts": {n: format_number(trace.pass_grad(leaf)) for n, leaf in leaves.items()},
        "derivativeTexts": [format_number(d) for d in derivatives],
        "model": model,
        "svg": (state or {}).get("svg") or "",
        "state": {k: v for k, v in (state or {"expand": [], "boxOf": {}, "boxes": {}}).items() if k != "svg"},
    }


def _derivatives(expression: Expression, values: dict[str, float], order: int) -> list[float]:
    def too_slow(k: int, took: float) -> None:
        # each order's graph is several times the last one's: stop before one takes too long
        if took * DERIVATIVE_GROWTH > DERIVATIVE_SECONDS:
            raise _BadInput(f"derivative {k} of this expression took {took:.1f} s, and each order can "
                            f"take ten times the one before: order {order} is refused to keep the "
                            f"explorer responsive; ask for order {k} or less")

    try:
        name, f = expression.of_one_variable(f"order {order}")
        return derivatives(f, values[name], order, after_each=too_slow)
    except (ExpressionError, DomainError, OverflowError) as error:
        raise _BadInput(f"the derivatives of order up to {order} cannot be computed here: {error}") from None
