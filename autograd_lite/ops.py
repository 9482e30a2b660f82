"""The table of primitive operations: the single source of truth.

Every primitive op is one :class:`Op` entry holding

* its forward on plain floats (numerically stable, raising :class:`DomainError`
  where the op is undefined),
* its local derivative *rule*, written the way it is derived on paper
  (sigmoid uses ``s * (1 - s)`` with ``s`` the op's own output),
* the same rule as text for people (docs, the step-by-step trace),
* a reference definition and a closed-form derivative written against a generic
  math module, so the tests can evaluate them with mpmath at high precision.

A rule never knows what a ``Value`` is: it is given numbers. Given floats it
returns floats (an ordinary backward pass); given Values it returns Values, which
is how ``backward(create_graph=True)`` records the gradient computation itself.

Example:
    >>> from autograd_lite.ops import OPS
    >>> sig = OPS["sigmoid"]
    >>> s = sig.forward(0.5)
    >>> round(sig.local(s, 0.5), 8)
    0.23500371
    >>> sig.describe()
    'sigmoid: σ(x);  ∂/∂x = σ(x)·(1 − σ(x))'
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["OPS", "VARIADIC", "BoundOp", "DomainError", "Op", "op_table_markdown"]

#: arity of ops that take any number of inputs (softmax, log_softmax)
VARIADIC = 0

_NAN = math.nan
_INF = math.inf


class DomainError(ValueError):
    """An op was applied where it is undefined, e.g. ``log(0)`` or ``(-8) ** 0.5``.

    Raised at forward time; the message names the op and the offending value.

    Example:
        >>> from autograd_lite import Value
        >>> Value(-1.0).log()
        Traceback (most recent call last):
        ...
        autograd_lite.ops.DomainError: log(x) is undefined at x = -1.0: it needs x > 0
    """


class DivisionByZero(DomainError, ZeroDivisionError):
    """``x / 0``: a :class:`DomainError` that is also a ``ZeroDivisionError``."""


@dataclass(frozen=True, eq=False, slots=True)
class Op:
    """One primitive op: forward, local derivative rule and their descriptions.

    Attributes:
        name: the op's name (``Value`` method and command-line function name).
        arity: 1, 2, or ``VARIADIC`` (any number of inputs). A variadic op
            with the parameter ``i`` is a *vector* op (softmax): one node per
            output, ``i`` saying which. Without it, it is a *reduction* (sum):
            one output.
        forward: the forward on floats. Vector ops map a tuple of floats to a
            tuple of floats (all outputs at once); reductions map it to a float.
        rule: the local derivative, written as derived. For unary and binary
            ops: one Python expression per input, in the names ``out`` (the
            op's output), the inputs and the parameters, e.g. ``("b", "a")``
            for mul and ``("out * (1.0 - out)",)`` for sigmoid. They are
            compiled once into ``rule(out, a, b) -> (∂out/∂a, ∂out/∂b)`` (or
            ``rule(out, x, *params)``) and, by :mod:`autograd_lite.value`,
            into the backward loop itself. A callable is accepted too:
            variadic ops give ``rule(out, inputs, *params)`` returning the row
            ``(∂out/∂a_j for j)``. A variadic op may also give its rule as one
            expression in ``out`` and ``a_j`` that holds for every input
            (sum: ``("1.0",)``).
        inputs: the input names used in the texts (``("x",)``, ``("a", "b")``).
        text: the forward for people, with ``{input}`` placeholders.
        formula: per input, the local derivative for people, with ``{out}``,
            ``{input}`` and ``{param}`` placeholders (variadic ops: one entry
            for the row, with ``{delta}`` for δ_ij and ``{s_j}`` for S_j).
        params: names of constant parameters (``alpha``, ``n``, ``i``).
        defaults: default values of those parameters.
        symbol: the short label drawn in graph pictures.
        is_function: callable by name (``exp(x)``) from the command line.
        dunder: for a binary operator, the Python operator method it backs
            (``"add"`` gives ``Value.__add__`` and ``Value.__radd__``).
        reference: the forward written with a math module ``m`` (math or mpmath):
            ``reference(m, *inputs, *params)``; the tests' high-precision oracle.
        derivative: the closed-form derivative in terms of the inputs, written
            with a math module: one callable per input, or for variadic ops one
            ``derivative(m, inputs, i, j, *params)``.
        domain: where the op is defined, ``domain(*inputs, *params) -> bool``.
        kinks: inputs where the derivative jumps (finite differences skip them).
        param_samples: parameter values the generated tests try.
    """

    name: str
    arity: int
    forward: Callable[..., Any]
    rule: Callable[..., Any] | tuple[str, ...]
    inputs: tuple[str, ...]
    text: str
    formula: tuple[str, ...]
    symbol: str
    reference: Callable[..., Any]
    derivative: tuple[Callable[..., Any], ...]
    params: tuple[str, ...] = ()
    defaults: tuple[Any, ...] = ()
    is_function: bool = True
    dunder: str | None = None
    domain: Callable[..., bool] | None = None
    kinks: tuple[float, ...] = ()
    param_samples: tuple[tuple[Any, ...], ...] = ((),)
    _bound: dict[tuple[Any, ...], BoundOp] = field(default_factory=dict, repr=False)
    #: the rule with the parameters fixed; an op without parameters is its own
    #: bound op, so nodes store it directly and backward calls ``local``
    local: Callable[..., Any] = field(init=False, repr=False)
    op: Op = field(init=False, repr=False)
    args: tuple[Any, ...] = field(init=False, default=(), repr=False)

    #: the rule's expressions, one per input, when it was given as text; else None
    rule_source: tuple[str, ...] | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.rule, tuple):
            object.__setattr__(self, "rule_source", self.rule)
            object.__setattr__(self, "rule", _compile_rule(self))
        object.__setattr__(self, "local", self.rule)
        object.__setattr__(self, "op", self)

    def bind(self, *args: Any) -> Op | BoundOp:
        """This op with its parameters fixed, e.g. ``leaky_relu`` with alpha 0.2.

        Bound ops are cached per parameter tuple, so a million ``x ** 2`` nodes
        share one bound op.
        """
        if not self.params:
            return self
        bound = self._bound.get(args)
        if bound is None:
            bound = BoundOp(self, args)
            if len(self._bound) < 4096:  # arbitrary float exponents must not grow it forever
                self._bound[args] = bound
        return bound

    @property
    def is_vector(self) -> bool:
        """A variadic op with one node per output (softmax), told by its parameter ``i``."""
        return self.arity == VARIADIC and "i" in self.params

    @property
    def is_reduction(self) -> bool:
        """A variadic op with a single output (sum)."""
        return self.arity == VARIADIC and "i" not in self.params

    def forward_text(self) -> str:
        """The forward for people, in symbols: ``σ(x)``."""
        return self.text.format(**self._symbols())

    def derivative_texts(self) -> list[tuple[str, str]]:
        """``(input, local derivative)`` pairs for people, in symbols."""
        symbols = self._symbols()
        symbols["out"] = self.forward_text()
        wrt = ["a_j"] if self.arity == VARIADIC else list(self.inputs)
        return [(w, f.format(**symbols)) for w, f in zip(wrt, self.formula)]

    def describe(self) -> str:
        """One line for people: the forward and each local derivative."""
        parts = [f"∂/∂{w} = {d}" for w, d in self.derivative_texts()]
        return f"{self.name}: {self.forward_text()};  " + ";  ".join(parts)

    def _symbols(self) -> dict[str, str]:
        symbols = {n: n for n in (*self.inputs, *self.params)}
        if self.is_vector:  # a Jacobian row: entry j of ∂out_i/∂a
            symbols.update(delta="δ_ij", s_j="S_j")
        return symbols


def _compile_rule(op: Op) -> Callable[..., Any]:
    """``rule(out, *inputs, *params)`` from the op's expressions (evaluated in this module)."""
    source = op.rule_source or ()
    if op.arity == VARIADIC and len(source) == 1:  # the same expression for every input a_j
        arguments = ", ".join(("out", "inputs", *op.params))
        return eval(f"lambda {arguments}: tuple({source[0]} for a_j in inputs)", globals())
    if op.arity not in (1, 2) or len(source) != op.arity:
        raise ValueError(f"{op.name}: a rule as text needs one expression per input")
    body = source[0] if op.arity == 1 else f"({', '.join(source)})"
    arguments = ", ".join(("out", *op.inputs, *op.params))
    return eval(f"lambda {arguments}: {body}", globals())  # our own table's text, never user input


class BoundOp:
    """An :class:`Op` with its constant parameters fixed (``alpha``, ``n``, ``i``).

    Nodes store it in place of the op; it forwards everything else to the op.
    """

    __slots__ = ("__weakref__", "args", "arity", "local", "name", "op")

    def __init__(self, op: Op, args: tuple[Any, ...]) -> None:
        self.op = op
        self.args = args
        self.name = op.name
        self.arity = op.arity
        rule = op.rule
        self.local: Callable[..., Any] = lambda *xs: rule(*xs, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.op, name)

    def __repr__(self) -> str:
        params = ", ".join(f"{p}={a!r}" for p, a in zip(self.op.params, self.args))
        return f"<op {self.op.name}({params})>"


# ---------------------------------------------------------------------------
# Helpers the rules use. They work on floats and on Values (anything with the
# same methods), so one rule serves both kinds of backward pass.


def _value_of(x: Any) -> float:
    """The number in ``x``: a float as it is, a Value's data (float(Value) is refused: it drops the gradient)."""
    return x if x.__class__ is float else x.data if hasattr(x, "data") else float(x)


def _step(x: Any, below: Any) -> Any:
    """Slope of a ReLU-like kink: 1 above 0, ``below`` at and below 0, NaN at NaN."""
    v = _value_of(x)
    if v > 0.0:
        return 1.0
    if v <= 0.0:
        return below
    return _NAN


def _exp_any(x: Any) -> Any:
    return x.exp() if hasattr(x, "exp") else _exp(x)


def _log_any(x: Any) -> Any:
    return x.log() if hasattr(x, "log") else _log(x)


def _softmax_any(inputs: Sequence[Any]) -> list[Any]:
    """Softmax of floats (floats out) or of Values (a differentiable graph out)."""
    if all(a.__class__ is float for a in inputs):
        return list(_softmax(tuple(inputs)))
    shift = max(_value_of(a) for a in inputs)  # a constant: stability, not part of the math
    exps = [_exp_any(a - shift) for a in inputs]
    total = exps[0]
    for e in exps[1:]:
        total = total + e
    return [e / total for e in exps]


def _is_integer(y: float) -> bool:
    return math.isfinite(y) and y == int(y)


def _fmt(x: float) -> str:
    return repr(float(x))


# ---------------------------------------------------------------------------
# Forwards on floats: stable, explicit about domains, IEEE on overflow.


# add, sub and mul are operator.add/sub/mul: C functions, the cheapest call.
_add, _sub, _mul = operator.add, operator.sub, operator.mul


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise DivisionByZero(f"div: cannot divide {_fmt(a)} by zero")
    return a / b


def _neg(x: float) -> float:
    return -x


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:  # e**x beyond the largest float: IEEE says +inf
        return _INF


def _log(x: float) -> float:
    if x <= 0.0:
        raise DomainError(f"log(x) is undefined at x = {_fmt(x)}: it needs x > 0")
    return math.log(x)


def _power(x: float, y: float, name: str) -> float:
    if x == 0.0 and y < 0.0:
        raise DomainError(f"{name}: {_fmt(x)} ** {_fmt(y)} is undefined (division by zero)")
    if x < 0.0 and not _is_integer(y) and not math.isinf(y):
        raise DomainError(
            f"{name}: ({_fmt(x)}) ** {_fmt(y)} is not a real number: "
            "a negative base needs an integer exponent"
        )
    try:
        return x**y
    except OverflowError:  # beyond the largest float: IEEE says ±inf
        return _INF if x > 0.0 or _is_integer(y / 2) else -_INF


def _pow_const(x: float, n: float) -> float:
    return _power(x, n, "pow")


def _pow(x: float, y: float) -> float:
    return _power(x, y, "pow")


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0 (or NaN): e**x cannot overflow here
    return e / (1.0 + e)


def _relu(x: float) -> float:
    return x if x > 0.0 or math.isnan(x) else 0.0


def _leaky_relu(x: float, alpha: float) -> float:
    return x if x > 0.0 or math.isnan(x) else alpha * x


def _sum(a: Sequence[float]) -> float:
    # Correctly rounded (math.fsum): the value does not depend on the inputs' order.
    try:
        return math.fsum(a)
    except OverflowError:  # a partial sum passed the largest float; halves cannot
        return 2.0 * math.fsum([v * 0.5 for v in a])
    except ValueError:  # inf + (−inf)
        return _NAN


def _softmax(a: tuple[float, ...]) -> tuple[float, ...]:
    shift = max(a)
    exps = [math.exp(v - shift) for v in a]
    total = math.fsum(exps)
    return tuple(e / total for e in exps)


def _log_softmax(a: tuple[float, ...]) -> tuple[float, ...]:
    # (a_i − max) − log Σ e^(a_j − max); the max's own term is exactly 1, so the
    # log is log1p of the rest: no cancellation when one input dominates.
    top = max(range(len(a)), key=a.__getitem__)
    shift = a[top]
    log_total = math.log1p(math.fsum(math.exp(v - shift) for j, v in enumerate(a) if j != top))
    return tuple((v - shift) - log_total for v in a)


# ---------------------------------------------------------------------------
# Local derivative rules, as derived (see ../shared/seeds and the README table).
# Reference forwards and closed forms, written against a math module ``m``, are
# what the tests evaluate in high precision.


def _one(m: Any, *_: Any) -> Any:
    return 1


def _minus_one(m: Any, *_: Any) -> Any:
    return -1


def _power_slope(x: Any, n: Any) -> Any:
    """n·x^(n−1), with its limits where x^(n−1) itself is undefined."""
    nv = _value_of(n)
    if nv == 0.0:
        return 0.0
    if _value_of(x) == 0.0 and nv < 1.0:
        return _INF  # the slope of x**n at 0 for 0 < n < 1 (n < 0 fails at forward)
    if x.__class__ is float:
        return n * _power(x, _value_of(n) - 1, "pow")  # overflow gives ±inf, not an error
    return n * x ** (n - 1)


def _pow_slope_y(out: Any, x: Any) -> Any:
    """d/dy x**y = x**y·log x, and 0 where x is 0 (as PyTorch); NaN for x < 0."""
    xv = _value_of(x)
    return out * _log_any(x) if xv > 0.0 else (0.0 if xv == 0.0 else _NAN)


def _softmax_rule(out: Any, a: Sequence[Any], i: int) -> tuple[Any, ...]:
    s = _softmax_any(a)  # D_j S_i = S_i (δ_ij − S_j)
    return tuple(out * ((1.0 if j == i else 0.0) - s[j]) for j in range(len(a)))


def _log_softmax_rule(out: Any, a: Sequence[Any], i: int) -> tuple[Any, ...]:
    s = _softmax_any(a)  # ∂(a_i − log Σ e^a)/∂a_j = δ_ij − S_j
    return tuple((1.0 if j == i else 0.0) - s[j] for j in range(len(a)))


def _ref_softmax(m: Any, a: Sequence[Any], i: int) -> Any:
    return m.exp(a[i]) / m.fsum([m.exp(v) for v in a])


def _ref_log_softmax(m: Any, a: Sequence[Any], i: int) -> Any:
    return a[i] - m.log(m.fsum([m.exp(v) for v in a]))


def _d_softmax(m: Any, a: Sequence[Any], i: int, j: int) -> Any:
    total = m.fsum([m.exp(v) for v in a])
    si, sj = m.exp(a[i]) / total, m.exp(a[j]) / total
    return si * ((1 if i == j else 0) - sj)


def _d_log_softmax(m: Any, a: Sequence[Any], i: int, j: int) -> Any:
    return (1 if i == j else 0) - m.exp(a[j]) / m.fsum([m.exp(v) for v in a])


def _pow_domain(x: float, y: float) -> bool:
    return x > 0.0 or (x == 0.0 and y >= 0.0) or (x < 0.0 and _is_integer(y))


_BINARY = ("a", "b")
_UNARY = ("x",)

OPS: dict[str, Op] = {
    op.name: op
    for op in [
        # --- arithmetic -----------------------------------------------------
        Op("add", 2, _add, ("1.0", "1.0"), _BINARY, "{a} + {b}", ("1", "1"), "+",
           reference=lambda m, a, b: a + b, derivative=(_one, _one), is_function=False, dunder="add"),
        Op("sub", 2, _sub, ("1.0", "-1.0"), _BINARY, "{a} − {b}", ("1", "−1"), "−",
           reference=lambda m, a, b: a - b, derivative=(_one, _minus_one), is_function=False,
           dunder="sub"),
        Op("mul", 2, _mul, ("b", "a"), _BINARY, "{a} · {b}", ("{b}", "{a}"), "×",
           reference=lambda m, a, b: a * b,
           derivative=(lambda m, a, b: b, lambda m, a, b: a), is_function=False, dunder="mul"),
        Op("div", 2, _div, ("1.0 / b", "-out / b"), _BINARY, "{a} / {b}",
           ("1 / {b}", "−({out}) / {b}"), "÷",
           reference=lambda m, a, b: a / b,
           derivative=(lambda m, a, b: 1 / b, lambda m, a, b: -a / b**2),
           domain=lambda a, b: b != 0.0, is_function=False, dunder="truediv"),
        Op("neg", 1, _neg, ("-1.0",), _UNARY, "−{x}", ("−1",), "−",
           reference=lambda m, x: -x, derivative=(_minus_one,), is_function=False),
        Op("pow_const", 1, _pow_const, ("_power_slope(x, n)",), _UNARY, "{x}^{n}",
           ("{n}·{x}^({n} − 1)",), "^",
           reference=lambda m, x, n: x**n, derivative=(lambda m, x, n: n * x ** (n - 1) if n else 0 * x,),
           params=("n",), domain=lambda x, n: _pow_domain(x, n),
           param_samples=((2,), (3,), (0.5,), (-1,), (-2.5,)), is_function=False),
        Op("pow", 2, _pow, ("_power_slope(x, y)", "_pow_slope_y(out, x)"), ("x", "y"), "{x}^{y}",
           ("{y}·{x}^({y} − 1)", "{out}·log({x})"), "^",
           reference=lambda m, x, y: x**y,
           derivative=(lambda m, x, y: y * x ** (y - 1) if y else 0 * x,
                       lambda m, x, y: x**y * m.log(x)),
           domain=_pow_domain, is_function=False),
        # --- elementary functions -----------------------------------------
        Op("exp", 1, _exp, ("out",), _UNARY, "exp({x})", ("{out}",), "exp",
           reference=lambda m, x: m.exp(x), derivative=(lambda m, x: m.exp(x),)),
        Op("log", 1, _log, ("1.0 / x",), _UNARY, "log({x})", ("1 / {x}",), "log",
           reference=lambda m, x: m.log(x), derivative=(lambda m, x: 1 / x,),
           domain=lambda x: x > 0.0),
        # --- activations ---------------------------------------------------
        Op("sigmoid", 1, _sigmoid, ("out * (1.0 - out)",), _UNARY, "σ({x})",
           ("{out}·(1 − {out})",), "σ",
           reference=lambda m, x: 1 / (1 + m.exp(-x)),
           derivative=(lambda m, x: m.exp(-x) / (1 + m.exp(-x)) ** 2,)),
        Op("tanh", 1, math.tanh, ("1.0 - out * out",), _UNARY, "tanh({x})",
           ("1 − {out}²",), "tanh",
           reference=lambda m, x: m.tanh(x), derivative=(lambda m, x: 1 / m.cosh(x) ** 2,)),
        Op("relu", 1, _relu, ("_step(x, 0.0)",), _UNARY, "relu({x})",
           ("1 if {x} > 0 else 0",), "relu",
           reference=lambda m, x: x if x > 0 else 0 * x,
           derivative=(lambda m, x: 1 if x > 0 else 0,), kinks=(0.0,)),
        Op("leaky_relu", 1, _leaky_relu, ("_step(x, alpha)",), _UNARY,
           "leaky_relu({x})", ("1 if {x} > 0 else {alpha}",), "leaky relu",
           reference=lambda m, x, alpha: x if x > 0 else alpha * x,
           derivative=(lambda m, x, alpha: 1 if x > 0 else alpha,),
           params=("alpha",), defaults=(0.01,), kinks=(0.0,),
           param_samples=((0.01,), (0.2,))),
        # --- any number of inputs ------------------------------------------
        Op("sum", VARIADIC, _sum, ("1.0",), ("a",), "Σ_j {a}_j", ("1",), "Σ",
           reference=lambda m, a: m.fsum(a), derivative=(lambda m, a, j: 1,)),
        # vector ops: one node per output; the rule gives its Jacobian row
        Op("softmax", VARIADIC, _softmax, _softmax_rule, ("a",), "softmax(a)_{i}",
           ("{out}·({delta} − {s_j})",), "softmax",
           reference=_ref_softmax, derivative=(_d_softmax,), params=("i",)),
        Op("log_softmax", VARIADIC, _log_softmax, _log_softmax_rule, ("a",),
           "log_softmax(a)_{i}", ("{delta} − {s_j}",), "log softmax",
           reference=_ref_log_softmax, derivative=(_d_log_softmax,), params=("i",)),
    ]
}



def op_table_markdown() -> str:
    """The op table as a Markdown table (README and notebooks show it).

    Example:
        >>> print(op_table_markdown().splitlines()[0])
        | op | forward | local derivative |
    """
    rows = ["| op | forward | local derivative |", "|---|---|---|"]
    for op in OPS.values():
        derivatives = "; ".join(f"∂/∂{w} = {d}" for w, d in op.derivative_texts())
        rows.append(f"| `{op.name}` | {op.forward_text()} | {derivatives} |")
    return "\n".join(rows)
