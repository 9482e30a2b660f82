"""Reference solution of task 1 (kept with the tests, not shipped): local derivative rules."""

import math


def mul(a, b):
    return b, a


def div(a, b):
    return 1 / b, -a / b**2


def power(a, n):
    return n * a ** (n - 1)


def tanh(x):
    t = math.tanh(x)
    return 1 - t * t


def sigmoid(x):
    s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
    return s * (1 - s)
