"""Issue 27: building the package prints no deprecation warning from our metadata."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_the_metadata_has_an_spdx_license_and_no_license_classifier():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    assert config["metadata"]["license"] == "MIT"
    assert "License ::" not in config["metadata"]["classifiers"]


def test_a_build_prints_no_deprecation_warning(tmp_path):
    pytest.importorskip("setuptools")
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", "*.egg-info", "build", "dist", ".venv", ".hypothesis", ".pytest_cache",
        ".ipynb_checkpoints", ".mypy_cache", ".ruff_cache", "notebooks"))
    out = tmp_path / "dist"
    out.mkdir()
    script = "import setuptools.build_meta as b, sys; out = sys.argv[1]; b.build_sdist(out); b.build_wheel(out)"
    result = subprocess.run([sys.executable, "-W", "always", "-c", script, str(out)], cwd=source,
                            capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Deprecat" not in result.stderr + result.stdout, result.stderr[-3000:]
