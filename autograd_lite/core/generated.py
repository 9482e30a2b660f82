"""Generated code that can be read and debugged: compiled under a real name and kept in linecache.

The engine writes some of its own Python: a rule's text becomes a function
(:mod:`autograd_lite.core.rules`), the fast backward loop is pasted together
from the table's rules (:mod:`autograd_lite.fast.fastpath`), and
:func:`~autograd_lite.compile` writes a graph out as a program. Each piece is
compiled here under a file name that says what it is, and its text is put in
:mod:`linecache`, so a traceback from inside it shows the line that failed,
``pdb`` can step through it, and :func:`inspect.getsource` returns it.

Example:
    >>> import inspect
    >>> namespace = compile_generated("def twice(x):\\n    return 2 * x\\n", "an example", {})
    >>> namespace["twice"](21)
    42
    >>> print(inspect.getsource(namespace["twice"]), end="")
    def twice(x):
        return 2 * x
    >>> namespace["twice"].__code__.co_filename
    '<autograd_lite generated: an example>'
"""

from __future__ import annotations

import linecache
from typing import Any

__all__ = ["compile_generated", "forget_generated", "generated_filename"]


def generated_filename(what: str) -> str:
    """The file name tracebacks show for generated code: ``<autograd_lite generated: WHAT>``."""
    return f"<autograd_lite generated: {what}>"


def compile_generated(source: str, what: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Run ``source`` (our own generated code, never user input) in ``namespace``; returns the namespace.

    ``what`` names the code (``"the rule of sigmoid"``); the same name given
    twice keeps the newer text, as re-running a cell in Jupyter does.
    """
    filename = generated_filename(what)
    if not source.endswith("\n"):
        source += "\n"
    # An mtime of None marks the entry as having no file behind it, so
    # linecache.checkcache() (which tracebacks call) keeps it.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own generated source
    return namespace


def forget_generated(what: str) -> None:
    """Drop the text of generated code named ``what`` from linecache (its function is gone)."""
    linecache.cache.pop(generated_filename(what), None)
