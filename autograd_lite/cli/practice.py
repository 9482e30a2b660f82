"""``autograd-lite practice``: the learner predicts a gradient, the engine grades it.

A ladder of generated exercises (:mod:`autograd_lite.views.practice`): one op,
a neuron, a shared input used twice, a softmax row, a node of a two-layer
MLP. Each asks for ∂f/∂x at given values; an answer within a relative 1e-3 of
the engine's is right; a wrong one is explained with the backward steps of
the nodes between x and f. A score ends the run. ``--seed`` gives a class the
same set (the same seed and ``--count`` ask the same questions in the same
order), ``--level`` fixes the rung, ``--json`` prints the exercises with
their answers for teachers who build their own quizzes.

An answer is a number (``0.25``, ``-1e-3``) or arithmetic on numbers
(``1 - 0.5**2``, read by the same safe parser as expressions, never eval);
``skip`` shows the answer, ``quit`` (or Ctrl-D) stops with the score so far.

Example:
    >>> import io
    >>> main(["--seed", "3", "--count", "1"], stdin=io.StringIO("1.4918\\n"), stdout=io.StringIO())
    0
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from ..core.expression import ExpressionError, parse
from ..views.notation import format_number
from ..views.practice import LEVELS, MAX_COUNT, TOLERANCE, Exercise, exercises

__all__ = ["main"]

PROG = "autograd-lite practice"
HELP_LINE = "type a number (0.25, -1e-3) or arithmetic on numbers (1 - 0.5**2); 'skip' shows the answer, 'quit' stops"


class _Stop(Exception):
    """The learner stopped: Ctrl-D or quit."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{PROG}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    levels = "; ".join(f"{k} {name}" for k, name in LEVELS.items())
    parser = _Parser(prog=PROG, description="Answer generated gradient questions; the engine grades "
                     f"them (right within a relative {TOLERANCE:g}) and explains the wrong ones.",
                     epilog=f"levels: {levels}. Without --level the questions climb from 1 to 5.\n"
                            f"answers: {HELP_LINE}; Ctrl-D stops too.")
    parser.add_argument("--level", type=int, choices=sorted(LEVELS), help="ask only at this level")
    parser.add_argument("--seed", type=int, default=None,
                        help="the same seed and count ask the same questions in the same order (default: random)")
    parser.add_argument("--count", type=int, default=5, help=f"how many questions (1 to {MAX_COUNT}, default 5)")
    parser.add_argument("--json", action="store_true",
                        help="print the exercises with their answers as JSON instead of asking them")
    return parser


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run ``autograd-lite practice`` with ``argv``; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    inp = stdin if stdin is not None else sys.stdin
    out = stdout if stdout is not None else sys.stdout
    try:
        ns = _parser().parse_args(args)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 2
    if not 1 <= ns.count <= MAX_COUNT:
        print(f"{PROG}: error: --count must be from 1 to {MAX_COUNT}, got {ns.count}", file=sys.stderr)
        return 2
    seed = ns.seed if ns.seed is not None else int.from_bytes(os.urandom(4), "big")
    items = exercises(ns.level, seed, ns.count)
    if ns.json:
        out.write(json.dumps([e.as_json() for e in items], indent=2, ensure_ascii=False) + "\n")
        return 0
    return _play(items, seed, inp, out)


def _play(items: list[Exercise], seed: int, inp: TextIO, out: TextIO) -> int:
    out.write(f"Practice: {len(items)} question{'s' if len(items) != 1 else ''} (seed {seed}). "
              f"An answer within a relative {TOLERANCE:g} of the engine's is right.\n{HELP_LINE}.\n")
    right = asked = 0
    try:
        for k, item in enumerate(items, 1):
            out.write(f"\nQuestion {k} of {len(items)} (level {item.level}: {item.kind})\n{item.question}\n")
            answer = _ask(item, inp, out)
            asked += 1
            if answer is None:
                out.write(f"The answer: ∂f/∂{item.wrt} = {format_number(item.answer, 6)}\n{item.explain()}\n")
            elif item.grade(answer):
                right += 1
                out.write(f"RIGHT: the engine says {format_number(item.answer, 6)}.\n")
            else:
                out.write(f"WRONG: you said {format_number(answer, 6)}, the engine says "
                          f"{format_number(item.answer, 6)}.\n{item.explain()}\n")
    except _Stop:
        out.write(f"\nStopped. Score: {right} of {asked} answered.\n")
        return 0
    except KeyboardInterrupt:
        out.write(f"\nInterrupted. Score: {right} of {asked} answered.\n")
        out.flush()
        return 130
    out.write(f"\nScore: {right} of {asked}.\n")
    return 0


def _ask(item: Exercise, inp: TextIO, out: TextIO) -> float | None:
    """The learner's answer as a number; None for 'skip'. Raises _Stop for Ctrl-D or 'quit'."""
    while True:
        out.write(f"∂f/∂{item.wrt} = ")
        out.flush()
        line = inp.readline()
        if not line:  # end of input: Ctrl-D
            out.write("\n")
            raise _Stop
        text = line.strip()
        if text.lower() in ("q", "quit", "exit"):
            raise _Stop
        if text.lower() in ("s", "skip", "show"):
            return None
        if not text:
            out.write(f"(nothing typed: {HELP_LINE})\n")
            continue
        number, problem = read_number(text)
        if problem:
            out.write(f"({problem})\n")
            continue
        return number


def read_number(text: str) -> tuple[float, str]:
    """``text`` as a number, or a message saying why it is not one: ``(number, "")`` or ``(nan, why)``.

    Example:
        >>> read_number("1 - 0.5**2"), read_number("x")[1]
        ((0.75, ''), "'x' is not a number: type a number such as 0.25, or arithmetic on numbers")
    """
    try:
        number = float(text)
    except ValueError:
        try:
            expression = parse(text)
        except ExpressionError:
            expression = None
        if expression is None or expression.variables:
            shown = text if len(text) <= 40 else text[:39] + "…"
            return math.nan, f"{shown!r} is not a number: type a number such as 0.25, or arithmetic on numbers"
        try:
            number = expression.build({})[0].data
        except ExpressionError as error:
            return math.nan, f"{text}: {error.message}"
    if not math.isfinite(number):
        return math.nan, "give a finite number"
    return number, ""
