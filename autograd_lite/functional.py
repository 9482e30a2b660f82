"""Activations on numbers, Values and nested lists of any shape.

``sigmoid``, ``tanh``, ``relu`` and ``leaky_relu`` apply elementwise and give
back the same shape with Values inside (the seed's arrays of shape (-1, 1),
(-1,) and (1, -1) all work). ``softmax`` and ``log_softmax`` work on a 1-D
sequence, or along the last axis of a nested list.

Example:
    >>> from autograd_lite import sigmoid, softmax
    >>> [[round(v.data, 8)] for [v] in sigmoid([[0.1], [0.2]])]
    [[0.52497919], [0.549834]]
    >>> [round(s.data, 4) for s in softmax([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .generic import apply
from .value import Number, Value

__all__ = ["leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "tanh"]

Nested = Number | Value | Sequence[Any]


def _elementwise(name: str, x: Any, **params: Any) -> Any:
    if isinstance(x, (list, tuple)):
        return [_elementwise(name, item, **params) for item in x]
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} takes a number, a Value or a nested list of them, got {type(x).__name__}")
    return apply(name, x, **params)


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


def _along_last_axis(name: str, x: Any) -> list[Any]:
    if isinstance(x, (str, bytes)) or not isinstance(x, (list, tuple)):
        raise TypeError(f"{name} takes a sequence (or nested lists) of numbers or Values, got {type(x).__name__}")
    if x and all(isinstance(item, (list, tuple)) for item in x):
        return [_along_last_axis(name, item) for item in x]
    if any(isinstance(item, (list, tuple)) for item in x):
        raise ValueError(f"{name}: ragged input, a list mixes numbers and lists")
    return apply(name, x)  # type: ignore[return-value]


def softmax(x: Sequence[Any]) -> list[Any]:
    """S_i = e^{a_i} / Σ_k e^{a_k} along the last axis; D_j S_i = S_i(δ_ij − S_j).

    The max is subtracted first (a constant), so ±1000 is fine.

    Example:
        >>> [round(s.data, 4) for s in softmax([1000.0, 0.0, -1000.0])]
        [1.0, 0.0, 0.0]
    """
    return _along_last_axis("softmax", x)


def log_softmax(x: Sequence[Any]) -> list[Any]:
    """a_i − log Σ_k e^{a_k} along the last axis; ∂/∂a_j = δ_ij − S_j.

    Example:
        >>> [round(v.data, 4) for v in log_softmax([0.0, 0.0])]
        [-0.6931, -0.6931]
    """
    return _along_last_axis("log_softmax", x)
