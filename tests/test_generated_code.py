"""Code the engine writes for itself can be read and debugged like the rest.

The rule callables, the fast backward loop and compiled programs are compiled
under file names that say what they are and kept in linecache: tracebacks show
the failing line, ``inspect.getsource`` returns the text, and no function
reports another's source as its own.
"""

from __future__ import annotations

import inspect
import traceback

import pytest

from autograd_lite import OPS, Value, compile, define_op, remove_op
from autograd_lite.core import value as plain
from autograd_lite.fast import fastpath


def test_a_rule_written_as_text_has_its_text_as_source():
    rule = OPS["sigmoid"].rule
    assert "out * (1.0 - out)" in inspect.getsource(rule)
    assert rule.__code__.co_filename == "<autograd_lite generated: the rule of sigmoid>"


def test_a_traceback_from_inside_a_rule_shows_the_rule():
    define_op(name="brittle", forward=lambda x: x, derivative="1.0 / (x - x)")
    try:
        x = Value(2.0, label="x")
        with pytest.raises(ZeroDivisionError) as caught:
            x.brittle().backward()
        text = "".join(traceback.format_exception(caught.value))
        assert "the rule of brittle" in text or "fast backward loop" in text
        assert "1.0 / (x - x)" in text  # the line that failed, shown where it failed
    finally:
        remove_op("brittle")


def test_the_fast_backward_loop_is_source_that_inspect_and_pdb_can_read():
    loop = fastpath.propagate_floats
    assert inspect.getsource(loop) == loop.source + "\n"
    assert "fast backward loop" in loop.__code__.co_filename


def test_a_compiled_program_is_source_that_inspect_can_read():
    x = Value(2.0, label="x")
    program = compile(x * x + 1, [x])
    assert inspect.getsource(program.function).rstrip() == program.source.rstrip()
    assert program(3.0).value == 10.0


def test_the_fast_operators_report_their_own_source_not_value_py():
    """No __wrapped__: inspect shows the code that runs, in the file it lives in."""
    assert not hasattr(Value.__add__, "__wrapped__")
    assert inspect.getsourcefile(Value.__add__) == inspect.getsourcefile(fastpath)
    fastpath.uninstall()
    try:
        assert inspect.getsourcefile(Value.__add__) == inspect.getsourcefile(plain)
    finally:
        fastpath.install()
