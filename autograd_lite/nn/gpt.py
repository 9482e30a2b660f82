"""A tiny GPT on scalar Values: the pieces of Karpathy's microgpt, as modules.

A vector is a plain list of Values. Each module owns its parameters (Values
labelled with where they live, such as ``blocks.0.attn.wq[3,5]``) and builds
its output from the op table's ops: one ``dot`` node per dot product (a
Linear layer's output, an attention score; ∂/∂w_k = x_k and ∂/∂x_k = w_k, a
node for the whole Σ_k w_k·x_k), ``pow_const`` for RMSNorm's 1/√, the table's
``softmax`` for the attention weights and ``log_softmax`` for the loss. The
model reads one position at a time, as microgpt does: a :class:`KVCache`
carries the keys and values of the positions before it, so generating a new
token costs one position, not the whole prefix again.

Every node is built inside the scope of the module that made it (see
:func:`autograd_lite.scope`): ``pos3/blocks.0/attn/head1/softmax`` is the
softmax of head 1 at position 3, and the parameters sit in their module's
scope without a position (``blocks.0/attn/wq``), so pictures can group and
collapse the graph the way the model is drawn on paper.

The architecture is microgpt's: token and position embeddings, an RMSNorm,
then per layer a pre-norm causal self-attention and a pre-norm MLP block
(``relu``, 4× wide), each added back to its input (residuals), and a linear
head to one logit per token. No biases, no learnable norm gains.

Example:
    >>> from autograd_lite.nn import GPT
    >>> model = GPT(vocab_size=5, block_size=8, n_embd=8, n_head=2, seed=0)
    >>> model
    GPT(vocab 5, context 8, 8 dims, 2 heads, 1 layer; 912 parameters)
    >>> loss = model.loss([4, 0, 2, 2, 0, 4])    # "anna" between BOS tokens
    >>> loss.backward()
    >>> 1.4 < loss.data < 1.8                    # near log 5 = 1.61 before training
    True
    >>> len(model.generate([4], n=3, seed=1))    # three new token ids
    3
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from typing import Any

from ..core import generic
from ..core.generic import _sum_nodes, apply
from ..core.ops import OPS
from ..core.value import Value, scope
from .module import Module, _Group

__all__ = ["GPT", "CausalSelfAttention", "Embedding", "KVCache", "Linear", "MLPBlock", "RMSNorm",
           "TransformerBlock"]

_SOFTMAX, _LOG_SOFTMAX = OPS["softmax"], OPS["log_softmax"]
#: microgpt's initial weights: Gaussian with this standard deviation
INIT_STD = 0.08
_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")

#: a vector: a list of Values (typed Any: Value's operators are set from the op table at import)
Vector = list[Any]


def _size(n: Any, what: str, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        raise ValueError(f"{what} must be a whole number ≥ {minimum}, got {n!r}")
    return n


def _vector(x: Any, size: int, what: str) -> Vector:
    """``x`` as a list of ``size`` Values (plain numbers become constant leaves), or a clear error."""
    if isinstance(x, (str, bytes, Value)) or not isinstance(x, Sequence):
        raise TypeError(f"{what} takes a vector: a list of {size} Values or numbers, got {type(x).__name__}")
    if len(x) != size:
        raise ValueError(f"{what} takes a vector of {size} numbers, got {len(x)}")
    if all(v.__class__ is Value for v in x):
        return list(x)
    out = []
    for v in x:
        if v.__class__ is not Value:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise TypeError(f"{what} takes Values or numbers, got {type(v).__name__}: {v!r}")
            v = Value(v)
        out.append(v)
    return out


def _matrix(rows: int, cols: int, rng: random.Random, std: float, name: str) -> list[list[Value]]:
    return [[Value(rng.gauss(0.0, std), label=f"{name}[{r},{c}]") for c in range(cols)] for r in range(rows)]


def _rows(matrix: list[list[Value]]) -> _Group:
    return _Group([_Group(row) for row in matrix])


class Embedding(Module):
    """A table of ``num`` vectors of ``dim`` numbers; ``emb(i)`` is row ``i``.

    The row *is* the parameters (no new node), so a gradient reaching it lands
    on exactly the rows that were used, as ``torch.nn.functional.embedding``.

    Example:
        >>> emb = Embedding(3, 2, rng=random.Random(0), name="wte")
        >>> emb
        Embedding(3 × 2)
        >>> [v.label for v in emb(1)]
        ['wte[1,0]', 'wte[1,1]']
    """

    def __init__(self, num: int, dim: int, *, rng: random.Random | None = None, std: float = INIT_STD,
                 name: str = "embedding") -> None:
        self.num, self.dim = _size(num, "num (rows of the table)"), _size(dim, "dim")
        self.scope = name.rsplit(".", 1)[-1]
        with scope(self.scope):
            self.weight = _matrix(num, dim, rng or random.Random(), std, name)

    def __call__(self, index: int) -> Vector:  # type: ignore[override]
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.num:
            raise ValueError(f"Embedding({self.num} × {self.dim}): the index must be a whole number "
                             f"0 to {self.num - 1}, got {index!r}")
        return list(self.weight[index])

    def _children(self) -> Iterator[tuple[str, Any]]:
        yield "weight", _rows(self.weight)

    def __repr__(self) -> str:
        return f"Embedding({self.num} × {self.dim})"


class Linear(Module):
    """``y_r = Σ_c W[r,c]·x_c (+ b_r)``: one ``dot`` node per output over its ``nin`` pairs.

    One node per output, not a product node per weight and a Σ: the graph of
    a GPT step is five times smaller, and backward gives each pair its
    partner, ∂y_r/∂W[r,c] = x_c and ∂y_r/∂x_c = W[r,c]. No bias by default,
    as in GPT-2-style code; ``bias=True`` adds one per output (starting at
    0) with a ``+`` after the dot.

    Example:
        >>> lin = Linear(3, 2, rng=random.Random(0), name="fc")
        >>> lin
        Linear(3 → 2, no bias)
        >>> y = lin([1.0, 2.0, 3.0])
        >>> y[0].op, len(y[0].parents)   # the pairs (W[0,0], x_0, W[0,1], x_1, W[0,2], x_2)
        ('dot', 6)
    """

    def __init__(self, nin: int, nout: int, bias: bool = False, *, rng: random.Random | None = None,
                 std: float = INIT_STD, name: str = "linear") -> None:
        self.nin, self.nout = _size(nin, "nin (inputs)"), _size(nout, "nout (outputs)")
        self.scope = name.rsplit(".", 1)[-1]  # "wq" of "blocks.0.attn.wq": the enclosing scopes say the rest
        with scope(self.scope):
            self.weight = _matrix(nout, nin, rng or random.Random(), std, name)
            self.bias = [Value(0.0, label=f"{name}.b[{r}]") for r in range(nout)] if bias else None

    def __call__(self, x: Sequence[Any]) -> Vector:
        x = _vector(x, self.nin, repr(self))
        with scope(self.scope):
            if self.bias is None:  # generic's, looked up per call: the fast path replaces it
                return [generic._dot_nodes(row, x) for row in self.weight]
            return [generic._dot_nodes(row, x) + b for row, b in zip(self.weight, self.bias)]

    def _children(self) -> Iterator[tuple[str, Any]]:
        yield "weight", _rows(self.weight)
        if self.bias is not None:
            yield "bias", _Group(self.bias)

    def __repr__(self) -> str:
        return f"Linear({self.nin} → {self.nout}, {'bias' if self.bias is not None else 'no bias'})"


class RMSNorm(Module):
    """``x_i / √(mean(x²) + eps)``: every vector comes out with a root mean square of about 1.

    As microgpt (and ``torch.nn.functional.rms_norm`` without a weight): no
    learnable gain. Nodes: one dot for Σ x_i² (x paired with itself), × 1/n,
    + eps, ^−0.5, and a product per element.

    Example:
        >>> norm = RMSNorm(2)
        >>> [round(v.data, 4) for v in norm([3.0, 4.0])]   # rms of (3, 4) is √12.5
        [0.8485, 1.1314]
    """

    def __init__(self, dim: int, eps: float = 1e-5, *, name: str = "norm") -> None:
        self.dim = _size(dim, "dim")
        self.scope = name
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0 or math.isinf(eps):
            raise ValueError(f"eps must be a positive number (it keeps 1/√ finite at x = 0), got {eps!r}")
        self.eps = float(eps)

    def __call__(self, x: Sequence[Any]) -> Vector:
        x = _vector(x, self.dim, repr(self))
        with scope(self.scope):
            square_sum: Any = generic._dot_nodes(x, x)
            mean_square = square_sum * (1.0 / self.dim)
            scale = (mean_square + self.eps) ** -0.5
            return [xi * scale for xi in x]

    def _children(self) -> Iterator[tuple[str, Any]]:
        return iter(())

    def __repr__(self) -> str:
        return f"RMSNorm({self.dim}, eps={self.eps:g})"


class KVCache:
    """The keys and values of the positions a model has read so far, per layer.

    ``keys[layer][t]`` is position ``t``'s key vector; ``len(cache)`` is the
    number of positions read, which is also the position of the next token.

    Example:
        >>> cache = KVCache(n_layer=2)
        >>> len(cache), cache.keys
        (0, [[], []])
    """

    def __init__(self, n_layer: int = 1) -> None:
        self.keys: list[list[Vector]] = [[] for _ in range(_size(n_layer, "n_layer"))]
        self.values: list[list[Vector]] = [[] for _ in range(n_layer)]

    def __len__(self) -> int:
        return len(self.keys[0])

    def __repr__(self) -> str:
        return f"KVCache({len(self.keys)} layers, {len(self)} positions)"


class CausalSelfAttention(Module):
    """Multi-head self-attention over the current and all earlier positions.

    For each head ``h`` (``dim / n_head`` numbers of the query, key and value
    vectors), position ``t`` attends with weights
    ``softmax_s(q_t·k_s / √head_dim)`` over positions ``s ≤ t`` and takes the
    weighted sum of their values; the heads side by side go through ``wo``.
    :meth:`step` reads one position and appends its key and value to the
    lists it is given (the cache); calling the module on a whole sequence
    steps through it with fresh lists.

    Example:
        >>> attn = CausalSelfAttention(4, 2, rng=random.Random(0))
        >>> attn
        CausalSelfAttention(4 dims, 2 heads of 2)
        >>> ys = attn([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]])
        >>> len(ys), len(ys[0])
        (2, 4)
    """

    def __init__(self, dim: int, n_head: int, *, rng: random.Random | None = None, std: float = INIT_STD,
                 name: str = "attn") -> None:
        self.dim, self.n_head = _size(dim, "dim"), _size(n_head, "n_head")
        if dim % n_head:
            raise ValueError(f"dim ({dim}) must be a multiple of n_head ({n_head}): each head takes "
                             "an equal share of the numbers")
        self.head_dim = dim // n_head
        self.scope = name.rsplit(".", 1)[-1]
        rng = rng or random.Random()
        with scope(self.scope):
            self.wq, self.wk, self.wv, self.wo = (Linear(dim, dim, rng=rng, std=std, name=f"{name}.{w}")
                                                  for w in ("wq", "wk", "wv", "wo"))

    def step(self, x: Sequence[Any], keys: list[Vector], values: list[Vector]) -> Vector:
        """The output at the next position; appends its key and value to ``keys`` and ``values``."""
        with scope(self.scope):
            q, k, v = self.wq(x), self.wk(x), self.wv(x)
            keys.append(k)
            values.append(v)
            scale = 1.0 / math.sqrt(self.head_dim)
            heads: Vector = []
            for h, start in enumerate(range(0, self.dim, self.head_dim)):
                end = start + self.head_dim
                q_h = q[start:end]
                with scope(f"head{h}"):
                    with scope("scores"):
                        dots: list[Any] = [generic._dot_nodes(q_h, k_s[start:end]) for k_s in keys]
                        scores = [dot * scale for dot in dots]
                    with scope("softmax"):
                        weights: Any = apply(_SOFTMAX, scores)  # type: ignore[arg-type]  # a variadic op takes a list
                    with scope("mix"):
                        for j in range(start, end):
                            heads.append(generic._dot_nodes(weights, [v_s[j] for v_s in values]))
            return self.wo(heads)

    def __call__(self, xs: Sequence[Sequence[Any]]) -> list[Vector]:
        keys: list[Vector] = []
        values: list[Vector] = []
        return [self.step(x, keys, values) for x in xs]

    def _children(self) -> Iterator[tuple[str, Any]]:
        yield from (("wq", self.wq), ("wk", self.wk), ("wv", self.wv), ("wo", self.wo))

    def __repr__(self) -> str:
        return f"CausalSelfAttention({self.dim} dims, {self.n_head} heads of {self.head_dim})"


class MLPBlock(Module):
    """The transformer's position-wise MLP: ``fc2(activation(fc1(x)))``, ``hidden`` wide (4·dim).

    (``nn.MLP`` is the classifier of micrograd's demo; this is the block inside a transformer.)

    Example:
        >>> MLPBlock(4, rng=random.Random(0))
        MLPBlock(4 → 16 relu → 4)
    """

    def __init__(self, dim: int, hidden: int | None = None, activation: str = "relu", *,
                 rng: random.Random | None = None, std: float = INIT_STD, name: str = "mlp") -> None:
        self.dim = _size(dim, "dim")
        self.hidden = 4 * dim if hidden is None else _size(hidden, "hidden")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; the MLP block takes {', '.join(_ACTIVATIONS)}")
        self.activation = activation
        self.scope = name.rsplit(".", 1)[-1]
        rng = rng or random.Random()
        with scope(self.scope):
            self.fc1 = Linear(dim, self.hidden, rng=rng, std=std, name=f"{name}.fc1")
            self.fc2 = Linear(self.hidden, dim, rng=rng, std=std, name=f"{name}.fc2")

    def __call__(self, x: Sequence[Any]) -> Vector:
        act = self.activation
        with scope(self.scope):
            hidden = self.fc1(x)
            with scope(act):
                hidden = [getattr(h, act)() for h in hidden]
            return self.fc2(hidden)

    def _children(self) -> Iterator[tuple[str, Any]]:
        yield from (("fc1", self.fc1), ("fc2", self.fc2))

    def __repr__(self) -> str:
        return f"MLPBlock({self.dim} → {self.hidden} {self.activation} → {self.dim})"


class TransformerBlock(Module):
    """``x + attn(norm(x))``, then ``x + mlp(norm(x))``: pre-norm, with residuals.

    Example:
        >>> TransformerBlock(16, 4, rng=random.Random(0))
        TransformerBlock(16 dims, 4 heads, MLP 64 relu)
    """

    def __init__(self, dim: int, n_head: int, *, rng: random.Random | None = None, std: float = INIT_STD,
                 name: str = "block") -> None:
        rng = rng or random.Random()
        self.dim = _size(dim, "dim")
        self.scope = name
        self.norm1 = RMSNorm(dim, name="norm1")
        self.norm2 = RMSNorm(dim, name="norm2")
        with scope(self.scope):
            self.attn = CausalSelfAttention(dim, n_head, rng=rng, std=std, name=f"{name}.attn")
            self.mlp = MLPBlock(dim, rng=rng, std=std, name=f"{name}.mlp")

    def step(self, x: Sequence[Any], keys: list[Vector], values: list[Vector]) -> Vector:
        """The block's output at the next position (see :meth:`CausalSelfAttention.step`)."""
        x = _vector(x, self.dim, repr(self))
        with scope(self.scope):
            attended = self.attn.step(self.norm1(x), keys, values)
            with scope("residual1"):
                x = [a + b for a, b in zip(x, attended)]
            mixed = self.mlp(self.norm2(x))
            with scope("residual2"):
                return [a + b for a, b in zip(x, mixed)]

    def __call__(self, xs: Sequence[Sequence[Any]]) -> list[Vector]:
        keys: list[Vector] = []
        values: list[Vector] = []
        return [self.step(x, keys, values) for x in xs]

    def _children(self) -> Iterator[tuple[str, Any]]:
        yield from (("attn", self.attn), ("mlp", self.mlp))

    def __repr__(self) -> str:
        return (f"TransformerBlock({self.dim} dims, {self.attn.n_head} heads, "
                f"MLP {self.mlp.hidden} {self.mlp.activation})")


class GPT(Module):
    """A character-level GPT as in microgpt: embeddings, blocks, a linear head to token logits.

    ``model(tokens)`` gives the logits at every position, ``model.loss(tokens)``
    the mean cross-entropy of predicting each next token, ``model.generate``
    samples new tokens. Weights are Gaussian with standard deviation 0.08
    (microgpt's), drawn from ``seed``.
    """

    def __init__(self, vocab_size: int, block_size: int = 16, n_embd: int = 16, n_head: int = 4,
                 n_layer: int = 1, *, seed: int | None = None, std: float = INIT_STD) -> None:
        self.vocab_size = _size(vocab_size, "vocab_size", 2)
        self.block_size = _size(block_size, "block_size (the longest context)")
        self.n_embd, self.n_layer = _size(n_embd, "n_embd"), _size(n_layer, "n_layer")
        rng = random.Random(seed)
        self.wte = Embedding(vocab_size, n_embd, rng=rng, std=std, name="wte")
        self.wpe = Embedding(block_size, n_embd, rng=rng, std=std, name="wpe")
        self.norm = RMSNorm(n_embd)
        self.blocks = [TransformerBlock(n_embd, n_head, rng=rng, std=std, name=f"blocks.{k}")
                       for k in range(n_layer)]
        self.lm_head = Linear(n_embd, vocab_size, rng=rng, std=std, name="lm_head")

    def new_cache(self) -> KVCache:
        """An empty key/value cache for this model."""
        return KVCache(self.n_layer)

    def step(self, token: int, cache: KVCache) -> Vector:
        """The logits for the token after ``token``, read at position ``len(cache)``; fills the cache."""
        position = len(cache)
        if position >= self.block_size:
            raise ValueError(f"the context is full: this GPT reads at most block_size = {self.block_size} "
                             "positions")
        if isinstance(token, bool) or not isinstance(token, int) or not 0 <= token < self.vocab_size:
            raise ValueError(f"a token is a whole number 0 to {self.vocab_size - 1}, got {token!r}")
        with scope(f"pos{position}"):
            with scope("embed"):
                x = [t + p for t, p in zip(self.wte(token), self.wpe(position))]
            x = self.norm(x)
            for block, keys, values in zip(self.blocks, cache.keys, cache.values):
                x = block.step(x, keys, values)
            return self.lm_head(x)

    def __call__(self, tokens: Sequence[int]) -> list[Vector]:
        tokens = self._tokens(tokens, "GPT(tokens)", 1)
        cache = self.new_cache()
        return [self.step(t, cache) for t in tokens]

    def loss(self, tokens: Sequence[int]) -> Value:
        """Mean cross-entropy of each next token: ``−log softmax(logits_t)[tokens[t+1]]`` averaged over t.

        A sequence of n + 1 tokens (a name between two BOS tokens) trains n positions.
        """
        tokens = self._tokens(tokens, "loss(tokens)", 2)
        cache = self.new_cache()
        terms = []
        for t in range(len(tokens) - 1):
            logits = self.step(tokens[t], cache)
            with scope(f"pos{t}/loss"):
                terms.append(-apply(_LOG_SOFTMAX, logits)[tokens[t + 1]])  # type: ignore[arg-type,index]
        with scope("loss"):
            total: Any = _sum_nodes(terms)
            return total * (1.0 / len(terms))  # type: ignore[no-any-return]

    def generate(self, prompt: Sequence[int], n: int, temperature: float = 1.0, seed: int | None = None,
                 stop: int | None = None) -> list[int]:
        """Up to ``n`` new tokens after ``prompt``, each drawn from softmax(logits / temperature).

        ``temperature`` below 1 sharpens the distribution, above 1 flattens
        it; 0 always takes the most likely token. Generation ends early after
        the token ``stop`` (e.g. the tokenizer's BOS; it is included in the
        result) or when the context of ``block_size`` positions is full. The
        same ``seed`` gives the same tokens.
        """
        prompt = self._tokens(prompt, "generate(prompt)", 1)
        n = _size(n, "n (tokens to generate)", 0)
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature >= 0 \
                or math.isinf(temperature):
            raise ValueError(f"temperature must be a finite number ≥ 0 (0 picks the most likely token), "
                             f"got {temperature!r}")
        rng = random.Random(seed)
        cache = self.new_cache()
        for token in prompt[:-1]:
            self.step(token, cache)
        token, out = prompt[-1], list[int]()
        while len(out) < n and len(cache) < self.block_size:
            logits = [v.data for v in self.step(token, cache)]
            if temperature == 0:
                token = max(range(len(logits)), key=logits.__getitem__)
            else:
                probs = OPS["softmax"].forward(tuple(v / temperature for v in logits))
                token = rng.choices(range(len(probs)), weights=probs)[0]
            out.append(token)
            if token == stop:
                break
        return out

    def _tokens(self, tokens: Any, what: str, minimum: int) -> list[int]:
        if isinstance(tokens, (str, bytes)) or not isinstance(tokens, Sequence):
            raise TypeError(f"{what} takes a list of token ids (CharTokenizer.encode makes one), "
                            f"got {type(tokens).__name__}")
        tokens = list(tokens)
        if len(tokens) < minimum:
            raise ValueError(f"{what} needs at least {minimum} token{'s' if minimum > 1 else ''}")
        limit = self.block_size + (1 if minimum == 2 else 0)
        if len(tokens) > limit:
            raise ValueError(f"{what}: {len(tokens)} tokens do not fit the context of block_size = "
                             f"{self.block_size} positions (at most {limit} tokens)")
        for t in tokens:
            if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < self.vocab_size:
                raise ValueError(f"{what}: a token is a whole number 0 to {self.vocab_size - 1}, got {t!r}")
        return tokens

    def _children(self) -> Iterator[tuple[str, Any]]:
        yield from (("wte", self.wte), ("wpe", self.wpe), ("blocks", _Group(self.blocks)),
                    ("lm_head", self.lm_head))

    def __repr__(self) -> str:
        layers = "layer" if self.n_layer == 1 else "layers"
        return (f"GPT(vocab {self.vocab_size}, context {self.block_size}, {self.n_embd} dims, "
                f"{self.blocks[0].attn.n_head} heads, {self.n_layer} {layers}; "
                f"{len(self.parameters()):,} parameters)")
