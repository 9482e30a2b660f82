"""Practice: generated exercises graded by the engine, in the terminal (driven through a pty)."""

from __future__ import annotations

import json
import math
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import pytest

from autograd_lite import Value
from autograd_lite.views.practice import LEVELS, TOLERANCE, exercises, is_right

ANSWER = re.compile(r"What is ∂f/∂(\w+)\?")


# --- the exercises ---------------------------------------------------------------------


def test_the_ladder_climbs_one_rung_per_level():
    assert [e.level for e in exercises(seed=1, count=5)] == [1, 2, 3, 4, 5]
    assert [e.level for e in exercises(seed=1, count=10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert {e.level for e in exercises(level=4, seed=1, count=6)} == {4}


def test_the_same_seed_gives_the_same_questions_and_another_seed_others():
    first = [e.as_json() for e in exercises(seed=7, count=8)]
    assert first == [e.as_json() for e in exercises(seed=7, count=8)]
    assert first != [e.as_json() for e in exercises(seed=8, count=8)]


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_each_answer_is_the_engines_gradient_and_agrees_with_finite_differences(level):
    from autograd_lite.core.expression import parse

    for e in exercises(level=level, seed=11, count=6):
        expression = parse(e.expression)
        h = 1e-6
        x = e.variables[e.wrt]
        up, down = (expression.build({**e.variables, e.wrt: v})[0].data for v in (x + h, x - h))
        estimate = (up - down) / (2 * h)
        assert math.isclose(e.answer, estimate, rel_tol=1e-4, abs_tol=1e-7), (e.question, e.answer, estimate)
        assert e.answer == 0 or abs(e.answer) >= 1e-3  # a relative tolerance asks for no more than 4 digits


def test_the_levels_ask_what_they_promise():
    one, neuron, shared, softmax, mlp = exercises(seed=5, count=5)
    assert len(one.variables) <= 2
    assert neuron.expression.endswith("(x1*w1 + x2*w2 + b)")
    assert shared.expression.count("x") >= 2 and shared.wrt == "x"
    assert "softmax(a, b, c)" in softmax.expression
    assert mlp.expression.count("tanh") == 3


def test_grading_uses_a_relative_tolerance_of_one_in_a_thousand():
    assert TOLERANCE == 1e-3
    assert is_right(1.0009, 1.0) and not is_right(1.0011, 1.0)
    assert is_right(-2000.0, -2001.0) and not is_right(2.0, -2.0)
    assert is_right(0.0, 0.0) and not is_right(1e-6, 0.0)


def test_a_wrong_answer_is_explained_by_the_steps_between_the_variable_and_the_output():
    (mlp,) = exercises(level=5, seed=2, count=1)
    text = mlp.explain()
    steps = mlp.relevant_steps()
    assert 0 < len(steps) < 14  # not the whole pass: only nodes that depend on the variable
    for s in steps:
        assert f"step {s.index}:" in text
    assert text.splitlines()[-1].startswith(f"∂f/∂{mlp.wrt} = ")  # the chain rule's sum ends it


def test_bad_levels_and_counts_are_refused_with_a_message():
    with pytest.raises(ValueError, match="level must be from 1 to 5"):
        exercises(level=6)
    with pytest.raises(ValueError, match="count must be from 1"):
        exercises(count=0)


# --- the command line --------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograd_lite", "practice", *args], check=False,
                          capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_json_lists_the_exercises_with_their_answers():
    done = _cli("--json", "--seed", "4", "--count", "5")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert len(items) == 5
    for item, e in zip(items, exercises(seed=4, count=5)):
        assert {"question", "variables", "answer"} <= set(item)
        assert item["question"] == e.question and item["answer"] == e.answer
        assert item["variables"] == e.variables and item["wrt"] == e.wrt


@pytest.mark.parametrize("args, message", [
    (["--count", "0"], "--count must be from 1"),
    (["--level", "9"], "invalid choice: 9"),
    (["--seed", "x"], "invalid int value: 'x'"),
])
def test_bad_options_get_a_message_and_status_2(args, message):
    done = _cli(*args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


class Terminal:
    """``autograd-lite practice`` on a pseudo-terminal, as a learner types into it."""

    def __init__(self, *args: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the command on the pty
            os.execve(sys.executable, [sys.executable, "-m", "autograd_lite", "practice", *args],
                      {**os.environ, "PYTHONIOENCODING": "utf-8"})
        self.text = ""
        self.seen = 0  # what read_until has matched so far: the next search starts after it

    def read_until(self, pattern: str, deadline: float = 30.0) -> re.Match[str]:
        """Read until ``pattern`` matches the output not yet matched (a generous deadline only catches hangs)."""
        end = time.monotonic() + deadline
        while True:
            found = re.compile(pattern, re.MULTILINE).search(self.text, self.seen)
            if found:
                self.seen = found.end()
                return found
            ready, _, _ = select.select([self.fd], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                raise AssertionError(f"no {pattern!r} after {deadline} s; the output:\n{self.text}")
            try:
                data = os.read(self.fd, 4096)
            except OSError:  # the child closed the pty
                data = b""
            if not data:
                raise AssertionError(f"the program ended without {pattern!r}; the output:\n{self.text}")
            self.text += data.decode("utf-8", "replace").replace("\r\n", "\n")

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\n")

    def control(self, key: str) -> None:
        os.write(self.fd, {"c": b"\x03", "d": b"\x04"}[key])

    def status(self) -> int:
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:  # drain the pty so the child never blocks writing
                if select.select([self.fd], [], [], 0.1)[0]:
                    self.text += os.read(self.fd, 4096).decode("utf-8", "replace").replace("\r\n", "\n")
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError(f"still running after 30 s; the output:\n{self.text}")


def test_a_session_grades_right_and_wrong_answers_and_ends_with_the_score():
    items = exercises(seed=21, count=3)
    term = Terminal("--seed", "21", "--count", "3")
    for k, e in enumerate(items):
        term.read_until(rf"Question {k + 1} of 3")
        found = term.read_until(ANSWER.pattern)
        assert found.group(1) == e.wrt
        assert e.question in term.text  # the same questions in the same order as --json
        term.read_until(rf"∂f/∂{e.wrt} = $")
        if k == 1:
            term.type(repr(e.answer + 1.0))
            term.read_until(r"WRONG: you said")
            term.read_until(r"the backward steps that lead to")
        else:
            term.type(f"{e.answer:.6g}")
            term.read_until(r"RIGHT: the engine says")
    term.read_until(r"Score: 2 of 3\.")
    assert term.status() == 0
    assert "Traceback" not in term.text


def test_bad_input_gets_a_word_and_the_question_again():
    (e,) = exercises(seed=22, count=1)
    term = Terminal("--seed", "22", "--count", "1")
    term.read_until(r"∂f/∂\w+ = $")
    term.type("banana")
    term.read_until(r"'banana' is not a number")
    term.type("")
    term.read_until(r"nothing typed")
    term.type("1/0")
    term.read_until(r"cannot divide")
    term.type("x + 1")
    term.read_until(r"'x \+ 1' is not a number")
    term.type("1e999")
    term.read_until(r"give a finite number")
    term.type(f"{e.answer:.6g}")  # still the same question, still answerable
    term.read_until(r"RIGHT")
    term.read_until(r"Score: 1 of 1\.")
    assert term.status() == 0
    assert "Traceback" not in term.text


def test_arithmetic_is_an_answer_and_skip_shows_the_answer():
    term = Terminal("--seed", "1", "--count", "2", "--level", "3")
    term.read_until(r"∂f/∂\w+ = $")
    term.type("skip")
    term.read_until(r"The answer: ∂f/∂x = ")
    term.read_until(r"Question 2 of 2")
    term.read_until(r"∂f/∂\w+ = $")
    term.type("2 * 0.5 - 3")  # arithmetic on numbers, read by the safe parser
    term.read_until(r"(WRONG: you said -2,|RIGHT)")
    term.read_until(r"Score: \d of 2\.")
    assert term.status() == 0


def test_ctrl_d_stops_with_the_score_so_far():
    (e, _) = exercises(seed=5, count=2)
    term = Terminal("--seed", "5", "--count", "2")
    term.read_until(r"∂f/∂\w+ = $")
    term.type(f"{e.answer:.6g}")
    term.read_until(r"Question 2 of 2")
    term.read_until(r"∂f/∂\w+ = $")
    term.control("d")
    term.read_until(r"Stopped\. Score: 1 of 1 answered\.")
    assert term.status() == 0
    assert "Traceback" not in term.text


def test_ctrl_c_stops_with_a_word_and_no_traceback():
    term = Terminal("--seed", "5", "--count", "2")
    term.read_until(r"∂f/∂\w+ = $")
    term.control("c")
    term.read_until(r"Interrupted\. Score: 0 of 0 answered\.")
    assert term.status() == 130
    assert "Traceback" not in term.text and "KeyboardInterrupt" not in term.text


def test_quit_stops_too():
    term = Terminal("--seed", "5", "--count", "2")
    term.read_until(r"∂f/∂\w+ = $")
    term.type("quit")
    term.read_until(r"Stopped\. Score: 0 of 0 answered\.")
    assert term.status() == 0


def test_answers_are_plain_numbers_the_engine_computed():
    # the graded number is the gradient backward leaves in the leaf
    (e,) = exercises(level=2, seed=9, count=1)
    leaves = {name: Value(v, label=name) for name, v in e.variables.items()}
    act = e.expression.split("(")[0]
    z = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    getattr(z, act)().backward()
    assert leaves[e.wrt].grad == pytest.approx(e.answer, rel=1e-12)
