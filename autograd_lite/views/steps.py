"""The backward pass, step by step: a record to print, index, picture and page through.

:func:`backward_steps` runs the backward pass itself (same order, same rule
calls, same additions as ``Value.backward``, so every number is exactly the
one backward produces) and records each step: the node, its upstream gradient
∂L/∂node, the op's local rule from the op table with the numbers put in, and
what each parent receives.

Not to be confused with the *evaluation trace* (:mod:`autograd_lite.views.evaluation_trace`),
the textbook's table of a graph as a straight-line program. The names before 0.2,
``Trace`` and ``trace_backward``, still work for one release.

A :class:`BackwardSteps` prints as a table, indexes to :class:`Step`, explains any
node's gradient as the chain rule's sum over its consumers, sets each leaf's
gradient beside a finite-difference estimate, draws the graph as it stands at
any step (:meth:`BackwardSteps.frame`), and writes a self-contained HTML page that
steps through the pass (:meth:`BackwardSteps.save_html`; inline in Jupyter).

Example:
    >>> from autograd_lite import Value, backward_steps
    >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
    >>> y = (x * w).relu(); y.label = "y"
    >>> steps = backward_steps(y)
    >>> len(steps), steps[0].op, steps[0].upstream
    (2, 'relu', 1.0)
    >>> print(steps[0].rules[0])
    ∂y/∂t1 = 1 if t1 > 0 else 0 = 1 if (-6) > 0 else 0 = 0
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast, overload

from ..core.ops import OPS, VARIADIC, DomainError, Op
from ..core.value import BACKWARD_LOCK, Value, local_derivatives, topological_order
from ..fast.fastpath import sorted_for_backward as _sorted_for_backward
from .animation import MAX_ANIMATION_STEPS, save_animation
from .notation import (
    chain_rule_text,
    derivative_text,
    fill,
    format_number,
    grad_of,
    node_names,
    plural,
    printed_operands,
    symbol,
    use_marks,
)
from .pictures import draw_graph
from .render import Graph

__all__ = ["BackwardSteps", "Contribution", "Step", "Trace", "backward_steps", "trace_backward"]

#: a page with more steps than this is refused unless ``max_steps`` says otherwise
MAX_STEPS = 400


@dataclass(frozen=True)
class Contribution:
    """What one parent received in one step: ``parent.grad += upstream × local``."""

    parent: Value
    name: str  #: the parent's name in the trace
    local: float  #: ∂node/∂parent, the op's local derivative
    amount: float  #: upstream × local, the number added to the parent's grad
    grad_before: float  #: the parent's grad before this step
    grad_after: float  #: and after it


@dataclass(frozen=True)
class Step:
    """One node's turn in the backward pass."""

    index: int
    node: Value
    name: str  #: the node's name in the trace (label, number or t1, t2, …)
    op: str  #: the op that made the node
    forward: str  #: how the node was computed, with its parents' names
    upstream: float  #: ∂L/∂node when its turn comes: its grad, complete by then
    rules: tuple[str, ...]  #: per parent: the local rule, symbols then numbers
    contributions: tuple[Contribution, ...]
    loss: str  #: the output's name

    @property
    def definition(self) -> str:
        """``name = forward`` (``t2 = x·w``), or the name alone where it is its own formula (``log(y)``)."""
        return self.name if self.name == self.forward else f"{self.name} = {self.forward}"

    def __str__(self) -> str:
        lines = [
            f"step {self.index}: {self.definition} = {format_number(self.node.data)}",
            f"  upstream  ∂{symbol(self.loss)}/∂{symbol(self.name)} = {format_number(self.upstream)}",
        ]
        for rule, c in zip(self.rules, self.contributions):
            (g, d), amount = printed_operands(lambda a, b: a * b, (self.upstream, c.local), result=c.amount)
            lines.append(f"  local     {rule}")
            lines.append(f"  chain     {grad_of(c.name)} += {g} × {d} = {amount}"
                         f"  →  {grad_of(c.name)} = {format_number(c.grad_after)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Step {self.index}: {self.definition}, upstream {format_number(self.upstream)}>"


class BackwardSteps(Sequence[Step]):
    """The recorded backward pass: a sequence of :class:`Step`, output first.

    Example:
        >>> from autograd_lite import Value, backward_steps
        >>> a = Value(3.0, label="a"); y = a * a; y.label = "y"
        >>> t = backward_steps(y)
        >>> print(t.grad_sum(a))
        ∂y/∂a = ∂y/∂y·∂y/∂a⁽¹⁾ + ∂y/∂y·∂y/∂a⁽²⁾ = 1·3 + 1·3 = 6
    """

    #: What draws the page: the explorer sets it to its ``trace_page`` when it is
    #: imported (``import autograd_lite`` imports it). This record knows nothing of
    #: HTML; the explorer, above it, knows the record.
    page_maker: ClassVar[Callable[..., str] | None] = None

    def __init__(self, root: Value, order: list[Value], steps: list[Step],
                 leaf_grads_before: dict[Value, Any], parameters: Sequence[Value] = ()) -> None:
        self.root = root
        self.order = order
        self.names = node_names(order)
        self.steps = steps
        self.parameters = tuple(parameters)
        self._leaf_grads_before = leaf_grads_before

    # --- the sequence -------------------------------------------------------
    @overload
    def __getitem__(self, k: int) -> Step: ...
    @overload
    def __getitem__(self, k: slice) -> list[Step]: ...
    def __getitem__(self, k: int | slice) -> Step | list[Step]:
        return self.steps[k]

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    @property
    def loss(self) -> str:
        """The output's name."""
        return self.names[self.root]

    @property
    def leaves(self) -> list[Value]:
        """The graph's leaves that are not constants, in topological order."""
        return [n for n in self.order if n.is_leaf and not n.is_constant]

    # --- text ---------------------------------------------------------------
    def table(self) -> str:
        """The pass as a table, one row per step, and the leaves' gradients after it."""
        loss = symbol(self.loss)
        head = ["step", "node", "op", f"∂{loss}/∂node", "local derivatives", "parents' grads after"]
        rows = []
        for s in self.steps:
            local = ", ".join(f"∂/∂{symbol(c.name)} = {format_number(c.local)}" for c in s.contributions)
            after = ", ".join(f"{symbol(c.name)} = {format_number(c.grad_after)}" for c in s.contributions)
            rows.append([str(s.index), s.name, s.op, format_number(s.upstream), local, after])
        title = f"backward pass of {self.loss}: {plural(len(self.steps), 'step')} (seed ∂{loss}/∂{loss} = 1)"
        return title + "\n" + _align(head, rows)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<BackwardSteps of {self.loss}: {plural(len(self.steps), 'step')} over {plural(len(self.order), 'node')}>"

    def grad_sum(self, node: Value) -> str:
        """``node``'s gradient as the chain rule's sum over the nodes that consume it.

        ∂L/∂a = Σ_i ∂L/∂t_i · ∂t_i/∂a, symbols first, then the numbers of
        this pass, then the gradient the pass left in ``node.grad``.
        """
        if node not in self.names:
            raise ValueError("grad_sum: that Value is not in this trace's graph")
        if node is self.root:
            return f"∂{symbol(self.loss)}/∂{symbol(self.loss)} = 1 (the seed)"
        terms = [(s.name, s.upstream, c.local) for s in self.steps for c in s.contributions if c.parent is node]
        if not terms:
            return f"∂{symbol(self.loss)}/∂{symbol(self.names[node])} = 0 (nothing downstream uses it)"
        return chain_rule_text(self.loss, self.names[node], terms, self._final_grad(node),
                               earlier=self._leaf_grads_before.get(node, 0.0))

    def _final_grad(self, node: Value) -> float:
        for s in reversed(self.steps):
            for c in reversed(s.contributions):
                if c.parent is node:
                    return c.grad_after
        return 1.0 if node is self.root else 0.0

    # --- checks -------------------------------------------------------------
    def finite_differences(self, h: float | None = None) -> dict[Value, float]:
        """For each leaf, a central-difference estimate of ∂L/∂leaf.

        The graph's forward is replayed with the leaf moved by ±h (default
        1e-6·max(1, |x|)); nothing in the graph changes. A leaf whose move
        leaves an op's domain gets NaN.
        """
        estimates = {}
        for leaf in self.leaves:
            x = leaf.data
            step = h if h is not None else 1e-6 * max(1.0, abs(x))
            try:
                up = replay_forward(self.order, leaf, x + step)
                down = replay_forward(self.order, leaf, x - step)
                estimates[leaf] = (up - down) / (2 * step)
            except (DomainError, OverflowError):
                estimates[leaf] = math.nan
        return estimates

    def pass_grad(self, leaf: Value) -> float:
        """The gradient this pass gave ``leaf`` (without what it held before)."""
        return self._final_grad(leaf) - self._leaf_grads_before.get(leaf, 0.0)

    def check(self) -> str:
        """Each leaf's gradient from the pass beside its finite-difference estimate."""
        estimates = self.finite_differences()
        loss = symbol(self.loss)
        head = ["leaf", "data", f"∂{loss}/∂leaf (backward)", "finite differences", "difference"]
        rows = []
        for leaf, fd in estimates.items():
            g = self.pass_grad(leaf)
            rows.append([self.names[leaf], format_number(leaf.data), repr(g), f"{fd:.10g}",
                         f"{abs(g - fd):.1e}"])
        return _align(head, rows)

    # --- pictures -----------------------------------------------------------
    def grads_at(self, k: int) -> dict[Value, float]:
        """The gradients the pass has filled in once step ``k`` is done (−1: only the seed)."""
        if not -1 <= k < len(self.steps):
            raise IndexError(f"step {k} is out of range: this trace has steps 0 to {len(self.steps) - 1}")
        grads: dict[Value, float] = {self.root: 1.0}
        for leaf, g in self._leaf_grads_before.items():
            if g != 0.0:
                grads[leaf] = g
        for s in self.steps[: k + 1]:
            for c in s.contributions:
                grads[c.parent] = c.grad_after
        return grads

    def frame(self, k: int, rankdir: str = "LR", *, edge_derivatives: bool = True) -> Graph:
        """The graph when step ``k`` is done: that node and its edges highlighted.

        Grads appear only as far as the pass has got; ``k = -1`` shows the seed alone.
        """
        grads = self.grads_at(k)
        active = self.steps[k].node if k >= 0 else None
        title = f"step {k} of {len(self.steps) - 1}" if k >= 0 else "before the pass: seed only"
        return draw_graph(self.order, self.names, rankdir=rankdir, parameters=self.parameters,
                          grads=grads, edge_derivatives=edge_derivatives, active=active, title=title)

    def final_frame(self, rankdir: str = "LR") -> Graph:
        """The graph with every gradient, each written as its sum over consumers."""
        grads = self.grads_at(len(self.steps) - 1)
        return draw_graph(self.order, self.names, rankdir=rankdir, parameters=self.parameters,
                          grads=grads, grad_sums=True, title="after the pass")

    # --- the page -----------------------------------------------------------
    def html(self, rankdir: str = "auto", *, max_steps: int | None = MAX_STEPS,
             collapse: int | None = None, expand: Sequence[str] = ()) -> str:
        """A self-contained HTML page stepping through the pass (no network needed).

        One picture of the graph, restyled for each step of the forward and
        then the backward pass, with zoom and pan, play/pause, the keyboard,
        and every node's explanation on click; see :mod:`autograd_lite.explorer`.
        ``rankdir="auto"`` picks left-to-right or top-to-bottom, whichever
        shows the whole graph larger on a laptop screen. ``collapse=depth``
        draws each scope at that depth as a box that opens on click (see
        :func:`~autograd_lite.draw_dot`); ``expand`` opens some from the start.
        Without Graphviz's ``dot`` a note says how to get the picture.
        """
        if BackwardSteps.page_maker is None:
            raise RuntimeError("the page comes from autograd_lite.explorer: import autograd_lite first")
        return BackwardSteps.page_maker(self, rankdir, max_steps=max_steps, collapse=collapse, expand=expand)

    def save_html(self, path: str | Path, rankdir: str = "auto", *, max_steps: int | None = MAX_STEPS,
                  collapse: int | None = None, expand: Sequence[str] = ()) -> Path:
        """Write :meth:`html` to ``path``; returns the path written."""
        target = Path(path)
        text = self.html(rankdir, max_steps=max_steps, collapse=collapse, expand=expand)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise OSError(f"cannot write the page to {str(target)!r}: {error.strerror or error}") from None
        return target

    # --- animation ------------------------------------------------------------
    def save_animation(self, path: str | Path, *, size: str = "slide", frame_ms: float = 900,
                       hold_ms: float = 4000, fps: int = 10, rankdir: str = "LR",
                       edge_derivatives: bool = True, max_steps: int | None = MAX_ANIMATION_STEPS) -> Path:
        """Write the pass as a GIF, APNG or MP4 for slides (by the suffix of ``path``).

        The inputs, the forward values appearing, then the gradients flowing back,
        one frame per step with its caption, all drawn from one layout; see
        :func:`autograd_lite.views.animation.save_animation` for the options.
        Needs ``pip install 'autograd_lite[animation]'``.

        Example:
            >>> from autograd_lite import Value, backward_steps
            >>> x = Value(2.0, label="x"); y = x * x; y.label = "y"
            >>> backward_steps(y).save_animation("square.gif")  # doctest: +SKIP
            PosixPath('square.gif')
        """
        return save_animation(self, path, size=size, frame_ms=frame_ms, hold_ms=hold_ms, fps=fps,
                              rankdir=rankdir, edge_derivatives=edge_derivatives, max_steps=max_steps)

    def _repr_html_(self) -> str:
        page = self.html()
        return (f'<iframe srcdoc="{html.escape(page, quote=True)}" '
                'style="width:100%;height:720px;border:1px solid #d1d5db"></iframe>')


def backward_steps(root: Value, *, parameters: Sequence[Value] = ()) -> BackwardSteps:
    """Run ``root.backward()`` and record every step of it.

    Leaves accumulate and other nodes are overwritten, exactly as with
    ``backward()``; the numbers in the record are the ones backward produces.
    ``parameters`` only affects how pictures colour those leaves.

    Example:
        >>> from autograd_lite import Value
        >>> x = Value(0.5, label="x"); y = x.sigmoid(); y.label = "y"
        >>> t = backward_steps(y)
        >>> print(t[0].rules[0])
        ∂y/∂x = y·(1 − y) = 0.6225·(1 − 0.6225) = 0.235
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps takes a Value, got {type(root).__name__}")
    with BACKWARD_LOCK:  # a real backward pass: one at a time (value.py says why)
        return _record_backward_steps(root, parameters)


def _record_backward_steps(root: Value, parameters: Sequence[Value]) -> BackwardSteps:
    order = topological_order(root)  # every node: names, leaves, pictures
    names = node_names(order)
    leaf_grads_before = {n: n.grad for n in order if n.is_leaf}
    ops = _sorted_for_backward(root)  # backward's own order; it resets non-leaf grads
    root.grad = root.grad + 1.0 if root.is_leaf else 1.0
    loss = names[root]
    steps: list[Step] = []
    for node in reversed(ops):
        g = node.grad
        locals_ = local_derivatives(node)  # the rule call backward makes
        contributions = []
        for parent, d in zip(node.parents, locals_):
            before = parent.grad
            parent.grad += g * d  # backward's own update, in backward's order
            contributions.append(Contribution(parent, names[parent], d, g * d, before, parent.grad))
        steps.append(Step(len(steps), node, names[node], node.op or "", _forward_text(node, names),
                          g, _rule_texts(node, names, loss, locals_), tuple(contributions), loss))
    return BackwardSteps(root, order, steps, leaf_grads_before, parameters)


# --- helpers ----------------------------------------------------------------------


def _align(head: list[str], rows: list[list[str]]) -> str:
    """A plain-text table: a header, a rule, then the rows, columns padded to fit."""
    widths = [max(len(r[k]) for r in [head, *rows]) for k in range(len(head))]
    lines = [head, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in lines)


def _op_of(node: Value) -> Op:
    # the op table entry of a node the pass visits (never a leaf)
    return cast(Op, node.op_entry.op)  # type: ignore[union-attr]


def _forward_text(node: Value, names: dict[Value, str]) -> str:
    op = _op_of(node)
    params = node.op_params
    if op.paired:  # dot: a·b + c·d + …
        parents = node.parents
        return " + ".join(f"{names[a]}·{names[b]}" for a, b in zip(parents[::2], parents[1::2]))
    if op.arity == VARIADIC:
        inner = ", ".join(names[p] for p in node.parents)
        return f"{op.name}({inner})" + (f"[{params['i']}]" if op.is_vector else "")
    values = {name: names[p] for name, p in zip(op.inputs, node.parents)}
    values.update({k: format_number(v) for k, v in params.items()})
    text = fill(op.text, values)
    if "alpha" in params:
        text = text[:-1] + f", α={format_number(params['alpha'])})"
    return text


def _rule_texts(node: Value, names: dict[Value, str], loss: str,
                locals_: tuple[float, ...]) -> tuple[str, ...]:
    """Per parent: ``∂node/∂parent = formula in symbols = formula in numbers = value``.

    A parent used more than once (``x·x``) gets one text per use, marked
    ``∂f/∂x⁽¹⁾``, ``∂f/∂x⁽²⁾`` as in :func:`~autograd_lite.views.notation.chain_rule_text`.
    """
    texts = _unmarked_rule_texts(node, names, loss, locals_)
    return tuple(text.replace(f"/∂{symbol(names[p])} ", f"/∂{symbol(names[p])}{mark} ", 1)
                 for text, p, mark in zip(texts, node.parents, use_marks(node.parents)))


def _unmarked_rule_texts(node: Value, names: dict[Value, str], loss: str,
                         locals_: tuple[float, ...]) -> tuple[str, ...]:
    op = _op_of(node)
    params = node.op_params
    me = names[node]
    parents = node.parents
    formula = op.formula[0]
    if op.is_reduction:  # one formula for every input a_j (dot: and b_j, the other input of its pair)
        partners = [parents[j ^ 1] for j in range(len(parents))] if op.paired else parents
        return tuple(derivative_text(me, names[p], formula, {"out": me, "a_j": names[p], "b_j": names[q]},
                               {"out": node.data, "a_j": p.data, "b_j": q.data}, d)
                     for p, q, d in zip(parents, partners, locals_))
    if op.arity == VARIADIC:  # a row of the Jacobian, in terms of the softmax S
        s = OPS["softmax"].forward(tuple(p.data for p in parents))
        i = params["i"]
        return tuple(derivative_text(me, names[parent], formula,
                               {"out": me, "delta": f"δ_{i}{j}", "s_j": f"S_{j}"},
                               {"out": node.data, "delta": float(i == j), "s_j": s[j]}, d)
                     for j, (parent, d) in enumerate(zip(parents, locals_)))
    symbols = {name: names[p] for name, p in zip(op.inputs, parents)}
    numbers = {name: p.data for name, p in zip(op.inputs, parents)}
    for k, v in params.items():
        symbols[k], numbers[k] = format_number(v), v
    symbols["out"], numbers["out"] = me, node.data
    return tuple(derivative_text(me, names[parent], formula, symbols, numbers, d)
                 for formula, parent, d in zip(op.formula, parents, locals_))


def replay_forward(order: Sequence[Value], moved: Value, x: float) -> float:
    """The output's value with node ``moved`` (a leaf or not) forced to ``x``: the forward pass again, on floats.

    What a finite-difference check needs: ``order`` is the graph in topological
    order (output last), and nodes before ``moved`` keep their data.

    Example:
        >>> a = Value(2.0); y = a * a + 1
        >>> replay_forward(topological_order(y), a, 3.0)
        10.0
    """
    values: dict[Value, float] = {}
    for node in order:
        entry = node.op_entry
        if node is moved or entry is None:
            values[node] = x if node is moved else node.data
            continue
        op, args = entry.op, entry.args
        inputs = [values[p] for p in node.parents]
        if op.is_reduction:
            values[node] = op.forward(tuple(inputs), *args)
        elif op.arity == VARIADIC:
            values[node] = op.forward(tuple(inputs))[args[0]]
        else:
            values[node] = op.forward(*inputs, *args)
    return values[order[-1]]


# The names before 0.2, kept for one release. "Trace" also meant the evaluation trace
# (views/evaluation_trace.py); these are the backward steps.
Trace = BackwardSteps
trace_backward = backward_steps
