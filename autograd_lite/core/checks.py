"""Checking what users pass in: numbers, sequences and op parameters, or a clear error.

Kept apart from :mod:`autograd_lite.core.value` so that the engine reads as the
algorithm; every error a user can cause there is raised from here, saying what
was wrong and what is accepted.

Example:
    >>> as_float(3)
    3.0
    >>> as_float("3")
    Traceback (most recent call last):
    ...
    TypeError: Value() takes a real number (int or float), got str: '3'
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from .ops import OPS, Op

__all__ = ["as_float", "as_sequence", "method_params", "op_entry", "op_params", "short"]


def as_float(x: Any, what: str = "Value()") -> float:
    """``x`` as a float, or a TypeError/ValueError saying what is accepted.

    Example:
        >>> as_float(True), as_float(2)
        (1.0, 2.0)
    """
    if x.__class__ is float:
        return x  # type: ignore[no-any-return]
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:
            raise ValueError(
                f"{what}: {short(x)} is too large for a float (the largest is about 1.8e308)"
            ) from None
    if type(x).__name__ == "Value" and type(x).__module__ == "autograd_lite.core.value":
        raise TypeError(
            f"{what} takes a real number, not a Value; use the Value itself, "
            "or Value(v.data) for a new leaf with the same number"
        )
    raise TypeError(f"{what} takes a real number (int or float), got {type(x).__name__}: {short(x)}")


def short(x: Any) -> str:
    """``repr(x)``, cut to 40 characters for error messages."""
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


NAME_LIMIT = 32  # the longest name a picture, a table or a message shows whole


def shorten(text: str, limit: int = NAME_LIMIT) -> str:
    """``text`` cut to at most ``limit`` characters with its parentheses balanced.

    Runs of white space become one space. A cut text ends in ``…`` inside
    whatever parentheses were still open, and those are closed.

    Example:
        >>> shorten("exp(x*(y + z)) + log(x*y*z + 1)", 18)
        'exp(x*(y + z)) +…'
        >>> shorten("exp(x*(y + z + w + v))", 12)
        'exp(x*(y…))'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    closers = {"(": ")", "[": "]", "{": "}"}
    for cut in range(limit - 1, -1, -1):
        head, stack = text[:cut].rstrip(), []
        for ch in head:
            if ch in closers:
                stack.append(closers[ch])
            elif stack and ch == stack[-1]:
                stack.pop()
        tail = "…" + "".join(reversed(stack))
        if len(head) + len(tail) <= limit:
            return head + tail
    return "…"  # pragma: no cover - limit 1 still fits the ellipsis


def op_entry(op: Any) -> Op:
    """The table entry for an op or its name; an unknown name is an error listing the table.

    Example:
        >>> op_entry("exp").name
        'exp'
    """
    if isinstance(op, str):
        entry = OPS.get(op)
        if entry is None:
            raise ValueError(f"no op named {op!r}; the op table has: {', '.join(OPS)}")
        return entry
    if isinstance(op, Op):
        return op
    raise TypeError(f"apply() takes an op's name (one of {', '.join(OPS)}) or an Op, "
                    f"got {type(op).__name__}: {short(op)}")


def as_sequence(x: Any, what: str) -> Sequence[Any]:
    """The items of ``x`` as a list, or a clear error if it is not a non-empty sequence."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"{what} takes a sequence of numbers or Values, got {type(x).__name__}")
    items = list(x)
    if not items:
        raise ValueError(f"{what} of an empty sequence: it needs at least one number or Value")
    return items


def op_params(op: Op, params: dict[str, Any]) -> tuple[Any, ...]:
    """The op's parameter values from keywords (``alpha=0.1``), defaults filled in."""
    unknown = set(params) - set(op.params)
    if unknown:
        raise TypeError(f"{op.name} takes the parameters {list(op.params)}, not {sorted(unknown)}")
    args = []
    for k, name in enumerate(op.params):
        if name in params:
            value = params[name]
            args.append(value if value.__class__ is int else as_float(value, f"{op.name}({name}=...)"))
        elif k < len(op.defaults):
            args.append(op.defaults[k])
        else:
            raise TypeError(f"{op.name} needs the parameter {name!r}")
    return tuple(args)


def method_params(op: Op, signature: inspect.Signature, args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> tuple[float, ...]:
    """The parameters of a method call such as ``x.leaky_relu(0.2)``, checked, as floats."""
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{op.name}{str(signature).replace('(self, ', '(')}: {error}") from None
    bound.apply_defaults()
    return tuple(as_float(bound.arguments[p], f"{op.name}({p}=...)") for p in op.params)
