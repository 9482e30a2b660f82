"""The benchmark runner's own logic, untimed: the suite never measures speed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("benchmarks_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmarks_run"] = module
    spec.loader.exec_module(module)
    return module


def test_tree_sum_adds_everything_in_a_shallow_tree(bench):
    from autograd_lite import Value, topological_order

    leaves = [Value(float(k)) for k in range(1, 102)]
    total = bench.tree_sum(leaves)
    assert total.data == sum(range(1, 102))
    depth = {}
    for node in topological_order(total):
        depth[node] = 1 + max((depth[p] for p in node.parents), default=0)
    assert depth[total] <= 8  # log2(101) + 1, not 101


def test_the_workloads_compute_what_they_say(bench):
    engine = bench.AutogradLite()
    assert bench.chain(engine, 1000) == 1000.0  # d(x·w^1000)/dw at w = 1
    model, params = engine.mlp(bench.shared_weights())
    answer = bench.mlp_gradients(engine, model, params)
    assert len(answer["grads"]) == 337 and answer["loss"] > 0
    # our own MLP (one Σ per neuron) and micrograd's graph (a chain of + per neuron) agree
    same = bench.mlp_gradients(engine, *engine.mlp_same_graph(bench.shared_weights()))
    bench.check_agreement({"autograd_lite": answer, "same graph": same})
    assert bench.wide_sum(bench.BareObjects(), 100) == 0.0  # the floor builds the graph, no backward


def test_agreement_check_catches_a_wrong_engine(bench):
    good = {"loss": 1.0, "grads": [0.5, -2.0]}
    assert bench.check_agreement({"autograd_lite": good, "micrograd": dict(good)})["micrograd"] == 0.0
    with pytest.raises(SystemExit, match="micrograd disagrees"):
        bench.check_agreement({"autograd_lite": good, "micrograd": {"loss": 1.0, "grads": [0.5, -2.1]}})


def test_a_worker_answers_over_its_pipe(bench):
    worker = bench.Worker("autograd_lite")
    try:
        assert worker.ask(do="deepest_chain", depths=[10, 100])["depth"] == 100
        assert 50 < worker.ask(do="memory", n=2000)["bytes"] < 400
        assert worker.ask(do="wide_sum", n=100, bare=True, collector=False) > 0
    finally:
        worker.close()


def test_a_diagnostic_timing_with_the_collector_off_always_switches_it_back_on(bench):
    import gc

    seen = []
    assert bench.timed(lambda: seen.append(gc.isenabled()), collector=False) >= 0
    assert seen == [False] and gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        bench.timed(lambda: 1 / 0, collector=False)
    assert gc.isenabled()


def test_the_scope_rows_build_inside_a_scope_and_cost_no_bytes(bench):
    import autograd_lite

    seen = []
    with bench._maybe_scoped({"scoped": True}):
        seen.append(autograd_lite.Value(1.0).scope)
    with bench._maybe_scoped({}):
        seen.append(autograd_lite.Value(1.0).scope)
    assert seen == ["model/layer/neuron", None]
    plain = bench.bytes_per_node(bench.AutogradLite(), 2000)["bytes"]
    with bench._maybe_scoped({"scoped": True}):
        scoped = bench.bytes_per_node(bench.AutogradLite(), 2000)["bytes"]
    assert abs(scoped - plain) < 1.0  # one shared tag per scope, not one per node


def test_the_replay_rows_compute_the_same_step_three_ways(bench):
    # benchmarks/replay.py: the compiled step and the hand-written floats agree with the graph
    engine = bench.AutogradLite()
    weights = bench.shared_weights()
    model, params = engine.mlp(weights)
    graph = bench.mlp_gradients(engine, model, params)
    state = {}
    rows = bench.replay.answer(state, engine, {"do": "replay_grads", "weights": weights}, bench.timed,
                               bench.X_MOONS, bench.Y_SIGNS)
    assert rows["replayed"] == graph  # the same floats, not just close
    bench.check_agreement({"autograd_lite": graph, "hand-written floats": rows["floats"]})
    before = [p.data for p in state["replay"].params]
    loss = state["replay"].replay()
    assert loss == graph["loss"]
    assert [p.data for p in state["replay"].params] == [b - 0.01 * g for b, g in zip(before, graph["grads"])]
    assert state["replay"].floats() == rows["floats"]["loss"]


def test_replay_targets_and_payback(bench):
    times = {"graph": [0.05, 0.06], "replayed": [0.005, 0.006], "floats": [0.006, 0.007]}
    result = bench.replay.summarise(times, [1.0, 1.2])
    assert result["rows"]["replayed"]["speedup_median"] == 10.0
    assert abs(result["payback_steps"] - 1.1 / 0.0495) < 1e-9
    met = {t: m for t, m, _ in bench.replay.targets(result)}
    assert met == {"replayed demo step ≥ 8x faster than building the graph": True,
                   "compile cost paid back within 30 steps": True}
    assert "paid back after" in bench.replay.markdown(result)
