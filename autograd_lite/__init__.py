"""autograd_lite: a scalar reverse-mode autodiff engine for learning backpropagation.

A :class:`Value` records each operation in a graph; ``backward()`` applies
the chain rule from the output back to the inputs. Where to read:

* ``value.py``: the algorithm (Value, its operators, the topological order,
  the plain backward loop), under 300 lines;
* ``ops.py``: the table of ops, each with its forward and local derivative;
* ``fastpath.py``: the same algorithm specialised for speed (what runs),
  tested to agree with ``value.py`` bit for bit;
* ``apply``/``sum_of``/``dot`` (any op by name, Σ and Σ of products), ``scope`` (groups of nodes),
  ``grad``/``jacobian``/``hessian`` (transforms), ``draw_dot`` and
  ``trace_backward`` (pictures, the backward pass step by step), ``nn``.

Example:
    >>> from autograd_lite import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * x + 1).log()
    >>> y.backward()
    >>> round(x.grad, 6)   # 2x / (x² + 1)
    0.8
"""

from . import fastpath  # noqa: F401 - installs value.py's fast paths: the same numbers, sooner
from .autodiff import (
    GradcheckError,
    grad,
    gradcheck,
    gradgradcheck,
    hessian,
    hvp,
    jacobian,
    jvp,
)
from .custom_ops import define_op, remove_op
from .functional import (
    cos,
    elu,
    exp,
    gelu,
    leaky_relu,
    log,
    log_softmax,
    maximum,
    minimum,
    relu,
    sigmoid,
    silu,
    sin,
    softmax,
    softplus,
    sqrt,
    tan,
    tanh,
    to_floats,
)
from .generic import apply, dot, sum_of
from .ops import OPS, DivisionByZero, DomainError, Op, OpTest
from .program import (
    EvaluationTrace,
    Program,
    StructureChanged,
    evaluation_trace,
    trace_of,
)

# autograd_lite.compile, left out of __all__ so that `import *` keeps Python's builtin compile
from .program import compile as compile
from .trace import Trace, trace_backward
from .value import Value, local_derivatives, scope, topological_order
from .viz import GraphvizNotFound, draw_dot

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "DivisionByZero",
    "DomainError",
    "EvaluationTrace",
    "GradcheckError",
    "GraphvizNotFound",
    "Op",
    "OpTest",
    "Program",
    "StructureChanged",
    "Trace",
    "Value",
    "apply",
    "cos",
    "define_op",
    "dot",
    "draw_dot",
    "elu",
    "evaluation_trace",
    "exp",
    "gelu",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "leaky_relu",
    "local_derivatives",
    "log",
    "log_softmax",
    "maximum",
    "minimum",
    "relu",
    "remove_op",
    "scope",
    "sigmoid",
    "silu",
    "sin",
    "softmax",
    "softplus",
    "sqrt",
    "sum_of",
    "tan",
    "tanh",
    "to_floats",
    "topological_order",
    "trace_backward",
    "trace_of",
]
