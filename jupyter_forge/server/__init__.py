"""Jupyter server extension behind the Forge Tools panel (enabled as ``jupyter_forge.server``).

It reads the tool libraries through REST so the panel works with no kernel running.
"""

from __future__ import annotations

from typing import Any

from .handlers import setup_handlers
from .libraries import ForgeTools


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_forge.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "../labextension", "dest": "jupyter-forge"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    config = ForgeTools(parent=server_app)
    setup_handlers(server_app.web_app, config)
    server_app.log.info("jupyter_forge: Forge Tools REST endpoints under /jupyter-forge/")


# The classic notebook server's name for the same hook.
load_jupyter_server_extension = _load_jupyter_server_extension
