"""The explorer in a real browser: headless Chromium, driven by Selenium.

The static page (what ``steps.save_html`` writes) and the live app
(``autograd-lite serve``, started here on a free port) are both driven
through their ``data-testid`` hooks, as a learner would: clicks, keys, the
wheel, drags and sliders. Every wait is a bounded loop.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from autograd_lite import Value, trace_backward
from autograd_lite.core.expression import parse
from autograd_lite.explorer.server import MAX_REQUEST_BYTES
from autograd_lite.views.notation import format_number

from .conftest import require_program
from .test_viz import neuron

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run")


def chromium(profile: Any, logs: bool = False) -> Any:
    """Headless Chromium with a fresh profile and a 1400x900 page; ``logs``: keep its performance log."""
    options = Options()
    options.binary_location = require_program("chromium")
    for arg in CHROMIUM_FLAGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    if logs:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(require_program("chromedriver")), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


def wait_for(condition: Callable[[], Any], what: str, seconds: float = 10.0) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.05)


def by_testid(driver, testid: str):
    return driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')


def svg_texts(driver, name: str) -> list[str]:
    return driver.execute_script(
        "return Array.from(arguments[0].querySelectorAll('text'), function (t) { return t.textContent; })",
        by_testid(driver, f"node-{name}"))


def view_box(driver) -> list[float]:
    text = driver.execute_script("return document.querySelector('#graph svg').getAttribute('viewBox')")
    return [float(v) for v in text.split()]


def counter(driver) -> tuple[int, int]:
    words = by_testid(driver, "step").text.split()  # "Step 3 of 12"
    return int(words[1]), int(words[3])


# --- the static page -----------------------------------------------------------------

@pytest.fixture
def neuron_page(browser, tmp_path):
    o, leaves = neuron()
    trace = trace_backward(o)
    browser.get(trace.save_html(tmp_path / "neuron.html").as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page to load")
    return trace, o, leaves


def test_one_svg_and_no_network(tmp_path):
    o, _ = neuron()
    page = trace_backward(o).html()
    assert page.count("<svg") == 1
    for forbidden in ("http://", "https://", "<link", "src="):
        assert forbidden not in page.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
            'xmlns:xlink="http://www.w3.org/1999/xlink"', "")


def test_steps_forward_then_backward_and_every_grad_matches_backward(browser, neuron_page):
    trace, _, leaves = neuron_page
    ops = [n for n in trace.order if not n.is_leaf]
    total = 1 + len(ops) + 1 + len(trace) + 1  # inputs, forward, seed, backward, summary
    assert counter(browser) == (0, total - 1)
    assert not by_testid(browser, "prev").is_enabled()
    # before the forward pass reaches it, a node shows no data
    assert "data —" in svg_texts(browser, "o")
    assert "data 2" in svg_texts(browser, "x1")
    nxt = by_testid(browser, "next")
    for node in ops:  # forward: values appear in order, each on its own step
        nxt.click()
        name = trace.names[node]
        assert f"data {format_number(node.data)}" in svg_texts(browser, name)
        active = browser.find_elements(By.CSS_SELECTOR, "g.node.al-active")
        assert by_testid(browser, f"node-{name}") in active
        assert all("grad —" in svg_texts(browser, trace.names[n]) for n in trace.order)
    nxt.click()  # the seed
    assert "grad 1" in svg_texts(browser, "o")
    for step in trace:  # backward: grads appear; the node and its edges are highlighted
        nxt.click()
        k, _ = counter(browser)
        assert by_testid(browser, "step").text == f"Step {k} of {total - 1}"
        assert step.name in browser.find_element(By.ID, "step-title").text
        for c in step.contributions:
            assert f"grad {format_number(c.grad_after)}" in svg_texts(browser, c.name)
        hot = browser.find_elements(By.CSS_SELECTOR, "g.edge.al-hot")
        assert len(hot) == len({id(p) for p in step.node.parents}) + 1
    nxt.click()
    assert counter(browser) == (total - 1, total - 1) and not nxt.is_enabled()
    # the page's gradients are backward()'s, to the last digit
    fresh, fresh_leaves = neuron()
    fresh.backward()
    by_testid(browser, "fit").click()
    for leaf, same in zip(leaves, fresh_leaves):
        by_testid(browser, f"node-{leaf.label}").click()
        panel = by_testid(browser, "explain")
        wait_for(lambda p=panel, name=leaf.label: p.get_attribute("data-node") == name, "the explanation")
        shown = by_testid(browser, "explain-grad").text  # rounded; the digits are in the "in full" line
        assert shown == format_number(same.grad), leaf.label
        full = browser.find_elements(By.CSS_SELECTOR, '[data-testid="grad-full"]')
        assert float(full[0].text.split()[-1] if full else shown) == same.grad, leaf.label
        assert f"grad {format_number(same.grad)}" in svg_texts(browser, leaf.label)


def test_clicking_a_node_explains_it(browser, neuron_page):
    trace, o, (x1, *_) = neuron_page
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)  # after the pass: every number known
    by_testid(browser, "node-x1").click()
    panel = by_testid(browser, "explain")
    text = wait_for(lambda: "chain rule" in panel.text and panel.text, "the explanation of x1")
    assert trace.grad_sum(x1) in text  # the chain-rule sum over its consumers, with numbers
    assert "finite-difference check" in text and "central difference -1.5" in text
    assert "A leaf: no rule of its own" in text and "Given at" in text
    n = o.parents[0]  # the pre-activation: an op node with its local rule
    name = trace.names[n]
    by_testid(browser, f"node-{name}").click()
    wait_for(lambda: panel.get_attribute("data-node") == name, "the explanation of n")
    step = next(s for s in trace if s.node is n)
    for rule in step.rules:
        assert rule in panel.text
    assert "Computed in the forward pass at" in panel.text
    # the step links jump to the step that set it
    panel.find_element(By.CSS_SELECTOR, "button.steplink").click()
    assert by_testid(browser, "node-" + name).get_attribute("class").split().count("al-active") == 1


def test_keyboard_and_play(browser, neuron_page):
    _, total = counter(browser)
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert counter(browser)[0] == 3
    body.send_keys(Keys.ARROW_LEFT)
    assert counter(browser)[0] == 2
    body.send_keys(Keys.END)
    assert counter(browser)[0] == total
    body.send_keys(Keys.HOME)
    assert counter(browser)[0] == 0
    for _ in range(3):  # stops at the ends
        body.send_keys(Keys.ARROW_LEFT)
    assert counter(browser)[0] == 0
    body.send_keys(Keys.SPACE)  # play
    wait_for(lambda: counter(browser)[0] >= 2, "play to advance", seconds=8)
    assert "Pause" in by_testid(browser, "play").text
    body.send_keys(Keys.SPACE)  # pause
    stopped = counter(browser)[0]
    time.sleep(1.2)
    assert counter(browser)[0] == stopped and "Play" in by_testid(browser, "play").text
    by_testid(browser, "play").click()
    wait_for(lambda: counter(browser)[0] > stopped, "the play button to advance", seconds=8)
    by_testid(browser, "play").click()


def test_zoom_buttons_wheel_drag_and_fit(browser, neuron_page):
    by_testid(browser, "fit").click()
    fitted = view_box(browser)
    by_testid(browser, "zoom-in").click()
    zoomed = view_box(browser)
    assert zoomed[2] == pytest.approx(fitted[2] / 1.25, rel=1e-3)
    by_testid(browser, "zoom-out").click()
    by_testid(browser, "zoom-out").click()
    assert view_box(browser)[2] > fitted[2]
    by_testid(browser, "fit").click()
    assert view_box(browser) == pytest.approx(fitted)
    graph = by_testid(browser, "graph")
    ActionChains(browser).scroll_from_origin(ScrollOrigin.from_element(graph), 0, -300).perform()  # zoom in
    wait_for(lambda: view_box(browser)[2] < fitted[2] * 0.9, "the wheel to zoom in")
    before = view_box(browser)
    ActionChains(browser).move_to_element_with_offset(graph, -200, 200).click_and_hold() \
        .move_by_offset(120, -80).release().perform()  # drag: pan
    after = view_box(browser)
    assert after[2:] == pytest.approx(before[2:])
    assert after[0] < before[0] and after[1] > before[1]
    assert by_testid(browser, "explain").get_attribute("data-node") in (None, "")  # a drag is not a click


def test_labels_are_text_not_markup(browser, tmp_path):
    a = Value(1.5, label="a&amp;b")
    y = (a * a).tanh()
    y.label = "<y>"
    browser.get(trace_backward(y).save_html(tmp_path / "escape.html").as_uri())
    node = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="node-a&amp;b"]'),
                    "the node a&amp;b")[0]
    node.click()
    panel = by_testid(browser, "explain")
    assert panel.find_element(By.TAG_NAME, "h2").text.startswith("a&amp;b ")
    assert "∂<y>/∂a&amp;b" in panel.text or "∂(<y>)/∂(a&amp;b)" in panel.text
    assert browser.find_element(By.ID, "title").text == "Backward pass of <y>"


def test_a_sixty_node_graph_starts_readable_and_follows_the_step(browser, tmp_path):
    text = ("tanh(x1*w1 + x2*w2 + b1) * tanh(x1*w3 + x2*w4 + b2) + sigmoid(x1 - x2) * log(1 + exp(w1*w4))"
            " - relu(b1 - b2) ** 2 + softmax(x1, x2, b1)[0] / (1 + w2*w2)")
    f, _ = parse(text).build(
        {"x1": 0.5, "x2": -1.5, "w1": 0.3, "w2": -0.8, "w3": 1.1, "w4": 0.4, "b1": 0.1, "b2": -0.2})
    trace = trace_backward(f)
    browser.get(trace.save_html(tmp_path / "sixty.html").as_uri())
    wait_for(lambda: counter(browser)[1] > 0, "the page")
    assert browser.execute_script("var g = document.querySelector('#graph svg');"
                                  "return g.getScreenCTM().a") * 11 >= 8.5  # 11 pt text, 8.5 px or more
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END, Keys.ARROW_LEFT)
    active = browser.find_element(By.CSS_SELECTOR, "g.node.al-active")
    box = active.rect
    graph = by_testid(browser, "graph").rect
    assert graph["x"] <= box["x"] and box["x"] + box["width"] <= graph["x"] + graph["width"]
    assert graph["y"] <= box["y"] and box["y"] + box["height"] <= graph["y"] + graph["height"]


# --- the live app ------------------------------------------------------------------------



def post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def evaluate(browser, expression: str, values: str, order: int = 1) -> None:
    for testid, text in (("expression", expression), ("values", values), ("order", str(order))):
        field = by_testid(browser, testid)
        field.clear()
        field.send_keys(text)
    by_testid(browser, "evaluate").click()


def grads_of(text: str, values: dict[str, float]) -> dict[str, float]:
    root, leaves = parse(text).build(values)
    root.backward()
    return {name: leaf.grad for name, leaf in leaves.items()}


def shown_grads(browser, names) -> dict[str, str]:
    return {n: by_testid(browser, f"grad-{n}").text for n in names}


def printed(numbers: dict[str, float]) -> dict[str, str]:
    """As the page prints numbers: notation.format_number, one format on one screen."""
    return {n: format_number(x) for n, x in numbers.items()}


def test_live_app_gradients_sliders_and_errors(browser, server):
    browser.get(server.url)
    wait_for(lambda: by_testid(browser, "value").text, "the first answer")  # the neuron, on load
    evaluate(browser, "x*y + x**2 + sigmoid(y)", "x=2 y=3")
    expected = grads_of("x*y + x**2 + sigmoid(y)", {"x": 2.0, "y": 3.0})
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="grad-y"]'), "the grads")
    wait_for(lambda: shown_grads(browser, "xy") == printed(expected), "the gradients of x*y + x**2 + sigmoid(y)")
    assert by_testid(browser, "value").text == format_number(parse("x*y + x**2 + sigmoid(y)").build(
        {"x": 2.0, "y": 3.0})[0].data)
    assert by_testid(browser, "node-x") and by_testid(browser, "step").text.startswith("Step ")
    # a slider recomputes on the server and updates values, grads and the picture in place
    marker = browser.execute_script("window.notReloaded = true; return 1")
    slider = by_testid(browser, "slider-x")
    for _ in range(5):
        slider.send_keys(Keys.ARROW_RIGHT)
    moved = float(slider.get_attribute("value"))
    assert moved > 2.0
    x = float(re.search(r"\bx=(\S+)", by_testid(browser, "values").get_attribute("value"))[1])
    assert x == pytest.approx(moved, rel=1e-5)  # the values text follows the slider
    want = grads_of("x*y + x**2 + sigmoid(y)", {"x": x, "y": 3.0})
    wait_for(lambda: shown_grads(browser, "xy") == printed(want), "the new gradients")
    wait_for(lambda: f"grad {format_number(want['x'])}" in svg_texts(browser, "x"), "the picture to update")
    assert browser.execute_script("return window.notReloaded") == marker
    # a bad expression: its caret message on the page, never a stack trace
    evaluate(browser, "x +* 2", "x=1")
    error = wait_for(lambda: by_testid(browser, "error").is_displayed() and by_testid(browser, "error"),
                     "the error")
    assert "syntax error" in error.text and "^" in error.text
    assert "Traceback" not in browser.page_source
    evaluate(browser, "__import__('os')", "")
    wait_for(lambda: "unknown function '__import__'" in by_testid(browser, "error").text, "the refusal")
    evaluate(browser, "log(x)", "x=-1")
    wait_for(lambda: "log(x) is undefined" in by_testid(browser, "error").text, "the domain error")
    # --order N: the derivatives of a one-variable expression
    evaluate(browser, "x**3", "x=2", order=3)
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="derivative-3"]'), "derivatives")
    assert not by_testid(browser, "error").is_displayed()
    shown = [by_testid(browser, f"derivative-{k}").text.split("= ")[-1] for k in (1, 2, 3)]
    assert [float(s) for s in shown] == [12.0, 12.0, 6.0]
    assert "Forward pass" in browser.find_element(By.ID, "tables").get_attribute("innerHTML")


def test_live_server_refuses_requests_without_the_token(server):
    base = f"http://127.0.0.1:{server.port}"
    body = json.dumps({"expression": "x*2", "values": "x=1"}).encode()
    for url in (f"{base}/", f"{base}/?token=wrong", f"{base}/api/explore", f"{base}/favicon.ico"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)
        assert refused.value.code == 403
    assert post(f"{base}/api/explore?token=nope", body)[0] == 403
    status, answer = post(f"{server.url.replace('/?', '/api/explore?')}", body)
    assert status == 200 and json.loads(answer)["grads"] == {"x": 2.0}
    too_big = json.dumps({"expression": "x" * MAX_REQUEST_BYTES, "values": ""}).encode()
    status, answer = post(server.url.replace("/?", "/api/explore?"), too_big)
    assert status == 413 and "the limit is" in json.loads(answer)["error"]
    status, answer = post(server.url.replace("/?", "/api/explore?"), b"not json")
    assert status == 400 and "JSON" in json.loads(answer)["error"]
    status, answer = post(server.url.replace("/?", "/api/explore?"), json.dumps(
        {"expression": "+".join(["x"] * 6000), "values": "x=1"}).encode())
    assert status == 200 and "the limit is 10,000" in json.loads(answer)["error"]


def test_serve_command_picks_a_free_port_warns_for_other_hosts_and_exits_0_on_ctrl_c(tmp_path):
    def start(*args: str, background: bool = False) -> tuple[subprocess.Popen, str]:
        # background: started with SIGINT ignored, as a shell's background job (`autograd-lite serve &`)
        # inherits it; the child inherits this process's disposition for the moment of the start
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN if background else signal.getsignal(signal.SIGINT))
        try:
            process = subprocess.Popen([sys.executable, "-m", "autograd_lite", "serve", "--no-browser", *args],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       env={**os.environ, "PYTHONUNBUFFERED": "1"})
        finally:
            signal.signal(signal.SIGINT, previous)
        lines = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # bounded: the URL is printed at once
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "?token=" in line:
                return process, line.strip()
        process.kill()
        raise AssertionError(f"no URL printed: {''.join(lines)} {process.stderr.read()}")

    with socket_port() as port:  # a port known to be free a moment ago
        first, url1 = start("--port", str(port))
        second, url2 = start("--port", str(port), background=True)
        try:
            assert url1.startswith(f"http://127.0.0.1:{port}/?token=")
            assert url2.split("/?")[0] != url1.split("/?")[0]  # the second took another port
            assert url1.split("token=")[1] != url2.split("token=")[1]  # and has its own token
            with urllib.request.urlopen(url2, timeout=10) as page:
                assert page.status == 200
        finally:
            for process in (first, second):
                process.send_signal(signal.SIGINT)
            codes = [p.wait(timeout=20) for p in (first, second)]
    assert codes == [0, 0]
    assert "Traceback" not in first.stderr.read() + second.stderr.read()
    third, _ = start("--port", "0", "--host", "127.0.0.2")
    third.send_signal(signal.SIGTERM)
    assert third.wait(timeout=20) == 0
    assert "warning: listening on 127.0.0.2" in third.stderr.read()


class socket_port:
    """A port that was free when asked for (the server moves on anyway if it is taken by then)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None


def test_explore_answers_bad_input_with_messages_not_exceptions():
    from autograd_lite.explorer import explore

    for expression, values, order, message in [
        ("x*y", "x=1", 1, "no value for y"),
        ("x*y", "x=1 y=2 z=3", 1, "z is not in the expression"),
        ("x", "x=abc", 1, "'abc' is not a number"),
        ("x", "x=1 x=2", 1, "x is given twice"),
        ("x", "x=inf", 1, "give a finite number"),
        ("x*y", "x=1 y=2", 2, "needs an expression of one variable"),
        ("x", "x=1", 9, "from 1 to 8"),
        ("x", "x=1", True, "from 1 to 8"),
        (3, "x=1", 1, "must be text"),
        ("exp(x)", "x=1000", 1, "overflows"),
    ]:
        answer = explore(expression, values, order)
        assert answer["ok"] is False and message in answer["error"], (expression, answer)
    answer = explore("1/x", "x=0")
    assert not answer["ok"] and "^" in answer["pointer"]
    assert math.isfinite(explore("x", "x=1e300")["value"])


def test_a_bug_in_the_server_reaches_the_page_as_a_message_not_a_stack_trace(server, monkeypatch, capsys):
    from autograd_lite.explorer import server as server_module

    def broken(*args, **kwargs):
        raise RuntimeError("a bug deep inside")

    monkeypatch.setattr(server_module, "explore", broken)
    status, answer = post(server.url.replace("/?", "/api/explore?"),
                          json.dumps({"expression": "x", "values": "x=1"}).encode())
    assert status == 200
    message = json.loads(answer)["error"]
    assert "a bug" in message and "Traceback" not in message and "deep inside" not in message
    assert "RuntimeError: a bug deep inside" in capsys.readouterr().err  # the console gets the details


# --- collapsed scopes --------------------------------------------------------------------
# They need issue 13's viz (draw_dot(collapse=..., expand=...), scope_boxes); until it is
# merged these tests skip, even in CI. Once it is in, drop this mark.

def test_collapsed_scopes_open_on_click_and_close_again(browser, tmp_path):
    from autograd_lite.nn import MLP
    from autograd_lite.nn.losses import hinge

    model = MLP(2, [3, 1], activation="tanh", seed=2)
    loss = hinge([model(x) for x in ([1.0, -2.0], [0.5, 0.5])], [1, -1])
    trace = trace_backward(loss, parameters=model.parameters())
    browser.get(trace.save_html(tmp_path / "scopes.html", collapse=2).as_uri())
    layer = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="scope-MLP/L0"]'), "the box")[0]
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="node-L0.N0.w0"]')
    assert "L0" in layer.text and not by_testid(browser, "collapse-all").is_displayed()
    # stepping highlights the box that stands for the step's node
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert browser.find_elements(By.CSS_SELECTOR, "g.node[data-box].al-active")
    layer.click()
    weight = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="node-L0.N0.w0"]'),
                      "the layer's nodes")[0]
    assert counter(browser)[0] == 1  # opening a scope keeps the step
    assert len(browser.find_elements(By.CSS_SELECTOR, "#graph svg")) == 1
    weight.click()
    panel = by_testid(browser, "explain")
    wait_for(lambda: panel.get_attribute("data-node") == "L0.N0.w0", "the weight's explanation")
    assert "not yet known" in panel.text  # step 1: its grad comes later
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    assert trace.grad_sum(model.layers[0].neurons[0].w[0]) in panel.text
    by_testid(browser, "collapse-all").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="scope-MLP/L0"]'), "the box again")
    assert not by_testid(browser, "collapse-all").is_displayed()


def test_every_box_id_names_the_scope_it_draws():
    from autograd_lite.explorer.pictures import picture_states
    from autograd_lite.nn import MLP
    from autograd_lite.nn.losses import hinge

    model = MLP(2, [3, 1], activation="tanh", seed=2)
    loss = hinge([model(x) for x in ([1.0, -2.0], [0.5, 0.5])], [1, -1])
    states = picture_states(trace_backward(loss), collapse=2)
    assert len(states) > 2
    for state in states:
        for box, info in state["boxes"].items():
            group = state["svg"].split(f"<title>{box}</title>")[1].split("</g>")[0]
            name = info["path"].rsplit("/", 1)[-1]
            assert name.replace("…", "&#8230;") in group or name in group, (box, info["path"])


def test_live_app_collapses_function_calls_and_opens_them_on_click(browser, server):
    browser.get(server.url)
    wait_for(lambda: by_testid(browser, "value").text, "the first answer")
    by_testid(browser, "collapse").send_keys("1")
    evaluate(browser, "tanh(x*w + b) * sigmoid(x - b)", "x=1 w=2 b=0.5")
    box = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="scope-sigmoid"]'), "the box")[0]
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="node-x - b"]')
    box.click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="node-x - b"]'), "sigmoid opened")
    assert by_testid(browser, "collapse-all").is_displayed()
    assert by_testid(browser, "grad-w").text == format_number(grads_of(
        "tanh(x*w + b) * sigmoid(x - b)", {"x": 1.0, "w": 2.0, "b": 0.5})["w"])
    by_testid(browser, "collapse-all").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="scope-sigmoid"]'), "closed again")
    by_testid(browser, "collapse").clear()
