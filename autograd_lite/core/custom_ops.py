"""Your own ops: one call adds an entry to the op table, and it works everywhere.

``define_op(name=..., forward=..., derivative=...)`` builds an
:class:`~autograd_lite.core.ops.Op` and registers it in ``OPS``: it is then a
``Value`` method (for one input), an op for :func:`~autograd_lite.apply`, a
function of the command-line expression language, and a node that the trace
and the pictures show with its formula. Give it ``test=OpTest(...)`` and the
table's generated tests check it like the built-in ops.

The derivative is best written as text, the way the table's own rules are: an
expression in ``x`` (the input; ``a`` and ``b`` for two), ``out`` (the op's
output) and the parameters, using the rule vocabulary (``exp, log, sin, cos,
tan, sqrt, tanh, sigmoid, erf, step, sign, ...``: see
:data:`~autograd_lite.core.ops.RULE_VOCABULARY`). Those functions take floats and
Values alike, so the same rule gives an ordinary backward pass and, with
``create_graph=True``, a graph of the gradient (second derivatives). A Python
function is accepted too; if it cannot build a graph (it calls ``math.cos`` on
its input), second derivatives raise a clear error instead of coming out wrong.

Example:
    >>> from autograd_lite import Value, grad, define_op
    >>> import math
    >>> op = define_op(name="sinc_demo", forward=lambda x: math.sin(x) / x,
    ...                derivative="(cos(x) - out) / x", formula="(cos({x}) − {out}) / {x}")
    >>> x = Value(2.0)
    >>> y = x.sinc_demo(); y.backward()
    >>> round(x.grad, 6) == round((math.cos(2) - math.sin(2) / 2) / 2, 6)
    True
    >>> op.describe()
    'sinc_demo: sinc_demo(x);  ∂/∂x = (cos(x) − sinc_demo(x)) / x'
    >>> round(grad(grad(lambda v: v.sinc_demo()))(2.0), 6)  # second order, from the same rule
    -0.019251
    >>> remove_op("sinc_demo")   # ops you define stay until the process ends, or until this
"""

from __future__ import annotations

import ast
import keyword
import math
from collections.abc import Callable
from typing import Any

from .generic import apply
from .ops import ALIASES, CONSTANTS, OPS, RULE_VOCABULARY, Op, OpTest
from .value import Value

__all__ = ["define_op", "remove_op"]

Rule = str | Callable[..., Any]


def define_op(
    *,
    name: str,
    forward: Callable[..., float],
    derivative: Rule | tuple[Rule, ...],
    formula: str | tuple[str, ...] | None = None,
    text: str | None = None,
    symbol: str | None = None,
    inputs: tuple[str, ...] = ("x",),
    params: tuple[str, ...] = (),
    defaults: tuple[Any, ...] = (),
    test: OpTest | None = None,
) -> Op:
    """Add an op to the table; return its entry.

    Args:
        name: a new name, a Python identifier: the Value method and the
            command-line function.
        forward: the op on floats, ``forward(*inputs, *params) -> float``.
            Raise :class:`~autograd_lite.DomainError` where it is undefined.
        derivative: the local derivative, one per input: text such as
            ``"cos(x)"`` (in ``out``, the inputs and the parameters, with the
            rule vocabulary), or a function ``derivative(out, *inputs,
            *params)``. For two inputs, a tuple of two.
        formula: the derivative for people, with ``{x}``, ``{out}`` and
            parameter placeholders (default: the derivative's text).
        text: the forward for people, with placeholders (default ``name({x})``).
        symbol: the label in pictures (default: the name).
        inputs: the input names: ``("x",)`` or two names such as ``("a", "b")``.
        params: names of constant parameters, given as keywords (``alpha``).
        defaults: their default values.
        test: what the generated tests check the op against.

    Raises:
        ValueError: the name is taken or not an identifier, the derivative
            text uses a name outside the rule vocabulary, or the counts of
            inputs, derivatives and formulas disagree.
    """
    _check_name(name)
    inputs = tuple(inputs)
    params = tuple(params)
    if len(inputs) not in (1, 2) or not all(isinstance(n, str) and n.isidentifier() for n in inputs):
        raise ValueError(f"define_op({name!r}): inputs must be one or two names, such as ('x',) or ('a', 'b')")
    rules = derivative if isinstance(derivative, tuple) else (derivative,)
    if len(rules) != len(inputs):
        raise ValueError(f"define_op({name!r}): give one derivative per input ({len(inputs)}), got {len(rules)}")
    if len(defaults) not in (0, len(params)):
        raise ValueError(f"define_op({name!r}): give a default for every parameter or for none")
    if not callable(forward):
        raise TypeError(f"define_op({name!r}): forward must be a function on floats")
    known = {"out", *inputs, *params}
    if all(isinstance(r, str) for r in rules):
        for r in rules:
            _check_rule_text(name, r, known)  # type: ignore[arg-type]
        rule: Any = tuple(rules)
    elif all(callable(r) for r in rules):
        rule = _guarded(name, rules, len(inputs))  # type: ignore[arg-type]
    else:
        raise TypeError(f"define_op({name!r}): derivative must be text (such as 'cos(x)') or a function, "
                        "the same kind for every input")
    if formula is None:
        formula = tuple(_formula_of(r, known) if isinstance(r, str) else f"∂{name}/∂{{{w}}}"
                        for r, w in zip(rules, inputs))
    formulas = (formula,) if isinstance(formula, str) else tuple(formula)
    if len(formulas) != len(inputs):
        raise ValueError(f"define_op({name!r}): give one formula per input ({len(inputs)})")
    op = Op(name=name, forward=forward, inputs=inputs, params=params, defaults=tuple(defaults),
            text=text or f"{name}({', '.join('{' + w + '}' for w in inputs)})",
            rule=rule, formula=formulas, symbol=symbol or name, test=test)
    OPS[name] = op
    _DEFINED.add(name)
    if len(inputs) == 1:
        setattr(Value, name, _method(op))
    return op


def remove_op(name: str) -> None:
    """Take an op made by :func:`define_op` out of the table (and its Value method).

    Nodes already made with it keep working; the table's own ops cannot be removed.
    """
    op = OPS.get(name)
    if op is None or name not in _DEFINED:
        raise ValueError(f"remove_op: {name!r} is not an op made with define_op")
    del OPS[name]
    _DEFINED.discard(name)
    if getattr(Value, name, None) is not None and getattr(getattr(Value, name), "_defined_op", False):
        delattr(Value, name)


#: names of the ops made with define_op (only those can be removed)
_DEFINED: set[str] = set()


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise ValueError(f"define_op: the name must be a Python identifier not starting with _, got {name!r}")
    if name in OPS:
        raise ValueError(f"define_op: there is already an op named {name!r}")
    if hasattr(Value, name) or name in ALIASES or name in CONSTANTS:
        raise ValueError(f"define_op: {name!r} is already a name of Value or of the expression language")


def _check_rule_text(name: str, rule: str, known: set[str]) -> None:
    try:
        tree = ast.parse(rule.strip(), mode="eval")
    except SyntaxError as error:
        raise ValueError(f"define_op({name!r}): the derivative {rule!r} is not a Python expression: "
                         f"{error.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            raise ValueError(  # noqa: TRY004 - bad text is a ValueError, like every other rule-text error
                f"define_op({name!r}): the derivative {rule!r} uses attribute access ('.'); write it with "
                f"the rule vocabulary, which takes floats and Values alike: cos(x), not math.cos(x)")
        if isinstance(node, ast.Name) and node.id not in known and node.id not in RULE_VOCABULARY:
            raise ValueError(
                f"define_op({name!r}): the derivative {rule!r} uses the unknown name {node.id!r}; it may use "
                f"{', '.join(sorted(known))} and the rule vocabulary: {', '.join(RULE_VOCABULARY)}")


def _formula_of(rule: str, known: set[str]) -> str:
    # "cos(x) * out" -> "cos({x}) * {out}": the rule's own text, with placeholders
    tokens = []
    word = ""
    for ch in rule + " ":
        if ch.isalnum() or ch == "_":
            word += ch
            continue
        if word:
            tokens.append("{" + word + "}" if word in known else word)
            word = ""
        tokens.append("{{" if ch == "{" else "}}" if ch == "}" else ch)
    return "".join(tokens).strip().replace("**", "^").replace(" * ", "·").replace("*", "·")


def _guarded(name: str, rules: tuple[Callable[..., Any], ...], arity: int) -> Callable[..., Any]:
    """The user's derivative functions as one rule that refuses to cut a graph.

    Under ``create_graph=True`` a rule is given Values and must return Values
    built from them; a rule that goes through ``math`` either fails (a
    TypeError) or returns a plain float, which would make every higher
    derivative silently wrong. A float is right only where the derivative is
    locally constant (relu's slope), so a float result is checked against the
    same rule on floats a little to either side.
    """

    def call(out: Any, *args: Any) -> Any:
        values, params = args[:arity], args[arity:]
        try:
            results = tuple(r(out, *values, *params) for r in rules)
        except TypeError as error:
            if isinstance(out, Value):
                raise TypeError(_cannot_take_values(name, str(error))) from error
            raise
        if isinstance(out, Value) and not all(isinstance(d, Value) for d in results):
            _check_locally_constant(name, rules, out, values, params, results)
        return results[0] if arity == 1 else results

    return call


def _check_locally_constant(name: str, rules: tuple[Callable[..., Any], ...], out: Value,
                            values: tuple[Any, ...], params: tuple[Any, ...], results: tuple[Any, ...]) -> None:
    op = OPS[name]
    point = [v.data if isinstance(v, Value) else v for v in values]
    for k, result in enumerate(results):
        if isinstance(result, Value) or math.isnan(result):
            continue
        for j in range(len(point)):
            changes = 0
            for side in (-1.0, 1.0):
                moved = list(point)
                moved[j] += side * 1e-4 * (1.0 + abs(moved[j]))
                try:
                    there = rules[k](op.forward(*moved, *params), *moved, *params)
                except (ValueError, ArithmeticError):
                    continue
                changes += there != result
            if changes == 2:
                raise TypeError(_cannot_take_values(
                    name, "it returned a plain number for Values, so the gradient's own graph is cut"))


def _cannot_take_values(name: str, why: str) -> str:
    return (f"the derivative of the op {name!r} cannot build a graph of the gradient, which "
            f"backward(create_graph=True) and grad(grad(...)) need ({why}). Write it with the "
            "functions that take floats and Values alike: as text, define_op(..., derivative='cos(x)'), "
            "or in a function with autograd_lite.core.rules.cos(x) (or x.cos() on a Value) instead of math.cos(x)")


def _method(op: Op) -> Callable[..., Value]:
    def method(self: Value, *args: Any, **kwargs: Any) -> Value:
        named = dict(zip(op.params, args))
        named.update(kwargs)
        return apply(op, self, **named)  # type: ignore[return-value]

    method.__name__ = method.__qualname__ = op.name
    method._defined_op = True  # type: ignore[attr-defined]
    method.__doc__ = f"``{op.forward_text()}`` (an op made with define_op); local derivative " + \
        "; ".join(d for _, d in op.derivative_texts())
    return method
