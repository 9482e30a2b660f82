"""The training view's engine: a model training step by step, and its state as JSON for the page to draw.

A :class:`TrainingSession` holds one run: a data set (moons, circles, spiral,
xor: two numbers per point; or names, for the tiny GPT), a model, a loss, an
optimiser and a seed. :meth:`~TrainingSession.step` trains some steps (one
step is one batch: the whole training set for the 2-D data, one name for the
GPT), at most for a time budget so the page gets a picture several times a
second; :meth:`~TrainingSession.state` is everything the page draws: the loss
of every step, the held-out loss, the decision boundary on a grid with the
points, the weights, and for the GPT names sampled every N steps.
:meth:`~TrainingSession.inspect` answers a click on a weight or a neuron:
the expression the explorer opens (the weight's collapsed sub-graph at the
current step: its neuron on the samples whose terms weigh most, the rest of
the network folded into numbers) and the chain-rule sum of its gradient.

The 2-D models train full-batch with ``compile=True``'s replay
(:class:`~autograd_lite.nn.compiled.CompiledStep`): the graph's shape
repeats, so after the first step no graph is built. JavaScript only draws
and asks: :func:`answer` is the one entry for ``serve``'s ``/api/train``
and the browser-only site's worker.

Example:
    >>> s = TrainingSession({"data": "moons", "width": 8, "points": 40, "seed": 0})
    >>> s.step(5)["steps"]
    5
    >>> state = s.state()
    >>> len(state["losses"]), len(state["boundary"]), state["losses"][-1] < state["losses"][0]
    (5, 30, True)
    >>> answer({"train": "nonsense"})["ok"]
    False
"""

from __future__ import annotations

import math
import operator
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any

from ..core.ops import OPS
from ..nn import datasets as _datasets
from ..nn import losses as _losses
from ..nn.compiled import CompiledStep
from ..nn.gpt import GPT
from ..nn.module import MLP
from ..nn.optim import SGD, Adam, Optimizer
from ..views.notation import json_number

__all__ = ["CHOICES", "DEFAULTS", "MAX_SESSIONS", "TrainingError", "TrainingSession", "answer"]

#: what the page may choose, and the defaults a fragment leaves out
CHOICES: dict[str, Any] = {
    "data": ("moons", "circles", "spiral", "xor", "names"),
    "activation": ("tanh", "relu", "sigmoid", "leaky_relu"),
    "loss": ("bce", "hinge", "mse"),
    "optimizer": ("adam", "sgd"),
    "layers": (1, 4),       # hidden layers, from .. to
    "width": (1, 32),       # neurons per hidden layer
    "points": (10, 400),    # training points (a quarter as many more are held out)
    "lr": (1e-5, 10.0),
    "seed": (0, 2**31 - 1),
    "noise": (0.0, 1.0),
}
DEFAULTS: dict[str, Any] = {"data": "moons", "layers": 2, "width": 16, "activation": "tanh", "loss": "bce",
                            "optimizer": "adam", "lr": 0.003, "seed": 0, "points": 100, "noise": 0.1}
#: the side of the boundary's grid (side x side scores; the page smooths it)
GRID_SIDE = 30
#: the most steps one request may ask for, and the longest it may train (seconds)
MAX_STEPS_PER_REQUEST = 1000
MAX_BUDGET = 0.5
#: the most steps a run keeps a loss for (the curve thins older ones out beyond)
MAX_HISTORY = 5000
#: the tiny GPT: sample names every this many steps
SAMPLE_EVERY = 25
#: sessions a server keeps at once (the oldest is dropped)
MAX_SESSIONS = 8
#: the samples an inspected weight's expression draws (the rest are folded into one term)
INSPECT_SAMPLES = 4


class TrainingError(ValueError):
    """A choice or request the training view cannot take, with its reason for people."""


def _config(given: Any) -> dict[str, Any]:
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise TrainingError("the training view's settings must be a JSON object")
    unknown = [k for k in given if k not in DEFAULTS]
    if unknown:
        raise TrainingError(f"unknown setting {str(unknown[0])[:30]!r}; the settings are {', '.join(DEFAULTS)}")
    config = dict(DEFAULTS)
    for key, value in given.items():
        choices = CHOICES[key]
        if isinstance(choices[0], str):
            if value not in choices:
                raise TrainingError(f"{key} must be one of {', '.join(choices)}, got {str(value)[:30]!r}")
        elif isinstance(choices[0], int) and not isinstance(choices[0], bool) and key not in ("lr", "noise"):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or not choices[0] <= value <= choices[1]:
                raise TrainingError(f"{key} must be a whole number from {choices[0]} to {choices[1]}, "
                                    f"got {str(value)[:30]}")
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not choices[0] <= value <= choices[1]:
                raise TrainingError(f"{key} must be a number from {choices[0]:g} to {choices[1]:g}, "
                                    f"got {str(value)[:30]}")
            value = float(value)
        config[key] = value
    return config


def _data(name: str, n: int, noise: float, seed: int) -> tuple[list[list[float]], list[int]]:
    if name == "moons":
        return _datasets.make_moons(n, noise=noise, seed=seed)
    if name == "circles":
        return _datasets.make_circles(n, noise=noise, seed=seed)
    if name == "xor":
        return _datasets.make_xor(n, noise=noise, seed=seed)
    return _datasets.make_spirals(n, k=2, noise=noise * 2, seed=seed)  # two arms: one output decides


class TrainingSession:
    """One training run of the training view; ``config`` as :data:`DEFAULTS` (any left out take those).

    Raises :class:`TrainingError` for a setting out of range.
    """

    def __init__(self, config: Any = None) -> None:
        self.config = _config(config)
        c = self.config
        self.steps = 0
        self.losses: list[float] = []
        self.held_out: list[list[float]] = []  # [step, loss] pairs
        self.samples: list[list[Any]] = []     # the GPT's [step, names] pairs
        self.lock = threading.Lock()
        self.gpt = c["data"] == "names"
        if self.gpt:
            self._start_gpt()
        else:
            self._start_mlp()

    # --- the 2-D data and an MLP ------------------------------------------------------------------
    def _start_mlp(self) -> None:
        c = self.config
        self.X, self.y = _data(c["data"], c["points"], c["noise"], c["seed"])
        self.X_test, self.y_test = _data(c["data"], max(4, c["points"] // 4), c["noise"], c["seed"] + 1)
        self.model = MLP(2, [c["width"]] * c["layers"] + [1], c["activation"], seed=c["seed"])
        self.loss_fn = _losses.get(c["loss"])
        params = self.model.parameters()
        self.optimizer: Optimizer = Adam(params, lr=c["lr"]) if c["optimizer"] == "adam" else SGD(params, lr=c["lr"])
        self.replay: CompiledStep | None = None  # compiled at the first step
        xs = [p[0] for p in self.X + self.X_test]
        ys = [p[1] for p in self.X + self.X_test]
        dx, dy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        self.extent = (min(xs) - 0.1 * dx, max(xs) + 0.1 * dx, min(ys) - 0.1 * dy, max(ys) + 0.1 * dy)

    def _mlp_step(self) -> float:
        if self.replay is None:
            self.replay = CompiledStep(self.model, self.X, self.y, self.loss_fn, 0.0)
        self.optimizer.zero_grad()
        value, _ = self.replay()
        self.optimizer.step()
        return value

    def _layers(self) -> list[tuple[list[list[float]], list[float], Any]]:
        """Each layer as (weights by neuron, biases, the activation's float forward or None)."""
        out = []
        for layer in self.model.layers:
            act = layer.activation
            forward = None if act == "linear" else (
                (lambda z, f=OPS[act].forward, a=layer.neurons[0].alpha: f(z, a)) if act == "leaky_relu"
                else OPS[act].forward)
            out.append(([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons], forward))
        return out

    def _scores(self, points: list[list[float]]) -> list[float]:
        """The model's output for each point, in floats (the same arithmetic order as the model's sum)."""
        layers = self._layers()
        mul, out = operator.mul, []
        for x in points:
            for W, B, f in layers:
                if f is None:
                    x = [sum(map(mul, w, x)) + b for w, b in zip(W, B)]
                else:
                    x = [f(sum(map(mul, w, x)) + b) for w, b in zip(W, B)]
            out.append(x[0])
        return out

    def _float_loss(self, scores: list[float], labels: list[int]) -> float:
        name = self.config["loss"]
        total = 0.0
        for s, t in zip(scores, labels):
            sign = 1.0 if t == 1 else -1.0
            if name == "hinge":
                total += max(0.0, 1.0 - sign * s)
            elif name == "mse":
                total += (s - t) ** 2
            else:  # binary cross-entropy on a logit, written to stay finite
                z = -sign * s
                total += z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))
        return total / len(scores)

    def boundary(self, side: int = GRID_SIDE) -> list[list[float | None]]:
        """The model's scores on a ``side`` x ``side`` grid over the picture, rows from the top."""
        x0, x1, y0, y1 = self.extent
        xs = [x0 + (x1 - x0) * (i + 0.5) / side for i in range(side)]
        ys = [y1 - (y1 - y0) * (j + 0.5) / side for j in range(side)]
        scores = self._scores([[x, y] for y in ys for x in xs])
        return [[_finite(s) for s in scores[j * side:(j + 1) * side]] for j in range(side)]

    # --- names and the tiny GPT ------------------------------------------------------------------
    def _start_gpt(self) -> None:
        c = self.config
        words = _datasets.names(seed=c["seed"])
        self.tokenizer = _datasets.CharTokenizer(words)
        self.train_names, self.test_names = words[: -200], words[-200:]
        self.gpt_model = GPT(self.tokenizer.vocab_size, block_size=16, n_embd=16, n_head=4, n_layer=1, seed=c["seed"])
        params = self.gpt_model.parameters()
        lr = min(c["lr"], 0.1)
        self.optimizer = Adam(params, lr=lr) if c["optimizer"] == "adam" else SGD(params, lr=lr)
        self.extent = (0.0, 0.0, 0.0, 0.0)

    def _gpt_tokens(self, name: str) -> list[int]:
        return self.tokenizer.encode(name[:14], bos=True)

    def _gpt_step(self) -> float:
        name = self.train_names[self.steps % len(self.train_names)]
        self.optimizer.zero_grad()
        loss = self.gpt_model.loss(self._gpt_tokens(name))
        loss.backward()
        self.optimizer.step()
        value = loss.data
        if (self.steps + 1) % SAMPLE_EVERY == 0:
            step = self.steps + 1
            test = [self.gpt_model.loss(self._gpt_tokens(n)).data for n in self.test_names[:5]]
            self.held_out.append([step, sum(test) / len(test)])
            bos = self.tokenizer.bos
            made = [self.tokenizer.decode(self.gpt_model.generate([bos], 15, temperature=0.7,
                                                               seed=self.config["seed"] * 1000 + step + k, stop=bos))
                    for k in range(5)]
            self.samples.append([step, made])
            del self.samples[:-20]
        return value

    # --- both --------------------------------------------------------------------------------
    def step(self, steps: int = 1, budget: float = 0.1) -> dict[str, Any]:
        """Train up to ``steps`` steps, stopping once ``budget`` seconds have passed; returns :meth:`state`.

        At least one step is taken. A loss that is no longer a finite number
        stops the run with a message (the learning rate is too high).
        """
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS_PER_REQUEST:
            raise TrainingError(f"steps must be a whole number from 1 to {MAX_STEPS_PER_REQUEST}, got {str(steps)[:30]}")
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 <= budget <= MAX_BUDGET:
            raise TrainingError(f"budget must be a number of seconds from 0 to {MAX_BUDGET}, got {str(budget)[:30]}")
        with self.lock:
            start = time.perf_counter()
            for _ in range(steps):
                if self.losses and not math.isfinite(self.losses[-1]):
                    break  # a diverged run stays where it is
                compiling = not self.gpt and self.replay is None
                try:
                    value = self._gpt_step() if self.gpt else self._mlp_step()
                except OverflowError:
                    value = math.inf
                if compiling:  # the first step records and compiles the graph: not counted in the budget
                    start = time.perf_counter()
                self.steps += 1
                self.losses.append(value)
                if len(self.losses) > MAX_HISTORY:
                    del self.losses[: len(self.losses) - MAX_HISTORY]
                if time.perf_counter() - start >= budget:
                    break
            if not self.gpt:
                test = self._float_loss(self._scores(self.X_test), self.y_test)
                self.held_out.append([self.steps, test])
                del self.held_out[: max(0, len(self.held_out) - MAX_HISTORY)]
            return self._state()

    def state(self) -> dict[str, Any]:
        """Everything the page draws, as JSON-ready data (numbers that are not finite become None)."""
        with self.lock:
            return self._state()

    def _state(self) -> dict[str, Any]:
        last = self.losses[-1] if self.losses else None
        state: dict[str, Any] = {
            "config": dict(self.config), "steps": self.steps,
            "loss": None if last is None else json_number(last) if math.isfinite(last) else None,
            "diverged": last is not None and not math.isfinite(last),
            "losses": _thin([_finite(v) for v in self.losses]),
            "first": self.steps - len(self.losses) + 1,
            "held_out": [[s, _finite(v)] for s, v in self.held_out[-400:]],
            "extent": list(self.extent), "activation": None if self.gpt else self.config["activation"],
        }
        if self.gpt:
            state.update(points=[], labels=[], boundary=[], weights=[], samples=self.samples[-6:])
        else:
            state.update(points=self.X, labels=self.y, held_points=self.X_test, held_labels=self.y_test,
                         boundary=self.boundary(), samples=[],
                         weights=[{"w": W, "b": B} for W, B, _ in self._layers()])
        return state

    def inspect(self, layer: Any, neuron: Any, weight: Any = None) -> dict[str, Any]:
        """A weight (``weight`` = its input's number) or a neuron's bias (``weight`` None) at the current step.

        Returns ``{"name", "grad", "expression", "values", "terms", "rest", "samples", "sum"}``:
        ``expression`` with ``values`` is the weight's collapsed sub-graph for
        the explorer: ``g·act(w·h + r)`` for the samples whose chain-rule terms
        weigh most (g: ∂L/∂output of the neuron, h: the weight's input, r:
        the rest of the neuron's sum, all numbers of the current step), plus
        ``c·w`` for the other samples' terms, so its ∂/∂w is the whole sum.
        """
        if self.gpt:
            raise TrainingError("the tiny GPT's weights are not drawn; inspect a weight of an MLP run")
        layers = self.model.layers
        if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < len(layers):
            raise TrainingError(f"layer must be a whole number from 0 to {len(layers) - 1}")
        cell = layers[layer]
        if isinstance(neuron, bool) or not isinstance(neuron, int) or not 0 <= neuron < cell.nout:
            raise TrainingError(f"neuron must be a whole number from 0 to {cell.nout - 1}")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int)
                                   or not 0 <= weight < cell.nin):
            raise TrainingError(f"weight must be a whole number from 0 to {cell.nin - 1}, or null for the bias")
        with self.lock:
            return self._inspect(layer, neuron, weight)

    def _inspect(self, layer: int, neuron: int, weight: int | None) -> dict[str, Any]:
        unit = self.model.layers[layer].neurons[neuron]
        param = unit.b if weight is None else unit.w[weight]
        for p in self.model.parameters():
            p.grad = 0.0
        outputs, inputs = [], []  # this neuron's output Value, and its layer's input numbers, per sample
        finals = []
        for x in self.X:
            h: Any = x
            for k, cell in enumerate(self.model.layers):
                if k == layer:
                    inputs.append([v if isinstance(v, float) else v.data for v in h])
                h = cell(h)
                if k == layer:
                    outputs.append(h[neuron])
            finals.append(h[0])
        objective = self.loss_fn(finals, self.y)
        objective.backward()
        act = self.model.layers[layer].activation
        w = param.data
        terms = []
        for s, (a, xs) in enumerate(zip(outputs, inputs)):
            z = sum(wi.data * xi for wi, xi in zip(unit.w, xs)) + unit.b.data
            h_s = 1.0 if weight is None else xs[weight]
            slope = _slope(act, z, a.data, unit.alpha)
            terms.append((a.grad * slope * h_s, s, a.grad, h_s, z - w * h_s))
        order = sorted(terms, key=lambda t: -abs(t[0]))
        shown, rest = order[:INSPECT_SAMPLES], order[INSPECT_SAMPLES:]
        c = math.fsum(t[0] for t in rest)
        pieces = []
        for term, s, g, h_s, r in shown:
            inner = f"w*{_num(h_s)} + {_num(r)}"
            pieces.append(f"{_num(g)}*{_wrap(act, inner, unit.alpha)}")
        pieces.append(f"{_num(c)}*w")
        name = f"L{layer}.N{neuron}." + ("b" if weight is None else f"w{weight}")
        result = {
            "name": name, "grad": json_number(param.grad), "value": json_number(w),
            "expression": " + ".join(pieces), "values": f"w={float(w)!r}",
            "terms": [{"sample": s, "term": json_number(t), "upstream": json_number(g), "input": json_number(h_s)}
                      for t, s, g, h_s, _ in shown],
            "rest": json_number(c), "samples": len(terms), "sum": json_number(math.fsum(t[0] for t in terms)),
        }
        for p in self.model.parameters():
            p.grad = 0.0
        return result


def _slope(act: str, z: float, a: float, alpha: float) -> float:
    """The activation's derivative at ``z`` (``a`` its output), by the rules of the op table."""
    if act == "linear":
        return 1.0
    if act == "tanh":
        return 1.0 - a * a
    if act == "sigmoid":
        return a * (1.0 - a)
    if act == "relu":
        return 1.0 if z > 0 else 0.0
    return 1.0 if z > 0 else alpha  # leaky_relu


def _wrap(act: str, inner: str, alpha: float) -> str:
    if act == "linear":
        return f"({inner})"
    if act == "leaky_relu":
        return f"leaky_relu({inner}, {_num(alpha)})"
    return f"{act}({inner})"


def _num(x: float) -> str:
    text = repr(float(x))
    return f"({text})" if text.startswith("-") else text


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _thin(values: list[Any], most: int = 1000) -> list[Any]:
    """At most ``most`` values: a long run's curve keeps every k-th (and the last)."""
    if len(values) <= most:
        return values
    k = math.ceil(len(values) / most)
    kept = values[::k]
    if (len(values) - 1) % k:
        kept.append(values[-1])
    return kept


class Sessions:
    """The runs a server or the site's worker keeps, by id; the oldest go beyond :data:`MAX_SESSIONS`."""

    def __init__(self) -> None:
        self.runs: OrderedDict[str, TrainingSession] = OrderedDict()
        self.lock = threading.Lock()

    def new(self, config: Any) -> tuple[str, TrainingSession]:
        session = TrainingSession(config)
        key = secrets.token_hex(8)
        with self.lock:
            self.runs[key] = session
            while len(self.runs) > MAX_SESSIONS:
                self.runs.popitem(last=False)
        return key, session

    def get(self, key: Any) -> TrainingSession:
        with self.lock:
            session = self.runs.get(key) if isinstance(key, str) else None
            if session is None:
                raise TrainingError("this training run is gone (the server keeps the last "
                                    f"{MAX_SESSIONS}); press Reset to start it again")
            self.runs.move_to_end(key)
            return session


_SESSIONS = Sessions()


def answer(request: Any, sessions: Sessions | None = None) -> dict[str, Any]:
    """The training view's request answered, never raising for bad input.

    ``{"train": "new", "config": {...}}`` starts a run; ``{"train": "step",
    "session", "steps", "budget"}`` trains (``steps`` 0 only reads the state);
    ``{"train": "inspect", "session", "layer", "neuron", "weight"}`` opens a
    weight (``weight`` null: the neuron's bias).

    Example:
        >>> r = answer({"train": "new", "config": {"width": 4, "points": 20}})
        >>> r["ok"], r["state"]["steps"]
        (True, 0)
        >>> answer({"train": "step", "session": r["session"], "steps": 2})["state"]["steps"]
        2
        >>> answer({"train": "new", "config": {"width": 99}})["error"]
        'width must be a whole number from 1 to 32, got 99'
    """
    sessions = sessions if sessions is not None else _SESSIONS
    if not isinstance(request, dict):
        return {"ok": False, "error": "the request is not a JSON object"}
    kind = request.get("train")
    try:
        if kind == "new":
            key, session = sessions.new(request.get("config"))
            return {"ok": True, "session": key, "state": session.state()}
        if kind == "step":
            session = sessions.get(request.get("session"))
            steps = request.get("steps", 1)
            if isinstance(steps, float) and steps.is_integer():
                steps = int(steps)
            if steps == 0 and not isinstance(steps, bool):
                return {"ok": True, "state": session.state()}
            return {"ok": True, "state": session.step(steps, request.get("budget", 0.1))}
        if kind == "inspect":
            session = sessions.get(request.get("session"))
            return {"ok": True, **session.inspect(request.get("layer"), request.get("neuron"), request.get("weight"))}
    except TrainingError as error:
        return {"ok": False, "error": str(error)}
    return {"ok": False, "error": "a training request is new, step or inspect"}

