"""The step-through page in a real browser: headless Chromium, driven by Selenium."""

from __future__ import annotations

import pytest

from autograd_lite import trace_backward
from autograd_lite.notation import format_number

from .conftest import require_program
from .test_viz import neuron

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


@pytest.fixture(scope="module")
def browser():
    options = Options()
    options.binary_location = require_program("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(require_program("chromedriver")), options=options)
    yield driver
    driver.quit()


def visible_page(driver):
    pages = [p for p in driver.find_elements(By.CSS_SELECTOR, "section.page") if p.is_displayed()]
    assert len(pages) == 1
    return pages[0]


def test_next_steps_through_the_whole_pass(browser, tmp_path):
    o, leaves = neuron()
    trace = trace_backward(o)
    path = trace.save_html(tmp_path / "backprop.html")
    browser.get(path.as_uri())
    assert browser.title == "Backward pass of o"
    prev, nxt = browser.find_element(By.ID, "prev"), browser.find_element(By.ID, "next")
    assert not prev.is_enabled()
    page = visible_page(browser)
    assert page.find_element(By.TAG_NAME, "h2").text == "Before the pass"
    assert page.find_element(By.TAG_NAME, "svg").is_displayed()
    for step in trace:
        nxt.click()
        page = visible_page(browser)
        assert page.find_element(By.TAG_NAME, "h2").text == f"Step {step.index}: {step.name}"
        assert page.find_element(By.CSS_SELECTOR, "pre.explanation").text == str(step)
        svg_text = page.find_element(By.TAG_NAME, "svg").text
        assert f"step {step.index} of {len(trace) - 1}" in svg_text
        for c in step.contributions:  # the picture shows each parent's grad as of this step
            assert f"grad {format_number(c.grad_after)}" in svg_text
        counter = browser.find_element(By.ID, "counter").text
        assert counter == f"Page {step.index + 2} of {len(trace) + 2}"
    nxt.click()
    page = visible_page(browser)
    assert page.find_element(By.TAG_NAME, "h2").text == "After the pass"
    final = page.find_element(By.CSS_SELECTOR, "pre.explanation").text
    for leaf in leaves:
        assert trace.grad_sum(leaf) in final
    assert not nxt.is_enabled()


def test_arrow_keys_move_both_ways(browser, tmp_path):
    o, _ = neuron()
    trace = trace_backward(o)
    browser.get(trace.save_html(tmp_path / "keys.html").as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    for _ in range(3):
        body.send_keys(Keys.ARROW_RIGHT)
    assert visible_page(browser).find_element(By.TAG_NAME, "h2").text == f"Step 2: {trace[2].name}"
    body.send_keys(Keys.ARROW_LEFT)
    assert browser.find_element(By.ID, "counter").text == f"Page 3 of {len(trace) + 2}"
    for _ in range(20):  # stops at the ends
        body.send_keys(Keys.ARROW_LEFT)
    assert browser.find_element(By.ID, "counter").text == f"Page 1 of {len(trace) + 2}"
