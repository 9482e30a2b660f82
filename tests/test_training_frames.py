"""Watching training (issue 25): fit(frames=N) records the run, fit(watch=True) shows it in Jupyter,
and the run is written as an animation for slides."""

from __future__ import annotations

import io
import itertools

import pytest

from autograd_lite.datasets import make_moons
from autograd_lite.nn import MLP, SGD, training
from autograd_lite.views.animation import FRAME_SIZES

Image = pytest.importorskip("PIL.Image", reason="the animation extra: pip install '.[animation]'")


def moons_run(epochs=40, frames=10, **options):
    X, y = make_moons(n=40, noise=0.1, seed=0)
    model = MLP(2, [8, 1], seed=0)
    history = model.fit(X, y, epochs=epochs, frames=frames, quiet=True, compile=True,
                        optimizer=SGD(model.parameters(), lr=0.2), **options)
    return model, history


def test_frames_record_the_loss_of_every_epoch_and_the_boundary_every_n():
    model, history = moons_run(epochs=40, frames=10)
    run = history.frames
    assert run.steps == [1, 10, 20, 30, 40]  # the first, every 10th, the last
    assert run.losses == history.loss
    assert len(run.boundaries) == 5
    assert all(len(grid) == training.GRID and all(len(row) == training.GRID for row in grid)
               for grid in run.boundaries)
    # the last grid is the trained model's scores: its sign is predict()'s class at each grid point
    x0, x1, y0, y1 = run.extent
    side = training.GRID
    corner = [x0 + (x1 - x0) * 0.5 / side, y1 - (y1 - y0) * 0.5 / side]  # top-left cell's centre
    assert run.boundaries[-1][0][0] == model.scores([corner])[0]
    assert run.boundaries[0] != run.boundaries[-1]  # the boundary moved
    assert moons_run(frames=None)[1].frames is None


def test_frames_without_two_inputs_keep_the_loss_only():
    X = [[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 2.0, 0.0]]
    model = MLP(3, [4, 1], seed=0)
    history = model.fit(X, [1, 0, 1], epochs=6, frames=3, quiet=True)
    assert history.frames.steps == [1, 3, 6] and history.frames.boundaries == [[], [], []]
    images = history.frames.images("laptop")
    assert len(images) == 3 and images[0].size == FRAME_SIZES["laptop"]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_frames_must_be_a_whole_number(bad):
    X, y = make_moons(n=10, seed=0)
    with pytest.raises(ValueError, match="frames must be a whole number"):
        MLP(2, [4, 1], seed=0).fit(X, y, epochs=2, frames=bad, quiet=True)


def test_a_training_animation_has_one_frame_per_recorded_step(tmp_path):
    _, history = moons_run(epochs=30, frames=10)
    path = history.frames.save_animation(str(tmp_path / "moons.gif"), size="half-slide", frame_ms=100,
                                         hold_ms=2000)
    with Image.open(path) as image:
        assert image.n_frames == len(history.frames.steps) == 4
        frames = []
        for k in range(image.n_frames):
            image.seek(k)
            frames.append((image.convert("RGB"), image.info["duration"]))
    assert all(f.size == FRAME_SIZES["half-slide"] for f, _ in frames)
    assert [d for _, d in frames] == [100, 100, 100, 2000]
    assert all(a.tobytes() != b.tobytes() for (a, _), (b, _) in itertools.pairwise(frames))
    with pytest.raises(ValueError, match="must end in"):
        history.frames.save_animation(str(tmp_path / "moons.txt"))


def test_an_empty_run_says_how_to_record_one():
    run = training.TrainingFrames([[0.0, 0.0]], [0], (0.0, 1.0, 0.0, 1.0))
    with pytest.raises(ValueError, match=r"fit\(\.\.\., frames=N\)"):
        run.images()


class _Handle:
    def __init__(self):
        self.updates = []

    def update(self, obj):
        self.updates.append(obj)


def test_watch_in_jupyter_updates_one_picture_in_place(monkeypatch, capsys):
    from IPython import display as ipython_display

    shown = []
    handle = _Handle()

    def fake_display(obj, display_id=False):
        shown.append(obj)
        return handle

    monkeypatch.setattr(training, "_in_jupyter", lambda: True)
    monkeypatch.setattr(ipython_display, "display", fake_display)
    X, y = make_moons(n=30, noise=0.1, seed=0)
    model = MLP(2, [8, 1], seed=0)
    history = model.fit(X, y, epochs=20, frames=5, watch=True, compile=True)
    assert len(shown) == 1  # one picture ...
    assert handle.updates  # ... updated in place, the last time at the end
    last = Image.open(io.BytesIO(handle.updates[-1].data))
    assert last.size == FRAME_SIZES["laptop"]
    assert capsys.readouterr().out == ""  # no progress line beside the picture
    assert history.frames.steps[-1] == 20


def test_watch_outside_jupyter_prints_progress_and_records_frames(capsys):
    X, y = make_moons(n=30, noise=0.1, seed=0)
    history = MLP(2, [8, 1], seed=0).fit(X, y, epochs=300, watch=True, compile=True)
    assert "epoch 300/300" in capsys.readouterr().out
    assert history.frames.steps[:3] == [1, 3, 6]  # every epochs/100 = 3 epochs
    with pytest.raises(TypeError, match="watch must be True or False"):
        MLP(2, [8, 1], seed=0).fit(X, y, epochs=2, watch="yes")
