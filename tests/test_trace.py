"""The step-by-step trace: exactly backward's numbers, readable, pictured."""

from __future__ import annotations

import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import OPS, Trace, Value, apply, softmax, sum_of, trace_backward
from autograd_lite.core.value import topological_order

from .op_cases import paired_up
from .op_info import info
from .test_viz import neuron


def random_graph(seed: int) -> Value:
    """A random expression over three leaves using every op of the table."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(0.5, 2.0), label=f"x{k}") for k in range(3)]
    pool = list(leaves)
    for _ in range(rng.randint(3, 25)):
        op = rng.choice(list(OPS.values()))
        if op.arity == 0:
            args = paired_up(op, rng.choices(pool, k=rng.randint(1, 3)))  # repeats allowed: sum(a, a)
            outputs = apply(op, args)
            node = rng.choice(outputs) if op.is_vector else outputs
        elif op.arity == 2:
            a, b = rng.choice(pool), rng.choice(pool)
            if op.name == "pow":
                node = a.sigmoid() ** b
            elif op.name == "div":
                node = a / (b.exp())
            else:
                node = apply(op, a, b)
        elif op.name == "pow_const":
            node = rng.choice(pool) ** rng.choice([2, 3, -1.0])
        else:  # an input inside the op's domain (log, sqrt)
            params = {"alpha": 0.2} if op.params else {}
            inside = [p for p in pool if info(op).domain is None or info(op).domain(p.data, *params.values())]
            node = apply(op, rng.choice(inside or [p.exp() for p in pool]), **params)
        if all(abs(node.data) < 1e6 for node in [node]) and node.data != 0.0:
            pool.append(node)
    root = pool[-1]
    for leaf in leaves:  # make sure every leaf reaches the root
        root = root + leaf * 0.5
    return root


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
def test_trace_numbers_are_exactly_backwards(seed):
    root = random_graph(seed)
    root.backward()
    expected = [n.grad for n in topological_order(root)]
    root.zero_grad()
    steps = trace_backward(root)
    got = [n.grad for n in topological_order(root)]
    if any(n.op in ("softmax", "log_softmax") for n in topological_order(root)):
        # the trace applies a softmax's Jacobian row by row; backward sums all rows of
        # one call at once (O(N)): the same numbers up to rounding
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
    else:
        assert got == expected  # bit for bit
    assert len(steps) == sum(not n.is_leaf for n in topological_order(root))
    for s in steps:
        assert s.upstream == s.node.grad
        for c in s.contributions:
            assert c.amount == s.upstream * c.local
            assert c.grad_after == c.grad_before + c.amount


def test_steps_follow_reverse_topological_order_and_index():
    o, _ = neuron()
    steps = trace_backward(o)
    order = [n for n in topological_order(o) if not n.is_leaf]
    assert [s.node for s in steps] == order[::-1]
    assert steps[0].node is o and steps[0].upstream == 1.0
    assert [s.index for s in steps] == list(range(len(steps)))
    assert steps[-1] is steps[len(steps) - 1] and steps[1:3] == [steps[1], steps[2]]
    assert isinstance(steps, Trace) and len(list(steps)) == 5


def test_the_rule_text_is_the_table_formula_with_numbers():
    o, _ = neuron()
    steps = trace_backward(o)
    assert steps[0].rules == ("∂o/∂t4 = 1 − o² = 1 − 0.7071² = 0.5",)
    mul = next(s for s in steps if s.forward == "x1 · w1")
    assert mul.rules == ("∂t1/∂x1 = w1 = -3", "∂t1/∂w1 = x1 = 2")
    text = str(mul)
    assert "x1.grad += 0.5 × (-3) = -1.5  →  x1.grad = -1.5" in text


def test_the_table_has_one_row_per_step():
    o, _ = neuron()
    table = str(trace_backward(o))
    lines = table.splitlines()
    assert lines[0].startswith("backward pass of o: 5 steps")
    assert len(lines) == 3 + 5
    assert "x1 = -1.5, w1 = 1" in table


def test_grad_sum_writes_the_chain_rule_over_consumers():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    y = b + a.exp()
    y.label = "y"
    t = trace_backward(y)
    text = t.grad_sum(a)
    # consumers in the order the pass reached them; a*a counts twice, each use marked
    assert text == "∂y/∂a = ∂y/∂t1·∂t1/∂a + ∂y/∂b·∂b/∂a⁽¹⁾ + ∂y/∂b·∂b/∂a⁽²⁾ = 1·20.09 + 1·3 + 1·3 = 26.09"
    assert a.grad == math.exp(3.0) + 6.0
    assert t.grad_sum(y) == "∂y/∂y = 1 (the seed)"
    with pytest.raises(ValueError, match="not in this trace"):
        t.grad_sum(Value(1.0))


def test_leaves_accumulate_like_backward_and_the_trace_says_so():
    x = Value(2.0, label="x")
    y = x * x
    y.backward()
    trace_backward(y)
    assert x.grad == 8.0
    t = trace_backward(y)
    assert x.grad == 12.0
    assert t.pass_grad(x) == 4.0
    assert t.grad_sum(x).startswith("∂t1/∂x = (earlier) + ")


def test_finite_differences_agree_with_backward():
    o, _ = neuron()
    t = trace_backward(o)
    for leaf, fd in t.finite_differences().items():
        assert math.isclose(fd, leaf.grad, rel_tol=1e-6, abs_tol=1e-8)
    check = t.check()
    assert "finite differences" in check and len(check.splitlines()) == 2 + 5


def test_finite_differences_outside_the_domain_are_nan():
    x = Value(1e-9, label="x")
    t = trace_backward(x.log())
    assert math.isnan(t.finite_differences(h=1e-6)[x])


def test_softmax_rows_show_the_jacobian_entries():
    a = [Value(v, label=f"a{k}") for k, v in enumerate([1.0, 2.0, 3.0])]
    s = softmax(a)
    loss = s[0] + 2 * s[2]
    t = trace_backward(loss)
    step = next(st for st in t if st.op == "softmax" and st.node is s[2])
    assert step.rules[2].startswith("∂t")
    assert "·(δ_22 − S_2) = 0.6652·(1 − 0.6652) = 0.2227" in step.rules[2]


def test_a_sum_step_shows_one_for_every_term():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = sum_of([x, y * x, x])
    f.label = "f"
    t = trace_backward(f)
    assert t[0].forward == "sum(x, t1, x)"
    # f uses x twice: each use is a term of its own, and each is marked
    assert t[0].rules == ("∂f/∂x⁽¹⁾ = 1", "∂f/∂t1 = 1", "∂f/∂x⁽²⁾ = 1")
    # in backward's order: both of f's edges into x, then t1's
    assert t.grad_sum(x) == "∂f/∂x = ∂f/∂f·∂f/∂x⁽¹⁾ + ∂f/∂f·∂f/∂x⁽²⁾ + ∂f/∂t1·∂t1/∂x = 1·1 + 1·1 + 1·3 = 5"


def test_frames_fill_grads_only_as_far_as_the_pass_has_got():
    o, (x1, *_) = neuron()
    t = trace_backward(o)
    first = t.frame(0).source
    assert first.count("grad —") == 8 and "step 0 of 4" in first
    assert t.frame(-1).source.count("grad —") == 9
    assert t.frame(len(t) - 1).source.count("grad —") == 0
    assert "#dc2626" in first and "#dc2626" not in t.final_frame().source
    assert t.grads_at(len(t) - 1)[x1] == x1.grad
    with pytest.raises(IndexError, match="steps 0 to 4"):
        t.frame(5)


def test_html_is_self_contained(tmp_path):
    o, _ = neuron()
    t = trace_backward(o)
    path = t.save_html(tmp_path / "bp.html")
    page = path.read_text(encoding="utf-8")
    assert page.count("<svg") == 1  # one picture, restyled per step by the page's script
    for forbidden in ("http://", "https://", "<link", "src="):
        assert forbidden not in page.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
            'xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    assert t._repr_html_().startswith("<iframe srcdoc=")


def test_html_errors_are_clear(tmp_path):
    x = Value(1.0)
    y = x
    for _ in range(5):
        y = y + 1.0
    with pytest.raises(ValueError, match="max_steps=None"):
        trace_backward(y).html(max_steps=3)
    with pytest.raises(OSError, match="cannot write the page"):
        trace_backward(y).save_html(tmp_path / "missing" / "bp.html")
    with pytest.raises(TypeError, match="backward_steps takes a Value"):
        trace_backward(1.0)


def test_html_without_dot_still_explains_every_step(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    o, _ = neuron()
    t = trace_backward(o)
    page = t.html()
    assert "<svg" not in page and "Install Graphviz" in page
    model = json.loads(page.split('<script type="application/json" id="model">')[1].split("</script>")[0])
    assert [s["text"] for s in model["steps"] if s["phase"] == "backward"] == [
        str(s).split(": ", 1)[1] for s in t]
