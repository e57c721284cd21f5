"""``python -m cja_async``: the ``cja-async`` command line (see ``cja-async --help``)."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
