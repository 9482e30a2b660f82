"""The package as the ecosystem sees it: its type hints, its metadata, its sdist."""

from __future__ import annotations

import configparser
import email
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SETUP = configparser.ConfigParser(interpolation=None)
SETUP.read(ROOT / "setup.cfg", encoding="utf-8")


def _require_module(name: str) -> None:
    if importlib.util.find_spec(name) is None:
        message = f"this test needs {name}: pip install -e '.[test]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def test_mypy_is_clean():
    _require_module("mypy")
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT,
                            capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def _supported() -> list[tuple[int, int]]:
    found = re.findall(r"Programming Language :: Python :: 3\.(\d+)$", SETUP["metadata"]["classifiers"],
                       re.MULTILINE)
    return sorted((3, int(minor)) for minor in found)


def test_the_classifiers_name_every_python_from_python_requires_on():
    supported = _supported()
    oldest = tuple(int(n) for n in SETUP["options"]["python_requires"].removeprefix(">=").split("."))
    assert supported[0] == oldest
    assert supported == [(3, minor) for minor in range(oldest[1], supported[-1][1] + 1)]  # no gaps
    assert sys.version_info[:2] in supported  # this very run is on a promised Python


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """An sdist and a wheel built from a copy of this checkout, as pip would.

    setuptools 70.1 and newer build wheels on their own (older ones need the
    wheel package): the test extra asks for it.
    """
    _require_module("setuptools")
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", "*.egg-info", "build", "dist", ".venv", ".hypothesis", ".pytest_cache",
        ".ipynb_checkpoints", ".mypy_cache", ".ruff_cache"))
    out = work / "dist"
    out.mkdir()
    # (setuptools rewrites sys.argv while it builds: read the folder first)
    script = "import setuptools.build_meta as b, sys; out = sys.argv[1]; b.build_sdist(out); b.build_wheel(out)"
    result = subprocess.run([sys.executable, "-c", script, str(out)], cwd=source, capture_output=True,
                            text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    (sdist,), (wheel,) = out.glob("*.tar.gz"), out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


def test_the_wheel_ships_py_typed_and_the_metadata(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = wheel.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_string(wheel.read(metadata_name).decode("utf-8"))
    assert "autograd_lite/py.typed" in names
    classifiers = metadata.get_all("Classifier")
    for major, minor in _supported():
        assert f"Programming Language :: Python :: {major}.{minor}" in classifiers
    assert "Typing :: Typed" in classifiers
    assert metadata["Requires-Python"] == ">=3.10"
    assert {"test", "torch", "notebooks"} <= set(metadata.get_all("Provides-Extra"))
    assert "mypy; extra == \"test\"" in metadata.get_all("Requires-Dist")


def test_the_sdist_leaves_the_tests_out_cleanly(built):
    # The tests read notebooks/, benchmarks/ and .ci/run, which an sdist does not carry:
    # half a test suite that fails on import would be worse than none.
    with tarfile.open(built["sdist"]) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    assert not [name for name in names if name.startswith("tests")]
    assert "autograd_lite/py.typed" in names and "README.md" in names and "LICENSE" in names
    assert "autograd_lite/__init__.py" in names and "autograd_lite/nn/__init__.py" in names
