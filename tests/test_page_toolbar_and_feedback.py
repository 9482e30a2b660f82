"""The step-through page's toolbar and practice feedback at 1400x900 (review findings 5 and 7).

The toolbar stays one row in every mode (practice on, presenting, both, a long step
title: cut with an ellipsis, the whole title in its tooltip); a wrong answer gets a
sentence that says what was typed and what to do next.
"""

from __future__ import annotations

import pytest

from autograd_lite import trace_backward

from .test_viz import neuron

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .test_browser import browser, by_testid, counter, server, wait_for  # noqa: F401 (fixtures)
from .test_page_no_early_numbers import go_to

ROWS = """
var tops = [];
document.querySelectorAll('nav#controls > *').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.width > 0 && r.height > 0) tops.push(Math.round(r.top + r.height / 2));
});
return tops;
"""


def one_row(driver) -> bool:
    middles = driver.execute_script(ROWS)
    return bool(middles) and max(middles) - min(middles) <= 4


@pytest.fixture
def neuron_page(browser, tmp_path):  # noqa: F811
    o, _ = neuron()
    browser.get(trace_backward(o).save_html(tmp_path / "neuron.html").as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page to load")


def test_the_toolbar_is_one_row_in_every_mode(browser, neuron_page):  # noqa: F811
    assert one_row(browser)
    by_testid(browser, "practice").click()
    assert one_row(browser)
    browser.find_element(By.TAG_NAME, "body").send_keys("p")
    assert by_testid(browser, "present").get_attribute("aria-pressed") == "true"
    assert one_row(browser)
    by_testid(browser, "practice").click()  # practice off, presenting a long step title
    go_to(browser, 9)
    title = browser.find_element(By.ID, "step-title")
    assert one_row(browser)
    assert title.get_attribute("title").startswith("Backward step 2: ")  # the whole title on hover


def test_the_live_toolbar_is_one_row_with_practice_on(browser, server):  # noqa: F811
    browser.get(server.url)
    wait_for(lambda: by_testid(browser, "value").text, "the first answer")
    by_testid(browser, "practice").click()
    assert one_row(browser)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    assert one_row(browser)


def test_a_wrong_answer_reads_as_a_sentence(browser, neuron_page):  # noqa: F811
    by_testid(browser, "practice").click()
    by_testid(browser, "next").click()  # o = tanh(n): the local derivative ∂o/∂n first
    box = by_testid(browser, "answer")
    box.send_keys("0.3")
    by_testid(browser, "check").click()
    assert by_testid(browser, "feedback").text == (
        "Not right yet: ∂o/∂t4 is not 0.3 (within a relative 1e-3). Try again, or ask for a hint.")
