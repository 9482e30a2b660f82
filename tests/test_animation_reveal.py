"""The animation reveals the backward pass as the page does (review finding 2).

A local derivative labels its edge from the backward step that computes it
on, never from the seed frame; a node's op and edges turn red only at its own
step; and each backward caption has the step's local rule with its numbers,
as ``--steps`` prints it.
"""

from __future__ import annotations

import re

import pytest

from autograd_lite import Value, backward_steps
from autograd_lite.views import animation
from autograd_lite.views.pictures import _ACTIVE

from .conftest import require_program

pytest.importorskip("PIL.Image", reason="the animation extra: pip install '.[animation]'")


def relu_graph():
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    y = (x * w).relu()
    y.label = "y"
    return backward_steps(y)


def _frame_sources(steps, monkeypatch):
    """The DOT text of every frame, as the animation hands it to Graphviz."""
    sources: list[str] = []
    render = animation._render

    def spy(source, dpi):
        sources.append(source)
        return render(source, dpi)

    monkeypatch.setattr(animation, "_render", spy)
    animation.animation_frames(steps, size="half-slide")
    return sources


def _labelled_edges(source: str) -> set[str]:
    return set(re.findall(r'label="(∂[^"\\]*)', source))


def test_each_local_derivative_appears_at_the_step_that_computes_it(monkeypatch):
    require_program("dot")
    steps = relu_graph()
    sources = _frame_sources(steps, monkeypatch)
    assert len(sources) == 2 * len(steps) + 2  # inputs, 2 forward, seed, 2 backward
    inputs, forward1, forward2, seed, step0, step1 = sources
    for source in (inputs, forward1, forward2, seed):
        assert _labelled_edges(source) == set()
    assert _labelled_edges(step0) == {"∂y/∂t1"}  # relu's step: only its own edge
    assert _labelled_edges(step1) == {"∂y/∂t1", "∂t1/∂x", "∂t1/∂w"}
    # red: at the seed only the output node, not the edge into relu; then each step's own edges
    red_edges = [len(re.findall(rf'->[^\n]*color="{_ACTIVE}"', s)) for s in (seed, step0, step1)]
    assert red_edges == [0, 2, 3]  # relu: t1 -> relu, relu -> y; ×: x -> ×, w -> ×, × -> t1
    assert f'color="{_ACTIVE}"' in seed  # the output is marked where backward starts


def test_backward_captions_give_the_local_rule_with_numbers():
    steps = relu_graph()
    frames = animation._pass_frames(steps)
    relu_step, mul_step = frames[-2].caption.lines, frames[-1].caption.lines
    assert relu_step[0].startswith("upstream")
    assert any(line.startswith("local") and "∂y/∂t1 = 1 if t1 > 0 else 0" in line and line.endswith("= 1")
               for line in relu_step)
    assert any(line.startswith("chain") for line in relu_step)
    assert [line.split()[0] for line in mul_step] == ["upstream", "local", "chain", "local", "chain"]
    assert "∂t1/∂x = w = 3" in mul_step[1]
