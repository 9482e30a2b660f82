"""Practice mode on the page, in real Chromium: the learner types each local derivative and grad,
the page grades them, and no hidden grad is anywhere in the document before it is answered."""

from __future__ import annotations

import re

import pytest

from autograd_lite import Value, trace_backward
from autograd_lite.core.expression import parse
from autograd_lite.views.notation import format_number

from .test_browser import (  # noqa: F401 - fixtures
    browser,
    by_testid,
    counter,
    evaluate,
    svg_texts,
    wait_for,
)

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

# Everything the document holds that a person or a tool could read: text (the model's JSON
# element included, the page's own code and style left out), every attribute, form values, the title.
DOCUMENT_TEXT = """
var out = [document.title];
var walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  var p = walker.currentNode.parentNode;
  if (p && (p.nodeName === 'STYLE' || (p.nodeName === 'SCRIPT' && !p.type))) continue;
  out.push(walker.currentNode.nodeValue);
}
var GEOMETRY = /^(d|points|x|y|cx|cy|rx|ry|transform|viewBox|width|height|font-size|stroke-width)$/;
document.querySelectorAll('*').forEach(function (e) {
  for (var i = 0; i < e.attributes.length; i++) {
    if (!GEOMETRY.test(e.attributes[i].name)) out.push(e.attributes[i].value);  // Graphviz's drawing: not about grads
  }
  if ('value' in e && typeof e.value === 'string') out.push(e.value);
});
return out.join('\\n');
"""


def grad_strings(trace, nodes) -> set[str]:
    """How the page could print the pass's grads of ``nodes``: short and full, with either minus sign.

    A grad that equals a forward value (f = t·y: ∂f/∂t is y) is left out: the page shows that value anyway.
    """
    data = {format_number(n.data) for n in trace.order}
    out = set()
    for s in trace:
        for c in s.contributions:
            if (any(c.parent is n for n in nodes) and c.grad_after != int(c.grad_after)
                    and format_number(c.grad_after) not in data):
                for text in (format_number(c.grad_after), repr(c.grad_after)):
                    if "." in text:  # "1" or "0" would be found in any page
                        out |= {text, text.replace("-", "−")}
    return out


NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def leaks(driver, strings: set[str]) -> set[str]:
    """Which of ``strings`` the document holds as numbers (so "0.5" is not found in "-300.5")."""
    numbers = set(NUMBER.findall(driver.execute_script(DOCUMENT_TEXT)))
    return strings & numbers


def neuron() -> tuple[Value, tuple[Value, ...]]:
    """The classic neuron, its sum named n."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, (x1, x2, w1, w2, b)


@pytest.fixture
def page(browser, tmp_path):  # noqa: F811 - the fixture imported above
    o, leaves = neuron()
    trace = trace_backward(o)
    browser.get(trace.save_html(tmp_path / "neuron.html").as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page to load")
    return trace, leaves


def answer(driver, text: str, button: str = "check") -> str:
    box = by_testid(driver, "answer")
    box.clear()
    box.send_keys(text)
    by_testid(driver, button).click()
    return by_testid(driver, "feedback").text


def question(driver) -> str:
    return by_testid(driver, "question").text


def test_practice_hides_every_grad_until_answered_grades_hints_and_keeps_score(browser, page):  # noqa: F811
    trace, (x1, x2, w1, w2, b) = page
    everything = grad_strings(trace, trace.order)
    browser.find_element(By.ID, "end").click()
    assert leaks(browser, everything), "the check must see the grads on the ordinary page"

    by_testid(browser, "practice").click()
    assert by_testid(browser, "practice").get_attribute("aria-pressed") == "true"
    assert not leaks(browser, everything)
    assert "relative 1e-3" in by_testid(browser, "practice-panel").text  # the tolerance, shown
    assert "the seed" in browser.find_element(By.ID, "step-title").text

    by_testid(browser, "next").click()  # o = tanh(n): ∂o/∂n, then n.grad
    assert question(browser) == "What is the local derivative ∂o/∂n?"
    assert not leaks(browser, everything)
    assert answer(browser, "0.6").startswith("Not right yet: ∂o/∂n is not 0.6")
    assert "1 wrong try" in by_testid(browser, "score").text
    assert answer(browser, "0.5") == "Right: ∂o/∂n = 0.5."
    assert question(browser) == "What is n.grad after this step?"
    by_testid(browser, "hint").click()
    taught = by_testid(browser, "hint-text").text  # the rule in symbols and the known upstream, not the sum done
    assert "n.grad = ∂o/∂o · ∂o/∂n" in taught and "with ∂o/∂o = 1" in taught
    assert "×" not in taught and "0.5" not in taught
    assert answer(browser, "0.50002") == "Right: n.grad = 0.5."  # within a relative 1e-3
    assert "grad 0.5" in svg_texts(browser, "n")
    hidden = grad_strings(trace, [x1, w1, x2, w2, b]) - grad_strings(trace, [n for n in trace.order if n.label == "n"])
    assert hidden and not leaks(browser, hidden)
    assert "This step is done" in question(browser)

    # the next steps: a hint with the learner's numbers, Show me, and the score
    by_testid(browser, "next").click()  # n = t3 + b
    assert question(browser).startswith("What is the local derivative ∂n/∂")
    by_testid(browser, "reveal").click()
    assert by_testid(browser, "feedback").text.startswith("Shown: ∂n/∂")
    by_testid(browser, "hint").click()
    taught = by_testid(browser, "hint-text").text
    assert "with ∂o/∂n = 0.5" in taught  # the upstream grad the learner found, as a given
    assert "0.5 × 1" not in taught and "0.5 · 1" not in taught
    assert "1 shown" in by_testid(browser, "score").text
    assert not leaks(browser, grad_strings(trace, [x1, w1]))
    assert answer(browser, "0.05").startswith("Not ")  # a wrong answer at this step too
    assert answer(browser, "0.5").startswith("Right")
    assert by_testid(browser, "score").text.startswith("Score: 3 right of 4 answered, 2 wrong tries, 1 shown")


def test_keyboard_only_play(browser, page):  # noqa: F811
    browser.find_element(By.TAG_NAME, "body").click()
    by_testid(browser, "practice").send_keys(Keys.ENTER)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    wait_for(lambda: "∂o/∂n" in question(browser), "the first question")
    active = browser.switch_to.active_element
    assert active.get_attribute("data-testid") == "answer"
    active.send_keys("0.5" + Keys.ENTER)
    wait_for(lambda: "n.grad" in question(browser), "the grad question")
    browser.switch_to.active_element.send_keys("0.5" + Keys.ENTER)
    wait_for(lambda: "This step is done" in question(browser), "the step to be done")
    assert browser.switch_to.active_element.get_attribute("data-testid") == "next"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(lambda: "∂n/∂" in question(browser), "the next step's question")
    assert browser.switch_to.active_element.get_attribute("data-testid") == "answer"
    assert by_testid(browser, "score").text.startswith("Score: 2 right of 2 answered")


@pytest.mark.parametrize("level, first", [("local", "What is the local derivative ∂o/∂n?"),
                                          ("grad", "What is n.grad after this step?")])
def test_difficulty_local_or_grad_only(browser, page, level, first):  # noqa: F811
    by_testid(browser, "practice").click()
    by_testid(browser, "difficulty").send_keys(level)
    by_testid(browser, "next").click()
    assert question(browser) == first
    assert answer(browser, "0.5").startswith("Right")
    assert "This step is done" in question(browser)  # one question per contribution
    assert "grad 0.5" in svg_texts(browser, "n")


def test_a_node_explains_only_what_is_answered(browser, page):  # noqa: F811
    trace, (x1, *_) = page
    by_testid(browser, "practice").click()
    by_testid(browser, "fit").click()
    by_testid(browser, "node-x1").click()
    panel = by_testid(browser, "explain")
    wait_for(lambda: panel.get_attribute("data-node") == "x1", "the explanation")
    assert "show once you have answered" in panel.text
    assert not leaks(browser, grad_strings(trace, [x1]))
    by_testid(browser, "practice").click()  # off again: everything the step shown has computed is back
    assert "not yet known" in panel.text  # (issue 22: nothing before its step)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    assert "-1.5" in panel.text.replace("−", "-")


def test_collapsed_scopes_ask_for_the_box_outputs_grad(browser, tmp_path):  # noqa: F811
    root, _ = parse("tanh(x*w + b) * y").build({"x": 2.0, "w": -0.5, "b": 0.3, "y": 1.5}, scopes=True)
    trace = trace_backward(root)
    browser.get(trace.save_html(tmp_path / "collapsed.html", collapse=1).as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page to load")
    by_testid(browser, "practice").click()
    assert not leaks(browser, grad_strings(trace, trace.order))
    asked = []
    for _ in range(len(trace)):
        by_testid(browser, "next").click()
        while not by_testid(browser, "answer").get_attribute("disabled"):
            asked.append(question(browser))
            by_testid(browser, "reveal").click()
    # f = t * y with t the box's output: f's step asks about t and y; the box's inside asks nothing
    assert asked == ["What is the local derivative ∂f/∂tanh(x*w + b) (the output of the box tanh)?",
                     "What is tanh(x*w + b).grad (the output of the box tanh) after this step?",
                     "What is the local derivative ∂f/∂y?", "What is y.grad after this step?"]


def test_the_live_explorer_hides_its_gradients_while_practising(browser, server):  # noqa: F811
    browser.get(server.url)
    wait_for(lambda: by_testid(browser, "value").text, "the first answer")
    evaluate(browser, "sigmoid(x*y) + x", "x=0.5 y=3")
    wait_for(lambda: by_testid(browser, "value").text.startswith("1.3"), "the answer")
    root, leaves = parse("sigmoid(x*y) + x").build({"x": 0.5, "y": 3.0})
    trace = trace_backward(root)
    hidden = grad_strings(trace, trace.order)
    wait_for(lambda: leaks(browser, hidden), "the gradients on the page")
    by_testid(browser, "practice").click()
    assert by_testid(browser, "grad-x").text == "?" and by_testid(browser, "grad-y").text == "?"
    assert not leaks(browser, hidden)
    by_testid(browser, "next").click()
    assert question(browser).startswith("What is the local derivative ∂f/∂")
    for _ in range(100):  # Show me for every question, Next after each step
        if by_testid(browser, "answer").get_attribute("disabled"):
            if not by_testid(browser, "next").is_enabled():
                break
            by_testid(browser, "next").click()
            continue
        by_testid(browser, "reveal").click()
    assert by_testid(browser, "grad-x").text != "?"  # every step revealed: the results come back
    assert by_testid(browser, "grad-x").text == format_number(leaves["x"].grad)  # as the page prints numbers
