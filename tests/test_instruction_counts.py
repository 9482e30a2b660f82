"""benchmarks/instructions.py's own logic, without valgrind: the workloads, the baseline, the verdicts."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "instructions.py"


@pytest.fixture(scope="module")
def counter():
    spec = importlib.util.spec_from_file_location("benchmarks_instructions", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmarks_instructions"] = module
    spec.loader.exec_module(module)
    return module


def test_the_stored_baseline_names_every_workload_with_its_commit(counter):
    stored = json.loads(counter.BASELINE.read_text(encoding="utf-8"))["workloads"]
    assert set(stored) == set(counter.WORKLOADS)
    for entry in stored.values():
        assert isinstance(entry["instructions"], int) and entry["instructions"] > 10_000_000
        assert len(entry["commit"]) >= 7 and not entry["commit"].endswith("+")  # counted on a clean checkout
        assert entry["python"].count(".") == 1


@pytest.mark.parametrize("name", ["mlp_step", "microgpt_nn_gpt"])
def test_each_workload_sets_up_and_steps_without_valgrind(counter, name):
    step = counter.WORKLOADS[name][1]()
    loss = step()
    assert math.isfinite(loss) and loss > 0  # the step ran to its update


def test_a_count_more_than_two_percent_above_the_baseline_is_a_regression(counter):
    base = {"instructions": 1_000_000, "commit": "abc1234", "python": "3.11"}
    assert counter.verdict(1_020_000, base, "3.11") == ("ok", pytest.approx(2.0))
    assert counter.verdict(1_021_000, base, "3.11")[0] == "REGRESSION"
    assert counter.verdict(900_000, base, "3.11") == ("ok", pytest.approx(-10.0))
    assert counter.verdict(1_000_000, None, "3.11") == ("no baseline", None)
    word, change = counter.verdict(2_000_000, base, "3.12")  # another Python: other counts, no verdict
    assert "not compared" in word and change is None


def _fake_counts(counter, monkeypatch, counts):
    monkeypatch.setattr(counter.shutil, "which", lambda program: "/usr/bin/valgrind")
    monkeypatch.setattr(counter, "per_step", lambda name, steps, source=None: counts[name])
    monkeypatch.setattr(counter, "python_version", lambda: "3.11")
    monkeypatch.setattr(counter, "load_baseline", lambda path=None: {
        "mlp_step": {"instructions": 1_000_000, "commit": "abc1234", "python": "3.11"}})


def test_fail_above_sets_the_exit_status(counter, monkeypatch, capsys):
    _fake_counts(counter, monkeypatch, {"mlp_step": 1_040_000})
    assert counter.main(["--workload", "mlp_step", "--fail-above", "5"]) == 0
    out = capsys.readouterr().out
    assert "1,040,000" in out and "1,000,000" in out and "abc1234" in out and "+4.0%" in out
    assert "REGRESSION" in out  # over 2%: said, but under the 5% that fails
    _fake_counts(counter, monkeypatch, {"mlp_step": 1_060_000})
    assert counter.main(["--workload", "mlp_step", "--fail-above", "5"]) == 1
    assert "more than 5% above the baseline: mlp_step +6.0%" in capsys.readouterr().err


def test_without_valgrind_it_says_so(counter, monkeypatch, capsys):
    monkeypatch.setattr(counter.shutil, "which", lambda program: None)
    assert counter.main(["--workload", "mlp_step"]) == 2
    assert "valgrind is not installed" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--steps", "0"], ["--repeat", "0"], ["--workload", "nope"]])
def test_bad_options_are_refused(counter, argv, capsys):
    with pytest.raises(SystemExit):
        counter.main(argv)
    assert "error" in capsys.readouterr().err
