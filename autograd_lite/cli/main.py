"""The command line: expressions in, values, gradients and pictures out.

``autograd-lite EXPR name=value ...`` (or ``python -m autograd_lite``) prints
the expression's value and its gradient with respect to every variable.
``--steps`` adds the backward steps, ``--evaluation-trace forward|reverse|both``
the evaluation trace's tables (primal, tangent, adjoint; ``--format
text|markdown|latex``), ``--graph FILE`` draws the
graph (.svg .png .pdf .dot), ``--html FILE`` writes the step-through page,
``--animate FILE`` the same steps as an animation for slides (.gif .apng .mp4),
``--json`` prints the results for scripts, and ``--order N`` gives the first N
derivatives of a one-variable expression. With no arguments, or ``demo``, it
runs the classic neuron with everything shown.

Bad input gets a clear message on stderr and exit status 2. A missing
Graphviz gets status 1 after everything else has been printed and written
(``--html`` writes its page without pictures, ``--graph`` writes nothing);
so does standard output that cannot be written (a full disk, ``>&-``).
``--`` ends the options: ``autograd-lite -- -x x=1``.

Example:
    >>> main(["x**3", "x=2", "--order", "3"])
    f = x**3    (x = 2)
      = 8
    <BLANKLINE>
    derivatives with respect to x:
      df/dx   = 12
      d²f/dx²  = 12
      d³f/dx³  = 6
    0
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import sys
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .. import __version__
from ..core.expression import (
    ALIASES,
    CONSTANTS,
    FUNCTIONS,
    Expression,
    ExpressionError,
    parse,
    read_assignments,
    signature,
)
from ..core.value import Value, topological_order
from ..transforms.autodiff import derivatives
from ..views.animation import FORMATS as ANIMATION_FORMATS
from ..views.animation import MAX_ANIMATION_STEPS, AnimationNeedsExtra
from ..views.evaluation_trace import FORMATS, evaluation_trace_of
from ..views.notation import given_text, json_number
from ..views.pictures import draw_dot, size_attributes
from ..views.render import (
    GRAPHVIZ_HELP,
    SIZES,
    GraphvizNotFound,
    RenderTimeout,
    write_file,
)
from ..views.steps import MAX_STEPS, BackwardSteps, backward_steps

__all__ = ["DEMO", "main"]

PROG = "autograd-lite"
#: the classic neuron of micrograd's lecture: what ``autograd-lite demo`` runs
DEMO = ("tanh(x1*w1 + x2*w2 + b)",
        {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432})
GRAPH_FORMATS = ("svg", "png", "pdf", "dot")
TRACES = ("forward", "reverse", "both")
MAX_ORDER = 8
#: --graph refuses bigger graphs: Graphviz takes about 5 s for 2,000 nodes, minutes beyond
MAX_GRAPH_NODES = 2000
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_OPTION = re.compile(r"--[A-Za-z][\w-]*(=.*)?$")  # what argparse should see, and reject if unknown


class WriteError(Exception):
    """An output file that cannot be written (a full disk, no permission): exit status 1."""


class UsageError(Exception):
    """Bad input on the command line: printed as one message, exit status 2."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.pointer = pointer


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        _complain("standard output is closed: there is nowhere to print the results")
        return 1
    try:
        status = _main(args)
        sys.stdout.flush()  # a full disk shows up here, not as a traceback at exit
    except BrokenPipeError:  # output piped into `head`: stop quietly
        _discard_stdout()
        return 0
    except OSError as error:  # > /dev/full: raised by a write to standard output or its flush
        _discard_stdout()
        _complain(f"cannot write the results to standard output: {error.strerror or error}")
        return 1
    return status


def _main(args: list[str]) -> int:
    if args[:1] == ["serve"]:  # the live explorer has its own options
        from ..explorer.server import main as serve

        return serve(args[1:])
    if args[:1] == ["site"]:  # the live explorer as a static site, the engine in the browser
        from ..explorer.site import main as site

        return site(args[1:])
    if args[:1] == ["practice"]:  # the learner answers, the engine grades
        from .practice import main as practice

        return practice(args[1:])
    if args[:1] == ["exercises"]:  # the graded task pack
        from .exercises import main as exercises

        return exercises(args[1:])
    try:
        return _run(args, sys.stdout)
    except UsageError as error:
        _complain(str(error), error.pointer)
        return 2
    except WriteError as error:
        _complain(str(error))
        return 1
    except SystemExit as exit:  # argparse's own errors and --help; a SIGTERM while drawing (143)
        if exit.code == 143:
            _complain("stopped by SIGTERM; no file was written for the picture being drawn")
        return exit.code if isinstance(exit.code, int) else 2
    except KeyboardInterrupt:  # Ctrl-C: Graphviz is stopped with us, and the file it drew is not written
        _complain("interrupted; no file was written for the picture being drawn")
        return 130


def _discard_stdout() -> None:
    # What is still buffered would fail again when Python flushes it at exit
    # (a second message, and status 120): send it to the null device instead.
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (a test's capture): nothing is flushed at exit
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


def _complain(message: str, pointer: str = "") -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    if pointer:
        print(pointer, file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    def _print_message(self, message: str, file: Any = None) -> None:
        if file is sys.stdout and message:  # --help and --version: argparse would hide a failed write
            file.write(message)
        else:
            super()._print_message(message, file)

    def error(self, message: str) -> Any:
        """One line, with a did-you-mean for a mistyped option, instead of the whole usage."""
        unknown = [a for a in message.partition("unrecognized arguments: ")[2].split() if a.startswith("--")]
        options = [o for o in self._option_string_actions if o.startswith("--")]
        hints = []
        for arg in unknown:
            close = difflib.get_close_matches(arg.split("=", 1)[0], options, n=1, cutoff=0.6)
            if close:
                hints.append(f"did you mean {close[0]} (for {arg})?" if len(unknown) > 1 else f"did you mean {close[0]}?")
        hint = "; " + "; ".join(hints) if hints else f" ({self.prog} --help lists the options)"
        self.exit(2, f"{self.prog}: error: {message}{hint}\n")


def _parser() -> argparse.ArgumentParser:
    # wrapped between signatures, never inside one (no-break spaces hold each together)
    functions = textwrap.fill(", ".join(signature(name).replace(" ", "\xa0") for name in FUNCTIONS),
                              width=76, subsequent_indent="  ").replace("\xa0", " ")
    parser = _Parser(
        prog=PROG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Evaluate an expression, backpropagate through it, and show every "
                    "gradient, the backward pass step by step, and pictures of the graph.\n"
                    "With no arguments (or 'demo'): the classic neuron, everything shown.",
        epilog=f"expressions: numbers, variables, + - * / ** and unary -, parentheses, and\n"
               f"  {functions}\n"
               f"  also {', '.join(f'{signature(a)} for {n}' for a, n in ALIASES.items())};\n"
               f"  the constants {' and '.join(CONSTANTS)}\n\n"
               "examples:\n"
               f"  {PROG} 'tanh(x1*w1 + x2*w2 + b)' x1=2 x2=0 w1=-3 w2=1 b=6.8813735870195432\n"
               f"  {PROG} 'sigmoid(x) * log(y)' x=0.5 y=3 --steps\n"
               f"  {PROG} 'softmax(a, b, c)[0]' a=1 b=2 c=3 --graph g.svg\n"
               f"  {PROG} 'x**3' x=2 --order 3\n"
               f"  {PROG} 'relu(x)' x=0 --html steps.html\n"
               f"  {PROG} serve        (the live explorer in your browser; {PROG} serve --help)\n"
               f"  {PROG} site OUT     (the same as a static site, the engine in the browser; "
               f"{PROG} site --help)\n"
               f"  {PROG} practice     (questions the engine grades; {PROG} practice --help)\n"
               f"  {PROG} exercises new DIR   (a graded task pack; {PROG} exercises check DIR)\n"
               f"  {PROG} 'log(x1) + x1*x2 - sin(x2)' x1=2 x2=5 --evaluation-trace both --format latex\n"
               "An expression that starts with '-' works too: "
               f"{PROG} '-x**2' x=3",
    )
    parser.add_argument("expression", nargs="?", help="the expression, quoted; or 'demo'")
    parser.add_argument("values", nargs="*", metavar="name=value", help="a number for each variable")
    parser.add_argument("--steps", action="store_true",
                        help="show the backward steps: one backward() call, step by step")
    parser.add_argument("--graph", metavar="FILE", help="draw the graph; the suffix names the format: "
                        + ", ".join("." + f for f in GRAPH_FORMATS) + " (.dot needs no Graphviz)")
    parser.add_argument("--html", metavar="FILE", help="write a page that steps through the backward pass")
    parser.add_argument("--animate", metavar="FILE", help="write the forward and backward pass as an animation "
                        "for slides; the suffix names the format: " + ", ".join(ANIMATION_FORMATS)
                        + " (needs pip install 'autograd_lite[animation]')")
    parser.add_argument("--evaluation-trace", "--trace", dest="trace", choices=TRACES,
                        help="the evaluation trace (the graph as a straight-line program) as tables: the "
                        "primal trace and forward mode's tangent trace (one per variable), reverse mode's "
                        "adjoint trace, or both; --trace is its name before 0.2")
    parser.add_argument("--format", choices=FORMATS, help="how --evaluation-trace prints its tables (default text); "
                        "markdown and latex print the tables alone, ready to paste")
    pictures = parser.add_argument_group("picture options (for --graph, and --rankdir for --html too)")
    pictures.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default=None,
                          help="the direction the graph flows: left to right (the default for --graph), top to bottom, ...; --html picks the larger view by default")
    pictures.add_argument("--edge-derivatives", action="store_true",
                          help="label each edge with its local derivative ∂out/∂in and its number")
    pictures.add_argument("--grad-sums", action="store_true",
                          help="write each gradient as the chain rule's sum over the nodes that use it")
    pictures.add_argument("--collapse", type=_collapse_depth, metavar="DEPTH",
                          help="draw each scope at this depth as one box (each function call is a scope); "
                          "0 or none: no boxes, even where --size would collapse")
    pictures.add_argument("--size", metavar="SIZE",
                          help="fit the picture: " + ", ".join(SIZES) + ", or a width in inches")
    animation = parser.add_argument_group("animation options (for --animate; --size takes a preset there, "
                                          "default slide, and --rankdir works too)")
    animation.add_argument("--frame-ms", type=float, default=900, metavar="MS",
                           help="how long each frame shows, in milliseconds (default 900)")
    animation.add_argument("--hold-ms", type=float, default=4000, metavar="MS",
                           help="how long the last frame shows, in milliseconds (default 4000)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--order", type=int, default=1, metavar="N",
                        help=f"derivatives 1..N of a one-variable expression (N ≤ {MAX_ORDER})")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _protect(args: list[str], parser: argparse.ArgumentParser) -> tuple[list[str], dict[str, str]]:
    # argparse takes '-x**2' for an unknown option; hide such arguments behind
    # placeholders so they arrive as positionals. After '--' (the end of the
    # options) every argument is hidden that way, and the '--' is dropped.
    options = set(parser._option_string_actions)
    hidden: dict[str, str] = {}
    out = []
    ended = False
    for arg in args:
        if arg == "--" and not ended:
            ended = True
            continue
        name = arg.split("=", 1)[0]
        looks_like_option = _OPTION.match(arg) is not None
        if arg.startswith("-") and len(arg) > 1 and (ended or name not in options and not looks_like_option
                                                     and not _is_number(arg)):
            key = f"\x00{len(hidden)}"
            hidden[key] = arg
            arg = key
        out.append(arg)
    return out, hidden


def _run(args: list[str], out: TextIO) -> int:
    parser = _parser()
    protected, hidden = _protect(args, parser)
    ns = parser.parse_args(protected)
    ns.expression = hidden.get(ns.expression, ns.expression)
    ns.values = [hidden.get(v, v) for v in ns.values]
    if ns.order < 1 or ns.order > MAX_ORDER:
        raise UsageError(f"--order must be from 1 to {MAX_ORDER}, got {ns.order}")
    if ns.graph:
        _graph_format(ns.graph)  # a bad suffix is an error before any work
    animation_options = _animation_options(ns) if ns.animate else {}
    if ns.format and not ns.trace:
        raise UsageError("--format says how --evaluation-trace prints its tables; add --evaluation-trace "
                         "forward, reverse or both")
    if ns.json and ns.format:
        raise UsageError("--json prints the trace's numbers as JSON; leave out --format")
    picture_options = _picture_options(ns)
    demo = ns.expression in (None, "demo") and not ns.values
    if demo:
        text, values = DEMO
    else:
        if ns.expression is None:  # pragma: no cover - argparse fills it when values are given
            raise UsageError("give an expression")
        text, values = ns.expression, _read_values(ns.values)
    try:
        expression = parse(text)
    except ExpressionError as error:
        raise UsageError(error.message, error.pointer()) from None
    _check_values(expression, values)
    try:
        root, leaves = expression.build(values, scopes=bool(ns.collapse))
    except ExpressionError as error:
        raise UsageError(error.message, error.pointer()) from None
    trace = backward_steps(root)
    derivatives = _derivatives(expression, values, ns.order) if ns.order > 1 else None
    report = _Report(expression, values, root, leaves, trace, derivatives)
    status = 0
    files: list[str] = []
    problems: list[str] = []
    tables = _traces(root, leaves, ns.trace) if ns.trace else []
    if ns.graph:  # pictures too big to draw are refused before anything is printed
        _refuse_big_graph(root, ns.graph, picture_options)
    if ns.html:
        _refuse_big_html(trace, ns.html)
    if ns.animate:
        _refuse_big_animation(trace, ns.animate)

    def draw() -> None:  # the pictures, after the results are on screen: a slow one hides nothing
        nonlocal status
        if ns.graph:
            status = max(status, _write_graph(root, ns.graph, files, problems, picture_options))
        if ns.html:
            status = max(status, _write_html(trace, ns.html, files, problems, ns.rankdir or "auto"))
        if ns.animate:
            status = max(status, _write_animation(trace, ns.animate, files, problems, animation_options))

    if ns.json:  # one JSON document that lists the files written: drawn first
        draw()
        result = report.as_json(ns.steps or demo, files)
        if tables:
            result["trace"] = _trace_json(tables)
        out.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        if ns.format in ("markdown", "latex"):
            out.write("\n\n".join(trace.format(ns.format, which) for trace, which in tables) + "\n")
        else:
            if tables:
                report.extra = "\n\n".join(trace.text(which) for trace, which in tables)
            out.write(report.text(steps=ns.steps or demo, demo=demo) + "\n")
        out.flush()
        draw()
        out.writelines(f"wrote {path}\n" for path in files)
    for problem in problems:
        _complain(problem)
    return status


def _traces(root: Value, leaves: dict[str, Value], mode: str) -> list[tuple[Any, list[str]]]:
    """The evaluation trace's tables for --evaluation-trace: forward mode needs one tangent trace per variable."""
    inputs = list(leaves.values())
    if len(topological_order(root)) > MAX_GRAPH_NODES:
        raise UsageError(f"--evaluation-trace: the graph is too big for tables (more than {MAX_GRAPH_NODES:,} nodes)")
    first = evaluation_trace_of(root, inputs)
    tables: list[tuple[Any, list[str]]] = [(first, ["primal"])]
    if mode in ("forward", "both"):
        for k in range(len(inputs)):
            tables.append((evaluation_trace_of(root, inputs, direction=[1.0 if j == k else 0.0 for j in range(len(inputs))]),
                           ["tangent"]))
    if mode in ("reverse", "both"):
        tables.append((first, ["adjoint"]))
    return tables


def _trace_json(tables: list[tuple[Any, list[str]]]) -> dict[str, Any]:
    result: dict[str, Any] = {"tangent": []}
    for trace, (which,) in tables:
        rows = [{"variable": r.variable, "formula": r.formula, "numbers": r.numbers,
                 "value": json_number(r.value)} for r in trace.rows(which)]
        if which == "tangent":
            result["tangent"].append({"direction": trace.direction, "rows": rows})
        else:
            result[which] = rows
    if not result["tangent"]:
        del result["tangent"]
    return result


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_values(items: list[str]) -> dict[str, float]:
    try:
        return read_assignments(items)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _check_values(expression: Expression, values: dict[str, float]) -> None:
    # a value for a name the expression lacks is probably a typo; missing ones build() reports
    constants = [name for name in values if name in CONSTANTS]
    if constants:
        raise UsageError(f"{constants[0]} is a constant ({CONSTANTS[constants[0]]!r}) in expressions, "
                         "not a variable: pick another name")
    unused = [name for name in values if name not in expression.variables]
    if unused:
        known = ", ".join(expression.variables) or "none"
        raise UsageError(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} not in the "
                         f"expression (its variables: {known})")


def _derivatives(expression: Expression, values: dict[str, float], order: int) -> list[float]:
    try:
        name, f = expression.of_one_variable(f"--order {order}")
    except ExpressionError as error:
        raise UsageError(error.message) from None
    return derivatives(f, values[name], order)


def _graph_format(path: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in GRAPH_FORMATS:
        raise UsageError(f"--graph {path}: the suffix names the format; use one of "
                         + ", ".join("." + f for f in GRAPH_FORMATS))
    return suffix


def _picture_options(ns: argparse.Namespace) -> dict[str, Any]:
    """draw_dot's keyword arguments from the picture options, checked before any work."""
    # rankdir None: LR, or with --size the direction that fits it best
    options: dict[str, Any] = {"rankdir": ns.rankdir, "edge_derivatives": ns.edge_derivatives,
                               "grad_sums": ns.grad_sums}
    if ns.collapse == 0:  # no boxes, whatever the size
        options["collapse"] = None
    elif ns.collapse is not None:
        options["collapse"] = ns.collapse
    if ns.size is not None:
        try:
            size: Any = float(ns.size)
        except ValueError:
            size = ns.size
        try:
            size_attributes(size)
        except (TypeError, ValueError) as error:
            raise UsageError(f"--size {ns.size}: {error}") from None
        options["size"] = size
    return options


def _refuse_big_graph(root: Value, path: str, options: dict[str, Any]) -> None:
    fmt = _graph_format(path)
    nodes = len(topological_order(root))
    if fmt != "dot" and nodes > MAX_GRAPH_NODES and options.get("collapse") is None:  # DOT text costs nothing; a layout would take minutes
        raise UsageError(f"--graph {path}: the graph has {nodes:,} nodes and pictures stop at "
                         f"{MAX_GRAPH_NODES:,}, where Graphviz already takes seconds; "
                         f"--graph {Path(path).with_suffix('.dot')} writes the DOT text at any size")


def _refuse_big_html(trace: BackwardSteps, path: str) -> None:
    if len(trace) > MAX_STEPS:  # a bigger page is slow to build and to step through
        raise UsageError(f"--html {path}: the backward pass has {len(trace):,} steps and the page "
                         f"stops at {MAX_STEPS:,}; --steps prints them all")


def _refuse_big_animation(trace: BackwardSteps, path: str) -> None:
    if len(trace) > MAX_ANIMATION_STEPS:
        raise UsageError(f"--animate {path}: the backward pass has {len(trace):,} steps and animations "
                         f"stop at {MAX_ANIMATION_STEPS:,}; --html steps through up to {MAX_STEPS:,}")


def _write_graph(root: Value, path: str, files: list[str], problems: list[str],
                 options: dict[str, Any]) -> int:
    fmt = _graph_format(path)
    _refuse_big_graph(root, path, options)
    try:  # a collapsed picture is refused when what it draws (boxes, values, ops) is too many
        with warnings.catch_warnings(record=True) as notes:
            warnings.simplefilter("always")
            limit = MAX_GRAPH_NODES if fmt != "dot" and "collapse" in options else None
            picture = draw_dot(root, max_nodes=limit, **options)
    except ValueError as error:
        raise UsageError(f"--graph {path}: {_cli_spelling(str(error), path)}") from None
    for note in notes:  # text too small for --size: said once, without Python's warning dress
        print(f"{PROG}: note: --graph {path}: {_cli_spelling(str(note.message), path)}", file=sys.stderr)
    try:
        data = picture.source.encode() if fmt == "dot" else picture.pipe(format=fmt)
    except GraphvizNotFound:
        problems.append(f"cannot draw {path}: {GRAPHVIZ_HELP} "
                        f"'--graph {Path(path).with_suffix('.dot')}' writes the DOT text without it.")
        return 1
    except RenderTimeout as error:
        problems.append(f"cannot draw {path}: {_cli_spelling(str(error), path)}")
        return 1
    _write(path, data)
    files.append(path)
    return 0


def _collapse_depth(text: str) -> int:
    """--collapse's argument: a depth of 1 or more, or 0 / none for no boxes at all."""
    if text.strip().lower() in ("none", "0"):
        return 0
    try:
        depth = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a depth of 1 or more, or 0 or none for no boxes; got {text!r}") from None
    if depth < 0:
        raise argparse.ArgumentTypeError(f"takes a depth of 1 or more, or 0 or none for no boxes; got {text}")
    return depth


_PYTHON_SPELLINGS = (  # draw_dot's and Graphviz's advice, as a command line user types it
    (re.compile(r"^draw_dot: "), ""),
    (re.compile(r"size='([\w-]+)'"), r"--size \1"),
    (re.compile(r"\(size=\((\d+), \d+\) inches holds it\)"), r"(--size \1, in inches, holds it)"),
    (re.compile(r"rankdir='(\w+)'"), r"--rankdir \1"),
    (re.compile(r"collapse=None"), "no --collapse"),
    (re.compile(r"collapse=(\d+)"), r"--collapse \1"),
    (re.compile(r"leave collapse out"), "leave --collapse out"),
    (re.compile(r"\(collapse\b"), "(--collapse"),
)


def _cli_spelling(message: str, path: str) -> str:
    """A message written for Python callers (``collapse=1``) in the command line's words (``--collapse 1``)."""
    for pattern, words in _PYTHON_SPELLINGS:
        message = pattern.sub(words, message)
    return message.replace("pass max_nodes=None to draw it anyway",
                           f"write the DOT text at any size with --graph {Path(path).with_suffix('.dot')}")


def _write_html(trace: BackwardSteps, path: str, files: list[str], problems: list[str], rankdir: str = "auto") -> int:
    _refuse_big_html(trace, path)
    try:
        page = trace.html(rankdir)
    except RenderTimeout as error:
        problems.append(f"cannot write {path}: {_cli_spelling(str(error), path)}")
        return 1
    _write(path, page.encode())
    files.append(path)
    if shutil.which("dot") is None:  # the page still steps through every rule, without its pictures
        problems.append(f"wrote {path} without its pictures: {GRAPHVIZ_HELP}")
        return 1
    return 0


def _animation_options(ns: argparse.Namespace) -> dict[str, Any]:
    """save_animation's keyword arguments from the options, checked before any work."""
    suffix = Path(ns.animate).suffix.lower()
    if suffix not in ANIMATION_FORMATS:
        raise UsageError(f"--animate {ns.animate}: the suffix names the format; use one of "
                         + ", ".join(ANIMATION_FORMATS))
    size = ns.size or "slide"
    if size not in SIZES:
        raise UsageError(f"--animate takes a --size preset: {', '.join(SIZES)}; got {size}")
    for name, value in (("--frame-ms", ns.frame_ms), ("--hold-ms", ns.hold_ms)):
        if not 10 <= value <= 60_000:
            raise UsageError(f"{name} takes milliseconds from 10 to 60000, got {value:g}")
    return {"size": size, "frame_ms": ns.frame_ms, "hold_ms": ns.hold_ms, "rankdir": ns.rankdir or "LR"}


def _write_animation(trace: BackwardSteps, path: str, files: list[str], problems: list[str],
                     options: dict[str, Any]) -> int:
    _refuse_big_animation(trace, path)
    try:
        trace.save_animation(path, **options)
    except AnimationNeedsExtra as error:
        problems.append(f"did not write {path}: {error}")
        return 1
    except GraphvizNotFound:
        problems.append(f"did not write {path}: {GRAPHVIZ_HELP}")
        return 1
    except OSError as error:  # save_animation says which file it could not write, and why
        raise UsageError(str(error)) from None
    files.append(path)
    return 0


def _write(path: str, data: bytes) -> None:
    # whole or not at all; any output that cannot be written is status 1, as for standard output
    try:
        write_file(path, data)
    except OSError as error:
        raise WriteError(f"cannot write {path}: {error.strerror or error}") from None


def _fmt(x: Any) -> str:
    x = x.data if isinstance(x, Value) else float(x)
    return f"{x:.10g}"


class _Report:
    """The results of one run, as text for people or JSON for scripts."""

    def __init__(self, expression: Expression, values: dict[str, float], root: Value,
                 leaves: dict[str, Value], trace: BackwardSteps, derivatives: list[float] | None) -> None:
        self.expression = expression
        self.values = values
        self.root = root
        self.leaves = leaves
        self.trace = trace
        self.derivatives = derivatives
        self.extra = ""  # the --trace tables, printed last

    def text(self, *, steps: bool, demo: bool) -> str:
        lines = []
        if demo:
            lines += ["The classic neuron of micrograd's lecture, every step shown.", ""]
        given = ", ".join(f"{n} = {given_text(v)}" for n, v in self.values.items())
        lines.append(f"f = {self.expression.text}" + (f"    ({given})" if given else ""))
        lines.append(f"  = {_fmt(self.root.data)}")
        if self.derivatives is not None:
            (name,) = self.expression.variables
            labels = ["df/d" + name] + [f"d{str(k).translate(_SUPERSCRIPTS)}f/d{name}{str(k).translate(_SUPERSCRIPTS)}"
                                        for k in range(2, len(self.derivatives) + 1)]
            width = max(map(len, labels))
            lines += ["", f"derivatives with respect to {name}:"]
            lines += [f"  {label:<{width}} = {_fmt(d)}" for label, d in zip(labels, self.derivatives)]
        elif self.leaves:
            labels = [f"∂f/∂{name}" for name in self.leaves]
            width = max(map(len, labels))
            lines += ["", "gradients (backward):"]
            lines += [f"  {label:<{width}} = {_fmt(self.trace.pass_grad(leaf))}"
                      for label, leaf in zip(labels, self.leaves.values())]
        else:
            lines += ["", "(no variables, so no gradients)"]
        if steps and self.trace:
            lines += ["", str(self.trace), "", "each gradient as the chain rule's sum over its consumers:"]
            lines += ["  " + self.trace.grad_sum(leaf) for leaf in self.leaves.values()]
            lines += ["", "each gradient beside a finite-difference estimate:", self.trace.check()]
        if self.extra:
            lines += ["", self.extra]
        if demo:
            lines += ["", f"Try your own: {PROG} 'sigmoid(x) * log(y)' x=0.5 y=3 --steps",
                      f"         or: {PROG} --help"]
        return "\n".join(lines)

    def as_json(self, steps: bool, files: list[str]) -> dict[str, Any]:
        result: dict[str, Any] = {
            "expression": self.expression.text,
            "values": dict(self.values),
            "value": json_number(self.root.data),
            "gradients": {name: json_number(self.trace.pass_grad(leaf)) for name, leaf in self.leaves.items()},
        }
        if self.derivatives is not None:
            result["derivatives"] = [json_number(d) for d in self.derivatives]
        if steps:
            result["steps"] = [{
                "node": s.name, "op": s.op, "forward": s.forward, "value": json_number(s.node.data),
                "upstream": json_number(s.upstream), "rules": list(s.rules),
                "contributions": [{"parent": c.name, "local": json_number(c.local),
                                   "amount": json_number(c.amount),
                                   "grad_after": json_number(c.grad_after)} for c in s.contributions],
            } for s in self.trace]
        if files:
            result["files"] = files
        return result
