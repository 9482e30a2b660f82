"""One notation for tables, steps, pictures and pages: names, numbers, formulas."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value, draw_dot, trace_backward
from autograd_lite.core.value import topological_order
from autograd_lite.nn import MLP, losses
from autograd_lite.views.notation import (
    check_label,
    dot_text,
    fill,
    format_number,
    grad_of,
    html_text,
    is_atomic,
    node_names,
    plural,
    printed_operands,
    shorten,
    symbol,
)


def test_a_compound_name_before_grad_is_parenthesised():
    x1, w1, b = Value(2.0, label="x1"), Value(-3.0, label="w1"), Value(1.0, label="b")
    n = x1 * w1 + b
    n.label = "x1*w1 + b"
    o = n.tanh()
    o.label = "o"
    step = str(trace_backward(o)[0])
    assert "(x1*w1 + b).grad += " in step and "→  (x1*w1 + b).grad = " in step
    assert " x1*w1 + b.grad" not in step
    assert grad_of("L0.N3.w1") == "L0.N3.w1.grad"  # a dotted name is one name


def test_no_double_parentheses():
    x = Value(0.5, label="x")
    n = x * 2 + 1
    n.label = "x*2 + 1"
    o = n.tanh()
    o.label = "o"
    step = str(trace_backward(o)[0])
    assert "tanh(x*2 + 1)" in step and "((" not in step
    assert fill("exp({x})", {"x": "(a + b)"}) == "exp(a + b)"
    assert fill("{a} · {b}", {"a": "(a + b)", "b": "c"}) == "(a + b) · c"
    assert symbol("(a + b)") == "(a + b)" and symbol("(a) + (b)") == "((a) + (b))"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab+*() ", min_size=1, max_size=60), st.integers(4, 40))
def test_a_cut_name_keeps_its_parentheses_balanced(text, limit):
    cut = shorten(text, limit)
    assert len(cut) <= limit
    if text.count("(") == text.count(")") and _balanced(text):
        assert _balanced(cut), (text, cut)


def _balanced(text):
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


def test_the_command_lines_labels_are_cut_balanced():
    from autograd_lite.core.expression import parse

    root, _ = parse("exp(x*(y + z + x*y*z*x*y)) * log(x + 1)").build({"x": 1.0, "y": 1.0, "z": 1.0})
    assert any("…" in (node.label or "") for node in topological_order(root))
    for node in topological_order(root):
        if node.label:
            assert _balanced(node.label), node.label


def test_every_node_in_a_table_has_a_distinct_name():
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    loss = losses.mse([model([1.0, 2.0]), model([0.5, -1.0])], [1.0, -1.0])
    order = topological_order(loss)
    names = node_names(order)
    assert len(set(names.values())) == len(order)
    ones = [names[n] for n in order if n.is_constant and n.data == 1.0]
    assert len(ones) >= 2 and "1" not in ones  # two constants 1 are not both "1"
    a, b = Value(1.0, label="x"), Value(2.0, label="x")
    t1 = Value(3.0, label="t1")  # a label that looks like a generated name
    y = (a + b) * t1
    names = node_names(topological_order(y))
    assert names[a] == "x#1" and names[b] == "x#2"
    assert sorted(names.values()) == ["t1", "t2", "t3", "x#1", "x#2"]


def test_numbers_carry_the_digits_that_make_the_arithmetic_right():
    x = Value(-6.0, label="x")
    y = x.tanh()
    y.label = "y"
    rule = trace_backward(y)[0].rules[0]
    assert rule == "∂y/∂x = 1 − y² = 1 − (-0.99998771)² = 2.458e-05"
    # the printed numbers, evaluated as printed, give the printed result
    assert format_number(1 - float("-0.99998771") ** 2) == "2.458e-05"
    assert printed_operands(lambda a, b: a * b, (1.0986122886681098, 0.2350037122015945)) == (
        ["1.0986", "0.235"], "0.2582")


@settings(max_examples=300, deadline=None)
@given(st.floats(-50, 50, allow_nan=False), st.floats(-50, 50, allow_nan=False))
def test_every_chain_line_is_right_as_printed(a, b):
    x, w = Value(a, label="x"), Value(b, label="w")
    y = (x * w).tanh() * x
    y.label = "y"
    for step in trace_backward(y):
        for line in str(step).splitlines():
            if "chain" in line:
                match = re.search(r"\+= (\(?[-\d.e+]+\)?) × (\(?[-\d.e+]+\)?) = ([-\d.e+]+|inf|nan)", line)
                g, d, printed = (s.strip("()") for s in match.groups())
                assert format_number(float(g) * float(d)) == printed, line


def test_one_step_not_one_steps():
    x = Value(0.5, label="x")
    y = x.exp()
    y.label = "y"
    trace = trace_backward(y)
    assert "1 step (seed" in trace.table() and "1 steps" not in trace.table()
    assert "1 step over 2 nodes" in repr(trace)
    assert plural(2, "node") == "2 nodes" and plural(1, "node") == "1 node"


def test_atomic_names():
    assert all(is_atomic(s) for s in ["x", "x1", "L0.N3.w1", "0.5", "1e-05", "1#2", "tanh(a + b)", "α", "ℌ"])
    assert not any(is_atomic(s) for s in ["a + b", "-3", "x*w", "(a)+(b)", "", "a b"])


def test_labels_are_text_not_markup():
    x = Value(1.0, label="&amp; <b>")
    y = x * 2
    y.label = "y|{z}"
    source = draw_dot(y).source
    assert "&amp;amp; \\<b\\>" in source and "y\\|\\{z\\}" in source
    svg = draw_dot(y).pipe(format="svg", encoding="utf-8")
    assert "&amp;amp; &lt;b&gt;" in svg  # the SVG text shows "&amp; <b>" as written
    assert dot_text("a\\b") == "a\\\\b" and html_text("&amp;") == "&amp;amp;"


@pytest.mark.parametrize("label", ["a\x00b", "\ud800", "tab\x07"])
def test_a_label_no_picture_can_show_is_a_clear_error(label):
    x = Value(1.0, label=label)
    with pytest.raises(ValueError, match="labels are plain text"):
        draw_dot(x * 2)
    with pytest.raises(ValueError, match="labels are plain text"):
        check_label(label)


def test_format_number_is_short_and_exact_for_integers():
    assert [format_number(v) for v in (0.0, -0.0, 1e15, 123456.0, 1 / 3, -2.5e-9, math.inf)] == [
        "0", "0", "1e+15", "123456", "0.3333", "-2.5e-09", "inf"]
    assert format_number(1 / 3, 8) == "0.33333333"
