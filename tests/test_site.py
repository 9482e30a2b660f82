"""The browser-only site (``autograd-lite site OUT``): the package itself in Pyodide, in real Chromium.

The runtimes are the pinned npm packages (``pyodide``, ``@viz-js/viz``),
installed once into a cache by :func:`node_modules` (or given by
``AUTOGRAD_LITE_NODE_MODULES``, as .ci/run does); without npm the browser
tests skip, and in CI (``CI`` set) they fail. The site is built with
``--runtime``, served by Python's http.server on 127.0.0.1 and driven through
the explorer's ``data-testid`` hooks; Chromium's performance log shows that no
request leaves 127.0.0.1. Every wait is a bounded loop.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from autograd_lite.explorer import site
from autograd_lite.explorer.server import make_server
from autograd_lite.explorer.site import (
    PYODIDE_VERSION,
    VIZ_VERSION,
    build_site,
    make_site_server,
)

from .test_browser import (
    by_testid,
    chromium,
    grads_of,
    printed,
    shown_grads,
    wait_for,
)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.keys import Keys

HERE = Path(__file__).parent
BAYDIN = "log(x1) + x1*x2 - sin(x2)"
#: a first view takes ~5 s here; this only catches a hang
LOADING_SECONDS = 90


def _need(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """A node_modules folder with the pinned pyodide and @viz-js/viz, installed once into a cache."""
    given = os.environ.get("AUTOGRAD_LITE_NODE_MODULES")
    folder = Path(given) if given else (Path.home() / ".cache" / "autograd_lite"
                                        / f"npm-pyodide-{PYODIDE_VERSION}-viz-{VIZ_VERSION}" / "node_modules")
    if not (folder / "pyodide" / "package.json").is_file() or not (folder / "@viz-js" / "viz").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            _need("the site's tests need npm (apt-get install npm) to install pyodide and @viz-js/viz")
        result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder.parent),
                                 f"pyodide@{PYODIDE_VERSION}", f"@viz-js/viz@{VIZ_VERSION}"],
                                check=False, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            _need(f"npm install pyodide@{PYODIDE_VERSION} @viz-js/viz@{VIZ_VERSION} failed:\n{result.stderr[-2000:]}")
    return folder


@pytest.fixture(scope="module")
def served_site(node_modules, tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    build_site(folder, node_modules)
    server = make_site_server(folder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    # the performance log shows every request the page makes (none may leave 127.0.0.1)
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"), logs=True)
    yield driver
    driver.quit()


def fragment(expression: str, values: str, step: int | None = None) -> str:
    text = f"#e={quote(expression, safe='')}&v={quote(values, safe='')}"
    return text + (f"&s={step}" if step is not None else "")


def open_ready(browser, url: str) -> None:
    browser.get(url)
    wait_for(lambda: by_testid(browser, "status").text == "ready" or "cannot" in by_testid(browser, "status").text,
             "the runtime to load", LOADING_SECONDS)
    assert by_testid(browser, "status").text == "ready"


def answers(browser) -> int:
    return int(browser.execute_script("return document.body.getAttribute('data-answers') || 0"))


def requested_hosts(browser) -> set[str]:
    hosts = set()
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not url.startswith(("data:", "blob:")):
                hosts.add(urlsplit(url).hostname)
    return hosts


# --- the command, without a browser ---------------------------------------------------
def test_site_command_builds_a_cdn_site_and_explains_bad_runtimes(tmp_path, capsys):
    assert site.main([str(tmp_path / "cdn")]) == 0
    said = capsys.readouterr().out
    assert re.search(r"\(\d+\.\d MB\)", said) and "CDN" in said and PYODIDE_VERSION in said
    page = (tmp_path / "cdn" / "index.html").read_text(encoding="utf-8")
    assert f"/pyodide/v{PYODIDE_VERSION}/full/" in page and f"@viz-js/viz@{VIZ_VERSION}/" in page
    assert 'data-testid="status"' in page and (tmp_path / "cdn" / "worker.js").is_file()
    # the wheels hold the package as installed, and import from a zip
    wheels = sorted(p.name for p in (tmp_path / "cdn" / "wheels").iterdir())
    assert [w.split("-")[0] for w in wheels] == ["autograd_lite", "graphviz"]
    # a runtime folder without the pinned packages, a folder that is not a site: messages, status 2
    (tmp_path / "nm" / "pyodide").mkdir(parents=True)
    (tmp_path / "nm" / "pyodide" / "package.json").write_text('{"version": "0.1.0"}')
    assert site.main([str(tmp_path / "out"), "--runtime", str(tmp_path / "nm")]) == 2
    assert f"pyodide is version 0.1.0; the site is built for {PYODIDE_VERSION}" in capsys.readouterr().err
    assert site.main([str(tmp_path / "out2"), "--runtime", str(tmp_path / "nowhere")]) == 2
    assert "npm install" in capsys.readouterr().err
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    assert site.main([str(tmp_path / "notes")]) == 2
    assert "not empty" in capsys.readouterr().err and (tmp_path / "notes" / "mine.txt").exists()


def test_the_command_line_knows_the_site_command(tmp_path, capsys):
    from autograd_lite.cli import main

    assert main(["site", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "index.html").is_file()


# --- the site in Chromium ------------------------------------------------------------
def test_the_engine_runs_in_the_page_offline(browser, served_site):
    browser.get_log("performance")  # drop what came before
    open_ready(browser, served_site + fragment(BAYDIN, "x1=2 x2=5"))
    wait_for(lambda: by_testid(browser, "value").text, "the value")
    assert by_testid(browser, "value").text == "11.65"  # notation.format_number, as the picture prints it
    assert by_testid(browser, "grad-x1").text == "5.5"
    assert by_testid(browser, "grad-x2").text == "1.716"
    assert shown_grads(browser, ["x1", "x2"]) == printed(grads_of(BAYDIN, {"x1": 2.0, "x2": 5.0}))
    assert by_testid(browser, "node-x1") and PYODIDE_VERSION in by_testid(browser, "runtime").text
    # a slider recomputes in the page's worker
    before, count = by_testid(browser, "grad-x2").text, answers(browser)
    slider = by_testid(browser, "slider-x1")
    for _ in range(3):
        slider.send_keys(Keys.ARROW_RIGHT)
    wait_for(lambda: by_testid(browser, "grad-x2").text != before, "the slider's new gradient")
    wait_for(lambda: answers(browser) > count, "the slider's answer")
    x1 = float(re.search(r"\bx1=(\S+)", by_testid(browser, "values").get_attribute("value"))[1])
    wait_for(lambda: shown_grads(browser, ["x1", "x2"]) == printed(grads_of(BAYDIN, {"x1": x1, "x2": 5.0})),
             "the gradients at the new x1")
    # a bad expression: the caret message
    field = by_testid(browser, "expression")
    field.clear()
    field.send_keys("x +* 2")
    by_testid(browser, "evaluate").click()
    error = wait_for(lambda: by_testid(browser, "error").is_displayed() and by_testid(browser, "error"), "the error")
    assert "syntax error" in error.text and "^" in error.text and "Traceback" not in browser.page_source
    # nothing left 127.0.0.1
    assert requested_hosts(browser) == {"127.0.0.1"}


def test_a_link_round_trips_and_the_back_button_walks_evaluations(browser, served_site):
    open_ready(browser, served_site + fragment("x*y + 1", "x=2 y=3", step=2))
    wait_for(lambda: by_testid(browser, "value").text == "7", "x*y + 1")
    assert by_testid(browser, "step").text.startswith("Step 2 of ")
    by_testid(browser, "next").click()
    wait_for(lambda: "s=3" in browser.current_url, "the step in the link")
    link = browser.current_url
    # a second evaluation, then back
    field = by_testid(browser, "expression")
    field.clear()
    field.send_keys("x*y*y")
    by_testid(browser, "evaluate").click()
    wait_for(lambda: by_testid(browser, "value").text == "18", "x*y*y")
    browser.back()
    wait_for(lambda: by_testid(browser, "value").text == "7", "the evaluation before, from the back button")
    assert by_testid(browser, "expression").get_attribute("value") == "x*y + 1"
    # the link opens the same view in a fresh page
    browser.get("about:blank")
    open_ready(browser, link)
    wait_for(lambda: by_testid(browser, "value").text == "7", "the linked view")
    assert by_testid(browser, "values").get_attribute("value") == "x=2 y=3"
    assert by_testid(browser, "step").text.startswith("Step 3 of ")


def test_a_fragment_is_data_and_a_bad_one_says_so(browser, served_site):
    attack = "<img src=x onerror=window.hacked=1>"
    open_ready(browser, served_site + fragment(attack, ""))
    error = wait_for(lambda: by_testid(browser, "error").is_displayed() and by_testid(browser, "error"), "the error")
    assert attack in error.text  # shown as text, under its caret message
    assert browser.execute_script("return window.hacked === undefined && !document.querySelector('img')")
    for bad, says in (("#e=" + "x" * 20_000, "characters long"), ("#e=x&s=%E0%A4%A", "malformed"),
                      ("#q=1", "malformed"), ("#e=x&s=two", "whole number")):
        browser.get("about:blank")
        open_ready(browser, served_site + bad)
        wait_for(lambda says=says: says in by_testid(browser, "error").text, f"the message for {bad[:30]}")


def test_serve_takes_the_same_links(browser):
    server = make_server(port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.get(server.url + fragment(BAYDIN, "x1=2 x2=5"))
        wait_for(lambda: by_testid(browser, "value").text == "11.65", "Baydin's value from serve")
        assert by_testid(browser, "grad-x1").text == "5.5"
        assert "token=" in browser.current_url and "#e=log" in browser.current_url
    finally:
        server.shutdown()
        server.server_close()


def test_a_runtime_that_cannot_load_says_so_in_words(browser, node_modules, tmp_path):
    build_site(tmp_path, node_modules)
    (tmp_path / "runtime" / "pyodide" / "pyodide.mjs").unlink()  # as a blocked CDN or no network leaves it
    server = make_site_server(tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/")
        status = wait_for(lambda: "cannot start" in by_testid(browser, "status").text
                          and by_testid(browser, "status").text, "the failure", LOADING_SECONDS)
        assert "could not load Pyodide" in status and "network" in status
        # and an evaluation says why it cannot answer
        by_testid(browser, "evaluate").click()
        wait_for(lambda: "did not load" in by_testid(browser, "error").text, "the evaluation's message")
    finally:
        server.shutdown()
        server.server_close()


# --- the package's op-table tests under Pyodide's Python ---------------------------
def test_the_op_table_tests_pass_under_pyodide(node_modules, tmp_path):
    node = shutil.which("node")
    if node is None:
        _need("this test runs Pyodide under Node: apt-get install nodejs")
    wheels = [str(site.pack_wheel(package, tmp_path)) for package in ("autograd_lite", "graphviz", "mpmath")]
    result = subprocess.run([node, str(HERE / "pyodide" / "run_in_pyodide.mjs"), str(node_modules),
                             str(HERE / "pyodide" / "ops_table.py"), *wheels,
                             str(HERE / "test_ops_table.py"), str(HERE / "op_cases.py"), str(HERE / "op_info.py")],
                            check=False, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"under Pyodide \(Python 3\.\d+.*emscripten\): [1-9]\d* passed, 0 failed", result.stdout)


def test_site_serve_previews_on_127_0_0_1_with_module_types_and_stops_on_ctrl_c(tmp_path):
    import signal
    import sys
    import urllib.request

    process = subprocess.Popen([sys.executable, "-m", "autograd_lite", "site", str(tmp_path / "s"), "--serve",
                                "--port", "0", "--no-browser"], stdout=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(4)]
        url = next(line.strip() for line in lines if line.strip().startswith("http://127.0.0.1:"))
        with urllib.request.urlopen(url) as page:
            assert page.status == 200 and b'data-testid="status"' in page.read()
        with urllib.request.urlopen(url + "worker.js") as worker:  # a module worker needs a JavaScript type
            assert worker.headers["Content-Type"].startswith("text/javascript")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
