"""Let these tests run from a source checkout even when the package is not installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("jupyter_forge") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
