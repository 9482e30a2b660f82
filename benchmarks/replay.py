"""The replay workload: micrograd's demo step three ways, timed side by side by run.py.

* **graph**: today's step, which builds the graph (run.py's ``mlp_step`` on our own MLP);
* **replayed**: the same step compiled once (``autograd_lite.compile``) into straight-line
  Python and replayed on the parameters' new values, no graph built;
* **hand-written floats**: the same forward, backward and SGD written by hand on lists of
  floats, the floor any pure-Python version of the step can hope for.

The compile cost (recording one step's graph and compiling it) is timed too, and paid back
after ``compile / (graph step − replayed step)`` steps. Each timing runs ten steps (see
``STEPS``). Before any time is reported, the
replayed step and the hand-written floats must agree with the graph on the loss and all 337
gradients (run.py's agreement check).
"""

from __future__ import annotations

import time
from typing import Any

from autograd_lite import Value, compile
from autograd_lite.fast.compiler import Program

LR = 0.01
L2 = 1e-4


def record(model: Any, params: list[Any], X: list[list[float]], signs: list[int]) -> tuple[Value, list[Value]]:
    """The demo step's graph with the data as leaves: (total loss, data leaves)."""
    inputs = [[Value(a), Value(b)] for a, b in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -y * s).relu() for y, s in zip(signs, scores)]
    total = sum(losses) * (1.0 / len(losses)) + L2 * sum(p * p for p in params)
    return total, [v for x in inputs for v in x]


def compile_step(model: Any, params: list[Any], X: list[list[float]], signs: list[int]) -> Program:
    """What replay pays once: record one step's graph, compile it."""
    total, data = record(model, params, X, signs)
    return compile(total, params + data, wrt=params)


def replay_gradients(program: Program, params: list[Any], X: list[list[float]]) -> tuple[float, list[float]]:
    replay = program(*[p.data for p in params], *[v for x in X for v in x])
    return replay.value, list(replay.gradients)


def replay_step(program: Program, params: list[Any], data: list[float]) -> float:
    """One training step, replayed: value and gradients from the program, then SGD."""
    value, grads, _ = program(*[p.data for p in params], *data)
    for p, g in zip(params, grads):
        p.grad = g
        p.data -= LR * g
    return value


# --- hand-written floats ----------------------------------------------------------------


def float_model(weights: list[list[list[float]]]) -> list[tuple[list[list[float]], list[float]]]:
    """Layers as (W rows, b) lists of floats, from run.py's shared weights (neuron: [w..., b])."""
    return [([wb[:-1] for wb in layer], [wb[-1] for wb in layer]) for layer in weights]


def float_gradients(layers: list[tuple[list[list[float]], list[float]]], X: list[list[float]],
                    signs: list[int]) -> tuple[float, list[tuple[list[list[float]], list[float]]]]:
    """The demo's loss and gradients by hand: relu MLP, mean hinge loss, L2."""
    n = len(X)
    last = len(layers) - 1
    grads = [([[0.0] * len(row) for row in W], [0.0] * len(b)) for W, b in layers]
    total = 0.0
    for x, y in zip(X, signs):
        acts = [x]
        pre = []
        h = x
        for k, (W, b) in enumerate(layers):
            z = [sum([wi * hi for wi, hi in zip(row, h)]) + bj for row, bj in zip(W, b)]
            pre.append(z)
            h = z if k == last else [zi if zi > 0.0 else 0.0 for zi in z]  # noqa: FURB136 - faster than max()
            acts.append(h)
        margin = 1.0 - y * h[0]
        if margin <= 0.0:
            continue
        total += margin
        delta = [-y / n]
        for k in range(last, -1, -1):
            W, _ = layers[k]
            gW, gb = grads[k]
            if k != last:
                delta = [d if z > 0.0 else 0.0 for d, z in zip(delta, pre[k])]
            a_in = acts[k]
            for j, d in enumerate(delta):
                if d:
                    gb[j] += d
                    row = gW[j]
                    for i, a in enumerate(a_in):
                        row[i] += d * a
            if k:
                delta = [sum([W[j][i] * delta[j] for j in range(len(delta))]) for i in range(len(a_in))]
    squares = 0.0
    for (W, b), (gW, gb) in zip(layers, grads):
        for row, grow in zip(W, gW):
            for i, w in enumerate(row):
                squares += w * w
                grow[i] += 2 * L2 * w
        for j, bj in enumerate(b):
            squares += bj * bj
            gb[j] += 2 * L2 * bj
    return total / n + L2 * squares, grads


def float_step(layers: list[tuple[list[list[float]], list[float]]], X: list[list[float]], signs: list[int]) -> float:
    """One training step by hand: forward, backward, SGD."""
    loss, grads = float_gradients(layers, X, signs)
    for (W, b), (gW, gb) in zip(layers, grads):
        for row, grow in zip(W, gW):
            for i, g in enumerate(grow):
                row[i] -= LR * g
        for j, g in enumerate(gb):
            b[j] -= LR * g
    return loss


def flat(grads: list[tuple[list[list[float]], list[float]]]) -> list[float]:
    """Gradients in the order of the MLP's parameters: each neuron's weights, then its bias."""
    return [v for gW, gb in grads for row, bj in zip(gW, gb) for v in (*row, bj)]


# --- what run.py's workers and summary call -----------------------------------------------


class Replay:
    """The worker's state for the replay rows: our MLP, its program, the float model."""

    def __init__(self, engine: Any, weights: list[list[list[float]]], X: list[list[float]], signs: list[int]) -> None:
        self.model, self.params = engine.mlp(weights)
        self.X, self.signs = X, signs
        self.data = [v for x in X for v in x]
        self.layers = float_model(weights)
        self.program = compile_step(self.model, self.params, X, signs)

    def gradients(self) -> dict[str, Any]:
        """Replayed and hand-written: loss and gradients, for the agreement check."""
        loss, grads = replay_gradients(self.program, self.params, self.X)
        hand_loss, hand = float_gradients(self.layers, self.X, self.signs)
        return {"replayed": {"loss": loss, "grads": grads}, "floats": {"loss": hand_loss, "grads": flat(hand)}}

    def compile_seconds(self) -> float:
        start = time.perf_counter()
        self.program = compile_step(self.model, self.params, self.X, self.signs)
        return time.perf_counter() - start

    def replay(self) -> float:
        return replay_step(self.program, self.params, self.data)

    def floats(self) -> float:
        return float_step(self.layers, self.X, self.signs)


ROWS = {"graph": "graph built each step", "replayed": "compiled once, replayed", "floats": "hand-written floats"}


def summarise(times: dict[str, list[float]], compile_times: list[float]) -> dict[str, Any]:
    """Medians, ratios to the graph step (the same round's), and the compile cost's payback."""
    import statistics

    graph = times["graph"]
    result: dict[str, Any] = {"rows": {}}
    print("micrograd's demo step, our MLP: built as a graph, replayed as a compiled program, "
          "written by hand with floats")
    print(f"  {'':<26}{'median':>10}{'min–max':>21}   graph step ÷ this: median (min–max)")
    for key, label in ROWS.items():
        values = times[key]
        ratios = [g / v for g, v in zip(graph, values)]
        med = statistics.median(values)
        result["rows"][key] = {"seconds": values, "median": med, "speedup_median": statistics.median(ratios),
                               "speedup_min": min(ratios), "speedup_max": max(ratios)}
        print(f"  {label:<26}{med * 1000:>7.1f} ms{min(values) * 1000:>10.1f}–{max(values) * 1000:<7.1f} ms"
              f"   {statistics.median(ratios):6.2f}x ({min(ratios):.2f}–{max(ratios):.2f})")
    compile_s = statistics.median(compile_times)
    saved = statistics.median([g - r for g, r in zip(graph, times["replayed"])])
    payback = compile_s / saved if saved > 0 else float("inf")
    # the same ratios round by round, for their spread
    paybacks = [c / (g - r) if g > r else float("inf") for c, g, r in zip(compile_times, graph, times["replayed"])]
    over_floats = [r / f for r, f in zip(times["replayed"], times["floats"])]
    replay_vs_floats = statistics.median(over_floats)
    result.update(compile_seconds=compile_times, compile_median=compile_s, payback_steps=payback,
                  replay_over_floats=replay_vs_floats)
    print(f"  compile (record one step's graph + compile): {compile_s:.2f} s ({min(compile_times):.2f}–"
          f"{max(compile_times):.2f}), paid back after {payback:.1f} steps ({min(paybacks):.1f}–{max(paybacks):.1f}"
          f" round by round); the replayed step takes {replay_vs_floats:.2f}x the hand-written floats' time "
          f"({min(over_floats):.2f}–{max(over_floats):.2f})")
    return result


def targets(replay: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(target, met, measured) for run.py's list of targets."""
    speedup = replay["rows"]["replayed"]["speedup_median"]
    return [("replayed demo step ≥ 8x faster than building the graph", speedup >= 8,
             f"{speedup:.1f}x; hand-written floats {replay['rows']['floats']['speedup_median']:.1f}x"),
            ("compile cost paid back within 30 steps", replay["payback_steps"] <= 30,
             f"{replay['payback_steps']:.1f} steps ({replay['compile_median']:.2f} s)")]


def answer(state: dict[str, Any], engine: Any, command: dict[str, Any], timed: Any,
           X: list[list[float]], signs: list[int]) -> Any:
    """A worker's answer to one replay command (run.py's worker passes them here)."""
    what = command["do"]
    if what == "replay_grads":  # set up: our MLP with the shared weights, compiled
        state["replay"] = Replay(engine, command["weights"], X, signs)
        return state["replay"].gradients()
    subject: Replay = state["replay"]
    if what == "replay_compile":
        return timed(subject.compile_seconds)
    steps = command.get("steps", 1)
    if what == "replay_step":
        return timed(subject.replay, steps) / steps
    if what == "replay_floats":
        return timed(subject.floats, steps) / steps
    return {"error": f"unknown command {what}"}


#: steps per timing: the collection that ends every timing (run.py's timed) costs the same few
#: milliseconds whatever ran before it, as much as a whole replayed step; ten steps per timing
#: spread it as a training loop does, alike for all three rows
STEPS = 10


def time_round(worker: Any, record: Any) -> None:
    """One round of the replay rows, asked of the autograd_lite worker: graph, replayed, floats, compile."""
    record("replay_rows", "graph", worker.ask(do="mlp_step", steps=STEPS))
    record("replay_rows", "replayed", worker.ask(do="replay_step", steps=STEPS))
    record("replay_rows", "floats", worker.ask(do="replay_floats", steps=STEPS))
    record("replay_rows", "compile", worker.ask(do="replay_compile"))


def markdown(replay: dict[str, Any]) -> str:
    rows = ["| micrograd's demo step, our MLP | time | graph step ÷ this |", "|---|---|---|"]
    for key, label in ROWS.items():
        row = replay["rows"][key]
        rows.append(f"| {label} | {row['median'] * 1000:,.1f} ms | {row['speedup_median']:.1f}x "
                    f"({row['speedup_min']:.1f}–{row['speedup_max']:.1f}) |")
    rows.append(f"| compile (record + compile), once | {replay['compile_median']:.2f} s | paid back after "
                f"{replay['payback_steps']:.1f} steps |")
    return "\n".join(rows)
