"""Lecture scale (issue 22, item 2), measured in Chromium at 1400×900.

Presentation mode (the Present button, the ``p`` key, ``m=present`` in the
link) shows node text of at least 20 px for the classic neuron and at least
14 px for micrograd's 2-2-1 MLP with its loss, with the step's node and the
nodes its gradient goes to in view. Outside it, the MLP's text after Fit is
at least 8 px, and opening the tables does not shrink it.

Sizes are the heights of the rendered text elements (getBoundingClientRect)
of the nodes in view, and, stricter, each text's font size times the
picture's scale on screen.
"""

from __future__ import annotations

import urllib.parse

import pytest

from autograd_lite import trace_backward
from autograd_lite.explorer.model import trace_model

from .test_viz import neuron

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .test_browser import browser, by_testid, counter, wait_for  # noqa: F401 (fixtures)

# [the smallest text height, the smallest font size × scale] over the node texts in view, in px
TEXT_SIZES = """
var graph = document.getElementById('graph').getBoundingClientRect(), heights = [], fonts = [];
document.querySelectorAll('#graph g.node text').forEach(function (t) {
  var r = t.getBoundingClientRect();
  if (!t.textContent || r.bottom <= graph.top || r.top >= graph.bottom || r.right <= graph.left || r.left >= graph.right) return;
  heights.push(r.height);
  fonts.push(parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a);
});
return [Math.min.apply(null, heights), Math.min.apply(null, fonts), heights.length];
"""

# for each node id: [in view, its rectangle in picture units]
IN_VIEW = """
var graph = document.getElementById('graph').getBoundingClientRect();
var scale = document.querySelector('#graph svg').getScreenCTM().a;
return Array.from(arguments[0], function (id) {
  var g = document.querySelector('#graph g.node[data-node="' + id + '"]:not([data-testid^="op-"])');
  var r = g.getBoundingClientRect();
  return [r.left >= graph.left - 1 && r.right <= graph.right + 1 && r.top >= graph.top - 1 && r.bottom <= graph.bottom + 1,
          [r.left / scale, r.top / scale, r.right / scale, r.bottom / scale]];
}).concat([[graph.width, graph.height]]);
"""


def text_sizes(driver) -> tuple[float, float]:
    height, font, count = driver.execute_script(TEXT_SIZES)
    assert count > 0, "no node text in view"
    return height, font


def focus_of(model: dict, k: int) -> list[str]:
    """The step's node and the nodes its gradient goes to (see page.js focusOf)."""
    step = model["steps"][k]
    node = step["node"]
    if node is None:
        forward = [s["node"] for s in model["steps"] if s["phase"] == "forward"]
        node = forward[0] if step["phase"] == "start" and forward else model["root"]
    constants = {n["id"] for n in model["nodes"] if n["kind"] == "constant"}  # folded into their op's label
    return [node] + [p for p in dict.fromkeys(e["from"] for e in model["edges"] if e["to"] == node)
                     if p not in constants]


def mlp_trace():
    from autograd_lite.nn import MLP, losses

    model = MLP(2, [2, 1], activation="tanh", seed=0)
    loss = losses.mse([model([1.0, 2.0]), model([0.5, -1.0])], [1.0, -1.0])
    return trace_backward(loss, parameters=model.parameters())


def walk(driver, model: dict, least: float) -> list[int]:
    """Every step: text at least ``least`` px, the step's node and its gradient's targets in view.

    Returns the steps whose node and targets were all framed together.
    """
    framed: list[int] = []
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.HOME)
    for k in range(len(model["steps"])):
        assert counter(driver)[0] == k
        height, font = text_sizes(driver)
        assert height >= least and font >= least, (k, height, font)
        ids = focus_of(model, k)
        *seen, (width, height) = driver.execute_script(IN_VIEW, ids)
        assert seen[0][0], (k, "the step's node is out of view")
        # its gradient's targets too, whenever they fit together at this text size (10 pt op text),
        # with a fifth to spare for the op between them
        x0, y0 = min(r[0] for _, r in seen), min(r[1] for _, r in seen)
        x1, y1 = max(r[2] for _, r in seen), max(r[3] for _, r in seen)
        if (x1 - x0) * least / 10 * 1.2 <= width - 60 and (y1 - y0) * least / 10 * 1.2 <= height - 60:
            assert all(in_view for in_view, _ in seen), (k, dict(zip(ids, seen)))
            framed.append(k)
        body.send_keys(Keys.ARROW_RIGHT)
    return framed


def test_the_neuron_in_presentation_mode_is_20_px_and_framed_at_every_step(browser, tmp_path):  # noqa: F811
    o, _ = neuron()
    trace = trace_backward(o)
    browser.get(trace.save_html(tmp_path / "neuron.html").as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page")
    outside = text_sizes(browser)[0]
    by_testid(browser, "present").click()
    assert "presenting" in browser.find_element(By.TAG_NAME, "body").get_attribute("class")
    assert browser.execute_script("return location.hash") == "#m=present"
    assert not by_testid(browser, "explain").is_displayed()  # the graph takes the screen
    model = trace_model(trace)
    assert len(walk(browser, model, 20)) == len(model["steps"])  # every step framed whole
    browser.find_element(By.TAG_NAME, "body").send_keys("p")  # the key leaves it again
    assert "presenting" not in browser.find_element(By.TAG_NAME, "body").get_attribute("class")
    assert text_sizes(browser)[0] == pytest.approx(outside, abs=0.5)


def test_the_mlp_in_presentation_mode_is_14_px_and_framed_at_every_step(browser, tmp_path):  # noqa: F811
    trace = mlp_trace()
    browser.get(trace.save_html(tmp_path / "mlp.html").as_uri() + "#m=present")  # a link opens it
    wait_for(lambda: counter(browser)[1] > 0, "the page")
    assert "presenting" in browser.find_element(By.TAG_NAME, "body").get_attribute("class")
    model = trace_model(trace)
    framed = walk(browser, model, 14)
    print(f"framed whole: {len(framed)} of {len(model['steps'])} steps")
    assert len(framed) >= 0.75 * len(model["steps"]), framed  # the rest: a target a layer away


def test_the_mlp_after_fit_is_8_px_and_the_tables_do_not_shrink_it(browser, tmp_path):  # noqa: F811
    trace = mlp_trace()
    browser.get(trace.save_html(tmp_path / "mlp.html").as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page")
    assert min(text_sizes(browser)) >= 8  # the first view
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    by_testid(browser, "fit").click()
    assert min(text_sizes(browser)) >= 8
    browser.find_element(By.CSS_SELECTOR, "details#tables summary").click()
    wait_for(lambda: by_testid(browser, "backward-table").is_displayed(), "the tables")
    assert browser.find_element(By.ID, "graph").rect["height"] < 700  # the tables took room ...
    wait_for(lambda: min(text_sizes(browser)) >= 8, "the text to stay at 8 px or more")  # ... not text size
    by_testid(browser, "fit").click()
    assert min(text_sizes(browser)) >= 8




def test_the_live_page_keeps_presentation_mode_in_its_link(browser, server):  # noqa: F811
    view = "#e=" + urllib.parse.quote("tanh(x1*w1 + x2*w2 + b)") + "&v=" + urllib.parse.quote(
        "x1=2 x2=0 w1=-3 w2=1 b=6.8813735870195432") + "&s=7&m=present"
    browser.get(server.url + view)
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="node-x1"]'), "the live graph", 20)
    wait_for(lambda: counter(browser)[0] == 7, "the step of the link")
    assert "presenting" in browser.find_element(By.TAG_NAME, "body").get_attribute("class")
    assert min(text_sizes(browser)) >= 20
    browser.find_element(By.TAG_NAME, "body").send_keys("p")
    wait_for(lambda: "m=present" not in browser.execute_script("return location.hash"), "the link to follow")
    browser.find_element(By.TAG_NAME, "body").send_keys("p")
    wait_for(lambda: browser.execute_script("return location.hash").endswith("&m=present"), "the link again")
    browser.get("about:blank")
    browser.get(server.url + "#e=x&m=slides")
    wait_for(lambda: by_testid(browser, "error").is_displayed(), "the message")
    assert "m=present" in by_testid(browser, "error").text
