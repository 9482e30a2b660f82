"""Pictures of a computation graph, drawn with Graphviz.

:func:`draw_dot` turns the graph behind a Value into a :class:`Graph` (a
``graphviz.Digraph``): one record per Value showing ``label | data | grad``, a
small node per op, edges in operand order (``a * a`` draws two), colours for
inputs, parameters, constants and the output, and a legend. In Jupyter it
shows inline; ``.render("name", format="png")`` writes a file; ``.source`` is
the DOT text, which needs no Graphviz program at all.

Building the picture needs only the ``graphviz`` Python package. Rendering it
needs Graphviz's ``dot`` program; without it, rendering raises
:class:`GraphvizNotFound`, which says how to install it, and Jupyter shows a
text summary instead of a traceback.

Example:
    >>> from autograd_lite import Value, draw_dot
    >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
    >>> y = x * w; y.label = "y"
    >>> y.backward()
    >>> picture = draw_dot(y, parameters=[w])
    >>> "{ x | data 2 | grad -3 }" in picture.source
    True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import graphviz

from .value import Value, local_derivatives, topological_order

__all__ = ["GRAPHVIZ_HELP", "Graph", "GraphvizNotFound", "chain_rule_text", "draw_dot", "format_number",
           "node_names", "symbol"]

#: how to get the ``dot`` program, for error messages
GRAPHVIZ_HELP = (
    "Pictures need the Graphviz program 'dot', which was not found on PATH. "
    "Install it with 'apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' "
    "(macOS) or 'conda install -c conda-forge graphviz', or see https://graphviz.org/download/. "
    "Without it, the graph and its DOT text (.source) still work."
)

#: pictures of more nodes than this are refused unless ``max_nodes`` says otherwise
MAX_NODES = 5000

# fill colours per kind of node; the legend shows the same
_KINDS = {
    "input": ("#dbeafe", "input"),
    "parameter": ("#fde68a", "parameter"),
    "constant": ("#e5e7eb", "constant"),
    "intermediate": ("#ffffff", "intermediate"),
    "output": ("#bbf7d0", "output"),
}
_OP_FILL = "#f3f4f6"
_ACTIVE = "#dc2626"  # the node and edges of the current step in a frame
_FONT = "Helvetica"


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` program and it is not installed.

    The message says how to install it. Subclasses graphviz's own
    ``ExecutableNotFound`` (a RuntimeError), so existing handlers still catch it.
    """

    def __init__(self, message: str = GRAPHVIZ_HELP) -> None:
        RuntimeError.__init__(self, message)


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering errors say how to get Graphviz.

    In Jupyter it displays as SVG, or, without the ``dot`` program, as text.
    """

    #: one line per node, shown where the picture cannot be
    text_summary: str = ""

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound() from None

    def render(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound() from None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFound as error:
            return {"text/plain": f"{error}\n\n{self.text_summary}".rstrip()}


def format_number(x: Any) -> str:
    """A number as pictures and traces show it: short, exact when it is an integer.

    Example:
        >>> [format_number(v) for v in (2.0, -3.0, 0.70710678, 6.881373587, 1.5e-7, float("nan"))]
        ['2', '-3', '0.7071', '6.881', '1.5e-07', 'nan']
    """
    if isinstance(x, Value):  # a gradient from backward(create_graph=True)
        x = x.data
    if isinstance(x, int) and abs(x) >= 2**1023:  # an exponent beyond the floats (10**400)
        return f"{Decimal(x).normalize():.4g}"
    x = float(x)
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def node_names(order: Iterable[Value]) -> dict[Value, str]:
    """A name for every node: its label, a constant's number, else ``t1, t2, …``.

    Unlabelled leaves are ``v1, v2, …``, in topological order.

    Example:
        >>> a = Value(1.0, label="a"); y = (a + 2) * a
        >>> list(node_names(topological_order(y)).values())
        ['a', '2', 't1', 't2']
    """
    names: dict[Value, str] = {}
    counts = {"t": 0, "v": 0}
    for node in order:
        if node.label:
            names[node] = node.label
        elif node.is_constant:
            names[node] = format_number(node.data)
        else:
            prefix = "v" if node.is_leaf else "t"
            counts[prefix] += 1
            names[node] = f"{prefix}{counts[prefix]}"
    return names


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    format: str = "svg",
    *,
    parameters: Iterable[Value] = (),
    edge_derivatives: bool = False,
    grad_sums: bool = False,
    legend: bool = True,
    max_nodes: int | None = MAX_NODES,
) -> Graph:
    """The graph behind ``root`` as a Graphviz picture.

    Args:
        root: the output; drawn green, and its graph is what is drawn.
        rankdir: ``"LR"`` (left to right, the default), ``"TB"``, ``"RL"`` or ``"BT"``.
        format: the file format ``.render()`` writes (svg, png, pdf, ...).
        parameters: leaves to draw as parameters (e.g. ``model.parameters()``);
            other leaves made with ``Value(...)`` are inputs, and numbers
            written into an expression (the 2 in ``x * 2``) are constants.
        edge_derivatives: label each edge into an op with its local
            derivative ∂out/∂in and the number backward multiplies by.
        grad_sums: under each gradient, write it as the sum over the nodes
            that consume it, ∂L/∂a = Σ ∂L/∂t·∂t/∂a, with the numbers.
        legend: draw the legend of node kinds.
        max_nodes: refuse graphs with more nodes than this (``None``: no
            limit). Building the picture is quick at any size; Graphviz's
            layout is what grows: measured here, 1,000 nodes take about 1 s,
            2,000 about 5 s and 3,000 about 20 s, so beyond the default 5,000
            it takes minutes and the picture is unreadable anyway.

    Before ``backward()`` the grads show as ``grad —``.

    Example:
        >>> a = Value(3.0, label="a"); y = a * a; y.label = "y"
        >>> picture = draw_dot(y)
        >>> picture.source.count("n0 -> n1_op")  # a*a: two edges into the op
        2
        >>> "grad —" in picture.source
        True
    """
    order = _checked_order(root, max_nodes)
    grads = _pass_grads(root, order)
    return _draw(order, node_names(order), rankdir=rankdir, format=format,
                 parameters=parameters, grads=grads, edge_derivatives=edge_derivatives,
                 grad_sums=grad_sums, legend=legend)


def _checked_order(root: Value, max_nodes: int | None) -> list[Value]:
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot takes a Value, got {type(root).__name__}")
    order = topological_order(root)
    if max_nodes is not None and len(order) > max_nodes:
        raise ValueError(
            f"the graph has {len(order):,} nodes, more than max_nodes={max_nodes:,}: a picture "
            "that big takes Graphviz minutes and cannot be read; draw a smaller expression, "
            "or pass max_nodes=None to draw it anyway"
        )
    return order


def _pass_grads(root: Value, order: list[Value]) -> dict[Value, Any] | None:
    # Before backward every grad is 0.0 and showing "grad 0" would be a lie;
    # the output's own grad is nonzero once a pass has run from it.
    if not root.is_leaf and _number(root.grad) == 0.0 and all(_number(n.grad) == 0.0 for n in order):
        return None
    return {node: node.grad for node in order}


def _draw(
    order: list[Value],
    names: Mapping[Value, str],
    *,
    rankdir: str = "LR",
    format: str = "svg",
    parameters: Iterable[Value] = (),
    grads: Mapping[Value, Any] | None,
    edge_derivatives: bool = False,
    grad_sums: bool = False,
    legend: bool = True,
    active: Value | None = None,
    title: str | None = None,
) -> Graph:
    """The picture itself; the step-by-step frames call this with partial grads."""
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    parameter_ids = {id(p) for p in parameters}
    root = order[-1]
    ids = {node: f"n{k}" for k, node in enumerate(order)}
    # records lie across the rank direction; braces turn them along it
    horizontal = rankdir in ("LR", "RL")
    dot = Graph(name="autograd_lite", format=format)
    dot.text_summary = _text_summary(order, names, grads)
    dot.attr(rankdir=rankdir, fontname=_FONT, nodesep="0.25", ranksep="0.35")
    if title:
        dot.attr(label=title, labelloc="t", fontsize="13")
    dot.attr("node", fontname=_FONT, fontsize="11")
    dot.attr("edge", fontname=_FONT, fontsize="9", color="#4b5563", arrowsize="0.7")
    sums = _consumer_sums(order, names, grads) if grad_sums and grads is not None else {}
    kinds_drawn = set()
    for node in order:
        kind = ("output" if node is root else "constant" if node.is_constant
                else "parameter" if id(node) in parameter_ids
                else "input" if node.is_leaf else "intermediate")
        kinds_drawn.add(kind)
        if grads is None:
            grad_text = "grad —"
        elif node in grads:
            grad_text = f"grad {format_number(grads[node])}"
        else:
            grad_text = "grad —"
        fields = [_escape(names[node]), f"data {format_number(node.data)}", grad_text]
        if node in sums:
            fields.append(_escape(sums[node]))
        label = " | ".join(fields)
        hot = node is active
        dot.node(ids[node], "{ " + label + " }" if horizontal else label, shape="record",
                 style="rounded,filled", fillcolor=_KINDS[kind][0],
                 color=_ACTIVE if hot else "#374151", penwidth="2.5" if hot else "1")
        if node.is_leaf:
            continue
        op_id = ids[node] + "_op"
        entry = node.op_entry
        dot.node(op_id, _op_label(node), shape="circle" if len(entry.symbol) <= 2 else "ellipse",
                 style="filled", fillcolor="#fecaca" if hot else _OP_FILL, fixedsize="false",
                 width="0.3", height="0.3", margin="0.02", fontsize="10",
                 color=_ACTIVE if hot else "#6b7280")
        dot.edge(op_id, ids[node], color=_ACTIVE if hot else None)
        derivatives = local_derivatives(node) if edge_derivatives else ()
        inputs = _input_names(node)
        for k, parent in enumerate(node.parents):
            attrs: dict[str, str] = {}
            if edge_derivatives:
                attrs["label"] = (f"∂{symbol(names[node])}/∂{symbol(names[parent])}"
                                  f"\n= {format_number(derivatives[k])}")
            elif inputs:  # operand order matters: say which side each edge is
                attrs["label"] = inputs[k]
            if hot:
                attrs.update(color=_ACTIVE, penwidth="2", fontcolor=_ACTIVE)
            dot.edge(ids[parent], op_id, **attrs)
    if legend:
        _add_legend(dot, horizontal, kinds_drawn)
    return dot


def _op_label(node: Value) -> str:
    entry = node.op_entry
    params = node.op_params
    if "i" in params:  # softmax[i]: which output this node is
        return f"{entry.symbol}[{params['i']}]"
    if "n" in params:
        return f"^{format_number(params['n'])}"
    if "alpha" in params and params["alpha"] != entry.defaults[0]:
        return f"{entry.symbol}\n(α={format_number(params['alpha'])})"
    return entry.symbol


def _input_names(node: Value) -> tuple[str, ...]:
    # Commutative ops need no edge names; for − ÷ ^ the side matters.
    entry = node.op_entry
    if entry.arity == 2 and entry.name in ("sub", "div", "pow"):
        return tuple(entry.inputs)
    return ()


def _escape(text: str) -> str:
    out = text
    for ch in "\\{}|<>\"":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def _consumer_sums(order: list[Value], names: Mapping[Value, str],
                   grads: Mapping[Value, Any]) -> dict[Value, str]:
    """``∂L/∂a = ∂L/∂t·∂t/∂a + … = g·d + …`` for each node that has consumers."""
    root = order[-1]
    terms: dict[Value, list[tuple[Value, Any, float]]] = {}
    for node in order:
        if node not in grads:
            continue
        for parent, d in zip(node.parents, local_derivatives(node)):
            terms.setdefault(parent, []).append((node, grads[node], d))
    loss = names[root]
    return {node: chain_rule_text(loss, names[node], [(names[t], g, d) for t, g, d in items],
                                  grads[node], separator="\n")
            for node, items in terms.items()}


def chain_rule_text(loss: str, name: str, terms: list[tuple[str, Any, Any]], result: Any,
                    earlier: Any = 0.0, separator: str = " ") -> str:
    """``∂L/∂a = ∂L/∂t·∂t/∂a + … = g·d + … = result``: a gradient as the chain rule's sum.

    ``terms`` holds, per consumer t of ``name``: t's name, ∂L/∂t and ∂t/∂a.
    A nonzero ``earlier`` (what a leaf held from an earlier pass) comes first.

    Example:
        >>> print(chain_rule_text("y", "a", [("b", 1.0, 3.0), ("b", 1.0, 3.0)], 6.0))
        ∂y/∂a = ∂y/∂b·∂b/∂a + ∂y/∂b·∂b/∂a = 1·3 + 1·3 = 6
    """
    loss, a = symbol(loss), symbol(name)
    symbols = " + ".join(f"∂{loss}/∂{symbol(t)}·∂{symbol(t)}/∂{a}" for t, _, _ in terms)
    numbers = " + ".join(f"{_paren(g)}·{_paren(d)}" for _, g, d in terms)
    if earlier != 0.0:  # a leaf keeps what it held from an earlier pass
        symbols, numbers = f"(earlier) + {symbols}", f"{_paren(earlier)} + {numbers}"
    return f"∂{loss}/∂{a} = {symbols}{separator}= {numbers} = {format_number(result)}"


def symbol(name: str) -> str:
    """A node's name ready for a formula: ``x1`` stays, ``x1*w1`` becomes ``(x1*w1)``.

    Example:
        >>> symbol("x1"), symbol("x1*w1"), symbol("-3")
        ('x1', '(x1*w1)', '(-3)')
    """
    return name if name.replace("_", "a").isalnum() else f"({name})"


def _paren(x: Any) -> str:
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text


def _add_legend(dot: Graph, horizontal: bool, kinds: set[str]) -> None:
    # One node holding a small table: compact, and it stays out of the layout.
    # It names only the kinds this picture has.
    cells = "".join(f'<td bgcolor="{fill}" border="1" style="rounded">{text}</td>'
                    for kind, (fill, text) in _KINDS.items() if kind in kinds)
    op_cell = f'<td bgcolor="{_OP_FILL}" border="1" style="rounded">op</td>'
    if horizontal:
        rows = f"<tr><td>legend</td>{cells}{op_cell}</tr>"
    else:
        rows = "<tr><td>legend</td></tr>" + "".join(
            f"<tr>{c}</tr>" for c in (cells + op_cell).replace("</td><td", "</td>\n<td").split("\n"))
    dot.node("legend", f'<<table border="0" cellspacing="3" cellpadding="3">{rows}</table>>',
             shape="plaintext", fontsize="9")


def _text_summary(order: list[Value], names: Mapping[Value, str],
                  grads: Mapping[Value, Any] | None) -> str:
    # What Jupyter shows when it cannot render: one line per node.
    lines = [f"graph of {len(order)} nodes (output last):"]
    for node in order[:50]:
        grad = "—" if grads is None or node not in grads else format_number(grads[node])
        parents = ", ".join(names[p] for p in node.parents)
        made = f" = {node.op}({parents})" if parents else ""
        lines.append(f"  {names[node]}{made}: data {format_number(node.data)}, grad {grad}")
    if len(order) > 50:
        lines.append(f"  … {len(order) - 50} more")
    return "\n".join(lines)


def _number(x: Any) -> float:
    """A grad as a float: after backward(create_graph=True) it is a Value (float(Value) is refused)."""
    return x.data if isinstance(x, Value) else x  # type: ignore[no-any-return]
