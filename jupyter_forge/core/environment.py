"""The ``JUPYTER_FORGE_*`` environment variables: one list, one way to read them.

A variable that stands for a ``Forge`` setting only gives that trait its default
(config files, ``%config`` and command-line options win over it); the others are
per-user locations and process-wide switches read where they are used. Reading
every one through :func:`from_env` keeps this list complete: the docs' table of
variables is checked against it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    """One environment variable and the ``Forge`` trait it gives a default to (if any)."""

    name: str
    trait: str | None = None


APPROVE = Variable("JUPYTER_FORGE_APPROVE", "Forge.approve")
API_BASE = Variable("JUPYTER_FORGE_API_BASE", "Forge.api_base")
USER_LIBRARY = Variable("JUPYTER_FORGE_USER_LIBRARY", "Forge.user_library")
MODEL_KEEP_ALIVE = Variable("JUPYTER_FORGE_MODEL_KEEP_ALIVE", "Forge.model_keep_alive")
CACHE = Variable("JUPYTER_FORGE_CACHE")
RUNTIME = Variable("JUPYTER_FORGE_RUNTIME")
SANDBOX_POOL = Variable("JUPYTER_FORGE_SANDBOX_POOL")
SANDBOX_POOL_SIZE = Variable("JUPYTER_FORGE_SANDBOX_POOL_SIZE")
# Not a setting: `jupyter-forge sandbox check` plants it as bait for sandboxed code.
CHECK_SECRET = Variable("JUPYTER_FORGE_CHECK_SECRET")

VARIABLES: tuple[Variable, ...] = (
    APPROVE,
    API_BASE,
    USER_LIBRARY,
    MODEL_KEEP_ALIVE,
    CACHE,
    RUNTIME,
    SANDBOX_POOL,
    SANDBOX_POOL_SIZE,
    CHECK_SECRET,
)


def from_env(variable: Variable) -> str | None:
    """The variable's value without surrounding blanks; None when unset or blank
    (an empty variable means "not set", as most shells' habits have it)."""
    value = os.environ.get(variable.name, "").strip()
    return value or None


def for_trait(trait: str) -> Variable | None:
    """The variable that gives ``trait`` (``"Forge.approve"``) its default, if any."""
    return next((v for v in VARIABLES if v.trait == trait), None)
