"""The backward of softmax and log_softmax: once per call, O(N), not once per output.

A softmax over N inputs makes N nodes S_0 … S_{N−1}; each has all N inputs as
parents, and its local derivatives are its row of the Jacobian,
∂S_i/∂a_j = S_i·(δ_ij − S_j) (log_softmax: δ_ij − S_j). That is what the
pictures and the step-by-step trace show. Applied row by row, though, the N
outputs cost N·N. Every row has the form ``scale_i·(δ_ij − S_j)``, so all of
them together send input a_j

    Σ_i g_i·scale_i·(δ_ij − S_j) = g_j·scale_j − S_j·Σ_i g_i·scale_i,

its own output's term plus a share of one sum: O(N) for the whole call. The
backward loops hand each output node to :meth:`SoftmaxGroups.step`, which adds
the output's own term at once and the shared term when the call's last output
in this pass has been seen (every output of a call comes after all of its inputs
in topological order, so the inputs' grads are complete before they are read).

``scale`` is the op table's ``jacobian_scale`` text (``"out"`` for softmax,
``"1.0"`` for log_softmax). With Values (``create_graph=True``) the same
arithmetic builds the gradient's graph.

Example:
    >>> from autograd_lite import Value, softmax, sum_of
    >>> a = [Value(1.0), Value(2.0), Value(3.0)]
    >>> s = softmax(a)
    >>> sum_of([s[0], s[2] * 2.0]).backward()
    >>> [round(x.grad, 6) for x in a]
    [-0.037859, -0.34764, 0.385499]
"""

from __future__ import annotations

from typing import Any

from .rules import VARIADIC, _softmax_any

__all__ = ["SoftmaxGroups", "is_softmax_output"]


def is_softmax_output(node: Any) -> bool:
    """True for an output of softmax or log_softmax (an op with a ``jacobian_scale``)."""
    op = node._op
    return op is not None and op.op.scale is not None


class SoftmaxGroups:
    """The pending shared sums of the softmax calls in one backward pass."""

    __slots__ = ("left", "order", "sums")

    def __init__(self, order: list[Any]) -> None:
        self.order = order  # the pass's op nodes; counted on the first softmax output met
        self.left: dict[int, int] | None = None  # per call: its outputs not yet stepped
        self.sums: dict[int, Any] = {}  # per call: Σ_i g_i·scale_i so far

    def step(self, node: Any, g: Any, as_values: bool = False) -> None:
        """Send output ``node``'s gradient ``g`` back to its inputs (see the module's docstring)."""
        left = self.left
        if left is None:
            left = self.left = _outputs_per_call(self.order)
        parents = node._a  # one tuple shared by all of the call's outputs: it names the call
        key = id(parents)
        bound = node._op
        out = node if as_values else node.data
        weight = g * bound.op.scale(out)
        own = parents[bound.args[0]]
        own.grad += weight
        total = self.sums.pop(key, None)
        total = weight if total is None else total + weight
        remaining = left[key] - 1
        if remaining:
            left[key] = remaining
            self.sums[key] = total
            return
        del left[key]
        shares = _softmax_any(parents if as_values else [p.data for p in parents])
        for parent, s_j in zip(parents, shares):
            parent.grad -= s_j * total


def _outputs_per_call(order: list[Any]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for node in order:
        op = node._op
        if op.arity == VARIADIC and op.op.jacobian_scale is not None:
            key = id(node._a)
            counts[key] = counts.get(key, 0) + 1
    return counts
