"""Every notebook in notebooks/ runs top to bottom in a real Jupyter kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    # in a learner's order: each builds on the ones before it
    assert [p.name for p in NOTEBOOKS][:7] == ["01_activations.ipynb", "02_backprop_step_by_step.ipynb",
                                               "03_evaluation_traces.ipynb", "04_derivatives_of_derivatives.ipynb",
                                               "05_training_an_mlp.ipynb", "06_tiny_gpt.ipynb", "07_exercises.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("AUTOGRAD_LITE_NOTEBOOK_TEST", "1")  # 06 trains 30 steps instead of 500 (it says so)
    notebook = nbformat.read(path, as_version=4)
    # A failing cell raises CellExecutionError, which fails the test.
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert outputs and not any(o.output_type == "error" for o in outputs)
