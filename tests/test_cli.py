"""The command line: output, files, the expression language, and bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite.cli.main import DEMO, main
from autograd_lite.core.expression import FUNCTIONS, ExpressionError, parse
from autograd_lite.core.ops import OPS

from .conftest import require_program


def run(*args, capsys):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_values_and_every_gradient_aligned(capsys):
    code, out, err = run("tanh(x1*w1 + x2*w2 + b)", "x1=2", "x2=0", "w1=-3", "w2=1",
                         "b=6.8813735870195432", capsys=capsys)
    assert code == 0 and err == ""
    assert "  = 0.7071067812" in out
    assert "  ∂f/∂x1 = -1.5\n  ∂f/∂w1 = 1\n  ∂f/∂x2 = 0.5\n  ∂f/∂w2 = 0\n  ∂f/∂b  = 0.5" in out
    assert "b = 6.881373587019543" in out  # the value given, in full


def test_no_arguments_and_demo_run_the_demo(capsys):
    code, out, _ = run(capsys=capsys)
    assert code == 0 and out.startswith("The classic neuron")
    assert "backward pass of f: 5 steps" in out and "finite differences" in out
    assert run("demo", capsys=capsys)[1] == out


def test_steps_show_the_table_sums_and_check(capsys):
    code, out, _ = run("sigmoid(x) * log(y)", "x=0.5", "y=3", "--steps", capsys=capsys)
    assert code == 0
    assert "backward pass of f: 3 steps" in out
    assert "∂f/∂x = ∂f/∂sigmoid(x)·∂sigmoid(x)/∂x = 1.0986·0.235 = 0.2582" in out


def test_json_has_full_precision_for_scripts(capsys):
    code, out, _ = run("sigmoid(x) * log(y)", "x=0.5", "y=3", "--json", "--steps", capsys=capsys)
    data = json.loads(out)
    s = 1 / (1 + math.exp(-0.5))
    assert code == 0
    assert data["value"] == pytest.approx(s * math.log(3), rel=1e-15)
    assert data["gradients"]["x"] == pytest.approx(s * (1 - s) * math.log(3), rel=1e-15)
    assert data["gradients"]["y"] == pytest.approx(s / 3, rel=1e-15)
    assert [step["op"] for step in data["steps"]] == ["mul", "log", "sigmoid"]


def test_json_writes_non_finite_numbers_as_strings(capsys):
    code, out, _ = run("x ** 0.5", "x=0", "--json", capsys=capsys)
    assert code == 0 and json.loads(out)["gradients"]["x"] == "inf"


@pytest.mark.parametrize(("expr", "x", "expected"), [
    ("x**3", 2.0, [12.0, 12.0, 6.0]),
    ("exp(2*x)", 0.0, [2.0, 4.0, 8.0, 16.0]),
    ("tanh(x)", 0.5, None),
])
def test_order_gives_higher_derivatives(expr, x, expected, capsys):
    order = 3 if expected is None else len(expected)
    code, out, _ = run(expr, f"x={x}", "--order", str(order), "--json", capsys=capsys)
    got = json.loads(out)["derivatives"]
    if expected is None:
        t = math.tanh(x)
        expected = [1 - t * t, -2 * t * (1 - t * t), -2 * (1 - t * t) * (1 - 3 * t * t)]
    assert code == 0 and got == pytest.approx(expected, rel=1e-12)


def test_graph_in_every_format(tmp_path, capsys):
    require_program("dot")
    for suffix, magic in [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF"), ("dot", b"digraph")]:
        path = tmp_path / f"g.{suffix}"
        code, out, _ = run("softmax(a, b, c)[0]", "a=1", "b=2", "c=3", "--graph", str(path), capsys=capsys)
        assert code == 0 and f"wrote {path}" in out
        assert path.read_bytes().startswith(magic)


def test_picture_options_reach_the_picture(tmp_path, capsys):
    path = tmp_path / "g.dot"
    code, _, _ = run("x*2 + y", "x=1", "y=3", "--graph", str(path), "--rankdir", "TB", "--edge-derivatives",
                     "--grad-sums", "--size", "slide", capsys=capsys)
    source = path.read_text(encoding="utf-8")
    assert code == 0 and "rankdir=TB" in source and 'size="13.33,7.5"' in source
    assert "∂f/∂x = ∂f/∂(x*2)·∂(x*2)/∂x" in source  # grad sums
    assert "∂(x*2)/∂x\\n= 2" in source  # edge derivatives
    code, _, _ = run("x*2", "x=1", "--graph", str(path), "--size", "7.5", capsys=capsys)
    assert code == 0 and 'size="7.5,100"' in path.read_text(encoding="utf-8")
    for bad, message in [(["--size", "poster"], "the presets are slide"), (["--rankdir", "up"], "invalid choice"),
                         (["--collapse", "-1"], "--collapse: takes a depth of 1 or more")]:
        code, _, err = run("x", "x=1", "--graph", str(path), *bad, capsys=capsys)
        assert code == 2 and message in err, err


def test_collapse_draws_each_function_call_as_a_box(tmp_path, capsys):
    path = tmp_path / "g.dot"
    code, _, _ = run("sigmoid(x) * log(y) + tanh(exp(x) * y)", "x=0.5", "y=3", "--graph", str(path),
                     "--collapse", "1", capsys=capsys)
    source = path.read_text(encoding="utf-8")
    assert code == 0 and "<b>tanh</b>" in source and "<b>sigmoid</b>" in source and "3 ops" in source
    code, _, _ = run("tanh(exp(x) * y)", "x=0.5", "y=3", "--graph", str(path), capsys=capsys)
    assert code == 0 and "subgraph" not in path.read_text(encoding="utf-8")  # no scopes unless asked


def test_html_page(tmp_path, capsys):
    require_program("dot")
    path = tmp_path / "steps.html"
    code, _, _ = run("relu(x)", "x=0", "--html", str(path), capsys=capsys)
    page = path.read_text(encoding="utf-8")
    assert code == 0 and "<svg" in page
    model = json.loads(page.split('<script type="application/json" id="model">')[1].split("</script>")[0])
    assert "∂f/∂x = 1 if x > 0 else 0 = 1 if 0 > 0 else 0 = 0" in model["nodes"][-1]["rules"]


def test_without_graphviz_everything_but_the_picture_works(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, err = run("x*y", "x=2", "y=3", "--graph", str(tmp_path / "g.png"),
                         "--html", str(tmp_path / "p.html"), capsys=capsys)
    assert code == 1
    assert "∂f/∂x = 3" in out and not (tmp_path / "g.png").exists()
    assert "apt-get install graphviz" in err and "g.dot" in err
    assert "Install Graphviz" in (tmp_path / "p.html").read_text(encoding="utf-8")
    code, _, _ = run("x*y", "x=2", "y=3", "--graph", str(tmp_path / "g.dot"), capsys=capsys)
    assert code == 0 and (tmp_path / "g.dot").read_text().startswith("digraph")
    big = "+".join(["x*2"] * 700)  # too big for a picture, not for DOT text
    code, _, _ = run(big, "x=1", "--graph", str(tmp_path / "big.dot"), capsys=capsys)
    # x, 700 products and 699 sums (the 700 constants fold into their × nodes)
    assert code == 0 and (tmp_path / "big.dot").read_text().count("shape=record") == 1400


def test_html_without_graphviz_writes_the_page_and_exits_1_like_graph(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot anywhere
    page = tmp_path / "p.html"
    code, out, err = run("x*y", "x=2", "y=3", "--html", str(page), capsys=capsys)
    assert code == 1 and "∂f/∂x = 3" in out and f"wrote {page}" in out
    assert err.count("\n") == 1 and "without its pictures" in err and "apt-get install graphviz" in err
    assert "Install Graphviz" in page.read_text(encoding="utf-8")


def _cli(*args: str, **kwargs):
    return subprocess.run([sys.executable, "-m", "autograd_lite", *args], stderr=subprocess.PIPE,
                          text=True, check=False, timeout=60, **kwargs)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [["x*2", "x=1"], ["demo"], ["--help"], ["x", "x=1", "--json"]])
def test_a_full_disk_gets_one_line_and_status_1(args):
    with open("/dev/full", "w") as full:
        result = _cli(*args, stdout=full)
    assert result.returncode == 1
    assert result.stderr == ("autograd-lite: error: cannot write the results to standard output: "
                             "No space left on device\n")


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell closes standard output")
def test_closed_standard_output_gets_one_line_and_status_1():
    result = subprocess.run(["sh", "-c", 'exec "$0" "$@" >&-', sys.executable, "-m", "autograd_lite",
                             "x*2", "x=1"], stderr=subprocess.PIPE, text=True, check=False, timeout=60)
    assert result.returncode == 1
    assert result.stderr == "autograd-lite: error: standard output is closed: there is nowhere to print the results\n"


def test_double_dash_ends_the_options(capsys):
    code, out, _ = run("--", "-x", "x=1", capsys=capsys)
    assert code == 0 and "∂f/∂x = -1" in out
    code, out, _ = run("--steps", "--", "-x**2", "x=3", capsys=capsys)
    assert code == 0 and "∂f/∂x = -6" in out and "backward pass of f" in out
    code, _, err = run("--", "--steps", capsys=capsys)  # after '--', even an option's name is the expression
    assert code == 2 and "no value for steps" in err


@pytest.mark.parametrize(("expr", "values", "name"), [
    ("ﬁ*2", ["ﬁ=1"], "fi"),       # a ligature
    ("ℌ + x", ["ℌ=1", "x=2"], "H"),  # a black-letter capital
    ("fi*2", ["ﬁ=1"], "fi"),      # typed differently, the same name to Python
])
def test_names_match_as_python_reads_them_nfkc(expr, values, name, capsys):
    code, out, err = run(expr, *values, "--json", capsys=capsys)
    assert code == 0, err
    assert json.loads(out)["gradients"][name] == (2.0 if "*2" in expr else 1.0)


def test_a_name_given_twice_under_two_spellings_says_so(capsys):
    code, _, err = run("ℌ", "H=1", "ℌ=2", capsys=capsys)
    assert code == 2 and "H is given twice (ℌ is H to Python" in err


def test_expression_starting_with_minus(capsys):
    code, out, _ = run("-x**2", "x=3", capsys=capsys)
    assert code == 0 and "∂f/∂x = -6" in out


BAD_INPUT = [
    (["tanh(x1*w1 +)", "x1=1", "w1=2"], "syntax error", True),
    (["sigmod(x)", "x=1"], "did you mean sigmoid", True),
    (["foo(x)", "x=1"], "the functions are exp, log, sin", True),
    (["x*y", "x=1"], "no value for y: add y=<number>", False),
    (["x", "x=abc"], "'abc' is not a number", False),
    (["x", "x=nan"], "give a finite number", False),
    (["x", "x=1", "x=2"], "x is given twice", False),
    (["x", "2x=1"], "is not a variable name", False),
    (["x", "y=1", "x=1"], "y is not in the expression", False),
    (["log(x)", "x=-1"], "log(x) is undefined at x = -1.0", True),
    (["x/y", "x=1", "y=0"], "cannot divide", True),
    (["__import__('os').system('id')"], "only the op table's functions can be called", True),
    (["x.real", "x=1"], "attribute access", True),
    (["(lambda: 1)()"], "can be called", True),
    (["lambda: 1"], "lambda", True),
    (["[x for x in y]", "y=1"], "comprehensions", True),
    (["9**9**9"], "overflows", True),
    (["exp(x)", "x=1000"], "overflows", True),
    (["-" * 100_000 + "x", "x=1"], "characters long", False),
    (["(" * 300 + "x" + ")" * 300, "x=1"], "nested more than", True),
    # the same answers on every supported Python, whatever its own parser's limits
    (["1" + "**1" * 3000], "has 3,000 operators; the limit is 2,000", False),
    (["+".join(["x"] * 3000), "x=1"], "has 2,999 operators; the limit is 2,000", False),
    (["not " * 2001 + "x", "x=1"], "has 2,001 operators", False),
    (["exp(" * 199 + "**".join(["x"] * 700) + ")" * 199, "x=1"], "too deeply nested", False),
    (["softmax(a, b)", "a=1", "b=2"], "pick one output with [i]", True),
    (["softmax(a, b)[2]", "a=1", "b=2"], "from 0 to 1", True),
    (["leaky_relu(x, y)", "x=1", "y=2"], "alpha must be a number", True),
    (["tanh(x, 2)", "x=1"], "tanh is called as tanh(x)", True),
    (["exp", "x=1"], "exp is a function", True),
    (["x // 2", "x=1"], "// is not supported", True),
    (["'abc'"], "strings", True),
    ([""], "empty", False),
    (["x", "x=1", "--graph", "g.gif"], "the suffix names the format", False),
    (["x*y", "x=1", "y=1", "--order", "2"], "one variable", False),
    (["+".join(["x"] * 402), "x=1", "--html", "/tmp/big.html"], "has 401 steps and the page stops at 400", False),
    (["+".join(["x*2"] * 700), "x=1", "--graph", "/tmp/big.svg"], "has 2,100 nodes and pictures stop at 2,000", False),
    (["x", "x=1", "--order", "0"], "--order must be from 1 to 8", False),
]


@pytest.mark.parametrize(("args", "message", "caret"), BAD_INPUT, ids=[a[0][0][:20] for a in BAD_INPUT])
def test_bad_input_gets_a_clear_message_and_status_2(args, message, caret, capsys):
    start = time.perf_counter()
    code, out, err = run(*args, capsys=capsys)
    assert time.perf_counter() - start < 2.0
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("autograd-lite: error: ") and message in lines[0]
    assert "Traceback" not in err
    assert len(lines) == (3 if caret else 1)
    if caret:
        assert lines[2].strip() == "^"


def test_the_caret_points_at_the_problem(capsys):
    _, _, err = run("x + sigmod(x)", "x=1", capsys=capsys)
    text, caret = err.splitlines()[1:]
    assert text[caret.index("^"):].startswith("sigmod")


def test_argparse_errors_and_help(capsys):
    code, _, err = run("x", "x=1", "--bogus", capsys=capsys)
    assert code == 2 and "unrecognized arguments: --bogus" in err
    code, out, _ = run("--help", capsys=capsys)
    assert code == 0 and "leaky_relu(x, alpha)" in out and "softmax(a, b, ...)[i]" in out


def test_the_function_list_comes_from_the_op_table():
    assert set(FUNCTIONS) == {op.name for op in OPS.values() if op.is_function}
    for name, op in FUNCTIONS.items():
        call = f"{name}(x, y)" + ("[1]" if op.is_vector else "") if op.arity in (0, 2) else f"{name}(x)"
        assert parse(call).variables[0] == "x"


def test_the_survey_example_of_baydin_et_al(capsys):
    # f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (2, 5): the survey's evaluation-trace example
    code, out, err = run("log(x1) + x1*x2 - sin(x2)", "x1=2", "x2=5", capsys=capsys)
    assert code == 0 and err == ""
    assert "  = 11.652" in out and "∂f/∂x1 = 5.5\n" in out and "∂f/∂x2 = 1.716" in out
    code, same, _ = run("ln(x1) + x1*x2 - sin(x2)", "x1=2", "x2=5", capsys=capsys)
    assert same.splitlines()[1:] == out.splitlines()[1:]


@pytest.mark.parametrize("expr, values, value, grads", [
    ("pi*x", ["x=2"], 2 * math.pi, {"x": math.pi}),
    ("e**x", ["x=1"], math.e, {"x": math.e}),
    ("max(x, y)", ["x=3", "y=2"], 3.0, {"x": 1.0, "y": 0.0}),
    ("min(x, y)", ["x=3", "y=2"], 2.0, {"x": 0.0, "y": 1.0}),
    ("maximum(x, y)", ["x=2", "y=2"], 2.0, {"x": 0.5, "y": 0.5}),
    ("sqrt(x) + abs(x - 5)", ["x=4"], 3.0, {"x": 0.25 - 1}),
    ("gelu(x) + softplus(x) + silu(x) + elu(x, 0.5)", ["x=0"], math.log(2), {"x": 0.5 + 0.5 + 0.5 + 0.5}),
    ("tan(x) * cos(x)", ["x=0.5"], math.sin(0.5), {"x": math.cos(0.5)}),
])
def test_the_whole_vocabulary_by_name(expr, values, value, grads, capsys):
    code, out, err = run(expr, *values, "--json", capsys=capsys)
    assert code == 0 and err == "", err
    result = json.loads(out)
    assert result["value"] == pytest.approx(value, rel=1e-12)
    for name, g in grads.items():
        assert result["gradients"][name] == pytest.approx(g, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("args, message", [
    (["max(x)", "x=1"], "max takes two inputs: max(a, b)"),
    (["min(x, y, z)", "x=1", "y=1", "z=1"], "min takes two inputs"),
    (["x*e", "e=2"], "e is a constant"),
    (["pi(x)", "x=1"], "unknown function 'pi'"),
    (["ln + x", "x=1"], "ln is a function: call it, as in ln(x)"),
    (["sqrt(x)", "x=-1"], "sqrt(x) is undefined at x = -1.0"),
])
def test_vocabulary_mistakes_get_clear_messages(args, message, capsys):
    code, _, err = run(*args, capsys=capsys)
    assert code == 2 and message in err, err


def test_console_script_and_module_are_the_same_program():
    args = ["x**2 + 1", "x=3", "--json"]
    by_module = subprocess.run([sys.executable, "-m", "autograd_lite", *args], capture_output=True, text=True, check=False)
    script = Path(sys.executable).with_name("autograd-lite")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment (pip install -e .)")
    by_script = subprocess.run([str(script), *args], capture_output=True, text=True, check=False)
    assert by_module.returncode == by_script.returncode == 0
    assert by_module.stdout == by_script.stdout
    assert json.loads(by_module.stdout)["gradients"] == {"x": 6.0}


def test_demo_is_the_classic_neuron():
    text, values = DEMO
    assert text == "tanh(x1*w1 + x2*w2 + b)" and values["b"] == 6.8813735870195432


# --- fuzzing: random strings either work or get the clean error ----------------------

ALPHABET = "xyab0123456789.+-*/()[], _=eE'\"\\:;!@#$%^&|<>?{}~`lambdaimportsoftmaxtanhlogexp\n\t"


@settings(max_examples=3000, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_fuzz_the_parser(text):
    try:
        expression = parse(text)
    except ExpressionError as error:
        assert error.message and "Traceback" not in error.message
        return
    values = {name: 0.7 for name in expression.variables}
    try:
        root, _ = expression.build(values)
    except ExpressionError:
        return
    root.backward()


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=40), st.lists(st.sampled_from(["x=1", "y=-2", "a=0", "x", "=3"]),
                                                         max_size=3))
def test_fuzz_the_command_line(text, values):
    code = main([text, *values] if not text.startswith("--") else ["--", text, *values])
    assert code in (0, 1, 2)



# --- --trace and --format (issue 15) -------------------------------------------------


def test_trace_both_prints_primal_one_tangent_per_variable_and_adjoint(capsys):
    code, out, _ = run("log(x1) + x1*x2 - exp(x2)", "x1=2", "x2=5", "--trace", "both", capsys=capsys)
    assert code == 0
    assert out.count("Forward primal trace") == 1 and out.count("Reverse adjoint trace") == 1
    assert "Forward tangent trace (ẋ1 = 1, ẋ2 = 0)" in out and "Forward tangent trace (ẋ1 = 0, ẋ2 = 1)" in out
    assert "v₁  = log(v₋₁) = log(2)           = 0.693" in out
    assert "x̄1  = v̄₋₁                  = 5.5" in out
    assert out.index("gradients (backward)") < out.index("Forward primal trace")


@pytest.mark.parametrize("mode, tables", [("forward", ["primal", "tangent"]), ("reverse", ["primal", "adjoint"])])
def test_trace_forward_or_reverse_only(mode, tables, capsys):
    _, out, _ = run("x*y", "x=2", "y=3", "--trace", mode, capsys=capsys)
    for name in ("primal", "tangent", "adjoint"):
        assert (name in out) == (name in tables)


def test_trace_as_markdown_and_latex_prints_the_tables_alone(capsys):
    _, md, _ = run("tanh(x*w)", "x=1", "w=2", "--trace", "reverse", "--format", "markdown", capsys=capsys)
    assert md.startswith("**Forward primal trace**") and "| v̄₀ | v̄₁ · v₋₁ | 0.071 · 1 | 0.071 |" in md
    _, tex, _ = run("tanh(x*w)", "x=1", "w=2", "--trace", "both", "--format", "latex", capsys=capsys)
    assert tex.startswith("\\begin{tabular}") and tex.count("\\toprule") == 4 and tex.isascii()


def test_trace_in_json(capsys):
    _, out, _ = run("x*y", "x=2", "y=3", "--trace", "both", "--json", capsys=capsys)
    trace = json.loads(out)["trace"]
    assert [row["value"] for row in trace["adjoint"][-2:]] == [3.0, 2.0]
    assert [t["direction"] for t in trace["tangent"]] == [[1.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize("args, message", [
    (["x*2", "x=1", "--format", "latex"], "--format says how --evaluation-trace prints"),
    (["x*2", "x=1", "--trace", "both", "--format", "latex", "--json"], "leave out --format"),
])
def test_trace_options_misused(args, message, capsys):
    code, _, err = run(*args, capsys=capsys)
    assert code == 2 and message in err


def test_the_evaluation_trace_flag_has_a_name_that_cannot_be_confused(capsys):
    """--evaluation-trace (the straight-line program's tables) is not --steps (backward's steps);
    --trace, its name before 0.2, still works."""
    _, new, _ = run("x*y", "x=2", "y=3", "--evaluation-trace", "reverse", capsys=capsys)
    _, old, _ = run("x*y", "x=2", "y=3", "--trace", "reverse", capsys=capsys)
    assert new == old and "v̄" in new
