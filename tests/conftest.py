"""Shared test fixtures: the external programs some tests drive."""

from __future__ import annotations

import os
import shutil

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


@pytest.fixture(autouse=True)
def _graphviz_for_picture_tests(request):
    # Tests in the picture modules render with dot unless they hide it themselves.
    if request.module.__name__.endswith(("test_viz", "test_trace", "test_browser")):
        require_program("dot")
