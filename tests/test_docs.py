"""The README is generated knowledge: its op table must be the table's own."""

from pathlib import Path

from autograd_lite.core.ops import OPS, op_table_markdown

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_op_table_is_the_op_table():
    assert op_table_markdown() in README


def test_ci_runs_readmes_quick_start_word_for_word():
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    block = README.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    commands = [line.split("  #", 1)[0].strip() for line in block.splitlines()]
    assert commands == ["python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'",
                        "python -m autograd_lite", "python -m pytest -q"]
    ci_lines = {line.strip() for line in ci.splitlines()}
    for command in commands:
        assert command in ci_lines, command


def test_readme_shows_the_demos_real_output(capsys):
    from autograd_lite.cli.main import main

    assert main([]) == 0
    shown = README.split("```text\n", 1)[1].split("\n```", 1)[0]
    assert shown == capsys.readouterr().out.rstrip("\n")


def test_readme_documents_every_convention():
    for phrase in ["relu'(0)", "leaky_relu'(0)", "±1000", "DomainError", "TypeError", "NaN",
                   "twice", "zero_grad()", "create_graph", "abs'(0)", "sqrt'(0)", "ties in `maximum(a, b)`",
                   "elu'(0)", "tan near its poles", "10**400", "`pi` and `e`", "define_op",
                   "`1#1` and `1#2`", "(x1*w1 + b).grad",
                   "right as printed", 'constants="nodes"', "`&amp;` shows as `&amp;`", "MLP/L0/L0.N3"]:
        assert phrase in README, phrase
    for name in OPS:
        assert f"`{name}`" in README
