"""Findings of the newcomer's and teacher's review, fixed on the command line and in its pictures.

A picture that fits a size keeps a graph without scopes whole (its bands of
depth only when asked for), the command line prints its results before it
draws, and speaks its own spelling (``--collapse 1``) in notes and errors.
"""

from __future__ import annotations

import importlib
import io
import json
import re
import warnings

from autograd_lite import Value, draw_dot
from autograd_lite.cli.main import main

from .conftest import require_program

NEURON = ["tanh(x1*w1 + x2*w2 + b)", "x1=2", "x2=0", "w1=-3", "w2=1", "b=6.88"]


def run(*args, capsys):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _titles(source: str) -> list[str]:
    return re.findall(r"<b>([^<]+)</b>", source)


# --- finding 1: size= never collapses a graph without scopes ----------------------------


def test_the_neuron_with_edge_derivatives_at_slide_size_is_drawn_whole(tmp_path, capsys):
    require_program("dot")
    path = tmp_path / "n.dot"
    code, _, err = run(*NEURON, "--graph", str(path), "--size", "slide", "--edge-derivatives", capsys=capsys)
    source = path.read_text(encoding="utf-8")
    assert code == 0 and _titles(source) == []  # no boxes
    for name in ("x1", "x2", "w1", "w2", "b"):
        assert f'"{name} | data' in source
    assert source.count("label=\"∂") == 9  # every edge into an op carries its local derivative
    for line in err.splitlines():  # a note, if any, in the command line's words
        assert line.startswith("autograd-lite: note: --graph") and "size='" not in line and "collapse=" not in line


def test_a_big_graph_without_scopes_is_drawn_whole_with_a_warning():
    require_program("dot")
    x = Value(0.5, label="x")
    y = sum((x * k).tanh() for k in range(1, 40))
    y.backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        picture = draw_dot(y, size="slide")
    assert _titles(picture.source) == []  # not cut into bands of depth
    (warning,) = caught
    assert "under 10 pt" in str(warning.message) and "collapse it more" not in str(warning.message)
    assert "depth" in " ".join(_titles(draw_dot(y, size="slide", collapse=1).source))  # bands: when asked


def test_leaves_in_a_band_of_depth_are_inputs_not_parameters():
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    y = (x * w + w * 2 + x * 5).tanh()
    y.backward()
    source = draw_dot(y, collapse=1).source
    assert "parameter" not in source and re.search(r"· \d input", source)


def test_collapse_zero_or_none_means_no_boxes(tmp_path, capsys):
    path = tmp_path / "g.dot"
    for word in ("0", "none", "None"):
        code, _, err = run(*NEURON, "--graph", str(path), "--collapse", word, capsys=capsys)
        assert code == 0 and err == "" and _titles(path.read_text(encoding="utf-8")) == []
    code, _, err = run(*NEURON, "--graph", str(path), "--collapse", "deep", capsys=capsys)
    assert code == 2 and "0 or none for no boxes" in err


# --- finding 3: results first, then pictures; the command line's spelling ----------------


def test_the_results_are_printed_before_a_picture_is_drawn(tmp_path, capsys, monkeypatch):
    cli = importlib.import_module("autograd_lite.cli.main")

    def interrupted(*args, **kwargs):  # Ctrl-C while Graphviz draws
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "draw_dot", interrupted)
    code, out, err = run(*NEURON, "--steps", "--graph", str(tmp_path / "g.svg"), capsys=capsys)
    assert code == 130 and "interrupted" in err
    assert "∂f/∂x1 = -1.5" in out and "backward" in out  # the gradients and the steps are on screen
    assert not (tmp_path / "g.svg").exists() and "wrote" not in out


def test_a_render_timeout_on_the_command_line_speaks_its_options(tmp_path, capsys, monkeypatch):
    require_program("dot")
    monkeypatch.setenv("AUTOGRAD_LITE_RENDER_TIMEOUT", "0.000001")
    code, out, err = run(*NEURON, "--graph", str(tmp_path / "g.svg"), capsys=capsys)
    assert code == 1 and "∂f/∂b" in out
    assert "took more than" in err and "--collapse 1" in err and "collapse=1" not in err


# --- finding 9: messages for people -------------------------------------------------------


def test_values_may_be_arithmetic_on_numbers_and_constants(capsys):
    code, out, err = run("x*y + z", "x=2/3", "y=pi", "z=-e", "--json", capsys=capsys)
    assert code == 0 and err == ""
    values = json.loads(out)["values"]
    assert values == {"x": 2 / 3, "y": 3.141592653589793, "z": -2.718281828459045}
    for value, message in [("y", "'y' is not a number"), ("2*y", "not on variables (y)"), ("1/0", "cannot divide"), ("", "has no value"),
                           ("2*", "the value is not a number"), ("exp(1000)", "overflows")]:
        code, out, err = run("x", f"x={value}", capsys=capsys)
        assert code == 2 and out == "" and message in err and "Traceback" not in err, err


def test_a_number_run_into_a_name_asks_did_you_mean(capsys):
    code, _, err = run("3 + 2x", "x=1", capsys=capsys)
    lines = err.splitlines()
    assert code == 2 and "did you mean 2*x?" in lines[0] and "decimal literal" not in err
    assert lines[1:] == ["  3 + 2x", "      ^"]  # the caret under the number


def test_a_caret_for_a_power_is_explained_once(capsys):
    code, _, err = run("x^2", "x=1", capsys=capsys)
    first = err.splitlines()[0]
    assert code == 2 and "use ** for powers, as in x**2" in first and first.count("**") == 2


def test_a_mistyped_option_gets_one_line_with_a_suggestion(capsys):
    code, out, err = run("x", "x=1", "--stpes", capsys=capsys)
    assert code == 2 and out == ""
    assert err.splitlines() == ["autograd-lite: error: unrecognized arguments: --stpes; did you mean --steps?"]
    code, _, err = run("x", "x=1", "--zzz", capsys=capsys)
    assert len(err.splitlines()) == 1 and "--help lists the options" in err and "usage:" not in err


def test_one_task_passes_in_the_singular(tmp_path):
    from autograd_lite.cli.exercises import main as exercises

    out = io.StringIO()
    assert exercises(["new", str(tmp_path / "pack")], stdout=out) == 0
    out = io.StringIO()
    exercises(["check", str(tmp_path / "pack"), "--task", "topo"], stdout=out)
    assert out.getvalue().rstrip().endswith("0 of 1 task passes.")


def test_the_site_while_serving_does_not_say_how_to_preview_it(tmp_path, capsys, monkeypatch):
    from autograd_lite.explorer import server, site

    monkeypatch.setattr(site, "build_site", lambda out, runtime: site.SiteReport(tmp_path, 10**6, "CDN"))
    monkeypatch.setattr(server, "serve_until_stopped", lambda srv, announce: (announce(), srv.server_close()))
    assert site.main([str(tmp_path), "--serve", "--port", "0", "--no-browser"]) == 0
    out = capsys.readouterr().out
    assert "wrote the site" in out and "serving" in out and "or preview it" not in out
    site.main([str(tmp_path)])
    assert "or preview it" in capsys.readouterr().out
