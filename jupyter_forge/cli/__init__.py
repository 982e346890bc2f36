"""The ``jupyter-forge`` command (also ``jupyter forge``): the pipeline without a kernel.

:mod:`.main` holds the commands, their parser and the entry point, :mod:`.app` the
Jupyter application around them (config files, ``--Forge.NAME=VALUE``, each command's
``Forge``), :mod:`.library` the library commands and :mod:`.terminal` what a command
prints and asks on the terminal.
"""

from __future__ import annotations

from .main import build_parser, main

__all__ = ["build_parser", "main"]
