"""The training view shown to a class (review finding 8), in Chromium at 1400x900.

The view uses the screen: the decision boundary at least 500 px square, with
labelled axes (x1, x2; the loss curve's step and loss), every axis and tick text
at least 14 px, and a legend saying what the points and colours mean (held-out
points are drawn too, as rings). The default run is slow enough to watch: moons
reaches a loss under 0.1 after 200 to 400 steps, 10 to 20 s at the default
20 steps a second.
"""

from __future__ import annotations

import pytest

from autograd_lite.explorer.training import TrainingSession

pytest.importorskip("selenium.webdriver")

from .test_browser import (
    browser,  # noqa: F401 - a fixture
    by_testid,
    wait_for,
)
from .test_training_view_browser import frames

# every text drawn on a canvas, with the font it was drawn in (installed before the page's scripts run)
RECORD_CANVAS_TEXT = """
window.__canvasTexts = [];
var fill = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text) {
  window.__canvasTexts.push([String(text), this.font, this.canvas.getAttribute('data-testid')]);
  return fill.apply(this, arguments);
};
"""


def test_the_default_run_takes_a_class_some_seconds_to_learn_moons():
    session = TrainingSession({})
    while session.steps < 400 and not (session.losses and session.losses[-1] < 0.1):
        session.step(1, budget=0.5)
    assert 200 <= session.steps <= 400, session.steps  # 10 to 20 s at 20 steps/s
    state = session.state()
    assert len(state["held_points"]) == len(state["held_labels"]) == len(state["points"]) // 4


def test_the_view_fills_the_screen_with_labelled_readable_pictures(browser, server):  # noqa: F811
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CANVAS_TEXT})
    browser.get(server.url + "#train")
    wait_for(lambda: frames(browser) >= 1, "the first frame", 60)
    boundary = by_testid(browser, "train-boundary").rect
    assert boundary["width"] >= 500 and boundary["height"] >= 500, boundary
    assert abs(boundary["width"] - boundary["height"]) < 2
    view = browser.execute_script("return document.getElementById('train-view').getBoundingClientRect().toJSON()")
    assert view["bottom"] > 700 and view["right"] <= 1400, view  # the screen, not its top half
    texts = browser.execute_script("return window.__canvasTexts")
    drawn = {(canvas, text) for text, _, canvas in texts}
    for name in ("x1", "x2"):
        assert ("train-boundary", name) in drawn
    assert ("train-curve", "step") in drawn
    assert any(canvas == "train-curve" and text.startswith("loss") for canvas, text in drawn)
    sizes = {font: float(font.split("px")[0].split()[-1]) for _, font, _ in texts}
    assert min(sizes.values()) >= 14, sizes
    labels = browser.execute_script(
        "return Array.from(arguments[0].querySelectorAll('text'), function (t) {"
        " return parseFloat(getComputedStyle(t).fontSize); })", by_testid(browser, "train-network"))
    assert labels and min(labels) >= 14
    legend = by_testid(browser, "train-legend")
    assert legend.is_displayed()
    for words in ("class 0", "class 1", "training point", "held-out point"):
        assert words in legend.text
