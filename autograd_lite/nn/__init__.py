"""Neural networks on top of ``Value``: modules, losses, optimizers, training.

Example:
    >>> from autograd_lite.nn import MLP, SGD, losses
    >>> from autograd_lite.datasets import make_moons
    >>> X, y = make_moons(n=100, noise=0.1, seed=1337)
    >>> model = MLP(2, [16, 16, 1], activation="relu", seed=1)
    >>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> history = model.fit(X, y, loss="hinge", optimizer=opt, epochs=30, quiet=True)
    >>> model.accuracy(X, y) > 0.85
    True
"""

from . import losses
from .gpt import (
           GPT,
           CausalSelfAttention,
           Embedding,
           KVCache,
           Linear,
           MLPBlock,
           RMSNorm,
           TransformerBlock,
)
from .module import ACTIVATIONS, MLP, Layer, Module, Neuron
from .optim import SGD, Adam, Optimizer, cosine, linear
from .training import History, fit

__all__ = ["ACTIVATIONS", "MLP", "SGD", "Adam", "History", "Layer", "Module", "Neuron", "Optimizer",
           "cosine", "fit", "linear", "losses"]
# the tiny GPT's pieces (nn/gpt.py)
__all__ += ["GPT", "CausalSelfAttention", "Embedding", "KVCache", "Linear", "MLPBlock", "RMSNorm",
            "TransformerBlock"]
