"""Graphviz runs that end: the ``Graph`` class and the one runner every picture goes through.

Every picture (``draw_dot``, the backward steps' frames, the explorer's pages,
the command line's ``--graph``) is drawn by :func:`run_graphviz`: the ``dot``
program runs in a process group of its own, with a timeout (``RENDER_TIMEOUT``,
or ``AUTOGRAD_LITE_RENDER_TIMEOUT`` in the environment), and it is killed
with its caller (Ctrl-C, ``kill``, a ``serve`` request whose browser went
away). A file is written whole or not at all (:func:`write_file`).

Example:
    >>> g = Graph(); g.edge("a", "b")
    >>> g.pipe("svg", encoding="utf-8").startswith("<?xml")
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import graphviz

__all__ = ["GRAPHVIZ_HELP", "RENDER_TIMEOUT", "SIZES", "Graph", "GraphvizNotFound", "RenderCancelled", "RenderTimeout",
           "cancel_renders_when", "run_graphviz", "stop_renders", "write_file"]

#: how to get the ``dot`` program, for error messages
GRAPHVIZ_HELP = (
    "Pictures need the Graphviz program 'dot', which was not found on PATH. "
    "Install it with 'apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' "
    "(macOS) or 'conda install -c conda-forge graphviz', or see https://graphviz.org/download/. "
    "Without it, the graph and its DOT text (.source) still work."
)


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
        autograd_lite.views.render.RenderCancelled: the picture was no longer wanted; Graphviz was stopped
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
