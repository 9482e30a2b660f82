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
command that hangs.

A second table draws a sum of 40, 80 and 150 terms ``tanh(x*k+y*k)*sin(y+i)``
(x and y each feed hundreds of ops, all in one rank) with ``--graph g.svg``,
beside Graphviz on the same DOT text with its full placement search (without
the ``nslimit=1`` that pictures of more than 1,000 nodes get): 150 terms took
over 120 s before (review finding 3); ``--terms 40,150`` picks the sizes. Times are wall-clock seconds of one run each: noisy on a
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
    parser.add_argument("--terms", default="40,80,150", help="terms of tanh(x*k+y*k)*sin(y+i), comma-separated")
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
    print()
    with tempfile.TemporaryDirectory() as tmp:
        few_feed_many(os.path.join(tmp, "g.svg"), [int(t) for t in ns.terms.split(",")], ns.timeout)
    return 0


def few_feed_many(svg: str, sizes: list[int], timeout: float) -> None:
    """Two variables feeding hundreds of ops: the command line beside Graphviz's full placement search."""
    rows = []
    for n in sizes:
        text = " + ".join(f"tanh(x*{k % 9 + 1}+y*{k % 9 + 1})*sin(y+{k})" for k in range(n))
        dot_file = svg[:-4] + ".dot"
        made = subprocess.run([sys.executable, "-m", "autograd_lite", text, "x=1", "y=2", "--graph", dot_file],
                              check=False, capture_output=True, text=True)
        if made.returncode:
            raise SystemExit(f"the DOT text of {n} terms was not written: {made.stderr}")
        with open(dot_file, encoding="utf-8") as f:
            full = f.read().replace("\tnslimit=1\n", "")
        start = time.perf_counter()
        try:
            subprocess.run(["dot", "-Tsvg", "-o", os.devnull], input=full, text=True, check=True,
                           capture_output=True, timeout=timeout)
            searched = f"{time.perf_counter() - start:6.2f} s"
        except subprocess.TimeoutExpired:
            searched = f"> {timeout:g} s (stopped)"
        rows.append((n, len(text), cli([text, "x=1", "y=2", "--graph", svg], timeout), searched))
    print(f"{'terms of tanh(x*k+y*k)*sin(y+i)':<34}{'characters':>12}{'--graph g.svg':>22}"
          f"{'full placement search':>26}")
    for n, chars, now, searched in rows:
        print(f"{n:<34,}{chars:>12,}{now:>22}{searched:>26}")


if __name__ == "__main__":
    sys.exit(main())
