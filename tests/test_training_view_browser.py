"""The training view (issue 25) in real Chromium: under ``serve`` and in the browser-only site.

Driven through its data-testids as a teacher would: play, pause, a weight
clicked. The site's runtimes are the pinned npm packages, found as
tests/test_site.py finds them. Every wait is a bounded loop.
"""

from __future__ import annotations

import math
import time

import pytest

from .test_training_view import STEP_BUDGET

webdriver = pytest.importorskip("selenium.webdriver")

from .test_browser import browser, by_testid, wait_for  # noqa: F401 (browser: a fixture)
from .test_site import node_modules, open_ready, served_site  # noqa: F401 - fixtures


def frames(driver) -> int:
    return int(driver.execute_script("return document.body.getAttribute('data-train-frames') || 0"))


def steps(driver) -> int:
    return int(by_testid(driver, "train-steps").text)


def loss(driver) -> float:
    text = by_testid(driver, "train-loss").text
    return float(text) if text.replace(".", "").replace("e-", "").isdigit() else math.inf


def boundary_image(driver) -> str:
    return driver.execute_script("return arguments[0].toDataURL()", by_testid(driver, "train-boundary"))


def drive_the_view(driver, seconds: float) -> None:
    """What issue 25 checks, in whichever page ``driver`` shows with ``#train``."""
    wait_for(lambda: frames(driver) >= 1, "the run's first frame", seconds)
    first = boundary_image(driver)
    driver.execute_script("arguments[0].value = 'max'", by_testid(driver, "train-speed"))  # as fast as it goes
    by_testid(driver, "train-play").click()
    wait_for(lambda: frames(driver) >= 3, "frames while playing", seconds)
    assert boundary_image(driver) != first  # the boundary moves between frames
    wait_for(lambda: loss(driver) < 0.1, "moons to reach a loss under 0.1", seconds)
    assert steps(driver) <= STEP_BUDGET
    by_testid(driver, "train-pause").click()
    time.sleep(0.5)  # a chunk already asked for may still arrive
    held = steps(driver)
    time.sleep(1.0)
    assert steps(driver) == held  # pause holds the step count
    # a weight clicked opens the explorer on it, its gradient the chain-rule sum training computes
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                          by_testid(driver, "train-weight-1-3-5"))
    wait_for(lambda: by_testid(driver, "train-note").is_displayed(), "the weight's note", seconds)
    assert "L1.N3.w5" in by_testid(driver, "train-note").text
    assert not by_testid(driver, "train-boundary").is_displayed()
    grad = wait_for(lambda: driver.find_elements("css selector", '[data-testid="grad-w"]'), "the explorer's answer",
                    seconds)[0]
    wait_for(lambda: grad.text, "the weight's gradient", seconds)
    shown = by_testid(driver, "train-note").text.split(" = ")[1].split(" ")[0]
    assert float(grad.text) == pytest.approx(float(shown), rel=1e-3)
    wait_for(lambda: "#e=" in driver.current_url, "the explorer's link in the address", seconds)
    driver.back()  # back to the training view, where it was
    wait_for(lambda: by_testid(driver, "train-boundary").is_displayed(), "the training view again", seconds)
    assert steps(driver) == held


def test_the_training_view_under_serve(browser, server):  # noqa: F811
    browser.get(server.url)
    link = by_testid(browser, "train-link")
    assert link.get_attribute("href").endswith("#train")
    link.click()
    drive_the_view(browser, 60)


def test_a_training_link_sets_the_view_and_is_data(browser, server):  # noqa: F811
    browser.get(server.url + "#train&d=xor&w=4&a=relu")
    wait_for(lambda: frames(browser) >= 1, "the first frame", 30)
    assert by_testid(browser, "train-setting-data").get_attribute("value") == "xor"
    assert by_testid(browser, "train-setting-width").get_attribute("value") == "4"
    assert len(browser.find_elements("css selector", '[data-testid^="train-weight-0-"]')) == 2 * 4
    browser.get(server.url + "#train&d=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    wait_for(lambda: "malformed" in browser.find_element("css selector", ".train-message").text, "the message", 30)
    assert not browser.find_elements("css selector", "#train-view img")
    browser.get(server.url + "#train&q=1")
    wait_for(lambda: "part named" in browser.find_element("css selector", ".train-message").text, "the message", 30)


def test_the_training_view_in_the_browser_only_site(browser, served_site):  # noqa: F811
    open_ready(browser, served_site + "#train")
    drive_the_view(browser, 120)
