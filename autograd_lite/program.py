"""A graph as a straight-line program: evaluation traces and compiled replay.

Textbooks teach automatic differentiation with the *evaluation trace*: one
intermediate variable per line, inputs ``v₋ₙ₊₁ … v₀``, then ``v₁, v₂, …`` up
to the output (Griewank and Walther's notation). :func:`evaluation_trace` and
:func:`trace_of` give its three tables, as Baydin et al. (2018) print them:

* the **primal trace**: each ``vᵢ`` with its formula and its number;
* the **tangent trace** of forward mode, for a chosen input direction:
  ``v̇ᵢ = Σₖ ∂vᵢ/∂vₖ · v̇ₖ``;
* the **adjoint trace** of reverse mode: ``v̄ₖ = v̄ₖ + v̄ᵢ · ∂vᵢ/∂vₖ``, from the
  output back to the inputs.

Every formula is the op table's own text and every number comes from the op
table's rules, exactly as ``backward()`` and :func:`~autograd_lite.jvp` use
them. The tables print as text, Markdown and LaTeX (booktabs).

:func:`compile` turns a recorded graph into Python source, one line per node
for the forward and one line per edge for the backward, written from the op
table's rule text (``Op.rule_source``), and runs it on new input values: no
graph is built, which makes a fixed-structure training step many times faster.

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

import ast
import builtins
import inspect
import keyword
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from . import ops as _ops_module
from .autodiff import tangents
from .ops import OPS, RULE_VOCABULARY, VARIADIC
from .value import Value, as_float, local_derivatives, topological_order

__all__ = ["EvaluationTrace", "Program", "Replay", "StructureChanged", "TraceRow", "compile",
           "evaluation_trace", "trace_of"]

FORMATS = ("text", "markdown", "latex")
TABLES = ("primal", "tangent", "adjoint")


# ---------------------------------------------------------------------------
# Notation: the same tables in Unicode (text, Markdown) and in LaTeX.

_SUBSCRIPTS = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")
_DOT, _BAR = "\u0307", "\u0304"  # combining dot above (v̇) and macron (v̄)
_PLACEHOLDER = re.compile(r"(\{[A-Za-z_]\w*\})")


class _Unicode:
    """Names and numbers as text and Markdown show them: v₋₁, v̇₀, v̄₃, −0.959."""

    times = " · "
    minus = "−"

    def __init__(self, decimals: int) -> None:
        self.decimals = decimals

    def var(self, k: int) -> str:
        return "v" + str(k).translate(_SUBSCRIPTS)

    def dot(self, k: int) -> str:
        return "v" + _DOT + str(k).translate(_SUBSCRIPTS)

    def bar(self, k: int) -> str:
        return "v" + _BAR + str(k).translate(_SUBSCRIPTS)

    def label(self, name: str, mark: str = "") -> str:
        # NFC: ȧ and ẋ are single characters where Unicode has them (v̇ is not)
        return unicodedata.normalize("NFC", name[0] + mark + name[1:]) if mark else name

    def number(self, x: float) -> str:
        return _number(x, self.decimals).replace("-", "−")

    def template(self, text: str) -> str:
        return text

    def partial(self, of: str, by: str) -> str:
        return f"∂{of}/∂{by}"

    def cell(self, text: str) -> str:
        return text


#: functions LaTeX knows by name (\\exp); other words become \\operatorname{...}
_LATEX_FUNCTIONS = frozenset({"exp", "log", "ln", "sin", "cos", "tan", "tanh", "sinh", "cosh", "max", "min"})
_LATEX_SYMBOLS = (("·", "\\cdot"), ("−", "-"), ("σ", "\\sigma"), ("Σ", "\\sum"), ("δ", "\\delta"),
                  ("²", "^{2}"), ("×", "\\times"), ("√", "\\sqrt"), ("½", "\\tfrac{1}{2}"), ("π", "\\pi"),
                  ("Φ", "\\Phi"), ("φ", "\\phi"))


class _Latex(_Unicode):
    """The same in LaTeX math: v_{-1}, \\dot{v}_{0}, \\bar{v}_{3}, -0.959."""

    times = " \\cdot "
    minus = "-"

    def var(self, k: int) -> str:
        return f"v_{{{k}}}"

    def dot(self, k: int) -> str:
        return f"\\dot{{v}}_{{{k}}}"

    def bar(self, k: int) -> str:
        return f"\\bar{{v}}_{{{k}}}"

    def label(self, name: str, mark: str = "") -> str:
        match = re.fullmatch(r"([A-Za-z])_?(\d+)", name)
        if match:
            base, sub = match.group(1), f"_{{{match.group(2)}}}"
        elif len(name) == 1:
            base, sub = name, ""
        else:
            base, sub = "\\mathrm{" + name.replace("_", "\\_") + "}", ""
        if mark == _DOT:
            base = f"\\dot{{{base}}}"
        elif mark == _BAR:
            base = f"\\bar{{{base}}}"
        return base + sub

    def number(self, x: float) -> str:
        return _number(x, self.decimals)

    def partial(self, of: str, by: str) -> str:
        return f"\\partial {of}/\\partial {by}"

    def template(self, text: str) -> str:
        text = re.sub(r"√(\{\w+\})", "\x01\\1\x02", text)  # √{x}: the root over all of x
        parts = _PLACEHOLDER.split(text)
        for k in range(0, len(parts), 2):  # the text between placeholders
            part = re.sub(r"[A-Za-z][A-Za-z_]*", lambda m: self._word(m.group(0)), parts[k])
            for symbol, macro in _LATEX_SYMBOLS:
                part = part.replace(symbol, f" {macro} ")
            parts[k] = part.replace("{", "{{").replace("}", "}}")  # the result is a format string
        text = re.sub(r" {2,}", " ", "".join(parts)).replace("( ", "(").replace(" )", ")")
        return text.replace("\x01", "\\sqrt{{").replace("\x02", "}}")

    def _word(self, word: str) -> str:
        if word in _LATEX_FUNCTIONS:
            return "\\" + word
        if len(word) == 1 or word in ("if", "else"):
            return word if len(word) == 1 else f"\\text{{ {word} }}"
        return "\\operatorname{" + word.replace("_", "\\_") + "}"

    def cell(self, text: str) -> str:
        text = re.sub(r"\^\(([^()]*)\)", r"^{(\1)}", text.strip())  # x^(n - 1): one superscript
        text = re.sub(r"\^([0-9.]+)", r"^{\1}", text)
        text = re.sub(r"(\\[A-Za-z]+) \(", r"\1(", text)  # \sigma (x) as \sigma(x)
        return f"${text}$" if text else ""


def _number(x: float, decimals: int) -> str:
    """A number rounded as the survey's tables round it: 0.693, 10, 11.652."""
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x != 0.0 and (abs(x) >= 1e7 or abs(x) < 10.0 ** -decimals):
        return f"{x:.{max(decimals - 1, 1)}e}"
    text = f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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
        >>> x = Value(3.0, label="x"); y = (x * x).tanh(); y.label = "y"
        >>> t = trace_of(y)
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
    def _name(self, node: Value, n: _Unicode, kind: str = "var") -> str:
        if node in self.index:
            return getattr(n, kind)(self.index[node])
        return _paren_number(n.number(node.data))  # a constant from a plain number

    def _output_label(self) -> str:
        return self.root.label if self.root.label and self.root.label.isidentifier() else "y"

    def _formula(self, node: Value, n: _Unicode, names: Callable[[Value], str]) -> str:
        op = node.op_entry
        assert op is not None  # the body holds op nodes only
        base = op.op
        parents = node.parents
        params = {p: _param(a) for p, a in zip(base.params, op.args)}
        if base.paired:  # dot: a·b + c·d + …, each term as mul writes it
            term = n.template(OPS["mul"].text)
            return " + ".join(term.format(a=names(a), b=names(b)) for a, b in zip(parents[::2], parents[1::2]))
        if base.arity == VARIADIC:
            args = ", ".join(names(p) for p in parents)
            suffix = f"[{params['i']}]" if base.is_vector else ""
            return f"{n.template(base.name).format()}({args}){suffix}"
        return n.template(base.text).format(**dict(zip(base.inputs, map(names, parents))), **params)

    def _local_text(self, node: Value, k: int, n: _Unicode, names: Callable[[Value], str]) -> str | None:
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
        values.update({p: _param(a) for p, a in zip(base.params, op.args)})
        values["out"] = names(node)
        return n.template(base.formula[k]).format(**values)

    def _times(self, left: str, local: str | None, partial: str, n: _Unicode, rule: str | None = None) -> str:
        """``left · local``, written the short way where the rule (``rule``, default ``local``) is ±1."""
        if local is None:
            return f"{left}{n.times}{partial}"
        local = local.strip()
        rule = local if rule is None else rule.strip()
        if rule == "1":
            return left
        if rule.replace(" ", "") in ("−1", "-1"):
            return f"{n.minus}{left}"
        return f"{left}{n.times}{_paren(local)}"

    def rows(self, which: str, n: _Unicode | None = None) -> list[TraceRow]:
        """The rows of one table: ``"primal"``, ``"tangent"`` or ``"adjoint"``."""
        n = n or _Unicode(self.decimals)
        if which not in TABLES:
            raise ValueError(f"unknown table {which!r}; the tables are {', '.join(TABLES)}")
        rows = {"primal": self._primal, "tangent": self._tangent, "adjoint": self._adjoint}[which](n)
        # numbers that say nothing the formula does not (2 · 3 with constants only)
        return [r._replace(numbers="") if r.numbers == r.formula else r for r in rows]

    def _input_label(self, x: Value, k: int) -> str:
        return x.label if x.label else f"x{k + 1}"

    def _primal(self, n: _Unicode) -> list[TraceRow]:
        rows = [TraceRow(n.var(self.index[x]), n.label(self._input_label(x, k)), "", x.data)
                for k, x in enumerate(self.inputs)]
        for node in self.body:
            formula = self._formula(node, n, lambda p: self._name(p, n))
            numbers = self._formula(node, n, lambda p: _paren_number(n.number(p.data)))
            rows.append(TraceRow(n.var(self.index[node]), formula, numbers, node.data))
        rows.append(TraceRow(n.label(self._output_label()), self._name(self.root, n), "", self.root.data))
        return rows

    def _tangent(self, n: _Unicode) -> list[TraceRow]:
        rows = [TraceRow(n.dot(self.index[x]), n.label(self._input_label(x, k), _DOT), "", t)
                for k, (x, t) in enumerate(zip(self.inputs, self.direction))]
        for node in self.body:
            symbolic, numeric = [], []
            for k, parent in enumerate(node.parents):
                if parent not in self.index:
                    continue  # a constant's tangent is 0
                partial = n.partial(self._name(node, n), self._name(parent, n))
                local = self._local_text(node, k, n, lambda p: self._name(p, n))
                symbolic.append(self._times(self._name(parent, n, "dot"), local, partial, n))
                local_n = self._local_text(node, k, n, lambda p: _paren_number(n.number(p.data)))
                value = _paren_number(n.number(self.tangents[parent]))
                if local is None:
                    local_n = n.number(local_derivatives(node)[k])
                numeric.append(self._times(value, local_n, "", n, local))
            rows.append(TraceRow(n.dot(self.index[node]), _join(symbolic, n) or "0", _join(numeric, n),
                                 self.tangents[node]))
        label = self._output_label()
        rows.append(TraceRow(n.label(label, _DOT), self._name(self.root, n, "dot"), "", self.tangents[self.root]))
        return rows

    def _adjoint(self, n: _Unicode) -> list[TraceRow]:
        label = self._output_label()
        rows = [TraceRow(self._name(self.root, n, "bar"), n.label(label, _BAR), "", 1.0)]
        adjoint_of: dict[Value, float] = {self.root: 1.0}
        for node, parent, k, d, after, first in self._adjoint_steps:
            partial = n.partial(self._name(node, n), self._name(parent, n))
            local = self._local_text(node, k, n, lambda p: self._name(p, n))
            local_n = self._local_text(node, k, n, lambda p: _paren_number(n.number(p.data)))
            if local is None:
                local_n = n.number(d)
            term = self._times(self._name(node, n, "bar"), local, partial, n)
            term_n = self._times(_paren_number(n.number(adjoint_of[node])), local_n, "", n, local)
            if not first:
                term = _join([self._name(parent, n, "bar"), term], n)
                term_n = _join([_paren_number(n.number(adjoint_of[parent])), term_n], n)
            adjoint_of[parent] = after
            rows.append(TraceRow(self._name(parent, n, "bar"), term, term_n, after))
        for k, x in enumerate(self.inputs):
            rows.append(TraceRow(n.label(self._input_label(x, k), _BAR), self._name(x, n, "bar"), "",
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
    def title(self, which: str, n: _Unicode | None = None) -> str:
        """The heading of one table, as the survey names them."""
        if which == "tangent":
            n = n or _Unicode(self.decimals)
            given = ", ".join(n.cell(f"{n.label(self._input_label(x, k), _DOT)} = {n.number(t)}")
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
        n = _Unicode(self.decimals)
        for r in rows:
            value = n.number(r.value)
            numbers = "" if r.numbers == value else r.numbers
            cells = [_markdown_escape(c) for c in (r.variable, r.formula, numbers, value)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def _latex_table(self, which: str) -> str:
        n = _Latex(self.decimals)
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


def _param(x: Any) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() and abs(x) < 1e15 else str(x)


def _paren(text: str) -> str:
    """``text`` in parentheses unless it is one term: no space outside brackets, no leading sign."""
    depth = 0
    for c in text:
        depth += c in "({"
        depth -= c in ")}"
        if c == " " and depth == 0:
            return f"({text})"
    return f"({text})" if text.startswith(("−", "-")) else text


def _paren_number(text: str) -> str:
    """A number as a factor: negative ones in parentheses, (−1) · 3."""
    return f"({text})" if text.startswith(("−", "-")) else text


def _join(terms: list[str], n: _Unicode) -> str:
    text = " + ".join(terms)
    return text.replace(f" + {n.minus}", f" {n.minus} ").replace(" + -", " - ")


def _width(text: str) -> int:
    """Columns on screen: combining marks (the dot of v̇, the bar of v̄) take none."""
    return sum(1 for c in text if not unicodedata.combining(c))


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _text_table(rows: list[TraceRow], decimals: int) -> str:
    n = _Unicode(decimals)
    values = [n.number(r.value) for r in rows]
    shown = [r.numbers if r.numbers and r.numbers != v else "" for r, v in zip(rows, values)]
    var_width = max(_width(r.variable) for r in rows)
    formula_width = max(_width(r.formula) for r in rows)
    numbers_width = max(map(_width, shown))
    lines = []
    for r, value, numbers in zip(rows, values, shown):
        line = f"{_pad(r.variable, var_width)} = {_pad(r.formula, formula_width)}"
        if numbers:
            line += f" = {_pad(numbers, numbers_width)}"
        lines.append(f"{line} = {value}")
    return "\n".join(lines)


def _markdown_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("_", "\\_").replace("*", "\\*")


def _describe(nodes: Sequence[Value]) -> str:
    return ", ".join(repr(n.label) if n.label else f"a Value of {n.data!r}" for n in nodes[:5]) + (
        f" and {len(nodes) - 5} more" if len(nodes) > 5 else "")


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


def trace_of(root: Value, inputs: Sequence[Value] | None = None, direction: Any = None,
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
        >>> print(trace_of(y, direction={"b": 1}).table("tangent"))
        v̇₋₁ = ȧ                   = 0
        v̇₀  = ḃ                   = 1
        v̇₁  = v̇₋₁ · v₀ + v̇₀ · v₋₁ = 0 · 3 + 1 · 2 = 2
        v̇₂  = v̇₁ + v̇₋₁            = 2 + 0         = 2
        ẏ   = v̇₂                  = 2
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace_of takes the output Value of a graph, got {type(root).__name__}")
    if inputs is None:
        inputs = [n for n in topological_order(root) if n.is_leaf and not n.is_constant]
    else:
        inputs = _checked_inputs(root, inputs, "trace_of", all_variables=False)
    return EvaluationTrace(root, inputs, _direction(inputs, direction), decimals)


def evaluation_trace(f: Callable[..., Value], *inputs: float, direction: Any = None,
                     decimals: int = 3) -> EvaluationTrace:
    """Run ``f`` on the inputs and give its evaluation trace (see :func:`trace_of`).

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


def _checked_inputs(root: Value, inputs: Sequence[Value], what: str, all_variables: bool = True,
                    order: list[Value] | None = None) -> list[Value]:
    if isinstance(inputs, Value) or not isinstance(inputs, Sequence):
        raise TypeError(f"{what}: inputs is a list of the graph's leaf Values")
    inputs = list(inputs)
    graph = set(topological_order(root) if order is None else order)
    for x in inputs:
        if not isinstance(x, Value):
            raise TypeError(f"{what}: inputs must be Values, got {type(x).__name__}")
        if not x.is_leaf:
            raise ValueError(f"{what}: an input must be a leaf, but {_describe([x])} was computed "
                             f"by {x.op}")
        if x not in graph:
            raise ValueError(f"{what}: the input {_describe([x])} is not in the graph of the output")
    if len(set(inputs)) != len(inputs):
        raise ValueError(f"{what}: an input is listed twice")
    given = set(inputs)
    missing = [n for n in graph if n.is_leaf and not n.is_constant and n not in given]
    if missing and all_variables:
        raise ValueError(f"{what}: the graph has variables that are not among the inputs: "
                         f"{_describe(missing)}; list them too (a plain number stays a constant)")
    return inputs


# ---------------------------------------------------------------------------
# compile: a recorded graph as straight-line Python source


class StructureChanged(ValueError):
    """A graph built on new inputs differs from the compiled one: replay would be wrong."""


class Replay(NamedTuple):
    """What a :class:`Program` call returns."""

    value: float  #: the output's value
    gradients: tuple[float, ...]  #: ∂output/∂input for each input in ``wrt``, in order
    outputs: tuple[float, ...]  #: the values of the nodes given as ``outputs`` to compile


_INFIX = {"add": "+", "sub": "-", "mul": "*"}  # Python's own operators: the same float arithmetic
_NAMESPACE_BASE: dict[str, Any] = {**vars(_ops_module), "inf": math.inf, "nan": math.nan}
_RESERVED = (set(_NAMESPACE_BASE) | set(keyword.kwlist) | set(dir(builtins)) | {"program"}
             | set(OPS) | {f"{name}_rule" for name in OPS})


class _Names:
    """Python names for nodes: labels where there are labels, else v1, v2, …; all distinct."""

    def __init__(self, reserved: set[str]) -> None:
        self.taken = set(reserved)
        self.count = 0

    def new(self, wanted: str | None, fallback: str) -> str:
        if wanted:
            name = re.sub(r"\W", "_", wanted)
            if not name or name[0].isdigit():
                name = "_" + name
        else:
            self.count += 1
            name = f"{fallback}{self.count}"
        base, k = name, 1
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name


def _rule_template(op: Any, k: int) -> tuple[str, str]:
    """The op table's rule text for input k as a format string in out, in0, in1, param0, …

    With its kind: "one" (the rule is 1.0), "minus" (−1.0), "simple" (one name or
    call: no parentheses needed around it) or "compound". Cached per op.
    """
    cache = _TEMPLATES.setdefault(op, {})
    if k not in cache:
        source = op.rule_source
        expr = source[0] if op.arity == VARIADIC else source[k]
        tree = ast.parse(expr, mode="eval")
        names = {"out": "out", "a_j": "in0", "b_j": "in1"}  # b_j: a paired op's partner input (dot)
        names.update({name: f"in{j}" for j, name in enumerate(op.inputs)})
        names.update({name: f"param{j}" for j, name in enumerate(op.params)})
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in names:
                node.id = f"__{names[node.id]}__"
        text = ast.unparse(tree).replace("{", "{{").replace("}", "}}")
        text = re.sub(r"__(out|in\d+|param\d+)__", r"{\1}", text)
        body = tree.body
        if isinstance(body, ast.Constant) and body.value == 1.0:
            kind = "one"
        elif isinstance(body, ast.Constant) and body.value == -1.0 or (
                isinstance(body, ast.UnaryOp) and isinstance(body.op, ast.USub)
                and isinstance(body.operand, ast.Constant) and body.operand.value == 1.0):
            kind = "minus"
        elif isinstance(body, (ast.Name, ast.Call, ast.Constant, ast.Subscript)):
            kind = "simple"
        else:
            kind = "compound"
        cache[k] = (text, kind)
    return cache[k]


_TEMPLATES: dict[Any, dict[int, tuple[str, str]]] = {}


class Program:
    """A recorded graph as straight-line Python: ``program(*inputs)`` gives value and gradients.

    Made by :func:`compile`. ``source`` is the generated function: the forward,
    one line per node, then the backward, one line per edge, each the op
    table's rule text with the node's names put in, in the order ``backward()``
    applies them (so the gradients are the same floats). ``inputs`` are the
    input names in argument order, ``wrt`` those whose gradients are returned.
    Calling it returns a :class:`Replay` ``(value, gradients, outputs)``.

    What replay assumes, and what it checks: the program is the graph that was
    recorded, so it is right on new inputs only if the same code would build
    the same graph there. It cannot see Python branches on values (``if x >
    0``), nor numbers taken out of Values (``x.data``, ``float(x)``) that went
    back in as constants: those are baked in as they were. Ops whose derivative
    has a kink (relu, abs) are fine: their rules are evaluated afresh. Domain
    errors (log of a negative) are raised as the op table raises them.
    :meth:`check` compares a graph built on new inputs line by line and raises
    :class:`StructureChanged` where it differs: use it when in doubt.
    """

    def __init__(self, source: str, function: Callable[..., Any], inputs: list[str], wrt: list[str],
                 forward: list[str], n_backward: int) -> None:
        self.source = source
        self.function = function
        self.inputs = inputs
        self.wrt = wrt
        self._forward = forward
        self.n_forward = len(forward)
        self.n_backward = n_backward

    def __call__(self, *values: Any) -> Replay:
        if len(values) != len(self.inputs):
            names = ", ".join(self.inputs[:8]) + (", …" if len(self.inputs) > 8 else "")
            raise TypeError(f"this program takes {len(self.inputs)} inputs ({names}), got {len(values)}")
        for v in values:
            if v.__class__ is not float:
                values = tuple(as_float(x, f"program input {name}") for x, name in zip(values, self.inputs))
                break
        return Replay(*self.function(*values))

    def check(self, root: Value, inputs: Sequence[Value] | None = None) -> None:
        """Raise :class:`StructureChanged` unless ``root``'s graph gives this program, line for line.

        Build the graph again on new inputs (with the same code) and pass its
        output, and its inputs in the order given to :func:`compile` if they
        were given there. Constants are compared too: a number taken out of a
        Value (``x.data``) shows up here as a changed constant.

        Example:
            >>> x = Value(2.0, label="x")
            >>> program = compile(x * x if x.data > 0 else -x)
            >>> x2 = Value(-1.0, label="x")
            >>> program.check(x2 * x2 if x2.data > 0 else -x2)
            Traceback (most recent call last):
            ...
            autograd_lite.program.StructureChanged: line 1 of the forward is `v1 = x * x`, but the graph built on the new inputs gives `v1 = -x`: the graph's structure depends on the data, and replay would be wrong there
        """
        if not isinstance(root, Value):
            raise TypeError(f"check takes the output Value of a newly built graph, got {type(root).__name__}")
        order = topological_order(root)
        if inputs is None:
            inputs = [n for n in order if n.is_leaf and not n.is_constant]
        else:
            inputs = _checked_inputs(root, inputs, "check", order=order)
        _, name, _, forward, _ = _forward(order, inputs)
        if [name[x] for x in inputs] != self.inputs:
            raise StructureChanged(f"the new graph's inputs are ({', '.join(name[x] for x in inputs)}), "
                                   f"the program's ({', '.join(self.inputs)})")
        for k, (old, new) in enumerate(zip(self._forward, forward), start=1):
            if old != new:
                raise StructureChanged(
                    f"line {k} of the forward is `{_plain(old)}`, but the graph built on the new inputs "
                    f"gives `{_plain(new)}`: the graph's structure depends on the data, and replay would "
                    "be wrong there")
        if len(forward) != len(self._forward):
            raise StructureChanged(f"the new graph has {len(forward)} nodes and the program {len(self._forward)}: "
                                   "the graph's structure depends on the data, and replay would be wrong there")

    def __repr__(self) -> str:
        return (f"<Program: {len(self.inputs)} inputs, {self.n_forward} forward lines, "
                f"{self.n_backward} backward lines>")


def compile(root: Value, inputs: Sequence[Value] | None = None, *, wrt: Sequence[Value] | None = None,
            outputs: Sequence[Value] = ()) -> Program:
    """A recorded graph as a :class:`Program`: readable Python source, replayable on new inputs.

    ``inputs`` are the leaves the program takes, in argument order; by
    default every leaf made with ``Value(...)``, in the order the graph
    reaches them. Every such leaf must be an input: a number that came from
    data must reach the graph as a Value. Plain numbers in operators
    (``x * 2``) are the program's constants. ``wrt`` (default: all inputs)
    are those whose gradients the program returns; ``outputs`` are further
    nodes whose values it returns (a model's scores, say). Gradients are
    computed only where some ``wrt`` input lies upstream.

    Ops whose rule is text (``Op.rule_source``) are written out in the
    source, so the op table stays the one place a rule is written; ops whose
    rule is a function (softmax's Jacobian rows) are called through the table:
    ``d = softmax_rule(out, (a, b, c), i)`` and one line per input.

    Example:
        >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
        >>> y = (x * w).tanh(); y.label = "y"
        >>> program = compile(y)
        >>> print(program.source)
        def program(x, w):
            # forward: one line per node
            v1 = x * w
            y = tanh(v1)
            # backward: the chain rule, from the output back (the op table's rules)
            grad_y = 1.0
            grad_v1 = grad_y * (1.0 - y * y)
            grad_x = grad_v1 * w
            grad_w = grad_v1 * x
            return y, (grad_x, grad_w), ()
        >>> value, (gx, gw), _ = program(1.0, 0.5)   # new inputs, no graph built
        >>> value == math.tanh(0.5)
        True
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile takes the output Value of a recorded graph, got {type(root).__name__}")
    order = topological_order(root)
    if inputs is None:
        inputs = [n for n in order if n.is_leaf and not n.is_constant]
    else:
        inputs = _checked_inputs(root, inputs, "compile", order=order)
    input_set = set(inputs)
    if wrt is None:
        wrt = list(inputs)
    else:
        wrt = list(wrt)
        strangers = [x for x in wrt if x not in input_set]
        if strangers:
            raise ValueError(f"compile: wrt must be among the inputs; {_describe(strangers)} is not")
    in_graph = set(order)
    extra = list(outputs)
    for o in extra:
        if not isinstance(o, Value) or o not in in_graph:
            raise ValueError("compile: every one of outputs must be a node of the output's graph")

    body, name, names, forward, namespace = _forward(order, inputs)
    def ref(node: Value) -> str:
        return name[node] if node in name else _literal(node.data)

    # gradients only where a wrt input is upstream
    needs: set[Value] = set(wrt)
    for node in body:
        if any(p in needs for p in node.parents):
            needs.add(node)
    # A node whose one consumer passes its gradient on unchanged (a term of + or Σ)
    # shares that gradient's name: no line "grad_t = grad_s" to read or to run.
    consumers: dict[Value, int] = {}
    for node in body:
        if node in needs:
            for p in node.parents:
                consumers[p] = consumers.get(p, 0) + 1
    grad_name: dict[Value, str] = {}

    def gradient_of(n: Value) -> str:
        if n not in grad_name:
            token = _TOKEN.fullmatch(name[n])
            grad_name[n] = f"\x01g{token.group(2)}\x02" if token else names.new(f"grad_{name[n]}", "grad")
        return grad_name[n]

    backward = []
    if root in needs:
        backward.append(f"    {gradient_of(root)} = 1.0")
    assigned = {root}
    for node in reversed(body):
        if node not in needs:
            continue
        op = node.op_entry
        assert op is not None
        base = op.op
        g = grad_name[node]
        parents = node.parents
        params = [_literal(a) if isinstance(a, float) else repr(a) for a in op.args]
        variadic = base.arity == VARIADIC
        rule_call = None
        for k, parent in enumerate(parents):
            if parent not in needs:
                continue
            if base.rule_source is not None:
                template, kind = _rule_template(base, k)
                if kind == "one" and consumers[parent] == 1 and not parent.is_leaf:
                    grad_name[parent] = g
                    assigned.add(parent)
                    continue
                if kind == "one":
                    term = g
                elif kind == "minus":
                    term = f"-{g}"
                else:
                    fill = {"out": name[node]}
                    operands = parents if not variadic else (parent, parents[k ^ 1]) if base.paired else (parent,)
                    for j, q in enumerate(operands):
                        fill[f"in{j}"] = ref(q) if q in name else _literal(q.data)
                    for j, text in enumerate(params):
                        fill[f"param{j}"] = text
                    expr = template.format(**fill)
                    term = f"{g} * {expr}" if kind == "simple" else f"{g} * ({expr})"
            else:
                if rule_call is None:
                    rule_name = f"{base.name}_rule"
                    namespace[rule_name] = base.rule
                    token = _TOKEN.fullmatch(name[node])
                    rule_call = f"\x01d{token.group(2)}\x02" if token else names.new(f"d_{name[node]}", "d")
                    args = ", ".join(ref(p) for p in parents)
                    extra_args = "".join(f", {p}" for p in params)
                    backward.append(f"    {rule_call} = {rule_name}({name[node]}, ({args},){extra_args})")
                term = f"{g} * {rule_call}[{k}]"
            if parent in assigned:
                backward.append(f"    {grad_name[parent]} += {term}")
            else:
                backward.append(f"    {gradient_of(parent)} = {term}")
                assigned.add(parent)
    results = ", ".join(grad_name[x] if x in assigned else "0.0" for x in wrt)
    watched = ", ".join(ref(o) for o in extra)
    ret = (f"    return {ref(root)}, ({results}{',' if len(wrt) == 1 else ''}), "
           f"({watched}{',' if len(extra) == 1 else ''})")
    scratch = len(body) > SCRATCH_NAMES_ABOVE
    named = _name_tokens([*forward, *backward, ret], names, scratch)
    header = [("# t1, t2, … and g1, g2, … are scratch names, each reused once the value it held is "
              "no longer needed")] if scratch else []
    lines = [*header, f"def program({', '.join(name[x] for x in inputs)}):",
             "    # forward: one line per node", *named[:len(forward)],
             "    # backward: the chain rule, from the output back (the op table's rules)",
             *named[len(forward):]]
    source = "\n".join(lines)
    code = builtins.compile(source, "<autograd_lite program>", "exec")
    exec(code, namespace)  # noqa: S102 - our own generated source: names we made, rules from our table
    function = namespace["program"]
    return Program(source, function, [name[x] for x in inputs], [name[x] for x in wrt], forward,
                   len(backward))


def _forward(order: list[Value], inputs: Sequence[Value]
             ) -> tuple[list[Value], dict[Value, str], _Names, list[str], dict[str, Any]]:
    """Names for every input and node, and the forward lines: one per node."""
    body = [n for n in order if not n.is_leaf]
    op_names = {n.op_entry.op.name for n in body}  # type: ignore[union-attr]
    names = _Names(_RESERVED | op_names | {f"{n}_rule" for n in op_names})
    name: dict[Value, str] = {}
    for x in inputs:
        name[x] = names.new(x.label, "x")
    namespace = dict(_NAMESPACE_BASE)
    forward: list[str] = []
    count = 0
    for node in body:
        if node.label:
            name[node] = names.new(node.label, "v")
        else:  # a token, named at the end: v1, v2, … or, in a big program, a reused scratch name
            count += 1
            name[node] = f"\x01v{count}\x02"
        forward.append(f"    {name[node]} = {_forward_expression(node, name, namespace)}")
    return body, name, names, forward, namespace


#: programs with more nodes than this reuse scratch names for dead values (see _name_tokens)
SCRATCH_NAMES_ABOVE = 1000
_TOKEN = re.compile("\x01([vgd])(\\d+)\x02")
_ANY_TOKEN = re.compile("\x01[vgd]\\d+\x02")
_DEFINES = re.compile("    (\x01[vgd]\\d+\x02) = ")
_STABLE = {"v": "v{}", "g": "grad_v{}", "d": "d_v{}"}


def _plain(line: str) -> str:
    """A forward line with its tokens written v1, v2, … (for messages)."""
    return _TOKEN.sub(lambda m: _STABLE[m.group(1)].format(m.group(2)), line).strip()


def _name_tokens(lines: list[str], names: _Names, scratch: bool) -> list[str]:
    """Give the unlabelled nodes' values (v), gradients (g) and rule rows (d) their names.

    A small program names every node for good: ``v3`` and its gradient ``grad_v3``.
    A big one reuses a few scratch names, ``t1 … tk`` and ``g1 … gk``, each
    taken again once the value it held has had its last use: a Python function
    with 100,000 local variables runs several times slower than one with a few
    thousand (its frame no longer fits in the processor's caches), and compiles
    slower too. Every node still has its own line.
    """
    if not scratch:
        stable: dict[str, str] = {}

        def fixed(m: re.Match[str]) -> str:
            key = m.group(0)
            if key not in stable:
                stable[key] = names.new(_STABLE[m.group(1)].format(m.group(2)), "v")
            return stable[key]

        return [_TOKEN.sub(fixed, line) for line in lines]
    find = _ANY_TOKEN.findall
    last: dict[str, int] = {}
    for i, line in enumerate(lines):
        for key in find(line):
            last[key] = i
    pools: dict[str, list[str]] = {"v": [], "g": [], "d": []}
    made = {"v": 0, "g": 0, "d": 0}
    prefix = {"v": "t", "g": "g", "d": "d"}
    current: dict[str, str] = {}
    out = []
    for i, line in enumerate(lines):
        keys = set(find(line))  # a set: a * a frees a once
        target = _DEFINES.match(line)
        new = target.group(1) if target and target.group(1) not in current else None
        for key in keys:
            if key != new and last[key] == i:  # its last use: free the name
                pools[key[1]].append(current[key])
        if new is not None:
            kind = new[1]
            if pools[kind]:
                current[new] = pools[kind].pop()
            else:
                made[kind] += 1
                current[new] = names.new(f"{prefix[kind]}{made[kind]}", prefix[kind])
            if last[new] == i:  # never used again: free at once
                pools[kind].append(current[new])
        for key in keys:
            line = line.replace(key, current[key])
        out.append(line)
    return out


def _literal(x: Any) -> str:
    if isinstance(x, int):
        return repr(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "(-inf)"
    text = repr(x)
    return f"({text})" if x < 0 or text.startswith("-") else text


def _forward_expression(node: Value, name: dict[Value, str], namespace: dict[str, Any]) -> str:
    op = node.op_entry
    assert op is not None
    base = op.op

    def ref(p: Value) -> str:
        return name[p] if p in name else _literal(p.data)

    parents = node.parents
    if base.dunder in _INFIX and base.arity == 2:
        return f"{ref(parents[0])} {_INFIX[base.dunder]} {ref(parents[1])}"
    if base.name == "neg":
        return f"-{ref(parents[0])}"
    known = namespace.get(base.name)
    # The rules' vocabulary (exp, sigmoid, …) agrees with the ops' forwards on floats
    # (tests pin it), so a forward may take its name; any other clash is an error.
    if known is not None and known is not base.forward and base.name not in RULE_VOCABULARY:
        raise ValueError(f"compile: two different ops are called {base.name!r}")
    namespace[base.name] = base.forward
    params = "".join(f", {_literal(a) if isinstance(a, float) else repr(a)}" for a in op.args)
    if base.arity == VARIADIC:
        args = ", ".join(ref(p) for p in parents)
        if base.is_vector:
            *rest, i = op.args
            rest_params = "".join(f", {_literal(a)}" for a in rest)
            return f"{base.name}(({args},){rest_params})[{i}]"
        return f"{base.name}(({args},){params})"
    return f"{base.name}({', '.join(ref(p) for p in parents)}{params})"
