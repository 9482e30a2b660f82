"""Threads: backward on one graph from two threads, and on separate graphs."""

from __future__ import annotations

import sys
import threading

import pytest

from autograd_lite import Value, topological_order


def _graph(seed: float) -> tuple[Value, list[Value]]:
    """A few thousand nodes with shared subexpressions: a long backward, many grads."""
    leaves = [Value(seed + k / 100, label=f"w{k}") for k in range(40)]
    total = Value(0.0)
    for k in range(600):
        a, b = leaves[k % 40], leaves[(7 * k + 3) % 40]
        total = total + (a * b).tanh() * 0.01
    return total, leaves


@pytest.fixture
def fast_switching():
    # switch threads every microsecond, so that a race shows up in every run, not now and then
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def _in_threads(count: int, work) -> None:
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            start.wait()
            work(k)
        except BaseException as error:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_two_threads_backward_on_one_graph_give_the_same_grads_as_one_after_the_other(fast_switching):
    expected_root, expected_leaves = _graph(0.3)
    for _ in range(4):
        expected_root.backward()
    expected = [leaf.grad for leaf in expected_leaves]
    inner = {id(n): n.grad for n in topological_order(expected_root)}

    root, leaves = _graph(0.3)
    _in_threads(2, lambda k: (root.backward(), root.backward()))
    assert [leaf.grad for leaf in leaves] == expected  # accumulated four times, exactly
    order, expected_order = topological_order(root), topological_order(expected_root)
    assert [n.grad for n in order] == [inner[id(n)] for n in expected_order]


def test_threads_on_separate_graphs_keep_working(fast_switching):
    results: dict[int, list[float]] = {}

    def work(k: int) -> None:
        root, leaves = _graph(0.1 * k)
        root.backward()
        results[k] = [leaf.grad for leaf in leaves]

    _in_threads(4, work)
    for k in range(4):
        root, leaves = _graph(0.1 * k)
        root.backward()
        assert results[k] == [leaf.grad for leaf in leaves]
