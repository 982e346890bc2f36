"""The ``jupyter-forge`` command (also ``jupyter forge``): the pipeline without a kernel.

:mod:`.main` holds the entry point and builds the parser from the command groups:
:mod:`.forging` (``create``, ``validate``), :mod:`.services` (``model``, ``sandbox``,
``mcp``) and :mod:`.library` (the library commands). :mod:`.app` is the Jupyter
application around them (config files, ``--Forge.NAME=VALUE``, each command's
``Forge``) and :mod:`.terminal` what a command prints and asks on the terminal.
"""

from __future__ import annotations

from .main import build_parser, main

__all__ = ["build_parser", "main"]
