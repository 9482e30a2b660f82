"""Toy data sets: deterministic, the right shapes and classes, clear errors."""

from __future__ import annotations

import math

import pytest

from autograd_lite.datasets import (
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    train_test_split,
)

GENERATORS = [
    (make_moons, {"n": 101, "noise": 0.1}, 2),
    (make_circles, {"n": 100, "noise": 0.05}, 2),
    (make_blobs, {"n": 90, "k": 4}, 4),
    (make_spirals, {"n": 150, "k": 3}, 3),
]


@pytest.mark.parametrize(("make", "kwargs", "k"), GENERATORS, ids=lambda v: getattr(v, "__name__", ""))
def test_shapes_classes_and_determinism(make, kwargs, k):
    X, y = make(seed=7, **kwargs)
    assert len(X) == len(y) == kwargs["n"]
    assert all(len(p) == 2 and all(isinstance(v, float) and math.isfinite(v) for v in p) for p in X)
    assert sorted(set(y)) == list(range(k))
    counts = [y.count(c) for c in range(k)]
    assert max(counts) - min(counts) <= 1  # balanced
    assert make(seed=7, **kwargs) == (X, y)
    assert make(seed=8, **kwargs) != (X, y)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(n=50, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        centre = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.isclose(math.hypot(a - centre[0], b - centre[1]), 1.0, rel_tol=1e-12)
        assert (b >= -1e-12) if label == 0 else (b <= 0.5 + 1e-12)


def test_circles_without_noise_have_their_radii():
    X, y = make_circles(n=40, noise=0.0, factor=0.3, seed=0)
    for (a, b), label in zip(X, y):
        assert math.isclose(math.hypot(a, b), 1.0 if label == 0 else 0.3, rel_tol=1e-12)


def test_train_test_split_partitions_the_data():
    X, y = make_blobs(n=20, k=2, seed=1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=3)
    assert len(X_test) == 5 and len(X_train) == 15
    pairs = sorted(zip(map(tuple, X_train + X_test), y_train + y_test))
    assert pairs == sorted(zip(map(tuple, X), y))
    assert train_test_split(X, y, seed=3) == train_test_split(X, y, seed=3)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: make_moons(n=1), "n must be a whole number ≥ 2"),
    (lambda: make_moons(n=10.5), "n must be a whole number"),
    (lambda: make_moons(noise=-1), "noise must be a finite number ≥ 0"),
    (lambda: make_circles(factor=1.5), "factor must be between 0 and 1"),
    (lambda: make_blobs(k=0), "k must be a whole number ≥ 1"),
    (lambda: make_spirals(noise=float("inf")), "noise must be a finite number"),
    (lambda: train_test_split([[1.0]], [1, 2]), "same length"),
    (lambda: train_test_split([[1.0]] * 4, [0] * 4, test_fraction=1.0), "test_fraction must be between"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- names and the character tokenizer ---------------------------------------------------


def test_names_ship_with_the_package_lower_case_and_unique():
    from autograd_lite.datasets import names

    words = names()
    assert len(words) == 5163 == len(set(words))
    assert all(w.isascii() and w.isalpha() and w.islower() and 2 <= len(w) <= 11 for w in words)
    assert words == sorted(words) and {"mary", "james", "zoe"} <= set(words)
    shuffled = names(seed=1)
    assert sorted(shuffled) == words and shuffled != words and shuffled == names(seed=1)


def test_names_file_keeps_its_source_note():
    from importlib import resources

    text = resources.files("autograd_lite").joinpath("data/names.txt").read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("public domain" in line for line in header) and any("1990" in line for line in header)


def test_char_tokenizer_round_trips_every_name_with_bos_at_both_ends():
    from autograd_lite.datasets import CharTokenizer, names

    words = names()
    tok = CharTokenizer(words)
    assert tok.chars == "abcdefghijklmnopqrstuvwxyz" and tok.bos == 26 and tok.vocab_size == 27
    for w in words:
        ids = tok.encode(w, bos=True)
        assert ids[0] == ids[-1] == tok.bos and tok.bos not in ids[1:-1]
        assert tok.decode(ids) == w == tok.decode(tok.encode(w))


def test_char_tokenizer_errors_say_what_is_accepted():
    from autograd_lite.datasets import CharTokenizer

    tok = CharTokenizer(["ab"])
    with pytest.raises(ValueError, match="'z' is not in this tokenizer's characters 'ab'"):
        tok.encode("az")
    with pytest.raises(ValueError, match="not a token id .they are 0 to 2"):
        tok.decode([0, 3])
    with pytest.raises(TypeError, match="not one string"):
        CharTokenizer("abc")
    with pytest.raises(TypeError, match="texts .str., got int"):
        CharTokenizer(["a", 1])
    with pytest.raises(ValueError, match="at least one character"):
        CharTokenizer([""])
