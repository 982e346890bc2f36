"""``python -m jupyter_forge.cli``: the same as the ``jupyter-forge`` command."""

from __future__ import annotations

import sys

from .main import main

sys.exit(main())
