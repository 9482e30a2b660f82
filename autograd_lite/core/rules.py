"""What the op table is made of: the Op record, the rule vocabulary, the forwards on floats.

:mod:`autograd_lite.core.ops` is the table a reader opens; this module holds
the machinery its entries use, so the table can come first:

* :class:`Op` (one entry), :class:`BoundOp` (an entry with its parameters
  fixed) and :class:`OpTest` (test metadata for ops defined at run time);
* the *rule vocabulary* (``cos``, ``sigmoid``, ``step``, ...): the functions a
  rule's text may call, each taking floats or Values alike;
* the forwards on floats: numerically stable, explicit about domains
  (:class:`DomainError`), IEEE on overflow.

A rule's text is compiled once into a function with :mod:`autograd_lite.core.generated`,
under a file name that tracebacks, ``pdb`` and :func:`inspect.getsource` show.

Example:
    >>> sigmoid(0.0), _sigmoid(-1000.0)
    (0.5, 0.0)
"""

from __future__ import annotations

import math
import numbers
import operator
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .generated import compile_generated

__all__ = ["OPS", "RULE_VOCABULARY", "VARIADIC", "BoundOp", "DivisionByZero", "DomainError", "Op", "OpTest"]

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
        autograd_lite.DomainError: log(x) is undefined at x = -1.0: it needs x > 0
    """


class DivisionByZero(DomainError, ZeroDivisionError):
    """``x / 0``: a :class:`DomainError` that is also a ``ZeroDivisionError``."""


# Users meet these by their public names (tracebacks print ``autograd_lite.DomainError``).
DomainError.__module__ = DivisionByZero.__module__ = "autograd_lite"


@dataclass(frozen=True, kw_only=True, slots=True)
class OpTest:
    """What the generated tests check an op against: test metadata, never used to compute.

    Like PyTorch's OpInfo: the tests in ``tests/test_ops_table.py`` (and the
    second-order and property tests) read it for every op of the table.

    Attributes:
        reference: the forward written with a math module ``m`` (math or
            mpmath): ``reference(m, *inputs, *params)``; the tests evaluate it
            at 50 digits.
        derivative: the closed-form derivative in terms of the inputs, one
            callable per input, ``derivative(m, *inputs, *params)``; for a
            variadic op one ``derivative(m, inputs, i, j, *params)``.
        domain: where the op is defined, ``domain(*inputs, *params) -> bool``
            (None: everywhere); outside it the forward must raise DomainError.
        kinks: inputs where the derivative jumps (finite differences skip them).
        samples: parameter tuples the tests try (``((0.01,), (0.2,))``).
    """

    reference: Callable[..., Any]
    derivative: tuple[Callable[..., Any], ...]
    domain: Callable[..., bool] | None = None
    kinks: tuple[float, ...] = ()
    samples: tuple[tuple[Any, ...], ...] = ((),)


@dataclass(frozen=True, eq=False, kw_only=True, slots=True)
class Op:
    """One primitive op: forward, local derivative rule and their descriptions.

    Built with keywords only, so a table entry reads as what it is::

        Op(name="sigmoid", forward=_sigmoid,
           text="σ({x})", rule=("out * (1.0 - out)",), formula=("{out}·(1 − {out})",),
           test=OpTest(...))

    Attributes:
        name: the op's name (``Value`` method and command-line function name).
        forward: the forward on floats. Vector ops map a tuple of floats to a
            tuple of floats (all outputs at once); reductions map it to a float.
        text: the forward for people, with ``{input}`` placeholders.
        rule: the local derivative, written as derived. For unary and binary
            ops: one Python expression per input, in the names ``out`` (the
            op's output), the inputs and the parameters, e.g. ``("b", "a")``
            for mul and ``("out * (1.0 - out)",)`` for sigmoid. The functions
            a rule may call (``cos``, ``sigmoid``, ``step``, ...) are this
            module's *rule vocabulary*: they take floats or Values alike. The
            expressions are compiled once into ``rule(out, a, b) -> (∂out/∂a,
            ∂out/∂b)`` (or ``rule(out, x, *params)``) and into the fast
            backward loop. A callable is accepted too: variadic ops give
            ``rule(out, inputs, *params)`` returning the row ``(∂out/∂a_j for
            j)``. A variadic op may also give its rule as one expression in
            ``out`` and ``a_j`` that holds for every input (sum: ``("1.0",)``),
            and a paired op in ``b_j`` too (dot: ``("b_j",)``).
        formula: per input, the local derivative for people, with ``{out}``,
            ``{input}`` and ``{param}`` placeholders (variadic ops: one entry
            for the row, with ``{delta}`` for δ_ij and ``{s_j}`` for S_j).
        inputs: the input names used in the texts (default ``("x",)``).
        arity: 1, 2, or ``VARIADIC`` (any number of inputs); by default the
            number of ``inputs``. A variadic op with the parameter ``i`` is a
            *vector* op (softmax): one node per output, ``i`` saying which.
            Without it, it is a *reduction* (sum): one output.
        params: names of constant parameters (``alpha``, ``n``, ``i``).
        defaults: default values of those parameters.
        symbol: the short label drawn in graph pictures (default: the name).
        is_function: callable by name (``exp(x)``) from the command line.
        dunder: for a binary operator, the Python operator method it backs
            (``"add"`` gives ``Value.__add__`` and ``Value.__radd__``).
        jacobian_scale: for a vector op whose Jacobian row is ``scale·(δ_ij −
            S_j)`` with S = softmax(inputs) (softmax: ``"out"``, log_softmax:
            ``"1.0"``), the scale as an expression in ``out``: backward then
            sums all outputs of one call at once, in O(N) instead of N rows
            (:mod:`autograd_lite.core.softmax_backward`).
        paired: for a reduction, its inputs come in pairs ``(a_0, b_0, a_1,
            b_1, …)`` (dot): input j's partner is input ``j ^ 1``, which the
            rule and formula call ``b_j``. It needs an even number of inputs.
        test: what the generated tests check the op against (:class:`OpTest`).
    """

    name: str
    forward: Callable[..., Any]
    text: str
    rule: Callable[..., Any] | tuple[str, ...]
    formula: tuple[str, ...]
    inputs: tuple[str, ...] = ("x",)
    arity: int = -1  # -1: len(inputs)
    params: tuple[str, ...] = ()
    defaults: tuple[Any, ...] = ()
    symbol: str = ""  # "": the name
    is_function: bool = True
    dunder: str | None = None
    jacobian_scale: str | None = None
    paired: bool = False
    test: OpTest | None = None
    _bound: dict[tuple[Any, ...], BoundOp] = field(default_factory=dict, repr=False)
    #: the rule with the parameters fixed; an op without parameters is its own
    #: bound op, so nodes store it directly and backward calls ``local``
    local: Callable[..., Any] = field(init=False, repr=False)
    op: Op = field(init=False, repr=False)
    args: tuple[Any, ...] = field(init=False, default=(), repr=False)

    #: the rule's expressions, one per input, when it was given as text; else None
    rule_source: tuple[str, ...] | None = field(init=False, default=None, repr=False)
    #: ``jacobian_scale`` compiled: ``scale(out)``
    scale: Callable[[Any], Any] | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        if self.arity == -1:
            object.__setattr__(self, "arity", len(self.inputs))
        if not self.symbol:
            object.__setattr__(self, "symbol", self.name)
        if isinstance(self.rule, tuple):
            object.__setattr__(self, "rule_source", self.rule)
            object.__setattr__(self, "rule", _compile_rule(self))
        object.__setattr__(self, "local", self.rule)
        object.__setattr__(self, "op", self)
        if self.jacobian_scale is not None:
            text = f"def scale_of_{self.name}(out):\n    return {self.jacobian_scale}\n"
            scale = compile_generated(text, f"the Jacobian scale of {self.name}", dict(globals()))
            object.__setattr__(self, "scale", scale[f"scale_of_{self.name}"])

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

    # An entry of the table is one object per process: a copy is the entry
    # itself, and a pickle holds its name (a bound op: its name and parameters).
    def __reduce__(self) -> tuple[Any, ...]:
        return (_entry_named, (_name_in_table(self),))

    def __copy__(self) -> Op:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Op:
        return self

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
        if self.paired:  # input j's partner
            symbols.update(b_j="b_j")
        return symbols


def _compile_rule(op: Op) -> Callable[..., Any]:
    """``rule(out, *inputs, *params)`` from the op's expressions (evaluated in this module)."""
    source = op.rule_source or ()
    if op.arity == VARIADIC and len(source) == 1:  # the same expression for every input a_j
        arguments = ", ".join(("out", "inputs", *op.params))
        each = "a_j, b_j in _pairs(inputs)" if op.paired else "a_j in inputs"
        body = f"tuple({source[0]} for {each})"
    else:
        if op.arity not in (1, 2) or len(source) != op.arity:
            raise ValueError(f"{op.name}: a rule as text needs one expression per input")
        body = source[0] if op.arity == 1 else f"({', '.join(source)})"
        arguments = ", ".join(("out", *op.inputs, *op.params))
    name = f"rule_of_{op.name}" if op.name.isidentifier() else "rule"
    text = f"def {name}({arguments}):\n    return {body}\n"
    return compile_generated(text, f"the rule of {op.name}", dict(globals()))[name]


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
        rule: Any = op.rule  # callable by now: Op.__post_init__ compiles a rule given as text
        self.local: Callable[..., Any] = lambda *xs: rule(*xs, *args)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "op":  # not set yet (copy, pickle): no endless lookup
            raise AttributeError(name)
        return getattr(self.op, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_bound_entry, (_name_in_table(self.op), self.args))

    def __copy__(self) -> BoundOp:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> BoundOp:
        return self

    def __repr__(self) -> str:
        params = ", ".join(f"{p}={a!r}" for p, a in zip(self.op.params, self.args))
        return f"<op {self.op.name}({params})>"


#: The op table, by name. Empty here: :mod:`autograd_lite.core.ops` fills it with
#: the built-in entries, and :func:`~autograd_lite.define_op` adds to it.
OPS: dict[str, Op] = {}


# ===========================================================================
# The rule vocabulary: what a rule's text may call. Each function takes floats
# or Values alike (floats give floats, Values give a differentiable graph), so
# one rule serves both kinds of backward pass.
# ===========================================================================


def _value_of(x: Any) -> float:
    """The number in ``x``: a float, a real number, or a Value's data."""
    if x.__class__ is float:
        return x  # type: ignore[no-any-return]
    return float(x) if isinstance(x, numbers.Real) else float(x.data)


#: 2/√π, the scale of erf's slope
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def exp(x: Any) -> Any:
    """e^x."""
    return _exp(x) if x.__class__ is float else x.exp()


def log(x: Any) -> Any:
    """The natural logarithm."""
    return _log(x) if x.__class__ is float else x.log()


def sin(x: Any) -> Any:
    """sin x."""
    return _sin(x) if x.__class__ is float else x.sin()


def cos(x: Any) -> Any:
    """cos x."""
    return _cos(x) if x.__class__ is float else x.cos()


def tan(x: Any) -> Any:
    """tan x."""
    return _tan(x) if x.__class__ is float else x.tan()


def sqrt(x: Any) -> Any:
    """√x."""
    return _sqrt(x) if x.__class__ is float else x.sqrt()


def tanh(x: Any) -> Any:
    """tanh x."""
    return math.tanh(x) if x.__class__ is float else x.tanh()


def sigmoid(x: Any) -> Any:
    """σ(x) = 1 / (1 + e^−x)."""
    return _sigmoid(x) if x.__class__ is float else x.sigmoid()


def erf(x: Any) -> Any:
    """The error function."""
    return math.erf(x) if x.__class__ is float else x.erf()


def erfc(x: Any) -> Any:
    """1 − erf(x), without the cancellation for large x."""
    return math.erfc(x) if x.__class__ is float else x.erfc()


def normal_cdf(x: Any) -> Any:
    """Φ(x) = ½·(1 + erf(x/√2)) = ½·erfc(−x/√2), the standard normal's distribution
    function; the erfc form keeps its digits in the left tail."""
    return 0.5 * erfc(-(x * _SQRT1_2))


def normal_pdf(x: Any) -> Any:
    """φ(x) = e^(−x²/2) / √(2π), the standard normal's density."""
    return exp(-0.5 * (x * x)) * _INV_SQRT_2PI


def step(x: Any, below: Any) -> Any:
    """Slope of a ReLU-like kink: 1 above 0, ``below`` at and below 0, NaN at NaN."""
    v = _value_of(x)
    if v > 0.0:
        return 1.0
    if v <= 0.0:
        return below
    return _NAN


def sign(x: Any) -> float:
    """−1, 0 or 1 (NaN at NaN): the slope of |x|, with 0 at 0 as PyTorch."""
    v = _value_of(x)
    if v > 0.0:
        return 1.0
    if v < 0.0:
        return -1.0
    return 0.0 if v == 0.0 else _NAN


def tie_share(a: Any, b: Any) -> float:
    """a's share of max(a, b)'s gradient: 1 if a wins, ½ at a tie, 0 if it loses (NaN at NaN)."""
    av, bv = _value_of(a), _value_of(b)
    if av > bv:
        return 1.0
    if av < bv:
        return 0.0
    return 0.5 if av == bv else _NAN


def div_or_inf(a: Any, b: Any) -> Any:
    """a / b, and where b is 0 the one-sided limit ±inf (the sign of a): sqrt'(0) = +inf."""
    if _value_of(b) == 0.0:
        return math.copysign(_INF, _value_of(a))
    return a / b


def power_slope(x: Any, n: Any) -> Any:
    """n·x^(n−1), with its limits where x^(n−1) itself is undefined."""
    if n.__class__ is int and not _fits_float(n):
        return _huge_power_slope(x, n)
    nv = _value_of(n)
    if nv == 0.0:
        return 0.0
    if _value_of(x) == 0.0 and nv < 1.0:
        return _INF  # the slope of x**n at 0 for 0 < n < 1 (n < 0 fails at forward)
    if x.__class__ is float:
        return n * _power(x, _value_of(n) - 1, "pow")  # overflow gives ±inf, not an error
    return n * x ** (n - 1)


def power_slope_y(out: Any, x: Any) -> Any:
    """d/dy x**y = x**y·log x, and 0 where x is 0 (as PyTorch); NaN for x < 0."""
    xv = _value_of(x)
    return out * log(x) if xv > 0.0 else (0.0 if xv == 0.0 else _NAN)


#: the names a rule's text may use besides ``out``, its inputs and its parameters
RULE_VOCABULARY = ("exp", "log", "sin", "cos", "tan", "sqrt", "tanh", "sigmoid", "erf", "erfc",
                   "normal_cdf", "normal_pdf", "step", "sign", "tie_share", "div_or_inf", "abs",
                   "pi", "TWO_OVER_SQRT_PI")
pi = math.pi


def _softmax_any(inputs: Sequence[Any]) -> list[Any]:
    """Softmax of floats (floats out) or of Values (a differentiable graph out)."""
    if all(a.__class__ is float for a in inputs):
        return list(_softmax(tuple(inputs)))
    shift = max(_value_of(a) for a in inputs)  # a constant: stability, not part of the math
    exps = [exp(a - shift) for a in inputs]
    total = exps[0]
    for e in exps[1:]:
        total = total + e
    return [e / total for e in exps]


def _softmax_rule(out: Any, a: Sequence[Any], i: int) -> tuple[Any, ...]:
    s = _softmax_any(a)  # D_j S_i = S_i (δ_ij − S_j)
    return tuple(out * ((1.0 if j == i else 0.0) - s[j]) for j in range(len(a)))


def _log_softmax_rule(out: Any, a: Sequence[Any], i: int) -> tuple[Any, ...]:
    s = _softmax_any(a)  # ∂(a_i − log Σ e^a)/∂a_j = δ_ij − S_j
    return tuple((1.0 if j == i else 0.0) - s[j] for j in range(len(a)))


# ===========================================================================
# Forwards on floats: stable, explicit about domains, IEEE on overflow.
# ===========================================================================

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

# add, sub and mul are operator.add/sub/mul: C functions, the cheapest call.
_add, _sub, _mul = operator.add, operator.sub, operator.mul


def _fmt(x: Any) -> str:
    return repr(float(x)) if _fits_float(x) else _huge(x)


_FLOAT_INT_LIMIT = 2**1023  # once: Python does not fold so large a constant, and it cost 2 µs a call


def _fits_float(n: Any) -> bool:
    return n.__class__ is not int or abs(n) < _FLOAT_INT_LIMIT


def _huge(n: int) -> str:
    return f"{'-' if n < 0 else ''}(an integer of {len(str(abs(n)))} digits)"


def _is_integer(y: float) -> bool:
    return math.isfinite(y) and y == int(y)


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


def _power(x: float, y: Any, name: str) -> float:
    if y.__class__ is int and not _fits_float(y):
        return _huge_power(x, y, name)
    if x == 0.0 and y < 0.0:
        raise DomainError(f"{name}: {_fmt(x)} ** {_fmt(y)} is undefined (division by zero)")
    if x < 0.0 and not _is_integer(y) and not math.isinf(y):
        raise DomainError(
            f"{name}: ({_fmt(x)}) ** {_fmt(y)} is not a real number: "
            "a negative base needs an integer exponent"
        )
    try:
        return x**y  # type: ignore[no-any-return]
    except OverflowError:  # beyond the largest float: IEEE says ±inf
        return _INF if x > 0.0 or _is_integer(y / 2) else -_INF


def _huge_power(x: float, n: int, name: str) -> float:
    """x ** n for an integer n beyond the floats (10**400): exact where the answer is
    0, ±1 or ±inf, which is every case, since |x| is 0, below 1, 1, or above 1."""
    if math.isnan(x):
        return _NAN
    if x == 0.0:
        if n < 0:
            raise DomainError(f"{name}: {_fmt(x)} ** {_huge(n)} is undefined (division by zero)")
        return math.copysign(0.0, x) if n % 2 else 0.0
    negative = x < 0.0 and n % 2 == 1
    size = abs(x)
    if size == 1.0:
        magnitude = 1.0
    else:
        magnitude = _INF if (size > 1.0) == (n > 0) else 0.0
    return -magnitude if negative else magnitude


def _huge_power_slope(x: Any, n: int) -> float:
    """n·x^(n−1) for an integer n beyond the floats: the power is exactly 0, ±1 or
    ±inf, so the slope is 0 or ±inf (n itself is beyond the floats)."""
    if x.__class__ is not float:
        raise ValueError(
            f"pow: the exponent {_huge(n)} is beyond the floats: its derivative cannot be a "
            "graph (create_graph=True); the first derivative works without create_graph"
        )
    power = _huge_power(x, n - 1, "pow")
    if power == 0.0 or math.isnan(power):
        return power * (1.0 if n > 0 else -1.0)
    return math.copysign(_INF, power) * (1.0 if n > 0 else -1.0)


def _pow_const(x: float, n: Any) -> float:
    return _power(x, n, "pow")


def _pow(x: float, y: float) -> float:
    return _power(x, y, "pow")


def _sin(x: float) -> float:
    return math.sin(x) if x - x == 0.0 else _NAN  # sin(±inf) is NaN, as IEEE


def _cos(x: float) -> float:
    return math.cos(x) if x - x == 0.0 else _NAN


def _tan(x: float) -> float:
    # No float is exactly π/2 + kπ, so tan is finite at every finite float
    # (tan(π/2 as a float) = 1.6e16): IEEE, as math.tan, PyTorch and numpy.
    return math.tan(x) if x - x == 0.0 else _NAN


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise DomainError(f"sqrt(x) is undefined at x = {_fmt(x)}: it needs x ≥ 0")
    return math.sqrt(x)


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0 (or NaN): e**x cannot overflow here
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log(1 + e^−|x|): e^−|x| ≤ 1 never overflows
    if math.isnan(x):
        return x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _silu(x: float) -> float:
    return x * _sigmoid(x)


def _gelu(x: float) -> float:
    return x * normal_cdf(x)  # x·Φ(x), Φ from erfc: no cancellation in the left tail


def _relu(x: float) -> float:
    return x if x > 0.0 or math.isnan(x) else 0.0


def _leaky_relu(x: float, alpha: float) -> float:
    return x if x > 0.0 or math.isnan(x) else alpha * x


def _elu(x: float, alpha: float) -> float:
    return x if x > 0.0 or math.isnan(x) else alpha * math.expm1(x)


def _maximum(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return _NAN  # NaN propagates (Python's max would depend on the order)
    return max(a, b)


def _minimum(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return _NAN
    return min(a, b)


def _sum(a: Sequence[float]) -> float:
    # Correctly rounded (math.fsum): the value does not depend on the inputs' order.
    try:
        return math.fsum(a)
    except OverflowError:  # a partial sum passed the largest float; halves cannot
        return 2.0 * math.fsum([v * 0.5 for v in a])
    except ValueError:  # inf + (−inf)
        return _NAN


def _dot(a: Sequence[float]) -> float:
    # (a_0, b_0, a_1, b_1, …): Σ_k a_k·b_k, the products correctly rounded as one
    # sum (math.fsum), as a Σ node over product nodes would give
    if len(a) % 2:
        raise DomainError(f"dot takes pairs (a_0, b_0, a_1, b_1, …): an even number of inputs, got {len(a)}")
    return _sum([x * y for x, y in zip(a[::2], a[1::2])])


def _pairs(inputs: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
    """Each input of a paired op with its partner: (a_0, b_0), (b_0, a_0), (a_1, b_1), …"""
    for j, a_j in enumerate(inputs):
        yield a_j, inputs[j ^ 1]


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


# --- copies and pickles name the table's entries --------------------------------------


def _name_in_table(op: Op) -> str:
    if OPS.get(op.name) is not op:
        raise pickle.PicklingError(
            f"the op {op.name!r} pickles by its name, but it is not the op table's entry of that "
            "name; only ops in the table (autograd_lite.core.ops.OPS) can be pickled")
    return op.name


def _entry_named(name: str) -> Op:
    op = OPS.get(name)
    if op is None:
        raise pickle.UnpicklingError(f"the pickle uses the op {name!r}, which is not in this op table: "
                                     "add it to the table, under the same name, before loading")
    return op


def _bound_entry(name: str, args: tuple[Any, ...]) -> Op | BoundOp:
    return _entry_named(name).bind(*args)
