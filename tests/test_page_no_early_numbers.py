"""The step-through page never tells the answer early (issue 22, item 1).

At step k a node shows its data only once the forward pass has reached it
and its grad only once the backward pass has; an edge's local derivative
appears at its step; the click panel of a node whose grad is not known yet
says "not yet known" and shows no number; a collapsed box shows the numbers
of the step shown. Checked in Chromium on the text, the attributes and the
<title>s of the page, at steps 0, 1, the seed and the last, on the static
page and on serve's live page (the Jupyter view is the static page in an
iframe).
"""

from __future__ import annotations

import html
import re

import pytest

from autograd_lite import trace_backward
from autograd_lite.explorer.pictures import graph_svg
from autograd_lite.views.notation import format_number

from .test_viz import neuron

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .test_browser import browser, by_testid, counter, svg_texts, wait_for  # noqa: F401 (fixtures)

# Everything a page could leak a number through: every text node, and every attribute
# that is not geometry (titles, data-*, aria-*, class, id ...), of the whole document.
PAGE_STRINGS = """
var out = [], geometry = /^(d|points|x|y|x1|x2|y1|y2|cx|cy|rx|ry|r|width|height|viewBox|transform|
  font-size|stroke-width|stroke-dasharray|style)$/;
var walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
for (var n = walker.currentNode; n; n = walker.nextNode()) {
  if (n.nodeType === 3) { if (n.parentNode.nodeName.toLowerCase() !== 'script') out.push(n.nodeValue); continue; }
  for (var i = 0; i < n.attributes.length; i++) {
    var a = n.attributes[i];
    if (!geometry.test(a.name)) out.push(a.name + '=' + a.value);
  }
}
return out.join('\\n');
"""


def page_strings(driver) -> str:
    return driver.execute_script(PAGE_STRINGS.replace("|\n  ", "|"))


def go_to(driver, k: int) -> None:
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.HOME)
    for _ in range(k):
        body.send_keys(Keys.ARROW_RIGHT)
    assert counter(driver)[0] == k


def explain(driver, name: str) -> str:
    driver.execute_script(
        "var g = document.querySelector('[data-testid=\"node-' + arguments[0] + '\"]');"
        "window.autogradExplorer.explain(g.getAttribute('data-node'))", name)
    panel = by_testid(driver, "explain")
    wait_for(lambda: panel.get_attribute("data-node") == name, f"the explanation of {name}")
    return panel.text


def edge_label_texts(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#graph g.edge text'), function (t) { return t.textContent; })")


def grad_unknown(driver) -> bool:
    """The panel says the grad is not yet known, with no number and no "in full" line."""
    return (by_testid(driver, "explain-grad").text == "not yet known"
            and not driver.find_elements(By.CSS_SELECTOR, '[data-testid="grad-full"]'))


@pytest.fixture
def neuron_page(browser, tmp_path):  # noqa: F811
    o, leaves = neuron()
    trace = trace_backward(o)
    browser.get(trace.save_html(tmp_path / "neuron.html").as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page to load")
    return trace, o, leaves


def test_step_0_shows_the_inputs_and_nothing_computed(browser, neuron_page):  # noqa: F811
    trace, o, (x1, _, w1, *_) = neuron_page
    go_to(browser, 0)
    strings = page_strings(browser)
    # the output's data and every full-precision gradient are nowhere in the page: not in an SVG
    # text, not in a <title>, not in an attribute, not in the model's script element
    for hidden in (format_number(o.data), repr(o.data), repr(x1.grad), repr(w1.grad), "0.8814"):
        assert hidden not in strings, hidden
    assert "0.4999999999999998" not in browser.page_source
    for node in trace.order:
        name = trace.names[node]
        texts = svg_texts(browser, name)
        assert "grad —" in texts, name
        assert ("data —" in texts) != node.is_leaf, name
    assert all(t == "" for t in edge_label_texts(browser))  # no local derivative yet
    panel = explain(browser, "x1")
    assert "x1 = 2" in panel and "not yet known" in panel
    assert grad_unknown(browser)
    assert not re.search(r"-?\d+\.\d", panel.split("local rule", 1)[1])  # no chain-rule sum, no check
    # the tables hold the inputs and nothing computed
    tables = by_testid(browser, "forward-table").get_attribute("textContent")
    assert "x1" in tables and "6.881" in tables and "0.7071" not in tables
    assert "sends" not in by_testid(browser, "backward-table").get_attribute("textContent")


def test_step_1_shows_the_first_forward_value_only(browser, neuron_page):  # noqa: F811
    trace, o, _ = neuron_page
    go_to(browser, 1)
    first = next(n for n in trace.order if not n.is_leaf)
    assert f"data {format_number(first.data)}" in svg_texts(browser, trace.names[first])
    later = [n for n in trace.order if not n.is_leaf and n is not first]
    for node in later:
        assert "data —" in svg_texts(browser, trace.names[node])
    assert format_number(o.data) not in page_strings(browser)
    assert all(t == "" for t in edge_label_texts(browser))
    panel = explain(browser, "o")
    assert "not yet computed" in panel and format_number(o.data) not in panel


def test_the_seed_sets_the_output_grad_and_no_other(browser, neuron_page):  # noqa: F811
    trace, o, (x1, *_) = neuron_page
    seed = next(k for k, s in enumerate(_steps(trace)) if s["phase"] == "seed")
    go_to(browser, seed)
    assert "grad 1" in svg_texts(browser, "o")
    for node in trace.order:
        if node is not o:
            assert "grad —" in svg_texts(browser, trace.names[node])
    assert all(t == "" for t in edge_label_texts(browser))  # the seed computes no local derivative
    panel = explain(browser, "x1")
    assert "not yet known" in panel
    assert grad_unknown(browser)
    assert repr(x1.grad) not in page_strings(browser)
    # one step on, the output's own step: its edge's label appears, and only it
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    labels = [t for t in edge_label_texts(browser) if t]
    assert labels and any("0.5" in t for t in labels) and len(labels) == 2  # ∂o/∂(…) and "= 0.5"


def test_x1_at_the_step_before_its_grad_says_not_yet_known_and_no_number(browser, neuron_page):  # noqa: F811
    trace, _, (x1, *_) = neuron_page
    steps = _steps(trace)
    arrives = next(k for k, s in enumerate(steps) if s["phase"] == "backward" and "x1" in s["title"].split("to ")[-1])
    go_to(browser, arrives - 1)
    panel = explain(browser, "x1")
    assert "not yet known" in panel and grad_unknown(browser)
    for number in ("-1.5", repr(x1.grad)):
        assert number not in panel
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)  # its step: the grad, complete
    panel = by_testid(browser, "explain").text
    assert "-1.5" in panel and "complete" in panel


def test_the_last_step_shows_everything_with_full_precision_in_one_line(browser, neuron_page):  # noqa: F811
    trace, o, (x1, *_) = neuron_page
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    assert f"grad {format_number(x1.grad)}" in svg_texts(browser, "x1")
    assert f"data {format_number(o.data)}" in svg_texts(browser, "o")
    labels = [t for t in edge_label_texts(browser) if t]
    into_ops = sum(len({id(p) for p in n.parents}) for n in trace.order if not n.is_leaf)
    assert len(labels) == 2 * into_ops  # every edge into an op: its ∂ and its number
    explain(browser, "x1")
    full = by_testid(browser, "grad-full").text
    assert full == f"in full: {x1.grad!r}"
    panel = by_testid(browser, "explain").text
    assert panel.count(repr(x1.grad)) == 1  # the full-precision number in its own line only
    assert trace.grad_sum(x1) in panel and "central difference -1.5" in panel
    rows = by_testid(browser, "backward-table").find_elements(By.TAG_NAME, "tr")
    assert len(rows) == 1 + len(trace)


def test_a_collapsed_box_shows_the_numbers_of_the_step_shown(browser, tmp_path):  # noqa: F811
    from autograd_lite.nn import MLP
    from autograd_lite.nn.losses import hinge

    model = MLP(2, [3, 1], activation="tanh", seed=2)
    loss = hinge([model(x) for x in ([1.0, -2.0], [0.5, 0.5])], [1, -1])
    trace = trace_backward(loss, parameters=model.parameters())
    browser.get(trace.save_html(tmp_path / "boxes.html", collapse=2).as_uri())
    layer = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="scope-MLP/L0"]'), "the box")[0]

    def rows() -> list[str]:
        return browser.execute_script(
            "return Array.from(arguments[0].querySelectorAll('text'), function (t) { return t.textContent; })"
            ".slice(2).filter(function (t) { return t; })", layer)

    go_to(browser, 0)
    assert rows() and all("—" in r for r in rows()) and not any(re.search(r"\d\.\d", r) for r in rows())
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    # at the end, the rows read as the picture Graphviz drew with the final numbers
    drawn = html.unescape(graph_svg(trace, collapse=2))
    for row in rows():
        assert row in drawn, row
    assert not any("—" in r for r in rows())


def _steps(trace) -> list[dict]:
    from autograd_lite.explorer.model import trace_model
    return trace_model(trace)["steps"]




def test_the_live_page_hides_the_same_numbers_before_their_step(browser, server):  # noqa: F811
    browser.get(server.url)
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="node-x1"]'), "the live graph", 20)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.HOME)
    assert counter(browser)[0] == 0
    assert all(t == "" for t in edge_label_texts(browser))
    assert "grad —" in svg_texts(browser, "x1")
    panel = explain(browser, "x1")
    assert "not yet known" in panel and grad_unknown(browser)
