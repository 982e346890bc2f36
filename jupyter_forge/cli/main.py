"""``jupyter-forge``: the same pipeline without a kernel, for scripts, CI and benchmarks.

The entry point and the parser of every command, built group by group from the
modules that hold the commands: :mod:`.forging` (``create``, ``validate``),
:mod:`.services` (``model``, ``sandbox``, ``mcp``) and :mod:`.library` (the library
commands). The application around them (config files, ``--Forge.NAME=VALUE``, each
command's ``Forge``) is :mod:`.app`.
"""

from __future__ import annotations

import argparse
import sys

from . import library
from .app import main as run_app
from .forging import add_create, add_validate
from .services import add_mcp, add_model, add_sandbox

SETTINGS_HELP = (
    "Every command reads the Forge settings from jupyter_forge_config.py/.json in the "
    "Jupyter config path (jupyter --paths); --Forge.NAME=VALUE sets one for this run "
    "(e.g. --Forge.attempts=3), --config FILE reads another file, --generate-config "
    "writes one listing every setting, --debug shows which files were read, and "
    "--help-all lists every setting. `jupyter forge ...` is the same command."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter-forge", description=__doc__.split("\n")[0], epilog=SETTINGS_HELP
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add_create(sub)
    add_validate(sub)
    add_model(sub)
    add_sandbox(sub)
    library.register(sub)
    add_mcp(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The ``jupyter-forge`` entry point: the Jupyter application of :mod:`.app`, with
    the commands of :func:`build_parser`."""
    return run_app(build_parser, argv)


if __name__ == "__main__":
    sys.exit(main())
