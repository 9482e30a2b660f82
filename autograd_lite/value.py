"""``Value``: one node of a computation graph, and its backward pass.

A Value holds a float (``data``), the gradient backward gave it (``grad``), the
nodes it was computed from (``parents``, in operand order, so ``a * a`` keeps
both edges) and the table entry of the op that made it. Internally the parents
of a unary or binary node sit in two slots rather than a tuple: one object per
node instead of two halves both the allocation work and the objects Python's
garbage collector has to look at. Every operator and method is a thin entry
into the op table in :mod:`autograd_lite.ops`.

Speed and memory come from what is *not* here: no per-node closures and no
reference cycles (a dropped graph is freed by reference counting alone, without
work for Python's cyclic garbage collector), ``__slots__``, one object per node,
an iterative topological sort that leaves the leaves out, and a backward loop
compiled from the op table's rule expressions, so applying a rule costs no
function call.

Example:
    >>> from autograd_lite import Value
    >>> x = Value(0.5, label="x"); w = Value(-3.0, label="w"); b = Value(2.0, label="b")
    >>> y = (x * w + b).sigmoid()
    >>> y.backward()
    >>> s = y.data
    >>> abs(x.grad - w.data * s * (1 - s)) < 1e-15
    True
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .ops import OPS, VARIADIC, BoundOp, Op

__all__ = ["Number", "Value", "apply", "as_float", "local_derivatives", "scope", "sum_of",
           "topological_order"]

Number = int | float
_OpLike = Op | BoundOp

_new = object.__new__
# In a leaf's first-parent slot: this leaf is a constant made from a plain
# number (``x * 2``), not a Value the user made. Pictures draw the two apart.
_CONSTANT = object()


class _Tag:
    """A scoped node's label and scope, both in the one ``_tag`` slot.

    A node built outside every scope keeps its label (a str, or None) in
    ``_tag`` directly; only a node built inside a scope points to a tag, and
    all the unlabelled nodes of one scope share the same one. So scopes add
    no slot, no bytes per node and no work when none is open.
    """

    __slots__ = ("label", "scope")

    def __init__(self, label: str | None, scope: str) -> None:
        self.label = label
        self.scope = scope

    def __repr__(self) -> str:
        return f"_Tag(label={self.label!r}, scope={self.scope!r})"


#: The innermost open scope as the tag its unlabelled nodes share; None when
#: no scope is open. Every node constructor copies it: one global read.
_scope_tag: _Tag | None = None


@contextmanager
def scope(name: str) -> Iterator[str]:
    """Tag every node built inside the ``with`` block with the scope's path.

    Scopes nest, and a name with slashes opens several levels at once:
    ``scope("block0/attn/head1")`` is three nested scopes. A node's
    :attr:`Value.scope` is the full path of the scopes open when it was
    built, e.g. ``"MLP/L0/L0.N3"``. Pictures group and collapse nodes by it.

    The current scope is process-wide, not per thread: a graph built in one
    thread while another thread has a scope open gets that thread's scope.
    A scope costs nothing when none is open (no extra bytes per node, no
    slower ops).

    Example:
        >>> from autograd_lite import Value, scope
        >>> x = Value(2.0, label="x")
        >>> with scope("layer1"):
        ...     with scope("neuron0/act") as path:
        ...         y = (x * 3).relu()
        >>> path, y.scope, x.scope
        ('layer1/neuron0/act', 'layer1/neuron0/act', None)
    """
    global _scope_tag
    if not isinstance(name, str):
        raise TypeError(f"scope() takes a name (a str such as 'layer1' or 'block0/attn'), "
                        f"got {type(name).__name__}: {_short(name)}")
    parts = name.split("/")
    if not all(parts):
        raise ValueError(f"scope({name!r}): a scope name needs at least one character between "
                         "slashes, like 'layer1' or 'block0/attn/head1'")
    outer = _scope_tag
    path = name if outer is None else f"{outer.scope}/{name}"
    _scope_tag = _Tag(None, path)
    try:
        yield path
    finally:
        _scope_tag = outer


def as_float(x: Any, what: str = "Value()") -> float:
    """``x`` as a float, or a TypeError/ValueError saying what is accepted.

    Example:
        >>> as_float(3)
        3.0
    """
    if x.__class__ is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:
            raise ValueError(
                f"{what}: {_short(x)} is too large for a float (the largest is about 1.8e308)"
            ) from None
    if isinstance(x, Value):
        raise TypeError(
            f"{what} takes a real number, not a Value; use the Value itself, "
            "or Value(v.data) for a new leaf with the same number"
        )
    raise TypeError(f"{what} takes a real number (int or float), got {type(x).__name__}: {_short(x)}")


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _make(data: float, a: Any, b: Value | None, op: _OpLike | None) -> Value:
    # The constructor every op uses: no checks, all slots set. ``a`` is the
    # first parent (a tuple of all of them for a variadic op), ``b`` the second.
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node._a = a
    node._b = b
    node._op = op
    node._tag = _scope_tag
    node._mark = None
    return node


def _constant(x: Any) -> Value | None:
    """A plain number on one side of an operator, as a constant leaf; None if not a number."""
    cls = x.__class__
    if cls is float or cls is int or isinstance(x, numbers.Real):
        return _make(x if cls is float else as_float(x, "an operand"), _CONSTANT, None, None)
    return None


class Value:
    """A scalar in a computation graph: data, grad, parents, op and a label.

    ``Value(data, label=None)`` makes a leaf from a real number. Operators
    ``+ - * / **`` and unary ``-`` work with Values and plain numbers on either
    side; the methods ``exp, log, sigmoid, tanh, relu, leaky_relu(alpha=0.01)``
    come from the op table. ``backward()`` fills in ``grad`` everywhere in the
    graph.

    Conventions: relu'(0) = 0, leaky_relu'(0) = alpha; leaves accumulate grads
    over repeated ``backward()`` calls, like PyTorch (``zero_grad()`` clears a
    whole graph); domain errors raise :class:`~autograd_lite.ops.DomainError`
    at forward time; NaN propagates.

    Example:
        >>> a = Value(3.0, label="a")
        >>> f = a * a + 2 / a
        >>> f.backward()
        >>> round(a.grad, 6)   # 2a − 2/a²
        5.777778
        >>> Value(0.5)
        Value(data=0.5, grad=0.0)
    """

    __slots__ = ("__weakref__", "_a", "_b", "_mark", "_op", "_tag", "data", "grad")

    data: float
    grad: Any  # a float; a Value after backward(create_graph=True)
    _a: Any  # first parent; a tuple of all parents for a variadic op; None for a leaf
    _b: Value | None  # second parent of a binary op
    _op: _OpLike | None
    _tag: str | _Tag | None  # the label, or the label and scope of a node built in a scope
    _mark: object  # the token of the last graph walk that visited this node

    def __init__(self, data: Number, label: str | None = None) -> None:
        self.data = as_float(data)
        self.grad = 0.0
        self._a = None
        self._b = None
        self._op = None
        self._mark = None
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Value(label=...) takes a str or None, got {type(label).__name__}")
        tag = _scope_tag
        self._tag = label if tag is None else tag if label is None else _Tag(label, tag.scope)

    @property
    def label(self) -> str | None:
        """The node's name in pictures and traces; None for none. Settable.

        Example:
            >>> y = Value(2.0) * 3; y.label = "y"; y.label
            'y'
        """
        tag = self._tag
        return tag if tag is None or tag.__class__ is str else tag.label  # type: ignore[union-attr]

    @label.setter
    def label(self, label: str | None) -> None:
        if label is not None and not isinstance(label, str):
            raise TypeError(f"a label is a str or None, got {type(label).__name__}")
        tag = self._tag
        if tag is None or tag.__class__ is str:
            self._tag = label
        else:  # keep the node's scope
            self._tag = _Tag(label, tag.scope)  # type: ignore[union-attr]

    @property
    def scope(self) -> str | None:
        """The path of the scopes this node was built in (``"MLP/L0/L0.N3"``); None outside any.

        Example:
            >>> from autograd_lite import scope
            >>> with scope("block0/attn"):
            ...     y = Value(1.0) * 2
            >>> y.scope, y.parents[1].scope
            ('block0/attn', 'block0/attn')
        """
        tag = self._tag
        return tag.scope if tag.__class__ is _Tag else None  # type: ignore[union-attr]

    # --- what the node is -------------------------------------------------
    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in operand order (``a * a``: two)."""
        op = self._op
        if op is None:
            return ()
        if op.arity == 2:
            return (self._a, self._b)
        return self._a if op.arity == VARIADIC else (self._a,)

    @property
    def op(self) -> str | None:
        """The name of the op that made this node; None for a leaf."""
        return None if self._op is None else self._op.name

    @property
    def op_entry(self) -> _OpLike | None:
        """The op table entry (with its parameters bound) that made this node."""
        return self._op

    @property
    def op_params(self) -> dict[str, Any]:
        """The op's constant parameters, e.g. ``{"alpha": 0.01}``."""
        op = self._op
        return {} if op is None else dict(zip(op.op.params, op.args))

    @property
    def is_leaf(self) -> bool:
        """True for nodes made by ``Value(...)`` or from a plain number."""
        return self._op is None

    @property
    def is_constant(self) -> bool:
        """True for a leaf made from a plain number by an operator (the 2 in ``x * 2``).

        Example:
            >>> x = Value(3.0); y = x * 2
            >>> [p.is_constant for p in y.parents]
            [False, True]
        """
        return self._op is None and self._a is _CONSTANT

    def __repr__(self) -> str:
        label = "" if self.label is None else f", label={self.label!r}"
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

    def __format__(self, spec: str) -> str:
        """A format spec formats the data; an empty one gives the repr.

        Example:
            >>> f"{Value(2 / 3):.3f}"
            '0.667'
        """
        return format(self.data, spec) if spec else repr(self)

    # --- the backward pass ------------------------------------------------
    def backward(self, grad: Any = 1.0, *, create_graph: bool = False) -> None:
        """Fill in ``grad`` of every node in this node's graph (chain rule).

        Leaves *accumulate* (call it twice and their grads double, like
        PyTorch); every other node shows the gradient of this latest pass.
        With ``create_graph=True`` the gradients are themselves Values whose
        graph can be differentiated again.

        Example:
            >>> x = Value(2.0)
            >>> y = x ** 3
            >>> y.backward(); x.grad
            12.0
            >>> y.backward(); x.grad   # accumulates
            24.0
        """
        order = _sorted_for_backward(self)
        seed = grad
        if create_graph and not isinstance(seed, Value):
            seed = Value(as_float(seed, "backward(grad=...)"))
        elif not create_graph:
            seed = as_float(seed, "backward(grad=...)")
        self.grad = self.grad + seed if self.is_leaf else seed
        _propagate(order, create_graph)

    def zero_grad(self) -> None:
        """Set ``grad`` to 0.0 on every node of this node's graph.

        Example:
            >>> x = Value(2.0); y = x * x; y.backward(); y.zero_grad(); x.grad
            0.0
        """
        for node in topological_order(self):
            node.grad = 0.0

    # --- operators: thin entries into the op table ------------------------
    def __neg__(self) -> Value:
        return _make(_NEG.forward(self.data), self, None, _NEG)

    def __pow__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            return _make(_POW.forward(self.data, other.data), self, other, _POW)  # type: ignore[union-attr]
        if not isinstance(other, numbers.Real):
            return NotImplemented
        n = other if other.__class__ is int else as_float(other, "an exponent")
        return _make(_POW_CONST.forward(self.data, n), self, None, _POW_CONST.bind(n))

    def __rpow__(self, other: Number) -> Value:
        base = _constant(other)
        if base is None:
            return NotImplemented
        return _make(_POW.forward(base.data, self.data), base, self, _POW)

    # Filled in below from the op table:
    __add__: Callable[[Value, Value | Number], Value]
    __radd__: Callable[[Value, Number], Value]
    __sub__: Callable[[Value, Value | Number], Value]
    __rsub__: Callable[[Value, Number], Value]
    __mul__: Callable[[Value, Value | Number], Value]
    __rmul__: Callable[[Value, Number], Value]
    __truediv__: Callable[[Value, Value | Number], Value]
    __rtruediv__: Callable[[Value, Number], Value]
    exp: Callable[[Value], Value]
    log: Callable[[Value], Value]
    sigmoid: Callable[[Value], Value]
    tanh: Callable[[Value], Value]
    relu: Callable[[Value], Value]
    leaky_relu: Callable[..., Value]


_NEG, _POW, _POW_CONST, _SUM = OPS["neg"], OPS["pow"], OPS["pow_const"], OPS["sum"]
_sum_forward = _SUM.forward


def _binary_methods(op: Op) -> tuple[Callable[..., Any], Callable[..., Any]]:
    forward = op.forward

    # The hottest code in the library: _make is written out inline here.
    def method(self: Value, other: Any) -> Value:
        if other.__class__ is not Value:
            other = _constant(other)
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
        left = _constant(other)
        if left is None:
            return NotImplemented
        return _make(forward(left.data, self.data), left, self, op)

    return method, reflected


def _unary_method(op: Op) -> Callable[..., Value]:
    forward = op.forward
    if not op.params:

        def method(self: Value) -> Value:
            return _make(forward(self.data), self, None, op)

    else:
        signature = inspect.Signature(
            [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
            + [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d)
               for p, d in zip(op.params, op.defaults)]
        )

        def method(self: Value, *args: Any, **kwargs: Any) -> Value:
            params = _bind_params(op, signature, self, args, kwargs)
            return _make(forward(self.data, *params), self, None, op.bind(*params))

        method.__signature__ = signature  # type: ignore[attr-defined]
    method.__name__ = op.name
    method.__qualname__ = f"Value.{op.name}"
    method.__doc__ = (
        f"``{op.forward_text()}``, a new node; local derivative "
        f"{'; '.join(d for _, d in op.derivative_texts())}.\n\n"
        f"Example:\n    >>> Value(0.5).{op.name}().data == OPS[{op.name!r}].forward("
        f"0.5{''.join(', ' + repr(d) for d in op.defaults)})\n    True\n"
    )
    return method


def _bind_params(op: Op, signature: inspect.Signature, self: Value,
                 args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[float, ...]:
    try:
        bound = signature.bind(self, *args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{op.name}{str(signature).replace('(self, ', '(')}: {error}") from None
    bound.apply_defaults()
    return tuple(as_float(bound.arguments[p], f"{op.name}({p}=...)") for p in op.params)


for _op in OPS.values():
    if _op.dunder is not None:
        _method, _reflected = _binary_methods(_op)
        setattr(Value, f"__{_op.dunder}__", _method)
        setattr(Value, f"__r{_op.dunder}__", _reflected)
    elif _op.is_function and _op.arity == 1:
        setattr(Value, _op.name, _unary_method(_op))


def apply(op: Op | str, *inputs: Value | Number, **params: Any) -> Value | list[Value]:
    """Apply any op of the table to Values or numbers: the generic way in.

    Unary and binary ops return one Value; variadic ops take a sequence:
    ``sum`` returns one Value, vector ops (softmax) one Value per output.

    Example:
        >>> [round(v.data, 4) for v in apply("softmax", [1.0, 2.0, 3.0])]
        [0.09, 0.2447, 0.6652]
        >>> apply("sum", [0.1, 0.2, 0.3]).data   # correctly rounded
        0.6
        >>> apply("leaky_relu", -2.0, alpha=0.1).data
        -0.2
    """
    entry = OPS[op] if isinstance(op, str) else op
    if entry.arity == VARIADIC:
        if len(inputs) != 1:
            raise TypeError(f"{entry.name} takes one sequence of numbers or Values")
        vector = tuple(_lift(x, entry.name) for x in _as_sequence(inputs[0], entry.name))
        if entry.is_reduction:
            args = _op_args(entry, params)
            data = entry.forward(tuple(v.data for v in vector), *args)
            return _make(data, vector, None, entry.bind(*args))
        outputs = entry.forward(tuple(v.data for v in vector))
        # all outputs share one parents tuple: N nodes, one tuple
        return [_make(s, vector, None, entry.bind(i)) for i, s in enumerate(outputs)]
    args = _op_args(entry, params)
    if len(inputs) != entry.arity:
        raise TypeError(f"{entry.name} takes {entry.arity} input(s), got {len(inputs)}")
    nodes = [_lift(x, entry.name) for x in inputs]
    data = entry.forward(*(n.data for n in nodes), *args)
    return _make(data, nodes[0], nodes[1] if entry.arity == 2 else None, entry.bind(*args))


def _op_args(op: Op, params: dict[str, Any]) -> tuple[Any, ...]:
    unknown = set(params) - set(op.params)
    if unknown:
        raise TypeError(f"{op.name} takes the parameters {list(op.params)}, not {sorted(unknown)}")
    args = []
    for k, name in enumerate(op.params):
        if name in params:
            value = params[name]
            args.append(value if value.__class__ is int else as_float(value, f"{op.name}({name}=...)"))
        elif k < len(op.defaults):
            args.append(op.defaults[k])
        else:
            raise TypeError(f"{op.name} needs the parameter {name!r}")
    return tuple(args)


def _lift(x: Any, what: str) -> Value:
    if x.__class__ is Value:
        return x  # type: ignore[no-any-return]
    node = _constant(x)
    if node is None:
        raise TypeError(f"{what} takes Values or real numbers, got {type(x).__name__}: {_short(x)}")
    return node


def _as_sequence(x: Any, what: str) -> Sequence[Any]:
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"{what} takes a sequence of numbers or Values, got {type(x).__name__}")
    items = list(x)
    if not items:
        raise ValueError(f"{what} of an empty sequence: it needs at least one number or Value")
    return items


def sum_of(terms: Iterable[Value | Number]) -> Value:
    """Σ of Values and numbers as one node, whose rule is ∂Σ/∂a_j = 1 for every term.

    One node instead of the chain of additions that the builtin ``sum`` makes:
    a neuron's ``Σ w_i·x_i + b`` draws as one Σ, and backward has fewer nodes
    to visit. The value is correctly rounded (``math.fsum``), so it does not
    depend on the terms' order. A term listed twice counts twice.

    Example:
        >>> a, b = Value(2.0), Value(3.0)
        >>> s = sum_of([a * b, a, 1])
        >>> s.data, s.op, len(s.parents)
        (9.0, 'sum', 3)
        >>> s.backward(); a.grad, b.grad
        (4.0, 2.0)
    """
    return apply(_SUM, terms)  # type: ignore[return-value]


def _sum_nodes(terms: list[Value]) -> Value:
    # sum_of for callers whose terms are all Values already (nn.Neuron): no checks.
    return _make(_sum_forward([t.data for t in terms]), tuple(terms), None, _SUM)


# --- graph traversal and the chain rule -------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph, each after all of its parents (root last).

    Iterative (no recursion), so a graph a million nodes deep is fine.

    Example:
        >>> a = Value(1.0, label="a"); b = a + a; c = b * b
        >>> [n.label or n.op for n in topological_order(c)]
        ['a', 'add', 'mul']
    """
    if root.__class__ is not Value:
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    # Depth-first, iterative: a node is emitted once all of its parents are.
    # Nodes are marked visited with a token unique to this call (one slot
    # write) rather than kept in a set: no hashing, and no stale marks. On
    # the stack, None stands after a node whose parents are being visited.
    token = object()
    order: list[Value] = []
    emit = order.append
    stack: list[Any] = [root]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        if node is None:
            emit(pop())  # all of its parents are in order now
            continue
        if node._mark is token:
            continue
        node._mark = token
        op = node._op
        if op is None:
            emit(node)
            continue
        push(node)
        push(None)
        stack.extend(reversed(node.parents))
    return order


def _sorted_for_backward(root: Value) -> list[Value]:
    """The op nodes of ``root``'s graph in topological order, their grads set to 0.

    The same walk as :func:`topological_order`, specialised because it is
    half of every backward pass: leaves are left out (they have no rule to
    apply, and they accumulate rather than reset), and binary and unary
    nodes push their parents without building a tuple.
    """
    if root.__class__ is not Value:
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    token = object()
    order: list[Value] = []
    emit = order.append
    stack: list[Any] = [root]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        if node is None:
            emit(pop())
            continue
        if node._mark is token:
            continue
        node._mark = token
        op = node._op
        if op is None:
            continue
        node.grad = 0.0  # non-leaves hold this pass's gradient only
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
            stack.extend(reversed(node._a))
    return order


def local_derivatives(node: Value) -> tuple[float, ...]:
    """∂node/∂parent for each parent, in operand order: what backward multiplies by.

    The same rule call, with the same numbers, as the backward pass makes, so
    pictures and the step-by-step trace show exactly what backward used.

    Example:
        >>> x = Value(2.0); w = Value(-3.0)
        >>> local_derivatives(x * w)
        (-3.0, 2.0)
        >>> local_derivatives(x)
        ()
    """
    op = node._op
    if op is None:
        return ()
    if op.arity == 2:
        return tuple(op.local(node.data, node._a.data, node._b.data))
    if op.arity == 1:
        return (op.local(node.data, node._a.data),)
    return tuple(op.local(node.data, tuple(p.data for p in node._a)))


def _propagate(order: list[Value], graph: bool) -> None:
    """Apply each node's local rule, consumers before producers (the chain rule).

    ``order`` holds op nodes only. With ``graph`` the rules get the nodes
    themselves, so their arithmetic builds a differentiable graph of the
    gradient; otherwise plain floats, in a loop compiled from the op table.
    """
    if graph:
        _propagate_graph(order)
    else:
        _propagate_floats(order)


def _compile_float_loop() -> Callable[[list[Value]], None]:
    """The float backward loop, with every op's rule written out in it.

    Each op's rule is a Python expression per input (see :class:`~autograd_lite.ops.Op`).
    Calling it as a function costs a call per node, the largest part of the
    loop's time; pasting the same expressions into one branch per op removes
    the call while the table stays the only place a rule is written. Ops
    whose rule is a callable (softmax's Jacobian rows, ops made at run time)
    take the general branch at the end.
    """
    import ast

    from . import ops as ops_module

    lines = ["def _propagate_floats(order):",
             "    for node in reversed(order):",
             "        op = node._op",
             "        g = node.grad"]
    namespace: dict[str, Any] = dict(vars(ops_module))
    inline = [op for op in OPS.values() if op.rule_source is not None]
    # the plain ops by identity first (most frequent first), then the ones with parameters
    inline.sort(key=lambda op: (bool(op.params), op.name not in ("mul", "add")))
    keyword = "if"
    in_base = False
    for op in inline:
        if op.params and not in_base:
            lines.append(f"        {keyword} op.__class__ is _BoundOp:")
            lines.append("            base = op.op")
            keyword, in_base = "if", True
        indent = "            " if in_base else "        "
        namespace[f"_op_{op.name}"] = op
        lines.append(f"{indent}{keyword} {'base' if in_base else 'op'} is _op_{op.name}:")
        keyword = "elif"
        used = {n.id for e in op.rule_source for n in ast.walk(ast.parse(e, mode="eval"))
                if isinstance(n, ast.Name)}
        if op.arity == VARIADIC:  # one expression for every input a_j
            body = ["out = node.data"] if "out" in used else []
            body += [f"{name} = op.args[{k}]" for k, name in enumerate(op.params) if name in used]
            body += ["for _p in node._a:"]
            body += ["    a_j = _p.data"] if "a_j" in used else []
            body += [f"    _p.grad += g * ({op.rule_source[0]})"]
            lines += [f"{indent}    {line}" for line in body]
            continue
        body = [f"_p{k} = node._{'ab'[k]}" for k in range(op.arity)]
        body += [f"{name} = _p{k}.data" for k, name in enumerate(op.inputs) if name in used]
        body += ["out = node.data"] if "out" in used else []
        body += [f"{name} = op.args[{k}]" for k, name in enumerate(op.params) if name in used]
        body += [f"_p{k}.grad += g * ({expr})" for k, expr in enumerate(op.rule_source)]
        lines += [f"{indent}    {line}" for line in body]
    if in_base:
        lines.append("            else:")
        lines.append("                _general(node, op, g)")
    lines.append("        else:")
    lines.append("            _general(node, op, g)")
    namespace.update(_BoundOp=BoundOp, _general=_propagate_one)
    source = "\n".join(lines)
    exec(source, namespace)  # noqa: S102 - built from our own op table, never from user input
    loop = namespace["_propagate_floats"]
    loop.source = source  # for the curious: print(autograd_lite.value._propagate_floats.source)
    return loop  # type: ignore[no-any-return]


def _propagate_one(node: Value, op: Any, g: float) -> None:
    # Any op through its rule as a function: variadic ops, ops made at run time.
    for parent, d in zip(node.parents, local_derivatives(node)):
        parent.grad += g * d


def _propagate_graph(order: list[Value]) -> None:
    # The same chain rule, with Values in and out: backward(create_graph=True).
    for node in reversed(order):
        op = node._op
        g = node.grad
        if op.arity == 2:
            a = node._a
            b = node._b
            da, db = op.local(node, a, b)
            a.grad += g * da
            b.grad += g * db
        elif op.arity == 1:
            x = node._a
            x.grad += g * op.local(node, x)
        else:
            parents = node._a
            for p, d in zip(parents, op.local(node, parents)):
                p.grad += g * d


_propagate_floats = _compile_float_loop()
