"""Names a learner can say and one number format on one screen (issue 22, item 3).

nn modules name their intermediates as a lecture does (``L0.N1.z``,
``L0.N1.a`` when drawn; the labels ``pred``, ``err``, ``loss``); a compound name is parenthesised
inside ∂ in the page's click panel; the page and the live explorer print
numbers with notation.format_number (full precision only on the click
panel's "in full" line); backward steps carry the same numbers in
``--steps``, the page and the trace.
"""

from __future__ import annotations

import re

import pytest

from autograd_lite import Value, trace_backward
from autograd_lite.cli.main import main
from autograd_lite.core.expression import parse
from autograd_lite.explorer.live import explore
from autograd_lite.explorer.model import trace_model
from autograd_lite.nn import MLP, losses
from autograd_lite.views.notation import format_number

from .test_viz import neuron

NUMBERS = [0.0, 1.0, -3.0, 2.5, 0.70710678, -1.4999999999999993, 0.9999996, 1.5717733947706591e-06,
           3.300724129018384e-07, 12345.678, -0.000123456, 1e-05, 99999.5, 6.881373587019543, 1e20, 123456789.0,
           0.0001, 9.99951e-05, -2.5e-300]


def test_nn_modules_name_intermediates_as_a_lecture_does():
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    loss = losses.mse([model([1.0, 2.0])], [1.0])
    trace = trace_backward(loss, parameters=model.parameters())
    names = set(trace.names.values())
    assert {"L0.N0.z", "L0.N0.a", "L0.N1.z", "L0.N1.a", "pred", "err", "loss"} <= names
    # what keeps a number: the products w·x (one label each would cost more than the forward
    # pass's allocations can afford) and the squared error
    numbered = [n for n in trace.order if re.fullmatch(r"t\d+", trace.names[n])]
    assert {n.op for n in numbered} <= {"mul", "pow", "pow_const"}, [(trace.names[n], n.op) for n in numbered]
    out = MLP(3, [4, 2], activation="relu", seed=1)([1.0, 2.0, 3.0])
    assert [o.label for o in out] == ["pred0", "pred1"]
    relu = MLP(2, [1], activation="relu", output_activation="relu", seed=0)([1.0, 1.0])
    names = trace_backward(relu).names
    assert relu.label == "pred" and names[relu.parents[0]] == "L0.N0.z"
    # z and a are names given when drawing (notation.NAMERS), not labels: building costs nothing more
    assert relu.parents[0].label is None
    from autograd_lite.nn import Layer, Neuron
    alone = Neuron(2, "tanh")([1.0, 2.0])
    assert trace_backward(alone).names[alone] == "a" and trace_backward(alone).names[alone.parents[0]] == "z"
    layer = Layer(2, 3, "sigmoid")([1.0, 2.0])
    assert trace_backward(layer[2]).names[layer[2]] == "N2.a"
    y = Value(1.0, label="y")
    assert "z" not in trace_backward(y.tanh() + y).names.values()  # no neuron, no lecture names
    for loss_fn, outputs, labels in ((losses.hinge, [Value(0.5)], [1]),
                                     (losses.binary_cross_entropy, [Value(0.5)], [1]),
                                     (losses.cross_entropy, [[Value(0.5), Value(1.0)]], [0])):
        assert loss_fn(outputs, labels).label == "loss"


def test_names_keep_their_scopes():
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    pred = model([1.0, 2.0])
    trace = trace_backward(pred)
    by_name = {trace.names[n]: n for n in trace.order}
    assert by_name["L0.N1.z"].scope == by_name["L0.N1.a"].scope == "MLP/L0/L0.N1"
    assert by_name["pred"].scope == "MLP/L1/L1.N0"


def test_the_panel_parenthesises_a_compound_name_inside_the_partial():
    f, _ = parse("tanh(x1*w1 + b)").build({"x1": 2.0, "w1": -3.0, "b": 1.0})
    node = next(n for n in trace_model(trace_backward(f))["nodes"] if n["name"] == "x1*w1 + b")
    assert node["symbol"] == "(x1*w1 + b)"


def test_the_live_explorer_prints_numbers_as_the_page_does():
    r = explore("tanh(x*w + b) * 1e-6", "x=2 w=-3 b=6.8813735870195432", order=1)
    assert r["valueText"] == format_number(r["value"]) == "7.071e-07"
    assert r["gradTexts"] == {n: format_number(g) for n, g in r["grads"].items()}
    r = explore("x**3", "x=2", order=3)
    assert r["derivativeTexts"] == ["12", "12", "6"]


def test_step_numbers_agree_between_steps_the_page_and_the_trace(capsys):
    o, _ = neuron()
    trace = trace_backward(o)
    model = trace_model(trace)
    backward = [s for s in model["steps"] if s["phase"] == "backward"]
    for step, title in zip(trace, (s["title"] for s in backward)):
        assert title.startswith(f"Backward step {step.index}: {step.name} ")
        assert str(step).startswith(f"step {step.index}: ")
    assert [row[0] for row in model["tables"]["backward"]["rows"]] == [str(s.index) for s in trace]
    main(["tanh(x1*w1 + x2*w2 + b)", "x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432", "--steps"])
    rows = [ln.split()[0] for ln in capsys.readouterr().out.splitlines() if re.match(r"\d+ +\S", ln)]
    assert rows[:len(trace)] == [str(s.index) for s in trace]


# --- in Chromium ------------------------------------------------------------------------

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .test_browser import browser, by_testid, counter, wait_for  # noqa: F401 (a fixture)


def test_the_page_formats_numbers_as_notation_does(browser, tmp_path):  # noqa: F811
    o, _ = neuron()
    browser.get(trace_backward(o).save_html(tmp_path / "n.html").as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page")
    shown = browser.execute_script(
        "return arguments[0].map(function (x) { return window.autogradExplorer.formatNumber(x); })", NUMBERS)
    assert shown == [format_number(x) for x in NUMBERS]


def test_the_click_panel_shows_the_compound_symbol_and_full_digits_once(browser, tmp_path):  # noqa: F811
    f, _ = parse("tanh(x1*w1 + b)").build({"x1": 2.0, "w1": -3.0, "b": 6.7})
    browser.get(trace_backward(f).save_html(tmp_path / "f.html").as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    by_testid(browser, "node-x1*w1 + b").click()
    panel = by_testid(browser, "explain")
    wait_for(lambda: panel.get_attribute("data-node") == "x1*w1 + b", "the panel")
    assert "grad ∂f/∂(x1*w1 + b)" in panel.text
    full = repr(2.0 * -3.0 + 6.7)
    assert full in panel.text and panel.text.count(full) == 1  # on the "in full" line only
    assert by_testid(browser, "data-full").text == f"in full: {full}"
