"""Any op of the table, by name, on Values, numbers and sequences: ``apply`` and ``sum_of``.

Operators and methods (``a * b``, ``x.exp()``) cover the unary and binary ops;
this is the generic way in, and the only one for the ops that take any number
of inputs (``sum``, ``dot``, ``softmax``).

Example:
    >>> from autograd_lite import apply
    >>> apply("sum", [0.1, 0.2, 0.3]).data   # correctly rounded
    0.6
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import scopes
from .checks import as_sequence, op_entry, op_params, short
from .ops import OPS, VARIADIC, Op
from .scopes import ScopeTag
from .value import Number, Value, _constant, _node

__all__ = ["apply", "dot", "sum_of"]


def apply(op: Op | str, *inputs: Value | Number | Iterable[Value | Number], **params: Any) -> Value | list[Value]:
    """Apply any op of the table, by name or entry, to Values or numbers.

    Unary and binary ops return one Value; variadic ops take one sequence:
    ``sum`` returns one Value, vector ops (softmax) one Value per output.

    Example:
        >>> [round(v.data, 4) for v in apply("softmax", [1.0, 2.0, 3.0])]
        [0.09, 0.2447, 0.6652]
        >>> apply("leaky_relu", -2.0, alpha=0.1).data
        -0.2
    """
    entry = op_entry(op)
    variadic = entry.arity == VARIADIC
    if len(inputs) != (1 if variadic else entry.arity):
        raise TypeError(f"{entry.name} takes one sequence of numbers or Values" if variadic
                        else f"{entry.name} takes {entry.arity} input(s), got {len(inputs)}")
    nodes = tuple(_lift(x, entry.name) for x in (as_sequence(inputs[0], entry.name) if variadic else inputs))
    if entry.is_vector:  # softmax: one node per output, all sharing one parents tuple
        return [_node(s, nodes, None, entry.bind(i)) for i, s in enumerate(entry.forward(_data(nodes)))]
    args = op_params(entry, params)
    if variadic:
        return _node(entry.forward(_data(nodes), *args), nodes, None, entry.bind(*args))
    data = entry.forward(*_data(nodes), *args)
    return _node(data, nodes[0], nodes[1] if entry.arity == 2 else None, entry.bind(*args))


def _data(nodes: Iterable[Value]) -> tuple[float, ...]:
    return tuple(node.data for node in nodes)


def _lift(x: Any, what: str) -> Value:
    node = x if x.__class__ is Value else _constant(x)
    if node is None:
        raise TypeError(f"{what} takes Values or real numbers, got {type(x).__name__}: {short(x)}")
    return node


def sum_of(terms: Iterable[Value | Number]) -> Value:
    """Σ of Values and numbers as one node (op ``sum``, ∂Σ/∂a_j = 1), correctly rounded (``math.fsum``).

    A term listed twice counts twice. One Σ draws and backprops faster than
    the chain of + that the builtin ``sum`` makes.

    Example:
        >>> a, b = Value(2.0), Value(3.0)
        >>> s = sum_of([a * b, a, 1])
        >>> s.backward(); s.data, a.grad, b.grad
        (9.0, 4.0, 2.0)
    """
    return apply("sum", terms)  # type: ignore[return-value,arg-type]


def _sum_nodes(terms: list[Value]) -> Value:
    """sum_of for callers whose terms are Values already (nn's neurons): no checks."""
    return _node(OPS["sum"].forward([t.data for t in terms]), tuple(terms), None, OPS["sum"])


def _neuron_sum(ws: list[Value], xs: Sequence[Any], bias: Value, tag: ScopeTag) -> Value:
    """Σ_i w_i·x_i + bias as nn's Neuron draws it: a product node per input, then one Σ node.

    Every node it builds (the products, constant leaves for plain-number inputs,
    the Σ) belongs to one call of the neuron: its scope tag is ``tag``, as if
    ``with scope(...)`` had opened it. fastpath installs a version that builds
    the nodes inline, for the same graph.
    """
    outer = scopes._current
    scopes._set_current(tag)
    try:
        terms = [w * x for w, x in zip(ws, xs)]
        terms.append(bias)
        return _sum_nodes(terms)
    finally:
        scopes._set_current(outer)


def dot(ws: Iterable[Value | Number], xs: Iterable[Value | Number]) -> Value:
    """Σ_k w_k·x_k as one node (op ``dot``): ∂/∂w_k = x_k and ∂/∂x_k = w_k.

    One node in place of a Σ over n product nodes: a neuron's or a Linear
    layer's weighted sum, an attention score. Its parents are the pairs
    ``(w_0, x_0, w_1, x_1, …)``; the sum is correctly rounded (``math.fsum``),
    so it equals ``sum_of(w * x for ...)`` bit for bit.

    Example:
        >>> w, x = [Value(2.0), Value(3.0)], [Value(4.0), Value(5.0)]
        >>> y = dot(w, x)
        >>> y.backward(); y.data, w[0].grad, x[1].grad
        (23.0, 4.0, 3.0)
    """
    left, right = as_sequence(ws, "dot"), as_sequence(xs, "dot")
    if len(left) != len(right):
        raise ValueError(f"dot takes two sequences of the same length, got {len(left)} and {len(right)}")
    return apply("dot", [v for pair in zip(left, right) for v in pair])  # type: ignore[return-value]


def _dot_nodes(ws: list[Any], xs: list[Any]) -> Value:
    """dot for callers whose operands are Values already, of equal lengths (nn.Linear's rows): no checks."""
    pairs: list[Any] = [None] * (2 * len(ws))
    pairs[::2], pairs[1::2] = ws, xs  # (w_0, x_0, w_1, x_1, …); a length mismatch raises here
    return _node(OPS["dot"].forward([p.data for p in pairs]), tuple(pairs), None, OPS["dot"])
