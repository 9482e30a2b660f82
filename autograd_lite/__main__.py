"""``python -m autograd_lite``: see :mod:`autograd_lite.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
