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
    >>> "x | data 2 | grad -3" in picture.source
    True
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import graphviz

from ..core.scopes import ScopeTag
from ..core.value import Value, local_derivatives, topological_order
from .notation import (
    chain_rule_text,
    check_label,
    dot_text,
    format_number,
    html_text,
    node_names,
    plural,
    symbol,
)

__all__ = ["GRAPHVIZ_HELP", "MAX_NODES", "RENDER_TIMEOUT", "SIZES", "Graph", "GraphvizNotFound", "RenderCancelled",
           "RenderTimeout", "add_legend", "cancel_renders_when", "draw_dot", "draw_graph", "new_graph", "op_label",
           "pass_grads", "run_graphviz", "scope_boxes", "scope_of", "size_attributes", "stop_renders",
           "write_file"]

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
_BOX_FILL = "#ede9fe"  # a collapsed scope
_ACTIVE = "#dc2626"  # the node and edges of the current step in a frame
_FONT = "Helvetica"


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` program and it is not installed.

    The message says how to install it. Subclasses graphviz's own
    ``ExecutableNotFound`` (a RuntimeError), so existing handlers still catch it.
    """

    def __init__(self, message: str = GRAPHVIZ_HELP) -> None:
        RuntimeError.__init__(self, message)


#: seconds one Graphviz run may take before it is stopped (None: no limit); the
#: environment variable AUTOGRAD_LITE_RENDER_TIMEOUT, in seconds, overrides it
RENDER_TIMEOUT: float | None = 120.0


class RenderTimeout(RuntimeError):
    """Graphviz took longer than the render timeout and was stopped."""


class RenderCancelled(RuntimeError):
    """The render was stopped because whoever asked for it went away (a closed browser tab)."""


_running: set[subprocess.Popen[bytes]] = set()  # every dot process now running, for stop_renders()
_running_lock = threading.Lock()
_cancelled: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar("_cancelled", default=None)
_POLL = 0.1  # seconds between checks that the caller still wants the picture


def _render_timeout() -> float | None:
    text = os.environ.get("AUTOGRAD_LITE_RENDER_TIMEOUT", "").strip()
    if not text:
        return RENDER_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"AUTOGRAD_LITE_RENDER_TIMEOUT must be a number of seconds, got {text!r}") from None
    if not seconds > 0:
        raise ValueError(f"AUTOGRAD_LITE_RENDER_TIMEOUT must be more than 0 seconds, got {text!r}")
    return seconds if seconds != float("inf") else None


@contextlib.contextmanager
def cancel_renders_when(cancelled: Callable[[], bool]) -> Iterator[None]:
    """Within this block (this thread), a Graphviz run stops as soon as ``cancelled()`` is true.

    The run then raises :class:`RenderCancelled`. The explorer's server uses it
    to stop drawing for a browser that has closed its request.

    Example:
        >>> with cancel_renders_when(lambda: True):
        ...     run_graphviz(b"digraph { a -> b }", "svg")
        Traceback (most recent call last):
        ...
        autograd_lite.views.pictures.RenderCancelled: the picture was no longer wanted; Graphviz was stopped
    """
    token = _cancelled.set(cancelled)
    try:
        yield
    finally:
        _cancelled.reset(token)


def stop_renders() -> None:
    """Kill every Graphviz run this process started that is still running (any thread)."""
    with _running_lock:
        running = list(_running)
    for process in running:
        _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> None:
    # dot runs in a process group of its own (start_new_session): kill the group
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    with contextlib.suppress(Exception):
        process.wait(timeout=5)


class _Terminated(SystemExit):
    """SIGTERM during a render: Graphviz is stopped, then the process exits with 128 + 15."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated(128 + signum)


def run_graphviz(source: bytes, format: str, *, engine: str = "dot", renderer: str | None = None,
                 formatter: str | None = None, timeout: float | None = None, quiet: bool = False) -> bytes:
    """Run Graphviz on the DOT ``source`` and return the picture: every render goes through here.

    Graphviz runs as a child process in a process group of its own, with a
    timeout (``timeout`` seconds, by default :data:`RENDER_TIMEOUT` or the
    environment variable ``AUTOGRAD_LITE_RENDER_TIMEOUT``), after which it is
    killed and :class:`RenderTimeout` says so. It is killed too, and nothing
    is returned, when the caller is interrupted (Ctrl-C, a SIGTERM: the
    process then exits with status 143) or no longer wants the picture (see
    :func:`cancel_renders_when`).

    Example:
        >>> run_graphviz(b"digraph { a -> b }", "svg").startswith(b"<?xml")
        True
    """
    if timeout is None:
        timeout = _render_timeout()
    if shutil.which(engine) is None:
        raise GraphvizNotFound()
    kind = ":".join(part for part in (format, renderer, formatter) if part)
    command = [engine, f"-T{kind}"]
    cancelled = _cancelled.get()
    if cancelled is not None and cancelled():
        raise RenderCancelled("the picture was no longer wanted; Graphviz was stopped")
    main_thread = threading.current_thread() is threading.main_thread()
    # a SIGTERM must not kill this process before it has stopped Graphviz
    previous = signal.getsignal(signal.SIGTERM) if main_thread else None
    if previous == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, start_new_session=True)
        except FileNotFoundError:
            raise GraphvizNotFound() from None
        with _running_lock:
            _running.add(process)
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            data: bytes | None = source
            while True:
                wait = _POLL if cancelled is not None else None
                if deadline is not None:
                    left = deadline - time.monotonic()
                    wait = left if wait is None else min(wait, left)
                try:
                    out, err = process.communicate(data, timeout=None if wait is None else max(wait, 0.0))
                    break
                except subprocess.TimeoutExpired:
                    data = None  # already sent; asking again loses nothing
                if deadline is not None and time.monotonic() >= deadline:
                    raise RenderTimeout(
                        f"Graphviz took more than {timeout:g} s to lay out this picture and was stopped: "
                        "draw a smaller graph or collapse its scopes (collapse=1), or allow more time "
                        "with the environment variable AUTOGRAD_LITE_RENDER_TIMEOUT=seconds")
                if cancelled is not None and cancelled():
                    raise RenderCancelled("the picture was no longer wanted; Graphviz was stopped")
        finally:
            if process.returncode is None:
                _kill(process)
            with _running_lock:
                _running.discard(process)
    finally:
        if previous == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if process.returncode != 0:
        message = err.decode(errors="replace").strip()
        raise graphviz.CalledProcessError(process.returncode, command, output=out,
                                          stderr=message or None)
    if err and not quiet:
        sys.stderr.write(err.decode(errors="replace"))
    return out


def write_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a regular file appears only once complete.

    Devices such as /dev/full or /dev/stdout are written directly.
    """
    target = Path(path)
    if target.exists() and not target.is_file():
        target.write_bytes(data)
        return
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering errors say how to get Graphviz.

    In Jupyter it displays as SVG, or, without the ``dot`` program, as text.
    """

    #: one line per node, shown where the picture cannot be
    text_summary: str = ""

    def pipe(self, format: str | None = None, renderer: str | None = None, formatter: str | None = None,
             neato_no_op: Any = None, quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None, timeout: float | None = None) -> Any:
        """The picture as bytes (or text with ``encoding``), drawn by :func:`run_graphviz`."""
        if neato_no_op:
            raise TypeError("neato_no_op is not supported here; use graphviz.Digraph for it")
        fmt = format or self.format
        graph = self._without_dpi(fmt)
        out = run_graphviz(graph.source.encode(self.encoding), fmt, engine=engine or self.engine,
                           renderer=renderer, formatter=formatter, timeout=timeout, quiet=quiet)
        return out.decode(encoding) if encoding else out

    def render(self, filename: Any = None, directory: Any = None, view: bool = False, cleanup: bool = False,
               format: str | None = None, renderer: str | None = None, formatter: str | None = None,
               neato_no_op: Any = None, quiet: bool = False, quiet_view: bool = False, *,
               outfile: Any = None, engine: str | None = None, raise_if_result_exists: bool = False,
               overwrite_source: bool = False, timeout: float | None = None) -> str:
        """Write the DOT source and the picture beside it; returns the picture's path.

        As ``graphviz.Digraph.render``, but the picture is drawn by
        :func:`run_graphviz` (timeout, stopped with its caller) and written
        whole or not at all.
        """
        # Look for the program first: a failed render must not leave the DOT file behind.
        if shutil.which(engine or self.engine) is None:
            raise GraphvizNotFound()
        if outfile is not None:
            outfile = Path(outfile) if directory is not None else Path(self.directory, outfile)
            format = format or outfile.suffix.lstrip(".") or None
            if filename is None:
                filename = outfile.with_suffix(".gv").name
                directory = directory if directory is not None else outfile.parent
        fmt = format or self.format
        target = outfile
        if target is not None and directory is not None and not Path(target).is_absolute():
            target = Path(directory, target)
        if raise_if_result_exists and target is not None and os.path.exists(target):
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(target)!r}")
        source_path = self.save(filename, directory=directory)
        try:
            if target is None:
                suffix = ".".join(part for part in (fmt, renderer, formatter) if part)
                target = Path(f"{source_path}.{suffix}")
                if raise_if_result_exists and target.exists():
                    raise graphviz.FileExistsError(f"output file exists: {os.fspath(target)!r}")
            data = self.pipe(fmt, renderer, formatter, neato_no_op, quiet, engine=engine, timeout=timeout)
            write_file(target, data)
        finally:
            if cleanup:
                with contextlib.suppress(OSError):
                    os.remove(source_path)
        if view or quiet_view:
            self._view(os.fspath(target), format=fmt, quiet=quiet_view)
        return os.fspath(target)

    def _without_dpi(self, format: str | None) -> Graph:
        """The graph to render in ``format``: without the size preset's dpi for SVG.

        dpi sets a bitmap's pixels per inch. In an SVG, Graphviz 2.43 (Debian's and
        Ubuntu's) scales the drawing by it but not the viewBox, so browsers clip
        the picture to its top-left part; at 72 dpi an SVG of the same size in
        inches comes out whole.
        """
        if (format or self.format) != "svg" or "dpi" not in self.graph_attr:
            return self
        graph = self.copy()
        del graph.graph_attr["dpi"]
        return graph

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFound as error:
            return {"text/plain": f"{error}\n\n{self.text_summary}".rstrip()}


#: sizes for ``draw_dot(size=...)``: (width, height) in inches and the dots per inch of
#: bitmap formats. A picture is shrunk to fit (never enlarged); a PNG of a "slide"
#: picture is at most 1920 x 1080 pixels.
SIZES: dict[str, tuple[float, float, int]] = {
    "slide": (13.33, 7.5, 144),  # a 16:9 slide, full width
    "half-slide": (6.4, 7.5, 144),  # one column of a two-column slide
    "page": (6.5, 9.0, 150),  # the text block of a Letter or A4 page
    "laptop": (14.0, 8.5, 96),  # a browser window at 1400 x 900
}

# constants folded into their op's label: "× 2", "1 −", "Σ + 1"
_CONSTANT_CHOICES = ("fold", "nodes")


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
    constants: str = "fold",
    size: str | float | tuple[float, float] | None = None,
    collapse: int | None = None,
    expand: Iterable[str] | str = (),
    clusters: bool = True,
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
        max_nodes: refuse pictures of more nodes than this (``None``: no
            limit); with ``collapse``, what counts is the boxes and nodes
            drawn. Graphviz's layout is what grows: measured here, 1,000
            nodes take about 1 s, 2,000 about 5 s and 3,000 about 20 s.
        constants: ``"fold"`` (the default) writes a constant into its op's
            label (``× 2``, ``1 −``, ``÷ 4``, ``Σ + 1``); ``"nodes"`` draws
            each constant as a node with its data and grad.
        size: fit the picture into a box: a preset name from :data:`SIZES`
            (``"slide"``, ``"half-slide"``, ``"page"``, ``"laptop"``), a width in
            inches, or ``(width, height)`` in inches. Pictures are shrunk to
            fit, never enlarged.
        collapse: draw every scope (see :func:`autograd_lite.scope`) at this
            depth as one box: its name, its op count, the data and grad of
            its outputs (their range when there are many), and edges, marked
            ``×N`` for N values, for what goes in and out. With ``nn``
            models, ``collapse=1`` makes one box of the whole ``MLP``, ``2``
            one per layer (``MLP/L0``), ``3`` one per neuron
            (``MLP/L0/L0.N3``); losses are a box of their own (``hinge``).
            Nodes outside every scope are drawn as usual.
        expand: scopes to open in a collapsed picture, by path
            (``"MLP/L0/L0.N3"``): the scopes around it show their parts one
            level deeper, and the named scope its nodes one by one.
        clusters: draw each scope a node was built in as a labelled frame
            (a Graphviz cluster) around its nodes.

    Before ``backward()`` the grads show as ``grad —``.

    Example:
        >>> a = Value(3.0, label="a"); y = a * a; y.label = "y"
        >>> picture = draw_dot(y)
        >>> picture.source.count("n0 -> n1_op")  # a*a: two edges into the op
        2
        >>> "grad —" in picture.source
        True
        >>> 'label="× 2"' in draw_dot(a * 2).source  # the constant folded into its op
        True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot takes a Value, got {type(root).__name__}")
    _check_max_nodes(max_nodes)
    opened = (expand,) if isinstance(expand, str) else tuple(expand)
    if any(not isinstance(path, str) for path in opened):
        raise TypeError(f"expand takes scope paths such as 'MLP/L0/L0.N3', got {expand!r}")
    if opened and collapse is None:
        raise ValueError("expand opens scopes of a collapsed picture: give collapse=depth too")
    order = topological_order(root)
    boxes = scope_boxes(order, collapse, opened) if collapse is not None else {}
    drawn = sum(1 for n in order if n not in boxes and not (constants == "fold" and n.is_constant))
    drawn += len(set(boxes.values()))
    if max_nodes is not None and drawn > max_nodes:
        raise ValueError(
            f"the picture has {drawn:,} nodes, more than max_nodes={max_nodes:,}: a picture "
            "that big takes Graphviz minutes and cannot be read; draw a smaller expression, "
            "collapse its scopes (collapse=1 or 2), or pass max_nodes=None to draw it anyway"
        )
    return draw_graph(order, node_names(order), rankdir=rankdir, format=format,
                      parameters=parameters, grads=pass_grads(root, order),
                      edge_derivatives=edge_derivatives, grad_sums=grad_sums, legend=legend,
                      constants=constants, size=size, clusters=clusters, boxes=boxes)


def _check_max_nodes(max_nodes: Any) -> None:
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise TypeError(f"max_nodes must be a whole number ≥ 1 or None (no limit), got {max_nodes!r}")


def pass_grads(root: Value, order: Sequence[Value]) -> dict[Value, Any] | None:
    """Each node's grad, or None if no backward pass has run from ``root`` yet.

    Before backward every grad is 0.0 and showing "grad 0" would be a lie;
    the output's own grad is nonzero once a pass has run from it.
    """
    if not root.is_leaf and _number(root.grad) == 0.0 and all(_number(n.grad) == 0.0 for n in order):
        return None
    return {node: node.grad for node in order}


def size_attributes(size: str | float | tuple[float, float] | None) -> dict[str, str]:
    """Graphviz graph attributes that fit a picture into ``size`` (see :func:`draw_dot`).

    Example:
        >>> size_attributes("slide")
        {'size': '13.33,7.5', 'dpi': '144'}
        >>> size_attributes(6)
        {'size': '6,100'}
    """
    if size is None:
        return {}
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(f"size {size!r} is not a preset; the presets are {', '.join(SIZES)}, "
                             "or give a width in inches or (width, height)")
        width, height, dpi = SIZES[size]
        return {"size": f"{width:g},{height:g}", "dpi": str(dpi)}
    if isinstance(size, (int, float)) and not isinstance(size, bool):
        dims: tuple[Any, ...] = (size, 100)
    elif isinstance(size, tuple) and len(size) == 2:
        dims = size
    else:
        raise TypeError(f"size takes a preset name, a width in inches or (width, height), got {size!r}")
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 < d < 1000:
            raise ValueError(f"size takes inches between 0 and 1000, got {size!r}")
    return {"size": f"{dims[0]:g},{dims[1]:g}"}


def new_graph(rankdir: str, format: str, size: str | float | tuple[float, float] | None,
              title: str | None = None) -> Graph:
    """An empty picture in the house style: fonts, spacing, rank direction, size."""
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    # graph_attr, not a body line: rendering an SVG takes the dpi out of it (Graph._without_dpi)
    dot = Graph(name="autograd_lite", format=format,
                graph_attr=dict(rankdir=rankdir, fontname=_FONT, nodesep="0.25", ranksep="0.35",
                                **size_attributes(size)))
    if title:
        dot.attr(label=graphviz.nohtml(dot_text(title)), labelloc="t", fontsize="13")
    dot.attr("node", fontname=_FONT, fontsize="11")
    dot.attr("edge", fontname=_FONT, fontsize="9", color="#4b5563", arrowsize="0.7")
    return dot


def draw_graph(
    order: Sequence[Value],
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
    constants: str = "fold",
    size: str | float | tuple[float, float] | None = None,
    clusters: bool = True,
    boxes: Mapping[Value, str] | None = None,
    data_known: Collection[Value] | None = None,
) -> Graph:
    """The picture of the nodes ``order`` (topological, output last) with the given grads.

    :func:`draw_dot` draws a graph after its backward pass with this; the
    step-by-step trace draws its frames with it, passing the grads filled
    in so far and the node of the current step as ``active``. ``boxes``
    maps nodes to the scope whose box stands for them (see ``collapse``).
    ``data_known``, when given, holds the nodes the forward pass has computed
    so far: the others show ``data —`` (the animation's forward frames).
    """
    if constants not in _CONSTANT_CHOICES:
        raise ValueError(f"constants must be 'fold' (into the op's label) or 'nodes', got {constants!r}")
    parameter_ids = {id(p) for p in parameters}
    root = order[-1]
    fold = constants == "fold"
    boxes = boxes or {}
    shown = [n for n in order if n not in boxes and not (fold and n.is_constant and n is not root)]
    for node in shown:
        check_label(names[node], "the label of a node,")
    ids = {node: f"n{k}" for k, node in enumerate(order)}
    horizontal = rankdir in ("LR", "RL")
    dot = new_graph(rankdir, format, size, title)
    dot.text_summary = _text_summary(order, names, grads)
    sums = _consumer_sums(order, names, grads) if grad_sums and grads is not None else {}
    summaries = _box_summaries(order, boxes, fold) if boxes else {}
    box_ids = {path: f"box{k}" for k, path in enumerate(summaries)}
    places = _cluster_places(dot, shown, summaries) if clusters else {}
    far = _far_uses(order, boxes, fold)
    kinds_drawn = set()
    kind_of: dict[Value, str] = {}
    for node in shown:
        kind = ("output" if node is root else "constant" if node.is_constant
                else "parameter" if id(node) in parameter_ids
                else "input" if node.is_leaf else "intermediate")
        kinds_drawn.add(kind)
        kind_of[node] = kind
        if grads is None or node not in grads:
            grad_text = "grad —"
        else:
            grad_text = f"grad {format_number(grads[node])}"
        # The fields lie across the rank direction (stacked in a left-to-right
        # picture, side by side in a top-to-bottom one): a picture grows along
        # its ranks, and this keeps each rank narrow.
        data_text = "data —" if data_known is not None and node not in data_known else f"data {format_number(node.data)}"
        label = " | ".join([dot_text(names[node], record=True), data_text, grad_text])
        if node in sums:  # the chain rule's sum under name, data and grad
            total = dot_text(sums[node], record=True)
            label = f"{label} | {total}" if horizontal else f"{{ {{ {label} }} | {total} }}"
        hot = node is active
        place = places.get(node, dot)
        place.node(ids[node], graphviz.nohtml(label), shape="record",
                   style="rounded,filled", fillcolor=_KINDS[kind][0],
                   color=_ACTIVE if hot else "#374151", penwidth="2.5" if hot else "1")
        if node.is_leaf:
            continue
        op_id = ids[node] + "_op"
        op_text = op_label(node, fold)
        place.node(op_id, graphviz.nohtml(dot_text(op_text)),
                   shape="circle" if len(op_text) <= 2 else "ellipse",
                   style="filled", fillcolor="#fecaca" if hot else _OP_FILL, fixedsize="false",
                   width="0.3", height="0.3", margin="0.02", fontsize="10",
                   color=_ACTIVE if hot else "#6b7280")
        dot.edge(op_id, ids[node], color=_ACTIVE if hot else None)
        derivatives = local_derivatives(node) if edge_derivatives else ()
        parents = node.parents
        inputs = _input_names(node) if not (fold and any(p.is_constant for p in parents)) else ()
        from_boxes: dict[str, int] = {}
        for k, parent in enumerate(parents):
            if fold and parent.is_constant:
                continue
            if parent in boxes:  # one edge per box, however many of its outputs come in
                path = boxes[parent]
                from_boxes[path] = from_boxes.get(path, 0) + 1
                continue
            attrs: dict[str, str] = {}
            if edge_derivatives:
                attrs["label"] = graphviz.nohtml(dot_text(
                    f"∂{symbol(names[node])}/∂{symbol(names[parent])}\n= {format_number(derivatives[k])}"))
            elif inputs:  # operand order matters: say which side each edge is
                attrs["label"] = inputs[k]
            if hot:
                attrs.update(color=_ACTIVE, penwidth="2", fontcolor=_ACTIVE)
            tail = ids[parent]
            if node in far.get(parent, ()):  # a far use: the value drawn again beside it
                tail = f"{ids[parent]}_use{ids[node][1:]}"
                # in its use's rank (beside the op, not before it): Graphviz then ranks
                # it with the op, where a node of its own would cost a search per copy
                beside = graphviz.Digraph(graph_attr={"rank": "same"})
                beside.node(tail, graphviz.nohtml(dot_text(names[parent])), shape="box",
                            style="rounded,filled,dashed", fillcolor=_KINDS[kind_of[parent]][0],
                            color="#374151", margin="0.04,0.02", height="0.3", width="0.3")
                beside.node(op_id)
                (place.graph if isinstance(place, _Cluster) else place).subgraph(beside)
            dot.edge(tail, op_id, **attrs)
        for path, count in from_boxes.items():
            dot.edge(box_ids[path], op_id, **_count_label(count))
    for path, summary in summaries.items():
        place = places.get(path, dot)
        place.node(box_ids[path], _box_label(path, summary, grads, names, root), shape="plaintext", margin="0")
        for source, count in summary.sources.items():
            tail = box_ids[source] if isinstance(source, str) else ids[source]
            dot.edge(tail, box_ids[path], **_count_label(count))
    for cluster in reversed(list(_clusters_of(places))):
        cluster.close()
    if legend:
        extra = [(_BOX_FILL, "scope (collapsed)")] if summaries else []
        if far:
            extra.append(("#ffffff", _AGAIN_LEGEND))
        add_legend(dot, horizontal, kinds_drawn, extra)
    return dot


#: a value whose far uses would stretch its edges over more ranks than this in all is
#: drawn again, dashed and with its name, beside each far use (see :func:`_far_uses`)
SHARED_SPAN = 60
_AGAIN_LEGEND = "dashed: a value drawn again beside a far use"


def _far_uses(order: Sequence[Value], boxes: Mapping[Value, str], fold: bool) -> dict[Value, set[Value]]:
    """The values to draw again beside some of their uses, and those uses.

    Graphviz ranks the picture (a value, its op, the next value, ...) and an
    edge that skips ranks costs it a hidden node per rank skipped: the ``x`` of
    ``x + x + … + x`` with 1,000 terms has edges over about a million ranks in
    all, which Graphviz takes hours to lay out. A value whose uses lie beyond
    the ranks next to it, over more than :data:`SHARED_SPAN` skipped ranks in
    all, is drawn once with its nearest uses, and again (its name, dashed)
    beside each far use.
    """
    rank: dict[Value, int] = {}
    uses: dict[Value, list[tuple[int, Value]]] = {}
    for node in order:
        parents = node.parents
        if not parents:
            rank[node] = 0
            continue
        op_rank = max(rank.get(p, 0) for p in parents) + 1
        rank[node] = op_rank + 1
        if node in boxes:
            continue
        for parent in parents:
            if parent in boxes or (fold and parent.is_constant):
                continue
            uses.setdefault(parent, []).append((op_rank, node))
    far: dict[Value, set[Value]] = {}
    for parent, used in uses.items():
        if len(used) < 2:
            continue
        # a leaf is ranked just before its nearest use; another value where it is computed
        base = min(r for r, _ in used) - 1 if parent.is_leaf else rank[parent]
        distant = [(r, node) for r, node in used if r - base > 2]
        if sum(r - base - 1 for r, _ in distant) > SHARED_SPAN:
            far[parent] = {node for _, node in distant}
    return far


def _count_label(count: int) -> dict[str, str]:
    # several values along one edge between a box and a node: say how many
    return {"label": f"×{count:,}", "penwidth": "1.6"} if count > 1 else {}


def op_label(node: Value, fold: bool = True) -> str:
    """The label of ``node``'s op in a picture; with ``fold``, its constants written in.

    Example:
        >>> x = Value(3.0)
        >>> op_label(x * 2), op_label(1 - x), op_label(x / 4), op_label(x ** 2), op_label(x * 2, fold=False)
        ('× 2', '1 −', '÷ 4', '^2', '×')
    """
    entry = node.op_entry
    if entry is None:
        return ""
    params = node.op_params
    op = entry.op
    text = op.symbol
    if "n" in params:
        text = f"^{format_number(params['n'])}"
    elif "alpha" in params and params["alpha"] != op.defaults[0]:
        text = f"{op.symbol}\n(α={format_number(params['alpha'])})"
    parents = node.parents
    if not fold or not any(p.is_constant for p in parents):
        return f"{text}[{params['i']}]" if "i" in params else text
    numbers = [format_number(p.data) for p in parents if p.is_constant]
    if op.is_vector:  # softmax over (0, z): the constants in place, a dot for each edge
        inside = ", ".join(format_number(p.data) if p.is_constant else "•" for p in parents)
        return f"{text}[{params['i']}]\n({inside})"
    if op.arity != 2:  # Σ with constant terms
        return f"{text} + " + " + ".join(numbers)
    left, right = (format_number(p.data) if p.is_constant else "" for p in parents)
    if right.startswith("-"):  # "− (-1)", not "− -1"
        right = f"({right})"
    return f"{left} {text} {right}".strip()


def _input_names(node: Value) -> tuple[str, ...]:
    # Commutative ops need no edge names; for − ÷ ^ the side matters.
    entry = node.op_entry
    if entry is not None and entry.arity == 2 and entry.name in ("sub", "div", "pow"):
        return tuple(entry.inputs)
    return ()


# --- scopes as clusters -----------------------------------------------------------


def scope_of(node: Value) -> str | None:
    """The scope path a node was built in (``"MLP/L0/L0.N3"``), or None."""
    return getattr(node, "scope", None)


class _Cluster:
    """One scope's frame: a Graphviz subgraph, opened now, attached when closed."""

    def __init__(self, parent: Graph | _Cluster, path: str, depth: int, number: int) -> None:
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
            target = self.parent.graph if isinstance(self.parent, _Cluster) else self.parent
            target.subgraph(self.graph)


def _cluster_places(dot: Graph, nodes: Sequence[Value], boxes: Iterable[str] = ()) -> dict[Any, Any]:
    """Where each node is drawn: the cluster of its scope (nested), or the graph itself.

    A collapsed scope's box sits in the cluster of the scope around it.
    """
    clusters: dict[str, _Cluster] = {}
    places: dict[Any, Any] = {}

    def cluster(path: str) -> _Cluster:
        parts = path.split("/")
        parent: Graph | _Cluster = dot
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if prefix not in clusters:
                clusters[prefix] = _Cluster(parent, prefix, depth, len(clusters))
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


def _clusters_of(places: Mapping[Value, Any]) -> list[_Cluster]:
    # every cluster, parents before children, so closing in reverse nests them right
    seen: dict[str, _Cluster] = {}
    for place in places.values():
        chain = []
        while isinstance(place, _Cluster):
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


class _BoxSummary:
    """What one box stands for: op count, parameters, outputs and what flows in."""

    __slots__ = ("leaves", "ops", "outputs", "sources")

    def __init__(self) -> None:
        self.ops = 0
        self.leaves = 0
        self.outputs: dict[Value, None] = {}  # ordered set
        self.sources: dict[Any, Any] = {}  # a box path or a node -> the distinct values that come in


def _box_summaries(order: Sequence[Value], boxes: Mapping[Value, str], fold: bool) -> dict[str, _BoxSummary]:
    summaries: dict[str, _BoxSummary] = {}
    for node in order:
        box = boxes.get(node)
        summary = None
        if box is not None:
            summary = summaries.get(box)
            if summary is None:
                summary = summaries[box] = _BoxSummary()
            if node.is_leaf:
                summary.leaves += not node.is_constant
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


def _box_label(path: str, summary: _BoxSummary, grads: Mapping[Value, Any] | None,
               names: Mapping[Value, str], root: Value) -> str:
    """A collapsed scope as an HTML-like table: name, size, its outputs' data and grad."""
    is_output = root in summary.outputs
    rows = [f"<b>{html_text(path.rsplit('/', 1)[-1])}</b>",  # the frame around it names the rest
            html_text(f"{plural(summary.ops, 'op')}" + (f" · {plural(summary.leaves, 'parameter')}"
                                                        if summary.leaves else ""))]
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
            g = [_number(grads[n]) for n in outputs if n in grads]
            if g:
                rows.append(html_text(f"grad {format_number(min(g))} … {format_number(max(g))}"))
    cells = "".join(f"<tr><td>{row}</td></tr>" for row in rows)
    border = "#16a34a" if is_output else "#6b7280"
    return (f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" '
            f'bgcolor="{_BOX_FILL}" color="{border}">{cells}</table>>')


# --- gradients as sums, the legend, the text summary --------------------------------


def _consumer_sums(order: Sequence[Value], names: Mapping[Value, str],
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


def add_legend(dot: Graph, horizontal: bool, kinds: set[str], extra: Sequence[tuple[str, str]] = ()) -> None:
    """A small table naming the kinds of node this picture has, and ``(colour, text)`` extras."""
    # One node holding a small table: compact, and it stays out of the layout.
    cells = [f'<td bgcolor="{fill}" border="1" style="rounded">{text}</td>'
             for kind, (fill, text) in _KINDS.items() if kind in kinds]
    cells += [f'<td bgcolor="{fill}" border="1" style="rounded">{text}</td>' for fill, text in extra]
    cells.append(f'<td bgcolor="{_OP_FILL}" border="1" style="rounded">op</td>')
    if horizontal:
        rows = f"<tr><td>legend</td>{''.join(cells)}</tr>"
    else:
        rows = "<tr><td>legend</td></tr>" + "".join(f"<tr>{c}</tr>" for c in cells)
    dot.node("legend", f'<<table border="0" cellspacing="3" cellpadding="3">{rows}</table>>',
             shape="plaintext", fontsize="9")


def _text_summary(order: Sequence[Value], names: Mapping[Value, str],
                  grads: Mapping[Value, Any] | None) -> str:
    # What Jupyter shows when it cannot render: one line per node.
    lines = [f"graph of {plural(len(order), 'node')} (output last):"]
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
