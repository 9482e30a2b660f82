"""The README is generated knowledge: its op table must be the table's own."""

from pathlib import Path

from autograd_lite.ops import OPS, op_table_markdown

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_op_table_is_the_op_table():
    assert op_table_markdown() in README


def test_readme_shows_the_two_commands_ci_runs():
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m autograd_lite" in README
    assert "python -m pytest -q" in README
    assert ci.rstrip().splitlines()[-1] == "python -m pytest -q"


def test_readme_shows_the_demos_real_output(capsys):
    from autograd_lite.cli import main

    assert main([]) == 0
    shown = README.split("```text\n", 1)[1].split("\n```", 1)[0]
    assert shown == capsys.readouterr().out.rstrip("\n")


def test_readme_documents_every_convention():
    for phrase in ["relu'(0)", "leaky_relu'(0)", "±1000", "DomainError", "TypeError", "NaN",
                   "twice", "zero_grad()", "create_graph", "abs'(0)", "sqrt'(0)", "ties in `maximum(a, b)`",
                   "elu'(0)", "tan near its poles", "10**400"]:
        assert phrase in README, phrase
    for name in OPS:
        assert f"`{name}`" in README
