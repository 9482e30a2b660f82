"""What a node shows and how Python treats it: everything about a Value but the algorithm.

:class:`~autograd_lite.core.value.Value` inherits from :class:`Node` its names for
people (``op``, ``label``, ``scope``, ``repr``) and Python's habits:

* ``< <= > >=`` compare data, with Values or numbers, so ``max(vs)``,
  ``min(vs)`` and ``sorted(vs)`` pick Values and the gradient flows through
  the chosen one;
* ``==`` is identity (Python's default), so Values stay hashable: dict keys
  and set members, one per node;
* ``abs(v)`` is the op ``abs``; ``round(v, n)``, ``int(v)`` and ``bool(v)``
  read the data (``bool`` as in PyTorch: False only at 0.0);
* ``float(v)`` raises TypeError, and with it every ``math.*`` function on a
  Value (they call ``float``), which would silently drop the gradient. Use the
  Value's method (``v.sin()``) or autograd_lite's function; ``v.data`` is the
  explicit float.

Example:
    >>> from autograd_lite import Value
    >>> a, b = Value(2.0), Value(-3.0)
    >>> m = max(a, b); m.backward()
    >>> m is a, a.grad, b.grad, round(b, 1), int(b), bool(Value(0.0))
    (True, 1.0, 0.0, -3.0, -3, False)
"""

from __future__ import annotations

import numbers
from typing import Any

from .copying import copy_node, deepcopy_graph, reduce_node
from .ops import BoundOp, Op
from .scopes import ScopeTag

__all__ = ["CONSTANT", "Node", "method_doc"]

class _Constant:
    """The marker in a constant leaf's first-parent slot: the 2 in ``x * 2``, made from a number."""

    __slots__ = ()

    def __reduce__(self) -> str:  # copies and pickles as this very object (pickle: by its name)
        return "CONSTANT"

    def __repr__(self) -> str:
        return "CONSTANT"


CONSTANT = _Constant()


class Node:
    """The base of :class:`~autograd_lite.core.value.Value`: names for people and Python's habits.

    It has no slots of its own; Value declares them all.
    """

    __slots__ = ()
    data: float
    grad: Any
    _a: Any
    _op: Op | BoundOp | None
    _tag: Any

    @property
    def op(self) -> str | None:
        """The name of the op that made this node; None for a leaf."""
        return None if self._op is None else self._op.name

    @property
    def op_entry(self) -> Op | BoundOp | None:
        """The op table entry (with its parameters bound) that made this node."""
        return self._op

    @property
    def op_params(self) -> dict[str, Any]:
        """The op's constant parameters, e.g. ``{"alpha": 0.01}``."""
        return {} if self._op is None else dict(zip(self._op.op.params, self._op.args))

    @property
    def is_leaf(self) -> bool:
        """True for nodes made by ``Value(...)`` or from a plain number."""
        return self._op is None

    @property
    def is_constant(self) -> bool:
        """True for a leaf made from a plain number (``(x * 2).parents[1]``)."""
        return self._op is None and self._a is CONSTANT

    @property
    def label(self) -> str | None:
        """The node's name in pictures and traces, or None; settable (the node keeps its scope)."""
        tag = self._tag
        return tag.label if tag.__class__ is ScopeTag else tag  # type: ignore[no-any-return]

    @label.setter
    def label(self, label: str | None) -> None:
        if label is not None and not isinstance(label, str):
            raise TypeError(f"a label is a str or None, got {type(label).__name__}")
        tag = self._tag
        self._tag = ScopeTag(label, tag.scope, tag.shared()) if tag.__class__ is ScopeTag else label

    @property
    def scope(self) -> str | None:
        """The path of the scopes the node was built in (``"MLP/L0/L0.N3"``), or None; see :func:`scope`."""
        tag = self._tag
        return tag.scope if tag.__class__ is ScopeTag else None

    def __repr__(self) -> str:
        """``Value(data=0.5, grad=0.0)``, and the label if there is one."""
        label = "" if self.label is None else f", label={self.label!r}"
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # --- Python's habits ----------------------------------------------------
    def __lt__(self, other: Any) -> bool:
        """``a < b`` compares the data, with a Value or a number."""
        o = _data_of(other)
        return NotImplemented if o is None else self.data < o

    def __le__(self, other: Any) -> bool:
        """``a <= b`` compares the data, with a Value or a number."""
        o = _data_of(other)
        return NotImplemented if o is None else self.data <= o

    def __gt__(self, other: Any) -> bool:
        """``a > b`` compares the data, with a Value or a number."""
        o = _data_of(other)
        return NotImplemented if o is None else self.data > o

    def __ge__(self, other: Any) -> bool:
        """``a >= b`` compares the data, with a Value or a number."""
        o = _data_of(other)
        return NotImplemented if o is None else self.data >= o

    def __abs__(self) -> Any:
        """``abs(a)``: the op ``abs``, |a|, local derivative sign(a) (0 at 0)."""
        return self.abs()  # type: ignore[attr-defined]

    def __float__(self) -> float:
        """Refused: ``float(v)``, and so ``math.sin(v)``, would drop the gradient."""
        raise TypeError("float(v) and math functions (math.sin(v), math.exp(v), ...) would drop the "
                        "gradient: use the Value's method (v.sin(), v.exp(), ...) or autograd_lite's "
                        "function (autograd_lite.sin(v)); v.data is the explicit float")

    def __int__(self) -> int:
        """``int(v)`` is ``int(v.data)``: a plain number, outside the graph."""
        return int(self.data)

    def __round__(self, ndigits: int | None = None) -> float:
        """``round(v, n)`` is ``round(v.data, n)``: a plain number, outside the graph."""
        return round(self.data, ndigits)

    def __bool__(self) -> bool:
        """``bool(v)`` follows the data, as in PyTorch: False only at 0.0."""
        return self.data != 0.0

    def __format__(self, spec: str) -> str:
        """``f"{v:.3f}"`` formats the data; an empty spec gives the repr."""
        return format(self.data, spec) if spec else repr(self)

    # --- copies and pickles: the whole graph, any depth (autograd_lite.core.copying) --
    def __copy__(self) -> Any:
        """``copy.copy(v)``: one new node with the same data, grad, label, op and parents."""
        return copy_node(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        """``copy.deepcopy(v)``: a copy of v's whole graph (and of grads that are Values)."""
        return deepcopy_graph(self, memo)

    def __reduce_ex__(self, protocol: Any) -> Any:
        """``pickle.dumps(v)``: v's whole graph, without recursion; ops by their names."""
        return reduce_node(self)




def _data_of(x: Any) -> float | None:
    if isinstance(x, Node):
        return x.data
    return x if isinstance(x, numbers.Real) else None  # type: ignore[return-value]


def method_doc(op: Op, call: str, example: str, result: Any) -> str:
    """The docstring of an operator or method made from the op table: formula, local derivative, example."""
    parts = "; ".join(f"∂/∂{w} = {d}" for w, d in op.derivative_texts())
    return (f"``{call}``: {op.forward_text()} (op ``{op.name}``); local derivative {parts}."
            f"\n\nExample:\n    >>> {example}.data\n    {result!r}\n")
