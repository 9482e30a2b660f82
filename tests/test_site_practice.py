"""Practice mode in the browser-only site (the package in Pyodide): a link opens it, a right and a
wrong answer are graded, the score counts them, and no hidden number is in the document."""

from __future__ import annotations

from autograd_lite import trace_backward
from autograd_lite.core.expression import parse

from .test_browser import by_testid, wait_for
from .test_practice_page import answer, grad_strings, leaks, question
from .test_site import (  # noqa: F401 - fixtures
    browser,
    fragment,
    node_modules,
    open_ready,
    served_site,
)

NEURON = "tanh(x1*w1 + x2*w2 + b)"
VALUES = "x1=2 x2=0 w1=-3 w2=1 b=6.8813735870195432"


def test_practice_in_the_site_grades_keeps_score_and_hides_the_grads(browser, served_site):  # noqa: F811
    root, leaves = parse(NEURON).build({"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432})
    trace = trace_backward(root)
    hidden = grad_strings(trace, trace.order)
    open_ready(browser, served_site + fragment(NEURON, VALUES) + "&m=practice")
    wait_for(lambda: by_testid(browser, "practice").get_attribute("aria-pressed") == "true", "practice from the link")
    assert by_testid(browser, "grad-x1").text == "?"
    assert not leaks(browser, hidden)

    by_testid(browser, "next").click()  # f = tanh(...): its local derivative first
    assert question(browser).startswith("What is the local derivative ∂f/∂")
    assert answer(browser, "0.6").startswith("Not ")
    assert answer(browser, "0.5").startswith("Right: ")
    assert by_testid(browser, "score").text.startswith("Score: 1 right of 1 answered, 1 wrong try")
    still = grad_strings(trace, [leaves["x1"]])  # -1.5, steps away yet (the others equal numbers now shown)
    assert still and not leaks(browser, still)
    assert "m=practice" in browser.current_url
