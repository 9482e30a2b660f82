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

import io
import math
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TextIO

from ..views import animation as _animation
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

__all__ = ["History", "TrainingFrames", "as_lists", "boundary_grid", "check_data", "check_inputs", "fit"]

#: the side of the grid a boundary frame evaluates the model on (30 x 30 points, floats only)
GRID = 30

_CLASSIFYING = {_losses.hinge: "binary", _losses.binary_cross_entropy: "binary",
                _losses.cross_entropy: "classes"}


class History(Sequence[dict[str, Any]]):
    """One record per epoch: ``epoch``, ``loss``, ``accuracy`` (None for regression), ``seconds``."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        #: the frames recorded with ``fit(..., frames=N)`` or ``watch=True``, else None
        self.frames: TrainingFrames | None = None

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


class TrainingFrames:
    """A training run as frames: the loss of every epoch, and every N epochs the model's boundary.

    ``steps[k]`` is the epoch of frame ``k`` (in full-batch training an epoch is one
    step); ``boundaries[k]`` the model's scores then on a :data:`GRID` x :data:`GRID`
    grid over ``extent`` = (x min, x max, y min, y max), rows from the top (empty
    when the inputs are not two numbers); ``losses`` the loss of every epoch so far.
    :meth:`save_animation` writes them as a GIF, APNG or MP4 for slides.

    Example:
        >>> from autograd_lite.nn import MLP
        >>> from autograd_lite.datasets import make_moons
        >>> X, y = make_moons(n=30, noise=0.1, seed=0)
        >>> history = fit(MLP(2, [8, 1], seed=0), X, y, epochs=20, frames=5, quiet=True)
        >>> history.frames.steps, len(history.frames.boundaries[0])
        ([1, 5, 10, 15, 20], 30)
        >>> history.frames.save_animation("moons.gif")  # doctest: +SKIP
    """

    def __init__(self, points: Sequence[Sequence[float]], labels: Sequence[Any],
                 extent: tuple[float, float, float, float]) -> None:
        self.points = points
        self.labels = labels
        self.extent = extent
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.held_out: list[float] = []
        self.boundaries: list[list[list[Any]]] = []

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"TrainingFrames({len(self.steps)} frames over {len(self.losses)} epochs)"

    def images(self, size: str = "laptop") -> list[Any]:
        """The frames as Pillow images (needs ``pip install 'autograd_lite[animation]'``)."""
        return _animation.training_frames(self, size=size)

    def save_animation(self, path: str, *, size: str = "slide", frame_ms: float = 120,
                       hold_ms: float = 3000, fps: int = 10) -> Any:
        """Write the run as a GIF, APNG or MP4 (by the suffix of ``path``); one frame per recorded step.

        See :func:`autograd_lite.views.animation.save_training_animation`.
        """
        return _animation.save_training_animation(self, path, size=size, frame_ms=frame_ms,
                                                  hold_ms=hold_ms, fps=fps)


def boundary_grid(model: Model, extent: tuple[float, float, float, float], side: int = GRID) -> list[list[Any]]:
    """The model's scores on a ``side`` x ``side`` grid over ``extent``, rows from the top, floats only.

    Example:
        >>> from autograd_lite.nn import MLP
        >>> grid = boundary_grid(MLP(2, [4, 1], seed=0), (-1.0, 1.0, -1.0, 1.0), side=3)
        >>> len(grid), len(grid[0]), isinstance(grid[0][0], float)
        (3, 3, True)
    """
    x0, x1, y0, y1 = extent
    xs = [x0 + (x1 - x0) * (i + 0.5) / side for i in range(side)]
    ys = [y1 - (y1 - y0) * (j + 0.5) / side for j in range(side)]
    scores = model.scores([[x, y] for y in ys for x in xs])  # type: ignore[attr-defined]
    return [scores[j * side:(j + 1) * side] for j in range(side)]


def _extent(X: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    dx, dy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return min(xs) - 0.1 * dx, max(xs) + 0.1 * dx, min(ys) - 0.1 * dy, max(ys) + 0.1 * dy


def _in_jupyter() -> bool:
    """True in a Jupyter kernel (an IPython shell with a kernel), without importing IPython."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class _Watch:
    """fit(watch=True) in Jupyter: one picture (loss curve and boundary) updated in place."""

    def __init__(self, frames: TrainingFrames) -> None:
        from IPython.display import display

        self.frames = frames
        self.handle = display(self._picture(), display_id=True)
        self.last = time.perf_counter()

    def _picture(self) -> Any:
        from IPython.display import Image

        images = _animation.training_frames(self.frames, size="laptop", last_only=True) if self.frames.steps else []
        if not images:
            return Image(data=_blank_png())
        buffer = io.BytesIO()
        images[-1].save(buffer, format="PNG")
        return Image(data=buffer.getvalue())

    def update(self, final: bool = False) -> None:
        now = time.perf_counter()
        if final or now - self.last >= 0.3:  # about three pictures a second are plenty
            self.last = now
            self.handle.update(self._picture())


def _blank_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def as_lists(data: Any) -> Any:
    """A numpy array (anything with ``shape`` and ``tolist``) as nested lists of Python numbers;
    anything else as it is. numpy is not needed for this, nor imported.

    Example:
        >>> as_lists([[1.0, 2.0]])
        [[1.0, 2.0]]
    """
    if hasattr(data, "shape") and hasattr(data, "tolist") and not isinstance(data, (list, tuple)):
        return data.tolist()
    return data


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
        callback: Callable[[dict[str, Any]], Any] | None = None, compile: bool = False,
        frames: int | None = None, watch: bool = False) -> History:
    """Train ``model`` on ``(X, y)`` and return the :class:`History`.

    Each step: zero the grads, run the model on a batch (all of ``X`` when
    ``batch_size`` is None, else shuffled batches with ``seed``), take the
    mean ``loss`` plus ``l2``·Σp², backpropagate, ``optimizer.step()``
    (default: SGD with lr 0.1). A one-line progress display shows the epoch,
    loss and accuracy unless ``quiet``; ``callback(record)`` runs after each epoch.

    ``compile=True`` (full batch only) records the first step's graph, compiles
    it into straight-line Python and replays it every step instead of building
    the graph: the same losses, many times faster (see :mod:`.compiled`).

    ``frames=N`` records the run as :class:`TrainingFrames` in ``history.frames``:
    the loss of every epoch and, every N epochs (and the first and last), the
    model's scores on a grid over the data when its inputs are two numbers
    (the decision boundary). ``watch=True`` records them (every epochs/100
    unless ``frames`` says) and, in Jupyter, shows the loss curve and the
    boundary as one picture updated in place (needs ``pip install
    'autograd_lite[animation]'``); outside Jupyter it prints progress as usual.
    """
    loss_fn = _losses.get(loss)
    X, y = as_lists(X), as_lists(y)  # numpy arrays work too
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
    if frames is not None and (isinstance(frames, bool) or not isinstance(frames, int) or frames < 1):
        raise ValueError(f"frames must be a whole number ≥ 1 (record a frame every that many epochs) or None, "
                         f"got {frames!r}")
    if not isinstance(watch, bool):
        raise TypeError(f"watch must be True or False, got {watch!r}")
    if watch and frames is None:
        frames = max(1, epochs // 100)
    recording = TrainingFrames(X, y, _extent(X)) if frames is not None else None
    draws_boundary = model.nin == 2 and callable(getattr(model, "scores", None))
    watching = _Watch(recording) if watch and recording is not None and _in_jupyter() else None
    if watching is not None:
        quiet = True  # the picture says it all
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
        if recording is not None:
            recording.losses.append(total / seen)
            if frames is not None and (epoch == 1 or epoch % frames == 0 or epoch == epochs):
                recording.steps.append(epoch)
                recording.boundaries.append(boundary_grid(model, recording.extent) if draws_boundary else [])
                if watching is not None:
                    watching.update(final=epoch == epochs)
        if progress:
            progress.show(record)
        if callback is not None:
            callback(record)
    if progress:
        progress.close()
    if classifying and _CLASSIFYING[loss_fn] == "binary":
        model.remember_labels(y)
    history.frames = recording
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
