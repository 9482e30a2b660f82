"""Modules: Neuron, Layer and MLP, built from Values like micrograd's nn.py.

A :class:`Module` owns parameters (Values) and maps inputs to outputs by
building a graph. Every parameter carries a label naming where it lives
(``L0.N3.w1``: layer 0, neuron 3, weight 1), so pictures of a model's graph
read well.

Initialisation is scaled by fan-in: weights uniform in ±√(6/fan_in) before
relu and leaky_relu (He), ±√(3/fan_in) before tanh, sigmoid and linear
(LeCun, variance 1/fan_in); biases 0. The same ``seed`` gives the same model.

Example:
    >>> model = MLP(2, [4, 1], activation="tanh", seed=0)
    >>> model
    MLP(2 → 4 tanh → 1 linear; 17 parameters)
    >>> out = model([1.0, -2.0])
    >>> out.backward()
    >>> model.named_parameters()[0][0], model.parameters()[0].label
    ('layers.0.neurons.0.w.0', 'L0.N0.w0')
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..core import generic
from ..core import scopes as _scopes
from ..core.ops import OPS
from ..core.value import Value, float_of, scope
from ..views import notation
from . import training

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron"]

#: the activations a neuron can have; "linear" is none at all
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "linear")
_HE = {"relu", "leaky_relu"}
_SUM = OPS["sum"]
_new = object.__new__
_ScopeTag = _scopes.ScopeTag


_ACTIVATION_OPS = frozenset(ACTIVATIONS) - {"linear"}
# a neuron's scope: "L0.N3" in an MLP ("MLP/L0/L0.N3"), "N3" in a layer alone, "Neuron" alone
_NEURON_SCOPE = re.compile(r"(?:^|/)((?:L\d+\.)?N\d+|Neuron)$")


def _lecture_name(node: Value) -> str | None:
    """The name a lecture gives a neuron's intermediates: ``L0.N3.z`` (w·x + b) and ``L0.N3.a``.

    Asked by pictures, traces and the page for unlabelled nodes (see
    ``notation.NAMERS``): naming when drawing costs the training step nothing,
    where a label on every neuron's z and a would cost it 5%.
    """
    tag = node._tag
    if tag.__class__ is not _ScopeTag:
        return None
    match = _NEURON_SCOPE.search(tag.scope)
    if match is None:
        return None
    prefix = "" if match[1] == "Neuron" else match[1] + "."
    op = node.op
    if op == "sum":
        return prefix + "z"
    if op in _ACTIVATION_OPS:
        parents = node.parents
        if parents and parents[0].op == "sum" and parents[0]._tag is tag:
            return prefix + "a"
    return None


notation.NAMERS.append(_lecture_name)


def _pred(out: Value, label: str) -> None:
    """Label a model's output ``pred``, keeping its call: ``out.label = label`` without the setter's checks."""
    call = out._tag
    if call.__class__ is _ScopeTag:
        tag = _new(_ScopeTag)
        tag.label, tag.scope, tag.call = label, call.scope, call.call or call
        out._tag = tag
    else:
        out.label = label


def _activation(name: Any) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; the activations are {', '.join(ACTIVATIONS)}")
    return str(name)


class Module:
    """A thing with parameters: ``parameters()``, ``named_parameters()``, ``zero_grad()``.

    Models (anything with ``nin``, ``nout`` and ``__call__``) also get
    ``fit``, ``scores``, ``predict`` and ``accuracy``.

    Every module builds its parameters and its graph inside its own scope
    (see :func:`autograd_lite.scope`): an MLP's nodes sit in ``MLP``, its
    layers' in ``MLP/L0``, a neuron's in ``MLP/L0/L0.N3``, so pictures can
    draw a layer or a neuron as one box (``draw_dot(loss, collapse=2)``).
    """

    nin: int
    nout: int
    _negative_label = 0  # what predict() calls the negative class; -1 after fit on ±1 labels
    scope_name: str = "Module"  #: the name of this module's scope
    _around: Any = object()  # the path of the scope around the last call (None: none; this: no call yet)
    _path: str = ""  # this module's scope path in that call

    def _call_tag(self) -> _scopes.ScopeTag:
        """A new scope tag for one call of this module, inside the scope open now.

        Each call gets a tag of its own, shared by the unlabelled nodes it
        builds, so a picture can tell one call of a neuron from another; its
        path is built once per scope around the call.
        """
        outer = _scopes._current
        around = None if outer is None else outer.scope
        if around is not self._around:
            self._around = around
            self._path = self.scope_name if around is None else f"{around}/{self.scope_name}"
        tag = _new(_ScopeTag)  # ScopeTag(None, self._path) without the call of __init__
        tag.label = tag.call = None
        tag.scope = self._path
        return tag

    def _enter(self) -> Any:
        """Open this module's scope for a call; returns what ``_leave`` restores.

        The same as ``with scope(self.scope_name):`` at a fraction of its
        cost (see :meth:`_call_tag`).
        """
        outer = _scopes._current
        _scopes._set_current(self._call_tag())
        return outer

    @staticmethod
    def _leave(outer: Any) -> None:
        _scopes._set_current(outer)

    def _children(self) -> Iterator[tuple[str, Any]]:  # pragma: no cover - each module lists its own
        return iter(())

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(dotted name, parameter)`` pairs, in a fixed order."""
        out: list[tuple[str, Value]] = []
        stack: list[tuple[str, Any]] = [("", self)]
        while stack:
            prefix, item = stack.pop()
            if isinstance(item, Value):
                out.append((prefix, item))
            else:
                children = list(item._children())
                stack.extend((f"{prefix}.{name}" if prefix else name, child) for name, child in reversed(children))
        return out

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def __call__(self, x: Sequence[Any]) -> Any:  # pragma: no cover - each module defines it
        raise NotImplementedError

    # --- for models -------------------------------------------------------------
    def fit(self, X: Sequence[Sequence[float]], y: Sequence[Any], **options: Any) -> training.History:
        """Train on ``(X, y)``; see :func:`autograd_lite.nn.training.fit` for the options."""
        return training.fit(self, X, y, **options)

    def scores(self, X: Sequence[Sequence[float]]) -> list[Any]:
        """The model's raw outputs for each sample, as floats, without building a graph."""
        X = training.as_lists(X)  # numpy arrays work too
        training.check_inputs(self, X)
        return [self._floats(x) for x in X]

    def predict(self, X: Sequence[Sequence[float]]) -> list[int]:
        """Class labels: for one output, positive if the score is > 0; for several, the argmax."""
        return [self.decide(s) for s in self.scores(X)]

    def accuracy(self, X: Sequence[Sequence[float]], y: Sequence[Any]) -> float:
        """The fraction of samples whose predicted class is the label (0/1 and −1/+1 both work)."""
        X, y = training.as_lists(X), training.as_lists(y)
        if not isinstance(y, Sequence) or len(y) != len(X):
            raise ValueError(f"y must have one label per sample: {len(X)} samples, got "
                             f"{len(y) if isinstance(y, Sequence) else type(y).__name__}")
        predictions = self.predict(X)
        return sum(self.label_of(p) == self.label_of(t) for p, t in zip(predictions, y)) / len(X)

    def decide(self, output: Any) -> int:
        """The class an output stands for (used by predict and the training loop)."""
        if isinstance(output, (list, tuple)):
            values = [float_of(o) for o in output]
            return max(range(len(values)), key=values.__getitem__)
        return 1 if float_of(output) > 0 else self._negative_label

    def label_of(self, label: Any) -> Any:
        """A label with the negative class of binary problems written one way (0 and −1 agree)."""
        return 0 if self.nout == 1 and label in (0, -1) else label

    def remember_labels(self, y: Iterable[Any]) -> None:
        """After training on −1/+1 labels, predict() answers −1/+1 too."""
        self._negative_label = -1 if -1 in set(y) else 0

    def _floats(self, x: Sequence[float]) -> Any:  # pragma: no cover - each model defines it
        raise NotImplementedError


class Neuron(Module):
    """``activation(Σ w_i·x_i + b)``: one weight per input and a bias.

    The weighted inputs and the bias meet in one ``sum`` node (Σ), so a
    16-input neuron is 16 products, one Σ and the activation.

    Example:
        >>> n = Neuron(2, "tanh", rng=random.Random(0))
        >>> y = n([1.0, -2.0])
        >>> y.op, y.parents[0].op, len(y.parents[0].parents)
        ('tanh', 'sum', 3)
    """

    def __init__(self, nin: int, activation: str = "relu", *, rng: random.Random | None = None,
                 name: str = "", alpha: float = 0.01) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"nin (inputs per neuron) must be a whole number ≥ 1, got {nin!r}")
        self.activation = _activation(activation)
        self.alpha = alpha
        self.nin, self.nout = nin, 1
        rng = rng or random.Random()
        bound = math.sqrt((6.0 if activation in _HE else 3.0) / nin)
        self.scope_name = name.rstrip(".") or "Neuron"
        with scope(self.scope_name):
            self.w = [Value(rng.uniform(-bound, bound), label=f"{name}w{i}") for i in range(nin)]
            self.b = Value(0.0, label=f"{name}b")
        self._forward = None if activation == "linear" else OPS[activation].forward

    def __call__(self, x: Sequence[Any]) -> Value:
        # One Σ node over the products and the bias, as the neuron is drawn on
        # paper, rather than a chain of nin additions: fewer nodes to build,
        # to collect and to walk backward. A neuron is called for every sample,
        # so its scope is not opened the usual way: the nodes it builds are
        # given this call's tag directly (``with scope`` would add a tenth to
        # an MLP's step).
        if len(x) != self.nin:
            raise ValueError(f"this neuron takes {self.nin} inputs, got {len(x)}")
        tag = self._call_tag()
        act = generic._neuron_sum(self.w, x, self.b, tag)  # z = w·x + b (named by _lecture_name)
        name = self.activation
        if name == "linear":
            return act
        out: Value = act.leaky_relu(self.alpha) if name == "leaky_relu" else getattr(act, name)()
        out._tag = tag  # the activation belongs to this call too
        return out

    def _floats(self, x: Sequence[float]) -> float:
        # The same arithmetic on floats: equal to __call__'s data.
        terms = [wi.data * xi for wi, xi in zip(self.w, x)]
        terms.append(self.b.data)
        act = _SUM.forward(terms)
        if self._forward is None:
            return act
        return self._forward(act, self.alpha) if self.activation == "leaky_relu" else self._forward(act)

    def _children(self) -> Iterator[tuple[str, Any]]:
        yield "w", _Group(self.w)
        yield "b", self.b

    def __repr__(self) -> str:
        return f"Neuron({self.nin} inputs, {self.activation})"


class Layer(Module):
    """``nout`` neurons side by side, all reading the same inputs."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", *,
                 rng: random.Random | None = None, name: str = "") -> None:
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"nout (neurons per layer) must be a whole number ≥ 1, got {nout!r}")
        rng = rng or random.Random()
        self.nin, self.nout = nin, nout
        self.activation = _activation(activation)
        self.scope_name = name.rstrip(".") or "Layer"
        with scope(self.scope_name):
            self.neurons = [Neuron(nin, activation, rng=rng, name=f"{name}N{k}.") for k in range(nout)]

    def __call__(self, x: Sequence[Any]) -> list[Value]:
        outer = self._enter()
        try:
            return [n(x) for n in self.neurons]
        finally:
            self._leave(outer)

    def _floats(self, x: Sequence[float]) -> list[float]:
        return [n._floats(x) for n in self.neurons]

    def _children(self) -> Iterator[tuple[str, Any]]:
        yield "neurons", _Group(self.neurons)

    def __repr__(self) -> str:
        return f"Layer({self.nin} → {self.nout} {self.activation})"


class MLP(Module):
    """A multilayer perceptron: layers of ``nouts`` neurons after ``nin`` inputs.

    ``activation`` is either one name for every hidden layer (the last layer
    then uses ``output_activation``, "linear" by default, as in micrograd) or
    a list with one name per layer. Calling the model on one sample gives a
    Value when the last layer has one neuron, else a list of Values.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str | Sequence[str] = "relu", *,
                 output_activation: str = "linear", seed: int | None = None) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"nin (inputs) must be a whole number ≥ 1, got {nin!r}")
        if isinstance(nouts, (str, bytes, int)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a list of layer sizes such as [16, 16, 1], got {nouts!r}")
        if isinstance(activation, str):
            activations = [_activation(activation)] * (len(nouts) - 1) + [output_activation]
        else:
            activations = list(activation)
            if len(activations) != len(nouts):
                raise ValueError(f"activation lists one name per layer: {len(nouts)} layers, "
                                 f"got {len(activations)} names")
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        self.nin, self.nout = nin, nouts[-1]
        self.scope_name = "MLP"
        with scope(self.scope_name):
            self.layers = [Layer(sizes[k], sizes[k + 1], _activation(activations[k]), rng=rng, name=f"L{k}.")
                           for k in range(len(nouts))]

    def __call__(self, x: Sequence[Any]) -> Any:
        x = training.as_lists(x)  # a numpy row works too
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence) or len(x) != self.nin:
            got = len(x) if isinstance(x, Sequence) else type(x).__name__
            raise ValueError(f"this MLP takes {self.nin} inputs per sample, got {got}")
        outer = self._enter()
        try:
            for layer in self.layers:
                x = layer(x)
        finally:
            self._leave(outer)
        if len(x) == 1:  # the model's prediction, named as a lecture names it
            _pred(x[0], "pred")
            return x[0]
        for k, out in enumerate(x):
            _pred(out, f"pred{k}")
        return x

    def _floats(self, x: Sequence[float]) -> Any:
        for layer in self.layers:
            x = layer._floats(x)
        return x[0] if len(x) == 1 else x

    def _children(self) -> Iterator[tuple[str, Any]]:
        yield "layers", _Group(self.layers)

    def __repr__(self) -> str:
        parts = [str(self.nin)] + [f"{layer.nout} {layer.activation}" for layer in self.layers]
        return f"MLP({' → '.join(parts)}; {len(self.parameters())} parameters)"


class _Group:
    """A numbered list of children, for dotted names (``neurons.3``)."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def _children(self) -> Iterator[tuple[str, Any]]:
        return ((str(k), item) for k, item in enumerate(self.items))
