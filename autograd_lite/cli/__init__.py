"""The command line: ``autograd-lite`` (and ``python -m autograd_lite``); see :mod:`.main`."""

from .main import main

__all__ = ["main"]
