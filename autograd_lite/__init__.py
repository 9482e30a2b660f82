"""autograd_lite: a scalar reverse-mode autodiff engine for learning backpropagation.

Example:
    >>> from autograd_lite import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * x + 1).log()
    >>> y.backward()
    >>> round(x.grad, 6)   # 2x / (x² + 1)
    0.8
"""

from .autodiff import GradcheckError, grad, gradcheck, gradgradcheck, hessian, jacobian
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
from .ops import OPS, DivisionByZero, DomainError, Op, OpTest
from .trace import Trace, trace_backward
from .value import Value, apply, local_derivatives, scope, sum_of, topological_order
from .viz import GraphvizNotFound, draw_dot

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "DivisionByZero",
    "DomainError",
    "GradcheckError",
    "GraphvizNotFound",
    "Op",
    "OpTest",
    "Trace",
    "Value",
    "apply",
    "cos",
    "define_op",
    "draw_dot",
    "elu",
    "exp",
    "gelu",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "jacobian",
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
]
