"""The training view's speed (issue 25), in headless Chromium: under ``serve`` and in the browser-only site.

The workload is the view's default run: moons, 100 points, a 2-16-16-1 tanh
MLP, binary cross-entropy, Adam, seed 0, trained full-batch on the compiled
replay (the first step records and compiles the graph; it is timed apart).
For each page the benchmark opens ``#train``, takes that first step, presses
Play, lets it warm up for a second, then counts over ``--seconds``:

* steps/s: the step counter the page shows (train-steps);
* frames/s: pictures drawn (boundary, network, loss curve: one per answer);
* pause: from the click on Pause to the last change of the step counter
  (a chunk already asked for still lands), the median of ``--pauses`` clicks.

Targets: >= 30 steps/s under serve, >= 10 in the site, >= 10 frames/s, pause
<= 100 ms. Ratios are measured / target (above 1 meets it; for pause, target /
measured).

    python benchmarks/training_view.py [--runtime NODE_MODULES] [--seconds 5] [--pauses 5] [--only serve|site]

NODE_MODULES holds the pinned ``pyodide`` and ``@viz-js/viz`` (default:
$AUTOGRAD_LITE_NODE_MODULES or tests/test_site.py's cache).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from autograd_lite.explorer.server import make_server
from autograd_lite.explorer.site import (
    PYODIDE_VERSION,
    VIZ_VERSION,
    build_site,
    make_site_server,
)

TARGETS = {("serve", "steps/s"): 30.0, ("site", "steps/s"): 10.0, "frames/s": 10.0, "pause ms": 100.0}

PAUSE = """
var done = arguments[arguments.length - 1];
var steps = document.querySelector('[data-testid="train-steps"]');
var last = null, clicked;
var watch = new MutationObserver(function () { last = performance.now(); });
watch.observe(steps, {childList: true, characterData: true, subtree: true});
clicked = performance.now();
document.querySelector('[data-testid="train-pause"]').click();
setTimeout(function () { watch.disconnect(); done(last === null ? 0 : last - clicked); }, 1500);
"""


def testid(driver, name: str):
    return driver.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]')


def wait(condition, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.05)


def counters(driver) -> tuple[float, int, int]:
    frames = int(driver.execute_script("return document.body.getAttribute('data-train-frames') || 0"))
    return time.perf_counter(), int(testid(driver, "train-steps").text), frames


def measure(driver, url: str, seconds: float, pauses: int, loading: float) -> dict[str, float]:
    driver.get(url)
    wait(lambda: int(driver.execute_script("return document.body.getAttribute('data-train-frames') || 0")) >= 1,
         "the run's first frame", loading)
    start = time.perf_counter()
    testid(driver, "train-step").click()
    wait(lambda: testid(driver, "train-steps").text == "1", "the first (compiling) step", loading)
    first = time.perf_counter() - start
    rates = []
    pause_ms = []
    driver.execute_script("arguments[0].value = 'max'", testid(driver, "train-speed"))  # the engine's own speed
    for k in range(pauses):
        testid(driver, "train-play").click()
        time.sleep(1.0 if k == 0 else 0.3)
        if k == 0:
            t0, s0, f0 = counters(driver)
            time.sleep(seconds)
            t1, s1, f1 = counters(driver)
            rates = [(s1 - s0) / (t1 - t0), (f1 - f0) / (t1 - t0)]
        pause_ms.append(driver.execute_async_script(PAUSE))
    return {"first step s": first, "steps/s": rates[0], "frames/s": rates[1], "pause ms": statistics.median(pause_ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = os.environ.get("AUTOGRAD_LITE_NODE_MODULES") or str(
        Path.home() / ".cache" / "autograd_lite" / f"npm-pyodide-{PYODIDE_VERSION}-viz-{VIZ_VERSION}" / "node_modules")
    parser.add_argument("--runtime", default=default)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pauses", type=int, default=5)
    parser.add_argument("--only", choices=("serve", "site"))
    ns = parser.parse_args()
    options = Options()
    options.binary_location = shutil.which("chromium") or "chromium"
    profile = tempfile.mkdtemp()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    results = {}
    try:
        if ns.only in (None, "serve"):
            server = make_server(port=0)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            results["serve"] = measure(driver, server.url + "#train", ns.seconds, ns.pauses, 60)
            server.shutdown()
            server.server_close()
        if ns.only in (None, "site"):
            folder = tempfile.mkdtemp()
            build_site(folder, ns.runtime)
            site = make_site_server(folder)
            threading.Thread(target=site.serve_forever, daemon=True).start()
            results["site"] = measure(driver, f"http://127.0.0.1:{site.server_address[1]}/#train",
                                      ns.seconds, ns.pauses, 180)
            site.shutdown()
            site.server_close()
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    print(f"training view: moons, 100 points, 2-16-16-1 tanh MLP, Adam, compiled replay; {os.cpu_count()} cores")
    print(f"{'':8}{'first step':>12}{'steps/s':>10}{'target':>8}{'ratio':>7}{'frames/s':>10}{'target':>8}"
          f"{'ratio':>7}{'pause ms':>10}{'target':>8}{'ratio':>7}")
    for where, r in results.items():
        st, ft, pt = TARGETS[(where, "steps/s")], TARGETS["frames/s"], TARGETS["pause ms"]
        print(f"{where:8}{r['first step s']:>11.1f}s{r['steps/s']:>10.1f}{st:>8.0f}{r['steps/s'] / st:>7.2f}"
              f"{r['frames/s']:>10.1f}{ft:>8.0f}{r['frames/s'] / ft:>7.2f}"
              f"{r['pause ms']:>10.0f}{pt:>8.0f}{pt / max(r['pause ms'], 1e-9):>7.2f}")


if __name__ == "__main__":
    main()
