"""``autograd_lite.datasets``, the public name of :mod:`autograd_lite.nn.datasets` (toy data sets, pure Python)."""

from .nn.datasets import *
from .nn.datasets import __all__  # noqa: F401
