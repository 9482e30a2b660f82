"""Animations for slides: the backward pass and a training run as GIF, APNG or MP4.

:func:`save_animation` plays a :class:`~autograd_lite.views.steps.BackwardSteps`
record the way the step-through page does: the inputs, the forward pass
filling in each node's value, the seed, then the gradients flowing back one
step at a time, each frame with its step's caption underneath.

The graph is laid out once (Graphviz's ``dot``) and every frame is drawn
from that one layout, restyled (Graphviz's ``neato -n2`` keeps the positions
it is given): nodes and edges never jump between frames.

:func:`save_training_animation` draws a training run recorded by
``fit(..., frames=N)`` (the decision boundary as a heat map with the points,
and the loss curve) the same way.

Frames are exactly the size preset's pixels (:data:`FRAME_SIZES`: ``"slide"``
is 1920 x 1080), with the caption in a band at the bottom. GIF and APNG need
Pillow, MP4 needs imageio and its ffmpeg plugin too: ``pip install
'autograd_lite[animation]'``.

Frames of a backward pass, in order: one for the inputs, one per forward
step, one for the seed, one per backward step; so ``2 * len(steps) + 2``
frames. Each is shown ``frame_ms`` and the last one ``hold_ms``. An MP4 has
a fixed frame rate (``fps``), so there each frame is repeated to last as long.

Example:
    >>> from autograd_lite import Value, backward_steps
    >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
    >>> y = (x * w).tanh(); y.label = "y"
    >>> steps = backward_steps(y)
    >>> frames = animation_frames(steps, size="half-slide")  # doctest: +SKIP
    >>> len(frames), frames[0].size  # doctest: +SKIP
    (6, (922, 1080))
    >>> steps.save_animation("backward.gif")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..core.value import Value
from .notation import format_number, plural, symbol
from .pictures import draw_graph
from .render import SIZES, Graph, GraphvizNotFound

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["FORMATS", "FRAME_SIZES", "MAX_ANIMATION_STEPS", "AnimationNeedsExtra", "TrainingRun",
           "animation_frames", "frame_size", "save_animation", "save_training_animation", "training_frames"]

#: what each file suffix writes
FORMATS = {".gif": "GIF", ".apng": "APNG", ".mp4": "MP4"}

#: animations of longer passes are refused unless ``max_steps`` says otherwise (each frame is a
#: Graphviz drawing: about a tenth of a second)
MAX_ANIMATION_STEPS = 200


def frame_size(size: str) -> tuple[int, int]:
    """The pixels of a frame at a size preset of :data:`~autograd_lite.views.render.SIZES`.

    Inches times dots per inch, rounded to even numbers (MP4 needs them).

    Example:
        >>> frame_size("slide"), frame_size("laptop")
        ((1920, 1080), (1344, 816))
    """
    if not isinstance(size, str) or size not in SIZES:
        raise ValueError(f"size {size!r} is not a preset; the presets are {', '.join(SIZES)}")
    width, height, dpi = SIZES[size]
    return 2 * round(width * dpi / 2), 2 * round(height * dpi / 2)


#: the pixels of each preset's frames
FRAME_SIZES = {name: frame_size(name) for name in SIZES}


class AnimationNeedsExtra(ImportError):
    """Writing animations needs Pillow (and imageio with ffmpeg for MP4); the message says how to get them."""


def _pillow() -> Any:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise AnimationNeedsExtra(
            "animations are drawn with Pillow, which is not installed: "
            "pip install 'autograd_lite[animation]' (Pillow for GIF and APNG, imageio and "
            "imageio-ffmpeg for MP4)") from None
    return Image, ImageDraw, ImageFont


def _imageio() -> Any:
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg  # noqa: F401 - the plugin that writes MP4
    except ImportError:
        raise AnimationNeedsExtra(
            "MP4 animations are written with imageio and its ffmpeg plugin, which are not installed: "
            "pip install 'autograd_lite[animation]' (or save a .gif or .apng, which need only Pillow)") from None
    return imageio


# --- checking what the user asked for ------------------------------------------------


def _format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the animation's format from {str(path)!r}: "
                         f"the file name must end in {', '.join(FORMATS)}")
    return FORMATS[suffix]


def _milliseconds(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 10 <= value <= 60_000:
        raise ValueError(f"{what} takes milliseconds from 10 to 60000, got {value!r}")
    return round(value)


def _check_fps(fps: Any) -> int:
    if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= 60:
        raise ValueError(f"fps takes a whole number of frames per second from 1 to 60, got {fps!r}")
    return fps


# --- one layout, many frames -----------------------------------------------------------


_EDGE = re.compile(r"^(\s*)(\S+) -> (\S+)(?: \[(.*)\])?$")


@dataclass
class _Layout:
    """Where Graphviz put everything once: node positions and sizes, edge routes, cluster boxes."""

    nodes: dict[str, tuple[str, str, str]]  # name -> (pos in points, width, height in inches)
    edges: dict[tuple[str, str], list[dict[str, str]]]  # (tail, head) -> pos and lp of each, in order
    clusters: dict[str, dict[str, str]]  # cluster name -> bb and lp
    width: float  # the drawing's size in points
    height: float

    @classmethod
    def of(cls, graph: Graph) -> _Layout:
        if shutil.which("dot") is None:
            raise GraphvizNotFound()
        done = subprocess.run(["dot", "-Tjson"], input=graph.source.encode("utf-8"),
                              capture_output=True, check=False)
        if done.returncode != 0:
            raise RuntimeError("Graphviz could not lay out the graph: "
                               + done.stderr.decode("utf-8", "replace").strip())
        laid = json.loads(done.stdout)
        names: dict[int, str] = {}
        nodes, clusters = {}, {}
        for item in laid.get("objects", []):
            names[item["_gvid"]] = item["name"]
            if "pos" in item:
                nodes[item["name"]] = (item["pos"], item["width"], item["height"])
            elif "bb" in item:
                clusters[item["name"]] = {k: item[k] for k in ("bb", "lp") if k in item}
        edges: dict[tuple[str, str], list[dict[str, str]]] = {}
        for edge in laid.get("edges", []):
            key = (names[edge["tail"]], names[edge["head"]])
            edges.setdefault(key, []).append({k: edge[k] for k in ("pos", "lp") if k in edge})
        x0, y0, x1, y1 = (float(v) for v in laid["bb"].split(","))
        return cls(nodes, edges, clusters, x1 - x0, y1 - y0)

    def pin(self, graph: Graph) -> str:
        """``graph``'s DOT text with every node, edge and cluster placed where this layout put it."""
        seen: Counter[tuple[str, str]] = Counter()
        lines = graph.source.rstrip().splitlines()
        closing = lines.pop()  # the graph's final "}"
        out = []
        for line in lines:
            match = _EDGE.match(line)
            if match:
                indent, tail, head, attrs = match.groups()
                routes = self.edges.get((tail, head), [])
                k = seen[(tail, head)]
                seen[(tail, head)] += 1
                if k < len(routes):
                    placed = " ".join(f'{name}="{value}"' for name, value in routes[k].items())
                    line = f"{indent}{tail} -> {head} [{placed}{' ' + attrs if attrs else ''}]"
            out.append(line)
        for name, (pos, width, height) in self.nodes.items():
            out.append(f'\t{name} [pos="{pos}!" width={width} height={height}]')
        for name, box in self.clusters.items():
            placed = " ".join(f'{key}="{value}"' for key, value in box.items())
            out.append(f"\tsubgraph {name} {{ graph [{placed}] }}")
        out.append(f'\tgraph [bb="0,0,{self.width:g},{self.height:g}"]')
        out.append(closing)
        return "\n".join(out) + "\n"


def _render(source: str, dpi: float) -> bytes:
    """A PNG of a graph whose positions are all given (``neato -n2``), at ``dpi``."""
    if shutil.which("neato") is None:
        raise GraphvizNotFound()
    done = subprocess.run(["neato", "-n2", "-Tpng", f"-Gdpi={dpi:.2f}"], input=source.encode("utf-8"),
                          capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        raise RuntimeError("Graphviz could not draw a frame: " + done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


# --- the caption band ------------------------------------------------------------------


def _font(pixels: int, bold: bool = False) -> Any:
    """DejaVu Sans (it has ∂, ·, → and superscripts) from the system or matplotlib, else Pillow's own."""
    _, _, ImageFont = _pillow()
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    places = [name, f"/usr/share/fonts/truetype/dejavu/{name}"]
    try:
        import matplotlib

        places.append(str(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / name))
    except ImportError:
        pass
    for place in places:
        try:
            return ImageFont.truetype(place, pixels)
        except OSError:
            continue
    return ImageFont.load_default(pixels)


@dataclass(frozen=True)
class _Caption:
    title: str
    lines: tuple[str, ...] = ()
    counter: str = ""


_CAPTION_LINES = 5  # detail lines under the title (upstream, then a local and a chain line per input of a
# two-input op); the band is the same height on every frame


def _caption_metrics(width: int, height: int) -> tuple[int, int, int]:
    """Font sizes of title and lines, and the band's height, for frames of this size.

    Scaled to the height, or to the width where the frame is narrow (a half slide).
    """
    scale = min(height, width * 0.75)
    body = max(12, round(scale / 40))
    title = max(14, round(scale / 32))
    band = round(title * 1.6 + _CAPTION_LINES * body * 1.35 + body)
    return title, body, band


def _draw_caption(canvas: Any, caption: _Caption) -> None:
    _, ImageDraw, _ = _pillow()
    width, height = canvas.size
    title_px, body_px, band = _caption_metrics(width, height)
    draw = ImageDraw.Draw(canvas)
    top = height - band
    draw.rectangle([0, top, width, height], fill="#f8fafc")
    draw.line([0, top, width, top], fill="#cbd5e1", width=max(1, height // 540))
    margin = round(width * 0.03)
    title_font, body_font = _font(title_px, bold=True), _font(body_px)
    y = top + round(body_px * 0.5)
    room = width - 2 * margin
    if caption.counter:
        counter_width = draw.textlength(caption.counter, font=body_font)
        draw.text((width - margin - counter_width, y + (title_px - body_px)), caption.counter,
                  fill="#64748b", font=body_font)
        room -= int(counter_width) + margin
    draw.text((margin, y), _fit(draw, caption.title, title_font, room), fill="#0f172a", font=title_font)
    y += round(title_px * 1.6)
    for line in caption.lines[:_CAPTION_LINES]:
        draw.text((margin, y), _fit(draw, line, body_font, width - 2 * margin), fill="#1e293b", font=body_font)
        y += round(body_px * 1.35)


def _fit(draw: Any, text: str, font: Any, room: float) -> str:
    if draw.textlength(text, font=font) <= room:
        return text
    while text and draw.textlength(text + "…", font=font) > room:
        text = text[:-1]
    return text + "…"


def _canvas(size: str) -> tuple[Any, tuple[int, int, int, int]]:
    """A white frame of the preset's size and the box (left, top, width, height) the picture may fill."""
    Image, _, _ = _pillow()
    width, height = frame_size(size)
    _, _, band = _caption_metrics(width, height)
    pad = round(height * 0.02)
    return Image.new("RGB", (width, height), "white"), (pad, pad, width - 2 * pad, height - band - 2 * pad)


def _paste_centred(canvas: Any, picture: Any, box: tuple[int, int, int, int]) -> None:
    Image, _, _ = _pillow()
    left, top, width, height = box
    if picture.width > width or picture.height > height:  # rounding in Graphviz's margins: a few pixels
        scale = min(width / picture.width, height / picture.height)
        picture = picture.resize((max(1, int(picture.width * scale)), max(1, int(picture.height * scale))),
                                 Image.LANCZOS)
    canvas.paste(picture, (left + (width - picture.width) // 2, top + (height - picture.height) // 2))


# --- the backward pass -----------------------------------------------------------------


class BackwardSteps(Protocol):
    """What an animation needs of the record of a pass (:class:`autograd_lite.views.steps.BackwardSteps`).

    Named here, not imported: the record imports this module to delegate
    ``save_animation``, and an import circle would be the result.
    """

    @property
    def order(self) -> list[Value]: ...
    @property
    def names(self) -> dict[Value, str]: ...
    @property
    def parameters(self) -> tuple[Value, ...]: ...
    @property
    def root(self) -> Value: ...

    @property
    def loss(self) -> str: ...
    def grads_at(self, k: int) -> dict[Value, float]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Any: ...


@dataclass(frozen=True)
class _GraphFrame:
    grads: Mapping[Value, Any] | None
    known: Collection[Value]
    active: Value | None
    caption: _Caption
    stepped: Collection[Value] | None = None  # the nodes whose backward step has run (None: forward)


def _pass_frames(steps: BackwardSteps) -> list[_GraphFrame]:
    """What each frame shows, in the page's order: inputs, forward, seed, backward."""
    order, names = steps.order, steps.names
    step_of = {s.node: s for s in steps}
    leaves = [n for n in order if n.is_leaf]
    ops = [n for n in order if not n.is_leaf]
    known: set[Value] = set(leaves)
    given = [f"{names[n]} = {format_number(n.data)}" for n in leaves if not n.is_constant]
    frames = [_GraphFrame(None, frozenset(known), None, _Caption(
        "Start: the inputs", (", ".join(given) or "no inputs: constants only",
                              f"The forward pass computes {plural(len(ops), 'node')} from them, each after its inputs.")))]
    for node in ops:
        known.add(node)
        inputs = ", ".join(f"{names[p]} = {format_number(p.data)}" for p in dict.fromkeys(node.parents))
        definition = step_of[node].definition
        frames.append(_GraphFrame(None, frozenset(known), node, _Caption(
            f"Forward: {definition}", (f"{definition} = {format_number(node.data)}", f"with {inputs}"))))
    loss = symbol(steps.loss)
    frames.append(_GraphFrame(steps.grads_at(-1), frozenset(known), steps.root, _Caption(
        "Backward: the seed", (f"Backward starts at the output: ∂{loss}/∂{loss} = 1.",
                               "It visits the nodes in reverse topological order, so each node's",
                               "gradient is complete before its turn comes.")), frozenset()))
    stepped: set[Value] = set()
    for s in steps:
        stepped.add(s.node)  # its local derivatives are computed at this step, and shown from now on
        receivers = ", ".join(dict.fromkeys(c.name for c in s.contributions))
        # as --steps prints it: upstream, then for each input its local rule and its chain line
        lines = [line.strip() for line in str(s).splitlines()[1:]]
        if len(lines) > _CAPTION_LINES:
            lines = [*lines[:_CAPTION_LINES - 1], f"… and {len(lines) - _CAPTION_LINES + 1} more"]
        frames.append(_GraphFrame(steps.grads_at(s.index), frozenset(known), s.node, _Caption(
            f"Backward: {s.name} sends its gradient to {receivers}", tuple(lines)), frozenset(stepped)))
    total = len(frames)
    return [_GraphFrame(f.grads, f.known, f.active,
                        _Caption(f.caption.title, f.caption.lines, f"{k + 1} / {total}"), f.stepped)
            for k, f in enumerate(frames)]


def _widest_grads(steps: BackwardSteps) -> dict[Value, Any]:
    """Per node, the gradient of all the frames whose text is longest: the layout leaves room for it."""
    widest: dict[Value, Any] = {}
    for k in range(-1, len(steps)):
        for node, g in steps.grads_at(k).items():
            if node not in widest or len(format_number(g)) > len(format_number(widest[node])):
                widest[node] = g
    return widest


def animation_frames(steps: BackwardSteps, *, size: str = "slide", rankdir: str = "LR",
                     edge_derivatives: bool = True, max_steps: int | None = MAX_ANIMATION_STEPS) -> list[Image]:
    """The frames of the pass as Pillow images, each exactly :func:`frame_size` pixels.

    ``2 * len(steps) + 2`` of them: the inputs, each forward step, the seed,
    each backward step. See :func:`save_animation`.
    """
    Image, _, _ = _pillow()
    frame_size(size)  # a clear error for a bad preset before any work
    if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1):
        raise TypeError(f"max_steps must be a whole number ≥ 1 or None (no limit), got {max_steps!r}")
    if max_steps is not None and len(steps) > max_steps:
        raise ValueError(f"the backward pass has {len(steps):,} steps and animations stop at {max_steps:,} "
                         f"(each frame takes Graphviz about a tenth of a second); pass max_steps=None "
                         "to draw it anyway, or animate a smaller expression")
    order, names, parameters = steps.order, steps.names, steps.parameters

    def picture(grads: Mapping[Value, Any] | None, known: Collection[Value] | None,
                active: Value | None, stepped: Collection[Value] | None = None) -> Graph:
        # a local derivative labels its edge from the backward step that computes it on
        # (earlier frames would give away what is not computed yet); the layout has room for them
        return draw_graph(order, names, rankdir=rankdir, parameters=parameters, grads=grads,
                          edge_derivatives=edge_derivatives and grads is not None, active=active,
                          data_known=known, derivatives_shown=stepped)

    layout = _Layout.of(picture(_widest_grads(steps), None, None))
    canvas, box = _canvas(size)
    pad = 8.0  # Graphviz draws a 4-point margin round the picture
    dpi = 72 * min(box[2] / (layout.width + pad), box[3] / (layout.height + pad))
    dpi = min(dpi, 2 * SIZES[size][2])  # a small graph is enlarged, but not without limit
    frames = []
    for frame in _pass_frames(steps):
        image = canvas.copy()
        png = _render(layout.pin(picture(frame.grads, frame.known, frame.active, frame.stepped)), dpi)
        _paste_centred(image, Image.open(io.BytesIO(png)).convert("RGB"), box)
        _draw_caption(image, frame.caption)
        frames.append(image)
    return frames


def _checked_output(path: str | Path, frame_ms: float, hold_ms: float,
                    fps: int) -> tuple[str, Any]:
    """The format (by the suffix) and the frame durations, every argument and extra checked before any drawing."""
    kind = _format_of(path)
    durations = _durations(_milliseconds(frame_ms, "frame_ms"), _milliseconds(hold_ms, "hold_ms"))
    _check_fps(fps)
    _pillow()
    if kind == "MP4":
        _imageio()
    return kind, durations


def save_animation(steps: BackwardSteps, path: str | Path, *, size: str = "slide", frame_ms: float = 900,
                   hold_ms: float = 4000, fps: int = 10, rankdir: str = "LR", edge_derivatives: bool = True,
                   max_steps: int | None = MAX_ANIMATION_STEPS) -> Path:
    """Write the pass as an animation; the suffix of ``path`` names the format (.gif, .apng, .mp4).

    Args:
        steps: the record of a backward pass (:func:`~autograd_lite.backward_steps`).
        path: where to write; ``.gif`` and ``.apng`` need Pillow, ``.mp4`` imageio
            and imageio-ffmpeg too (``pip install 'autograd_lite[animation]'``).
        size: a preset of :data:`FRAME_SIZES` (``"slide"``: 1920 x 1080 pixels).
        frame_ms: how long each frame shows, in milliseconds.
        hold_ms: how long the last frame (every gradient in place) shows.
        fps: frames per second of an MP4 (frames repeat to last ``frame_ms``).
        rankdir: the direction the graph flows (``"LR"``, ``"TB"``, ...).
        edge_derivatives: label each edge with its local derivative.
        max_steps: refuse longer passes (``None``: no limit).

    Returns the path written.

    Example:
        >>> from autograd_lite import Value, backward_steps
        >>> x = Value(0.5, label="x"); y = x.sigmoid(); y.label = "y"
        >>> backward_steps(y).save_animation("sigmoid.gif", size="half-slide")  # doctest: +SKIP
        PosixPath('sigmoid.gif')
    """
    kind, durations = _checked_output(path, frame_ms, hold_ms, fps)
    frames = animation_frames(steps, size=size, rankdir=rankdir, edge_derivatives=edge_derivatives,
                              max_steps=max_steps)
    return _write(frames, durations(len(frames)), Path(path), kind, fps)


def _durations(frame_ms: int, hold_ms: int) -> Any:
    return lambda n: [frame_ms] * (n - 1) + [hold_ms]


def _write(frames: list[Any], durations: list[int], path: Path, kind: str, fps: int) -> Path:
    try:
        if kind == "MP4":
            imageio = _imageio()
            import numpy

            with imageio.get_writer(path, format="FFMPEG", mode="I", fps=fps, codec="libx264",
                                    macro_block_size=2, pixelformat="yuv420p") as writer:
                for frame, ms in zip(frames, durations):
                    pixels = numpy.asarray(frame)
                    for _ in range(max(1, round(ms * fps / 1000))):
                        writer.append_data(pixels)
        else:
            frames[0].save(path, format="GIF" if kind == "GIF" else "PNG", save_all=True,
                           append_images=frames[1:], duration=durations, loop=0, disposal=1)
    except OSError as error:
        raise OSError(f"cannot write the animation to {str(path)!r}: {error.strerror or error}") from None
    return path


# --- a training run --------------------------------------------------------------------


class TrainingRun(Protocol):
    """What a training animation needs; ``autograd_lite.nn.training.TrainingFrames`` has it.

    ``steps[k]`` is the step of frame ``k``, ``boundaries[k]`` the model's scores
    on a grid over ``extent`` then (rows from the top, ``[]`` when the inputs
    are not 2-D), and ``losses`` the loss of every step.
    """

    @property
    def steps(self) -> Sequence[int]: ...
    @property
    def losses(self) -> Sequence[float]: ...
    @property
    def held_out(self) -> Sequence[float]: ...
    @property
    def boundaries(self) -> Sequence[Sequence[Sequence[Any]]]: ...
    @property
    def extent(self) -> tuple[float, float, float, float]: ...
    @property
    def points(self) -> Sequence[Sequence[float]]: ...
    @property
    def labels(self) -> Sequence[Any]: ...


_CLASS_COLOURS = [(37, 99, 235), (234, 88, 12), (22, 163, 74), (147, 51, 234), (219, 39, 119), (13, 148, 136)]


def _class_index(label: Any, classes: list[Any]) -> int:
    return classes.index(label) % len(_CLASS_COLOURS)


def _score_colour(score: Any, classes: int) -> tuple[int, int, int]:
    """A pale colour for a grid cell: the class the model picks there, paler where it is unsure."""
    if isinstance(score, (list, tuple)):
        best = max(range(len(score)), key=lambda k: score[k])
        ranked = sorted(score, reverse=True)
        sure = math.tanh(ranked[0] - ranked[1]) if len(ranked) > 1 else 1.0
        colour = _CLASS_COLOURS[best % len(_CLASS_COLOURS)]
    else:  # one output: the second class (orange) where it is positive, the first (blue) below zero
        sure = math.tanh(abs(score))
        colour = _CLASS_COLOURS[1] if score > 0 else _CLASS_COLOURS[0]
    mix = 0.15 + 0.45 * sure  # never the full colour: the points must stand out
    return tuple(round(255 + (c - 255) * mix) for c in colour)  # type: ignore[return-value]


def _training_frame(run: TrainingRun, k: int, size: str, classes: list[Any]) -> Any:
    Image, ImageDraw, _ = _pillow()
    canvas, (left, top, width, height) = _canvas(size)
    draw = ImageDraw.Draw(canvas)
    _, body_px, _ = _caption_metrics(*canvas.size)
    font = _font(body_px)
    step = run.steps[k]
    grid = run.boundaries[k] if k < len(run.boundaries) else []
    tall = height > width  # a portrait frame stacks the boundary over the loss curve
    panel = min(width, height // 2 - body_px) if tall else min(height, width // 2 - body_px)
    x0, x1, y0, y1 = run.extent
    if grid:  # the decision boundary as a heat map, the points on it
        rows, cols = len(grid), len(grid[0])
        binary = not isinstance(grid[0][0], (list, tuple))
        heat = Image.new("RGB", (cols, rows))
        heat.putdata([_score_colour(s, len(classes)) for row in grid for s in row])
        heat = heat.resize((panel, panel), Image.BILINEAR)
        canvas.paste(heat, (left, top))
        draw.rectangle([left, top, left + panel, top + panel], outline="#94a3b8")
        r = max(3, panel // 90)
        for point, label in zip(run.points, run.labels):
            px = left + (point[0] - x0) / (x1 - x0) * panel
            py = top + (y1 - point[1]) / (y1 - y0) * panel
            index = (1 if label == classes[-1] else 0) if binary and len(classes) == 2 else _class_index(label, classes)
            draw.ellipse([px - r, py - r, px + r, py + r], fill=_CLASS_COLOURS[index], outline="white")
    # the loss curve so far, on axes fixed for the whole run (they never rescale)
    if tall:
        plot_left, plot_top, plot_bottom = left + body_px, top + (panel + body_px if grid else 0), top + height
    else:
        plot_left, plot_top, plot_bottom = left + (panel + 2 * body_px if grid else body_px), top, top + panel
    axis_left, axis_right = plot_left + 4 * body_px, left + width - body_px
    axis_top, axis_bottom = plot_top + body_px, plot_bottom - 2 * body_px
    curves = [(run.losses, "#0f172a", "train")] + ([(run.held_out, "#ea580c", "held-out")] if run.held_out else [])
    finite = [v for values, _, _ in curves for v in values if math.isfinite(v)]
    high = max(finite) if finite else 1.0
    low = min(0.0, min(finite)) if finite else 0.0
    high = high if high > low else low + 1.0
    last = max(1, len(run.losses))
    draw.line([axis_left, axis_top, axis_left, axis_bottom, axis_right, axis_bottom], fill="#475569", width=2)
    for value in (low, (low + high) / 2, high):
        y = axis_bottom - (value - low) / (high - low) * (axis_bottom - axis_top)
        text = f"{value:.3g}"
        draw.text((axis_left - draw.textlength(text, font=font) - body_px // 2, y - body_px // 2), text,
                  fill="#475569", font=font)
    draw.text((axis_left, axis_bottom + body_px // 3), "0", fill="#475569", font=font)
    end_text = f"step {last}"
    draw.text((axis_right - draw.textlength(end_text, font=font), axis_bottom + body_px // 3), end_text,
              fill="#475569", font=font)
    legend_y = axis_top
    for values, colour, name in curves:
        shown = [v for v in values[:step] if math.isfinite(v)]
        points = [(axis_left + (i + 1) / last * (axis_right - axis_left),
                   axis_bottom - (min(v, high) - low) / (high - low) * (axis_bottom - axis_top))
                  for i, v in enumerate(shown)]
        if len(points) > 1:
            draw.line(points, fill=colour, width=max(2, body_px // 8))
        draw.text((axis_right - 8 * body_px, legend_y), f"— {name} loss", fill=colour, font=font)
        legend_y += round(body_px * 1.3)
    loss = run.losses[step - 1] if 0 < step <= len(run.losses) else float("nan")
    lines = [f"loss {loss:.4g}" + (f"   held-out loss {run.held_out[step - 1]:.4g}"
                                   if run.held_out and step <= len(run.held_out) else "")]
    if grid:
        lines.append("The background is the class the model picks at each point; the dots are the data.")
    _draw_caption(canvas, _Caption(f"Training: step {step} of {last}", tuple(lines), f"{k + 1} / {len(run.steps)}"))
    return canvas


def training_frames(run: TrainingRun, *, size: str = "slide", last_only: bool = False) -> list[Image]:
    """A training run's frames as Pillow images: the boundary with the points, the loss so far.

    ``last_only``: just the latest frame (what ``fit(watch=True)`` shows).
    """
    frame_size(size)
    _pillow()
    if not run.steps:
        raise ValueError("this run recorded no frames: train with fit(..., frames=N) to record one every N steps")
    classes = sorted(set(run.labels), key=lambda v: (str(type(v)), v))
    wanted = [len(run.steps) - 1] if last_only else range(len(run.steps))
    return [_training_frame(run, k, size, classes) for k in wanted]


def save_training_animation(run: TrainingRun, path: str | Path, *, size: str = "slide", frame_ms: float = 120,
                            hold_ms: float = 3000, fps: int = 10) -> Path:
    """Write a training run recorded by ``fit(..., frames=N)`` as GIF, APNG or MP4 (by the suffix).

    One frame per recorded step (the boundary and the loss curve so far);
    the last one shows ``hold_ms``. See :func:`save_animation` for the rest.
    """
    kind, durations = _checked_output(path, frame_ms, hold_ms, fps)
    frames = training_frames(run, size=size)
    return _write(frames, durations(len(frames)), Path(path), kind, fps)
