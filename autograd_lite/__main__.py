"""``python -m autograd_lite``: see :mod:`autograd_lite.cli.main`."""

import sys

from .cli.main import main

if __name__ == "__main__":
    sys.exit(main())
