"""The graded task pack: the reference solutions pass, the typical mistakes fail with their messages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_lite.cli.exercises import check, main
from autograd_lite.cli.taskpack import STUBS, TASKS

SOLUTIONS = Path(__file__).parent / "exercise_solutions"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the reference solutions to plant mistakes in."""
    folder = tmp_path / "pack"
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def plant(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text()
    assert old in text, f"{old!r} is not in {file}: the planted mistake would change nothing"
    path.write_text(text.replace(old, new))


def test_the_reference_solutions_pass_every_task(pack):
    for task in TASKS:
        result = check(pack, task)
        assert result["passed"], result


def test_new_writes_the_stubs_and_they_fail_as_not_done_yet(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["new", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(STUBS)
    for task in TASKS:
        result = check(folder, task)
        assert not result["passed"]
        assert "not done yet" in result["message"] and "NotImplementedError" in result["message"]


def test_new_never_overwrites_work(tmp_path, capsys):
    folder = tmp_path / "mine"
    main(["new", str(folder)])
    (folder / "task2_topo.py").write_text("# my work\n")
    capsys.readouterr()
    assert main(["new", str(folder)]) == 2
    assert "exists already: nothing was written" in capsys.readouterr().err
    assert (folder / "task2_topo.py").read_text() == "# my work\n"


def test_a_missing_plus_equals_in_backward_is_named(pack):
    plant(pack, "task3_backward.py", "parent.grad += node.grad * local", "parent.grad = node.grad * local")
    result = check(pack, "backward")
    assert not result["passed"]
    assert "on y = x*x (x used twice)" in result["message"]
    assert "your x.grad = 3, the engine's 6" in result["message"]
    assert "add with +=, do not assign with =" in result["message"]


def test_a_missing_seed_in_backward_is_named(pack):
    plant(pack, "task3_backward.py", "    root.grad = 1.0\n", "")
    result = check(pack, "backward")
    assert "backward starts from root.grad = 1" in result["message"]


def test_a_wrong_sign_in_a_rule_is_named(pack):
    plant(pack, "task1_rules.py", "-a / b**2", "a / b**2")
    result = check(pack, "rules")
    assert not result["passed"]
    assert result["message"].startswith("div(a=1.5, b=-2): your ∂out/∂b is 0.375, expected -0.375")
    assert "finite differences give -0.375" in result["message"]
    assert result["message"].endswith("the sign is wrong")


def test_swapped_derivatives_are_named(pack):
    plant(pack, "task1_rules.py", "return b, a", "return a, b")
    assert "you swapped ∂out/∂a and ∂out/∂b" in check(pack, "rules")["message"]


def test_a_rule_that_returns_the_wrong_shape_is_named(pack):
    plant(pack, "task1_rules.py", "return b, a", "return b")
    assert "mul(a=1.5, b=-2) should return a tuple of 2 numbers; it returned -2.0" in check(pack, "rules")["message"]


RECURSIVE = '''
def topological_order(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order
'''

NO_VISITED_SET = '''
def topological_order(root):
    order = []
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents)
    return order
'''


def test_a_recursion_that_stops_at_depth_1000_is_named(pack):
    (pack / "task2_topo.py").write_text(RECURSIVE)
    result = check(pack, "topo")
    assert not result["passed"]
    assert result["message"].startswith("on a chain 5,000 nodes deep: RecursionError")
    assert "depth of about 1,000" in result["message"] and "stack" in result["message"]
    assert "Traceback" not in result["message"]
    # backward built on it fails the same way, with the same advice
    assert "RecursionError" in check(pack, "backward")["message"]


def test_visiting_a_node_twice_is_named(pack):
    (pack / "task2_topo.py").write_text(NO_VISITED_SET)
    result = check(pack, "topo")
    assert not result["passed"]
    assert result["message"].startswith("on y = x*x (x used twice)")
    assert "x appears 2 times in your order" in result["message"]
    assert "keep a set of the nodes already visited" in result["message"]


def test_a_parent_after_its_child_is_named(pack):
    plant(pack, "task2_topo.py", "return order", "return order[::-1]")
    message = check(pack, "topo")["message"]
    assert "comes before its parent" in message


def test_an_endless_loop_is_stopped_and_reported(pack):
    plant(pack, "task3_backward.py", "    root.grad = 1.0\n", "    root.grad = 1.0\n    while True:\n        pass\n")
    result = check(pack, "backward", time_limit=3)
    assert not result["passed"]
    assert result["message"].startswith("still running after 3 s, so it was stopped: an endless loop?")


def test_a_crash_is_a_message_with_the_learners_line(pack):
    plant(pack, "task4_neuron.py", "return z.tanh()", "return z.tanh() * (1 / 0)")
    line = (pack / "task4_neuron.py").read_text().splitlines().index("        return z.tanh() * (1 / 0)") + 1
    result = check(pack, "neuron")
    assert result["message"] == f"your code raised ZeroDivisionError: division by zero (task4_neuron.py line {line})"


def test_a_syntax_error_is_a_message_with_its_line(pack):
    plant(pack, "task2_topo.py", "while stack:", "while stack")
    assert "(task2_topo.py line 7)" in check(pack, "topo")["message"]
    assert "SyntaxError" in check(pack, "topo")["message"]


def test_a_neuron_without_its_tanh_is_named(pack):
    plant(pack, "task4_neuron.py", "return z.tanh()", "return z")
    assert "that is w·x + b without the tanh" in check(pack, "neuron")["message"]


def test_a_neuron_whose_parameters_are_copies_is_named(pack):
    plant(pack, "task4_neuron.py", "return [*self.w, self.b]", "return [Value(p.data) for p in [*self.w, self.b]]")
    message = check(pack, "neuron")["message"]
    assert "parameters() must return the very Values __call__ uses" in message


def test_what_the_learner_prints_does_not_confuse_the_grader(pack):
    plant(pack, "task2_topo.py", "    return order", '    print(\'{"passed": true}\')\n    return order')
    assert check(pack, "topo")["passed"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograd_lite", "exercises", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_command_line_reports_each_task_and_its_status(pack):
    plant(pack, "task1_rules.py", "-a / b**2", "a / b**2")
    done = _cli("check", str(pack))
    assert done.returncode == 1, done.stderr
    assert "FAIL  task1_rules.py" in done.stdout and "PASS  task2_topo.py" in done.stdout
    assert "3 of 4 tasks pass." in done.stdout
    done = _cli("check", str(pack), "--task", "topo", "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout) == [check(pack, "topo")]


@pytest.mark.parametrize("args, message", [
    (["check", "/nonexistent/dir"], "is not a directory"),
    (["check", ".", "--task", "nope"], "invalid choice: 'nope'"),
    (["check", ".", "--time-limit", "0"], "--time-limit must be a positive number"),
    ([], "the following arguments are required"),
])
def test_bad_usage_gets_a_message_and_status_2(args, message):
    done = _cli(*args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
