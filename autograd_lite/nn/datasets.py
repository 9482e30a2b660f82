"""Small toy data sets, generated in pure Python from a seed: no downloads.

Each generator returns ``(X, y)``: ``X`` a list of ``[x1, x2]`` points and
``y`` a list of integer class labels ``0 .. k-1``. The same seed always gives
the same data.

``names()`` is different: a list of 5,163 first names (the public-domain 1990
US Census list) shipped inside the package, with :class:`CharTokenizer` to
turn them into token ids for a character-level language model.

Example:
    >>> X, y = make_moons(n=100, noise=0.1, seed=1337)
    >>> len(X), len(X[0]), sorted(set(y))
    (100, 2, [0, 1])
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
    >>> len(X_train), len(X_test)
    (75, 25)
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

__all__ = ["CharTokenizer", "make_blobs", "make_circles", "make_moons", "make_spirals", "make_xor", "names",
           "train_test_split"]

Points = list[list[float]]
Labels = list[int]


def _count(n: Any, what: str, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        raise ValueError(f"{what} must be a whole number ≥ {minimum}, got {n!r}")
    return n


def _nonnegative(x: Any, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not x >= 0 or math.isinf(x):
        raise ValueError(f"{what} must be a finite number ≥ 0, got {x!r}")
    return float(x)


def _split(n: int, k: int) -> list[int]:
    # n points over k classes as evenly as possible: the first n % k get one more
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def make_moons(n: int = 100, noise: float = 0.1, seed: int | None = None) -> tuple[Points, Labels]:
    """Two interleaving half circles, as in scikit-learn's ``make_moons``.

    Class 0 is the upper moon, class 1 the lower; ``noise`` is the standard
    deviation of Gaussian noise added to each coordinate.
    """
    n = _count(n, "n", 2)
    noise = _nonnegative(noise, "noise")
    rng = random.Random(seed)
    n_upper, n_lower = _split(n, 2)
    X: Points = []
    y: Labels = []
    for k in range(n_upper):
        t = math.pi * k / max(1, n_upper - 1)
        X.append([math.cos(t), math.sin(t)])
        y.append(0)
    for k in range(n_lower):
        t = math.pi * k / max(1, n_lower - 1)
        X.append([1 - math.cos(t), 0.5 - math.sin(t)])
        y.append(1)
    return _shuffled_with_noise(X, y, noise, rng)


def make_circles(n: int = 100, noise: float = 0.05, factor: float = 0.5,
                 seed: int | None = None) -> tuple[Points, Labels]:
    """A small circle (class 1) inside a large one (class 0); ``factor`` is their size ratio."""
    n = _count(n, "n", 2)
    noise = _nonnegative(noise, "noise")
    if not isinstance(factor, (int, float)) or not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1 (the inner circle's relative size), got {factor!r}")
    rng = random.Random(seed)
    X: Points = []
    y: Labels = []
    for label, (count, radius) in enumerate(zip(_split(n, 2), (1.0, float(factor)))):
        for k in range(count):
            t = 2 * math.pi * k / count
            X.append([radius * math.cos(t), radius * math.sin(t)])
            y.append(label)
    return _shuffled_with_noise(X, y, noise, rng)


def make_blobs(n: int = 100, k: int = 3, std: float = 1.0, spread: float = 10.0,
               seed: int | None = None) -> tuple[Points, Labels]:
    """``k`` Gaussian blobs with standard deviation ``std``; centres uniform in ±``spread``."""
    n = _count(n, "n", 1)
    k = _count(k, "k", 1)
    std = _nonnegative(std, "std")
    spread = _nonnegative(spread, "spread")
    rng = random.Random(seed)
    centres = [[rng.uniform(-spread, spread), rng.uniform(-spread, spread)] for _ in range(k)]
    X: Points = []
    y: Labels = []
    for label, count in enumerate(_split(n, k)):
        cx, cy = centres[label]
        for _ in range(count):
            X.append([rng.gauss(cx, std), rng.gauss(cy, std)])
            y.append(label)
    return _shuffled_with_noise(X, y, 0.0, rng)


def make_spirals(n: int = 300, k: int = 3, noise: float = 0.2, turns: float = 1.0,
                 seed: int | None = None) -> tuple[Points, Labels]:
    """``k`` interleaved spiral arms (the CS231n classic); ``noise`` jitters the angle."""
    n = _count(n, "n", 1)
    k = _count(k, "k", 1)
    noise = _nonnegative(noise, "noise")
    rng = random.Random(seed)
    X: Points = []
    y: Labels = []
    for label, count in enumerate(_split(n, k)):
        for j in range(count):
            r = j / max(1, count - 1)
            t = (label * 2 * math.pi / k) + turns * 2 * math.pi * r + rng.gauss(0.0, noise)
            X.append([r * math.sin(t), r * math.cos(t)])
            y.append(label)
    return _shuffled_with_noise(X, y, 0.0, rng)


def make_xor(n: int = 100, noise: float = 0.1, seed: int | None = None) -> tuple[Points, Labels]:
    """Points in the four quadrants of [-1, 1]²: class 1 where x1·x2 < 0 (exclusive or of the signs).

    Each point is drawn uniformly away from the axes (|x| ≥ 0.1), then moved by
    Gaussian noise of standard deviation ``noise``; its class is decided before
    the noise, so noise can carry a point over an axis.

    Example:
        >>> X, y = make_xor(n=8, noise=0.0, seed=0)
        >>> all((a * b < 0) == (label == 1) for (a, b), label in zip(X, y))
        True
    """
    n = _count(n, "n", 1)
    noise = _nonnegative(noise, "noise")
    rng = random.Random(seed)
    X: Points = []
    y: Labels = []
    for k in range(n):
        sx, sy = (1 if k % 2 else -1), (1 if (k // 2) % 2 else -1)
        X.append([sx * rng.uniform(0.1, 1.0), sy * rng.uniform(0.1, 1.0)])
        y.append(1 if sx * sy < 0 else 0)
    return _shuffled_with_noise(X, y, noise, rng)


def train_test_split(X: Sequence[Any], y: Sequence[Any], test_fraction: float = 0.25,
                     seed: int | None = None) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Shuffle and split: ``X_train, X_test, y_train, y_test``."""
    if len(X) != len(y):
        raise ValueError(f"X and y must be the same length, got {len(X)} and {len(y)}")
    if not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}")
    order = list(range(len(X)))
    random.Random(seed).shuffle(order)
    n_test = round(len(X) * test_fraction)
    if len(X) >= 2:
        n_test = min(max(n_test, 1), len(X) - 1)  # neither part empty
    test, train = order[:n_test], order[n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def _shuffled_with_noise(X: Points, y: Labels, noise: float,
                         rng: random.Random) -> tuple[Points, Labels]:
    order = list(range(len(X)))
    rng.shuffle(order)
    if noise:
        return [[v + rng.gauss(0.0, noise) for v in X[i]] for i in order], [y[i] for i in order]
    return [X[i] for i in order], [y[i] for i in order]


# --- names, for character-level language models ---------------------------------------


def names(seed: int | None = None) -> list[str]:
    """5,163 first names, lower case a–z, from the 1990 US Census (public domain).

    The list ships inside the package (``autograd_lite/data/names.txt``, whose
    header says where it comes from): nothing is downloaded. In alphabetical
    order, or shuffled by ``seed`` when one is given.

    Example:
        >>> words = names()
        >>> len(words), words[:3], max(len(w) for w in words)
        (5163, ['aaron', 'abbey', 'abbie'], 11)
        >>> names(seed=0)[:3] == names(seed=0)[:3] != words[:3]
        True
    """
    text = resources.files("autograd_lite").joinpath("data/names.txt").read_text(encoding="utf-8")
    words = [line for line in text.splitlines() if line and not line.startswith("#")]
    if seed is not None:
        random.Random(seed).shuffle(words)
    return words


class CharTokenizer:
    """Characters to token ids and back, plus one BOS token that marks where a text starts and ends.

    The characters get ids ``0 .. n-1`` in sorted order; the BOS ("beginning of
    sequence") token is ``n``, the last id, as in Karpathy's microgpt: a name
    is trained as ``[BOS, a, n, n, a, BOS]``, and generation stops when the
    model emits BOS again.

    Example:
        >>> tok = CharTokenizer(["anna", "bob"])
        >>> tok
        CharTokenizer(4 characters 'abno' + BOS = 5 tokens)
        >>> tok.encode("bob"), tok.encode("bob", bos=True)
        ([1, 3, 1], [4, 1, 3, 1, 4])
        >>> tok.decode([4, 0, 2, 2, 0, 4])
        'anna'
    """

    def __init__(self, texts: Iterable[str]) -> None:
        if isinstance(texts, str):
            raise TypeError("CharTokenizer takes a list of texts (e.g. names()), not one string")
        chars: set[str] = set()
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"CharTokenizer takes texts (str), got {type(text).__name__}: {text!r}")
            chars.update(text)
        if not chars:
            raise ValueError("CharTokenizer needs at least one character in its texts")
        self.chars = "".join(sorted(chars))
        self._ids = {c: i for i, c in enumerate(self.chars)}
        #: the id of the BOS token (one past the characters)
        self.bos = len(self.chars)
        #: how many token ids there are: the characters and BOS
        self.vocab_size = len(self.chars) + 1

    def encode(self, text: str, bos: bool = False) -> list[int]:
        """The ids of ``text``'s characters; with ``bos``, BOS before and after."""
        if not isinstance(text, str):
            raise TypeError(f"encode takes a str, got {type(text).__name__}")
        try:
            ids = [self._ids[c] for c in text]
        except KeyError as error:
            raise ValueError(f"encode: the character {error.args[0]!r} is not in this tokenizer's "
                             f"characters {self.chars!r}") from None
        return [self.bos, *ids, self.bos] if bos else ids

    def decode(self, ids: Iterable[int]) -> str:
        """The text of token ids; BOS tokens are left out."""
        out = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < self.vocab_size:
                raise ValueError(f"decode: {i!r} is not a token id (they are 0 to {self.vocab_size - 1})")
            if i != self.bos:
                out.append(self.chars[i])
        return "".join(out)

    def __repr__(self) -> str:
        return (f"CharTokenizer({len(self.chars)} characters {self.chars!r} + BOS = "
                f"{self.vocab_size} tokens)")
