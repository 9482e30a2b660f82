"""Reference solution of task 3: backward over the learner's own order."""

from task2_topo import topological_order

from autograd_lite import local_derivatives


def backward(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for parent, local in zip(node.parents, local_derivatives(node)):
            parent.grad += node.grad * local
