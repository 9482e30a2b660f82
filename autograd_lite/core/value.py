"""``Value``, one node of a computation graph, and backpropagation: the whole algorithm.

A Value holds a number (``data``), the gradient ``backward()`` gives it
(``grad``), the nodes it was computed from (``parents``) and the op that made it.
Each op's forward and *local derivative* (∂out/∂input, as derived on paper) is
one entry of the table in :mod:`autograd_lite.core.ops`; the operators and methods
here only look their op up. ``backward()`` is the chain rule, once per node,
from the output back to the inputs::

    for node in reversed(topological_order(output)):
        for parent, local in zip(node.parents, local_derivatives(node)):
            parent.grad += node.grad * local

The code below is that algorithm, as it is read. What runs after ``import
autograd_lite`` is :mod:`autograd_lite.fast.fastpath`: the same operators, sort and
loop specialised for speed (constructors written inline, the loop pasted together
from the table's rule text and compiled once), tested to give the same numbers bit
for bit. To run, step through or profile *this* file's code instead, switch the
fast path off, and on again when done::

    from autograd_lite.fast import fastpath
    fastpath.uninstall()   # Value's operators and backward() are this module's again
    fastpath.install()

The generated loop is Python you can read too: ``print(fastpath.propagate_floats.source)``;
tracebacks and ``pdb`` show its lines (:mod:`autograd_lite.core.generated`).

Example:
    >>> from autograd_lite import Value
    >>> x = Value(0.5, label="x"); w = Value(-3.0, label="w"); b = Value(2.0, label="b")
    >>> y = (x * w + b).sigmoid()
    >>> y.backward()
    >>> s = y.data
    >>> x.grad == w.data * (s * (1 - s))   # dy/dx = σ'(xw + b)·w
    True
"""

from __future__ import annotations

import inspect
import numbers
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import scopes
from .checks import as_float, method_params
from .node import CONSTANT, Node, method_doc
from .ops import OPS, VARIADIC, BoundOp, Op
from .scopes import ScopeTag, scope
from .softmax_backward import SoftmaxGroups, is_softmax_output

__all__ = ["Number", "Value", "as_float", "local_derivatives", "scope", "topological_order"]

Number = int | float
#: One backward pass at a time, whatever the thread: two passes over one graph at
#: once would reset and add to the same grads and give wrong numbers, silently.
BACKWARD_LOCK = threading.RLock()
_scope_tag: ScopeTag | None = None  # the open scope, kept up to date by scopes.follow
scopes.follow(globals())


class Value(Node):
    """A scalar in a computation graph: data, grad, parents, op, label and scope.

    ``Value(data, label=None)`` makes a leaf. ``+ - * / **`` and unary ``-``
    take Values and numbers on either side; every function of the op table is
    a method (``x.exp()``). ``backward()`` fills in ``grad`` in the whole graph.
    Names for people and Python's habits (``max(vs)``, ``==`` is identity,
    ``float(v)`` refused) come from :class:`~autograd_lite.core.node.Node`.

    Example:
        >>> a = Value(3.0, label="a")
        >>> f = a * a + 2 / a
        >>> f.backward()
        >>> round(a.grad, 6)   # 2a − 2/a²
        5.777778
        >>> max([Value(1.0), a]) is a
        True
    """

    __slots__ = {  # noqa: RUF023 - in reading order. One object per node, no __dict__.
        "data": "The node's number (a float).",
        "grad": "∂output/∂node after backward(): a float, or a Value with create_graph=True.",
        "_a": "The first parent; all the parents, as a tuple, for a variadic op; None for a leaf.",
        "_b": "The second parent of a binary op, else None.",
        "_op": "The op table entry that made the node (parameters bound); None for a leaf.",
        "_tag": "The label (a str or None), or a ScopeTag holding the label and the scope.",
        "_mark": "The token of the last fastpath sort that visited the node.",
        "__weakref__": "Weak references to the node.",
    }

    def __init__(self, data: Number, label: str | None = None) -> None:
        """A leaf holding ``data`` (a real number), with an optional label for pictures."""
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Value(label=...) takes a str or None, got {type(label).__name__}")
        self.data = as_float(data)
        self.grad: Any = 0.0  # a float; a Value after backward(create_graph=True)
        self._a: Any = None
        self._b: Value | None = None
        self._op: Op | BoundOp | None = None
        self._mark: object = None
        tag = _scope_tag
        self._tag: Any = label if tag is None else tag if label is None else ScopeTag(label, tag.scope, tag)

    def backward(self, grad: Any = 1.0, *, create_graph: bool = False) -> None:
        """Fill in ``grad`` of every node of this node's graph: the chain rule.

        For each node, from this one back to the leaves, each parent's grad
        += the node's grad × the local derivative ∂node/∂parent; a node used
        twice sums what both uses send back. Leaves *accumulate* over calls,
        like PyTorch; every other node shows this pass's gradient. With
        ``create_graph=True`` the grads are Values, differentiable again.

        Example:
            >>> x = Value(2.0)
            >>> y = x ** 3
            >>> y.backward(); x.grad
            12.0
            >>> y.backward(); x.grad   # accumulates
            24.0
        """
        seed: Any = as_float(grad, "backward(grad=...)") if grad.__class__ is not Value else grad
        if create_graph and seed.__class__ is not Value:
            seed = Value(seed)
        elif not create_graph:
            seed = as_float(seed, "backward(grad=...)")  # a Value seed needs create_graph=True
        with BACKWARD_LOCK:
            order = [node for node in topological_order(self) if node._op is not None]
            for node in order:
                node.grad = 0.0  # an op node holds this pass's gradient only
            self.grad = self.grad + seed if self._op is None else seed
            softmaxes = SoftmaxGroups(order)
            for node in reversed(order):  # each node after every node that uses it
                if is_softmax_output(node):  # its N rows are summed once per call (softmax_backward.py)
                    softmaxes.step(node, node.grad, as_values=create_graph)
                    continue
                for parent, local in zip(node.parents, local_derivatives(node, as_values=create_graph)):
                    parent.grad += node.grad * local

    def zero_grad(self) -> None:
        """Set ``grad`` to 0.0 on every node of this node's graph.

        Example:
            >>> x = Value(2.0); y = x * x; y.backward(); y.zero_grad(); x.grad
            0.0
        """
        with BACKWARD_LOCK:
            for node in topological_order(self):
                node.grad = 0.0

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in operand order (``a * a``: two)."""
        arity = -1 if self._op is None else self._op.arity
        return () if arity < 0 else (self._a, self._b) if arity == 2 else (self._a,) if arity == 1 else self._a  # type: ignore[return-value]

    if TYPE_CHECKING:  # set from the op table below the class; declared here for type checkers only
        def __add__(self, other: Value | Number) -> Value: ...
        def __radd__(self, other: Number) -> Value: ...
        def __sub__(self, other: Value | Number) -> Value: ...
        def __rsub__(self, other: Number) -> Value: ...
        def __mul__(self, other: Value | Number) -> Value: ...
        def __rmul__(self, other: Number) -> Value: ...
        def __truediv__(self, other: Value | Number) -> Value: ...
        def __rtruediv__(self, other: Number) -> Value: ...
        def __getattr__(self, name: str) -> Callable[..., Value]: ...  # x.exp(), x.leaky_relu(0.2), ...

    def __neg__(self) -> Value:
        """``-a``: −a (op ``neg``); local derivative ∂/∂a = −1."""
        return _node(-self.data, self, None, OPS["neg"])

    def __pow__(self, other: Value | Number) -> Value:
        """``a ** n``, n a number: op ``pow_const``, ∂/∂a = n·a^(n−1); ``a ** b``: op ``pow``,
        ∂/∂a = b·a^(b−1), ∂/∂b = a^b·log a.

        Example:
            >>> (Value(3.0) ** 2).data, (Value(4.0) ** Value(0.5)).data
            (9.0, 2.0)
        """
        if other.__class__ is Value:
            return _node(OPS["pow"].forward(self.data, other.data), self, other, OPS["pow"])  # type: ignore[union-attr]
        if not isinstance(other, numbers.Real):
            return NotImplemented
        n = other if other.__class__ is int else as_float(other, "an exponent")
        return _node(OPS["pow_const"].forward(self.data, n), self, None, OPS["pow_const"].bind(n))

    def __rpow__(self, other: Number) -> Value:
        """``2 ** b``, a number to the power of a Value: op ``pow``, ∂/∂b = 2^b·log 2."""
        base = _constant(other)
        return NotImplemented if base is None else _node(OPS["pow"].forward(base.data, self.data), base, self, OPS["pow"])

def _node(data: float, a: Any, b: Value | None, op: Op | BoundOp | None) -> Value:
    """A new node: its number, its parents (``a``, and ``b`` for a binary op), its op."""
    node = object.__new__(Value)  # sets every slot itself: __init__'s checks are not needed
    node.data, node.grad, node._a, node._b, node._op = data, 0.0, a, b, op
    node._tag, node._mark = _scope_tag, None
    return node


def _constant(x: Any) -> Value | None:
    """A plain number beside a Value, as a constant leaf; None if it is not a number."""
    if x.__class__ is float:
        return _node(x, CONSTANT, None, None)
    return _node(as_float(x, "an operand"), CONSTANT, None, None) if isinstance(x, numbers.Real) else None


def _binary(op: Op) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``a + b`` and ``2 + b`` for a binary op of the table: a node with the two operands as parents."""
    def method(self: Value, other: Any) -> Value:
        other = other if other.__class__ is Value else _constant(other)
        return NotImplemented if other is None else _node(op.forward(self.data, other.data), self, other, op)

    def reflected(self: Value, other: Any) -> Value:
        left = _constant(other)
        return NotImplemented if left is None else _node(op.forward(left.data, self.data), left, self, op)

    symbol = {"add": "+", "sub": "-", "mul": "*", "truediv": "/"}.get(op.dunder or "", op.symbol)
    method.__name__, reflected.__name__ = f"__{op.dunder}__", f"__r{op.dunder}__"
    method.__doc__ = method_doc(op, f"a {symbol} b", f"(Value(2.0) {symbol} 0.5)", op.forward(2.0, 0.5))
    reflected.__doc__ = f"``2 {symbol} b``, a number on the left: the same op ``{op.name}``."
    return method, reflected


def _unary(op: Op) -> Callable[..., Value]:
    """``x.exp()``, ``x.leaky_relu(0.2)`` for a unary op of the table: a node with ``x`` as parent."""
    parameters = [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d)
                  for p, d in zip(op.params, op.defaults)]
    signature = inspect.Signature([inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY), *parameters])

    def method(self: Value, *args: Any, **kwargs: Any) -> Value:
        params = method_params(op, signature, args, kwargs) if op.params else ()
        return _node(op.forward(self.data, *params), self, None, op.bind(*params))

    method.__signature__ = signature  # type: ignore[attr-defined]
    method.__name__, method.__qualname__ = op.name, f"Value.{op.name}"
    method.__doc__ = method_doc(op, f"x.{op.name}()", f"Value(0.5).{op.name}()", op.forward(0.5, *op.defaults))
    return method


for _op in OPS.values():  # operators and methods, straight from the table
    if _op.dunder is not None:
        setattr(Value, f"__{_op.dunder}__", _binary(_op)[0])  # a + b
        setattr(Value, f"__r{_op.dunder}__", _binary(_op)[1])  # 2 + b
    elif _op.is_function and _op.arity == 1:
        setattr(Value, _op.name, _unary(_op))


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph, each after all of its parents (``root`` last).

    Depth-first, with a stack instead of recursion, so a graph a million nodes
    deep is fine. ``backward()`` walks this order in reverse.

    Example:
        >>> a = Value(1.0, label="a"); b = a + a; c = b * b
        >>> [n.label or n.op for n in topological_order(c)]
        ['a', 'add', 'mul']
    """
    if root.__class__ is not Value:
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    order: list[Value] = []
    visited: set[Value] = set()
    expanded: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))  # comes back once every parent is in the order
            parents = node.parents
            if node._op is not None and node._op.arity == VARIADIC:  # a softmax's N outputs share
                if id(parents) in expanded:  # one parents tuple: walk it once, not N times
                    continue
                expanded.add(id(parents))
            stack.extend((parent, False) for parent in reversed(parents))
    return order


def local_derivatives(node: Value, *, as_values: bool = False) -> tuple[Any, ...]:
    """∂node/∂parent for each parent, in operand order: what backward multiplies by.

    Calls the op's rule on the numbers (``as_values=True``: on the nodes, so
    the result is a differentiable graph). Pictures and traces show these.

    Example:
        >>> local_derivatives(Value(2.0) * Value(-3.0))
        (-3.0, 2.0)
    """
    op = node._op
    if op is None:
        return ()
    out, inputs = (node, node.parents) if as_values else (node.data, tuple(p.data for p in node.parents))
    if op.arity == VARIADIC:
        return tuple(op.local(out, inputs))
    return (op.local(out, *inputs),) if op.arity == 1 else tuple(op.local(out, *inputs))


def float_of(x: Any) -> float:
    """The number in ``x``: a Value's data, or any real number as a float.

    Example:
        >>> float_of(Value(2.5)), float_of(3)
        (2.5, 3.0)
    """
    return x.data if isinstance(x, Value) else float(x)
