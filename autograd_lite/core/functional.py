"""Activations and elementary functions on numbers, Values, nested lists and numpy arrays.

The unary functions (``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``, ``elu``,
``softplus``, ``silu``, ``gelu``, ``exp``, ``log``, ``sin``, ``cos``, ``tan``,
``sqrt``) apply elementwise and give back the same shape with Values inside:
nested lists stay nested lists, and a numpy array of any shape gives a numpy
array of the same shape with dtype object (the seed's arrays of shape (-1, 1),
(-1,) and (1, -1) all work). ``maximum`` and ``minimum`` take two such inputs
(a plain number or a Value on one side is used for every element). ``softmax``
and ``log_softmax`` work on a 1-D sequence, or along the last axis.
:func:`to_floats` turns any of these results back into plain numbers (the data,
or with ``grad=True`` the gradients) of the same shape.

numpy is never imported unless you pass an array: the library does not depend on it.

Example:
    >>> from autograd_lite import sigmoid, softmax, to_floats
    >>> [[round(v.data, 8)] for [v] in sigmoid([[0.1], [0.2]])]
    [[0.52497919], [0.549834]]
    >>> [round(s.data, 4) for s in softmax([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    >>> to_floats(maximum([1.0, 5.0], 2.0))
    [2.0, 5.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .generic import apply
from .value import Number, Value

__all__ = ["cos", "elu", "exp", "gelu", "leaky_relu", "log", "log_softmax", "maximum", "minimum", "relu",
           "sigmoid", "silu", "sin", "softmax", "softplus", "sqrt", "tan", "tanh", "to_floats"]

Nested = Number | Value | Sequence[Any]


def _is_array(x: Any) -> bool:
    # a numpy array (or anything shaped like one) without importing numpy
    return hasattr(x, "shape") and hasattr(x, "dtype") and hasattr(x, "tolist") and not isinstance(x, Value)


def _new_array(shape: tuple[int, ...], items: Any) -> Any:
    import numpy as np  # only reached when the caller passed an array, so numpy is there

    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)  # a view: filling it fills out
    for k, item in enumerate(items):
        flat[k] = item
    return out


def _map(fn: Callable[[Any], Any], x: Any, name: str) -> Any:
    if isinstance(x, (list, tuple)):
        return [_map(fn, item, name) for item in x]
    if _is_array(x):
        return _new_array(x.shape, (fn(item) for item in x.reshape(-1)))
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} takes a number, a Value, a nested list or a numpy array of them, "
                        f"got {type(x).__name__}")
    return fn(x)


def _elementwise(name: str, x: Any, **params: Any) -> Any:
    return _map(lambda item: apply(name, item, **params), x, name)


def _pairwise(name: str, a: Any, b: Any) -> Any:
    """``name`` on two inputs elementwise; a number or a Value on one side meets every element."""
    if _is_array(a) or _is_array(b):
        import numpy as np

        left, right = np.broadcast_arrays(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
        return _new_array(left.shape, (apply(name, p, q) for p, q in zip(left.reshape(-1), right.reshape(-1))))
    nested_a, nested_b = isinstance(a, (list, tuple)), isinstance(b, (list, tuple))
    if nested_a and nested_b:
        if len(a) != len(b):
            raise ValueError(f"{name}: the two inputs differ in length ({len(a)} and {len(b)})")
        return [_pairwise(name, p, q) for p, q in zip(a, b)]
    if nested_a:
        return [_pairwise(name, p, b) for p in a]
    if nested_b:
        return [_pairwise(name, a, q) for q in b]
    for x in (a, b):
        if isinstance(x, (str, bytes)) or x is None:
            raise TypeError(f"{name} takes numbers, Values, nested lists or numpy arrays, got {type(x).__name__}")
    return apply(name, a, b)


def to_floats(x: Any, grad: bool = False) -> Any:
    """The numbers in a Value, a nested list or a numpy array of Values: their data,
    or with ``grad=True`` their gradients, in the same shape (a numpy array gives a
    float array). Plain numbers pass through.

    Example:
        >>> from autograd_lite import Value
        >>> a = Value(2.0); b = a * a; b.backward()
        >>> to_floats([[a, b], [3, a]]), to_floats([a, b], grad=True)
        ([[2.0, 4.0], [3.0, 2.0]], [4.0, 1.0])
    """
    def number(v: Any) -> Any:
        if isinstance(v, Value):
            g = v.grad if grad else v.data
            return g.data if isinstance(g, Value) else g  # a grad from create_graph=True is a Value
        return 0.0 if grad else float(v)

    if _is_array(x):
        import numpy as np

        return np.array([number(v) for v in x.reshape(-1)], dtype=float).reshape(x.shape)
    return _map(number, x, "to_floats")


def sigmoid(x: Nested) -> Any:
    """σ(x) = 1 / (1 + e^−x), elementwise; stable for any x.

    Example:
        >>> sigmoid(0.0).data
        0.5
        >>> [v.data for v in sigmoid([-1000.0, 1000.0])]
        [0.0, 1.0]
    """
    return _elementwise("sigmoid", x)


def tanh(x: Nested) -> Any:
    """tanh(x), elementwise.

    Example:
        >>> tanh([[0.0, 1000.0]])[0][1].data
        1.0
    """
    return _elementwise("tanh", x)


def relu(x: Nested) -> Any:
    """max(x, 0), elementwise; relu'(0) = 0.

    Example:
        >>> [v.data for v in relu([-2.0, 0.0, 3.0])]
        [0.0, 0.0, 3.0]
    """
    return _elementwise("relu", x)


def leaky_relu(x: Nested, alpha: float = 0.01) -> Any:
    """x for x > 0, alpha·x otherwise, elementwise; leaky_relu'(0) = alpha.

    Example:
        >>> leaky_relu([-2.0, 3.0], alpha=0.1)[0].data
        -0.2
    """
    return _elementwise("leaky_relu", x, alpha=alpha)


def _along_last_axis(name: str, x: Any) -> Any:
    if _is_array(x):
        if x.ndim == 0:
            raise TypeError(f"{name} takes a sequence (or an array of at least one axis), got a 0-d array")
        rows = _along_last_axis(name, x.tolist())
        flat = rows if x.ndim == 1 else [v for row in _rows(rows, x.ndim - 1) for v in row]
        return _new_array(x.shape, flat)
    if isinstance(x, (str, bytes)) or not isinstance(x, (list, tuple)):
        raise TypeError(f"{name} takes a sequence (or nested lists) of numbers or Values, got {type(x).__name__}")
    if x and all(isinstance(item, (list, tuple)) for item in x):
        return [_along_last_axis(name, item) for item in x]
    if any(isinstance(item, (list, tuple)) for item in x):
        raise ValueError(f"{name}: ragged input, a list mixes numbers and lists")
    return apply(name, x)  # type: ignore[return-value]


def _rows(nested: Any, depth: int) -> Any:
    # the innermost lists of a regular nested list, in order
    return nested if depth == 1 else [row for item in nested for row in _rows(item, depth - 1)]


def softmax(x: Sequence[Any]) -> Any:
    """S_i = e^{a_i} / Σ_k e^{a_k} along the last axis; D_j S_i = S_i(δ_ij − S_j).

    The max is subtracted first (a constant), so ±1000 is fine.

    Example:
        >>> [round(s.data, 4) for s in softmax([1000.0, 0.0, -1000.0])]
        [1.0, 0.0, 0.0]
    """
    return _along_last_axis("softmax", x)


def log_softmax(x: Sequence[Any]) -> Any:
    """a_i − log Σ_k e^{a_k} along the last axis; ∂/∂a_j = δ_ij − S_j.

    Example:
        >>> [round(v.data, 4) for v in log_softmax([0.0, 0.0])]
        [-0.6931, -0.6931]
    """
    return _along_last_axis("log_softmax", x)


# --- more activations -----------------------------------------------------------


def elu(x: Nested, alpha: float = 1.0) -> Any:
    """x for x > 0, alpha·(e^x − 1) otherwise, elementwise; elu'(0) = alpha.

    Example:
        >>> [round(v.data, 4) for v in elu([-1000.0, -1.0, 2.0])]
        [-1.0, -0.6321, 2.0]
    """
    return _elementwise("elu", x, alpha=alpha)


def softplus(x: Nested) -> Any:
    """log(1 + e^x), elementwise; its slope is σ(x). Finite at ±1000.

    Example:
        >>> [round(v.data, 6) for v in softplus([-1000.0, 0.0, 1000.0])]
        [0.0, 0.693147, 1000.0]
    """
    return _elementwise("softplus", x)


def silu(x: Nested) -> Any:
    """x·σ(x) (also called swish), elementwise.

    Example:
        >>> [v.data for v in silu([-1000.0, 1000.0])]
        [-0.0, 1000.0]
    """
    return _elementwise("silu", x)


def gelu(x: Nested) -> Any:
    """x·Φ(x) with Φ the standard normal's distribution function (the exact erf form), elementwise.

    Example:
        >>> round(gelu(1.0).data, 6)
        0.841345
    """
    return _elementwise("gelu", x)


# --- elementary functions ---------------------------------------------------------


def exp(x: Nested) -> Any:
    """e^x, elementwise; beyond the largest float it is +inf.

    Example:
        >>> exp([0.0, 1000.0])[1].data
        inf
    """
    return _elementwise("exp", x)


def log(x: Nested) -> Any:
    """The natural logarithm, elementwise; x ≤ 0 is a DomainError.

    Example:
        >>> log(1.0).data
        0.0
    """
    return _elementwise("log", x)


def sin(x: Nested) -> Any:
    """sin x, elementwise (±inf gives NaN).

    Example:
        >>> y = sin(Value(0.0)); y.backward(); y.parents[0].grad
        1.0
    """
    return _elementwise("sin", x)


def cos(x: Nested) -> Any:
    """cos x, elementwise.

    Example:
        >>> cos(0.0).data
        1.0
    """
    return _elementwise("cos", x)


def tan(x: Nested) -> Any:
    """tan x, elementwise; finite at every finite float (no float is exactly at a pole).

    Example:
        >>> round(tan(0.7853981633974483).data, 12)   # π/4
        1.0
    """
    return _elementwise("tan", x)


def sqrt(x: Nested) -> Any:
    """√x, elementwise; sqrt'(0) = +inf, and x < 0 is a DomainError.

    Example:
        >>> x = Value(0.0); sqrt(x).backward(); x.grad
        inf
    """
    return _elementwise("sqrt", x)


# --- two inputs -----------------------------------------------------------------


def maximum(a: Nested, b: Nested) -> Any:
    """The larger of a and b, elementwise; at a tie each side gets half of the gradient.

    Example:
        >>> a, b = Value(2.0), Value(2.0)
        >>> m = maximum(a, b); m.backward(); (m.data, a.grad, b.grad)
        (2.0, 0.5, 0.5)
        >>> to_floats(maximum([[1.0, 5.0]], 3.0))
        [[3.0, 5.0]]
    """
    return _pairwise("maximum", a, b)


def minimum(a: Nested, b: Nested) -> Any:
    """The smaller of a and b, elementwise; at a tie each side gets half of the gradient.

    Example:
        >>> minimum(2.0, Value(3.0)).data
        2.0
    """
    return _pairwise("minimum", a, b)
