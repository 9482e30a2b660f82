"""The explorer without a browser: its model of a pass, its page, and what the wheel ships."""

from __future__ import annotations

import configparser
import fnmatch
import json
from importlib import resources
from pathlib import Path

from autograd_lite import Value, trace_backward
from autograd_lite.explorer import render_page, trace_page
from autograd_lite.explorer.model import trace_model
from autograd_lite.explorer.page import script_json

from .test_viz import neuron

ROOT = Path(__file__).resolve().parent.parent


def test_setup_cfg_ships_every_static_asset():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    patterns = [p.strip() for p in config["options.package_data"]["autograd_lite.explorer"].split(",")]
    static = resources.files("autograd_lite.explorer").joinpath("static")
    names = [f"static/{entry.name}" for entry in static.iterdir() if entry.is_file()]
    assert {"static/page.html", "static/page.js", "static/live.js", "static/explorer.css"} <= set(names)
    for name in names:
        assert any(fnmatch.fnmatch(name, p) for p in patterns), f"{name} would be left out of the wheel"


def test_model_replays_the_pass_forward_then_backward():
    o, (x1, x2, w1, w2, b) = neuron()
    trace = trace_backward(o)
    model = trace_model(trace)
    phases = [s["phase"] for s in model["steps"]]
    ops = [n for n in trace.order if not n.is_leaf]
    assert phases == ["start"] + ["forward"] * len(ops) + ["seed"] + ["backward"] * len(trace) + ["done"]
    # replaying every step's grads gives backward's numbers
    node_of = {n["id"]: n for n in model["nodes"]}
    grads: dict[str, str] = {}
    for step in model["steps"]:
        grads.update(step["grad"])
    for leaf in (x1, x2, w1, w2, b):
        node = next(n for n in model["nodes"] if n["name"] == leaf.label)
        assert node["grad"] == leaf.grad and grads[node["id"]] == node["gradText"]
        assert node["chain"] == trace.grad_sum(leaf)
        assert abs(node["check"]["estimate"] - leaf.grad) < 1e-8
    # inner nodes get a finite-difference check too: their value forced, their inputs held
    inner = [n for n in model["nodes"] if n["kind"] == "intermediate"]
    assert inner and all(abs(n["check"]["estimate"] - n["grad"]) < 1e-8 for n in inner)
    assert set(node_of) == {f"n{k}" for k in range(len(trace.order))}


def test_a_leaf_that_held_a_gradient_is_checked_on_this_pass_alone():
    x = Value(3.0, label="x")
    x.grad = 10.0  # left over from an earlier pass
    y = x * x
    model = trace_model(trace_backward(y))
    node = model["nodes"][0]
    assert node["grad"] == 16.0  # what backward leaves: accumulated
    assert node["check"]["backward"] == 6.0 and abs(node["check"]["estimate"] - 6.0) < 1e-6


def test_json_in_the_page_cannot_close_its_script():
    text = script_json({"label": "</script><script>alert(1)</script>&amp;"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"label": "</script><script>alert(1)</script>&amp;"}
    page = render_page("a </title> b", None, {"label": "/*SCRIPT*/ <!--MODEL-->"})
    assert "a &lt;/title&gt; b" in page and page.count("<script>") == 1


def test_nan_and_inf_survive_as_text():
    x = Value(float("nan"), label="x")
    y = x * 2
    page = trace_page(trace_backward(y))
    model = json.loads(page.split('id="model">')[1].split("</script>")[0])
    assert model["nodes"][0]["data"] == "nan"


def test_big_graphs_check_leaves_only():
    from autograd_lite.explorer.model import FD_ALL_NODES

    x = Value(0.5, label="x")
    y = x
    for _ in range(FD_ALL_NODES):
        y = y * 1.0001
    model = trace_model(trace_backward(y))
    leaf = model["nodes"][0]
    assert leaf["name"] == "x" and abs(leaf["check"]["estimate"] - x.grad) < 1e-6
    assert all(n["check"] is None for n in model["nodes"] if n["kind"] in ("intermediate", "output"))


def test_high_orders_that_would_take_long_are_refused(monkeypatch):
    from autograd_lite.explorer import live

    assert live.explore("tanh(x) * exp(x)", "x=0.5", 4)["ok"]
    monkeypatch.setattr(live, "DERIVATIVE_SECONDS", 0.0)
    answer = live.explore("tanh(x) * exp(x)", "x=0.5", 4)
    assert not answer["ok"] and "ask for order 1 or less" in answer["error"]


def test_static_assets_hold_no_markup_a_page_check_could_mistake_and_no_network():
    static = resources.files("autograd_lite.explorer").joinpath("static")
    for name in ("page.js", "live.js", "explorer.css"):
        text = static.joinpath(name).read_text(encoding="utf-8")
        assert "<svg" not in text and "</script" not in text.lower()
        assert "http://" not in text and "https://" not in text and "url(" not in text
