"""fastpath.py against value.py's plain code: the same values and grads, bit for bit.

Random graphs of every op in the table (operators with numbers on either side,
methods with and without parameters, variadic ops through apply and sum_of) are
built and backpropagated twice: once with value.py's plain code, once with the
fast paths installed. Every node's value and every grad must be the same float.
"""

from __future__ import annotations

import math
import operator
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite import (
    OPS,
    DomainError,
    Value,
    apply,
    fastpath,
    sum_of,
    topological_order,
)
from autograd_lite.core.ops import VARIADIC

from .op_info import info

OP_NAMES = sorted(OPS)
NUMBERS = st.one_of(st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0, -0.0]),
                    st.floats(-3.0, 3.0, allow_nan=False), st.integers(-3, 3))

# one instruction: an op, the indices of its operands among the nodes so far (taken modulo
# their count), a choice of parameter sample, a number for operators, and the form to use
INSTRUCTION = st.tuples(st.sampled_from(OP_NAMES), st.lists(st.integers(0, 10**6), min_size=1, max_size=4),
                        st.integers(0, 10**6), NUMBERS, st.integers(0, 2))
PROGRAM = st.tuples(st.lists(NUMBERS, min_size=1, max_size=4), st.lists(INSTRUCTION, min_size=1, max_size=25),
                    st.floats(-2.0, 2.0, allow_nan=False), st.booleans())


def _apply_one(name: str, pick: list[Any], param_choice: int, number: Any, form: int) -> list[Value]:
    op = OPS[name]
    samples = info(op).samples if info(op) is not None else ((),)
    params = samples[param_choice % len(samples)] if op.params else ()
    if op.arity == VARIADIC:
        if name == "sum" and form == 0:
            return [sum_of([*pick, number])]  # with a constant term
        if op.paired and len(pick) % 2:
            pick = [*pick, number]  # dot takes pairs: one with a constant
        kwargs = {p: v for p, v in zip(op.params, params) if p != "i"}
        out = apply(op, pick, **kwargs)
        return out if isinstance(out, list) else [out]
    x = pick[0]
    if op.dunder is not None:
        y = pick[1 % len(pick)]
        fn = getattr(operator, op.dunder)
        return [fn(x, y) if form == 0 else fn(x, number) if form == 1 else fn(number, x)]
    if name == "neg":
        return [-x]
    if name == "pow_const":
        return [x ** params[0]]
    if name == "pow":
        return [x ** pick[1 % len(pick)] if form else number ** x]
    if op.is_function and op.arity == 1:
        method = getattr(x, name)
        return [method(*params) if form or not params else method(**dict(zip(op.params, params)))]
    operands = [pick[k % len(pick)] for k in range(op.arity)]  # maximum, minimum, ...
    return [apply(op, *(operands if form else [*operands[:-1], number]), **dict(zip(op.params, params)))]


def _build(program: Any) -> tuple[list[Value], Value, list[Value]]:
    numbers, instructions, _, _ = program
    leaves = [Value(v, label=f"x{k}") for k, v in enumerate(numbers)]
    nodes: list[Value] = list(leaves)
    for name, indices, param_choice, number, form in instructions:
        pick = [nodes[k % len(nodes)] for k in indices]
        try:
            nodes += _apply_one(name, pick, param_choice, number, form)
        except (DomainError, ValueError, OverflowError, ZeroDivisionError):
            continue  # the same skip in both runs: the values are the same
    root = sum_of(nodes[len(leaves):]) if len(nodes) > len(leaves) else leaves[0] * 1.0
    return leaves, root, nodes


def _bits(x: Any) -> bytes:
    x = x.data if isinstance(x, Value) else x
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def _run(program: Any, fast: bool) -> list[bytes]:
    (fastpath.install if fast else fastpath.uninstall)()
    try:
        _, _, seed, create_graph = program
        leaves, root, nodes = _build(program)
        record = [_bits(n.data) for n in nodes] + [_bits(root.data)]
        root.backward(seed, create_graph=create_graph)
        record += [_bits(n.grad) for n in topological_order(root)]
        root.backward(create_graph=create_graph)  # twice: leaves accumulate
        record += [_bits(n.grad) for n in topological_order(root)] + [_bits(x.grad) for x in leaves]
        return record
    finally:
        fastpath.install()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROGRAM)
def test_fast_paths_and_the_plain_loop_agree_bit_for_bit(program):
    assert _run(program, fast=False) == _run(program, fast=True)


def test_the_random_graphs_reach_every_op_of_the_table():
    made = set()
    for name in OP_NAMES:
        x, y = Value(0.7), Value(1.3)
        for form in range(3):
            for out in _apply_one(name, [x, y, Value(0.2)], 0, 2.0, form):
                made.add(out.op)
    assert made == set(OPS)


def test_the_fast_paths_are_installed_and_say_what_they_replace():
    assert Value.backward is fastpath.backward
    assert Value.__mul__ is fastpath._fast["__mul__"]
    for name, method in fastpath._fast.items():
        assert method.__doc__ == fastpath._plain[name].__doc__ and method.__doc__
    fastpath.uninstall()
    try:
        assert Value.backward is fastpath._plain["backward"]
        x = Value(3.0)
        (x * x).backward()
        assert x.grad == 6.0
    finally:
        fastpath.install()
    assert Value.backward is fastpath.backward


def test_the_fast_sort_gives_the_plain_order_without_leaves():
    a, b = Value(1.0), Value(2.0)
    c = (a * b + a).exp() * sum_of([a, b, a * b])
    plain = [n for n in topological_order(c) if not n.is_leaf]
    assert fastpath.sorted_for_backward(c) == plain
    with pytest.raises(TypeError, match="Value"):
        fastpath.sorted_for_backward(1.0)
