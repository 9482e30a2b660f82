"""Scopes: ``with scope("block0/attn"):`` names the part of a model a node belongs to.

Every node built inside the ``with`` block carries the scope's full path
(``Value.scope``), so pictures and traces can group a neuron's or a layer's
nodes and draw them as one box. A node keeps its label and its scope in one
slot (``_tag``): a bare label (a str, or None) outside every scope, or a
:class:`ScopeTag` inside one, shared by all the unlabelled nodes of that scope.
That is why a scope costs no bytes per node and no time when none is open.

Example:
    >>> from autograd_lite import Value, scope
    >>> with scope("block0"), scope("attn/head1") as path:
    ...     y = Value(2.0) * 3
    >>> path, y.scope
    ('block0/attn/head1', 'block0/attn/head1')
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["ScopeTag", "follow", "scope"]


class ScopeTag:
    """The label and scope of a node built inside a scope (its ``_tag`` slot).

    The unlabelled nodes of one entry into a scope share one tag; a labelled
    node gets a tag of its own whose ``call`` is that shared tag, so pictures
    still tell which entry (which neuron call, which position) it belongs to.
    """

    __slots__ = ("call", "label", "scope")

    def __init__(self, label: str | None, scope: str, call: ScopeTag | None = None) -> None:
        self.label = label
        self.scope = scope
        self.call = call  # None: this tag is the shared one

    def shared(self) -> ScopeTag:
        """The tag of the scope entry the node was built in, whatever its label."""
        return self.call or self

    def __repr__(self) -> str:
        return f"ScopeTag(label={self.label!r}, scope={self.scope!r})"


# The innermost open scope as the tag its unlabelled nodes share; None when no
# scope is open. Each module that builds nodes keeps a copy in its own global
# ``_scope_tag`` (see follow), so building a node reads it with one global lookup.
_current: ScopeTag | None = None
_followers: list[dict[str, Any]] = []


def follow(namespace: dict[str, Any]) -> None:
    """Keep ``namespace["_scope_tag"]`` (a module's globals) equal to the current scope's tag."""
    namespace["_scope_tag"] = _current
    _followers.append(namespace)


def _set_current(tag: ScopeTag | None) -> None:
    global _current
    _current = tag
    for namespace in _followers:
        namespace["_scope_tag"] = tag


@contextmanager
def scope(name: str) -> Iterator[str]:
    """Tag every node built inside the ``with`` block with the scope's path.

    Scopes nest, and a name with slashes opens several levels at once:
    ``scope("block0/attn/head1")`` is three nested scopes. A node's
    ``Value.scope`` is the full path of the scopes open when it was built,
    e.g. ``"MLP/L0/L0.N3"``; ``with`` yields that path.

    The current scope is process-wide, not per thread: a graph built in one
    thread while another thread has a scope open gets that scope. A scope
    costs nothing when none is open (no bytes per node, no slower ops).

    Example:
        >>> from autograd_lite import Value, scope
        >>> x = Value(2.0, label="x")
        >>> with scope("layer1"):
        ...     with scope("neuron0/act") as path:
        ...         y = (x * 3).relu()
        >>> path, y.scope, x.scope
        ('layer1/neuron0/act', 'layer1/neuron0/act', None)
    """
    if not isinstance(name, str):
        raise TypeError(f"scope() takes a name (a str such as 'layer1' or 'block0/attn'), "
                        f"got {type(name).__name__}: {name!r:.40}")
    if not all(name.split("/")):
        raise ValueError(f"scope({name!r}): a scope name needs at least one character between "
                         "slashes, like 'layer1' or 'block0/attn/head1'")
    outer = _current
    path = name if outer is None else f"{outer.scope}/{name}"
    _set_current(ScopeTag(None, path))
    try:
        yield path
    finally:
        _set_current(outer)
