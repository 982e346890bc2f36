"""Run untrusted candidate code against samples in a separate, locked-down process.

``validate`` is the whole API; ``active_layers``/``missing_layers`` say honestly
what isolation is (and is not yet) in force.
"""

from __future__ import annotations

from .jobs import validate, validate_every_seed
from .layers import active_layers, missing_layers
from .limits import Limits

__all__ = ["Limits", "active_layers", "missing_layers", "validate", "validate_every_seed"]
