"""Test metadata of the op table, keyed by op name, beside the tests (as PyTorch keeps OpInfo).

For every op of :data:`autograd_lite.core.ops.OPS`, an :class:`~autograd_lite.OpTest`:
a reference definition and closed-form derivatives written against a math
module ``m`` (math or mpmath, so they can be evaluated at 50 digits), where the
op is defined, where it has kinks, and the parameters to try. The generated
tests read it through :func:`info`; an op added to the table without an entry
here fails ``test_every_op_of_the_table_has_test_metadata``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd_lite.core.ops import OPS, Op, OpTest
from autograd_lite.core.rules import _is_integer

# ===========================================================================


def _one(m: Any, *_: Any) -> Any:
    return 1


def _minus_one(m: Any, *_: Any) -> Any:
    return -1


def _ref_dot(m: Any, a: Sequence[Any]) -> Any:
    return m.fsum([x * y for x, y in zip(a[::2], a[1::2])])


def _d_dot(m: Any, a: Sequence[Any], j: int) -> Any:
    return a[j ^ 1]


def _even(a: Sequence[Any]) -> bool:
    return len(a) % 2 == 0


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


def _ref_sigmoid(m: Any, x: Any) -> Any:
    return 1 / (1 + m.exp(-x))


def _ref_phi(m: Any, x: Any) -> Any:  # Φ(x), exact in both tails
    return m.erfc(-x / m.sqrt(2)) / 2


def _share(m: Any, a: Any, b: Any) -> Any:  # a's share of max(a, b)
    return 1 if a > b else (0 if a < b else m.mpf(1) / 2 if hasattr(m, "mpf") else 0.5)


OP_INFO: dict[str, OpTest] = {
    'add': OpTest(reference=lambda m, a, b: a + b, derivative=(_one, _one)),
    'sub': OpTest(reference=lambda m, a, b: a - b, derivative=(_one, _minus_one)),
    'mul': OpTest(reference=lambda m, a, b: a * b,
        derivative=(lambda m, a, b: b, lambda m, a, b: a)),
    'div': OpTest(reference=lambda m, a, b: a / b,
        derivative=(lambda m, a, b: 1 / b, lambda m, a, b: -a / b**2),
        domain=lambda a, b: b != 0.0),
    'neg': OpTest(reference=lambda m, x: -x, derivative=(_minus_one,)),
    'pow_const': OpTest(reference=lambda m, x, n: x**n,
        derivative=(lambda m, x, n: n * x ** (n - 1) if n else 0 * x,),
        domain=_pow_domain, samples=((2,), (3,), (0.5,), (-1,), (-2.5,))),
    'pow': OpTest(reference=lambda m, x, y: x**y,
        derivative=(lambda m, x, y: y * x ** (y - 1) if y else 0 * x,
        lambda m, x, y: x**y * m.log(x)),
        domain=_pow_domain),
    'exp': OpTest(reference=lambda m, x: m.exp(x), derivative=(lambda m, x: m.exp(x),)),
    'log': OpTest(reference=lambda m, x: m.log(x), derivative=(lambda m, x: 1 / x,),
        domain=lambda x: x > 0.0),
    'sin': OpTest(reference=lambda m, x: m.sin(x), derivative=(lambda m, x: m.cos(x),)),
    'cos': OpTest(reference=lambda m, x: m.cos(x), derivative=(lambda m, x: -m.sin(x),)),
    'tan': OpTest(reference=lambda m, x: m.tan(x), derivative=(lambda m, x: 1 / m.cos(x) ** 2,)),
    'sqrt': OpTest(reference=lambda m, x: m.sqrt(x), derivative=(lambda m, x: 1 / (2 * m.sqrt(x)),),
        domain=lambda x: x >= 0.0),
    'abs': OpTest(reference=lambda m, x: abs(x),
        derivative=(lambda m, x: 1 if x > 0 else (-1 if x < 0 else 0),), kinks=(0.0,)),
    'sigmoid': OpTest(reference=_ref_sigmoid,
        derivative=(lambda m, x: m.exp(-x) / (1 + m.exp(-x)) ** 2,)),
    'tanh': OpTest(reference=lambda m, x: m.tanh(x), derivative=(lambda m, x: 1 / m.cosh(x) ** 2,)),
    'relu': OpTest(reference=lambda m, x: x if x > 0 else 0 * x,
        derivative=(lambda m, x: 1 if x > 0 else 0,), kinks=(0.0,)),
    'leaky_relu': OpTest(reference=lambda m, x, alpha: x if x > 0 else alpha * x,
        derivative=(lambda m, x, alpha: 1 if x > 0 else alpha,),
        kinks=(0.0,), samples=((0.01,), (0.2,))),
    'elu': OpTest(reference=lambda m, x, alpha: x if x > 0 else alpha * (m.exp(x) - 1),
        derivative=(lambda m, x, alpha: 1 if x > 0 else alpha * m.exp(x),),
        kinks=(0.0,), samples=((1.0,), (0.5,))),
    'softplus': OpTest(reference=lambda m, x: m.log1p(m.exp(x)), derivative=(_ref_sigmoid,)),
    'silu': OpTest(reference=lambda m, x: x * _ref_sigmoid(m, x),
        derivative=(lambda m, x: _ref_sigmoid(m, x) * (1 + x * (1 - _ref_sigmoid(m, x))),)),
    'gelu': OpTest(reference=lambda m, x: x * _ref_phi(m, x),
        derivative=(lambda m, x: _ref_phi(m, x) + x * m.exp(-x * x / 2) / m.sqrt(2 * m.pi),)),
    'erf': OpTest(reference=lambda m, x: m.erf(x),
        derivative=(lambda m, x: 2 / m.sqrt(m.pi) * m.exp(-x * x),)),
    'erfc': OpTest(reference=lambda m, x: m.erfc(x),
        derivative=(lambda m, x: -2 / m.sqrt(m.pi) * m.exp(-x * x),)),
    'maximum': OpTest(reference=lambda m, a, b: max(a, b),
        derivative=(lambda m, a, b: _share(m, a, b), lambda m, a, b: _share(m, b, a))),
    'minimum': OpTest(reference=lambda m, a, b: min(a, b),
        derivative=(lambda m, a, b: _share(m, b, a), lambda m, a, b: _share(m, a, b))),
    'sum': OpTest(reference=lambda m, a: m.fsum(a), derivative=(lambda m, a, j: 1,)),
    'dot': OpTest(reference=_ref_dot, derivative=(_d_dot,), domain=_even),
    'softmax': OpTest(reference=_ref_softmax, derivative=(_d_softmax,)),
    'log_softmax': OpTest(reference=_ref_log_softmax, derivative=(_d_log_softmax,)),
}


def info(op: Any) -> OpTest:
    """The test metadata of ``op`` (an entry or a name): this table's, else what define_op was given."""
    entry: Op = OPS[op] if isinstance(op, str) else op
    found = OP_INFO.get(entry.name, entry.test)
    if found is None:
        raise LookupError(f"the op {entry.name!r} has no test metadata: add an OpTest for it to tests/op_info.py")
    return found
