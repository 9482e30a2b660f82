"""``autograd-lite exercises``: a graded task pack, in the spirit of minitorch's tasks.

``autograd-lite exercises new DIR`` writes the stub files (:mod:`.taskpack`):
the local derivative rules of five ops, ``topological_order``, ``backward`` and
a ``Neuron``. ``autograd-lite exercises check DIR`` grades them, each task in a
process of its own (:mod:`.grading`) with a time limit, so an endless loop is
reported as one, and a crash or a RecursionError as a message with the line
it came from, never a traceback. Exit status: 0 when every task graded
passes, 1 when one fails, 2 for bad usage.

Example:
    >>> import tempfile, io
    >>> folder = tempfile.mkdtemp()
    >>> main(["new", folder], stdout=io.StringIO())
    0
    >>> sorted(p.name for p in Path(folder).iterdir())[:2]
    ['README.txt', 'task1_rules.py']
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .taskpack import STUBS, TASKS

__all__ = ["TIME_LIMIT", "check", "main"]

PROG = "autograd-lite exercises"
#: seconds each task may run before it is stopped and reported
TIME_LIMIT = 30.0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="A graded task pack: write stubs, fill them in, get them graded.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{new,check}", parser_class=_Parser)
    new = commands.add_parser("new", help="write the stub files into DIR (a new or empty directory)")
    new.add_argument("directory", metavar="DIR")
    check = commands.add_parser("check", help="grade the tasks in DIR")
    check.add_argument("directory", metavar="DIR")
    check.add_argument("--task", choices=list(TASKS), action="append",
                       help="grade only this task (repeat for more); default: all")
    check.add_argument("--time-limit", type=float, default=TIME_LIMIT, metavar="SECONDS",
                       help=f"stop a task that runs longer (default {TIME_LIMIT:g})")
    check.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Run ``autograd-lite exercises`` with ``argv``; returns the exit status."""
    out = stdout if stdout is not None else sys.stdout
    try:
        ns = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 2
    try:
        if ns.command == "new":
            return _new(Path(ns.directory), out)
        if not ns.time_limit > 0:
            raise _Usage(f"--time-limit must be a positive number of seconds, got {ns.time_limit:g}")
        return _check(Path(ns.directory), ns.task or list(TASKS), ns.time_limit, ns.json, out)
    except _Usage as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


class _Usage(Exception):
    pass


def _new(folder: Path, out: TextIO) -> int:
    existing = [name for name in STUBS if (folder / name).exists()]
    if existing:
        raise _Usage(f"{folder / existing[0]} exists already: nothing was written (pick a new directory, "
                     "so your work is never overwritten)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in STUBS.items():
            (folder / name).write_text(text, encoding="utf-8")
    except OSError as error:
        raise _Usage(f"cannot write the stubs into {folder}: {error.strerror or error}") from None
    out.write(f"wrote {len(STUBS)} files into {folder}:\n")
    out.writelines(f"  {name}\n" for name in STUBS)
    out.write(f"Fill in the TODOs, then: {PROG} check {folder}\n")
    return 0


def check(folder: str | Path, task: str, time_limit: float = TIME_LIMIT) -> dict[str, Any]:
    """Grade one task of ``folder`` in a process of its own: ``{"task", "passed", "message"}``.

    The learner's code runs in that process: an endless loop is stopped after
    ``time_limit`` seconds, and whatever it raises or prints comes back as a message.
    """
    command = [sys.executable, "-m", "autograd_lite.cli.grading", str(folder), task]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace",
                              timeout=time_limit, env=env, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"task": task, "passed": False,
                "message": f"still running after {time_limit:g} s, so it was stopped: an endless loop? "
                           "(a while loop whose condition never changes, or a walk that revisits nodes "
                           "along every path)"}
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        result = None
    if not isinstance(result, dict) or set(result) != {"task", "passed", "message"}:
        last = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return {"task": task, "passed": False,
                "message": f"the grading process ended without a result: {last[0][:200]}"}
    return result


def _check(folder: Path, tasks: list[str], time_limit: float, as_json: bool, out: TextIO) -> int:
    if not folder.is_dir():
        raise _Usage(f"{folder} is not a directory: `{PROG} new {folder}` writes the stubs")
    results = [check(folder, task, time_limit) for task in dict.fromkeys(tasks)]
    passed = sum(r["passed"] for r in results)
    if as_json:
        out.write(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    else:
        for r in results:
            file, what = TASKS[r["task"]]
            out.write(f"{'PASS' if r['passed'] else 'FAIL'}  {file}  ({what})\n      {r['message']}\n")
        out.write(f"{passed} of {len(results)} {'task passes' if len(results) == 1 else 'tasks pass'}.\n")
    return 0 if passed == len(results) else 1
