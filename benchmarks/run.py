"""Side-by-side benchmarks: autograd_lite, micrograd 0.1.0 and PyTorch (0-d float64 tensors).

    python benchmarks/run.py            # the full run: 7 rounds, about 20 minutes
    python benchmarks/run.py --quick    # 3 rounds, smaller sizes, under a minute
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --save     # into benchmarks/results.json, the run README quotes
    python benchmarks/run.py --quick --against /tmp/old   # another checkout of autograd_lite beside this one

Then the microgpt workload (benchmarks/microgpt.py: one GPT training step written once as
plain scalar code, on autograd_lite, a microgpt-style engine and micrograd, and through our
nn.GPT module) prints its own table; its targets join the list at the end.

Engines that are not installed are skipped (``pip install micrograd==0.1.0``,
``pip install torch``). Every timed run starts after ``gc.collect()`` and ends
with one, inside the timing: a step's cost includes freeing its graph, which a
training loop pays sooner or later. Within each round the engines take turns,
so a slow patch of a shared machine hits them all alike. Before any time is
reported, every engine must agree with the others on the small MLP's loss and
on every one of its gradients.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

# run from a clone without installing; a worker for --against imports the other checkout instead
sys.path.insert(0, os.environ.get("AUTOGRAD_LITE_SOURCE") or str(Path(__file__).resolve().parent.parent))

import autograd_lite
from autograd_lite.datasets import make_moons

sys.path.insert(0, str(Path(__file__).resolve().parent))
import replay  # beside this file: the compiled-replay rows

# --- the engines ---------------------------------------------------------------------


class Engine:
    """What a workload needs from an engine: leaves, relu, backward, grads, updates."""

    name = ""

    def leaf(self, x: float) -> Any:
        raise NotImplementedError

    def backward(self, root: Any) -> None:
        root.backward()

    def grad(self, v: Any) -> float:
        return float(v.grad)

    def data(self, v: Any) -> float:
        return float(v.data)

    def relu(self, v: Any) -> Any:
        return v.relu()

    def sgd(self, params: list[Any], lr: float) -> None:
        for p in params:
            p.data -= lr * p.grad

    def zero_grad(self, params: list[Any]) -> None:
        for p in params:
            p.grad = 0.0

    def mlp(self, weights: list[list[list[float]]]) -> tuple[Callable[[list[Any]], Any], list[Any]]:
        """The library's own 2-16-16-1 MLP with the given weights (each neuron: [w..., b])."""
        return self.mlp_same_graph(weights)

    def mlp_same_graph(self, weights: list[list[list[float]]]) -> tuple[Callable[[list[Any]], Any], list[Any]]:
        """micrograd's nn.py, in this engine: each neuron sums b + w0·x0 + w1·x1 + … one + at a time.

        Returns (model, params). Every engine builds the same graph with it.
        """
        layers = [[[self.leaf(v) for v in wb] for wb in layer] for layer in weights]
        relu = self.relu

        def model(x: list[Any]) -> Any:
            for k, layer in enumerate(layers):
                last = k == len(layers) - 1
                outs = []
                for wb in layer:
                    act = sum((w * xi for w, xi in zip(wb[:-1], x)), wb[-1])
                    outs.append(act if last else relu(act))
                x = outs
            return x[0]

        return model, [p for layer in layers for wb in layer for p in wb]


def _load(model: Any, weights: list[list[list[float]]]) -> tuple[Any, list[Any]]:
    """Set a micrograd-shaped MLP's weights (layers → neurons → w, b); returns (model, params)."""
    for layer, layer_weights in zip(model.layers, weights):
        for neuron, wb in zip(layer.neurons, layer_weights):
            for w, v in zip(neuron.w, wb[:-1]):
                w.data = v
            neuron.b.data = wb[-1]
    return model, model.parameters()


class AutogradLite(Engine):
    name = "autograd_lite"

    def __init__(self) -> None:
        from autograd_lite import Value
        from autograd_lite.nn import MLP

        self.Value, self.MLP = Value, MLP

    def leaf(self, x: float) -> Any:
        return self.Value(x)

    def mlp(self, weights: list[list[list[float]]]) -> tuple[Callable[[list[Any]], Any], list[Any]]:
        model = self.MLP(2, [16, 16, 1], activation="relu")
        return _load(model, weights)


class Micrograd(Engine):
    name = "micrograd"

    def __init__(self) -> None:
        from micrograd import engine
        from micrograd.nn import MLP

        self.Value, self.MLP = engine.Value, MLP

    def leaf(self, x: float) -> Any:
        return self.Value(x)

    def mlp(self, weights: list[list[list[float]]]) -> tuple[Callable[[list[Any]], Any], list[Any]]:
        model = self.MLP(2, [16, 16, 1])
        return _load(model, weights)

    mlp_same_graph = mlp  # its own MLP is the reference graph

    def zero_grad(self, params: list[Any]) -> None:
        for p in params:
            p.grad = 0


class Torch(Engine):
    name = "pytorch"

    def __init__(self) -> None:
        import torch

        self.torch = torch
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)

    def leaf(self, x: float) -> Any:
        return self.torch.tensor(x, dtype=self.torch.float64, requires_grad=True)

    def data(self, v: Any) -> float:
        return float(v.item())

    def grad(self, v: Any) -> float:
        return float(v.grad.item())

    def sgd(self, params: list[Any], lr: float) -> None:
        with self.torch.no_grad():
            for p in params:
                p -= lr * p.grad

    def zero_grad(self, params: list[Any]) -> None:
        for p in params:
            p.grad = None


class _BareNode:
    """A node with nothing but its number and its two operands: no grad, no op, no backward."""

    __slots__ = ("a", "b", "data")

    def __init__(self, data: float, a: Any = None, b: Any = None) -> None:
        self.data, self.a, self.b = data, a, b

    def __add__(self, other: _BareNode) -> _BareNode:
        return _BareNode(self.data + other.data, self, other)

    def __mul__(self, other: _BareNode) -> _BareNode:
        return _BareNode(self.data * other.data, self, other)


class BareObjects(Engine):
    """Not an engine: the same graph as plain Python objects, to show what any pure-Python
    engine pays for allocating, collecting and freeing its nodes (the floor under our times)."""

    name = "bare objects"

    def leaf(self, x: float) -> Any:
        return _BareNode(x)

    def backward(self, root: Any) -> None:
        pass

    def grad(self, v: Any) -> float:
        return 0.0


# --- the workloads -------------------------------------------------------------------

X_MOONS, Y_MOONS = make_moons(n=100, noise=0.1, seed=1337)
Y_SIGNS = [2 * v - 1 for v in Y_MOONS]


def shared_weights(seed: int = 1337) -> list[list[list[float]]]:
    rng = random.Random(seed)
    sizes = [2, 16, 16, 1]
    return [[[rng.uniform(-1, 1) for _ in range(sizes[k] + 1)] for _ in range(sizes[k + 1])]
            for k in range(3)]


def mlp_step(engine: Engine, model: Any, params: list[Any]) -> Any:
    """micrograd's demo step: forward over 100 points, hinge + L2, backward, SGD."""
    inputs = [[engine.leaf(a), engine.leaf(b)] for a, b in X_MOONS]
    scores = [model(x) for x in inputs]
    losses = [engine.relu(1 + -yi * si) for yi, si in zip(Y_SIGNS, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in params)
    total = data_loss + reg_loss
    engine.zero_grad(params)
    engine.backward(total)
    loss = engine.data(total)
    engine.sgd(params, 0.01)
    return loss


def mlp_gradients(engine: Engine, model: Any, params: list[Any]) -> dict[str, Any]:
    """The demo's loss and every parameter's gradient (no update): what all engines must agree on."""
    inputs = [[engine.leaf(a), engine.leaf(b)] for a, b in X_MOONS]
    scores = [model(x) for x in inputs]
    losses = [engine.relu(1 + -yi * si) for yi, si in zip(Y_SIGNS, scores)]
    total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
    engine.zero_grad(params)
    engine.backward(total)
    return {"loss": engine.data(total), "grads": [engine.grad(p) for p in params]}


def tree_sum(values: list[Any]) -> Any:
    """Pairwise, as a balanced tree: wide and only log2(n) deep, so every engine can backprop it."""
    while len(values) > 1:
        pairs = [values[k] + values[k + 1] for k in range(0, len(values) - 1, 2)]
        values = pairs + values[len(values) - len(values) % 2:]
    return values[0]


def wide_sum(engine: Engine, n: int) -> Any:
    """Σ a_i·b_i over n pairs of leaves, summed as a balanced tree, then backward: 4n − 1 nodes."""
    a = [engine.leaf(random.random()) for _ in range(n)]
    b = [engine.leaf(random.random()) for _ in range(n)]
    total = tree_sum([x * y for x, y in zip(a, b)])
    engine.backward(total)
    return engine.grad(a[0])


def backward_seconds(engine: Engine, n: int, repeat: int) -> float:
    """Seconds spent in backward() alone on ``repeat`` wide-sum graphs of 4n − 1 nodes."""
    spent = 0.0
    for _ in range(repeat):
        a = [engine.leaf(random.random()) for _ in range(n)]
        b = [engine.leaf(random.random()) for _ in range(n)]
        total = tree_sum([x * y for x, y in zip(a, b)])
        start = time.perf_counter()
        engine.backward(total)
        spent += time.perf_counter() - start
        del a, b, total
    return spent


def softmax_backward_seconds(n: int, composed: bool, repeat: int) -> float:
    """Seconds in backward() alone through all n outputs of one softmax of n inputs (ours only):
    the softmax op, or the same softmax composed from exp, sum_of and /."""
    from autograd_lite import Value, softmax, sum_of

    spent = 0.0
    for _ in range(repeat):
        xs = [Value(random.uniform(-3, 3)) for _ in range(n)]
        if composed:
            top = max(x.data for x in xs)
            exps = [(x - top).exp() for x in xs]
            total = sum_of(exps)
            outputs = [e / total for e in exps]
        else:
            outputs = softmax(xs)
        loss = sum_of([s * random.random() for s in outputs])
        start = time.perf_counter()
        loss.backward()
        spent += time.perf_counter() - start
        del xs, outputs, loss
    return spent / repeat


def chain(engine: Engine, depth: int) -> Any:
    """y = x·w·w·…·w, depth multiplications, then backward."""
    x = engine.leaf(1.0)
    w = engine.leaf(1.0)
    y = x
    for _ in range(depth):
        y = y * w
    engine.backward(y)
    return engine.grad(w)


def timed(fn: Callable[[], Any], repeat: int = 1, collector: bool = True) -> float:
    """Seconds for ``repeat`` runs of ``fn``, freeing included: a collection ends the timing.

    ``collector=False`` switches the cyclic garbage collector off while ``fn`` runs: only
    for the diagnostic rows that show how much of the growth per node is the collector's.
    """
    gc.collect()
    if not collector:
        gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        gc.collect()  # micrograd's graphs are cycles: this is where they are freed
        return time.perf_counter() - start
    finally:
        gc.enable()


def deepest_chain(engine: Engine, depths: list[int]) -> dict[str, Any]:
    best, note, seconds = 0, "", None
    for depth in depths:
        try:
            seconds = timed(lambda depth=depth: chain(engine, depth))
        except RecursionError:
            note = f"RecursionError at {depth:,}"
            break
        best = depth
    return {"depth": best, "note": note, "seconds": seconds, "tried_up_to": depths[-1]}


def bytes_per_node(engine: Engine, n: int) -> dict[str, Any]:
    nodes = 4 * n - 1
    gc.collect()
    if isinstance(engine, Torch):  # its nodes live in C++, out of tracemalloc's sight
        before = _rss()
        keep = _wide_graph(engine, n)
        used = _rss() - before
        del keep
        return {"bytes": used / nodes, "measured_with": "RSS"}
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    keep = _wide_graph(engine, n)
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del keep
    return {"bytes": used / nodes, "measured_with": "tracemalloc"}


def _wide_graph(engine: Engine, n: int) -> Any:
    a = [engine.leaf(0.5) for _ in range(n)]
    b = [engine.leaf(0.25) for _ in range(n)]
    total = tree_sum([x * y for x, y in zip(a, b)])
    engine.backward(total)
    return a, b, total


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --- workers: one process per engine, so no engine's heap slows another's collector ---


ENGINES = {"autograd_lite": AutogradLite, "micrograd": Micrograd, "pytorch": Torch}


def worker(name: str) -> None:
    """Answer one JSON command per line on stdin with one JSON line on stdout."""
    engine = ENGINES[name]()
    models: dict[str, tuple[Any, list[Any]]] = {}
    state: dict[str, Any] = {}
    for line in sys.stdin:
        command = json.loads(line)
        what = command["do"]
        if what == "mlp_grads":  # builds both models: the library's own, and micrograd's graph
            models = {"own": engine.mlp(command["weights"]),
                      "same_graph": engine.mlp_same_graph(command["weights"])}
            answer: Any = {graph: mlp_gradients(engine, *m) for graph, m in models.items()}
        elif what == "mlp_step":
            steps = command.get("steps", 1)
            model, params = models[command.get("graph", "own")]
            answer = timed(lambda m=model, p=params: mlp_step(engine, m, p), steps) / steps
        elif what == "wide_sum":
            subject = BareObjects() if command.get("bare") else engine
            with _maybe_scoped(command):
                answer = timed(lambda n=command["n"], e=subject: wide_sum(e, n), command.get("repeat", 1),
                               collector=command.get("collector", True))
        elif what == "softmax":
            answer = softmax_backward_seconds(command["n"], command.get("composed", False),
                                              command.get("repeat", 1))
        elif what == "backward_only":
            answer = backward_seconds(engine, command["n"], command.get("repeat", 1))
        elif what == "deepest_chain":
            answer = deepest_chain(engine, command["depths"])
        elif what.startswith("replay_"):
            answer = replay.answer(state, engine, command, timed, X_MOONS, Y_SIGNS)
        elif what == "memory":
            with _maybe_scoped(command):
                answer = bytes_per_node(engine, command["n"])
        else:  # pragma: no cover
            answer = {"error": f"unknown command {what}"}
        print(json.dumps(answer), flush=True)


def _maybe_scoped(command: dict[str, Any]) -> Any:
    """Inside three nested scopes when the command says ``scoped`` (what a scope costs)."""
    import contextlib

    return autograd_lite.scope("model/layer/neuron") if command.get("scoped") else contextlib.nullcontext()


class Worker:
    def __init__(self, name: str, source: str | None = None) -> None:
        self.name = name if source is None else f"{name} at {source}"
        # One thread each, and no OpenMP threads spinning after PyTorch's turn:
        # they would steal a core from whichever engine runs next.
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE",
                   AUTOGRAD_LITE_SOURCE=source or "")
        self.process = subprocess.Popen([sys.executable, __file__, "--worker", name], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **command: Any) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.name} worker stopped; see its error above")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()


def installed() -> tuple[list[str], list[str]]:
    names, missing = ["autograd_lite"], []
    for name, module, how in (("micrograd", "micrograd", "pip install micrograd==0.1.0"),
                              ("pytorch", "torch", "pip install torch")):
        if importlib.util.find_spec(module) is None:
            missing.append(f"{name} ({how})")
        else:
            names.append(name)
    return names, missing


SAME_GRAPH = "autograd_lite on micrograd's graph"
SOFTMAX_N = 2000  # outputs of one softmax, all of them in the loss
BARE = "bare Python objects"
SCOPED = "autograd_lite inside a scope"
BACKWARD_ALONE = "autograd_lite backward alone"
# Rows that explain the growth of time per node; none of them is a target.
DIAGNOSTICS: dict[str, dict[str, Any]] = {
    BARE: {"bare": True},
    "autograd_lite, collector off": {"collector": False},
    f"{BARE}, collector off": {"bare": True, "collector": False},
    SCOPED: {"scoped": True},  # a scope must cost nothing when unused: compare with the row without
}


def run(quick: bool, against: str | None = None) -> dict[str, Any]:
    names, missing = installed()
    rounds = 3 if quick else 7
    print(f"engines: {', '.join(names)}" + (f"; not installed: {', '.join(missing)}" if missing else ""))
    workers = [Worker(name) for name in names]
    if against:  # another checkout, e.g. `git worktree add /tmp/old <commit>`: old and new side by side
        workers.insert(1, Worker("autograd_lite", source=str(Path(against).resolve())))
    weights = shared_weights()
    answers = {}
    for w in workers:
        both = w.ask(do="mlp_grads", weights=weights)
        answers[w.name] = both["own"]
        if w.name == "autograd_lite":  # a peer's own MLP is micrograd's graph already
            answers[SAME_GRAPH] = both["same_graph"]
            rows = w.ask(do="replay_grads", weights=weights)
            answers["autograd_lite replayed"], answers["hand-written floats"] = rows["replayed"], rows["floats"]
    agreement = check_agreement(answers)
    print("agreement with autograd_lite on the MLP's loss and all 337 gradients (worst relative error): "
          + ", ".join(f"{k} {v:.1e}" for k, v in agreement.items()) + "\n")
    sizes = [10**3, 10**4, 10**5, 10**6]
    peer_sizes = [] if quick else sizes[:3]  # the flatness target is ours; peers add context
    budget = 2 * 10**5 if quick else 10**6  # nodes per timing at each size (small graphs repeat)
    wide_n = 20_000 if quick else 100_000
    times: dict[str, dict[str, list[float]]] = {}

    def record(workload: str, name: str, seconds: float) -> None:
        times.setdefault(workload, {}).setdefault(name, []).append(seconds)

    for r in range(rounds):
        order = workers[r % len(workers):] + workers[:r % len(workers)]  # take turns going first
        for w in order:
            seconds = w.ask(do="mlp_step")
            record("mlp_step", w.name, seconds)
            if w.name.startswith("autograd_lite"):
                record("mlp_step_same_graph", w.name, w.ask(do="mlp_step", graph="same_graph"))
                if w.name == "autograd_lite":  # only this checkout's worker set up the replay rows
                    replay.time_round(w, record)
            else:  # a peer's own MLP is micrograd's graph: one timing serves both rows
                record("mlp_step_same_graph", w.name, seconds)
        for w in order:
            record("wide_sum", w.name, w.ask(do="wide_sum", n=wide_n))
        for w in order:  # ours only; with --against, the other checkout beside this one
            if w.name.startswith("autograd_lite"):
                record("softmax_backward", w.name, w.ask(do="softmax", n=SOFTMAX_N))
                record("softmax_backward", f"{w.name}, composed",
                       w.ask(do="softmax", n=SOFTMAX_N, composed=True))
        for size in sizes:  # about `budget` nodes per timing, in graphs of `size` nodes
            repeat = max(1, budget // size)
            for w in order:
                if w.name == "autograd_lite" or size in peer_sizes:
                    seconds = w.ask(do="wide_sum", n=size // 4, repeat=repeat)
                    record(f"per_node_{size}", w.name, seconds / (repeat * (size - 1)))
                    if w.name == "autograd_lite":
                        seconds = w.ask(do="backward_only", n=size // 4, repeat=repeat)
                        record(f"backward_per_node_{size}", w.name, seconds / (repeat * (size - 1)))
                        for name, options in DIAGNOSTICS.items():
                            if quick and not options.get("collector", True):
                                continue  # --quick keeps the floor, to stay under a minute
                            seconds = w.ask(do="wide_sum", n=size // 4, repeat=repeat, **options)
                            record(f"per_node_{size}", name, seconds / (repeat * (size - 1)))
        print(f"round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    depths = [500, 1000, 10_000, 100_000, 1_000_000]
    deep = {w.name: w.ask(do="deepest_chain",
                          depths=depths if w.name == "autograd_lite" or not quick else depths[:-1])
            for w in workers}
    for w in workers:
        w.close()
    memory = {}
    for name in names:  # a fresh process each, so nothing earlier is counted or reused
        w = Worker(name)
        memory[name] = w.ask(do="memory", n=25_000 if quick else 75_000)
        w.close()
    w = Worker("autograd_lite")
    memory[SCOPED] = w.ask(do="memory", n=25_000 if quick else 75_000, scoped=True)
    w.close()
    gpt = microgpt().run(quick)  # the GPT workload, in benchmarks/microgpt.py
    return summarise(times, deep, memory, rounds, quick, gpt)


def microgpt() -> Any:
    """benchmarks/microgpt.py: the microgpt step on every engine, with processes of its own."""
    spec = importlib.util.spec_from_file_location("benchmarks_microgpt", Path(__file__).with_name("microgpt.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_agreement(answers: dict[str, Any]) -> dict[str, float]:
    """Every engine's loss and gradients on the small MLP, against autograd_lite's."""
    loss0, grads0 = answers["autograd_lite"]["loss"], answers["autograd_lite"]["grads"]
    worst = {}
    for name, answer in answers.items():
        errors = [abs(answer["loss"] - loss0) / max(1e-12, abs(loss0))]
        errors += [abs(g - h) / max(1e-9, abs(h)) for g, h in zip(answer["grads"], grads0)]
        if len(answer["grads"]) != len(grads0) or max(errors) > 1e-9:
            raise SystemExit(f"{name} disagrees with autograd_lite on the MLP (worst relative error "
                             f"{max(errors):.2e}); no times are reported")
        worst[name] = max(errors)
    return worst


def _median_spread(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def machine() -> str:
    """The machine a run was timed on, for the tables: "x86_64, 2 cores, AMD EPYC"."""
    described = f"{platform.machine()}, {os.cpu_count()} cores"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    except OSError:
        names = []
    return f"{described}, {names[0]}" if names else described


def summarise(times: dict[str, dict[str, list[float]]], deep: dict[str, Any],
              memory: dict[str, Any], rounds: int, quick: bool, gpt: dict[str, Any] | None = None) -> dict[str, Any]:
    ours = "autograd_lite"
    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "python": platform.python_version(),
        "machine": machine(),
        "autograd_lite": autograd_lite.__version__,
        "rounds": rounds, "quick": quick, "workloads": {},
    }
    labels = {"mlp_step": "MLP demo step",
              "mlp_step_same_graph": "MLP step, micrograd's graph",
              "wide_sum": f"wide sum ({20 if quick else 100}k products)"}
    print("MLP demo step: each library's own MLP (ours: one Σ node per neuron, ~42k nodes; "
          "micrograd's and PyTorch's: a chain of + per neuron, ~66k nodes).")
    print("MLP step, micrograd's graph: autograd_lite builds micrograd's exact graph too.\n")
    print(f"{'workload':<29}{'engine':<15}{'median':>11}{'min–max':>21}   ratio to autograd_lite: median (min–max)")
    for workload in ("mlp_step", "mlp_step_same_graph", "wide_sum"):
        per_engine = times[workload]
        base = per_engine[ours]
        entry = {}
        for name, values in per_engine.items():
            med, lo, hi = _median_spread(values)
            ratios = [v / b for v, b in zip(values, base)]  # the same round, side by side
            rmed, rlo, rhi = _median_spread(ratios)
            entry[name] = {"seconds": values, "median": med, "ratio_median": rmed, "ratio_min": rlo,
                           "ratio_max": rhi}
            print(f"{labels[workload]:<29}{name:<15}{med * 1000:>8.1f} ms{lo * 1000:>10.1f}–{hi * 1000:<7.1f} ms"
                  f"   {rmed:6.2f}x ({rlo:.2f}–{rhi:.2f})")
        result["workloads"][workload] = entry
        if workload == "wide_sum":
            entry["products"] = 20_000 if quick else 100_000
    if "softmax_backward" in times:
        print(f"\nbackward through all {SOFTMAX_N:,} outputs of one softmax (the op, or composed from "
              "exp, sum_of and /):")
        softmax_rows = {}
        for name, values in times["softmax_backward"].items():
            med, lo, hi = _median_spread(values)
            softmax_rows[name] = {"seconds": values, "median": med}
            print(f"  {name:<44}{med * 1000:>9.1f} ms{lo * 1000:>10.1f}–{hi * 1000:<7.1f} ms")
        result["softmax_backward"] = {"n": SOFTMAX_N, "engines": softmax_rows}
    print()
    growth: dict[str, dict[str, float]] = {}
    backward_growth: dict[str, float] = {}
    spread: dict[str, dict[str, list[float]]] = {}  # per row and size: [min, max] across rounds
    for key, per_engine in times.items():
        size = key.rsplit("_", 1)[1]
        for name, values in per_engine.items():
            if key.startswith("per_node_"):
                growth.setdefault(name, {})[size] = statistics.median(values)
                spread.setdefault(name, {})[size] = [min(values), max(values)]
            elif key.startswith("backward_per_node_"):
                backward_growth[size] = statistics.median(values)
                spread.setdefault(BACKWARD_ALONE, {})[size] = [min(values), max(values)]

    def cell(size: str, median: float, row: str) -> str:
        lo, hi = spread[row][size]
        return f"10^{len(size) - 1}: {median * 1e9:5.0f} ns ({lo * 1e9:.0f}–{hi * 1e9:.0f})"

    print("time per node (build, backward, free), wide sums of 10^3 to 10^6 nodes: median (min–max of rounds)")
    for name, by_size in growth.items():
        cells = "  ".join(cell(s, v, name) for s, v in by_size.items())
        values = list(by_size.values())
        print(f"  {name:<36}{cells}   max/min {max(values) / min(values):.2f}")
    cells = "  ".join(cell(s, v, BACKWARD_ALONE) for s, v in backward_growth.items())
    print(f"  {BACKWARD_ALONE:<36}{cells}")
    result["time_per_node"] = growth
    result["backward_time_per_node"] = backward_growth
    result["time_per_node_spread"] = spread
    print()
    for name, d in deep.items():
        extra = f"; the {d['depth']:,}-deep backward took {d['seconds']:.2f} s" if d["seconds"] else ""
        if not d["note"] and d["depth"] == d["tried_up_to"] and d["depth"] < 1_000_000:
            extra += " (deeper not tried in --quick)"
        note = f" ({d['note']})" if d["note"] else ""
        print(f"deepest chain that backprops, {name:<15}{d['depth']:>10,}{note}{extra}")
    result["deepest_chain"] = deep
    for name, m in memory.items():
        print(f"memory per node, {name:<15}{m['bytes']:>8.0f} B ({m['measured_with']})")
    result["bytes_per_node"] = memory
    if gpt is not None:
        result["microgpt"] = gpt
    if "replay_rows" in times:
        print()
        result["replay"] = replay.summarise(times["replay_rows"], times["replay_rows"]["compile"])
    result["targets"] = check_targets(result)
    print()
    for target in result["targets"]:
        print(f"{'✓' if target['met'] else '✗'} {target['target']}: {target['measured']}")
    return result


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    w = result["workloads"]
    targets = []

    def add(text: str, met: bool | None, measured: str) -> None:
        if met is not None:
            targets.append({"target": text, "met": met, "measured": measured})

    mg = w["mlp_step"].get("micrograd")
    same = w["mlp_step_same_graph"].get("micrograd")
    add("MLP demo step ≥ 15x faster than micrograd", mg and mg["ratio_median"] >= 15,
        f"{mg['ratio_median']:.1f}x; {same['ratio_median']:.1f}x on micrograd's own graph" if mg else "")
    for name, need in (("micrograd", 3.5), ("pytorch", 7.0)):
        peer = w["wide_sum"].get(name)
        add(f"wide sum ≥ {need}x faster than {name}", peer and peer["ratio_median"] >= need,
            f"{peer['ratio_median']:.1f}x" if peer else "")
    per_node = list(result["time_per_node"]["autograd_lite"].values())
    backward = list(result["backward_time_per_node"].values())
    bare = list(result["time_per_node"][BARE].values())
    # Restated from "flat within 1.5x", which bare Python objects themselves do not meet on
    # CPython (its garbage collector walks the live graph): our growth against theirs.
    growth, bare_growth = max(per_node) / min(per_node), max(bare) / min(bare)
    add("time per node from 10^3 to 10^6 grows no more than bare Python objects' does", growth <= bare_growth,
        f"max/min {growth:.2f} end to end, bare objects {bare_growth:.2f}; "
        f"{max(backward) / min(backward):.2f} for backward() alone")
    add("1,000,000-deep chain at the default recursion limit",
        result["deepest_chain"]["autograd_lite"]["depth"] >= 1_000_000,
        f"{result['deepest_chain']['autograd_lite']['depth']:,}")
    b = result["bytes_per_node"]["autograd_lite"]["bytes"]
    add("≤ 200 bytes per node", b <= 200, f"{b:.0f} B")
    if "microgpt" in result:
        targets += microgpt().check_targets(result["microgpt"])
    for text, met, measured in replay.targets(result["replay"]) if "replay" in result else ():
        add(text, met, measured)
    return [t for t in targets if t["met"] is not None]


def markdown(result: dict[str, Any]) -> str:
    """The results as the Markdown table benchmarks/README.md shows."""
    w = result["workloads"]
    names = [n for n in ("autograd_lite", "micrograd", "pytorch") if n in w["mlp_step"]]
    head = "| workload | " + " | ".join(names) + " |"
    rows = [head, "|---" * (len(names) + 1) + "|"]

    def times(workload: str, label: str) -> str:
        cells = []
        for n in names:
            e = w[workload][n]
            ratio = "" if n == "autograd_lite" else (
                f" ({e['ratio_median']:.1f}x slower, {e['ratio_min']:.1f}–{e['ratio_max']:.1f})")
            cells.append(f"{e['median'] * 1000:,.0f} ms{ratio}")
        return f"| {label} | " + " | ".join(cells) + " |"

    rows.append(times("mlp_step", "micrograd's MLP demo step, each library's own MLP (ours ~42k nodes, "
                                  "theirs ~66k)"))
    rows.append(times("mlp_step_same_graph", "the same step on micrograd's exact graph (~66k nodes)"))
    rows.append(times("wide_sum", f"wide sum, {w['wide_sum']['products'] // 1000}k products, forward + backward"))
    deep = result["deepest_chain"]
    rows.append("| deepest chain that backprops | " + " | ".join(
        f"{deep[n]['depth']:,}" + (f" ({deep[n]['note']})" if deep[n]["note"] else "") for n in names) + " |")
    mem = result["bytes_per_node"]
    rows.append("| memory per node | " + " | ".join(
        f"{mem[n]['bytes']:.0f} B ({mem[n]['measured_with']})" for n in names) + " |")
    if SCOPED in mem:
        rows.append(f"| memory per node, {SCOPED} | {mem[SCOPED]['bytes']:.0f} B |" + " |" * (len(names) - 1))
    if "softmax_backward" in result:
        sm = result["softmax_backward"]
        cells = "; ".join(f"{name}: {e['median'] * 1000:,.1f} ms" for name, e in sm["engines"].items())
        rows.append(f"| backward through all {sm['n']:,} outputs of one softmax (ours: the op, and composed "
                    f"from exp, sum_of, /) | {cells} |" + " |" * (len(names) - 1))
    growth = result["time_per_node"]
    rows.append("| time per node at 10^3 → 10^6 nodes | " + " | ".join(
        " → ".join(f"{v * 1e9:,.0f}" for v in growth[n].values()) + " ns" if n in growth else "" for n in names)
        + " |")
    explained = [n for n in ("autograd_lite", *DIAGNOSTICS) if n in growth]
    if len(explained) > 1:
        rows += ["", "What the growth of time per node is made of (wide sums; none of these rows is a target):",
                 "", "| built from | 10^3 → 10^6 nodes | max/min |", "|---|---|---|"]
        for n in explained:
            values = list(growth[n].values())
            rows.append(f"| {n} | " + " → ".join(f"{v * 1e9:,.0f}" for v in values)
                        + f" ns | {max(values) / min(values):.2f} |")
    if "microgpt" in result:
        rows += ["", microgpt().markdown(result["microgpt"])]
    if "replay" in result:
        rows += ["", replay.markdown(result["replay"])]
    return "\n".join(rows)


#: the committed results that README quotes: written only with --save
SAVED_JSON = Path(__file__).with_name("results.json")
#: where a plain run writes, so that it does not dirty the checkout
DEFAULT_JSON = Path(tempfile.gettempdir()) / "autograd_lite_benchmarks.json"


def results_path(save: bool, json_file: str | None) -> Path:
    """Where a run writes its results: --save, --json FILE, or else outside the checkout."""
    return SAVED_JSON if save else Path(json_file) if json_file else DEFAULT_JSON


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds and smaller sizes: under a minute")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--against", metavar="DIR", help="also time the autograd_lite of another checkout")
    parser.add_argument("--table", metavar="JSON", help="print the Markdown table of an earlier run and stop")
    parser.add_argument("--json", metavar="FILE", help="where to write the results "
                        f"(default: {DEFAULT_JSON}, outside the checkout)")
    parser.add_argument("--save", action="store_true",
                        help="write the results to benchmarks/results.json, the run README quotes")
    parser.add_argument("--instructions", action="store_true",
                        help="count each workload's instructions per step under valgrind, beside the stored "
                             "baseline (benchmarks/instructions.py; no timing), and stop")
    args = parser.parse_args()
    if args.instructions:
        import instructions  # beside this file

        return instructions.main([])
    if args.save and args.json:
        parser.error("--save writes benchmarks/results.json; give --json FILE or --save, not both")
    if args.worker:
        worker(args.worker)
        return 0
    if args.table:
        print(markdown(json.loads(Path(args.table).read_text(encoding="utf-8"))))
        return 0
    result = run(args.quick, args.against)
    path = results_path(args.save, args.json)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
