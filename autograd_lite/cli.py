"""The command line: ``python -m autograd_lite`` (or ``autograd-lite``).

With no arguments it runs the demo: the classic neuron
``o = tanh(x1*w1 + x2*w2 + b)``, its value and every gradient.

Example:
    >>> main([])  # doctest: +ELLIPSIS
    The classic neuron: o = tanh(x1*w1 + x2*w2 + b)
    ...
    0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .value import Value, topological_order

__all__ = ["demo", "main"]


def demo(out: object = None) -> Value:
    """Build the classic neuron, backprop through it and print every gradient.

    Example:
        >>> o = demo(out=False)
        >>> round(o.data, 4)
        0.7071
    """
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    if out is False:
        return o
    write = print if out is None else out  # type: ignore[assignment]
    write("The classic neuron: o = tanh(x1*w1 + x2*w2 + b)")
    write("")
    write(f"  o = {o.data:.6f}")
    write("")
    write("Gradients (backward, chain rule; do/dn = 1 − o²):")
    nodes = [node for node in topological_order(o) if node.label]
    width = max(len(node.label) for node in nodes)  # type: ignore[arg-type]
    for node in reversed(nodes):
        write(f"  do/d{node.label:<{width}} = {node.grad: .6f}    ({node.label} = {node.data:g})")
    return o


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m autograd_lite``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="autograd-lite",
        description="A scalar autodiff engine. With no arguments: a worked example "
        "(the classic neuron), its value and every gradient.",
    )
    parser.add_argument("command", nargs="?", choices=["demo"], default="demo",
                        help="what to run (default: demo)")
    parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        demo()
    except BrokenPipeError:  # output piped into `head`: stop quietly
        sys.stderr.close()
        return 0
    return 0
