"""The ``%forge SUBCOMMAND`` arguments: one frozen dataclass and one parser per command.

Parsing apart from running means a command reads typed fields, and a bad line
fails with its one-line :class:`SpecError` before anything is opened or changed.
The messages are the ones ``%forge help`` users already know.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from ..core.errors import SpecError
from ..core.spec import check_tool_name
from .options import MagicParser


def _parser(command: str) -> argparse.ArgumentParser:
    return MagicParser(prog=f"%forge {command}", add_help=False)


def _name_arg(args: list[str], command: str) -> str:
    """The first word as a tool name (later words are ignored, as they always were)."""
    if not args:
        raise SpecError(f"usage: %forge {command} NAME")
    return check_tool_name(args[0], allow_builtin=True)


def _one_name(args: list[str], command: str) -> str:
    """Exactly one word, a tool name."""
    if len(args) != 1:
        raise SpecError(f"usage: %forge {command} NAME")
    return check_tool_name(args[0], allow_builtin=True)


@dataclass(frozen=True)
class NoArgs:
    """Commands that take nothing (extra words are ignored, as they always were)."""


def parse_nothing(args: list[str]) -> NoArgs:
    return NoArgs()


@dataclass(frozen=True)
class NameArgs:
    """``%forge show NAME``, ``%forge history NAME``."""

    name: str


def parse_show(args: list[str]) -> NameArgs:
    return NameArgs(_one_name(args, "show"))


def parse_history(args: list[str]) -> NameArgs:
    return NameArgs(_name_arg(args, "history"))


@dataclass(frozen=True)
class ListArgs:
    """``%forge list [DIR]``: one folder, or every library in reach."""

    folder: str | None = None


def parse_list(args: list[str]) -> ListArgs:
    return ListArgs(args[0] if args else None)


@dataclass(frozen=True)
class LoadArgs:
    """``%forge load [DIR|NAME...]``: a folder or names is decided when loading (is it a dir?)."""

    targets: tuple[str, ...] = ()


def parse_load(args: list[str]) -> LoadArgs:
    return LoadArgs(tuple(args))


@dataclass(frozen=True)
class RemoveArgs:
    name: str
    force: bool = False


def parse_remove(args: list[str]) -> RemoveArgs:
    force = "--force" in args
    name = _one_name([a for a in args if a != "--force"], "remove [--force]")
    return RemoveArgs(name, force)


@dataclass(frozen=True)
class DiffArgs:
    """Versions stay as typed (``v2``): the history reads them, and messages quote them."""

    name: str
    old: str | None = None
    new: str | None = None


def parse_diff(args: list[str]) -> DiffArgs:
    if len(args) not in (1, 3):
        raise SpecError("usage: %forge diff NAME [vOLD vNEW]")
    name = _name_arg(args, "diff")
    return DiffArgs(name, args[1], args[2]) if len(args) == 3 else DiffArgs(name)


@dataclass(frozen=True)
class RollbackArgs:
    name: str
    version: str


def parse_rollback(args: list[str]) -> RollbackArgs:
    if len(args) != 2:
        raise SpecError("usage: %forge rollback NAME vN")
    return RollbackArgs(_name_arg(args, "rollback"), args[1])


@dataclass(frozen=True)
class SearchArgs:
    query: str
    k: int = 10
    all: bool = False  # include deprecated tools


def parse_search(args: list[str]) -> SearchArgs:
    parser = _parser("search")
    parser.add_argument("query", nargs="+")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--all", action="store_true", help="include deprecated tools")
    opts = parser.parse_args(args)
    return SearchArgs(" ".join(opts.query), opts.k, opts.all)


@dataclass(frozen=True)
class DeprecateArgs:
    name: str
    reason: str = ""
    undo: bool = False


def parse_deprecate(args: list[str]) -> DeprecateArgs:
    parser = _parser("deprecate")
    parser.add_argument("name")
    parser.add_argument("--reason", default="")
    parser.add_argument("--undo", action="store_true")
    opts = parser.parse_args(args)
    return DeprecateArgs(check_tool_name(opts.name, allow_builtin=True), opts.reason, opts.undo)


@dataclass(frozen=True)
class StatsArgs:
    idle_days: float = 30.0
    max_failure_rate: float = 0.5


def parse_stats(args: list[str]) -> StatsArgs:
    parser = _parser("stats")
    parser.add_argument("--idle-days", type=float, default=30.0, dest="idle_days")
    parser.add_argument("--max-failure-rate", type=float, default=0.5, dest="max_failure_rate")
    opts = parser.parse_args(args)
    return StatsArgs(opts.idle_days, opts.max_failure_rate)


@dataclass(frozen=True)
class ExportArgs:
    """Exactly one of ``folder`` (notebooks) and ``module`` (a plain .py) is set."""

    names: tuple[str, ...] = ()
    folder: str | None = None
    module: str | None = None


def parse_export(args: list[str]) -> ExportArgs:
    parser = _parser("export")
    parser.add_argument("names", nargs="*")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", dest="folder")
    target.add_argument("--module", dest="module")
    opts = parser.parse_args(args)
    return ExportArgs(tuple(opts.names), opts.folder, opts.module)


@dataclass(frozen=True)
class ImportArgs:
    source: str
    replace: bool = False


def parse_import(args: list[str]) -> ImportArgs:
    parser = _parser("import")
    parser.add_argument("source")
    parser.add_argument("--replace", action="store_true")
    opts = parser.parse_args(args)
    return ImportArgs(opts.source, opts.replace)


@dataclass(frozen=True)
class HookArgs:
    """``%forge hook on|off|status|draft [NAME]``."""

    action: str
    name: str | None = None


HOOK_USAGE = "usage: %forge hook on|off|status|draft [NAME]"


def parse_hook(args: list[str]) -> HookArgs:
    action = args[0] if args else "status"
    if action in ("on", "off", "status") and len(args) == 1:
        return HookArgs(action)
    if action == "draft" and len(args) <= 2:
        return HookArgs(action, args[1] if len(args) == 2 else None)
    raise SpecError(HOOK_USAGE)
