"""Loss functions built from the op table's pieces, each the mean over a batch.

Every loss takes the model's outputs for a batch and the matching labels and
returns one Value to call ``backward()`` on. Binary labels may be written
0/1 or −1/+1; class labels are integers ``0 .. k-1``.

* ``mse``: mean (prediction − target)².
* ``binary_cross_entropy``: from logits, through ``log_softmax([0, z])``, which
  is log σ(z) and log(1 − σ(z)) without overflow at any z.
* ``cross_entropy``: −log_softmax(logits)[label], for several classes.
* ``hinge``: the SVM loss relu(1 − y·score), with y = ±1 (micrograd's demo).
* ``l2``: alpha · Σ p², to add to any of them.

Each loss builds its nodes inside a scope named after it (``hinge``, ``mse``,
…), so a picture can draw the whole loss as one box.

Example:
    >>> from autograd_lite import Value
    >>> from autograd_lite.nn import losses
    >>> scores = [Value(2.0), Value(-0.5)]
    >>> losses.hinge(scores, [1, 0]).data      # relu(1 − 2) and relu(1 − 0.5), averaged
    0.25
    >>> round(losses.cross_entropy([[Value(1.0), Value(3.0)]], [1]).data, 6)
    0.126928
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from ..core.generic import apply
from ..core.ops import OPS
from ..core.value import Value, scope

__all__ = ["LOSSES", "binary_cross_entropy", "binary_labels", "cross_entropy", "get", "hinge", "l2", "mse"]

_LOG_SOFTMAX = OPS["log_softmax"]


def _scoped(function: Callable[..., Value]) -> Callable[..., Value]:
    """``function`` building its nodes inside a scope of its own name."""

    @functools.wraps(function)
    def inside(*args: Any, **kwargs: Any) -> Value:
        with scope(function.__name__):
            return function(*args, **kwargs)

    return inside


def _mean(terms: list[Value]) -> Value:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    loss = total / len(terms)  # one "÷ N" in pictures, and exact when N is a power of two
    if isinstance(loss, Value):
        loss.label = "loss"
    return loss


def _batch(outputs: Sequence[Any], labels: Sequence[Any], what: str) -> None:
    if isinstance(outputs, Value) or not isinstance(outputs, Sequence) or not isinstance(labels, Sequence):
        raise TypeError(f"{what} takes a batch: a list of model outputs and a list of labels")
    if len(outputs) != len(labels):
        raise ValueError(f"{what}: {len(outputs)} outputs but {len(labels)} labels")
    if not outputs:
        raise ValueError(f"{what} of an empty batch is undefined")


def _scalar(output: Any, what: str) -> Any:
    if isinstance(output, Value) or (isinstance(output, (int, float)) and not isinstance(output, bool)):
        return output
    if isinstance(output, Sequence) and len(output) == 1:
        return output[0]
    raise ValueError(f"{what} needs one output per sample (a model ending in 1 unit), "
                     f"got {type(output).__name__} of length {len(output) if hasattr(output, '__len__') else '?'}")


def binary_labels(labels: Iterable[Any], what: str = "binary labels") -> list[int]:
    """Labels written 0/1 or −1/+1, as +1/−1; anything else is a ValueError naming the form.

    Example:
        >>> binary_labels([0, 1, 1])
        [-1, 1, 1]
    """
    labels = list(labels)
    seen = set(labels)
    if not seen <= {0, 1} and not seen <= {-1, 1}:
        odd = sorted(seen - {0, 1, -1}, key=repr)[:3] or sorted(seen, key=repr)
        raise ValueError(f"{what} must be all 0/1 or all -1/+1, got {odd}")
    return [1 if v == 1 else -1 for v in labels]


@_scoped
def hinge(scores: Sequence[Any], labels: Sequence[Any]) -> Value:
    """Mean SVM hinge loss, relu(1 − y·score), labels ±1 (or 0/1)."""
    _batch(scores, labels, "hinge")
    signs = binary_labels(labels, "hinge labels")
    return _mean([(1 + (-y) * _scalar(s, "hinge")).relu() for s, y in zip(scores, signs)])


@_scoped
def mse(predictions: Sequence[Any], targets: Sequence[Any]) -> Value:
    """Mean squared error; each prediction a Value (or a list of them, against a list of targets)."""
    _batch(predictions, targets, "mse")
    terms = []
    for p, t in zip(predictions, targets):
        ps = p if isinstance(p, Sequence) else [p]
        ts = t if isinstance(t, Sequence) else [t]
        if len(ps) != len(ts):
            raise ValueError(f"mse: a prediction of {len(ps)} values against a target of {len(ts)}")
        for a, b in zip(ps, ts):
            if not isinstance(b, (int, float)) or isinstance(b, bool) or not math.isfinite(b):
                raise ValueError(f"mse targets must be finite numbers, got {b!r}")
            err = a - b
            if isinstance(err, Value):
                err.label = "err"
            terms.append(err ** 2)
    return _mean(terms)


@_scoped
def binary_cross_entropy(logits: Sequence[Any], labels: Sequence[Any]) -> Value:
    """Mean binary cross-entropy from logits z (σ(z) is the probability of class 1).

    −log σ(z) for class 1 and −log(1 − σ(z)) for class 0, computed as
    −log_softmax([0, z])[label]: stable for any z, no log(0).
    """
    _batch(logits, labels, "binary_cross_entropy")
    signs = binary_labels(labels, "binary_cross_entropy labels")
    terms = []
    for z, s in zip(logits, signs):
        pair = _log_softmax([0.0, _scalar(z, "binary_cross_entropy")])
        terms.append(-pair[1 if s == 1 else 0])
    return _mean(terms)


def _log_softmax(row: Sequence[Any]) -> list[Value]:
    return cast("list[Value]", apply(_LOG_SOFTMAX, row))  # a vector op: one Value per input


@_scoped
def cross_entropy(logits: Sequence[Sequence[Any]], labels: Sequence[Any]) -> Value:
    """Mean softmax cross-entropy: −log_softmax(logits)[label], labels ``0 .. k-1``."""
    _batch(logits, labels, "cross_entropy")
    terms = []
    for row, label in zip(logits, labels):
        if not isinstance(row, Sequence) or len(row) < 2:
            raise ValueError("cross_entropy needs one logit per class (at least 2) for each sample; "
                             "for one output use binary_cross_entropy")
        if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < len(row):
            raise ValueError(f"cross_entropy labels must be class numbers 0 to {len(row) - 1}, got {label!r}")
        terms.append(-_log_softmax(row)[label])
    return _mean(terms)


@_scoped
def l2(parameters: Iterable[Value], alpha: float) -> Value:
    """alpha · Σ p²: weight decay written into the loss (micrograd's demo uses 1e-4)."""
    params = list(parameters)
    if not params:
        raise ValueError("l2 of no parameters is undefined")
    total = params[0] * params[0]
    for p in params[1:]:
        total = total + p * p
    return alpha * total


#: the losses ``fit(loss=...)`` knows by name
LOSSES: dict[str, Callable[..., Value]] = {
    "hinge": hinge,
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "bce": binary_cross_entropy,
    "cross_entropy": cross_entropy,
}


def get(loss: str | Callable[..., Value]) -> Callable[..., Value]:
    """A loss by name (``"hinge"``, ``"mse"``, ``"bce"``, ``"cross_entropy"``) or the callable itself."""
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; the losses are {', '.join(LOSSES)}, or pass a function")
    return LOSSES[loss]
