"""Collapsed pictures laid out as a learner reads them (issue 22, item 6's pictures).

A sequence model's positions (``pos0, pos1, …``, each reading the ones
before it) share one rank, in reading order; a chain of stages (layers
``L0 → L1 → L2``) keeps one rank per stage.
"""

from __future__ import annotations

import re

from autograd_lite import draw_dot
from autograd_lite.nn import MLP, losses
from autograd_lite.nn.gpt import GPT

from .conftest import require_program


def box_centres(svg: str) -> dict[str, tuple[float, float]]:
    """Each collapsed box's name and the centre of its outline, from Graphviz's SVG."""
    centres = {}
    for group in re.findall(r'<g id="node\d+" class="node">(.*?)</g>', svg, flags=re.DOTALL):
        name = re.search(r'font-weight="bold"[^>]*>([^<]+)</text>', group)
        outline = re.search(r'<path[^>]* d="([^"]+)"', group)
        if name and outline:
            points = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", outline[1])]
            xs, ys = points[0::2], points[1::2]
            centres[name[1]] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return centres


def test_the_positions_of_a_tiny_gpt_share_one_rank_in_reading_order():
    require_program("dot")
    model = GPT(27, block_size=8, n_embd=8, n_head=2, n_layer=1, seed=0)
    loss = model.loss([0, 5, 13, 13, 1])
    loss.backward()
    picture = draw_dot(loss, collapse=1, parameters=model.parameters())
    assert "rank=same" in picture.source
    centres = box_centres(picture.pipe(format="svg", encoding="utf-8"))
    positions = [centres[f"pos{k}"] for k in range(4)]
    assert max(x for x, _ in positions) - min(x for x, _ in positions) < 1  # one column, left to right
    assert [y for _, y in positions] == sorted(y for _, y in positions)  # pos0 first, down the column


def test_a_chain_of_layers_keeps_one_rank_per_layer():
    require_program("dot")
    model = MLP(2, [4, 4, 1], activation="tanh", seed=0)
    loss = losses.mse([model([1.0, 2.0]), model([0.5, -1.0])], [1.0, -1.0])
    loss.backward()
    picture = draw_dot(loss, collapse=2, parameters=model.parameters())
    assert "rank=same" not in picture.source
    centres = box_centres(picture.pipe(format="svg", encoding="utf-8"))
    assert centres["L0"][0] < centres["L1"][0] < centres["L2"][0]  # left to right, one stage after another


NOTEBOOK_WIDTH = 840  # px: the output area of a classic notebook (JupyterLab's is wider)


def test_every_notebook_picture_is_legible_at_notebook_width():
    import json
    from pathlib import Path

    smallest = {}
    for path in sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                svg = output.get("data", {}).get("image/svg+xml")
                if not svg:
                    continue
                svg = svg if isinstance(svg, str) else "".join(svg)
                width = float(re.search(r'<svg width="([\d.]+)pt"', svg)[1]) * 4 / 3  # pt to px
                view = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg)[1])
                scale = re.search(r'class="graph" transform="scale\(([\d.]+)', svg)
                px = min(width, NOTEBOOK_WIDTH) / view * (float(scale[1]) if scale else 1.0)
                node_text = min(float(f) for f in re.findall(r'font-size="([\d.]+)"', svg)
                                if float(f) >= 10)  # node and op text; 9 pt is edge labels and the legend
                source = "".join(cell["source"])
                key = (path.name, "mix" if "draw_dot(mix" in source else source.splitlines()[-1])
                smallest[key] = node_text * px
    assert len(smallest) >= 8
    small = {k: round(v, 1) for k, v in smallest.items() if v < 8.5}
    assert not small, small
