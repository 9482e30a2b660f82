"""Neural networks: modules, losses, optimizers and the training loop."""

from __future__ import annotations

import io
import math
import random

import pytest

from autograd_lite import Value, gradcheck
from autograd_lite.datasets import make_blobs, make_moons
from autograd_lite.nn import (
    ACTIVATIONS,
    MLP,
    SGD,
    Adam,
    Layer,
    Neuron,
    cosine,
    linear,
    losses,
)

# --- modules -------------------------------------------------------------------------

def test_parameters_names_and_repr():
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    params = model.parameters()
    assert len(params) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    names = [n for n, _ in model.named_parameters()]
    assert len(set(names)) == 337 and names[0] == "layers.0.neurons.0.w.0"
    assert names[-1] == "layers.2.neurons.0.b"
    assert [p for _, p in model.named_parameters()] == params
    assert params[-1].label == "L2.N0.b"
    assert repr(model) == "MLP(2 → 16 relu → 16 relu → 1 linear; 337 parameters)"
    assert repr(Layer(3, 2, "tanh")) == "Layer(3 → 2 tanh)"
    assert repr(Neuron(3, "sigmoid")) == "Neuron(3 inputs, sigmoid)"


def test_the_same_seed_gives_the_same_model():
    a, b, c = MLP(3, [4, 2], seed=5), MLP(3, [4, 2], seed=5), MLP(3, [4, 2], seed=6)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]


@pytest.mark.parametrize(("activation", "scale"), [("relu", 6.0), ("leaky_relu", 6.0), ("tanh", 3.0),
                                                   ("sigmoid", 3.0), ("linear", 3.0)])
def test_initialisation_is_scaled_by_fan_in(activation, scale):
    neuron = Neuron(50, activation, rng=random.Random(0))
    bound = math.sqrt(scale / 50)
    weights = [w.data for w in neuron.w]
    assert max(abs(w) for w in weights) <= bound
    assert max(abs(w) for w in weights) > 0.8 * bound  # spread over the whole range
    assert neuron.b.data == 0.0


def test_activation_per_layer_and_the_output():
    model = MLP(2, [3, 3, 2], activation=["tanh", "sigmoid", "linear"], seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "sigmoid", "linear"]
    out = model([0.5, -1.0])
    assert isinstance(out, list) and len(out) == 2
    assert MLP(2, [3, 1], output_activation="sigmoid", seed=0).layers[-1].activation == "sigmoid"
    for name in ACTIVATIONS:
        value = MLP(1, [1], activation=[name], seed=0)([2.0])
        assert isinstance(value, Value)


def test_leaky_relu_neuron_uses_its_alpha():
    n = Neuron(1, "leaky_relu", rng=random.Random(0), alpha=0.2)
    n.w[0].data = 1.0
    assert n([-2.0]).data == -0.4 and n._floats([-2.0]) == -0.4


def test_float_scores_equal_the_graph_exactly():
    X, _ = make_moons(n=20, seed=0)
    for activation in ACTIVATIONS:
        model = MLP(2, [5, 4, 3], activation=activation, seed=1)
        assert model.scores(X) == [[v.data for v in model(x)] for x in X]


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize(("make", "message"), [
    (lambda: MLP(2, [3], activation="rleu"), "unknown activation 'rleu'; the activations are relu, tanh"),
    (lambda: MLP(2, [3, 1], activation=["relu"]), "one name per layer: 2 layers, got 1"),
    (lambda: MLP(0, [1]), "nin"),
    (lambda: MLP(2, 16), "nouts must be a list of layer sizes"),
    (lambda: MLP(2, [0]), "nout"),
    (lambda: MLP(2, [1])([1.0, 2.0, 3.0]), "takes 2 inputs per sample, got 3"),
])
def test_bad_models_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --- losses ----------------------------------------------------------------------------

LOSS_CASES = {
    "hinge": (lambda a, b: losses.hinge([a, b], [1, -1]), [0.3, 0.2]),
    "hinge 0/1 labels": (lambda a, b: losses.hinge([a, b], [1, 0]), [0.3, 0.2]),
    "mse": (lambda a, b: losses.mse([a, b], [1.0, -2.0]), [0.3, 0.2]),
    "mse vectors": (lambda a, b: losses.mse([[a, b]], [[1.0, -2.0]]), [0.3, 0.2]),
    "bce": (lambda a, b: losses.binary_cross_entropy([a, b], [1, 0]), [0.3, -1.7]),
    "cross_entropy": (lambda a, b, c: losses.cross_entropy([[a, b, c], [c, a, b]], [2, 0]), [0.3, -1.2, 2.0]),
    "l2": (lambda a, b: losses.l2([a, b], 0.1), [0.3, -1.2]),
}


@pytest.mark.parametrize("name", LOSS_CASES)
def test_loss_gradients_match_finite_differences(name):
    f, point = LOSS_CASES[name]
    assert gradcheck(f, point)


def test_losses_have_their_closed_forms():
    s = 1 / (1 + math.exp(-0.3))
    assert losses.binary_cross_entropy([Value(0.3)], [1]).data == pytest.approx(-math.log(s), rel=1e-15)
    assert losses.binary_cross_entropy([Value(0.3)], [0]).data == pytest.approx(-math.log(1 - s), rel=1e-15)
    logits = [1.0, 2.0, 0.5]
    expected = -(logits[1] - math.log(sum(math.exp(v) for v in logits)))
    assert losses.cross_entropy([[Value(v) for v in logits]], [1]).data == pytest.approx(expected, rel=1e-15)
    assert losses.mse([Value(3.0)], [1.0]).data == 4.0
    assert losses.hinge([Value(0.25)], [1]).data == 0.75


def test_binary_cross_entropy_is_stable_at_huge_logits():
    for z, label, value, slope in [(1000.0, 0, 1000.0, 1.0), (-1000.0, 1, 1000.0, -1.0),
                                   (1000.0, 1, 0.0, 0.0), (-1000.0, 0, 0.0, 0.0)]:
        x = Value(z)
        loss = losses.binary_cross_entropy([x], [label])
        loss.backward()
        assert loss.data == pytest.approx(value, abs=1e-12) and x.grad == pytest.approx(slope, abs=1e-12)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: losses.hinge([Value(1.0)], [2]), "must be all 0/1 or all -1/\\+1, got \\[2\\]"),
    (lambda: losses.hinge([Value(1.0)], [1, 0]), "1 outputs but 2 labels"),
    (lambda: losses.hinge([], []), "empty batch"),
    (lambda: losses.hinge(Value(1.0), [1]), "takes a batch"),
    (lambda: losses.cross_entropy([[Value(1.0), Value(2.0)]], [2]), "class numbers 0 to 1, got 2"),
    (lambda: losses.cross_entropy([[Value(1.0)]], [0]), "at least 2"),
    (lambda: losses.binary_cross_entropy([[Value(1.0), Value(2.0)]], [1]), "needs one output per sample"),
    (lambda: losses.mse([Value(1.0)], [float("nan")]), "finite numbers"),
    (lambda: losses.get("cross_entropi"), "unknown loss 'cross_entropi'; the losses are hinge, mse"),
])
def test_bad_loss_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# --- optimizers ---------------------------------------------------------------------------

def test_sgd_plain_momentum_and_weight_decay():
    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    w.grad = 2.0
    opt.step()  # v = 2 + 0.5·1 = 2.5; w = 1 − 0.25
    assert w.data == pytest.approx(0.75)
    w.grad = 2.0
    opt.step()  # v = 0.9·2.5 + 2 + 0.5·0.75 = 4.625
    assert w.data == pytest.approx(0.75 - 0.4625)
    opt.zero_grad()
    assert w.grad == 0.0 and opt.steps == 2


def test_adam_takes_steps_of_lr_for_a_constant_gradient():
    w = Value(0.0)
    opt = Adam([w], lr=0.01)
    for k in range(1, 6):
        w.grad = -3.0  # bias correction makes every step lr·g/|g|
        opt.step()
        assert w.data == pytest.approx(0.01 * k, rel=1e-6)


def test_adam_minimises_a_quadratic():
    x, y = Value(3.0), Value(-2.0)
    opt = Adam([x, y], lr=0.1)
    for _ in range(500):
        opt.zero_grad()
        ((x - 1) ** 2 + 10 * (y + 0.5) ** 2).backward()
        opt.step()
    assert x.data == pytest.approx(1.0, abs=1e-3) and y.data == pytest.approx(-0.5, abs=1e-3)


def test_schedules_are_plain_callables():
    w = Value(0.0)
    opt = SGD([w], lr=lambda k: 1.0 / (k + 1))
    rates = []
    for _ in range(3):
        rates.append(opt.rate)
        w.grad = 1.0
        opt.step()
    assert rates == [1.0, 0.5, 1 / 3]
    assert linear(1.0, 0.0, 4)(2) == 0.5 and cosine(2.0, 0.0, 2)(1) == pytest.approx(1.0)
    bad = SGD([w], lr=lambda k: -1.0)
    with pytest.raises(ValueError, match="schedule gave -1.0 at step 0"):
        bad.step()


@pytest.mark.parametrize(("make", "message"), [
    (lambda: SGD([], lr=0.1), "no parameters"),
    (lambda: SGD([1.0], lr=0.1), "optimizes Values"),
    (lambda: SGD([Value(1.0)], lr=0), "lr must be a positive number or a schedule"),
    (lambda: SGD([Value(1.0)], momentum=1.0), "momentum must be a number in \\[0, 1\\)"),
    (lambda: Adam([Value(1.0)], betas=(0.9,)), "betas must be a pair"),
    (lambda: Adam([Value(1.0)], eps=0), "eps must be a positive number"),
])
def test_bad_optimizer_arguments_are_named(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


# --- training ----------------------------------------------------------------------------

def test_micrograds_moons_demo_reaches_full_accuracy():
    X, y = make_moons(n=100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    opt = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100)
    history = model.fit(X, y, loss="hinge", optimizer=opt, epochs=100, l2=1e-4, quiet=True)
    assert history.accuracy[-1] == 1.0 and model.accuracy(X, y) == 1.0
    assert history.loss[-1] < 0.05 < history.loss[0]
    assert model.predict(X) == y  # labels given 0/1 come back 0/1


def test_training_is_deterministic_and_reports_progress():
    X, y = make_moons(n=30, noise=0.1, seed=0)
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 1], seed=3)
        out = io.StringIO()
        seen = []
        history = model.fit(X, y, loss="bce", optimizer=Adam(model.parameters(), lr=0.05), epochs=5,
                            batch_size=8, seed=11, file=out, callback=seen.append)
        runs.append(history.loss)
        assert [r["epoch"] for r in seen] == [1, 2, 3, 4, 5]
        text = out.getvalue()
        assert "epoch 5/5" in text and text.endswith("\n") and "\r" in text and "accuracy" in text
    assert runs[0] == runs[1]
    assert "History(5 epochs" in repr(history)


def test_quiet_prints_nothing(capsys):
    X, y = make_moons(n=10, seed=0)
    MLP(2, [2, 1], seed=0).fit(X, y, epochs=2, quiet=True)
    assert capsys.readouterr().out == ""


def test_several_classes_with_cross_entropy():
    X, y = make_blobs(n=60, k=3, std=0.5, seed=2)
    model = MLP(2, [8, 3], seed=0)
    model.fit(X, y, loss="cross_entropy", optimizer=Adam(model.parameters(), lr=0.05), epochs=40, quiet=True)
    assert model.accuracy(X, y) >= 0.95
    assert set(model.predict(X)) <= {0, 1, 2}


def test_hinge_on_plus_minus_one_labels_predicts_plus_minus_one():
    X, y = make_moons(n=40, noise=0.05, seed=0)
    y_pm = [2 * v - 1 for v in y]
    model = MLP(2, [8, 1], seed=0)
    model.fit(X, y_pm, epochs=30, optimizer=SGD(model.parameters(), lr=0.1, momentum=0.9), quiet=True)
    assert set(model.predict(X)) == {-1, 1}
    assert model.accuracy(X, y_pm) == model.accuracy(X, y) > 0.8


def test_regression_with_mse_has_no_accuracy():
    X = [[k / 10] for k in range(10)]
    y = [2 * x[0] + 1 for x in X]
    model = MLP(1, [1], seed=0)
    history = model.fit(X, y, loss="mse", optimizer=SGD(model.parameters(), lr=0.3), epochs=200, quiet=True)
    assert history.accuracy[-1] is None and history.loss[-1] < 1e-6
    w, b = model.parameters()
    assert (w.data, b.data) == (pytest.approx(2.0, abs=1e-3), pytest.approx(1.0, abs=1e-3))


@pytest.mark.parametrize(("X", "y", "options", "message"), [
    ([[1.0, 2.0, 3.0]], [1], {}, "each a list of 2 numbers \\(the model's inputs\\); sample 0 has 3"),
    ([1.0, 2.0], [1, 0], {}, "sample 0 is a float"),
    ([["a", 2.0]], [1], {}, "every input must be a finite number"),
    ([[1.0, 2.0]], [1, 0], {}, "one label per sample: 1 samples, got 2"),
    ([[1.0, 2.0]], [2], {}, "all 0/1 or all -1/\\+1"),
    ([[1.0, 2.0]], [1], {"loss": "cross_entropy"}, "at least 2"),
    ([[1.0, 2.0]], [1], {"loss": "softmax"}, "unknown loss 'softmax'"),
    ([[1.0, 2.0]], [1], {"epochs": 0}, "epochs must be a whole number ≥ 1"),
    ([[1.0, 2.0]], [1], {"batch_size": 0}, "batch_size must be"),
    ([[1.0, 2.0]], [1], {"optimizer": "adam"}, "optimizer must be an Optimizer"),
    ([], [], {}, "non-empty list of samples"),
])
def test_bad_training_data_is_named(X, y, options, message):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises((ValueError, TypeError), match=message):
        model.fit(X, y, quiet=True, **options)


def test_class_labels_out_of_range_are_named():
    model = MLP(2, [3, 3], seed=0)
    with pytest.raises(ValueError, match="class numbers 0 to 2 for this model, got 3"):
        model.fit([[1.0, 2.0]], [3], loss="cross_entropy", quiet=True)
    with pytest.raises(ValueError, match="a binary loss needs a model with 1 output, this one has 3"):
        model.fit([[1.0, 2.0]], [1], loss="hinge", quiet=True)


# --- fit(compile=True): the recorded step replayed (issue 15) ------------------------


@pytest.mark.parametrize("loss, nout, labels", [
    ("hinge", 1, "binary"), ("bce", 1, "binary"), ("mse", 1, "binary"), ("cross_entropy", 3, "classes")])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_compiled_fit_gives_the_same_losses(loss, nout, labels, optimizer):
    from autograd_lite.datasets import make_moons
    from autograd_lite.nn import MLP, SGD, Adam

    X, y = make_moons(n=40, noise=0.1, seed=3)
    if labels == "classes":
        y = [(i % 3) for i in range(len(X))]
    runs = []
    for compiled in (False, True):
        model = MLP(2, [6, nout], activation="tanh", seed=2)
        opt = SGD(model.parameters(), lr=0.1, momentum=0.9) if optimizer == "sgd" else Adam(model.parameters())
        history = model.fit(X, y, loss=loss, optimizer=opt, epochs=6, l2=1e-3, quiet=True, compile=compiled)
        runs.append((history, [p.data for p in model.parameters()]))
    (plain, params_plain), (fast, params_fast) = runs
    assert max(abs(a - b) for a, b in zip(plain.loss, fast.loss)) <= 1e-12
    assert plain.accuracy == fast.accuracy
    assert max(abs(a - b) for a, b in zip(params_plain, params_fast)) <= 1e-12


def test_compiled_fit_needs_the_full_batch():
    from autograd_lite.nn import MLP

    with pytest.raises(ValueError, match="full-batch training"):
        MLP(2, [3, 1], seed=0).fit([[0.0, 1.0]] * 4, [0, 1, 0, 1], batch_size=2, compile=True, quiet=True)


def test_compiled_fit_refuses_a_model_whose_graph_depends_on_the_data():
    from autograd_lite.fast.compiler import StructureChanged
    from autograd_lite.nn import MLP, SGD

    class Branchy(MLP):
        def __call__(self, x):
            out = super().__call__(x)
            return out if out.data > -0.4 else out * 2  # a branch on a value

    X = [[0.5, -1.0], [1.0, 2.0], [-2.0, 0.3], [0.1, 0.1]]
    plain = Branchy(2, [3, 1], activation="tanh", seed=0)
    before = [plain(x).data > -0.4 for x in X]
    plain.fit(X, [0, 1, 0, 1], epochs=8, quiet=True, optimizer=SGD(plain.parameters(), lr=0.5))
    assert before != [plain(x).data > -0.4 for x in X]  # the branch taken does change while training
    model = Branchy(2, [3, 1], activation="tanh", seed=0)
    with pytest.raises(StructureChanged, match="depends on the data"):
        model.fit(X, [0, 1, 0, 1], epochs=8, compile=True, quiet=True, optimizer=SGD(model.parameters(), lr=0.5))
