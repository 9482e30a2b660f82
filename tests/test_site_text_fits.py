"""Text stays inside its boxes in the browser-only site as under serve (review finding 6).

The site lays pictures out with Graphviz for WebAssembly, which has no fonts
and estimates text widths from tables; the browser then draws the text in a
real font. Measured in Chromium at 1400x900 with the page's own text: no text
of a node (a record field's "grad 0.5", the legend's "intermediate") crosses or
touches a vertical line of its node (an outline, a field's separator, a legend
cell's border). The runtimes are the pinned npm packages, found as
tests/test_site.py finds them.
"""

from __future__ import annotations

import threading

import pytest

from autograd_lite.explorer.server import make_server

from .conftest import require_program

pytest.importorskip("selenium.webdriver")

from .test_browser import by_testid, counter, wait_for
from .test_site import browser, fragment, node_modules, open_ready, served_site  # noqa: F401 - fixtures

NEURON = ("tanh(x1*w1 + x2*w2 + b) * log(y)", "x1=2 x2=0 w1=-3 w2=1 b=6.8813735870195432 y=3")

# the texts of nodes that reach within 1 unit of a vertical line of their node
CROSSINGS = """
var bad = [];
document.querySelectorAll('#graph g.node').forEach(function (g) {
  var walls = [];
  g.querySelectorAll('path, polygon').forEach(function (s) {
    var b = s.getBBox();
    if (b.width > 0) { walls.push([b.x, b.y, b.y + b.height]); walls.push([b.x + b.width, b.y, b.y + b.height]); }
  });
  g.querySelectorAll('polyline').forEach(function (p) {
    var b = p.getBBox();
    if (b.width < 0.5) walls.push([b.x, b.y, b.y + b.height]);
  });
  g.querySelectorAll('text').forEach(function (t) {
    if (!t.textContent.trim()) return;
    var r = t.getBBox();
    walls.forEach(function (w) {
      if (w[0] > r.x - 1 && w[0] < r.x + r.width + 1 && w[2] > r.y + 1 && w[1] < r.y + r.height - 1) bad.push(t.textContent);
    });
  });
});
return bad;
"""


def crossings_at_the_last_step(driver) -> list[str]:
    wait_for(lambda: driver.find_elements("css selector", '[data-testid="node-x1"]'), "the graph", 60)
    wait_for(lambda: counter(driver)[1] > 0 and counter(driver)[0] == counter(driver)[1], "the last step", 30)
    assert by_testid(driver, "node-x1").text  # the numbers are drawn
    return driver.execute_script(CROSSINGS)


def test_the_site_draws_text_inside_its_boxes(browser, served_site):  # noqa: F811
    open_ready(browser, served_site + fragment(*NEURON))
    assert crossings_at_the_last_step(browser) == []


def test_serve_draws_text_inside_its_boxes(browser):  # noqa: F811
    require_program("dot")
    server = make_server(port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.get(server.url + fragment(*NEURON))
        assert crossings_at_the_last_step(browser) == []
    finally:
        server.shutdown()
        server.server_close()
