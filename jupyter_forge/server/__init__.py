"""Jupyter server extension behind the Forge Tools panel (enabled as ``jupyter_forge.server``).

It reads the tool libraries through REST so the panel works with no kernel running.
Its settings are the server's config (``jupyter_server_config.py``, ``--Forge.NAME``)
over ``jupyter_forge_config.py``, the file the kernel and the command line read too.
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
    from ..config import forge_config
    from ..forge import Forge

    settings = forge_config(server_app.config, log=server_app.log)
    config = ForgeTools(parent=server_app, config=settings)
    for warning in config.deprecations():
        server_app.log.warning("jupyter_forge: %s", warning)
    setup_handlers(server_app.web_app, config, Forge(parent=server_app, config=settings))
    server_app.log.info("jupyter_forge: Forge Tools REST endpoints under /jupyter-forge/")


# The classic notebook server's name for the same hook.
load_jupyter_server_extension = _load_jupyter_server_extension
