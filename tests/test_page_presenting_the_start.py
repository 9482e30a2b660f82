"""Presentation mode's start step and text strip (review finding 5), in Chromium at 1400x900.

At step 0 the camera frames every input and parameter of the classic neuron
(x1, w1, x2, w2 and b) with every text in view at least 20 px: the legend is
hidden while presenting and an op's symbol is drawn as large as the node text.
The strip under the graph shows each step's whole text, at least 16 px, without
scrolling.
"""

from __future__ import annotations

import pytest

from autograd_lite import trace_backward
from autograd_lite.explorer.model import trace_model

from .test_viz import neuron

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .test_browser import browser, by_testid, counter, wait_for  # noqa: F401 (a fixture)

# the smallest font size x scale of every node text in view (op symbols and the legend included)
SMALLEST_TEXT = """
var graph = document.getElementById('graph').getBoundingClientRect(), fonts = [];
document.querySelectorAll('#graph g.node text').forEach(function (t) {
  var r = t.getBoundingClientRect();
  if (!t.textContent || r.width === 0 || r.bottom <= graph.top || r.top >= graph.bottom || r.right <= graph.left
      || r.left >= graph.right) return;
  fonts.push(parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a);
});
return Math.min.apply(null, fonts);
"""

# is the node named arguments[0] wholly inside the graph's box?
IN_VIEW = """
var graph = document.getElementById('graph').getBoundingClientRect();
var r = document.querySelector('[data-testid="node-' + arguments[0] + '"]').getBoundingClientRect();
return r.left >= graph.left - 1 && r.right <= graph.right + 1 && r.top >= graph.top - 1 && r.bottom <= graph.bottom + 1;
"""

# the step text's font size, and whether all of it shows (no scrolling, nothing past the strip)
STRIP = """
var pre = document.getElementById('step-text'), aside = pre.closest('aside');
var a = aside.getBoundingClientRect(), p = pre.getBoundingClientRect();
return [parseFloat(getComputedStyle(pre).fontSize), pre.scrollHeight <= pre.clientHeight + 1,
        pre.scrollWidth <= pre.clientWidth + 1, aside.scrollHeight <= aside.clientHeight + 1,
        p.bottom <= a.bottom + 1 && p.right <= a.right + 1, pre.textContent.length];
"""


def test_the_start_step_frames_every_input_at_20_px_and_the_strip_shows_every_step_whole(browser, tmp_path):  # noqa: F811
    o, _ = neuron()
    trace = trace_backward(o)
    browser.get(trace.save_html(tmp_path / "neuron.html").as_uri() + "#m=present")
    wait_for(lambda: counter(browser)[1] > 0, "the page")
    assert counter(browser)[0] == 0
    for name in ("x1", "w1", "x2", "w2", "b"):
        assert browser.execute_script(IN_VIEW, name), f"{name} is out of view at the start"
    assert browser.execute_script(SMALLEST_TEXT) >= 20
    body = browser.find_element(By.TAG_NAME, "body")
    for k in range(len(trace_model(trace)["steps"])):
        assert counter(browser)[0] == k
        size, tall, wide, unscrolled, inside, length = browser.execute_script(STRIP)
        assert length > 0 and size >= 16 and tall and wide and unscrolled and inside, (k, size, tall, wide, unscrolled,
                                                                                      inside)
        assert browser.execute_script(SMALLEST_TEXT) >= 20, k
        body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys("p")  # outside presentation the legend and the ops' own sizes are back
    wait_for(lambda: "presenting" not in body.get_attribute("class"), "leaving")
    assert browser.execute_script(
        "return Array.from(document.querySelectorAll('#graph g.node'), function (g) { return g; }).filter("
        "function (g) { return g.querySelector('title').textContent === 'legend'; })[0].getBoundingClientRect().width") > 0
    op = by_testid(browser, "op-t1").find_element(By.TAG_NAME, "text")
    assert float(op.get_attribute("font-size")) == pytest.approx(10)
