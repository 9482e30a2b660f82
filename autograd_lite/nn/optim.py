"""Optimizers: SGD (momentum, weight decay) and Adam, plus learning-rate schedules.

An optimizer holds a list of parameters (Values). ``step()`` moves each one
against its ``grad``; ``zero_grad()`` clears the grads. ``lr`` is a number or
a schedule: any callable taking the step number (0, 1, 2, …) and giving the
rate, such as ``lambda k: 1.0 - 0.9 * k / 100`` (micrograd's demo) or
:func:`linear` and :func:`cosine` below.

Example:
    >>> from autograd_lite import Value
    >>> from autograd_lite.nn import SGD
    >>> w = Value(3.0)
    >>> opt = SGD([w], lr=0.1)
    >>> for _ in range(50):
    ...     opt.zero_grad(); loss = (w - 1) ** 2; loss.backward(); opt.step()
    >>> round(w.data, 6)
    1.000029
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from ..core.value import Value

__all__ = ["SGD", "Adam", "Optimizer", "cosine", "linear"]

Schedule = Callable[[int], float]


def linear(start: float, end: float, steps: int) -> Schedule:
    """From ``start`` to ``end`` in a straight line over ``steps``, then ``end``.

    Example:
        >>> [round(linear(1.0, 0.1, 100)(k), 3) for k in (0, 50, 100, 500)]
        [1.0, 0.55, 0.1, 0.1]
    """
    _positive_int(steps, "steps")
    return lambda k: start + (end - start) * min(k, steps) / steps


def cosine(start: float, end: float, steps: int) -> Schedule:
    """From ``start`` down to ``end`` along half a cosine over ``steps``, then ``end``.

    Example:
        >>> [round(cosine(1.0, 0.0, 10)(k), 3) for k in (0, 5, 10)]
        [1.0, 0.5, 0.0]
    """
    _positive_int(steps, "steps")
    return lambda k: end + (start - end) * 0.5 * (1 + math.cos(math.pi * min(k, steps) / steps))


def _positive_int(n: Any, what: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a whole number ≥ 1, got {n!r}")


def _rate(lr: Any) -> float | Schedule:
    if callable(lr):
        return lr
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0 or math.isinf(lr):
        raise ValueError(f"lr must be a positive number or a schedule (a function of the step), got {lr!r}")
    return float(lr)


def _fraction(x: Any, what: str, upper_open: bool = True) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not (0 <= x < 1 if upper_open else 0 <= x):
        bound = "in [0, 1)" if upper_open else "≥ 0"
        raise ValueError(f"{what} must be a number {bound}, got {x!r}")
    return float(x)


class Optimizer:
    """What SGD and Adam share: the parameter list, the step count, the rate."""

    def __init__(self, parameters: Iterable[Value], lr: float | Schedule) -> None:
        params = list(parameters)
        if not params:
            raise ValueError(f"{type(self).__name__} got no parameters to optimize")
        for p in params:
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__} optimizes Values, got {type(p).__name__}; "
                                "pass model.parameters()")
        self.parameters = params
        self.lr = _rate(lr)
        self.steps = 0  #: how many times step() has run

    @property
    def rate(self) -> float:
        """The learning rate the next step will use."""
        if callable(self.lr):
            rate = self.lr(self.steps)
            if not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate < 0:
                raise ValueError(f"the lr schedule gave {rate!r} at step {self.steps}; "
                                 "it must give a finite number ≥ 0")
            return float(rate)
        return self.lr

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.parameters:
            p.grad = 0.0

    def step(self) -> None:  # pragma: no cover - each optimizer defines it
        raise NotImplementedError

    def __repr__(self) -> str:
        lr = "schedule" if callable(self.lr) else repr(self.lr)
        return f"{type(self).__name__}({len(self.parameters)} parameters, lr={lr}, steps={self.steps})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay.

    ``v ← momentum·v + (grad + weight_decay·p)``; ``p ← p − lr·v``
    (with momentum 0 this is plain ``p ← p − lr·grad``).
    """

    def __init__(self, parameters: Iterable[Value], lr: float | Schedule = 0.1,
                 momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(parameters, lr)
        self.momentum = _fraction(momentum, "momentum")
        self.weight_decay = _fraction(weight_decay, "weight_decay", upper_open=False)
        self._velocity = [0.0] * len(self.parameters)

    def step(self) -> None:
        """Move every parameter one step against its gradient."""
        lr, mu, wd = self.rate, self.momentum, self.weight_decay
        velocity = self._velocity
        for k, p in enumerate(self.parameters):
            g = _grad_number(p.grad) + wd * p.data
            if mu:
                g = velocity[k] = mu * velocity[k] + g
            p.data -= lr * g
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba), with bias correction and optional (L2) weight decay."""

    def __init__(self, parameters: Iterable[Value], lr: float | Schedule = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(parameters, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair of numbers in [0, 1), got {betas!r}")
        self.beta1 = _fraction(betas[0], "betas[0]")
        self.beta2 = _fraction(betas[1], "betas[1]")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.eps = float(eps)
        self.weight_decay = _fraction(weight_decay, "weight_decay", upper_open=False)
        self._m = [0.0] * len(self.parameters)
        self._v = [0.0] * len(self.parameters)

    def step(self) -> None:
        """Move every parameter one Adam step."""
        lr, b1, b2, eps, wd = self.rate, self.beta1, self.beta2, self.eps, self.weight_decay
        t = self.steps + 1
        correct1, correct2 = 1 - b1**t, 1 - b2**t
        m, v = self._m, self._v
        for k, p in enumerate(self.parameters):
            g = _grad_number(p.grad) + wd * p.data
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            p.data -= lr * (m[k] / correct1) / (math.sqrt(v[k] / correct2) + eps)
        self.steps += 1


def _grad_number(g: Any) -> float:
    """A parameter's grad as a float; after backward(create_graph=True) it is a Value."""
    return g.data if isinstance(g, Value) else g
