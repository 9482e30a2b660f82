"""Full-batch training without building a graph each step: ``fit(..., compile=True)``.

The first step is recorded as a graph as usual and compiled into a
:class:`~autograd_lite.fast.compiler.Program` (straight-line Python, one line per
node). Every later step replays it on the parameters' current values: the
same float operations in the same order, so the same losses and gradients as
building the graph again, many times faster.

The data are the program's inputs (each sample's numbers enter as Values, not
as constants baked into the source); the labels enter through the loss as
numbers and stay fixed, which full-batch training allows. A model whose graph
depends on the data (a branch on a value) cannot be replayed: at steps 2, 4,
8, 16, … the graph is built once more and compared with the program line by
line (:meth:`Program.check`), raising :class:`~autograd_lite.fast.compiler.StructureChanged`
if they differ. That costs a graph a log2(steps) times; a branch that flips
between two checks is caught only at the next one, so a model that branches
on values should train with ``compile=False``.

Example:
    >>> from autograd_lite.nn import MLP
    >>> from autograd_lite.datasets import make_moons
    >>> X, y = make_moons(n=30, noise=0.1, seed=0)
    >>> plain, fast = MLP(2, [8, 1], seed=0), MLP(2, [8, 1], seed=0)
    >>> a = plain.fit(X, y, epochs=5, quiet=True)
    >>> b = fast.fit(X, y, epochs=5, quiet=True, compile=True)
    >>> a.loss == b.loss
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..core.value import Value
from ..fast.compiler import Program, compile
from . import losses as _losses

__all__ = ["CompiledStep"]


class _Model(Protocol):
    """What a compiled step needs of a model (a Module has it); naming nn.module would close an
    import circle (module -> training -> compiled)."""

    def __call__(self, x: Any) -> Any: ...
    def parameters(self) -> list[Value]: ...


class CompiledStep:
    """One full-batch training step as a replayed program: loss, gradients into ``p.grad``, outputs."""

    def __init__(self, model: _Model, X: Sequence[Sequence[float]], y: Sequence[Any],
                 loss: Callable[..., Value], l2: float) -> None:
        self.model, self.X, self.y, self.loss, self.l2 = model, X, y, loss, l2
        self.params = model.parameters()
        self.data = [float(v) for sample in X for v in sample]
        root, leaves, flat, self.shape = self._record()
        self.program: Program = compile(root, self.params + leaves, wrt=self.params, outputs=flat)
        self.steps = 0

    def _record(self) -> tuple[Value, list[Value], list[Value], list[int]]:
        """Build the step's graph once: (objective, data leaves, model outputs flat, outputs per sample)."""
        samples = [[Value(float(v)) for v in sample] for sample in self.X]
        outputs = [self.model(x) for x in samples]
        objective = self.loss(outputs, self.y)
        if self.l2:
            objective = objective + _losses.l2(self.params, self.l2)
        flat: list[Value] = []
        shape = []
        for o in outputs:
            many = isinstance(o, (list, tuple))
            flat.extend(o if many else [o])
            shape.append(len(o) if many else 0)
        return objective, [v for x in samples for v in x], flat, shape

    def __call__(self) -> tuple[float, list[Any]]:
        """Replay one step: set every parameter's grad; return the loss and each sample's output(s)."""
        self.steps += 1
        if self.steps & (self.steps - 1) == 0 and self.steps > 1:  # steps 2, 4, 8, …: build and compare
            root, leaves, _, _ = self._record()
            self.program.check(root, self.params + leaves)
        result = self.program(*[p.data for p in self.params], *self.data)
        for p, g in zip(self.params, result.gradients):
            p.grad = g
        outputs: list[Any] = []
        k = 0
        for n in self.shape:
            outputs.append(list(result.outputs[k:k + n]) if n else result.outputs[k])
            k += n or 1
        return result.value, outputs
