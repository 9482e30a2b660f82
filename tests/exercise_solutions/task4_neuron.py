"""Reference solution of task 4: a neuron."""

import random

from autograd_lite import Value


class Neuron:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        z = self.b
        for wi, xi in zip(self.w, x):
            z = z + wi * xi
        return z.tanh()

    def parameters(self):
        return [*self.w, self.b]
