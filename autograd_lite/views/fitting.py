"""Pictures that fit a size preset and stay legible: rank direction and collapse depth chosen by measuring.

``draw_dot(root, size="slide")`` leaves it to this module to choose what the
user left open (``rankdir=None``/``"auto"``, ``collapse=None``): each choice is
laid out by Graphviz once (``dot -Tplain``, small pictures only, each run under
the render timeout), and the picture keeps the most detail whose node text is
at least :data:`LEGIBLE_PT` points once shrunk into the preset. Among rank
directions, the one that fills the preset best wins. When nothing is legible,
the picture that comes closest is kept and :func:`warnings.warn` says what to do.

Graphviz shrinks a picture to fit ``size`` (never enlarges it), by the factor
``min(1, width / picture width, height / picture height)``; node text is
:data:`TEXT_PT` points before that.

Example:
    >>> scale_into((4.0, 2.0), (13.33, 7.5)), scale_into((40.0, 2.0), (13.33, 7.5))
    (1.0, 0.33325)
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import graphviz

from .render import Graph, RenderTimeout

__all__ = ["FIT_NODES", "LEGIBLE_PT", "TEXT_PT", "Candidate", "choose", "layout_inches", "scale_into"]

#: the font size of a node's text in a picture, in points, before shrinking
TEXT_PT = 11.0
#: node text smaller than this once the picture is shrunk into its size is not legible
LEGIBLE_PT = 10.0
#: pictures of more Graphviz nodes than this are not laid out to measure them: at
#: 10 pt no preset holds them (a slide holds about 100 records side by side)
FIT_NODES = 400


@dataclass
class Candidate:
    """One way to draw the picture: its rank direction, collapse depth, graph and node count."""

    rankdir: str
    collapse: int | None
    graph: Graph
    nodes: int
    inches: tuple[float, float] | None = None  # the laid-out picture's size before shrinking

    def fill(self, box: tuple[float, float]) -> float:
        """How much the picture could grow (>1) or must shrink (<1) to fill ``box``."""
        if self.inches is None:
            return 0.0
        width, height = self.inches
        return min(box[0] / max(width, 1e-6), box[1] / max(height, 1e-6))

    def text_pt(self, box: tuple[float, float]) -> float:
        """The node text's size in points once shrunk into ``box``."""
        return TEXT_PT * min(1.0, self.fill(box))


def scale_into(inches: tuple[float, float], box: tuple[float, float]) -> float:
    """The factor Graphviz shrinks a picture of ``inches`` by to fit ``box`` (at most 1)."""
    return min(1.0, box[0] / inches[0], box[1] / inches[1])


def layout_inches(graph: Graph) -> tuple[float, float]:
    """The width and height in inches of ``graph`` laid out by Graphviz, before any ``size``.

    Example:
        >>> g = Graph(); g.edge("a", "b")
        >>> width, height = layout_inches(g)
        >>> height > width
        True
    """
    plain = graph.copy()
    plain.graph_attr.pop("size", None)
    plain.graph_attr.pop("dpi", None)
    first = plain.pipe(format="plain", encoding="utf-8", quiet=True).split("\n", 1)[0].split()
    # "graph scale width height"
    return float(first[2]), float(first[3])


def choose(count: Callable[[int | None], int], build: Callable[[str, int | None], Graph],
           box: tuple[float, float], size_name: str, rankdirs: Sequence[str],
           collapses: Sequence[int | None], stacklevel: int = 3, can_collapse: bool = True) -> Candidate:
    """The way to draw with the most detail (the first of ``collapses``) whose text is legible in ``box``.

    ``count(collapse)`` is the number of Graphviz nodes drawn at that depth
    (more than :data:`FIT_NODES`: not laid out); ``build(rankdir, collapse)``
    draws it. Among ``rankdirs``, the one that fills ``box`` best wins. Without
    Graphviz's ``dot``, the first choice is returned as it is. When no choice is
    legible, the one with the largest text (or, when none could be laid out,
    the fewest nodes) is returned and a warning says what to do (``can_collapse``
    False: without advising collapse, for a graph that has no scopes to collapse).
    """
    can_measure = shutil.which("dot") is not None
    best: Candidate | None = None
    smallest: tuple[int, int | None] | None = None
    for collapse in collapses:
        nodes = count(collapse)
        if not can_measure:
            return Candidate(rankdirs[0], collapse, build(rankdirs[0], collapse), nodes)
        if smallest is None or nodes < smallest[0]:
            smallest = (nodes, collapse)
        if nodes > FIT_NODES:
            continue
        made: list[Candidate] = []
        for rankdir in rankdirs:
            candidate = Candidate(rankdir, collapse, build(rankdir, collapse), nodes)
            try:
                candidate.inches = layout_inches(candidate.graph)
            except (RenderTimeout, graphviz.CalledProcessError):
                continue  # too slow to lay out, or a layout Graphviz cannot do: another choice
            made.append(candidate)
        if not made:
            continue
        here = max(made, key=lambda c: c.fill(box))
        if here.text_pt(box) >= LEGIBLE_PT:
            return here
        if best is None or here.text_pt(box) > best.text_pt(box):
            best = here
    if best is None:
        assert smallest is not None  # collapses is never empty
        best = Candidate(rankdirs[0], smallest[1], build(rankdirs[0], smallest[1]), smallest[0])
    _warn(best, box, size_name, fixed_collapse=len(collapses) == 1, stacklevel=stacklevel + 1,
          can_collapse=can_collapse)
    return best


def _warn(chosen: Candidate, box: tuple[float, float], size_name: str, fixed_collapse: bool,
          stacklevel: int, can_collapse: bool = True) -> None:
    if chosen.inches is None:
        how = f"the picture has {chosen.nodes:,} nodes and its text cannot reach {LEGIBLE_PT:g} pt"
    else:
        how = f"its text would be {chosen.text_pt(box):.1f} pt, under {LEGIBLE_PT:g} pt"
    advice = []
    if can_collapse and (chosen.collapse is None or chosen.collapse > 1):
        advice.append("collapse it more (collapse=1 or 2)" if not fixed_collapse
                      else "leave collapse out so that it is chosen, or collapse it more (collapse=1 or 2)")
    if chosen.inches is not None:
        need = max(chosen.inches[0] * LEGIBLE_PT / TEXT_PT, 1), max(chosen.inches[1] * LEGIBLE_PT / TEXT_PT, 1)
        advice.append(f"give a bigger size (size=({need[0]:.0f}, {need[1]:.0f}) inches holds it)")
    advice.append("or draw a smaller part of the graph")
    warnings.warn(f"draw_dot: at size={size_name} {how} even at its best "
                  f"(rankdir={chosen.rankdir!r}, collapse={chosen.collapse!r}); to read it, "
                  + ", ".join(advice), stacklevel=stacklevel)
