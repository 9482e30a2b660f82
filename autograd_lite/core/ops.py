"""The table of primitive operations: the single source of truth.

Every primitive op is one :class:`Op` entry, written with keywords::

    Op(name="sigmoid", forward=_sigmoid, symbol="σ",
       text="σ({x})",
       rule=("out * (1.0 - out)",),        # ∂out/∂x as derived, in Python
       formula=("{out}·(1 − {out})",))     # the same, for people

* ``forward``: the op on plain floats (numerically stable, raising
  :class:`DomainError` where the op is undefined);
* ``rule``: its local derivative, written the way it is derived on paper
  (sigmoid uses ``s * (1 - s)`` with ``s`` the op's own output);
* ``text`` and ``formula``: the forward and the rule for people (the README's
  table, the backward steps, the pictures).

This file is the table and little else. What an entry is made of (the
:class:`Op` record, the *rule vocabulary* ``cos``, ``sigmoid``, ``step``, …
that a rule may call, and the forwards on floats) is in
:mod:`autograd_lite.core.rules`. What the tests check each op against (a
reference definition and closed forms for mpmath, domains, kinks) is beside
the tests, in ``tests/op_info.py``, keyed by the op's name.

A rule never knows what a ``Value`` is: it is given numbers, and the rule
vocabulary takes floats or Values alike. Given floats it returns floats (an
ordinary backward pass); given Values it returns Values, which is how
``backward(create_graph=True)`` records the gradient computation itself.

Example:
    >>> from autograd_lite.core.ops import OPS
    >>> sig = OPS["sigmoid"]
    >>> s = sig.forward(0.5)
    >>> round(sig.local(s, 0.5), 8)
    0.23500371
    >>> sig.describe()
    'sigmoid: σ(x);  ∂/∂x = σ(x)·(1 − σ(x))'
"""

from __future__ import annotations

import math

from .rules import (  # the forwards on floats and the callable rules the table names
    OPS,
    RULE_VOCABULARY,
    VARIADIC,
    BoundOp,
    DivisionByZero,
    DomainError,
    Op,
    OpTest,
    _add,
    _cos,
    _div,
    _dot,
    _elu,
    _exp,
    _gelu,
    _leaky_relu,
    _log,
    _log_softmax,
    _log_softmax_rule,
    _maximum,
    _minimum,
    _mul,
    _neg,
    _pow,
    _pow_const,
    _relu,
    _sigmoid,
    _silu,
    _sin,
    _softmax,
    _softmax_rule,
    _softplus,
    _sqrt,
    _sub,
    _sum,
    _tan,
)

__all__ = ["ALIASES", "CONSTANTS", "OPS", "RULE_VOCABULARY", "VARIADIC", "BoundOp", "DivisionByZero", "DomainError", "Op", "OpTest", "op_table_markdown"]

# ===========================================================================
# THE TABLE. One entry per op: its forward, and its rule beside the rule's text for people.
# ===========================================================================

_BINARY = ("a", "b")

OPS.update({
    op.name: op
    for op in [
        # --- arithmetic: the operators + − × ÷ and unary − ---------------------------
        Op(name="add", dunder="add", is_function=False, inputs=_BINARY, forward=_add, symbol="+",
           text="{a} + {b}",
           rule=("1.0", "1.0"),
           formula=("1", "1")),
        Op(name="sub", dunder="sub", is_function=False, inputs=_BINARY, forward=_sub, symbol="−",
           text="{a} − {b}",
           rule=("1.0", "-1.0"),
           formula=("1", "−1")),
        Op(name="mul", dunder="mul", is_function=False, inputs=_BINARY, forward=_mul, symbol="×",
           text="{a} · {b}",
           rule=("b", "a"),
           formula=("{b}", "{a}")),
        Op(name="div", dunder="truediv", is_function=False, inputs=_BINARY, forward=_div, symbol="÷",
           text="{a} / {b}",
           rule=("1.0 / b", "-out / b"),
           formula=("1 / {b}", "−({out}) / {b}")),
        Op(name="neg", is_function=False, forward=_neg, symbol="−",
           text="−{x}",
           rule=("-1.0",),
           formula=("−1",)),
        # --- powers: x ** n (n a constant) and x ** y ------------------------------
        Op(name="pow_const", is_function=False, params=("n",), forward=_pow_const, symbol="^",
           text="{x}^{n}",
           rule=("power_slope(x, n)",),
           formula=("{n}·{x}^({n} − 1)",)),
        Op(name="pow", is_function=False, inputs=("x", "y"), forward=_pow, symbol="^",
           text="{x}^{y}",
           rule=("power_slope(x, y)", "power_slope_y(out, x)"),
           formula=("{y}·{x}^({y} − 1)", "{out}·log({x})")),
        # --- exponential and logarithm ---------------------------------------------
        Op(name="exp", forward=_exp,
           text="exp({x})",
           rule=("out",),
           formula=("{out}",)),
        Op(name="log", forward=_log,
           text="log({x})",
           rule=("1.0 / x",),
           formula=("1 / {x}",)),
        # --- trigonometry (tan: every float is finite; ±inf gives NaN) ------------
        Op(name="sin", forward=_sin,
           text="sin({x})",
           rule=("cos(x)",),
           formula=("cos({x})",)),
        Op(name="cos", forward=_cos,
           text="cos({x})",
           rule=("-sin(x)",),
           formula=("−sin({x})",)),
        Op(name="tan", forward=_tan,
           text="tan({x})",
           rule=("1.0 + out * out",),
           formula=("1 + {out}²",)),
        # --- roots and absolute value ----------------------------------------------
        Op(name="sqrt", forward=_sqrt, symbol="√",
           text="√{x}",
           rule=("div_or_inf(0.5, out)",),  # 1 / (2√x), and +inf at 0
           formula=("1 / (2·{out})",)),
        Op(name="abs", forward=abs,
           text="|{x}|",
           rule=("sign(x)",),  # abs'(0) = 0, as PyTorch
           formula=("sign({x})",)),
        # --- activations -----------------------------------------------------------
        Op(name="sigmoid", forward=_sigmoid, symbol="σ",
           text="σ({x})",
           rule=("out * (1.0 - out)",),
           formula=("{out}·(1 − {out})",)),
        Op(name="tanh", forward=math.tanh,
           text="tanh({x})",
           rule=("1.0 - out * out",),
           formula=("1 − {out}²",)),
        Op(name="relu", forward=_relu,
           text="relu({x})",
           rule=("step(x, 0.0)",),  # relu'(0) = 0
           formula=("1 if {x} > 0 else 0",)),
        Op(name="leaky_relu", params=("alpha",), defaults=(0.01,), forward=_leaky_relu, symbol="leaky relu",
           text="leaky_relu({x})",
           rule=("step(x, alpha)",),  # leaky_relu'(0) = alpha
           formula=("1 if {x} > 0 else {alpha}",)),
        Op(name="elu", params=("alpha",), defaults=(1.0,), forward=_elu,
           text="elu({x})",
           rule=("step(x, out + alpha)",),  # α·e^x = elu(x) + α below 0; elu'(0) = alpha
           formula=("1 if {x} > 0 else {out} + {alpha}",)),
        Op(name="softplus", forward=_softplus,
           text="softplus({x})",
           rule=("sigmoid(x)",),
           formula=("σ({x})",)),
        Op(name="silu", forward=_silu,
           text="silu({x})",
           rule=("out + sigmoid(x) * (1.0 - out)",),  # σ + x·σ·(1 − σ), with x·σ = out
           formula=("{out} + σ({x})·(1 − {out})",)),
        Op(name="gelu", forward=_gelu,
           text="gelu({x})",
           rule=("normal_cdf(x) + x * normal_pdf(x)",),  # d/dx x·Φ(x)
           formula=("Φ({x}) + {x}·φ({x})",)),
        Op(name="erf", forward=math.erf,
           text="erf({x})",
           rule=("TWO_OVER_SQRT_PI * exp(-(x * x))",),
           formula=("(2/√π)·exp(−{x}²)",)),
        Op(name="erfc", forward=math.erfc,
           text="erfc({x})",
           rule=("-TWO_OVER_SQRT_PI * exp(-(x * x))",),
           formula=("−(2/√π)·exp(−{x}²)",)),
        # --- the larger and the smaller of two (a tie splits the gradient evenly) ---
        Op(name="maximum", inputs=_BINARY, forward=_maximum, symbol="max",
           text="max({a}, {b})",
           rule=("tie_share(a, b)", "tie_share(b, a)"),
           formula=("1 if {a} > {b}, ½ if {a} = {b}, else 0", "1 if {b} > {a}, ½ if {a} = {b}, else 0")),
        Op(name="minimum", inputs=_BINARY, forward=_minimum, symbol="min",
           text="min({a}, {b})",
           rule=("tie_share(b, a)", "tie_share(a, b)"),
           formula=("1 if {a} < {b}, ½ if {a} = {b}, else 0", "1 if {b} < {a}, ½ if {a} = {b}, else 0")),
        # --- any number of inputs: a reduction (one output) -----------------------
        Op(name="sum", arity=VARIADIC, inputs=("a",), forward=_sum, symbol="Σ",
           text="Σ_j {a}_j",
           rule=("1.0",),
           formula=("1",)),
        Op(name="dot", arity=VARIADIC, inputs=("a",), paired=True, forward=_dot, symbol="Σ×",
           text="Σ_k a_k·b_k",  # the inputs in pairs: (a_0, b_0, a_1, b_1, …)
           rule=("b_j",),  # ∂/∂a_j = b_j, the other factor of a_j's product
           formula=("{b_j}",)),
        # --- vector ops: one node per output i; the rule gives its Jacobian row ----
        Op(name="softmax", arity=VARIADIC, inputs=("a",), params=("i",), forward=_softmax,
           text="softmax(a)_{i}",
           rule=_softmax_rule,  # D_j S_i = S_i·(δ_ij − S_j): the row pictures and the trace show
           formula=("{out}·({delta} − {s_j})",),
           jacobian_scale="out"),  # backward: all rows of one call at once, O(N)
        Op(name="log_softmax", arity=VARIADIC, inputs=("a",), params=("i",), forward=_log_softmax,
           symbol="log softmax",
           text="log_softmax(a)_{i}",
           rule=_log_softmax_rule,  # δ_ij − S_j
           formula=("{delta} − {s_j}",),
           jacobian_scale="1.0"),
    ]
})


#: other names the expression language accepts for the table's functions
ALIASES = {"ln": "log", "max": "maximum", "min": "minimum"}
#: names that stand for numbers in expressions, not variables
CONSTANTS = {"pi": math.pi, "e": math.e}


def op_table_markdown() -> str:
    """The op table as a Markdown table (README and notebooks show it).

    Example:
        >>> print(op_table_markdown().splitlines()[0])
        | op | forward | local derivative |
    """
    rows = ["| op | forward | local derivative |", "|---|---|---|"]
    for op in OPS.values():
        derivatives = "; ".join(f"∂/∂{w} = {d}" for w, d in op.derivative_texts())
        cells = [f"`{op.name}`", op.forward_text(), derivatives]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)
