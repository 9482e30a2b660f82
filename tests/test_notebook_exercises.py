"""Notebook 07's checks: each prints OK for the right answer, and WRONG unanswered or wrong."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "07_exercises.ipynb"

# The solutions, worked on paper (o = tanh(0.8814) = 0.70711, so 1 − o² = 0.5).
SOLUTIONS = {
    "answer_1a": "0.5",
    "answer_1b": "-1.5",           # ∂o/∂n · w1
    "answer_1c": "0.0",            # ∂o/∂n · x2
    "answer_2": "-0.5",            # b + 1
    "answer_3a": "5.0",            # ẋ1·x2 + x1·ẋ2
    "answer_3b": "2 - math.cos(5)",  # x1 − cos x2
    "answer_4": "-2 * math.tanh(0.5) * (1 - math.tanh(0.5)**2)",
    "answer_5a": "-8.0",           # 2(wx − y)·x
    "answer_5b": "1.3",            # 0.5 − 0.1·(−8)
    "answer_5c": "0.16",           # (1.3·2 − 3)²
}


def _run(answers: dict[str, str] | None, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run the notebook with ``answers`` put in its answer cells; the checks' printed lines."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    names = []
    for cell in notebook.cells:
        if "answer" in cell.metadata.get("tags", []):
            name, placeholder = (part.strip() for part in cell.source.split("="))
            assert placeholder == "...", "the notebook is saved with its questions unanswered"
            names.append(name)
            if answers is not None:
                cell.source = f"{name} = {answers[name]}"
    assert sorted(names) == sorted(SOLUTIONS)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    lines = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", "cells fail softly: a message, never an exception"
            if output.output_type == "stream":
                lines += [line for line in output.text.splitlines() if re.match(r"(OK|WRONG):", line)]
    return lines


def test_the_solutions_pass_every_check(monkeypatch):
    lines = _run(SOLUTIONS, monkeypatch)
    assert len(lines) == len(SOLUTIONS)
    assert all(line.startswith("OK:") for line in lines), lines


def test_unanswered_every_check_says_so(monkeypatch):
    lines = _run(None, monkeypatch)
    assert len(lines) == len(SOLUTIONS)
    assert all(line.startswith("WRONG:") and "not answered yet" in line for line in lines), lines


def test_a_wrong_answer_fails_every_check(monkeypatch):
    wrong = {name: f"({value}) * 1.01 + 0.01" for name, value in SOLUTIONS.items()}
    lines = _run(wrong, monkeypatch)
    assert len(lines) == len(SOLUTIONS)
    assert all(line.startswith("WRONG:") and "the engine says" in line for line in lines), lines


def test_the_saved_notebook_shows_the_questions_unanswered():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    printed = [o.text for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "stream"]
    checks = [line for text in printed for line in text.splitlines() if line.startswith(("OK:", "WRONG:"))]
    assert len(checks) == len(SOLUTIONS) and all("not answered yet" in line for line in checks)
