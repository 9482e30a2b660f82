"""Pictures of one value used many times: how long Graphviz takes, side by side.

``python benchmarks/fanout.py`` draws, for 100, 1,000 and 2,000 uses of one
variable ``x``:

* ``x + x + … + x`` and ``x * x * … * x`` through the command line, ``--graph g.svg``
  and ``--html page.html`` (the page stops at 400 steps: bigger ones are refused
  at once, and that refusal is timed too);
* ``y = y * x`` in a Python loop, through ``draw_dot(...).pipe("svg")``;
* beside them, the same chain with a different variable in each term
  (``x0 + x1 + …``), which has no shared input: the cost of the chain itself.

The target (issue 27) is under 5 s for each on a 2-core machine. Before the
far uses of a value were drawn again beside them, 100 uses never finished.
``--sizes 100,1000`` picks the sizes; ``--timeout S`` (default 120) stops a
command that hangs. Times are wall-clock seconds of one run each: noisy on a
shared machine, so compare rows from one run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from autograd_lite import Value, draw_dot


def cli(args: list[str], timeout: float) -> str:
    """Seconds the command line takes for ``args``, or why it did not finish."""
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "autograd_lite", *args], check=False, capture_output=True,
                              timeout=timeout, text=True)
    except subprocess.TimeoutExpired:
        return f"> {timeout:g} s (stopped)"
    took = time.perf_counter() - start
    note = "" if done.returncode == 0 else f" (exit {done.returncode}: refused)"
    return f"{took:6.2f} s{note}"


def loop(n: int, timeout: float) -> str:
    """Seconds ``y = y * x`` n times takes to draw as SVG, in a child process (so a hang stops)."""
    code = ("import sys; from autograd_lite import Value, draw_dot\n"
            "x = Value(1.0001, label='x'); y = Value(1.0, label='y0')\n"
            f"for _ in range({n}): y = y * x\n"
            "y.backward(); draw_dot(y, max_nodes=None).pipe(format='svg')\n")
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-c", code], check=True, timeout=timeout, capture_output=True)
    except subprocess.TimeoutExpired:
        return f"> {timeout:g} s (stopped)"
    return f"{time.perf_counter() - start:6.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,2000", help="uses of x, comma-separated")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run is stopped")
    ns = parser.parse_args(argv)
    sizes = [int(s) for s in ns.sizes.split(",")]
    draw_dot(Value(1.0) * 2)  # imports warmed once
    with tempfile.TemporaryDirectory() as tmp:
        svg, page = os.path.join(tmp, "g.svg"), os.path.join(tmp, "page.html")
        rows = []
        for n in sizes:
            add = "+".join(["x"] * n)
            mul = "*".join(["x"] * n)
            distinct = "+".join(f"x{k}" for k in range(n))
            values = [f"x{k}=1" for k in range(n)]
            rows.append((n, {
                "x+…+x --graph": cli([add, "x=1", "--graph", svg], ns.timeout),
                "x*…*x --graph": cli([mul, "x=1.0001", "--graph", svg], ns.timeout),
                "x+…+x --html": cli([add, "x=1", "--html", page], ns.timeout),
                "x*…*x --html": cli([mul, "x=1.0001", "--html", page], ns.timeout),
                "y=y*x loop, draw_dot": loop(n, ns.timeout),
                "x0+x1+… --graph (no sharing)": cli([distinct, *values, "--graph", svg], ns.timeout),
            }))
    names = list(rows[0][1])
    width = max(map(len, names))
    print(f"{'uses of x':<{width}}  " + "  ".join(f"{n:>22,}" for n, _ in rows))
    for name in names:
        print(f"{name:<{width}}  " + "  ".join(f"{r[name]:>22}" for _, r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
