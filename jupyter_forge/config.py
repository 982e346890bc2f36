"""``jupyter_forge_config.py`` / ``.json``: the one settings file every front end reads.

Where: the Jupyter config path (``jupyter --paths``: ``$JUPYTER_CONFIG_DIR``, else
``~/.jupyter``, then ``$JUPYTER_CONFIG_PATH``, the environment's and the system's
``etc/jupyter``), searched the way every Jupyter application searches it, the first
folder winning. Who reads it: the ``jupyter-forge`` command (:mod:`.app`, which also
takes ``--config FILE``), its MCP server, the kernel extension and the server
extension. Each host's own config (``ipython_config.py``, ``jupyter_server_config.py``,
command-line options) is applied on top, so it wins where both set a value.

Not the current folder: running a command in a freshly cloned project must not run
that project's Python. A project's own settings go in a folder named by
``$JUPYTER_CONFIG_PATH``, or ``--config``.
"""

from __future__ import annotations

import logging
from typing import Any

from traitlets.config import Application, Config

CONFIG_FILE_NAME = "jupyter_forge_config"


def config_paths() -> list[str]:
    """Folders searched for the config file, highest priority first (like ``JupyterApp``)."""
    from jupyter_core.paths import jupyter_config_dir, jupyter_config_path

    paths = jupyter_config_path()
    user = jupyter_config_dir()
    return paths if user in paths else [user, *paths]


def load_file_config(log: logging.Logger | Any | None = None) -> Config:
    """The settings of every ``jupyter_forge_config.py``/``.json`` on the config path.

    A file that fails to load is reported on ``log`` and skipped (as Jupyter
    applications do): a typo in one setting must not stop a kernel from starting.
    """
    merged = Config()
    for loaded, _filename in Application._load_config_files(
        CONFIG_FILE_NAME, path=config_paths(), log=log
    ):
        merged.merge(loaded)
    return merged


def forge_config(host: Config | None = None, log: logging.Logger | Any | None = None) -> Config:
    """The settings file's config with ``host``'s (the kernel's or server's) on top."""
    merged = load_file_config(log)
    if host is not None:
        merged.merge(host)
    return merged
