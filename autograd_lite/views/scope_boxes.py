"""Scopes in pictures: clusters around the nodes of a scope, and scopes collapsed into boxes.

``draw_dot(collapse=depth)`` draws each scope at that depth as one box
(:func:`scope_boxes` decides which node goes in which box; ``expand`` opens
some), labelled with what comes in and goes out; without ``collapse`` the
scopes are clusters, a frame around their nodes.

Example:
    >>> from autograd_lite import Value, scope
    >>> with scope("net/layer0/n0"):
    ...     a = Value(1.0) * 2
    >>> sorted(set(scope_boxes([a], 1).values()))
    ['net']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import graphviz

from ..core.scopes import ScopeTag
from ..core.value import Value, float_of
from .notation import dot_text, format_number, html_text, plural
from .render import Graph

__all__ = ["BOX_FILL", "Cluster", "box_label", "box_summaries", "cluster_places", "clusters_of", "depth_bands",
           "group_leaves", "scope_boxes", "scope_of"]

BOX_FILL = "#ede9fe"  # a collapsed scope

# --- scopes as clusters -----------------------------------------------------------


def scope_of(node: Value) -> str | None:
    """The scope path a node was built in (``"MLP/L0/L0.N3"``), or None."""
    return getattr(node, "scope", None)


class Cluster:
    """One scope's frame: a Graphviz subgraph, opened now, attached when closed."""

    def __init__(self, parent: Graph | Cluster, path: str, depth: int, number: int) -> None:
        self.parent = parent
        self.path = path
        self.graph = graphviz.Digraph(name=f"cluster_{number}")
        name = path.rsplit("/", 1)[-1]
        self.graph.attr(label=graphviz.nohtml(dot_text(name)), labeljust="l", fontsize="10",
                        fontcolor="#4b5563", style="rounded,dashed" if depth > 1 else "rounded",
                        color="#9ca3af", bgcolor="#f9fafb" if depth == 1 else "#ffffff")
        self.closed = False

    def node(self, *args: Any, **kwargs: Any) -> None:
        self.graph.node(*args, **kwargs)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            target = self.parent.graph if isinstance(self.parent, Cluster) else self.parent
            target.subgraph(self.graph)


def cluster_places(dot: Graph, nodes: Sequence[Value], boxes: Iterable[str] = ()) -> dict[Any, Any]:
    """Where each node is drawn: the cluster of its scope (nested), or the graph itself.

    A collapsed scope's box sits in the cluster of the scope around it.
    """
    clusters: dict[str, Cluster] = {}
    places: dict[Any, Any] = {}

    def cluster(path: str) -> Cluster:
        parts = path.split("/")
        parent: Graph | Cluster = dot
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if prefix not in clusters:
                clusters[prefix] = Cluster(parent, prefix, depth, len(clusters))
            parent = clusters[prefix]
        return clusters[path]

    for node in nodes:
        path = scope_of(node)
        if path:
            places[node] = cluster(path)
    for box in boxes:
        if "/" in box:
            places[box] = cluster(box.rsplit("/", 1)[0])
    return places


def clusters_of(places: Mapping[Value, Any]) -> list[Cluster]:
    # every cluster, parents before children, so closing in reverse nests them right
    seen: dict[str, Cluster] = {}
    for place in places.values():
        chain = []
        while isinstance(place, Cluster):
            chain.append(place)
            place = place.parent
        for cluster in reversed(chain):
            seen.setdefault(cluster.path, cluster)
    return sorted(seen.values(), key=lambda c: c.path.count("/"))


# --- collapsing scopes into boxes -------------------------------------------------


_NAMED_SIBLINGS = 4  # up to this many closed parts of an opened scope are drawn as boxes of their own


def scope_boxes(order: Sequence[Value], depth: int, expand: Iterable[str] = ()) -> dict[Value, str]:
    """For each node in a collapsed scope, the path of the box that stands for it.

    A node built in scope ``a/b/c`` belongs to the box of its scope cut to
    ``depth`` parts (``a/b`` at depth 2; a shallower scope is its own box).
    A scope named in ``expand``, and every scope around it, is open: the
    parts of an open scope that stay closed are boxes of their own, or one box
    together when there are more than four (``MLP/L0/… 15 more``), and the nodes of an expanded scope itself are
    drawn one by one for its first call, its other calls (other samples)
    making one box (``MLP/L0/L0.N3/… 99 more calls``). Nodes outside every
    scope have no box.

    Example:
        >>> from autograd_lite import scope
        >>> with scope("net/layer0/n0"):
        ...     a = Value(1.0) * 2
        >>> sorted(set(scope_boxes([a], 2).values())), scope_boxes([a], 2, ["net/layer0/n0"])
        (['net/layer0'], {})
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"collapse takes a scope depth of 1 or more (1: top-level scopes), got {depth!r}")
    opened: set[str] = set()
    for wanted in expand:
        parts = wanted.split("/")
        opened.update("/".join(parts[:k]) for k in range(1, len(parts) + 1))
    boxes: dict[Value, str] = {}
    box_of: dict[str, str | None] = {}  # per distinct scope path: a handful, however many nodes
    calls: dict[str, dict[int, list[Value]]] = {}  # expanded scope -> its calls -> their nodes
    siblings: dict[str, set[str]] = {}  # an opened scope -> its parts that stay closed
    seen_paths: set[str] = set()
    for node in order:
        scope_path = node.scope
        if scope_path is None:
            continue
        path = scope_path
        if path not in box_of:
            seen_paths.add(path)
            parts = path.split("/")
            level = min(depth, len(parts))
            while level <= len(parts) and "/".join(parts[:level]) in opened:
                level += 1
            box_of[path] = "/".join(parts[:level]) if level <= len(parts) else None
            if depth < level <= len(parts):  # a sibling of an expanded scope
                siblings.setdefault("/".join(parts[:level - 1]), set()).add("/".join(parts[:level]))
        box = box_of[path]
        if box is not None:
            boxes[node] = box
        elif not node.is_leaf or node.is_constant:  # an expanded scope: one call drawn, the rest boxed
            calls.setdefault(path, {}).setdefault(id(_call_of(node)), []).append(node)
    # the closed parts of an opened scope make one box together when there are
    # many ("L0/… 15 more"); a few (an attention head's scores and mix) keep their names
    merged = {box: f"{around}/… {len(boxes_):,} more"
              for around, boxes_ in siblings.items() if len(boxes_) > _NAMED_SIBLINGS for box in boxes_}
    if merged:
        for node, box in boxes.items():
            if box in merged:
                boxes[node] = merged[box]
    for path, by_call in calls.items():
        later = list(by_call.values())[1:]
        if later:
            box = f"{path}/… {plural(len(later), 'more call')}"
            for nodes in later:
                for node in nodes:
                    boxes[node] = box
    for path in expand:
        if not any(p == path or p.startswith(path + "/") for p in seen_paths):
            known = sorted({"/".join(p.split("/")[:path.count("/") + 1]) for p in seen_paths})
            raise ValueError(f"expand: this graph has no scope {path!r}; scopes at that depth: "
                             + (", ".join(known[:12]) + (" …" if len(known) > 12 else "") or "none"))
    return boxes


def _call_of(node: Value) -> object:
    # The nodes built in one entry into a scope (one ``with scope(...)`` block,
    # one call of a neuron) share one tag object in Value's ``_tag`` slot; a
    # labelled node has a tag of its own that points to it. Read-only use of
    # Value's internals.
    tag = node._tag
    return tag.shared() if tag.__class__ is ScopeTag else tag


class BoxSummary:
    """What one box stands for: op count, parameters, outputs and what flows in."""

    __slots__ = ("inputs", "leaf_values", "leaves", "ops", "outputs", "sources")

    def __init__(self) -> None:
        self.ops = 0
        self.leaves = 0  # parameters (every leaf made in a scope, when the parameters are not known)
        self.inputs = 0  # leaves that are not parameters, when the parameters are known
        self.leaf_values: list[Value] = []  # the leaves themselves, for a box of leaves only
        self.outputs: dict[Value, None] = {}  # ordered set
        self.sources: dict[Any, Any] = {}  # a box path or a node -> the distinct values that come in


def box_summaries(order: Sequence[Value], boxes: Mapping[Value, str], fold: bool,
                  parameter_ids: set[int] | None = None) -> dict[str, BoxSummary]:
    """What each box stands for; with ``parameter_ids``, leaves not among them are counted as inputs.

    Without ``parameter_ids``, the leaves made in a scope count as parameters, the others as inputs.
    """
    summaries: dict[str, BoxSummary] = {}
    for node in order:
        box = boxes.get(node)
        summary = None
        if box is not None:
            summary = summaries.get(box)
            if summary is None:
                summary = summaries[box] = BoxSummary()
            if node.is_leaf:
                if not node.is_constant:
                    # without parameters given, a leaf made in a scope (a layer's weight) is
                    # a parameter and one made outside every scope is an input
                    if id(node) in parameter_ids if parameter_ids else node.scope is not None:
                        summary.leaves += 1
                    else:
                        summary.inputs += 1
                    summary.leaf_values.append(node)
                continue
            summary.ops += 1
        for parent in node.parents:
            source = boxes.get(parent)
            if source == box:
                continue
            if source is not None and not parent.is_leaf:  # a value computed in its box leaves it
                summaries[source].outputs[parent] = None
            if summary is None:
                continue
            if source is None and fold and parent.is_constant:
                continue
            key = source if source is not None else parent
            summary.sources.setdefault(key, {})[parent] = None
    if order and order[-1] in boxes:
        summaries[boxes[order[-1]]].outputs[order[-1]] = None
    for summary in summaries.values():
        summary.sources = {k: len(v) for k, v in summary.sources.items()}
    return summaries


def box_label(path: str, summary: BoxSummary, grads: Mapping[Value, Any] | None,
               names: Mapping[Value, str], root: Value) -> str:
    """A collapsed scope as an HTML-like table: name, size, its outputs' data and grad."""
    is_output = root in summary.outputs
    if summary.ops == 0 and summary.leaf_values:
        return _leaves_label(path, summary, grads)
    rows = [f"<b>{html_text(path.rsplit('/', 1)[-1])}</b>",  # the frame around it names the rest
            html_text(f"{plural(summary.ops, 'op')}" + (f" · {plural(summary.leaves, 'parameter')}"
                                                        if summary.leaves else "")
                      + (f" · {plural(summary.inputs, 'input')}" if summary.inputs else ""))]
    outputs = list(summary.outputs)

    def grad_of_node(node: Value) -> str:
        return "—" if grads is None or node not in grads else format_number(grads[node])

    if len(outputs) <= 3:
        for node in outputs:
            name = f"{names[node]}: " if node.label else ""
            rows.append(html_text(f"{name}data {format_number(node.data)} · grad {grad_of_node(node)}"))
    else:
        data = [node.data for node in outputs]
        rows.append(html_text(f"{len(outputs):,} outputs: data {format_number(min(data))} … "
                              f"{format_number(max(data))}"))
        if grads is not None:
            g = [float_of(grads[n]) for n in outputs if n in grads]
            if g:
                rows.append(html_text(f"grad {format_number(min(g))} … {format_number(max(g))}"))
    cells = "".join(f"<tr><td>{row}</td></tr>" for row in rows)
    border = "#16a34a" if is_output else "#6b7280"
    return (f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" '
            f'bgcolor="{BOX_FILL}" color="{border}">{cells}</table>>')


def _leaves_label(path: str, summary: BoxSummary, grads: Mapping[Value, Any] | None) -> str:
    # a row of inputs (or parameters) fed as many leaf Values: how many, their data and grad ranges
    values = summary.leaf_values
    data = [float_of(n.data) for n in values]
    kind = "input" if summary.inputs or path.rsplit("/", 1)[-1] == "inputs" else "parameter"
    rows = [f"<b>{html_text(path.rsplit('/', 1)[-1])}</b>",
            html_text(f"{plural(len(values), kind)}: data {format_number(min(data))} … {format_number(max(data))}")]
    if grads is not None:
        g = [float_of(grads[n]) for n in values if n in grads]
        if g:
            rows.append(html_text(f"grad {format_number(min(g))} … {format_number(max(g))}"))
    cells = "".join(f"<tr><td>{row}</td></tr>" for row in rows)
    return (f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" '
            f'bgcolor="{BOX_FILL}" color="#6b7280">{cells}</table>>')


# --- graphs without scopes: depth bands; many leaves: one box ----------------------


def depth_bands(order: Sequence[Value], width: int) -> dict[Value, str]:
    """For a graph built without scopes, the box of each node: its band of depth.

    A node's depth is the number of op changes on the longest path from it to
    the output (the output is at depth 0): following a run of the same op, such
    as the chain of + that ``sum(...)`` or ``b + w0*x0 + w1*x1 + …`` builds,
    does not go deeper, and a leaf sits at the depth of its deepest use. The
    nodes of depths ``k*width`` to ``k*width + width - 1`` make one box, named
    by its depths and its most frequent ops. The output, and a band of a single
    op, are drawn as nodes.

    Example:
        >>> from autograd_lite.core.value import topological_order
        >>> x = Value(0.5, label="x")
        >>> y = sum([x * k for k in range(1, 5)]).tanh()
        >>> sorted(set(depth_bands(topological_order(y), 1).values()))
        ['depth 1: +', 'depth 2: ×']
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"collapse takes a depth of 1 or more, got {width!r}")
    if not order:
        return {}
    root = order[-1]
    depth: dict[Value, int] = {root: 0}
    for node in reversed(order):
        d = depth.get(node, 0)
        op = node.op
        for parent in node.parents:
            step = 0 if parent.is_leaf or parent.op == op else 1
            if depth.get(parent, -1) < d + step:
                depth[parent] = d + step
    bands: dict[int, list[Value]] = {}
    for node in order:
        if node is not root:
            bands.setdefault(depth.get(node, 0) // width, []).append(node)
    boxes: dict[Value, str] = {}
    for band, nodes in bands.items():
        if sum(1 for n in nodes if not n.is_leaf) < 2:  # one op: drawn as it is
            continue
        counts: dict[str, int] = {}
        for n in nodes:
            entry = n.op_entry
            if entry is not None:
                counts[entry.op.symbol] = counts.get(entry.op.symbol, 0) + 1
        ops = sorted(counts, key=lambda k: -counts[k])[:3]
        first, last = band * width, band * width + width - 1
        name = f"depth {first}" if width == 1 else f"depths {first}–{last}"
        if ops:
            name += ": " + " ".join(ops)
        name = name.replace("/", "∕")  # a "/" would read as a scope path
        for n in nodes:
            boxes[n] = name
    return boxes


def group_leaves(order: Sequence[Value], boxes: dict[Value, str], parameter_ids: set[int],
                 least: int = 5) -> None:
    """Put the leaves outside every box that feed only boxes into one box, if there are ``least`` or more.

    Inputs fed as many leaf Values (micrograd's ``list(map(Value, x))``, a row of
    100 inputs) become one box ``inputs``, and such parameters one box
    ``parameters``, as a scope's parameters are drawn inside its box.
    """
    if not order:
        return
    root = order[-1]
    outside = {root}
    for node in order:
        if node not in boxes:
            outside.update(node.parents)
    groups: dict[str, list[Value]] = {"inputs": [], "parameters": []}
    for node in order:
        if node.is_leaf and not node.is_constant and node not in boxes and node not in outside:
            groups["parameters" if id(node) in parameter_ids else "inputs"].append(node)
    for name, nodes in groups.items():
        if len(nodes) >= least:
            for node in nodes:
                boxes[node] = name
