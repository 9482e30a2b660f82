"""The graded task pack's stub files: what ``autograd-lite exercises new DIR`` writes.

Four tasks, one file each; the learner fills in the bodies and runs
``autograd-lite exercises check DIR``. The grader (:mod:`autograd_lite.cli.grading`)
imports these names, so the names and signatures are the contract.
"""

from __future__ import annotations

__all__ = ["README", "STUBS", "TASKS"]

#: task name -> (file name, what it asks), in the order they are checked
TASKS = {
    "rules": ("task1_rules.py", "the local derivative rules of five ops"),
    "topo": ("task2_topo.py", "topological_order: parents before children, each node once"),
    "backward": ("task3_backward.py", "backward: the chain rule over the graph"),
    "neuron": ("task4_neuron.py", "a Neuron: tanh(w·x + b) with its parameters"),
}

README = """\
The autograd_lite task pack
===========================

Four tasks, one file each. Fill in the bodies marked TODO, then run

    autograd-lite exercises check .        (in this directory)

The grader imports your files and checks each task against closed forms,
finite differences and the real engine on random graphs, and says which input
failed and how. Each task runs in its own process with a time limit, so an
endless loop or a crash is reported, never a hang. Tasks are graded one by one:
`autograd-lite exercises check . --task topo` grades task 2 alone.

task1_rules.py     the local derivative rules of five ops, on plain floats
task2_topo.py      topological_order(root): every node once, parents first
task3_backward.py  backward(root): the chain rule, node by node
task4_neuron.py    a Neuron: tanh(w·x + b), and its parameters
"""

_RULES = '''\
"""Task 1: local derivative rules, written as on paper, on plain floats.

Each function gets the op's inputs and returns the derivative of the op's output
with respect to each input (a tuple for two inputs, one number for one input).
Example: for out = a + b,  def add(a, b): return (1.0, 1.0)
"""

import math


def mul(a, b):
    """out = a * b: return (∂out/∂a, ∂out/∂b)."""
    raise NotImplementedError("TODO")


def div(a, b):
    """out = a / b: return (∂out/∂a, ∂out/∂b)."""
    raise NotImplementedError("TODO")


def power(a, n):
    """out = a ** n for a constant number n: return ∂out/∂a."""
    raise NotImplementedError("TODO")


def tanh(x):
    """out = tanh(x): return ∂out/∂x. (math.tanh is there to use.)"""
    raise NotImplementedError("TODO")


def sigmoid(x):
    """out = 1 / (1 + exp(-x)): return ∂out/∂x."""
    raise NotImplementedError("TODO")
'''

_TOPO = '''\
"""Task 2: topological order.

A node is an autograd_lite Value; node.parents is the tuple of the nodes it was
computed from (a leaf has none). A node may be used more than once (x * x has x
twice among its parents), and graphs can be thousands of nodes deep.
"""


def topological_order(root):
    """Every node of root's graph exactly once, each after all its parents; root last.

    Return a list.
    """
    raise NotImplementedError("TODO")
'''

_BACKWARD = '''\
"""Task 3: backward.

Fill in every node's .grad with ∂root/∂node. Start from root.grad = 1 and walk the
nodes children first; each node passes node.grad × (local derivative) to each of
its parents. local_derivatives(node) gives the local derivatives, one per parent,
in the order of node.parents. All grads start at 0.
"""

from autograd_lite import local_derivatives, topological_order  # or use yours:
# from task2_topo import topological_order


def backward(root):
    """Set .grad on every node of root's graph."""
    raise NotImplementedError("TODO")
'''

_NEURON = '''\
"""Task 4: a neuron, out = tanh(w1·x1 + ... + wn·xn + b).

Use autograd_lite's Value for the weights and the bias, so backward() reaches them.
"""

import random

from autograd_lite import Value


class Neuron:
    def __init__(self, nin):
        """nin weights and a bias, each a Value drawn uniformly from [-1, 1]."""
        raise NotImplementedError("TODO")

    def __call__(self, x):
        """x: a list of nin numbers or Values. Return tanh(w·x + b) as a Value."""
        raise NotImplementedError("TODO")

    def parameters(self):
        """The weights, in order, then the bias: a list of nin + 1 Values."""
        raise NotImplementedError("TODO")
'''

#: file name -> its text
STUBS = {
    "README.txt": README,
    TASKS["rules"][0]: _RULES,
    TASKS["topo"][0]: _TOPO,
    TASKS["backward"][0]: _BACKWARD,
    TASKS["neuron"][0]: _NEURON,
}
