"""Fast paths: value.py's algorithm rewritten for the interpreter, giving the same numbers bit for bit.

Why it exists: in pure Python a scalar engine spends its time on function
calls and object creation, not on arithmetic. :mod:`autograd_lite.core.value` is
written to be read; this module replaces its three hot spots with versions
that make fewer calls, and ``import autograd_lite`` installs them:

1. **The operators** (``a + b``, ``a * b``, ``x.relu()``, ``-x``, ``x ** 2``):
   the node constructor ``_node`` written out inline, no call per node; with a
   number on either side (``x * 0.5``, ``2 - x``) the constant leaf is built
   inline too, so the ``0 + v`` that opens every builtin ``sum(...)`` costs
   what ``v + w`` costs. ``generic._dot_nodes`` (one dot node, nn.Linear's
   rows) builds its node inline as well.
2. **The order for backward**: ``topological_order``'s depth-first walk,
   with visited nodes marked by a token in their ``_mark`` slot instead of a
   set (no hashing), parents pushed without building tuples, and the leaves
   left out (they have no rule to apply). The op nodes come in the same order.
3. **The chain-rule loop**: one branch per op of the table with the op's rule
   expression pasted in, compiled once at import, so applying a rule costs no
   function call (that call was the largest part of the loop's time). Ops
   whose rule is a callable (softmax's Jacobian rows, ops made at run time)
   take the general branch: ``local_derivatives``, as in value.py. A rule
   that is the number 1 or −1 (add, sub, sum) becomes ``+= g`` or ``-= g``:
   the same floats without the multiplication.

tests/test_fastpath.py checks, on random graphs of every op of the table, that
these give the same values and grads as value.py's plain code, bit for bit.
``uninstall()`` puts value.py's plain versions back; ``install()`` the fast ones.

Example:
    >>> from autograd_lite import Value, fastpath
    >>> Value.backward is fastpath.backward
    True
    >>> print(fastpath.propagate_floats.source.splitlines()[0])
    def propagate_floats(order):
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from ..core import generic, rules, scopes, value
from ..core.checks import as_float
from ..core.generated import compile_generated
from ..core.node import CONSTANT
from ..core.ops import OPS, VARIADIC, BoundOp, Op
from ..core.scopes import ScopeTag
from ..core.softmax_backward import SoftmaxGroups, is_softmax_output
from ..core.value import BACKWARD_LOCK, Value, local_derivatives

__all__ = ["backward", "install", "propagate_floats", "sorted_for_backward", "uninstall"]

_new = object.__new__
_scope_tag: ScopeTag | None = None  # the open scope, kept up to date by scopes.follow
scopes.follow(globals())

# --- 1. the operators, with the node constructor inline -----------------------


def _inline_binary(op: Op) -> tuple[Callable[..., Any], Callable[..., Any]]:
    forward, constant = op.forward, value._constant

    def method(self: Value, other: Any) -> Value:
        cls = other.__class__
        if cls is not Value:
            if cls is float:  # x * 0.5: the constant leaf inline too
                number = other
                other = _new(Value)
                other.data = number
                other.grad = 0.0
                other._a = CONSTANT
                other._b = None
                other._op = None
                other._tag = _scope_tag
                other._mark = None
            else:
                other = constant(other)
                if other is None:
                    return NotImplemented
        node = _new(Value)
        node.data = forward(self.data, other.data)
        node.grad = 0.0
        node._a = self
        node._b = other
        node._op = op
        node._tag = _scope_tag
        node._mark = None
        return node

    def reflected(self: Value, other: Any) -> Value:
        # 2 * x, and 0 + x: the builtin sum(...) starts every sum that way
        cls = other.__class__
        if cls is float or (cls is int and -_EXACT <= other <= _EXACT):
            left = _new(Value)
            left.data = other if cls is float else float(other)
            left.grad = 0.0
            left._a = CONSTANT
            left._b = None
            left._op = None
            left._tag = _scope_tag
            left._mark = None
        else:
            left = constant(other)  # type: ignore[assignment]  # None: not a number
            if left is None:
                return NotImplemented
        node = _new(Value)
        node.data = forward(left.data, self.data)
        node.grad = 0.0
        node._a = left
        node._b = self
        node._op = op
        node._tag = _scope_tag
        node._mark = None
        return node

    return method, reflected


_EXACT = 2**53  # ints up to here convert to float exactly, without as_float's overflow check


def _dot_nodes(ws: list[Value], xs: list[Value]) -> Value:
    """generic._dot_nodes with the node built inline (nn.Linear's rows, attention's scores)."""
    pairs: list[Any] = [None] * (2 * len(ws))
    pairs[::2], pairs[1::2] = ws, xs
    node = _new(Value)
    node.data = _sum_forward([w.data * x.data for w, x in zip(ws, xs)])  # what _dot computes
    node.grad = 0.0
    node._a = tuple(pairs)
    node._b = None
    node._op = _DOT
    node._tag = _scope_tag
    node._mark = None
    return node


def _neuron_sum(ws: list[Value], xs: Any, bias: Value, tag: ScopeTag) -> Value:
    """generic._neuron_sum with the product and Σ nodes built inline (nn's neurons), tagged ``tag``."""
    terms: list[Any] = []
    append = terms.append
    for w, x in zip(ws, xs):
        if x.__class__ is not Value:  # a plain number: the operators make its constant leaf
            return _plain_neuron_sum(ws, xs, bias, tag)
        node = _new(Value)
        node.data = w.data * x.data  # what mul's forward computes
        node.grad = 0.0
        node._a = w
        node._b = x
        node._op = _MUL
        node._tag = tag
        node._mark = None
        append(node)
    append(bias)
    node = _new(Value)
    node.data = _sum_forward([t.data for t in terms])
    node.grad = 0.0
    node._a = tuple(terms)
    node._b = None
    node._op = _SUM
    node._tag = tag
    node._mark = None
    return node


def _inline_unary(op: Op) -> Callable[..., Any]:
    forward = op.forward

    def method(self: Value) -> Value:
        node = _new(Value)
        node.data = forward(self.data)
        node.grad = 0.0
        node._a = self
        node._b = None
        node._op = op
        node._tag = _scope_tag
        node._mark = None
        return node

    return method


_POW, _POW_CONST, _NEG, _DOT, _SUM, _MUL = (OPS["pow"], OPS["pow_const"], OPS["neg"], OPS["dot"], OPS["sum"],
                                            OPS["mul"])
_sum_forward = _SUM.forward
_pow_const_forward, _node = _POW_CONST.forward, value._node


def _pow(self: Value, other: Any) -> Value:
    if other.__class__ is int or other.__class__ is float:  # x ** 2, x ** -0.5: the common case
        return _node(_pow_const_forward(self.data, other), self, None, _POW_CONST.bind(other))
    return _plain["__pow__"](self, other)  # type: ignore[no-any-return]


# --- 2. the order for backward --------------------------------------------------


def sorted_for_backward(root: Value) -> list[Value]:
    """The op nodes of ``root``'s graph in topological order, their grads set to 0.

    The same order as ``[n for n in topological_order(root) if not n.is_leaf]``.
    """
    if root.__class__ is not Value:
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    token = object()  # marks the nodes this walk has visited; a new walk, a new token
    expanded: set[int] = set()  # parents tuples of variadic ops already pushed
    order: list[Value] = []
    emit = order.append
    stack: list[Any] = [root]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        if node is None:  # None follows a node whose parents are being visited
            emit(pop())
            continue
        if node._mark is token:
            continue
        node._mark = token
        op = node._op
        if op is None:
            continue
        node.grad = 0.0
        push(node)
        push(None)
        arity = op.arity
        if arity == 2:
            b = node._b
            if b._mark is not token:
                push(b)
            a = node._a
            if a._mark is not token:
                push(a)
        elif arity == 1:
            a = node._a
            if a._mark is not token:
                push(a)
        else:
            parents = node._a
            if op.__class__ is BoundOp:  # a softmax's N outputs (bound ops) share one parents tuple
                if id(parents) in expanded:
                    continue
                expanded.add(id(parents))
            stack.extend(reversed(parents))
    return order


# --- 3. the chain-rule loop, compiled from the table's rule texts ----------------


def _general(node: Value, op: Any, g: float, softmaxes: SoftmaxGroups) -> None:
    if op.op.scale is not None:  # a softmax output: all N rows summed once per call
        softmaxes.step(node, g)
        return
    for parent, local in zip(node.parents, local_derivatives(node)):
        parent.grad += g * local


def _times_g(rule: str) -> str:
    """``+= g * (rule)``, with a rule of 1 or −1 folded: ``+= g`` and ``-= g`` are the same floats."""
    return {"1.0": "+= g", "-1.0": "-= g"}.get(rule.strip(), f"+= g * ({rule})")


#: the ops most graphs are made of (products and sums, neurons, dot products), tested first
_FREQUENT = ("mul", "add", "sum", "dot", "relu")


def _compile_float_loop() -> Callable[[list[Value]], None]:
    """``propagate_floats(order)``: value.py's loop with every op's rule written out in it."""
    lines = ["def propagate_floats(order):",
             "    softmaxes = _SoftmaxGroups(order)",
             "    for node in reversed(order):",
             "        op = node._op",
             "        g = node.grad"]
    namespace: dict[str, Any] = dict(vars(rules))  # the rule vocabulary and helpers the rules call
    inline = [op for op in OPS.values() if op.rule_source is not None]
    # ops without parameters by identity first, the most frequent first of all: each node
    # pays one comparison per branch before its own (an MLP's Σ and relu were 24th and 16th)
    inline.sort(key=lambda op: (bool(op.params), _FREQUENT.index(op.name) if op.name in _FREQUENT else len(_FREQUENT)))
    keyword, in_base = "if", False
    for op in inline:
        if op.params and not in_base:  # a bound op: branch on the op it binds
            lines += [f"        {keyword} op.__class__ is _BoundOp:", "            base = op.op"]
            keyword, in_base = "if", True
        indent = "            " if in_base else "        "
        namespace[f"_op_{op.name}"] = op
        lines.append(f"{indent}{keyword} {'base' if in_base else 'op'} is _op_{op.name}:")
        keyword = "elif"
        used = {n.id for e in op.rule_source or () for n in ast.walk(ast.parse(e, mode="eval"))
                if isinstance(n, ast.Name)}
        params = [f"{name} = op.args[{k}]" for k, name in enumerate(op.params) if name in used]
        out = ["out = node.data"] if "out" in used else []
        if op.paired:  # dot: inputs in pairs (a_0, b_0, …); the same rule for each side of a pair
            rule = _times_g(op.rule_source[0])  # type: ignore[index]
            body = out + params + ["_pairs = iter(node._a)", "for _p, _q in zip(_pairs, _pairs):",
                                   "    a_j = _p.data", "    b_j = _q.data",
                                   f"    _p.grad {rule}", "    a_j, b_j = b_j, a_j", f"    _q.grad {rule}"]
        elif op.arity == VARIADIC:  # one expression for every input a_j
            body = out + params + ["for _p in node._a:"]
            body += ["    a_j = _p.data"] if "a_j" in used else []
            body += [f"    _p.grad {_times_g(op.rule_source[0])}"]  # type: ignore[index]
        else:
            body = [f"_p{k} = node._{'ab'[k]}" for k in range(op.arity)]
            body += [f"{name} = _p{k}.data" for k, name in enumerate(op.inputs) if name in used]
            body += out + params
            body += [f"_p{k}.grad {_times_g(e)}" for k, e in enumerate(op.rule_source or ())]
        lines += [f"{indent}    {line}" for line in body]
    if in_base:
        lines += ["            else:", "                _general(node, op, g, softmaxes)"]
    lines += ["        else:", "            _general(node, op, g, softmaxes)"]
    namespace.update(_BoundOp=BoundOp, _general=_general, _SoftmaxGroups=SoftmaxGroups)
    source = "\n".join(lines)
    # built from our own op table, never from user input; tracebacks and pdb show its lines
    loop = compile_generated(source, "the fast backward loop, from the op table's rules", namespace)["propagate_floats"]
    loop.source = source  # for the curious: print(autograd_lite.fast.fastpath.propagate_floats.source)
    return loop  # type: ignore[no-any-return]


propagate_floats = _compile_float_loop()


def backward(self: Value, grad: Any = 1.0, *, create_graph: bool = False) -> None:
    seed: Any
    if create_graph:
        seed = grad if grad.__class__ is Value else Value(as_float(grad, "backward(grad=...)"))
    else:
        seed = as_float(grad, "backward(grad=...)")
    with BACKWARD_LOCK:  # one pass at a time (value.py says why)
        order = sorted_for_backward(self)
        self.grad = self.grad + seed if self._op is None else seed
        if not create_graph:
            propagate_floats(order)
            return
        softmaxes = SoftmaxGroups(order)
        for node in reversed(order):
            if is_softmax_output(node):
                softmaxes.step(node, node.grad, as_values=True)
                continue
            for parent, local in zip(node.parents, local_derivatives(node, as_values=True)):
                parent.grad += node.grad * local


# --- putting them in place ---------------------------------------------------------

def _fast_methods() -> dict[str, Any]:
    methods: dict[str, Any] = {"backward": backward, "__pow__": _pow, "__neg__": _inline_unary(_NEG)}
    for op in OPS.values():
        if op.dunder is not None:
            methods[f"__{op.dunder}__"], methods[f"__r{op.dunder}__"] = _inline_binary(op)
        elif op.is_function and op.arity == 1 and not op.params:
            methods[op.name] = _inline_unary(op)
    return methods


_fast = _fast_methods()
_plain_dot_nodes, _plain_neuron_sum = generic._dot_nodes, generic._neuron_sum
_plain: dict[str, Any] = {name: vars(Value)[name] for name in _fast}  # value.py's versions
for _name, _method in _fast.items():  # help() shows the plain one's documentation
    _original = _plain[_name]
    _method.__doc__, _method.__name__ = _original.__doc__, _original.__name__
    _method.__qualname__ = _original.__qualname__


def install() -> None:
    """Use the fast paths (``import autograd_lite`` does): the same numbers, sooner."""
    for name, method in _fast.items():
        setattr(Value, name, method)
    generic._dot_nodes = _dot_nodes
    generic._neuron_sum = _neuron_sum


def uninstall() -> None:
    """Go back to value.py's plain code, e.g. to step through the algorithm as it reads."""
    for name, method in _plain.items():
        setattr(Value, name, method)
    generic._dot_nodes = _plain_dot_nodes
    generic._neuron_sum = _plain_neuron_sum


install()
