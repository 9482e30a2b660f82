"""Issue 27: the README tells the limits the program enforces, every unwritable output is
status 1, and messages are safe to print (control characters escaped, a NUL gets ours)."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from pathlib import Path

import pytest

from autograd_lite.cli import main
from autograd_lite.core.expression import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_OPERATORS,
    ExpressionError,
    parse,
)
from autograd_lite.explorer.live import explore

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
CLI_SECTION = README.split("## The command line", 1)[1].split("\n## ", 1)[0]


def run(*args: str, capsys) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- the limits, as enforced and as written ------------------------------------------------


def test_the_readme_states_each_limit_the_parser_enforces():
    text = " ".join(CLI_SECTION.split())
    assert f"{MAX_LENGTH:,} characters" in text
    assert f"{MAX_OPERATORS:,} operators" in text
    assert f"{MAX_DEPTH} levels of nesting" in text
    assert "any number of terms" not in README


def test_each_limit_is_where_the_readme_says(capsys):
    parse("x" + "+x" * (MAX_OPERATORS // 2))  # within the limits
    with pytest.raises(ExpressionError, match=f"the limit is {MAX_LENGTH:,}"):
        parse("x" + " " * MAX_LENGTH)
    with pytest.raises(ExpressionError, match=f"nested more than {MAX_DEPTH} levels"):
        parse("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    parse("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    # sum adds terms without operators, as many as fit in the characters
    terms = ", ".join(f"x{k}" for k in range(2000))
    code, _, err = run(f"sum({terms})", capsys=capsys)
    assert code == 2 and f"the limit is {MAX_LENGTH:,}" in err
    parse("sum(" + ", ".join(f"x{k}" for k in range(1500)) + ")")


def test_dot_is_in_the_readme_list_of_functions_and_in_help(capsys):
    assert "`dot(a, b, ...)`" in CLI_SECTION
    code, out, _ = run("--help", capsys=capsys)
    assert code == 0 and "dot(a, b, ...)" in out
    code, out, _ = run("dot(a0, b0, a1, b1)", "a0=1", "b0=2", "a1=3", "b1=4", capsys=capsys)
    assert code == 0 and "= 14" in out


# --- a full disk is status 1, whichever output it hits -----------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("option", ["--html", "--graph .dot", "--graph .svg"])
def test_a_full_disk_is_status_1_for_every_output(option, capsys, tmp_path):
    if option == "--html":
        args = ["--html", "/dev/full"]
    else:  # --graph needs a suffix: a link with one, to the full device
        link = tmp_path / f"full{option[-4:]}"
        link.symlink_to("/dev/full")
        args = ["--graph", str(link)]
    code, _, err = run("x*y", "x=1", "y=2", *args, capsys=capsys)
    assert code == 1, err
    assert "cannot write" in err and "No space left on device" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("option", [["--graph", "missing/g.dot"], ["--html", "missing/p.html"]])
def test_an_unwritable_file_is_status_1_and_leaves_nothing(option, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("x", "x=1", *option, capsys=capsys)
    assert code == 1 and "cannot write missing/" in err and "wrote" not in out
    assert list(tmp_path.iterdir()) == []


def test_a_written_file_replaces_the_old_one_whole(capsys, tmp_path):
    target = tmp_path / "g.dot"
    target.write_text("old")
    assert run("x*y", "x=1", "y=2", "--graph", str(target), capsys=capsys)[0] == 0
    assert target.read_text().startswith("digraph")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot"]  # no temporary file left


# --- messages safe to print -----------------------------------------------------------------


@pytest.mark.parametrize("expression", ["x\x1b[31m", "x + \x1b[2J y", "x\x07", "x\x00+1"])
def test_control_characters_are_shown_escaped_in_the_caret_line(expression, capsys):
    code, out, err = run(expression, "x=1", "y=2", capsys=capsys)
    assert code == 2 and out == ""
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", err), repr(err)
    message, line, caret = err.splitlines()
    assert "control character" in message
    bad = next(ch for ch in expression if ord(ch) < 32)
    shown = ascii(bad)[1:-1]
    assert shown in line
    assert line[caret.index("^"):].startswith(shown)


def test_a_bad_number_with_an_escape_is_shown_escaped(capsys):
    code, _, err = run("x", "x=1\x1b[31m", capsys=capsys)
    assert code == 2 and "\x1b" not in err and "\\x1b" in err


def test_a_nul_through_serve_gets_our_message():
    from autograd_lite.explorer.server import make_server

    assert "null bytes" not in explore("x\x00", "x=1")["error"]
    server = make_server(port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        body = json.dumps({"expression": "x + \x00 1", "values": "x=1"}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}/api/explore?token={server.token}",
                                         data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    finally:
        server.shutdown()
        server.server_close()
    assert answer["ok"] is False
    assert "control character \\x00 (U+0000)" in answer["error"]
    assert "null bytes" not in answer["error"]
    line, caret = answer["pointer"].splitlines()
    assert "\x00" not in line and line[caret.index("^"):].startswith("\\x00")
