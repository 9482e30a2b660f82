"""Instruction counts: each workload's step counted by valgrind, beside a stored baseline.

    python benchmarks/instructions.py                      # every workload, against the baseline
    python benchmarks/instructions.py --workload mlp_step  # one workload
    python benchmarks/instructions.py --fail-above 5       # exit 1 if a step counts > 5% over its baseline
    python benchmarks/instructions.py --save               # store today's counts as the baseline
    python benchmarks/run.py --instructions                # the same, from the main runner

Timed ratios on a shared machine swing by a third from one run to the next, so a
regression of a few percent hides in them. The number of instructions the
processor executes for one step does not depend on the machine's load: valgrind's
cachegrind counts them (``I refs``), the same from run to run within about 0.1%.

Each workload runs in a fresh ``python`` under valgrind, twice: setup and a warm-up
step, then either nothing more or ``--steps`` more steps. The difference, divided by
the steps, is one step's count, with the interpreter's start, the imports, the model's
construction and the warm-up (CPython specialising its bytecode) taken out. The steps
are deterministic: fixed seeds, fixed data, ``PYTHONHASHSEED=0``, no timing, and each
step ends with ``gc.collect()`` (freeing the graph is part of the step, as in run.py).

The baseline (``benchmarks/instructions.json``) holds each workload's count, the commit
it was counted at and the Python it ran on; counts from another Python version are
not comparable and are shown without a verdict. More than 2% above the baseline is a
regression; CI fails above 5% (``--fail-above 5``), to leave room for a different
CPython build.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "instructions.json"
REGRESSION = 2.0  #: percent above the baseline that counts as a regression
DEFAULT_STEPS = 2


# --- the workloads (run in the child process) ---------------------------------------------


def _beside() -> None:
    """Make run.py and microgpt.py (beside this file) importable."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))


def _mlp(same_graph: bool) -> Callable[[], Any]:
    _beside()
    import run  # benchmarks/run.py: the demo step, its data and its weights

    engine = run.AutogradLite()
    weights = run.shared_weights()
    model, params = engine.mlp_same_graph(weights) if same_graph else engine.mlp(weights)
    return lambda: run.mlp_step(engine, model, params)


def _gpt(module: bool) -> Callable[[], Any]:
    _beside()
    import microgpt  # benchmarks/microgpt.py: the GPT step, its names and its weights

    engine = microgpt.make_engine(microgpt.MODULE if module else microgpt.OURS)
    tokens = microgpt.documents(0, 1)[0]
    return lambda: engine.step(tokens)


#: name -> (what it is, a function that sets it up and returns one step)
WORKLOADS: dict[str, tuple[str, Callable[[], Callable[[], Any]]]] = {
    "mlp_step": ("micrograd's MLP demo step, our nn.MLP (2-16-16-1, 100 points, hinge + L2, SGD)",
                 lambda: _mlp(same_graph=False)),
    "mlp_step_same_graph": ("the same step on micrograd's exact graph (a + per weight)",
                            lambda: _mlp(same_graph=True)),
    "microgpt": ("the microgpt step, microgpt's code unchanged on Value (one name, backward, Adam)",
                 lambda: _gpt(module=False)),
    "microgpt_nn_gpt": ("the same step through nn.GPT", lambda: _gpt(module=True)),
}


def child(name: str, steps: int) -> None:
    """Set up ``name``, take one warm-up step, then ``steps`` steps: what valgrind counts."""
    # this checkout's autograd_lite, installed or not, or another checkout's (--against)
    sys.path.insert(0, os.environ.get("AUTOGRAD_LITE_SOURCE") or str(HERE.parent))
    import autograd_lite  # first, so that the workload's own sys.path entry does not win

    if not hasattr(autograd_lite, "compile"):  # an old checkout (--against): run.py's replay rows cannot load,
        import types  # and the counted steps do not use them

        sys.modules["replay"] = types.ModuleType("replay")

    step = WORKLOADS[name][1]()
    step()
    gc.collect()
    for _ in range(steps):
        step()
        gc.collect()


# --- counting (the parent) ----------------------------------------------------------------


def count(name: str, steps: int, source: str | None = None) -> int:
    """Instructions of a fresh interpreter that sets up ``name`` and takes 1 + ``steps`` steps.

    ``source``: the directory of another checkout whose autograd_lite is counted instead.
    """
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "valgrind.log"
        command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--branch-sim=no",
                   f"--cachegrind-out-file={Path(tmp) / 'out'}", f"--log-file={log}",
                   sys.executable, str(Path(__file__).resolve()), "--child", name, "--steps", str(steps)]
        env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1", AUTOGRAD_LITE_SOURCE=source or "")
        done = subprocess.run(command, check=False, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        match = re.search(r"I\s+refs:\s+([\d,]+)", text)
        if done.returncode != 0 or not match:
            raise SystemExit(f"valgrind could not count {name!r} (status {done.returncode}):\n"
                             f"{done.stderr[-2000:]}{text[-1000:]}")
        return int(match.group(1).replace(",", ""))


def per_step(name: str, steps: int, source: str | None = None) -> int:
    """One step's instructions: (setup + 1 + steps) − (setup + 1), divided by ``steps``."""
    return round((count(name, steps, source) - count(name, 0, source)) / steps)


def commit() -> str:
    """This checkout's commit (short), with ``+`` when it has uncommitted changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], check=False, cwd=HERE, capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return head + ("+" if dirty else "")


def python_version() -> str:
    return ".".join(platform.python_version_tuple()[:2])


def load_baseline(path: Path = BASELINE) -> dict[str, Any]:
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("workloads", {}))


def verdict(measured: int, base: dict[str, Any] | None, python: str) -> tuple[str, float | None]:
    """A line's last column and the change in percent (None when there is nothing to compare)."""
    if not base:
        return "no baseline", None
    if base.get("python") != python:
        return f"baseline is from Python {base.get('python')}: not compared", None
    change = 100.0 * (measured / base["instructions"] - 1)
    return ("REGRESSION" if above(measured, base["instructions"], REGRESSION) else "ok"), change


def above(measured: int, baseline: int, percent: float) -> bool:
    """More than ``percent`` above the baseline (2% of 1,000,000 is 20,000 exactly, not 20,000.000001)."""
    return measured * 100 > baseline * (100 + percent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS),
                        help="count only this workload (repeatable); default: all")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                        help=f"steps counted after the warm-up (default {DEFAULT_STEPS})")
    parser.add_argument("--repeat", type=int, default=1, help="count each workload this many times (spread)")
    parser.add_argument("--fail-above", type=float, metavar="PERCENT",
                        help="exit with status 1 if a workload counts more than PERCENT above its baseline")
    parser.add_argument("--against", metavar="DIR",
                        help="also count the autograd_lite of another checkout (e.g. from git worktree add)")
    parser.add_argument("--save", action="store_true", help=f"store the counts as the baseline ({BASELINE.name})")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.steps)
        return 0
    if args.steps < 1 or args.repeat < 1:
        parser.error("--steps and --repeat take a whole number of 1 or more")
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind): no instruction counts", file=sys.stderr)
        return 2
    names = args.workload or list(WORKLOADS)
    baseline = load_baseline()
    python = python_version()
    started = time.monotonic()
    print(f"instructions per step (valgrind cachegrind, Python {platform.python_version()}, "
          f"{args.steps} steps after a warm-up; baseline: {BASELINE.name})")
    print(f"{'workload':<22}{'count':>15}{'baseline':>15}  {'commit':<9}{'change':>8}")
    measured: dict[str, int] = {}
    failed = []
    for name in names:
        counts = [per_step(name, args.steps) for _ in range(args.repeat)]
        measured[name] = counts[0]
        base = baseline.get(name)
        word, change = verdict(counts[0], base, python)
        spread = ""
        if len(counts) > 1:
            spread = f"   {len(counts)} counts: {min(counts):,}–{max(counts):,} " \
                     f"(±{50.0 * (max(counts) - min(counts)) / min(counts):.2f}%)"
        base_cells = f"{base['instructions']:>15,}  {base['commit']:<9}" if base else f"{'—':>15}  {'':<9}"
        change_cell = f"{change:+7.1f}%" if change is not None else f"{'':>8}"
        print(f"{name:<22}{counts[0]:>15,}{base_cells}{change_cell}  {word}{spread}", flush=True)
        if args.against:
            other = per_step(name, args.steps, str(Path(args.against).resolve()))
            print(f"{'  ' + args.against:<22}{other:>15,}   (this checkout: {100.0 * (counts[0] / other - 1):+.1f}%)",
                  flush=True)
        if args.fail_above is not None and change is not None and above(counts[0], base["instructions"],
                                                                          args.fail_above):
            failed.append(f"{name} {change:+.1f}%")
    print(f"({time.monotonic() - started:.0f} s; a regression is more than {REGRESSION:g}% above the baseline)")
    if args.save:
        stored = {"workloads": load_baseline()}
        when = time.strftime("%Y-%m-%d")
        for name, value in measured.items():
            stored["workloads"][name] = {"instructions": value, "commit": commit(), "python": python,
                                         "date": when, "what": WORKLOADS[name][0]}
        BASELINE.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {BASELINE}")
    if failed:
        print(f"more than {args.fail_above:g}% above the baseline: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
