"""The training loop: batches, loss, backward, optimizer step, progress, history.

Example:
    >>> from autograd_lite.nn import MLP, SGD
    >>> from autograd_lite.datasets import make_moons
    >>> X, y = make_moons(n=40, noise=0.1, seed=0)
    >>> model = MLP(2, [8, 1], seed=0)
    >>> history = fit(model, X, y, loss="hinge", optimizer=SGD(model.parameters(), lr=0.1),
    ...               epochs=5, quiet=True)
    >>> len(history), history[-1]["loss"] < history[0]["loss"]
    (5, True)
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TextIO

from . import losses as _losses
from .compiled import CompiledStep
from .optim import SGD, Optimizer


class Model(Protocol):
    """What training needs of a model (nn.module's Module has it); no import of nn.module.

    module.py calls down into this module (``Module.fit``), so this module
    names the model's interface instead of importing it: no import circle.
    """

    nin: int
    nout: int

    def __call__(self, x: Any) -> Any: ...
    def parameters(self) -> list[Any]: ...
    def decide(self, output: Any) -> int: ...
    def label_of(self, target: Any) -> Any: ...
    def remember_labels(self, y: Any) -> None: ...

__all__ = ["History", "check_data", "check_inputs", "fit"]

_CLASSIFYING = {_losses.hinge: "binary", _losses.binary_cross_entropy: "binary",
                _losses.cross_entropy: "classes"}


class History(Sequence[dict[str, Any]]):
    """One record per epoch: ``epoch``, ``loss``, ``accuracy`` (None for regression), ``seconds``."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def __getitem__(self, k: Any) -> Any:
        return self.records[k]

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records)

    @property
    def loss(self) -> list[float]:
        """The loss of every epoch."""
        return [r["loss"] for r in self.records]

    @property
    def accuracy(self) -> list[float | None]:
        """The training accuracy of every epoch (None for regression)."""
        return [r["accuracy"] for r in self.records]

    def __repr__(self) -> str:
        if not self.records:
            return "History(no epochs)"
        last = self.records[-1]
        acc = "" if last["accuracy"] is None else f", accuracy {last['accuracy']:.1%}"
        return f"History({len(self)} epochs, last loss {last['loss']:.4g}{acc})"


def check_inputs(model: Model, X: Any) -> None:
    """Raise a ValueError naming the expected form if ``X`` is not a list of samples ``model`` takes."""
    nin = model.nin
    if isinstance(X, (str, bytes)) or not isinstance(X, Sequence) or not X:
        raise ValueError(f"X must be a non-empty list of samples, each a list of {nin} numbers")
    for k, sample in enumerate(X):
        if isinstance(sample, (str, bytes)) or not isinstance(sample, Sequence):
            raise ValueError(f"X must be a list of samples, each a list of {nin} numbers "  # noqa: TRY004 - all bad data is a ValueError
                             f"(the model's inputs); sample {k} is a {type(sample).__name__}")
        if len(sample) != nin:
            raise ValueError(f"X must be a list of samples, each a list of {nin} numbers "
                             f"(the model's inputs); sample {k} has {len(sample)}")
        for v in sample:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"sample {k} of X holds {v!r}; every input must be a finite number")


def check_data(model: Model, X: Any, y: Any, loss: Callable[..., Any]) -> None:
    """Raise a ValueError naming the expected form if ``X`` or ``y`` does not fit ``model`` and ``loss``."""
    check_inputs(model, X)
    nout = model.nout
    if isinstance(y, (str, bytes)) or not isinstance(y, Sequence) or len(y) != len(X):
        n = len(y) if isinstance(y, Sequence) else type(y).__name__
        raise ValueError(f"y must be a list with one label per sample: {len(X)} samples, got {n}")
    kind = _CLASSIFYING.get(loss)
    if kind == "binary":
        if nout != 1:
            raise ValueError(f"a binary loss needs a model with 1 output, this one has {nout}; "
                             "use cross_entropy for several classes")
        _losses.binary_labels(y, "labels for a binary loss")
    elif kind == "classes":
        if nout < 2:
            raise ValueError("cross_entropy needs a model with one output per class (at least 2); "
                             "for one output use hinge or binary_cross_entropy")
        bad = [v for v in y if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < nout]
        if bad:
            raise ValueError(f"labels must be class numbers 0 to {nout - 1} for this model, got {bad[0]!r}")


def fit(model: Model, X: Sequence[Sequence[float]], y: Sequence[Any], *,
        loss: str | Callable[..., Any] = "hinge", optimizer: Optimizer | None = None,
        epochs: int = 100, batch_size: int | None = None, l2: float = 0.0,
        seed: int | None = None, quiet: bool = False, file: TextIO | None = None,
        callback: Callable[[dict[str, Any]], Any] | None = None, compile: bool = False) -> History:
    """Train ``model`` on ``(X, y)`` and return the :class:`History`.

    Each step: zero the grads, run the model on a batch (all of ``X`` when
    ``batch_size`` is None, else shuffled batches with ``seed``), take the
    mean ``loss`` plus ``l2``·Σp², backpropagate, ``optimizer.step()``
    (default: SGD with lr 0.1). A one-line progress display shows the epoch,
    loss and accuracy unless ``quiet``; ``callback(record)`` runs after each epoch.

    ``compile=True`` (full batch only) records the first step's graph, compiles
    it into straight-line Python and replays it every step instead of building
    the graph: the same losses, many times faster (see :mod:`.compiled`).
    """
    loss_fn = _losses.get(loss)
    check_data(model, X, y, loss_fn)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number ≥ 1, got {epochs!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                   or batch_size < 1):
        raise ValueError(f"batch_size must be a whole number ≥ 1 or None (the whole data), got {batch_size!r}")
    if isinstance(l2, bool) or not isinstance(l2, (int, float)) or not l2 >= 0:
        raise ValueError(f"l2 must be a number ≥ 0, got {l2!r}")
    if compile and batch_size is not None:
        raise ValueError("compile=True replays one recorded graph, so every step must see the same batch: "
                         "use it for full-batch training (batch_size=None)")
    opt = optimizer if optimizer is not None else SGD(model.parameters(), lr=0.1)
    if not isinstance(opt, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer such as SGD or Adam, got {type(opt).__name__}")
    classifying = loss_fn in _CLASSIFYING
    rng = random.Random(seed)
    order = list(range(len(X)))
    size = batch_size or len(X)
    params = model.parameters()
    history = History()
    progress = None if quiet else _Progress(epochs, file or sys.stdout)
    replay = None
    if compile:
        replay = CompiledStep(model, X, y, loss_fn, l2)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        if batch_size is not None:
            rng.shuffle(order)
        total, correct, seen = 0.0, 0, 0
        for first in range(0, len(order), size):
            batch = order[first:first + size]
            xs = [X[i] for i in batch]
            ys = [y[i] for i in batch]
            opt.zero_grad()
            if replay is not None:  # compile=True: no graph, the recorded step replayed
                value, outputs = replay()
            else:
                outputs = [model(x) for x in xs]
                objective = loss_fn(outputs, ys)
                if l2:
                    objective = objective + _losses.l2(params, l2)
                objective.backward()
                value = objective.data
            opt.step()
            total += value * len(batch)
            seen += len(batch)
            if classifying:
                correct += sum(model.decide(o) == model.label_of(t) for o, t in zip(outputs, ys))
            del outputs  # free this step's graph now, not after the next one is built
            if replay is None:
                del objective
        record = {"epoch": epoch, "loss": total / seen,
                  "accuracy": correct / seen if classifying else None,
                  "seconds": time.perf_counter() - start}
        history.records.append(record)
        if progress:
            progress.show(record)
        if callback is not None:
            callback(record)
    if progress:
        progress.close()
    if classifying and _CLASSIFYING[loss_fn] == "binary":
        model.remember_labels(y)
    return history


class _Progress:
    """One line, rewritten in place: epoch, a bar, loss, accuracy, time per epoch."""

    def __init__(self, epochs: int, file: TextIO) -> None:
        self.epochs = epochs
        self.file = file
        self.last = 0.0
        self.width = 0

    def show(self, record: dict[str, Any]) -> None:
        now = time.perf_counter()
        if 1 < record["epoch"] < self.epochs and now - self.last < 0.5:
            return  # two updates a second are plenty, and keep notebooks small
        self.last = now
        done = record["epoch"] / self.epochs
        bar = "█" * round(20 * done) + "·" * (20 - round(20 * done))
        acc = "" if record["accuracy"] is None else f"  accuracy {record['accuracy']:6.1%}"
        line = (f"epoch {record['epoch']:>{len(str(self.epochs))}}/{self.epochs} {bar}"
                f"  loss {record['loss']:.4f}{acc}  {record['seconds'] * 1000:.0f} ms/epoch")
        self.file.write("\r" + line.ljust(self.width))
        self.width = len(line)
        self.file.flush()

    def close(self) -> None:
        self.file.write("\n")
        self.file.flush()
