"""``jupyter-forge`` as a Jupyter application: the config files, ``--Forge.NAME=VALUE``,
``--config``, ``--generate-config``, ``--debug``, and ``jupyter forge ...``.

:class:`ForgeApp` is a ``JupyterApp``: it reads ``jupyter_forge_config.py``/``.json``
from the Jupyter config path (see :mod:`.config`) and builds every command's ``Forge``
from that config (:func:`forge_from_args`). The commands themselves keep their
argparse parser (:func:`.cli.build_parser`, also the source of the CLI reference),
which the entry point hands in: traitlets options are split off first, wherever they
stand, and the rest goes to argparse unchanged.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from jupyter_core.application import JupyterApp
from traitlets import TraitError, Unicode

from .._version import __version__
from ..config import CONFIG_FILE_NAME, config_paths
from ..core.errors import ForgeCancelled, ForgeError
from ..forge import Forge
from ..server.libraries import ForgeTools

# Options the application takes itself; everything else is a command's.
_FLAGS = {"--debug", "--generate-config", "--show-config", "--show-config-json", "--answer-yes"}
_VALUED = {"--config", "--log-level"}
# Handled before any command is needed: `jupyter-forge --generate-config` runs no command.
_ALONE = {"--generate-config", "--show-config", "--show-config-json", "--help-all", "--version"}
_TRAIT = re.compile(r"--[A-Za-z_]\w*\.[A-Za-z_]\w*(=.*)?", re.S)
# Builds the commands' parser; the entry point (:func:`.cli.main`) hands in its own, so
# the application needs nothing from the commands it runs.
ParserFactory = Callable[[], argparse.ArgumentParser]


def split_argv(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the application's options, the command's arguments), in their original order.

    ``--Class.trait=VALUE`` / ``--Class.trait VALUE`` and the Jupyter options are the
    application's; nothing after ``--`` is.
    """
    mine: list[str] = []
    rest: list[str] = []
    args = list(argv)
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        name = arg.split("=", 1)[0]
        valued = name in _VALUED or _TRAIT.fullmatch(arg) is not None
        if arg in _FLAGS or arg in _ALONE or (valued and "=" in arg):
            mine.append(arg)
        elif valued and index + 1 < len(args):
            mine.extend(args[index : index + 2])
            index += 1
        else:
            rest.append(arg)
        index += 1
    return mine, rest


class ForgeApp(JupyterApp):
    """The ``jupyter-forge`` command."""

    name = "jupyter-forge"
    description = (
        "Forge, check and manage tools from a terminal or a script. Settings come from "
        "jupyter_forge_config.py/.json in the Jupyter config path (jupyter --paths), then "
        "--Forge.NAME=VALUE options, then the command's own options."
    )
    version = __version__
    examples = (
        "jupyter-forge --generate-config          # write ~/.jupyter/jupyter_forge_config.py\n"
        "jupyter-forge list --Forge.user_library=''\n"
        'jupyter-forge create slugify "..." --Forge.model=gpt-4o-mini --Forge.attempts=3'
    )
    # traitlets reads these three as class attributes (Application declares them so).
    classes = [Forge, ForgeTools]  # noqa: RUF012
    aliases = {  # noqa: RUF012
        "config": "JupyterApp.config_file",
        "log-level": "Application.log_level",
    }
    flags = {  # noqa: RUF012
        "debug": (
            {"Application": {"log_level": 10}},
            "Log at debug level: which config files are read, and from where.",
        ),
        "generate-config": (
            {"JupyterApp": {"generate_config": True}},
            "Write a jupyter_forge_config.py listing every setting, commented out.",
        ),
        "answer-yes": (
            {"JupyterApp": {"answer_yes": True}},
            "With --generate-config: overwrite an existing file without asking.",
        ),
        "show-config": (
            {"Application": {"show_config": True}},
            "Show the settings the config files and options give, and exit.",
        ),
        "show-config-json": (
            {"Application": {"show_config_json": True}},
            "The same as JSON.",
        ),
    }
    config_file_name = Unicode(CONFIG_FILE_NAME, help="The config file's name, without .py/.json.")

    def __init__(self, build_parser: ParserFactory, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.build_parser = build_parser
        self.command_args: argparse.Namespace | None = None
        self.exit_code = 0

    def _log_level_default(self) -> int:
        return 30  # warnings only: stderr carries the commands' progress

    @property
    def config_file_paths(self) -> list[str]:
        return config_paths()

    def migrate_config(self) -> None:
        """Never: moving IPython 3 settings into ~/.jupyter is not a tool's side effect."""

    def initialize(self, argv: Any = None) -> None:
        """Parse the command first (a usage error is exit 2 before any file is read),
        then the application's options and the config files."""
        args = list(sys.argv[1:] if argv is None else argv)
        mine, rest = split_argv(args)
        if rest or not _ALONE.intersection(mine):
            self.command_args = self.build_parser().parse_args(rest)
        super().initialize(mine)

    def start(self) -> None:
        if self.generate_config:
            self.write_default_config()
            return
        if self.command_args is not None:
            self.exit_code = run_command(self.command_args, self)


def forge_from_args(args: argparse.Namespace) -> Any:
    """The ``Forge`` of a command: the application's settings, then the command's options."""
    forge = Forge(parent=getattr(args, "forge_app", None))
    if getattr(args, "model", None):
        forge.model = args.model
    if getattr(args, "library", None):
        forge.library = args.library
    if getattr(args, "api_base", None):
        forge.api_base = args.api_base
    return forge


def run_command(args: argparse.Namespace, app: ForgeApp) -> int:
    """One command with the application's settings; its errors as one line (exit 2, 130)."""
    args.forge_app = app  # the parent of the command's Forge: its config and its log
    try:
        code: int = args.func(args)
        return code
    except (ForgeError, TraitError) as exc:
        message = str(exc) if isinstance(exc, ForgeError) else f"bad setting: {exc}"
        print(f"jupyter-forge: {message}", file=sys.stderr)
        if getattr(args, "json", False):
            print(
                json.dumps({"name": getattr(args, "name", None), "passed": False, "error": message})
            )
        return 2
    except ForgeCancelled as exc:
        print(f"jupyter-forge: {exc}", file=sys.stderr)
        if getattr(args, "json", False):
            print(
                json.dumps(
                    {
                        "name": getattr(args, "name", None),
                        "passed": False,
                        "error": str(exc),
                        "cancelled": True,
                    }
                )
            )
        return 130
    except KeyboardInterrupt:
        print("jupyter-forge: interrupted", file=sys.stderr)
        return 130


def main(build_parser: ParserFactory, argv: list[str] | None = None) -> int:
    """Run ``jupyter-forge`` (and ``jupyter forge``) with the commands ``build_parser`` makes."""
    app = ForgeApp(build_parser)
    app.initialize(argv)
    app.start()
    return app.exit_code
