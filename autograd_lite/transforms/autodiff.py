"""Transforms on functions: grad, jacobian, hessian, jvp, hvp, gradcheck, gradgradcheck.

They are built on ``Value.backward``; none of them leaves anything behind in
the ``grad`` of the Values it touches. Given plain numbers they return floats;
given Values they return Values with a graph of their own, so they compose:
``grad(grad(f))`` is the second derivative.

Forward mode (:func:`jvp`) reads the same op table as backward: each node's
tangent is the sum over its parents of the local derivative times the parent's
tangent, with the very rule call (:func:`~autograd_lite.core.value.local_derivatives`)
that backward multiplies by, so there is no second list of rules.
:func:`hvp` is forward over reverse: the tangent of the gradient's graph.

Example:
    >>> from autograd_lite import grad, jacobian, softmax
    >>> d2 = grad(grad(lambda x: x.sigmoid()))
    >>> round(d2(0.3), 10)
    -0.036396184
    >>> [[round(v, 4) for v in row] for row in jacobian(softmax, [1.0, 2.0])]
    [[0.1966, -0.1966], [-0.1966, 0.1966]]
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..core.value import Number, Value, as_float, local_derivatives, topological_order

__all__ = ["GradcheckError", "derivatives", "grad", "gradcheck", "gradgradcheck", "hessian", "hvp", "jacobian",
           "jvp", "tangents"]

Argnums = int | Sequence[int]


class GradcheckError(RuntimeError):
    """Backward and central differences disagree; the message is the report."""


def _gradients(output: Value, inputs: Sequence[Value], create_graph: bool) -> list[Any]:
    """d output / d input for each input, leaving every ``grad`` as it was."""
    nodes = topological_order(output)
    saved = [node.grad for node in nodes]
    saved_inputs = [x.grad for x in inputs]
    for x in inputs:
        x.grad = 0.0
    try:
        output.backward(create_graph=create_graph)
        result = [x.grad for x in inputs]
    finally:
        for node, g in zip(nodes, saved):
            node.grad = g
        for x, g in zip(inputs, saved_inputs):
            x.grad = g
    if create_graph:
        return [g if isinstance(g, Value) else Value(g) for g in result]
    return result


def _leaf(x: Any, what: str) -> Value:
    return x if isinstance(x, Value) else Value(as_float(x, what))


def _check_call(f: Callable[..., Any], nargs: int, what: str) -> None:
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # builtins without a signature: let the call tell
        return
    try:
        signature.bind(*range(nargs))
    except TypeError as error:
        raise TypeError(f"{what}: the function cannot be called with {nargs} argument(s): {error}") from None


def _scalar_output(out: Any, what: str) -> Value:
    if isinstance(out, Value):
        return out
    if isinstance(out, (list, tuple)):
        raise TypeError(
            f"{what} needs a function that returns one Value (a scalar), got a "
            f"{type(out).__name__} of {len(out)}; use jacobian for vector outputs"
        )
    raise TypeError(
        f"{what} needs a function that returns a Value, got {type(out).__name__}; "
        "build the result from the function's arguments with Value operations"
    )


def grad(f: Callable[..., Value], argnums: Argnums = 0) -> Callable[..., Any]:
    """The function giving df/dx for the chosen arguments (JAX style).

    ``grad(f)(x)`` is a float for numeric ``x``; for Value arguments it is a
    Value with its own graph, so ``grad(grad(f))`` works to any order. With a
    tuple ``argnums`` the result is a tuple.

    Example:
        >>> grad(lambda x, y: x * y ** 2, argnums=(0, 1))(3.0, 2.0)
        (4.0, 12.0)
        >>> round(grad(grad(grad(lambda x: x.tanh())))(0.7), 10)
        0.1215922774
    """
    several = not isinstance(argnums, int)
    positions = _positions(argnums)

    def gradient(*args: Any) -> Any:
        for i in positions:
            if not -len(args) <= i < len(args):
                raise TypeError(f"grad: argnums={argnums!r} but the function was called with {len(args)} argument(s)")
        _check_call(f, len(args), "grad")
        create_graph = any(isinstance(a, Value) for a in args)
        values = list(args)
        for i in positions:
            values[i] = _leaf(args[i], f"grad: argument {i}")
        out = _scalar_output(f(*values), "grad")
        result = _gradients(out, [values[i] for i in positions], create_graph)
        return tuple(result) if several else result[0]

    gradient.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    gradient.__doc__ = f"Gradient of {getattr(f, '__name__', 'f')} with respect to argument(s) {argnums!r}."
    return gradient


def _positions(argnums: Any) -> tuple[int, ...]:
    # bool is an int to Python, but grad(f, True) is surely a mistake
    chosen = (argnums,) if isinstance(argnums, int) else tuple(argnums) if isinstance(argnums, Sequence) else ()
    if not chosen or not all(isinstance(i, int) and not isinstance(i, bool) for i in chosen):
        raise TypeError(f"grad: argnums must be an int or a tuple of ints, got {argnums!r}")
    return chosen


def _vector_output(out: Any, what: str) -> tuple[list[Value], bool]:
    if isinstance(out, Value):
        return [out], True
    if isinstance(out, (list, tuple)) and all(isinstance(v, Value) for v in out):
        return list(out), False
    return [_scalar_output(out, what)], True  # raises the right TypeError


def derivatives(f: Callable[[Value], Value], x: float, order: int,
                after_each: Callable[[int, float], None] | None = None) -> list[float]:
    """``[f'(x), f''(x), …]`` up to ``order``: :func:`grad` applied once more for each.

    ``after_each(k, seconds)`` is called after each order but the last with the
    seconds that order took; it may raise to stop early (each order's graph is
    several times the one before it).

    Example:
        >>> derivatives(lambda x: x ** 3, 2.0, 3)
        [12.0, 12.0, 6.0]
    """
    results: list[float] = []
    g: Any = f
    for k in range(1, order + 1):
        start = time.perf_counter()
        g = grad(g)
        results.append(g(x))
        if after_each is not None and k < order:
            after_each(k, time.perf_counter() - start)
    return results


def jacobian(f: Callable[[list[Value]], Any], xs: Sequence[Number | Value]) -> list[Any]:
    """∂f_i/∂x_j as a matrix (a list of rows); f is called with the list of inputs.

    A scalar-valued ``f`` gives its gradient, a flat list (as JAX does).
    Floats for numeric ``xs``; Values (differentiable again) for Value ``xs``.

    Example:
        >>> jacobian(lambda v: [v[0] * v[1], v[0] + v[1]], [2.0, 3.0])
        [[3.0, 2.0], [1.0, 1.0]]
    """
    if isinstance(xs, (str, bytes)) or not isinstance(xs, (list, tuple)):
        raise TypeError(f"jacobian takes a list of numbers, got {type(xs).__name__}")
    inputs = [_leaf(x, "jacobian input") for x in xs]
    create_graph = any(isinstance(x, Value) for x in xs)
    outputs, scalar = _vector_output(f(inputs), "jacobian")
    rows = [_gradients(out, inputs, create_graph) for out in outputs]
    return rows[0] if scalar else rows


def hessian(f: Callable[[list[Value]], Value], xs: Sequence[Number | Value]) -> list[list[Any]]:
    """∂²f/∂x_i∂x_j of a scalar f, called like jacobian's f: with the list of inputs.

    Example:
        >>> h = hessian(lambda v: v[0] ** 2 * v[1] + v[1].exp(), [1.0, 2.0])
        >>> [[round(x, 6) for x in row] for row in h]
        [[4.0, 2.0], [2.0, 7.389056]]
    """

    def gradient(vs: list[Value]) -> list[Value]:
        out = _scalar_output(f(vs), "hessian")
        return _gradients(out, vs, create_graph=True)

    return jacobian(gradient, xs)


def _evaluation_order(roots: Sequence[Value]) -> list[Value]:
    """Every node of the roots' graphs once, each after its parents: one walk for all roots.

    (One topological sort per root would walk a shared part of the graph once per
    output, and forward mode's one sweep for many outputs would be lost.)
    """
    seen: set[Value] = set()
    order: list[Value] = []
    for root in roots:
        if not isinstance(root, Value):
            raise TypeError(f"expected Values, got {type(root).__name__}")
        stack: list[tuple[Value, bool]] = [(root, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if p not in seen)
    return order


def tangents(roots: Sequence[Value], seeds: dict[Value, float]) -> dict[Value, float]:
    """Forward mode on a built graph: the tangent of every node, given the leaves' tangents.

    Nodes are visited in evaluation order (each after its parents); a node's
    tangent is Σ_k ∂node/∂parent_k · tangent(parent_k), the local derivatives
    coming from the op table exactly as backward uses them. Leaves missing from
    ``seeds`` (constants, other variables) have tangent 0.

    Example:
        >>> x = Value(2.0); y = Value(5.0); f = x * y + x.log()
        >>> tangents([f], {x: 1.0})[f]   # ∂f/∂x = y + 1/x
        5.5
    """
    result: dict[Value, float] = {}
    for node in _evaluation_order(roots):
        if node.is_leaf:
            result[node] = as_float(seeds.get(node, 0.0), "a tangent")
            continue
        t = 0.0
        for parent, d in zip(node.parents, local_derivatives(node)):
            t += d * result[parent]
        result[node] = t
    return result


def _numbers(xs: Any, what: str) -> list[Any]:
    if isinstance(xs, (str, bytes)) or not isinstance(xs, (list, tuple)):
        raise TypeError(f"{what} takes a list (or tuple) of numbers, got {type(xs).__name__}")
    return list(xs)


def jvp(f: Callable[..., Any], primals: Sequence[Number], tangents_in: Sequence[Number]) -> tuple[Any, Any]:
    """Forward mode: f's value at ``primals`` and its derivative in the direction ``tangents_in``.

    ``f`` takes the primals as separate arguments (like :func:`grad` and JAX's
    ``jvp``) and returns a Value or a list of Values; the result is
    ``(value, directional derivative)`` as floats (lists for a list output).
    One call costs one evaluation and one forward sweep whatever the number of
    outputs: the right mode for a few inputs and many outputs. For the whole
    gradient of f: R^n → R it needs n calls, where reverse mode needs one.

    Example:
        >>> f = lambda x1, x2: x1.log() + x1 * x2 - x2.exp()
        >>> value, slope = jvp(f, (2.0, 0.5), (1.0, 0.0))   # ∂f/∂x1 = 1/x1 + x2
        >>> round(value, 6), slope
        (0.044426, 1.0)
    """
    values = _numbers(primals, "jvp: primals")
    directions = _numbers(tangents_in, "jvp: tangents")
    if len(values) != len(directions):
        raise ValueError(f"jvp: {len(values)} primals but {len(directions)} tangents; give one tangent per primal")
    _check_call(f, len(values), "jvp")
    leaves = [_leaf(v, "jvp: primal") for v in values]
    seeds = {leaf: as_float(t, "jvp: tangent") for leaf, t in zip(leaves, directions)}
    outputs, scalar = _vector_output(f(*leaves), "jvp")
    slopes = tangents(outputs, seeds)
    if scalar:
        return outputs[0].data, slopes[outputs[0]]
    return [o.data for o in outputs], [slopes[o] for o in outputs]


def hvp(f: Callable[[list[Value]], Value], xs: Sequence[Number], v: Sequence[Number]) -> list[float]:
    """The Hessian of a scalar f at ``xs`` times the vector ``v``, forward over reverse.

    ``f`` is called like :func:`hessian`'s, with the list of inputs. Reverse
    mode records the gradient as a graph (``backward(create_graph=True)``);
    one forward sweep then carries the tangent ``v`` through it: the tangent
    of ∇f is H·v. It costs about one gradient, never the n gradients of the
    whole Hessian, and agrees with ``hessian(f, xs) @ v``.

    Example:
        >>> f = lambda p: p[0] ** 2 * p[1] + p[1].exp()
        >>> [round(t, 6) for t in hvp(f, [1.0, 2.0], [1.0, 0.0])]   # the Hessian's first column
        [4.0, 2.0]
    """
    values = _numbers(xs, "hvp: xs")
    direction = _numbers(v, "hvp: v")
    if len(values) != len(direction):
        raise ValueError(f"hvp: {len(values)} inputs but a vector v of {len(direction)}; they must match")
    leaves = [_leaf(x, "hvp input") for x in values]
    seeds = {leaf: as_float(t, "hvp: v") for leaf, t in zip(leaves, direction)}
    out = _scalar_output(f(leaves), "hvp")
    gradient = _gradients(out, leaves, create_graph=True)
    slopes = tangents(gradient, seeds)
    return [slopes[g] for g in gradient]


def _central_difference(f: Callable[..., Any], values: list[float], i: int, eps: float) -> list[float]:
    up, down = list(values), list(values)
    up[i] += eps
    down[i] -= eps
    hi, _ = _outputs(f, up)
    lo, _ = _outputs(f, down)
    return [(h.data - lo_.data) / (2 * eps) for h, lo_ in zip(hi, lo)]


def _outputs(f: Callable[..., Any], values: Sequence[Any]) -> tuple[list[Value], list[Value]]:
    leaves = [_leaf(v, "gradcheck input") for v in values]
    outs, _ = _vector_output(f(*leaves), "gradcheck")
    return outs, leaves


def gradcheck(f: Callable[..., Any], inputs: Sequence[Number], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Compare backward's gradients with central differences, for every input.

    ``f`` takes the inputs as separate arguments and returns a Value (or a list
    of Values: each output is checked). Returns True when every derivative
    satisfies |analytic − numeric| ≤ atol + rtol·|numeric|. Otherwise raises
    :class:`GradcheckError` whose message names each bad input with both
    values and their difference, or with ``raise_exception=False`` returns
    False.

    Example:
        >>> gradcheck(lambda x, y: (x * y).tanh(), [0.3, -1.2])
        True
    """
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, (list, tuple)):
        raise TypeError(f"gradcheck takes a list of numbers, got {type(inputs).__name__}")
    values = [as_float(v, "gradcheck input") for v in inputs]
    _check_call(f, len(values), "gradcheck")
    outs, leaves = _outputs(f, values)
    analytic = [_gradients(out, leaves, create_graph=False) for out in outs]
    problems = []
    for j in range(len(values)):
        numeric = _central_difference(f, values, j, eps)
        for k, (a, n) in enumerate(zip((row[j] for row in analytic), numeric)):
            if not (abs(a - n) <= atol + rtol * abs(n)) and not (math.isnan(a) and math.isnan(n)):
                where = f"output {k}, " if len(outs) > 1 else ""
                problems.append(
                    f"  {where}input {j} (= {values[j]!r}): backward gives {a!r}, "
                    f"central differences give {n!r}, difference {a - n:.3g}"
                )
    if not problems:
        return True
    if raise_exception:
        raise GradcheckError(
            f"gradcheck: backward disagrees with central differences "
            f"(eps={eps}, atol={atol}, rtol={rtol}):\n" + "\n".join(problems)
        )
    return False


def gradgradcheck(f: Callable[..., Any], inputs: Sequence[Number], eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """gradcheck one order up: the gradient of ``f`` checked against differences.

    Example:
        >>> gradgradcheck(lambda x: x.sigmoid() * x, [0.4])
        True
    """
    values = [as_float(v, "gradgradcheck input") for v in inputs]
    everything = tuple(range(len(values)))

    def gradient(*xs: Value) -> list[Value]:
        return list(grad(f, argnums=everything)(*xs))

    return gradcheck(gradient, values, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
