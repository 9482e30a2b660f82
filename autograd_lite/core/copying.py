"""Copies and pickles of whole graphs, of any depth, without recursion.

``copy.deepcopy(v)`` and ``pickle.dumps(v)`` of a :class:`~autograd_lite.core.value.Value`
reach its whole graph: every node it was computed from, and the graphs of
grads that are Values (``backward(create_graph=True)``). Python's own way
would recurse once per node and overflow the stack on a deep chain; here both
walk the graph with an explicit stack, so a chain a million nodes deep copies
like a short one. What comes back has the same numbers, grads, labels, scopes,
parent structure (``a * a`` still has one parent twice) and op entries: an op
pickles as its name in the table, a bound op as its name and parameters, and
both come back as the very entries of this process's table.

Several Values in one ``copy.deepcopy`` or one ``pickle.dumps`` call (a list of
outputs, a model's parameters) share what they shared before: a node used by
two of them is one node in the copy. Separate calls make separate copies.

Refused, with a :class:`pickle.PicklingError` that says so: an op that is not
an entry of the table by its name (a custom op must be in the table, under
the same name, wherever the pickle is loaded).

Example:
    >>> import copy, pickle
    >>> from autograd_lite import Value
    >>> x = Value(3.0, label="x"); y = x * x + 1
    >>> y.backward()
    >>> z = pickle.loads(pickle.dumps(y))
    >>> z.data, z.parents[0].parents[0].label, z.parents[0].parents[0].grad
    (10.0, 'x', 6.0)
    >>> z.op_entry is y.op_entry
    True
    >>> c = copy.deepcopy(y); c.parents[0].parents[0] is c.parents[0].parents[1]   # x * x
    True
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from .ops import VARIADIC

__all__ = ["copy_node", "deepcopy_graph", "reduce_node"]


def _parents(node: Any) -> tuple[Any, ...]:
    op = node._op
    if op is None:
        return ()
    if op.arity == VARIADIC:
        return node._a  # type: ignore[no-any-return]
    return (node._a,) if op.arity == 1 else (node._a, node._b)


# --- copy.copy and copy.deepcopy ----------------------------------------------------

def copy_node(node: Any) -> Any:
    """``copy.copy`` of a Value: a new node with the same data, grad, label, op and parents."""
    copy = object.__new__(node.__class__)
    copy.data, copy.grad, copy._op, copy._tag, copy._mark = node.data, node.grad, node._op, node._tag, None
    copy._a, copy._b = node._a, node._b
    return copy


# --- copy.deepcopy (old) -------------------------------------------------------------

def deepcopy_graph(root: Any, memo: dict[int, Any]) -> Any:
    """``copy.deepcopy`` of a Value: its whole graph, once, in ``memo``."""
    cls = root.__class__
    # 1. every node not copied yet: through parents, and through grads that are Values
    found = []
    stack = [root]
    seen = {id(root)}
    while stack:
        node = stack.pop()
        found.append(node)
        grad = node.grad
        for other in (*_parents(node), grad) if grad.__class__ is cls else _parents(node):
            if id(other) not in seen and id(other) not in memo:
                seen.add(id(other))
                stack.append(other)
    # 2. an empty node for each, so that 3. can link them in any order
    for node in found:
        memo[id(node)] = object.__new__(node.__class__)
    for node in found:
        copy = memo[id(node)]
        copy.data = node.data
        grad = node.grad
        copy.grad = memo[id(grad)] if grad.__class__ is cls else grad
        copy._op = node._op  # table entries are shared, never copied
        copy._tag = node._tag  # a str, or a ScopeTag that is replaced, never changed
        copy._mark = None
        a = node._a
        if node._op is None:  # a leaf: None, or the marker of a constant (node.CONSTANT)
            copy._a = a
        elif a.__class__ is tuple:  # a variadic node; softmax's outputs share one tuple
            shared = memo.get(id(a))
            if shared is None:
                shared = memo[id(a)] = tuple(memo[id(p)] for p in a)
                memo.setdefault(id(memo), []).append(a)  # keep the key's object alive, as copy does
            copy._a = shared
        else:
            copy._a = memo[id(a)]
        b = node._b
        copy._b = None if b is None else memo[id(b)]
    return memo[id(root)]


# --- pickle ----------------------------------------------------------------------
#
# Pickle saves an object's arguments before it memoizes the object, so a node
# whose parents are not saved yet makes pickle recurse into them: once per node
# along a chain. So a node is reduced to its plain form (its data, op and
# parents) only when all its parents are saved already. Any other node hands
# pickle, first, a flat list of everything it depends on that is not saved yet,
# parents before children (its *prelude*): each of those then finds its own
# parents saved. The nodes saved so far are kept per thread (*done*). Pickle
# gives no sign where one dump ends and the next begins, so a node asked for
# again although done means a new dump: then the record is forgotten and that
# node starts afresh with a prelude. A stale record can cost a walk, never a
# wrong node and never a deep recursion.


class _Session(threading.local):
    def __init__(self) -> None:
        self.done: weakref.WeakSet[Any] = weakref.WeakSet()


_session = _Session()


def reduce_node(node: Any) -> tuple[Any, ...]:
    """``Value.__reduce_ex__``: how pickle rebuilds one node (see the comment above)."""
    session = _session
    if node in session.done:  # saved already, yet asked for again: a new dump
        session.done = weakref.WeakSet()
    done = session.done
    done.add(node)
    if all(parent in done for parent in _parents(node)):
        return _plain(node)
    prelude = _prelude(node, done)
    _, args, *state = _plain(node)
    return (_root, (prelude, *args), *state)


def _prelude(root: Any, done: weakref.WeakSet[Any]) -> list[Any]:
    """The nodes ``root`` needs that are not saved yet, parents before children."""
    order = []
    visited = {id(root)}
    stack: list[tuple[Any, bool]] = [(p, False) for p in reversed(_parents(root))]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in visited and node not in done:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(_parents(node)))
    return order


def _plain(node: Any) -> tuple[Any, ...]:
    op = node._op
    a, b = node._a, node._b  # for a leaf: None, or the marker of a constant, which pickles by name
    args = (node.__class__, node.data, node._tag, op, a, b)
    grad = node.grad
    if grad.__class__ is node.__class__:  # a Value: set after the node exists, as it may use the node
        return (_node, (*args, 0.0), (None, {"grad": grad}))
    return (_node, (*args, grad))


def _node(cls: type, data: float, tag: Any, op: Any, a: Any, b: Any, grad: Any) -> Any:
    node: Any = object.__new__(cls)
    node.data = data
    node.grad = grad
    node._tag = tag
    node._op = op
    node._a = a
    node._b = b
    node._mark = None
    return node


def _root(prelude: list[Any], *args: Any) -> Any:
    return _node(*args)  # the prelude's nodes are rebuilt, and linked as parents, already
