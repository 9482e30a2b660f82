"""The live explorer's results row follows the step shown (review finding 4).

Above the graph, serve's page (and the browser-only site, same script) shows
f and each ∂f/∂x. At step k it holds f only once the forward pass has computed
it and a variable's gradient only once the backward pass is done with it; at
the last step everything. A number not yet due is nowhere in the document.
"""

from __future__ import annotations

import pytest

from autograd_lite.explorer.model import trace_model

from .test_page_no_early_numbers import go_to, page_strings

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .test_browser import browser, by_testid, counter, evaluate, wait_for  # noqa: F401 (fixtures)


def row(driver) -> dict[str, str]:
    return {"f": by_testid(driver, "value").text,
            "a": by_testid(driver, "grad-a").text, "b": by_testid(driver, "grad-b").text}


def test_the_results_row_shows_each_number_from_its_step_on(browser, server):  # noqa: F811
    from autograd_lite import trace_backward
    from autograd_lite.core.expression import parse

    browser.get(server.url)
    wait_for(lambda: by_testid(browser, "value").text, "the first answer")
    # a is done after the step of a*exp(b); b only after exp(b)'s, later
    evaluate(browser, "a*exp(b) + b", "a=0.5 b=3")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="grad-b"]')
             and by_testid(browser, "value").text == "13.04", "the answer")
    root, _ = parse("a*exp(b) + b").build({"a": 0.5, "b": 3.0})
    steps = trace_model(trace_backward(root))["steps"]
    last = len(steps) - 1
    assert row(browser) == {"f": "13.04", "a": "20.09", "b": "11.04"}  # the last step: all of it
    go_to(browser, 0)
    assert row(browser) == {"f": "—", "a": "—", "b": "—"}
    for hidden in ("13.04", "20.09", "11.04"):
        assert hidden not in page_strings(browser), hidden
    seed = next(k for k, s in enumerate(steps) if s["phase"] == "seed")
    go_to(browser, seed - 1)  # the forward pass's last step computes f
    assert row(browser) == {"f": "13.04", "a": "—", "b": "—"}
    ids = {n["name"]: n["id"] for n in trace_model(trace_backward(root))["nodes"]}
    done = {name: max(k for k, s in enumerate(steps) if s["phase"] == "backward" and ids[name] in s["grad"])
            for name in "ab"}
    assert done["a"] < done["b"] < last
    go_to(browser, done["a"] - 1)
    assert row(browser)["a"] == "—"
    go_to(browser, done["a"])
    assert row(browser) == {"f": "13.04", "a": "20.09", "b": "—"}
    assert "11.04" not in page_strings(browser)
    go_to(browser, done["b"])
    assert row(browser) == {"f": "13.04", "a": "20.09", "b": "11.04"}
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    assert counter(browser)[0] == last and row(browser)["b"] == "11.04"
