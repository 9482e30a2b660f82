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
  ``backward_steps`` (pictures, the backward pass step by step), ``nn``.

Example:
    >>> from autograd_lite import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * x + 1).log()
    >>> y.backward()
    >>> round(x.grad, 6)   # 2x / (x² + 1)
    0.8
"""

from . import explorer as _explorer
from .core.custom_ops import define_op, remove_op
from .core.functional import (
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
from .core.generic import apply, dot, sum_of
from .core.ops import OPS, DivisionByZero, DomainError, Op, OpTest
from .core.value import Value, local_derivatives, scope, topological_order
from .fast import fastpath  # noqa: F401 - installs value.py's fast paths: the same numbers, sooner
from .fast.compiler import Program, StructureChanged

# autograd_lite.compile, left out of __all__ so that `import *` keeps Python's builtin compile
from .fast.compiler import compile as compile
from .transforms.autodiff import (
    GradcheckError,
    grad,
    gradcheck,
    gradgradcheck,
    hessian,
    hvp,
    jacobian,
    jvp,
)
from .views.evaluation_trace import (
    EvaluationTrace,
    evaluation_trace,
    evaluation_trace_of,
    trace_of,
)
from .views.pictures import draw_dot
from .views.render import GraphvizNotFound
from .views.steps import BackwardSteps, Trace, backward_steps, trace_backward

# The composition root: the record of a backward pass (views) is drawn as a page by
# the explorer, which sits above it; the record is told its page maker here.
BackwardSteps.page_maker = _explorer.trace_page

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "BackwardSteps",
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
    "backward_steps",
    "cos",
    "define_op",
    "dot",
    "draw_dot",
    "elu",
    "evaluation_trace",
    "evaluation_trace_of",
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
