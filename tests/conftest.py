"""Shared test fixtures: the external programs some tests drive."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

HOW_TO_INSTALL = {
    "dot": "apt-get install graphviz (brew install graphviz on macOS)",
    "chromium": "apt-get install chromium chromium-driver",
    "chromedriver": "apt-get install chromium chromium-driver",
}


def require_program(name: str) -> str:
    """The program's path; without it, skip on a workstation and fail in CI (``CI`` set)."""
    path = shutil.which(name)
    if path is None:
        message = f"this test needs the program {name!r}: {HOW_TO_INSTALL[name]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


#: the one Python whose CI installs the torch extra (only its CPU wheel is cached on our machines)
TORCH_PYTHON = (3, 11)


def require_torch():
    """PyTorch, the GPT tests' oracle; without it, skip, but fail in CI (``CI`` set) on Python 3.11."""
    try:
        import torch
    except ImportError:
        message = ("this test checks against PyTorch: pip install '.[torch]' (torch==2.13.0; CI installs its "
                   f"CPU wheel for Python {TORCH_PYTHON[0]}.{TORCH_PYTHON[1]} only)")
        if os.environ.get("CI") and sys.version_info[:2] == TORCH_PYTHON:
            pytest.fail(message)
        pytest.skip(message)
    return torch


@pytest.fixture(autouse=True)
def _graphviz_for_picture_tests(request):
    # Tests in the picture modules render with dot unless they hide it themselves.
    if request.module.__name__.endswith(("test_viz", "test_trace", "test_browser")):
        require_program("dot")


@pytest.fixture(scope="module")
def server():
    """``autograd-lite serve``'s app on a free port of 127.0.0.1, in a thread (it draws with dot)."""
    import threading

    from autograd_lite.explorer.server import make_server

    require_program("dot")
    srv = make_server(port=0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
