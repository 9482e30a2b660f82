"""Evaluation traces: a graph as the textbook's straight-line program, in three tables.

Textbooks teach automatic differentiation with the *evaluation trace*: one
intermediate variable per line, inputs ``v₋ₙ₊₁ … v₀``, then ``v₁, v₂, …`` up
to the output (Griewank and Walther's notation). :func:`evaluation_trace` and
:func:`evaluation_trace_of` give its three tables, as Baydin et al. (2018) print them:

* the **primal trace**: each ``vᵢ`` with its formula and its number;
* the **tangent trace** of forward mode, for a chosen input direction:
  ``v̇ᵢ = Σₖ ∂vᵢ/∂vₖ · v̇ₖ``;
* the **adjoint trace** of reverse mode: ``v̄ₖ = v̄ₖ + v̄ᵢ · ∂vᵢ/∂vₖ``, from the
  output back to the inputs.

Every formula is the op table's own text and every number comes from the op
table's rules, exactly as ``backward()`` and :func:`~autograd_lite.jvp` use
them. The tables print as text, Markdown and LaTeX (booktabs); the notation
(v₋₁, v̇₀, v̄₃ and their LaTeX) is :mod:`autograd_lite.views.notation`'s.
Not to be confused with the *backward steps* (:mod:`autograd_lite.views.steps`),
the record of one ``backward()`` call, step by step.

Example:
    >>> from autograd_lite import Value
    >>> t = evaluation_trace(lambda x1, x2: x1.log() + x1 * x2, 2.0, 5.0)
    >>> print(t.table("primal"))
    v₋₁ = x1              = 2
    v₀  = x2              = 5
    v₁  = log(v₋₁)        = log(2)    = 0.693
    v₂  = v₋₁ · v₀        = 2 · 5     = 10
    v₃  = v₁ + v₂         = 0.693 + 10 = 10.693
    y   = v₃              = 10.693
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from ..core.ops import OPS, VARIADIC
from ..core.value import Value, as_float, local_derivatives, topological_order
from ..fast.compiler import checked_inputs
from ..transforms.autodiff import tangents
from .notation import (
    BAR_ABOVE,
    DOT_ABOVE,
    LatexTraceNotation,
    TraceNotation,
    factor_text,
    joined_terms,
    padded,
    param_text,
    term_text,
    text_width,
)

__all__ = ["FORMATS", "TABLES", "EvaluationTrace", "TraceRow", "evaluation_trace", "evaluation_trace_of", "trace_of"]

FORMATS = ("text", "markdown", "latex")
TABLES = ("primal", "tangent", "adjoint")


# ---------------------------------------------------------------------------
# Evaluation traces


class TraceRow(NamedTuple):
    """One line of a trace: ``variable = formula = with numbers = value``."""

    variable: str
    formula: str
    numbers: str  #: the formula with the numbers put in ("" where that says nothing new)
    value: float


def _level_order(root: Value) -> list[Value]:
    """A topological order that puts each node as early as its inputs allow.

    The textbook's order: Baydin's ``v₁ = ln v₋₁, v₂ = v₋₁·v₀, v₃ = sin v₀`` all
    come before ``v₄ = v₁ + v₂``. Ties keep the depth-first order.
    """
    order = topological_order(root)
    depth: dict[Value, int] = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node.parents), default=-1)
    return sorted(order, key=depth.__getitem__)  # sorted() is stable


class EvaluationTrace:
    """The three tables of a graph's evaluation trace: primal, tangent, adjoint.

    Made by :func:`evaluation_trace` or :func:`trace_of`. ``str()`` gives all
    three as text; :meth:`table` one of them; :meth:`markdown` and
    :meth:`latex` all three for handouts and slides. ``primal``, ``tangent``
    and ``adjoint`` are the rows themselves (:class:`TraceRow`), and
    ``index[node]`` is a node's k in ``v_k``.

    Example:
        >>> import math
        >>> x = Value(3.0, label="x"); y = (x * x).tanh(); y.label = "y"
        >>> t = evaluation_trace_of(y)
        >>> [row.variable for row in t.adjoint]
        ['v̄₂', 'v̄₁', 'v̄₀', 'v̄₀', 'x̄']
        >>> t.gradient[x] == 6.0 * (1 - math.tanh(9.0) ** 2)
        True
    """

    def __init__(self, root: Value, inputs: Sequence[Value], direction: Sequence[float],
                 decimals: int = 3) -> None:
        self.root = root
        self.inputs = list(inputs)
        self.direction = [as_float(t, "a direction") for t in direction]
        self.decimals = decimals
        order = _level_order(root)
        self.body = [n for n in order if not n.is_leaf]
        self.index: dict[Value, int] = {x: k - len(self.inputs) + 1 for k, x in enumerate(self.inputs)}
        for k, node in enumerate(self.body, start=1):
            self.index[node] = k
        self.tangents = tangents([root], dict(zip(self.inputs, self.direction)))
        self._adjoint_steps = self._reverse_sweep()
        self.gradient: dict[Value, float] = {x: self._adjoints_after.get(x, 0.0) for x in self.inputs}

    def _reverse_sweep(self) -> list[tuple[Value, Value, int, float, float, bool]]:
        """(node, parent, k, local, new adjoint, first) for every edge to a variable, output first."""
        adjoints: dict[Value, float] = {self.root: 1.0}
        steps = []
        for node in reversed(self.body):
            for k, (parent, d) in enumerate(zip(node.parents, local_derivatives(node))):
                if parent not in self.index:  # a constant: nothing to propagate to
                    continue
                first = parent not in adjoints
                adjoints[parent] = (0.0 if first else adjoints[parent]) + adjoints[node] * d
                steps.append((node, parent, k, d, adjoints[parent], first))
        self._adjoints_after = adjoints
        return steps

    # --- the rows ------------------------------------------------------------
    def _name(self, node: Value, n: TraceNotation, kind: str = "var") -> str:
        if node in self.index:
            return getattr(n, kind)(self.index[node])
        return factor_text(n.number(node.data))  # a constant from a plain number

    def _output_label(self) -> str:
        return self.root.label if self.root.label and self.root.label.isidentifier() else "y"

    def _formula(self, node: Value, n: TraceNotation, names: Callable[[Value], str]) -> str:
        op = node.op_entry
        assert op is not None  # the body holds op nodes only
        base = op.op
        parents = node.parents
        params = {p: param_text(a) for p, a in zip(base.params, op.args)}
        if base.paired:  # dot: a·b + c·d + …, each term as mul writes it
            term = n.template(OPS["mul"].text)
            return " + ".join(term.format(a=names(a), b=names(b)) for a, b in zip(parents[::2], parents[1::2]))
        if base.arity == VARIADIC:
            args = ", ".join(names(p) for p in parents)
            suffix = f"[{params['i']}]" if base.is_vector else ""
            return f"{n.template(base.name).format()}({args}){suffix}"
        return n.template(base.text).format(**dict(zip(base.inputs, map(names, parents))), **params)

    def _local_text(self, node: Value, k: int, n: TraceNotation, names: Callable[[Value], str]) -> str | None:
        """∂node/∂parent_k as the op table writes it, or None where it has no per-input text."""
        op = node.op_entry
        assert op is not None
        base = op.op
        if base.arity == VARIADIC:
            text = base.formula[0]
            if base.paired:  # dot: ∂/∂a_j is a_j's partner
                return n.template(text).format(b_j=names(node.parents[k ^ 1]))
            if "{" in text:  # a Jacobian row (softmax): written as ∂v_i/∂v_j
                return None
            return n.template(text).format()
        values = dict(zip(base.inputs, map(names, node.parents)))
        values.update({p: param_text(a) for p, a in zip(base.params, op.args)})
        values["out"] = names(node)
        return n.template(base.formula[k]).format(**values)

    def _times(self, left: str, local: str | None, partial: str, n: TraceNotation, rule: str | None = None) -> str:
        """``left · local``, written the short way where the rule (``rule``, default ``local``) is ±1."""
        if local is None:
            return f"{left}{n.times}{partial}"
        local = local.strip()
        rule = local if rule is None else rule.strip()
        if rule == "1":
            return left
        if rule.replace(" ", "") in ("−1", "-1"):
            return f"{n.minus}{left}"
        return f"{left}{n.times}{term_text(local)}"

    def rows(self, which: str, n: TraceNotation | None = None) -> list[TraceRow]:
        """The rows of one table: ``"primal"``, ``"tangent"`` or ``"adjoint"``."""
        n = n or TraceNotation(self.decimals)
        if which not in TABLES:
            raise ValueError(f"unknown table {which!r}; the tables are {', '.join(TABLES)}")
        rows = {"primal": self._primal, "tangent": self._tangent, "adjoint": self._adjoint}[which](n)
        # numbers that say nothing the formula does not (2 · 3 with constants only)
        return [r._replace(numbers="") if r.numbers == r.formula else r for r in rows]

    def _input_label(self, x: Value, k: int) -> str:
        return x.label if x.label else f"x{k + 1}"

    def _primal(self, n: TraceNotation) -> list[TraceRow]:
        rows = [TraceRow(n.var(self.index[x]), n.label(self._input_label(x, k)), "", x.data)
                for k, x in enumerate(self.inputs)]
        for node in self.body:
            formula = self._formula(node, n, lambda p: self._name(p, n))
            numbers = self._formula(node, n, lambda p: factor_text(n.number(p.data)))
            rows.append(TraceRow(n.var(self.index[node]), formula, numbers, node.data))
        rows.append(TraceRow(n.label(self._output_label()), self._name(self.root, n), "", self.root.data))
        return rows

    def _tangent(self, n: TraceNotation) -> list[TraceRow]:
        rows = [TraceRow(n.dot(self.index[x]), n.label(self._input_label(x, k), DOT_ABOVE), "", t)
                for k, (x, t) in enumerate(zip(self.inputs, self.direction))]
        for node in self.body:
            symbolic, numeric = [], []
            for k, parent in enumerate(node.parents):
                if parent not in self.index:
                    continue  # a constant's tangent is 0
                partial = n.partial(self._name(node, n), self._name(parent, n))
                local = self._local_text(node, k, n, lambda p: self._name(p, n))
                symbolic.append(self._times(self._name(parent, n, "dot"), local, partial, n))
                local_n = self._local_text(node, k, n, lambda p: factor_text(n.number(p.data)))
                value = factor_text(n.number(self.tangents[parent]))
                if local is None:
                    local_n = n.number(local_derivatives(node)[k])
                numeric.append(self._times(value, local_n, "", n, local))
            rows.append(TraceRow(n.dot(self.index[node]), joined_terms(symbolic, n) or "0", joined_terms(numeric, n),
                                 self.tangents[node]))
        label = self._output_label()
        rows.append(TraceRow(n.label(label, DOT_ABOVE), self._name(self.root, n, "dot"), "", self.tangents[self.root]))
        return rows

    def _adjoint(self, n: TraceNotation) -> list[TraceRow]:
        label = self._output_label()
        rows = [TraceRow(self._name(self.root, n, "bar"), n.label(label, BAR_ABOVE), "", 1.0)]
        adjoint_of: dict[Value, float] = {self.root: 1.0}
        for node, parent, k, d, after, first in self._adjoint_steps:
            partial = n.partial(self._name(node, n), self._name(parent, n))
            local = self._local_text(node, k, n, lambda p: self._name(p, n))
            local_n = self._local_text(node, k, n, lambda p: factor_text(n.number(p.data)))
            if local is None:
                local_n = n.number(d)
            term = self._times(self._name(node, n, "bar"), local, partial, n)
            term_n = self._times(factor_text(n.number(adjoint_of[node])), local_n, "", n, local)
            if not first:
                term = joined_terms([self._name(parent, n, "bar"), term], n)
                term_n = joined_terms([factor_text(n.number(adjoint_of[parent])), term_n], n)
            adjoint_of[parent] = after
            rows.append(TraceRow(self._name(parent, n, "bar"), term, term_n, after))
        for k, x in enumerate(self.inputs):
            rows.append(TraceRow(n.label(self._input_label(x, k), BAR_ABOVE), self._name(x, n, "bar"), "",
                                 self.gradient[x]))
        return rows

    @property
    def primal(self) -> list[TraceRow]:
        """The primal trace's rows: inputs, one line per node, the output."""
        return self.rows("primal")

    @property
    def tangent(self) -> list[TraceRow]:
        """The tangent trace's rows, for ``direction``."""
        return self.rows("tangent")

    @property
    def adjoint(self) -> list[TraceRow]:
        """The adjoint trace's rows: one per edge, output first, then each input's gradient."""
        return self.rows("adjoint")

    # --- output -----------------------------------------------------------------
    def title(self, which: str, n: TraceNotation | None = None) -> str:
        """The heading of one table, as the survey names them."""
        if which == "tangent":
            n = n or TraceNotation(self.decimals)
            given = ", ".join(n.cell(f"{n.label(self._input_label(x, k), DOT_ABOVE)} = {n.number(t)}")
                              for k, (x, t) in enumerate(zip(self.inputs, self.direction)))
            return f"Forward tangent trace ({given})"
        return {"primal": "Forward primal trace", "adjoint": "Reverse adjoint trace"}[which]

    def table(self, which: str = "primal", format: str = "text") -> str:
        """One table as ``"text"``, ``"markdown"`` or ``"latex"`` (a booktabs tabular)."""
        if format not in FORMATS:
            raise ValueError(f"unknown format {format!r}; the formats are {', '.join(FORMATS)}")
        if format == "latex":
            return self._latex_table(which)
        rows = self.rows(which)
        if format == "markdown":
            return self._markdown_table(rows)
        return _text_table(rows, self.decimals)

    def _markdown_table(self, rows: list[TraceRow]) -> str:
        lines = ["| variable | formula | with numbers | value |", "|---|---|---|---:|"]
        n = TraceNotation(self.decimals)
        for r in rows:
            value = n.number(r.value)
            numbers = "" if r.numbers == value else r.numbers
            cells = [_markdown_escape(c) for c in (r.variable, r.formula, numbers, value)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def _latex_table(self, which: str) -> str:
        n = LatexTraceNotation(self.decimals)
        lines = ["\\begin{tabular}{llll}", "\\toprule",
                 f"\\multicolumn{{4}}{{l}}{{{self.title(which, n)}}} \\\\",
                 "\\midrule",
                 "variable & formula & with numbers & value \\\\",
                 "\\midrule"]
        for r in self.rows(which, n):
            value = n.number(r.value)
            numbers = "" if r.numbers == value else r.numbers
            cells = [n.cell(r.variable), n.cell(r.formula), n.cell(numbers), n.cell(value)]
            lines.append(" & ".join(cells) + " \\\\")
        lines += ["\\bottomrule", "\\end{tabular}"]
        return "\n".join(lines)

    def text(self, tables: Sequence[str] = TABLES) -> str:
        """The chosen tables as text, each under its title."""
        return "\n\n".join(f"{self.title(w)}\n{self.table(w)}" for w in tables)

    def markdown(self, tables: Sequence[str] = TABLES) -> str:
        """The chosen tables as Markdown, each under a bold title (notebooks, handouts)."""
        return "\n\n".join(f"**{self.title(w)}**\n\n{self.table(w, 'markdown')}" for w in tables)

    def latex(self, tables: Sequence[str] = TABLES) -> str:
        """The chosen tables as LaTeX booktabs tabulars (``\\usepackage{booktabs}``)."""
        return "\n\n".join(self.table(w, "latex") for w in tables)

    def format(self, format: str = "text", tables: Sequence[str] = TABLES) -> str:
        """The chosen tables in one of :data:`FORMATS`."""
        if format not in FORMATS:
            raise ValueError(f"unknown format {format!r}; the formats are {', '.join(FORMATS)}")
        return {"text": self.text, "markdown": self.markdown, "latex": self.latex}[format](tables)

    def __str__(self) -> str:
        return self.text()

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        return f"<EvaluationTrace: {len(self.inputs)} inputs, {len(self.body)} intermediate lines>"


def _text_table(rows: list[TraceRow], decimals: int) -> str:
    n = TraceNotation(decimals)
    values = [n.number(r.value) for r in rows]
    shown = [r.numbers if r.numbers and r.numbers != v else "" for r, v in zip(rows, values)]
    var_width = max(text_width(r.variable) for r in rows)
    formula_width = max(text_width(r.formula) for r in rows)
    numbers_width = max(map(text_width, shown))
    lines = []
    for r, value, numbers in zip(rows, values, shown):
        line = f"{padded(r.variable, var_width)} = {padded(r.formula, formula_width)}"
        if numbers:
            line += f" = {padded(numbers, numbers_width)}"
        lines.append(f"{line} = {value}")
    return "\n".join(lines)


def _markdown_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("_", "\\_").replace("*", "\\*")


def _direction(inputs: Sequence[Value], direction: Any) -> list[float]:
    if direction is None:  # the survey's choice: the first input's direction, ẋ1 = 1
        return [1.0] + [0.0] * (len(inputs) - 1) if inputs else []
    if isinstance(direction, Mapping):
        by_label = {x.label: x for x in inputs if x.label}
        unknown = [k for k in direction if (by_label.get(k) if isinstance(k, str) else k) not in inputs]
        if unknown:
            raise ValueError(f"direction names {unknown!r}, which are not inputs "
                             f"(the inputs: {', '.join(x.label or '?' for x in inputs)})")
        given = {(by_label[k] if isinstance(k, str) else k): v for k, v in direction.items()}
        return [as_float(given.get(x, 0.0), "a direction") for x in inputs]
    if isinstance(direction, (str, bytes)) or not isinstance(direction, Sequence):
        raise TypeError("direction is a list of numbers, one per input, or a dict {input: number}")
    if len(direction) != len(inputs):
        raise ValueError(f"direction has {len(direction)} numbers for {len(inputs)} inputs")
    return [as_float(t, "a direction") for t in direction]


def evaluation_trace_of(root: Value, inputs: Sequence[Value] | None = None, direction: Any = None,
             decimals: int = 3) -> EvaluationTrace:
    """The evaluation trace of a built graph: primal, tangent and adjoint tables.

    ``inputs`` orders the variables (``v₋ₙ₊₁ … v₀``); by default every leaf
    that is not a plain number, in the order the graph reaches them. Leaves
    left out of ``inputs`` are shown as constants, by their numbers.
    ``direction`` is the tangent's input direction: a list (one number per
    input) or a dict ``{input or label: number}``; by default the first
    input's, ẋ₁ = 1, as in the survey. Numbers show ``decimals`` places.

    Example:
        >>> a = Value(2.0, label="a"); b = Value(3.0, label="b")
        >>> y = a * b + a; y.label = "y"
        >>> print(evaluation_trace_of(y, direction={"b": 1}).table("tangent"))
        v̇₋₁ = ȧ                   = 0
        v̇₀  = ḃ                   = 1
        v̇₁  = v̇₋₁ · v₀ + v̇₀ · v₋₁ = 0 · 3 + 1 · 2 = 2
        v̇₂  = v̇₁ + v̇₋₁            = 2 + 0         = 2
        ẏ   = v̇₂                  = 2
    """
    if not isinstance(root, Value):
        raise TypeError(f"evaluation_trace_of takes the output Value of a graph, got {type(root).__name__}")
    if inputs is None:
        inputs = [n for n in topological_order(root) if n.is_leaf and not n.is_constant]
    else:
        inputs = checked_inputs(root, inputs, "evaluation_trace_of", all_variables=False)
    return EvaluationTrace(root, inputs, _direction(inputs, direction), decimals)


def evaluation_trace(f: Callable[..., Value], *inputs: float, direction: Any = None,
                     decimals: int = 3) -> EvaluationTrace:
    """Run ``f`` on the inputs and give its evaluation trace (see :func:`evaluation_trace_of`).

    The inputs are named after ``f``'s parameters, so ``lambda x1, x2: ...``
    gives the survey's ``x1`` and ``x2``.

    Example:
        >>> t = evaluation_trace(lambda x1, x2: x1.log() + x1 * x2 - x2.exp(), 2.0, 0.5)
        >>> [round(t.gradient[x], 6) for x in t.inputs]   # 1/x1 + x2 and x1 − e^x2
        [1.0, 0.351279]
    """
    try:
        names = [p.name for p in inspect.signature(f).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    if len(names) < len(inputs):
        names += [f"x{k + 1}" for k in range(len(names), len(inputs))]
    leaves = [Value(as_float(x, "evaluation_trace input"), label=name) for x, name in zip(inputs, names)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"evaluation_trace needs a function that returns one Value, got {type(out).__name__}")
    if out.label is None:
        out.label = "y"
    return EvaluationTrace(out, leaves, _direction(leaves, direction), decimals)


#: The name before 0.2, kept for one release: an evaluation trace, not the backward steps.
trace_of = evaluation_trace_of
