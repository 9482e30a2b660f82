"""Practice mode, continued (issue 23): forward values asked at the forward steps, a hint that
teaches without doing the sum, and the mode in the link (``m=practice``, ``d=<difficulty>``)."""

from __future__ import annotations

import urllib.parse

import pytest

from autograd_lite import trace_backward
from autograd_lite.views.notation import format_number

from .test_browser import (  # noqa: F401 - fixtures
    browser,
    by_testid,
    counter,
    svg_texts,
    wait_for,
)
from .test_practice_page import answer, grad_strings, leaks, neuron, question

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select


def value_strings(trace, nodes) -> set[str]:
    """How the page could print the forward values of ``nodes`` (short and full, either minus)."""
    out = set()
    for n in nodes:
        for text in (format_number(n.data), repr(n.data)):
            if "." in text:  # an integer such as -6 could be any page's number
                out |= {text, text.replace("-", "−")}
    return out


def open_neuron(browser, tmp_path, fragment: str = ""):  # noqa: F811
    o, _ = neuron()
    trace = trace_backward(o)
    browser.get("about:blank")
    browser.get(trace.save_html(tmp_path / "neuron.html").as_uri() + fragment)
    wait_for(lambda: counter(browser)[1] > 0, "the page to load")
    return trace, {n.label: n for n in trace.order if n.label}


def hash_of(browser) -> str:  # noqa: F811
    return browser.execute_script("return location.hash")


def test_forward_values_are_asked_graded_hinted_and_hidden_until_answered(browser, tmp_path):  # noqa: F811
    trace, named = open_neuron(browser, tmp_path)
    computed = [n for n in trace.order if not n.is_leaf]
    values, grads = value_strings(trace, computed), grad_strings(trace, trace.order)
    browser.find_element(By.ID, "end").click()
    assert leaks(browser, values), "the check must see the values on the ordinary page"
    browser.find_element(By.CSS_SELECTOR, "details#tables summary").click()  # the tables open: no leak there either

    by_testid(browser, "practice").click()
    Select(by_testid(browser, "difficulty")).select_by_value("values")
    assert counter(browser)[0] == 0  # back to the start: the forward pass comes first
    assert not leaks(browser, values | grads)
    assert "forward pass" in question(browser)

    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)  # the first forward step: x1*w1
    assert question(browser).startswith("What is the value of ") and "x1" in question(browser)
    assert not leaks(browser, values | grads)
    assert answer(browser, "6").startswith("Not ")  # the sign is wrong
    by_testid(browser, "hint").click()
    hint = by_testid(browser, "hint-text").text.replace("−", "-")
    assert "x1 = 2" in hint and "w1 = -3" in hint  # the formula with its inputs' numbers ...
    assert "-6" not in hint  # ... not worked out
    assert answer(browser, "-6").startswith("Right: ")
    assert "This step is done" in question(browser)

    asked = []
    for _ in range(10):  # the rest of the forward pass: Show me, except tanh(n), answered within 1e-3
        browser.find_element(By.ID, "next").click()
        step = browser.find_element(By.ID, "step-title").text
        if not step.startswith("Forward"):
            break
        asked.append(question(browser))
        if "tanh" in question(browser):
            assert not leaks(browser, value_strings(trace, [named["o"]]))
            assert answer(browser, "0.70712").startswith("Right: o = 0.7071")
        else:
            by_testid(browser, "reveal").click()
            assert by_testid(browser, "feedback").text.startswith("Shown: ")
    assert len(asked) == len(computed) - 1
    assert by_testid(browser, "score").text.startswith("Score: 2 right of 5 answered, 1 wrong try, 3 shown, 1 hint")
    # every value known: the backward pass shows as usual (the values setting asks nothing there)
    browser.find_element(By.ID, "next").click()
    assert by_testid(browser, "answer").get_attribute("disabled")
    assert "grad 0.5" in svg_texts(browser, "n")


def test_a_skipped_value_stays_hidden_and_so_does_the_backward_pass(browser, tmp_path):  # noqa: F811
    trace, named = open_neuron(browser, tmp_path, "#m=practice&d=all")
    assert by_testid(browser, "practice").get_attribute("aria-pressed") == "true"
    hidden = value_strings(trace, [named["n"], named["o"]]) | grad_strings(trace, trace.order)
    browser.find_element(By.ID, "end").click()  # stepped past every question unanswered
    assert not leaks(browser, hidden)
    assert "?" in " ".join(svg_texts(browser, "o"))
    by_testid(browser, "node-n").click()
    assert not leaks(browser, hidden)


def test_the_hint_for_a_grad_teaches_the_rule_without_the_product(browser, tmp_path):  # noqa: F811
    open_neuron(browser, tmp_path, "#m=practice&d=grad")
    browser.find_element(By.ID, "next").click()  # o = tanh(n): n.grad asked straight away
    assert question(browser) == "What is n.grad after this step?"
    by_testid(browser, "hint").click()
    hint = by_testid(browser, "hint-text").text
    assert "n.grad = ∂o/∂o · ∂o/∂n" in hint and "∂o/∂o = 1" in hint
    assert "∂o/∂n = 1 − o²" in hint.replace("-", "−")  # the op's rule, in symbols then numbers
    assert not leaks(browser, {"0.5"})  # neither the local derivative nor the grad worked out


def test_a_link_opens_practice_at_its_step_and_the_page_keeps_the_link(browser, tmp_path):  # noqa: F811
    open_neuron(browser, tmp_path, "#m=practice&d=values&s=2")
    assert by_testid(browser, "practice").get_attribute("aria-pressed") == "true"
    assert by_testid(browser, "difficulty").get_attribute("value") == "values"
    assert counter(browser)[0] == 2
    assert question(browser).startswith("What is the value of ")
    browser.find_element(By.ID, "next").click()
    assert hash_of(browser) == "#m=practice&d=values&s=3"
    by_testid(browser, "practice").click()  # off: the link has no mode left
    assert hash_of(browser) == ""

    open_neuron(browser, tmp_path, "#m=present,practice&s=5")
    assert "presenting" in browser.find_element(By.TAG_NAME, "body").get_attribute("class")
    assert by_testid(browser, "practice").get_attribute("aria-pressed") == "true"
    assert counter(browser)[0] == 5 and hash_of(browser) == "#m=present,practice&s=5"


def test_a_fragment_is_data(browser, tmp_path):  # noqa: F811
    attack = "#m=" + urllib.parse.quote("<img src=x onerror=alert(1)>") + "&d=%3Cb%3E&s=1e9"
    open_neuron(browser, tmp_path, attack)
    assert by_testid(browser, "practice").get_attribute("aria-pressed") == "false"
    assert not browser.find_elements(By.CSS_SELECTOR, "img, b")
    assert counter(browser)[0] == 0


def test_the_live_link_holds_practice_and_its_difficulty(browser, server):  # noqa: F811
    view = "#e=" + urllib.parse.quote("tanh(x1*w1 + x2*w2 + b)") + "&v=" + urllib.parse.quote(
        "x1=2 x2=0 w1=-3 w2=1 b=6.8813735870195432") + "&s=3&m=practice&d=values"
    browser.get("about:blank")
    browser.get(server.url + view)
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="node-x1"]'), "the live graph", 20)
    wait_for(lambda: counter(browser)[0] == 3, "the step of the link")
    assert by_testid(browser, "practice").get_attribute("aria-pressed") == "true"
    assert question(browser).startswith("What is the value of ")
    assert by_testid(browser, "value").text == "?"  # f itself is a forward value
    wait_for(lambda: hash_of(browser).endswith("&s=3&m=practice&d=values"), "the link to keep the mode")
    browser.get("about:blank")
    browser.get(server.url + "#e=x&m=practice&d=hard")
    wait_for(lambda: by_testid(browser, "error").is_displayed(), "the message")
    assert "d=values" in by_testid(browser, "error").text
