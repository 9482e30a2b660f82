"""Animations for slides (issue 25): the backward pass as GIF, APNG and MP4, and --animate."""

from __future__ import annotations

import itertools
import sys

import pytest

from autograd_lite import Value, backward_steps
from autograd_lite.cli import main
from autograd_lite.views import animation
from autograd_lite.views.animation import (
    FRAME_SIZES,
    AnimationNeedsExtra,
    animation_frames,
)

from .conftest import require_program
from .test_viz import neuron as classic_neuron

Image = pytest.importorskip("PIL.Image", reason="the animation extra: pip install '.[animation]'")


@pytest.fixture(autouse=True)
def _dot():
    require_program("dot")


def neuron():
    return classic_neuron()[0]


def small():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    y.label = "y"
    return y


def frames_of(path):
    """Each frame of an animated GIF or PNG as RGB, and its duration in ms."""
    with Image.open(path) as image:
        out = []
        for k in range(image.n_frames):
            image.seek(k)
            out.append((image.convert("RGB"), image.info.get("duration")))
    return out


def drawing_box(frame):
    """The box of everything drawn above the caption band (non-white pixels)."""
    width, height = frame.size
    band = animation._caption_metrics(width, height)[2]
    top = frame.crop((0, 0, width, height - band))
    inverted = Image.eval(top.convert("L"), lambda v: 255 - v)
    return inverted.point(lambda v: 255 if v > 8 else 0).getbbox()


@pytest.mark.parametrize("suffix", [".gif", ".apng"])
def test_one_frame_per_step_at_the_presets_size_with_the_last_held(tmp_path, suffix):
    steps = backward_steps(neuron())
    path = steps.save_animation(tmp_path / f"neuron{suffix}", frame_ms=500, hold_ms=3000)
    frames = frames_of(path)
    # documented: the inputs, each forward step, the seed, each backward step
    assert len(frames) == 2 * len(steps) + 2
    assert {f.size for f, _ in frames} == {FRAME_SIZES["slide"]} == {(1920, 1080)}
    durations = [d for _, d in frames]
    assert durations[:-1] == [500] * (len(frames) - 1) and durations[-1] == 3000
    first, last = frames[0][0], frames[-1][0]
    assert first.tobytes() != last.tobytes()
    # one layout: the drawing stands in the same place on every frame (labels change, nodes stay)
    # (a label a little wider than its node's room may stick out by a pixel or two)
    boxes = [drawing_box(f) for f, _ in frames]
    assert all(abs(a - b) <= 2 for box in boxes for a, b in zip(box, boxes[0]))


def test_frames_change_step_by_step_and_every_preset_has_its_size():
    steps = backward_steps(small())
    for size in ("half-slide", "laptop"):
        frames = animation_frames(steps, size=size)
        assert len(frames) == 2 * len(steps) + 2
        assert all(f.size == FRAME_SIZES[size] for f in frames)
        assert all(a.tobytes() != b.tobytes() for a, b in itertools.pairwise(frames))


def _dark_rows(image, threshold=110):
    gray = image.convert("L")
    width = gray.width
    data = gray.tobytes()
    return [y for y in range(gray.height) if min(data[y * width:(y + 1) * width]) < threshold]


def _runs(rows):
    runs, start = [], None
    for a, b in zip([None, *rows], [*rows, None]):
        if start is None:
            start = b
        elif b is None or b != a + 1:
            runs.append(a - start + 1)
            start = b
    return runs


def test_text_is_legible_on_a_slide():
    """The caption's title is at least 24 px tall at 1080 p (about 18 pt on a projected slide) and
    the graph is enlarged to fill its part of the frame, so its 11 pt labels grow with it."""
    steps = backward_steps(small())
    frame = animation_frames(steps)[-1]
    width, height = frame.size
    band = animation._caption_metrics(width, height)[2]
    caption = frame.crop((0, height - band, width, height))
    lines = _runs(_dark_rows(caption))
    assert len(lines) >= 3  # a title and detail lines
    assert max(lines) >= 24  # the title's glyphs, ascender to descender, in pixels
    assert min(lines) >= 14
    left, top, right, bottom = drawing_box(frame)
    room_width, room_height = width, height - band
    assert (right - left) >= 0.85 * room_width or (bottom - top) >= 0.85 * room_height


def test_mp4_repeats_frames_to_last_their_time(tmp_path):
    imageio = pytest.importorskip("imageio.v2")
    steps = backward_steps(small())
    path = steps.save_animation(tmp_path / "small.mp4", size="half-slide", frame_ms=300, hold_ms=1000, fps=10)
    reader = imageio.get_reader(path)
    frames = [f for f in reader]
    reader.close()
    assert len(frames) == (2 * len(steps) + 1) * 3 + 10
    assert frames[0].shape[:2] == FRAME_SIZES["half-slide"][::-1]


def test_bad_requests_are_clear(tmp_path):
    steps = backward_steps(small())
    with pytest.raises(ValueError, match=r"must end in \.gif, \.apng, \.mp4"):
        steps.save_animation(tmp_path / "x.avi")
    with pytest.raises(ValueError, match="the presets are slide"):
        steps.save_animation(tmp_path / "x.gif", size="poster")
    with pytest.raises(ValueError, match="frame_ms takes milliseconds"):
        steps.save_animation(tmp_path / "x.gif", frame_ms=0)
    with pytest.raises(ValueError, match="fps takes a whole number"):
        steps.save_animation(tmp_path / "x.mp4", fps=0.5)
    with pytest.raises(ValueError, match="has 2 steps and animations stop at 1"):
        steps.save_animation(tmp_path / "x.gif", max_steps=1)
    with pytest.raises(OSError, match="cannot write the animation to"):
        steps.save_animation(tmp_path / "missing" / "x.gif")


def test_without_the_extra_the_message_names_it(monkeypatch, tmp_path):
    steps = backward_steps(small())
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if not installed
    with pytest.raises(AnimationNeedsExtra, match=r"autograd_lite\[animation\].*\.gif or \.apng"):
        steps.save_animation(tmp_path / "x.mp4")
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(AnimationNeedsExtra, match=r"Pillow.*pip install 'autograd_lite\[animation\]'"):
        steps.save_animation(tmp_path / "x.gif")
    assert not list(tmp_path.iterdir())
    assert isinstance(AnimationNeedsExtra("x"), ImportError)


def test_cli_animates_the_same_expression_as_html(tmp_path, capsys):
    path = tmp_path / "steps.gif"
    status = main(["sigmoid(x) * log(y)", "x=0.5", "y=3", "--animate", str(path), "--size", "half-slide",
                   "--frame-ms", "400", "--hold-ms", "2000"])
    out = capsys.readouterr().out
    assert status == 0 and f"wrote {path}" in out
    frames = frames_of(path)
    assert len(frames) == 2 * 3 + 2  # three ops
    assert frames[0][0].size == FRAME_SIZES["half-slide"] and frames[-1][1] == 2000


@pytest.mark.parametrize(("args", "message"), [
    (["--animate", "out.avi"], "the suffix names the format; use one of .gif, .apng, .mp4"),
    (["--animate", "out.gif", "--size", "6"], "--animate takes a --size preset"),
    (["--animate", "out.gif", "--hold-ms", "-1"], "--hold-ms takes milliseconds"),
])
def test_cli_refuses_bad_animation_options(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["x * 2", "x=1", *args]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_cli_without_the_extra_says_which_to_install(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    status = main(["x * 2", "x=1", "--animate", str(tmp_path / "a.gif")])
    captured = capsys.readouterr()
    assert status == 1
    assert "f = x * 2" in captured.out or "= 2" in captured.out  # the results are printed all the same
    assert "autograd_lite[animation]" in captured.err and "Traceback" not in captured.err


def test_readme_states_the_frame_sizes_and_the_step_limit():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name, (width, height) in FRAME_SIZES.items():
        assert f'`"{name}"` {width} × {height}' in readme
    assert f"animations stop\nat {animation.MAX_ANIMATION_STEPS} steps" in readme
    assert "2 × len(steps) + 2" in readme and "pip install -e '.[animation]'" in readme
