"""The browser-only site's speed, in headless Chromium on a local static server.

For the classic neuron and a 2-2-1 MLP with its squared-error loss:
* first view: from navigation to the status line saying "ready" (runtime
  loaded, package imported, first graph drawn), each run in a fresh browser
  profile (a cold cache);
* slider: from a slider's input event to its answer on the page (the worker
  evaluates, traces and lays out the graph; the page redraws), the median of
  several moves.

    python benchmarks/site.py [--runtime NODE_MODULES] [--runs 3] [--moves 15]

NODE_MODULES holds the pinned ``pyodide`` and ``@viz-js/viz`` (as tests/test_site.py
installs them; default: $AUTOGRAD_LITE_NODE_MODULES or that test's cache).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from autograd_lite.explorer.site import (
    PYODIDE_VERSION,
    VIZ_VERSION,
    build_site,
    make_site_server,
)

CASES = {
    "classic neuron": ("tanh(x1*w1 + x2*w2 + b)", "x1=2 x2=0 w1=-3 w2=1 b=6.8813735870195432", "x1"),
    "2-2-1 MLP + loss": ("(tanh(v1*tanh(a1*x1 + a2*x2 + b1) + v2*tanh(c1*x1 + c2*x2 + b2) + d) - 1)**2",
                         "x1=0.5 x2=-1 a1=0.1 a2=-0.2 b1=0.05 c1=0.3 c2=0.4 b2=-0.1 v1=0.7 v2=-0.6 d=0.2", "x1"),
}
#: targets in seconds: first view, slider (neuron, MLP)
TARGETS = {"first view": 6.0, ("slider", "classic neuron"): 0.150, ("slider", "2-2-1 MLP + loss"): 1.0}

READY_PROBE = """
new MutationObserver(function () {
  var s = document.getElementById('status');
  if (s && s.textContent === 'ready' && window.readyAt === undefined) window.readyAt = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
"""

MOVE = """
var done = arguments[arguments.length - 1], slider = document.querySelector(arguments[0]);
var start = performance.now();
document.addEventListener('explorer:answered', function once() {
  document.removeEventListener('explorer:answered', once);
  requestAnimationFrame(function () { done(performance.now() - start); });
});
slider.value = Number(slider.value) + Number(slider.step) * arguments[1];
slider.dispatchEvent(new Event('input', {bubbles: true}));
"""


def browser(profile: str) -> webdriver.Chrome:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": READY_PROBE})
    driver.set_script_timeout(60)
    return driver


def measure(url: str, case: str, runs: int, moves: int) -> tuple[list[float], list[float]]:
    expression, values, slider = CASES[case]
    link = f"{url}#e={quote(expression, safe='')}&v={quote(values, safe='')}"
    firsts, sliders = [], []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as profile:
            driver = browser(profile)
            try:
                driver.get(link)
                for _ in range(1200):
                    ready = driver.execute_script("return window.readyAt")
                    status = driver.execute_script("return document.getElementById('status').textContent")
                    if ready is not None or "cannot" in status:
                        break
                    time.sleep(0.05)
                if ready is None:
                    raise SystemExit(f"{case}: the site did not become ready: {status}")
                firsts.append(ready / 1000)
                if run == 0:
                    for k in range(moves):
                        ms = driver.execute_async_script(MOVE, f'[data-testid="slider-{slider}"]', 1 if k % 2 else -1)
                        sliders.append(ms / 1000)
            finally:
                driver.quit()
    return firsts, sliders


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("AUTOGRAD_LITE_NODE_MODULES") or str(
        Path.home() / ".cache" / "autograd_lite" / f"npm-pyodide-{PYODIDE_VERSION}-viz-{VIZ_VERSION}" / "node_modules")
    parser.add_argument("--runtime", default=default)
    parser.add_argument("--runs", type=int, default=3, help="cold-cache loads per case (default 3)")
    parser.add_argument("--moves", type=int, default=15, help="slider moves per case (default 15)")
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = build_site(folder, ns.runtime)
        server = make_site_server(folder)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        print(f"site: {report.size / 1e6:.1f} MB, Pyodide {PYODIDE_VERSION}, @viz-js/viz {VIZ_VERSION}, "
              f"{os.cpu_count()} cores, Python {sys.version.split()[0]} (server)")
        print(f"{'case':<18} {'measure':<28} {'median':>9} {'min':>9} {'max':>9} {'target':>8} {'median/target':>14}")
        for case in CASES:
            firsts, sliders = measure(url, case, ns.runs, ns.moves)
            for what, times, target in (("first view (cold cache, s)", firsts, TARGETS["first view"]),
                                        ("slider re-evaluation (s)", sliders, TARGETS[("slider", case)])):
                median = statistics.median(times)
                print(f"{case:<18} {what:<28} {median:>9.3f} {min(times):>9.3f} {max(times):>9.3f} "
                      f"{target:>8.3f} {median / target:>14.2f}")
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
