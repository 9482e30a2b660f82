"""program.py: evaluation traces and compiled replay, generated from the op table too.

For every op of the table: its trace's tangent is jvp's, its adjoints are
backward's gradients, its three tables render in every format; a compiled
program of it, replayed on new inputs, gives the very floats a graph built
there gives.
"""

from __future__ import annotations

import builtins
import math

import pytest

from autograd_lite import (
    DomainError,
    StructureChanged,
    Value,
    apply,
    compile,
    evaluation_trace,
    jvp,
    trace_of,
)
from autograd_lite.core import rules as ops
from autograd_lite.core.ops import OPS, RULE_VOCABULARY
from autograd_lite.views.evaluation_trace import FORMATS, TABLES

from .op_cases import PAIR_GRID, TESTED, defined, near_kink, outputs_of, paired_up
from .op_info import info

# --- the survey's example, with exp in place of sin (Baydin's own is below) --------


def f_exp(x1, x2):
    return x1.log() + x1 * x2 - x2.exp()


def test_primal_trace_lines_and_numbers():
    t = evaluation_trace(f_exp, 2.0, 5.0)
    rows = [(r.variable, r.formula, r.numbers) for r in t.primal]
    assert rows == [("v₋₁", "x1", ""), ("v₀", "x2", ""), ("v₁", "log(v₋₁)", "log(2)"),
                    ("v₂", "v₋₁ · v₀", "2 · 5"), ("v₃", "exp(v₀)", "exp(5)"), ("v₄", "v₁ + v₂", "0.693 + 10"),
                    ("v₅", "v₄ − v₃", "10.693 − 148.413"), ("y", "v₅", "")]
    assert [r.value for r in t.primal][2:5] == [math.log(2), 10.0, math.exp(5)]


def test_tangent_trace_is_forward_mode():
    t = evaluation_trace(f_exp, 2.0, 5.0)
    rows = [(r.variable, r.formula, r.numbers) for r in t.tangent]
    assert rows[2:5] == [("v̇₁", "v̇₋₁ · (1 / v₋₁)", "1 · (1 / 2)"), ("v̇₂", "v̇₋₁ · v₀ + v̇₀ · v₋₁", "1 · 5 + 0 · 2"),
                         ("v̇₃", "v̇₀ · v₃", "0 · 148.413")]
    assert rows[-1] == ("ẏ", "v̇₅", "")
    assert t.tangent[-1].value == jvp(f_exp, [2.0, 5.0], [1.0, 0.0])[1] == 5.5
    second = evaluation_trace(f_exp, 2.0, 5.0, direction=[0, 1])
    assert second.tangent[-1].value == jvp(f_exp, [2.0, 5.0], [0.0, 1.0])[1] == 2.0 - math.exp(5)


def test_adjoint_trace_accumulates_like_the_survey():
    t = evaluation_trace(f_exp, 2.0, 5.0)
    text = [(r.variable, r.formula) for r in t.adjoint]
    assert text == [("v̄₅", "ȳ"), ("v̄₄", "v̄₅"), ("v̄₃", "−v̄₅"), ("v̄₁", "v̄₄"), ("v̄₂", "v̄₄"),
                    ("v̄₀", "v̄₃ · v₃"), ("v̄₋₁", "v̄₂ · v₀"), ("v̄₀", "v̄₀ + v̄₂ · v₋₁"),
                    ("v̄₋₁", "v̄₋₁ + v̄₁ · (1 / v₋₁)"), ("x̄1", "v̄₋₁"), ("x̄2", "v̄₀")]
    x1, x2 = Value(2.0), Value(5.0)
    f_exp(x1, x2).backward()
    assert [t.gradient[x] for x in t.inputs] == [x1.grad, x2.grad] == [r.value for r in t.adjoint[-2:]]


def test_text_table_lines_up_its_columns():
    lines = evaluation_trace(f_exp, 2.0, 5.0).table("tangent").splitlines()
    from autograd_lite.views.notation import text_width as _width

    assert len({_width(line[:line.index(" = ")]) for line in lines}) == 1  # on screen: v̇'s dot takes no column
    assert lines[2] == "v̇₁  = v̇₋₁ · (1 / v₋₁)     = 1 · (1 / 2)   = 0.5"


def test_markdown_and_latex_exports():
    t = evaluation_trace(f_exp, 2.0, 5.0)
    md = t.markdown()
    assert md.count("| variable | formula | with numbers | value |") == 3
    assert "| v₁ | log(v₋₁) | log(2) | 0.693 |" in md
    latex = t.latex()
    assert latex.isascii() and latex.count("\\toprule") == latex.count("\\bottomrule") == 3
    assert "$v_{1}$ & $\\log(v_{-1})$ & $\\log(2)$ & $0.693$ \\\\" in latex
    assert "$\\dot{v}_{2}$ & $\\dot{v}_{-1} \\cdot v_{0} + \\dot{v}_{0} \\cdot v_{-1}$" in latex
    assert "$\\bar{x}_{1}$ & $\\bar{v}_{-1}$ &  & $5.5$ \\\\" in latex
    assert t.format("latex", ["primal"]) == t.table("primal", "latex")
    with pytest.raises(ValueError, match="the formats are text, markdown, latex"):
        t.table("primal", "html")
    with pytest.raises(ValueError, match="the tables are primal, tangent, adjoint"):
        t.table("dual")


def test_numbers_are_rounded_as_the_survey_rounds_them():
    from autograd_lite.views.notation import rounded as _number

    assert [_number(x, 3) for x in (10.0, 0.6931, -0.9589, 11.6521, 1e-8, -0.0, 2.5e9)] == [
        "10", "0.693", "-0.959", "11.652", "1.00e-08", "0", "2.50e+09"]


def test_trace_of_a_built_graph_with_constants_and_a_direction_by_label():
    a = Value(2.0, label="a")
    b = Value(3.0, label="b")
    y = (a * 2 + b).tanh()
    y.label = "y"
    t = trace_of(y, direction={"b": 1.0})
    assert [r.formula for r in t.primal][2:4] == ["v₋₁ · 2", "v₁ + v₀"]
    assert t.tangent[-1].value == 1 - math.tanh(7.0) ** 2
    assert [r.variable for r in t.adjoint] == ["v̄₃", "v̄₂", "v̄₁", "v̄₀", "v̄₋₁", "ā", "b̄"]


def test_trace_errors_say_what_was_wrong():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert [r.formula for r in trace_of(a * b, inputs=[a]).primal] == ["a", "v₀ · 2", "v₁"]  # b as a constant
    with pytest.raises(ValueError, match="not inputs"):
        trace_of(a * b, direction={"c": 1})
    with pytest.raises(ValueError, match="2 numbers for 1 inputs"):
        trace_of(a.exp(), direction=[1, 0])
    with pytest.raises(TypeError, match="output Value"):
        trace_of(3.0)
    with pytest.raises(TypeError, match="returns one Value"):
        evaluation_trace(lambda x: [x, x], 1.0)


# --- every op of the table ----------------------------------------------------------


def _point(op):
    """A point inside the op's domain, away from kinks: the op's first good pair or value."""
    for a in (0.7, 1.3, -0.4, 2.0):
        if op.arity == 2:
            for b in (1.5, 2.0, -3.0):
                if defined(op, a, b):
                    return [a, b]
        elif op.arity == 1 and all(defined(op, a, *p) for p in info(op).samples) and not near_kink(op, a, 0.1):
            return [a]
    return [0.7, -0.4, 1.3]


def _graph(op, leaves):
    if op.arity == 0:
        outs = outputs_of(op, paired_up(op, leaves))
        return outs[-1] * outs[0] if len(outs) > 1 else outs[0] * leaves[0]
    kw = dict(zip(op.params, info(op).samples[-1]))
    return apply(op, *leaves, **kw) * leaves[0]  # × an input: a node with two consumers


@pytest.mark.parametrize("op", TESTED, ids=lambda op: op.name)
def test_every_op_traces_with_forward_and_reverse_mode_numbers(op):
    point = _point(op)
    leaves = [Value(x, label=f"x{k + 1}") for k, x in enumerate(point)]
    out = _graph(op, leaves)
    direction = [0.5 + k for k in range(len(point))]
    t = trace_of(out, direction=direction)
    _, slope = jvp(lambda *xs: _graph(op, list(xs)), point, direction)
    assert t.tangent[-1].value == slope
    out.backward()
    if op.jacobian_scale is None:
        assert [t.gradient[x] for x in leaves] == [x.grad for x in leaves]
    else:  # backward sums a softmax's rows once per call (O(N)); the trace applies rows: equal to rounding
        assert [t.gradient[x] for x in leaves] == pytest.approx([x.grad for x in leaves], rel=1e-12, abs=1e-15)
    for which in TABLES:
        for fmt in FORMATS:
            text = t.table(which, fmt)
            assert "{" not in text.replace("{}", "") or fmt == "latex"
            assert text.count("\n") >= len(t.rows(which)) - 1
    assert t.latex().isascii()


@pytest.mark.parametrize("op", TESTED, ids=lambda op: op.name)
def test_every_op_compiles_and_replays_the_same_floats(op):
    point = _point(op)
    leaves = [Value(x, label=f"x{k + 1}") for k, x in enumerate(point)]
    program = compile(_graph(op, leaves))
    assert program.n_forward == sum(1 for n in _nodes(_graph(op, leaves)) if not n.is_leaf)
    for shift in (0.0, 0.25, -0.1):
        new = [x + shift for x in point]
        if op.arity in (1, 2) and not defined(op, *new, *([] if op.arity == 2 else info(op).samples[-1])):
            continue
        fresh = [Value(x) for x in new]
        out = _graph(op, fresh)
        out.backward()
        replay = program(*new)
        assert replay.value == out.data
        if op.jacobian_scale is None:
            assert replay.gradients == tuple(x.grad for x in fresh)
        else:  # the program applies a softmax's rows, backward sums them per call: equal to rounding
            assert replay.gradients == pytest.approx(tuple(x.grad for x in fresh), rel=1e-12, abs=1e-15)


def _nodes(root):
    from autograd_lite import topological_order

    return topological_order(root)


@pytest.mark.parametrize("a", PAIR_GRID)
def test_replay_of_kinks_and_branches_in_rules_follows_the_new_values(a):
    x = Value(1.0, label="x")
    program = compile((x * 3).relu() + (x - 1).leaky_relu(0.2) + x ** 2)
    fresh = Value(a)
    out = (fresh * 3).relu() + (fresh - 1).leaky_relu(0.2) + fresh ** 2
    out.backward()
    assert program(a) == (out.data, (fresh.grad,), ())


# --- the generated source --------------------------------------------------------------


def test_source_is_one_line_per_node_named_by_labels():
    x = Value(2.0, label="x")
    w = Value(-3.0, label="L0.N1.w0")
    b = Value(1.0, label="sum")  # a builtin's name
    n = x * w + b
    n.label = "n"
    y = n.tanh()
    y.label = "exp"  # an op's name: must not shadow the op
    program = compile(y)
    assert program.inputs == ["x", "L0_N1_w0", "sum_2"]
    source = program.source
    assert "    n = v1 + sum_2\n    exp_2 = tanh(n)\n" in source
    assert "grad_exp_2 = 1.0" in source
    assert program(2.0, -3.0, 1.0).value == math.tanh(-5.0)


def test_gradients_only_where_asked_and_extra_outputs():
    x = Value(0.5, label="x")
    w = Value(2.0, label="w")
    h = (x * w).sigmoid()
    loss = (h - 1) ** 2
    program = compile(loss, [w, x], wrt=[w], outputs=[h])
    assert program.wrt == ["w"] and "grad_x" not in program.source
    replay = program(3.0, 0.25)
    fresh_w, fresh_x = Value(3.0), Value(0.25)
    fresh_h = (fresh_x * fresh_w).sigmoid()
    fresh = (fresh_h - 1) ** 2
    fresh.backward()
    assert replay == (fresh.data, (fresh_w.grad,), (fresh_h.data,))


def test_softmax_rules_are_called_through_the_table():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(0.5, label="c")
    probs = apply("softmax", [a, b * 2, c])
    program = compile(-probs[1].log())
    assert "softmax_rule(" in program.source and "softmax((a, v1, c,))[1]" in program.source


def test_replay_raises_domain_errors_like_the_graph():
    x = Value(2.0, label="x")
    program = compile(x.log() + 1 / x)
    with pytest.raises(DomainError, match="log"):
        program(-1.0)


def test_compile_says_what_was_wrong():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    f = x * y
    with pytest.raises(ValueError, match="not among the inputs: 'y'"):
        compile(f, [x])
    with pytest.raises(ValueError, match="not in the graph"):
        compile(f, [x, y, Value(3.0)])
    with pytest.raises(ValueError, match="must be a leaf"):
        compile(f.exp(), [x, y, f])
    with pytest.raises(ValueError, match="listed twice"):
        compile(f, [x, y, x])
    with pytest.raises(ValueError, match="wrt must be among the inputs"):
        compile(f, [x, y], wrt=[Value(1.0)])
    with pytest.raises(ValueError, match="outputs must be a node"):
        compile(f, outputs=[Value(1.0)])
    with pytest.raises(TypeError, match="output Value"):
        compile([f])
    program = compile(f)
    with pytest.raises(TypeError, match=r"takes 2 inputs \(x, y\), got 1"):
        program(1.0)
    with pytest.raises(TypeError, match="program input y"):
        program(1.0, "two")
    assert program(2, 3.0) == (6.0, (3.0, 2.0), ())


def test_check_finds_data_dependent_structure():
    def model(x):
        return x * x if x.data > 0 else -x  # a branch on a value: invisible to the graph

    x = Value(2.0, label="x")
    program = compile(model(x))
    program.check(model(Value(5.0, label="x")))  # the same branch: fine
    with pytest.raises(StructureChanged, match="depends on the data"):
        program.check(model(Value(-1.0, label="x")))

    def leaky(x):
        return x * x.data  # a number taken out of a Value: baked in as a constant

    program = compile(leaky(Value(2.0, label="x")))
    assert program(3.0).value == 6.0  # silently the old constant: what check() is for
    with pytest.raises(StructureChanged, match=r"`v1 = x \* 2.0`.*`v1 = x \* 3.0`"):
        program.check(leaky(Value(3.0, label="x")))


@pytest.mark.parametrize("name", [n for n in OPS if n in RULE_VOCABULARY])
def test_the_rule_vocabulary_agrees_with_the_forwards_on_floats(name):
    # compile names an op's forward after the op, where the rules' text may call the
    # vocabulary function of the same name: on floats the two must be one function
    for x in (0.3, 1.7, -0.6, 0.0, 25.0):
        if name in ("log", "sqrt") and x <= 0:
            continue
        vocabulary = getattr(ops, name, None) or getattr(builtins, name)  # abs is the builtin
        assert vocabulary(x) == OPS[name].forward(x)


# --- Baydin et al. (2018), Table 2: f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (2, 5) ----


def baydin(x1, x2):
    return x1.log() + x1 * x2 - x2.sin()


def test_baydin_primal_trace_every_line():
    t = evaluation_trace(baydin, 2.0, 5.0)
    shown = [(r.variable, r.formula, t_number(r.value)) for r in t.primal]
    assert shown == [("v₋₁", "x1", "2"), ("v₀", "x2", "5"), ("v₁", "log(v₋₁)", "0.693"),
                     ("v₂", "v₋₁ · v₀", "10"), ("v₃", "sin(v₀)", "−0.959"), ("v₄", "v₁ + v₂", "10.693"),
                     ("v₅", "v₄ − v₃", "11.652"), ("y", "v₅", "11.652")]
    assert t.primal[-1].value == math.log(2) + 10 - math.sin(5)


def test_baydin_tangent_trace_every_line():
    t = evaluation_trace(baydin, 2.0, 5.0)  # ẋ1 = 1, ẋ2 = 0: ∂f/∂x1
    shown = [(r.variable, r.formula, t_number(r.value)) for r in t.tangent]
    assert shown == [("v̇₋₁", "ẋ1", "1"), ("v̇₀", "ẋ2", "0"), ("v̇₁", "v̇₋₁ · (1 / v₋₁)", "0.5"),
                     ("v̇₂", "v̇₋₁ · v₀ + v̇₀ · v₋₁", "5"), ("v̇₃", "v̇₀ · cos(v₀)", "0"),
                     ("v̇₄", "v̇₁ + v̇₂", "5.5"), ("v̇₅", "v̇₄ − v̇₃", "5.5"), ("ẏ", "v̇₅", "5.5")]


def test_baydin_adjoint_trace_every_line():
    t = evaluation_trace(baydin, 2.0, 5.0)
    shown = [(r.variable, r.formula, t_number(r.value)) for r in t.adjoint]
    assert shown == [("v̄₅", "ȳ", "1"), ("v̄₄", "v̄₅", "1"), ("v̄₃", "−v̄₅", "−1"), ("v̄₁", "v̄₄", "1"),
                     ("v̄₂", "v̄₄", "1"), ("v̄₀", "v̄₃ · cos(v₀)", "−0.284"), ("v̄₋₁", "v̄₂ · v₀", "5"),
                     ("v̄₀", "v̄₀ + v̄₂ · v₋₁", "1.716"), ("v̄₋₁", "v̄₋₁ + v̄₁ · (1 / v₋₁)", "5.5"),
                     ("x̄1", "v̄₋₁", "5.5"), ("x̄2", "v̄₀", "1.716")]
    assert [r.value for r in t.adjoint[-2:]] == [5.5, 2 - math.cos(5)]


def test_baydin_in_every_format():
    t = evaluation_trace(baydin, 2.0, 5.0)
    assert "v₅  = v₄ − v₃  = 10.693 − (−0.959) = 11.652" in t.text()
    assert "| v₃ | sin(v₀) | sin(5) | −0.959 |" in t.markdown()
    assert "$v_{3}$ & $\\sin(v_{0})$ & $\\sin(5)$ & $-0.959$ \\\\" in t.latex()


def t_number(x):
    from autograd_lite.views.notation import TraceNotation as _Unicode

    return _Unicode(3).number(x)


def test_big_programs_reuse_scratch_names_and_give_the_same_floats():
    from autograd_lite.fast.compiler import SCRATCH_NAMES_ABOVE

    xs = [Value(0.01 * k, label=f"x{k}") for k in range(40)]
    total = xs[0]
    for k in range(SCRATCH_NAMES_ABOVE):
        total = (total * xs[k % 40] + xs[(k + 1) % 40]).tanh()
    program = compile(total)
    assert program.source.startswith("# t1, t2, … and g1, g2, … are scratch names")
    scratch = {w for w in program.source.split() if w[:1] in "tg" and w[1:].isdigit()}
    # the products and sums die at once (backward needs only the tanh outputs): their names are reused
    assert len(scratch) < 0.5 * program.n_forward
    total.backward()
    assert program(*[x.data for x in xs]) == (total.data, tuple(x.grad for x in xs), ())


def test_readme_documents_the_conventions_of_traces_and_programs():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for phrase in ["| evaluation traces (`evaluation_trace`, `evaluation_trace_of`) |", "| `jvp`, `hvp` |",
                   "| `compile` |", "| `fit(..., compile=True)` |", "--evaluation-trace forward|reverse|both",
                   "--format text|markdown|latex"]:
        assert phrase in readme, phrase
