"""The training view (issue 25): its engine in Python, serve's /api/train, and the page in real Chromium.

The engine (explorer/training.py) computes everything; train.js only draws
and asks. In the browser the view is driven through its data-testids, in
``serve`` and in the browser-only site (the runtimes from the pinned npm
packages, as tests/test_site.py finds them). Every wait is a bounded loop.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request

import pytest

from autograd_lite.datasets import make_xor
from autograd_lite.explorer.live import explore
from autograd_lite.explorer.training import (
    MAX_SESSIONS,
    Sessions,
    TrainingSession,
    answer,
)

#: the steps moons may take to reach a loss under 0.1 with the defaults and seed 0
STEP_BUDGET = 300


# --- the engine ---------------------------------------------------------------------------
def test_moons_learns_under_its_step_budget_and_the_state_has_every_picture():
    session = TrainingSession({"seed": 0})
    while session.steps < STEP_BUDGET and not (session.losses and session.losses[-1] < 0.1):
        state = session.step(STEP_BUDGET - session.steps, budget=0.5)
    assert state["loss"] < 0.1 and state["steps"] <= STEP_BUDGET
    assert len(state["boundary"]) == len(state["boundary"][0]) > 10
    assert len(state["points"]) == len(state["labels"]) == 100
    assert [len(layer["w"]) for layer in state["weights"]] == [16, 16, 1]
    assert state["held_out"] and state["held_out"][-1][0] == state["steps"]
    json.dumps(state, allow_nan=False)  # the page's JSON, every number finite or null


def test_the_boundary_is_the_models_own_scores():
    session = TrainingSession({"width": 4, "points": 20})
    session.step(3)
    grid = session.boundary(side=3)
    x0, x1, y0, y1 = session.extent
    centre = [(x0 + x1) / 2, (y0 + y1) / 2]
    assert grid[1][1] == pytest.approx(session.model.scores([centre])[0], rel=1e-12)


@pytest.mark.parametrize("config", [{}, {"activation": "relu", "data": "xor"}, {"loss": "hinge", "layers": 1},
                                    {"activation": "sigmoid", "loss": "mse", "data": "circles"}])
def test_an_inspected_weight_opens_in_the_explorer_with_its_whole_chain_rule_sum(config):
    session = TrainingSession({**config, "width": 6, "points": 30})
    session.step(10, budget=0.5)
    for layer, neuron, weight in [(0, 1, 0), (len(session.model.layers) - 1, 0, 2), (0, 2, None)]:
        r = session.inspect(layer, neuron, weight)
        explored = explore(r["expression"], r["values"])
        assert explored["ok"], explored.get("error")
        # the explorer's ∂f/∂w is the gradient training computes for that weight at this step
        assert explored["grads"]["w"] == pytest.approx(r["grad"], rel=1e-9, abs=1e-15)
        assert r["sum"] == pytest.approx(r["grad"], rel=1e-9, abs=1e-15)
        assert r["samples"] == 30 and len(r["terms"]) == 4


def test_the_tiny_gpt_trains_on_names_and_samples_some():
    session = TrainingSession({"data": "names", "seed": 1})
    state = session.step(25, budget=0.5)
    while state["steps"] < 25:
        state = session.step(25 - state["steps"], budget=0.5)
    assert state["samples"] and state["samples"][-1][0] == 25 and len(state["samples"][-1][1]) == 5
    assert state["held_out"] and math.isfinite(state["loss"]) and state["boundary"] == []


def test_make_xor_is_the_exclusive_or_of_the_signs():
    X, y = make_xor(n=200, noise=0.0, seed=3)
    assert all((a * b < 0) == (label == 1) for (a, b), label in zip(X, y))
    assert sum(y) == 100 and make_xor(n=50, seed=1) == make_xor(n=50, seed=1)


@pytest.mark.parametrize("request_, message", [
    ([1], "not a JSON object"),
    ({"train": "fly"}, "new, step or inspect"),
    ({"train": "new", "config": {"width": 99}}, "width must be a whole number from 1 to 32"),
    ({"train": "new", "config": {"data": "<img src=x>"}}, "data must be one of"),
    ({"train": "new", "config": {"lr": "0.1"}}, "lr must be a number"),
    ({"train": "new", "config": {"depth": 3}}, "unknown setting"),
    ({"train": "new", "config": [1]}, "must be a JSON object"),
    ({"train": "step", "session": "nope"}, "this training run is gone"),
])
def test_bad_requests_get_a_message(request_, message):
    r = answer(request_, Sessions())
    assert r["ok"] is False and message in r["error"]


def test_step_limits_and_inspect_ranges_are_messages():
    sessions = Sessions()
    key = answer({"train": "new", "config": {"width": 3, "points": 12}}, sessions)["session"]
    assert "steps must be" in answer({"train": "step", "session": key, "steps": 10**9}, sessions)["error"]
    assert "budget must be" in answer({"train": "step", "session": key, "budget": 60}, sessions)["error"]
    assert "neuron must be" in answer({"train": "inspect", "session": key, "layer": 0, "neuron": 7}, sessions)["error"]
    assert "layer must be" in answer({"train": "inspect", "session": key, "layer": True, "neuron": 0}, sessions)["error"]
    gpt = answer({"train": "new", "config": {"data": "names"}}, sessions)["session"]
    assert "GPT" in answer({"train": "inspect", "session": gpt, "layer": 0, "neuron": 0}, sessions)["error"]


def test_a_run_diverging_says_so_and_stays_finite_in_json():
    session = TrainingSession({"optimizer": "sgd", "lr": 10.0, "loss": "mse", "activation": "relu", "width": 32})
    state = session.step(200, budget=0.5)
    json.dumps(state, allow_nan=False)
    assert state["diverged"] is (state["loss"] is None)


def test_sessions_keep_only_the_newest():
    sessions = Sessions()
    keys = [sessions.new({"width": 1, "points": 10})[0] for _ in range(MAX_SESSIONS + 1)]
    assert "gone" in answer({"train": "step", "session": keys[0]}, sessions)["error"]
    assert answer({"train": "step", "session": keys[-1], "steps": 0}, sessions)["ok"]


# --- serve's endpoint ------------------------------------------------------------------------


def post(server, path: str, data: object, token: bool = True) -> tuple[int, dict]:
    url = f"http://127.0.0.1:{server.port}{path}" + (f"?token={server.token}" if token else "")
    req = urllib.request.Request(url, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_serve_trains_in_chunks_behind_its_token(server):
    assert post(server, "/api/train", {"train": "new"}, token=False)[0] == 403
    status, r = post(server, "/api/train", {"train": "new", "config": {"width": 8, "points": 40}})
    assert status == 200 and r["ok"]
    post(server, "/api/train", {"train": "step", "session": r["session"], "steps": 1})  # compiles
    status, s = post(server, "/api/train", {"train": "step", "session": r["session"], "steps": 1000, "budget": 0.05})
    assert status == 200 and 1 <= s["state"]["steps"] < 500  # the chunk ended at its time budget, not at 1000 steps
    status, bad = post(server, "/api/train", {"train": "step", "session": r["session"], "steps": "all"})
    assert status == 200 and bad["ok"] is False and "Traceback" not in bad["error"]


def test_the_readme_states_the_views_limits():
    from pathlib import Path

    from autograd_lite.explorer.training import CHOICES, GRID_SIDE, SAMPLE_EVERY

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The training view", 1)[1].split("\n### ", 1)[0]
    assert f"{GRID_SIDE} x {GRID_SIDE} grid" in section and f"last {MAX_SESSIONS} runs" in section
    assert f"every {SAMPLE_EVERY} steps" in section
    for key in ("layers", "width", "points"):
        low, high = CHOICES[key]
        assert f"{low} to {high}" in section, key
    for name in (*CHOICES["data"], *CHOICES["activation"], *CHOICES["loss"], *CHOICES["optimizer"]):
        assert name in section, name
