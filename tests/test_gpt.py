"""The tiny GPT's modules: each one against the same computation in PyTorch (float64, same weights).

For every module, outputs and the gradients of every parameter and input agree with
PyTorch to 1e-9 (absolute below 1, relative above). The backward pass starts from a
random weighting of the outputs, so every output's gradient path is exercised.
"""

from __future__ import annotations

import math
import random

import pytest

from autograd_lite import Value, sum_of
from autograd_lite.datasets import CharTokenizer
from autograd_lite.nn import (
    GPT,
    CausalSelfAttention,
    Embedding,
    KVCache,
    Linear,
    MLPBlock,
    RMSNorm,
    TransformerBlock,
)

from .conftest import require_torch

TOL = 1e-9


@pytest.fixture
def torch():
    return require_torch()


def close(ours, theirs, what):
    """Every number of ``ours`` (floats, nested lists) agrees with ``theirs`` (a tensor) to 1e-9."""
    flat_theirs = theirs.detach().reshape(-1).tolist()
    flat_ours = list(_flatten(ours))
    assert len(flat_ours) == len(flat_theirs), what
    worst = max((abs(a - b) / max(1.0, abs(b)) for a, b in zip(flat_ours, flat_theirs)), default=0.0)
    assert worst <= TOL, f"{what}: worst error {worst:.2e}"


def _flatten(x):
    if isinstance(x, (list, tuple)):
        for item in x:
            yield from _flatten(item)
    else:
        yield float(x)


def tensor(torch, matrix):
    """A float64 leaf tensor holding a matrix (or vector) of Values' data."""
    data = [[v.data for v in row] for row in matrix] if isinstance(matrix[0], list) else [v.data for v in matrix]
    return torch.tensor(data, dtype=torch.float64, requires_grad=True)


def grads(matrix):
    return [[v.grad for v in row] for row in matrix] if isinstance(matrix[0], list) else [v.grad for v in matrix]


def backward_both(torch, ours, theirs, seed=0):
    """Backward from Σ c·output on both sides, with the same random c."""
    flat = list(_flatten_values(ours))
    rng = random.Random(seed)
    c = [rng.uniform(-1, 1) for _ in flat]
    sum_of([ci * o for ci, o in zip(c, flat)]).backward()
    (torch.tensor(c, dtype=torch.float64).reshape(theirs.shape) * theirs).sum().backward()


def _flatten_values(x):
    if isinstance(x, Value):
        yield x
    else:
        for item in x:
            yield from _flatten_values(item)


def data(x):
    return x.data if isinstance(x, Value) else [data(v) for v in x]


def random_inputs(rows, cols, seed=1):
    rng = random.Random(seed)
    return [[Value(rng.gauss(0, 1)) for _ in range(cols)] for _ in range(rows)]


# --- the layers, one at a time, against PyTorch -------------------------------------------


def test_linear_matches_torch(torch):
    for bias in (False, True):
        lin = Linear(5, 3, bias=bias, rng=random.Random(0))
        if bias:
            for k, b in enumerate(lin.bias):
                b.data = 0.1 * (k + 1)
        xs = random_inputs(4, 5)
        ours = [lin(x) for x in xs]
        W, X = tensor(torch, lin.weight), tensor(torch, xs)
        B = tensor(torch, lin.bias) if bias else None
        theirs = torch.nn.functional.linear(X, W, B)
        close(data(ours), theirs, "outputs")
        backward_both(torch, ours, theirs)
        close(grads(lin.weight), W.grad, "weight grads")
        close(grads(xs), X.grad, "input grads")
        if bias:
            close(grads(lin.bias), B.grad, "bias grads")


def test_linear_makes_one_dot_node_per_output():
    lin = Linear(4, 2, rng=random.Random(0))
    x = [Value(1.0), 2.0, 3, Value(4.0)]
    y = lin(x)
    assert [v.op for v in y] == ["dot", "dot"]
    for row, v in zip(lin.weight, y):  # the pairs (W[r,0], x_0, W[r,1], x_1, ...)
        assert v.parents[::2] == tuple(row) and [p.data for p in v.parents[1::2]] == [1.0, 2.0, 3.0, 4.0]
        assert v.data == math.fsum(w.data * xi.data for w, xi in zip(row, v.parents[1::2]))
    biased = Linear(4, 2, bias=True)([1, 2, 3, 4])[0]
    assert biased.op == "add" and biased.parents[0].op == "dot" and biased.parents[1].label == "linear.b[0]"


def test_embedding_matches_torch_with_repeated_indices(torch):
    emb = Embedding(6, 4, rng=random.Random(0))
    indices = [2, 5, 2, 0]
    ours = [emb(i) for i in indices]
    W = tensor(torch, emb.weight)
    theirs = torch.nn.functional.embedding(torch.tensor(indices), W)
    close(data(ours), theirs, "rows")
    backward_both(torch, ours, theirs)
    close(grads(emb.weight), W.grad, "weight grads (row 2 used twice, rows 1, 3, 4 not at all)")


def test_rmsnorm_matches_torch(torch):
    norm = RMSNorm(6)
    xs = random_inputs(3, 6)
    xs[1] = [Value(1e-4 * k) for k in range(6)]  # tiny: eps matters
    ours = [norm(x) for x in xs]
    X = tensor(torch, xs)
    theirs = torch.nn.functional.rms_norm(X, (6,), eps=1e-5)
    close(data(ours), theirs, "outputs")
    backward_both(torch, ours, theirs)
    close(grads(xs), X.grad, "input grads")


def torch_attention(torch, attn, X):
    """Causal multi-head attention written with PyTorch's own scaled_dot_product_attention."""
    F = torch.nn.functional
    T, H, hd = X.shape[0], attn.n_head, attn.head_dim
    Ws = [tensor(torch, lin.weight) for lin in (attn.wq, attn.wk, attn.wv, attn.wo)]
    q, k, v = (F.linear(X, W).reshape(T, H, hd).transpose(0, 1) for W in Ws[:3])
    heads = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return F.linear(heads.transpose(0, 1).reshape(T, H * hd), Ws[3]), Ws


def test_causal_self_attention_matches_torch(torch):
    attn = CausalSelfAttention(8, 2, rng=random.Random(0), std=0.5)
    xs = random_inputs(5, 8)
    ours = attn(xs)
    X = tensor(torch, xs)
    theirs, Ws = torch_attention(torch, attn, X)
    close(data(ours), theirs, "outputs")
    backward_both(torch, ours, theirs)
    for lin, W in zip((attn.wq, attn.wk, attn.wv, attn.wo), Ws):
        close(grads(lin.weight), W.grad, f"{lin} grads")
    close(grads(xs), X.grad, "input grads")


def test_attention_step_by_step_with_a_cache_equals_the_whole_sequence():
    attn = CausalSelfAttention(4, 2, rng=random.Random(3), std=0.5)
    xs = [[float(k + j) / 7 for j in range(4)] for k in range(4)]
    whole = data(attn(xs))
    keys, values = [], []
    stepped = [data(attn.step(x, keys, values)) for x in xs]
    assert stepped == whole and len(keys) == len(values) == 4
    # the first position sees only itself: its attention weight is exactly 1
    first = data(attn([xs[0]]))[0]
    assert first == whole[0]


def test_mlp_block_matches_torch(torch):
    block = MLPBlock(4, rng=random.Random(0), std=0.5)
    xs = random_inputs(3, 4)
    ours = [block(x) for x in xs]
    X = tensor(torch, xs)
    W1, W2 = tensor(torch, block.fc1.weight), tensor(torch, block.fc2.weight)
    F = torch.nn.functional
    theirs = F.linear(F.relu(F.linear(X, W1)), W2)
    close(data(ours), theirs, "outputs")
    backward_both(torch, ours, theirs)
    close(grads(block.fc1.weight), W1.grad, "fc1 grads")
    close(grads(block.fc2.weight), W2.grad, "fc2 grads")
    close(grads(xs), X.grad, "input grads")


def torch_block(torch, block, X):
    F = torch.nn.functional
    a, attn_ws = torch_attention(torch, block.attn, F.rms_norm(X, (X.shape[1],), eps=1e-5))
    X = X + a
    W1, W2 = tensor(torch, block.mlp.fc1.weight), tensor(torch, block.mlp.fc2.weight)
    X = X + F.linear(F.relu(F.linear(F.rms_norm(X, (X.shape[1],), eps=1e-5), W1)), W2)
    return X, [*attn_ws, W1, W2]


def block_matrices(block):
    return [block.attn.wq.weight, block.attn.wk.weight, block.attn.wv.weight, block.attn.wo.weight,
            block.mlp.fc1.weight, block.mlp.fc2.weight]


def test_transformer_block_matches_torch(torch):
    block = TransformerBlock(8, 4, rng=random.Random(0), std=0.3)
    xs = random_inputs(6, 8)
    ours = block(xs)
    X = tensor(torch, xs)
    theirs, Ws = torch_block(torch, block, X)
    close(data(ours), theirs, "outputs")
    backward_both(torch, ours, theirs)
    for matrix, W in zip(block_matrices(block), Ws):
        close(grads(matrix), W.grad, "weight grads")
    close(grads(xs), X.grad, "input grads")


def torch_gpt(torch, model, tokens):
    """The whole model in PyTorch: logits at every position, and the weight tensors in model order."""
    F = torch.nn.functional
    idx = torch.tensor(tokens)
    wte, wpe = tensor(torch, model.wte.weight), tensor(torch, model.wpe.weight)
    X = F.embedding(idx, wte) + wpe[: len(tokens)]
    X = F.rms_norm(X, (model.n_embd,), eps=1e-5)
    Ws = [wte, wpe]
    for block in model.blocks:
        X, block_ws = torch_block(torch, block, X)
        Ws += block_ws
    head = tensor(torch, model.lm_head.weight)
    return F.linear(X, head), [*Ws, head]


def gpt_matrices(model):
    out = [model.wte.weight, model.wpe.weight]
    for block in model.blocks:
        out += block_matrices(block)
    return [*out, model.lm_head.weight]


@pytest.mark.parametrize("n_layer", [1, 2])
def test_gpt_logits_and_every_gradient_match_torch(torch, n_layer):
    tok = CharTokenizer(["emma", "olivia", "ava"])
    model = GPT(tok.vocab_size, block_size=8, n_embd=8, n_head=2, n_layer=n_layer, seed=5, std=0.3)
    tokens = tok.encode("olivia", bos=True)  # 8 tokens: 7 positions
    logits = model(tokens[:-1])
    theirs, Ws = torch_gpt(torch, model, tokens[:-1])
    close(data(logits), theirs, "logits")
    loss = model.loss(tokens)
    their_loss = torch.nn.functional.cross_entropy(theirs, torch.tensor(tokens[1:]))
    close([loss.data], their_loss, "loss")
    loss.backward()
    their_loss.backward()
    matrices = gpt_matrices(model)
    assert sum(len(m) * len(m[0]) for m in matrices) == len(model.parameters())  # nothing left out
    for matrix, W in zip(matrices, Ws):
        close(grads(matrix), W.grad, f"grads of {matrix[0][0].label.split('[')[0]}")


# --- the model's behaviour and its errors ------------------------------------------------


def test_gpt_has_microgpts_parameter_count_and_readable_reprs():
    model = GPT(27, seed=0)
    assert repr(model) == "GPT(vocab 27, context 16, 16 dims, 4 heads, 1 layer; 4,192 parameters)"
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "wte.weight.0.0" and names[-1] == "lm_head.weight.26.15"
    assert "blocks.0.attn.wq.weight.3.5" in names
    assert model.blocks[0].attn.wq.weight[3][5].label == "blocks.0.attn.wq[3,5]"
    assert [repr(m) for m in (model.wte, model.norm, model.blocks[0], model.blocks[0].attn,
                              model.blocks[0].mlp, model.lm_head)] == [
        "Embedding(27 × 16)", "RMSNorm(16, eps=1e-05)", "TransformerBlock(16 dims, 4 heads, MLP 64 relu)",
        "CausalSelfAttention(16 dims, 4 heads of 4)", "MLPBlock(16 → 64 relu → 16)",
        "Linear(16 → 27, no bias)"]
    assert repr(KVCache(2)) == "KVCache(2 layers, 0 positions)"


def test_gpt_same_seed_same_model_and_loss():
    a, b = GPT(5, block_size=4, n_embd=4, n_head=2, seed=1), GPT(5, block_size=4, n_embd=4, n_head=2, seed=1)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert a.loss([4, 1, 2, 4]).data == b.loss([4, 1, 2, 4]).data


def test_loss_of_an_untrained_model_is_near_log_vocab_and_training_lowers_it():
    from autograd_lite.nn import Adam

    model = GPT(6, block_size=6, n_embd=8, n_head=2, seed=0)
    tokens = [5, 0, 1, 2, 3, 5]
    first = model.loss(tokens).data
    assert abs(first - math.log(6)) < 0.2
    opt = Adam(model.parameters(), lr=0.05)
    for _ in range(20):
        opt.zero_grad()
        loss = model.loss(tokens)
        loss.backward()
        opt.step()
    assert model.loss(tokens).data < 0.3 * first
    # memorised: greedy generation after BOS spells the sequence out, and stops at BOS
    assert model.generate([5], n=10, temperature=0, stop=5) == [0, 1, 2, 3, 5]


def test_generate_is_reproducible_by_seed_and_respects_the_context():
    model = GPT(5, block_size=6, n_embd=4, n_head=2, seed=2)
    a = model.generate([4], n=5, temperature=1.0, seed=7)
    assert a == model.generate([4], n=5, temperature=1.0, seed=7) and len(a) == 5
    assert all(0 <= t < 5 for t in a)
    assert len(model.generate([4, 1, 2], n=50, seed=0)) == 4  # 6 positions: 3 read from the prompt... then full
    assert model.generate([4], n=0) == []
    hot = {tuple(model.generate([4], n=3, temperature=100.0, seed=s)) for s in range(30)}
    cold = {tuple(model.generate([4], n=3, temperature=0.01, seed=s)) for s in range(30)}
    assert len(hot) > len(cold) == 1


def test_generate_cached_logits_equal_a_fresh_forward():
    model = GPT(5, block_size=6, n_embd=4, n_head=2, seed=2)
    tokens = [4, 0, 3, 1]
    cache = model.new_cache()
    stepped = [data(model.step(t, cache)) for t in tokens]
    assert stepped[-1] == data(model(tokens)[-1]) and len(cache) == 4


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m.loss([1]), ValueError, "at least 2 tokens"),
    (lambda m: m.loss([1] * 8), ValueError, "8 tokens do not fit the context of block_size = 6 positions .at most 7"),
    (lambda m: m([1, 9]), ValueError, "a token is a whole number 0 to 4, got 9"),
    (lambda m: m("abc"), TypeError, "list of token ids"),
    (lambda m: m.generate([1], n=2, temperature=-1), ValueError, "temperature must be a finite number ≥ 0"),
    (lambda m: m.generate([1], n=-1), ValueError, "n .tokens to generate. must be a whole number ≥ 0"),
    (lambda m: m.wte(5), ValueError, r"Embedding\(5 × 4\): the index must be a whole number 0 to 4"),
    (lambda m: m.lm_head([1.0, 2.0]), ValueError, "takes a vector of 4 numbers, got 2"),
    (lambda m: m.lm_head([1.0, 2.0, "x", 3.0]), TypeError, "takes Values or numbers, got str"),
    (lambda m: m.step(1, KVCache(1)) and m.step(1, _full_cache(m)), ValueError, "the context is full"),
])
def test_errors_say_what_is_accepted(call, error, message):
    model = GPT(5, block_size=6, n_embd=4, n_head=2, seed=0)
    with pytest.raises(error, match=message):
        call(model)


def _full_cache(model):
    cache = model.new_cache()
    for t in range(model.block_size):
        model.step(1, cache)
    return cache


def test_constructor_errors():
    with pytest.raises(ValueError, match=r"dim \(6\) must be a multiple of n_head \(4\)"):
        GPT(5, n_embd=6, n_head=4)
    with pytest.raises(ValueError, match="vocab_size must be a whole number ≥ 2"):
        GPT(1)
    with pytest.raises(ValueError, match="eps must be a positive number"):
        RMSNorm(3, eps=0)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        MLPBlock(3, activation="gelu")


def test_without_torch_the_oracle_tests_skip_saying_why_but_fail_in_ci_on_the_default_python(monkeypatch):
    import sys

    from . import conftest

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"pip install '.\[torch\]'"):
        conftest.require_torch()
    monkeypatch.setenv("CI", "1")
    monkeypatch.setattr(conftest, "TORCH_PYTHON", sys.version_info[:2])
    with pytest.raises(pytest.fail.Exception, match="checks against PyTorch"):
        conftest.require_torch()
    monkeypatch.setattr(conftest, "TORCH_PYTHON", (2, 7))  # CI on another Python: it skips
    with pytest.raises(pytest.skip.Exception):
        conftest.require_torch()


def test_every_node_of_a_step_is_in_its_modules_scope():
    from autograd_lite import topological_order

    model = GPT(5, block_size=4, n_embd=4, n_head=2, seed=0)
    loss = model.loss([4, 1, 2, 4])
    nodes = topological_order(loss)
    assert all(n.scope is not None for n in nodes if not n.is_leaf)
    assert {n.scope for n in model.parameters()} == {"wte", "wpe", "blocks.0/attn/wq", "blocks.0/attn/wk",
        "blocks.0/attn/wv", "blocks.0/attn/wo", "blocks.0/mlp/fc1", "blocks.0/mlp/fc2", "lm_head"}  # no position
    softmax = [n for n in nodes if n.op == "softmax"]
    assert {n.scope for n in softmax} == {f"pos{t}/blocks.0/attn/head{h}/softmax" for t in range(3) for h in range(2)}
    assert loss.scope == "loss" and loss.parents[0].parents[0].scope == "pos0/loss"
    scopes = {n.scope.split("/", 1)[1] for n in nodes if n.scope and n.scope.startswith("pos2/")}
    assert scopes >= {"embed", "norm", "blocks.0/norm1", "blocks.0/attn/wq", "blocks.0/attn/head1/scores",
                      "blocks.0/attn/head1/mix", "blocks.0/attn/wo", "blocks.0/residual1", "blocks.0/mlp/fc1",
                      "blocks.0/mlp/relu", "blocks.0/mlp/fc2", "blocks.0/residual2", "lm_head", "loss"}


def test_a_gpt_step_gives_the_same_numbers_bit_for_bit_with_and_without_the_fast_paths():
    from autograd_lite.fast import fastpath

    def step():
        model = GPT(7, block_size=6, n_embd=8, n_head=2, seed=3)
        loss = model.loss([6, 0, 3, 3, 1, 6])
        loss.backward()
        return loss.data, [p.grad for p in model.parameters()]

    fast = step()
    fastpath.uninstall()
    try:
        plain = step()
    finally:
        fastpath.install()
    assert fast == plain and any(fast[1])
