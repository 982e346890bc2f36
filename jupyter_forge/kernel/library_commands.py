"""``%forge`` subcommands that manage the library: search, history, stats, sharing.

A mixin of :class:`~jupyter_forge.kernel.magics.ForgeMagics`, kept apart so the
magics module stays about forging. Every command reads through the libraries in
reach (project, user, shared) and writes only to a writable one.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING, Any

from ..core.errors import ForgeError, SpecError
from ..core.history import parse_version
from ..core.libraries import LibrarySet
from ..core.library import Library
from ..core.record import ToolRecord
from ..core.sharing import export_module, export_notebooks, import_notebooks
from ..core.spec import check_tool_name
from ..core.usage import ToolStats, retirement_suggestions, stats_for
from . import comm
from .options import MagicParser
from .views import Note, Table

if TYPE_CHECKING:
    from ..forge import Forge
    from .registry import ToolRegistry


def _parser(command: str) -> argparse.ArgumentParser:
    return MagicParser(prog=f"%forge {command}", add_help=False)


def _when(stats: ToolStats | None) -> str:
    if stats is None or stats.last_used is None:
        return "never"
    return stats.last_used.astimezone().strftime("%Y-%m-%d %H:%M")


class LibraryCommands:
    """The library half of ``%forge``; needs ``forge``, ``registry`` and ``user_ns``."""

    forge: Forge
    registry: ToolRegistry

    @property
    def user_ns(self) -> dict[str, Any]:  # provided by ForgeMagics
        raise NotImplementedError

    def audit(self, action: str, name: str, *, library: str | None = None, **fields: Any) -> None:
        """Best effort: the audit log never fails the action it records."""
        with contextlib.suppress(ForgeError):
            self.forge.open_libraries(library).primary.audit.append(action, name, **fields)

    def install_record(self, record: ToolRecord) -> None:  # provided by LoadingCommands
        raise NotImplementedError

    def _library(self, path: str | None = None) -> Library:
        return self.forge.open_library(path)

    def _libraries(self) -> LibrarySet:
        return self.forge.open_libraries()

    def _usage(self, libs: LibrarySet) -> dict[str, ToolStats]:
        """Calls per tool across the libraries, including counts not flushed yet."""
        tracker = getattr(self.registry, "tracker", None)
        if tracker is not None:
            tracker.flush()
        # Each tool's counts from its own library: a shadowed namesake's are not mixed in.
        stats, _errors = stats_for(libs.entries())
        return stats

    def _name_arg(self, args: list[str], command: str) -> str:
        if not args:
            raise SpecError(f"usage: %forge {command} NAME")
        return check_tool_name(args[0], allow_builtin=True)

    # -- finding tools -------------------------------------------------------------------

    def _cmd_search(self, args: list[str]) -> Table:
        parser = _parser("search")
        parser.add_argument("query", nargs="+")
        parser.add_argument("-k", type=int, default=10)
        parser.add_argument("--all", action="store_true", help="include deprecated tools")
        opts = parser.parse_args(args)
        libs = self._libraries()
        query = " ".join(opts.query)
        hits = libs.index().search(query, k=opts.k, include_deprecated=opts.all)
        usage = self._usage(libs)
        rows = [
            [
                hit.name,
                f"v{hit.entry.version}",
                f"{hit.confidence:.0%}",
                hit.entry.description[:70],
                str(usage[hit.name].calls if hit.name in usage else 0),
                "deprecated" if hit.entry.deprecated else "",
            ]
            for hit in hits
        ]
        for error in libs.errors:
            print(f"skipped: {error}")
        title = f"{len(rows)} tool(s) matching {query!r}" + (
            "" if rows else " — forge one with %%forge"
        )
        return Table(
            ["name", "version", "match", "description", "calls", "status"], rows, title=title
        )

    # -- versions ------------------------------------------------------------------------

    def _cmd_history(self, args: list[str]) -> Table:
        name = self._name_arg(args, "history")
        record = self._libraries().find(name)
        rows = []
        for version in reversed(record.versions().versions):
            approved = version.approved or {}
            verdict = {True: "passed", False: "FAILED", None: "?"}[version.passed]
            rows.append(
                [
                    f"v{version.version}" + (" (current)" if version.current else ""),
                    version.updated,
                    version.model,
                    f"{len(version.samples)} sample(s) {verdict}",
                    f"{approved.get('by', '?')} ({approved.get('how', '?')})",
                    (version.note or version.request.split("\n")[0])[:60]
                    + ("" if version.reviewed else " [unreviewed]"),
                ]
            )
        return Table(
            ["version", "updated", "model", "validation", "approved by", "request / note"],
            rows,
            title=f"{name}: {len(rows)} version(s) in {record.path}",
        )

    def _cmd_diff(self, args: list[str]) -> Note:
        if len(args) not in (1, 3):
            raise SpecError("usage: %forge diff NAME [vOLD vNEW]")
        name = self._name_arg(args, "diff")
        history = self._libraries().find(name).versions()
        if len(args) == 3:
            text = history.diff(parse_version(args[1]), parse_version(args[2]))
        else:
            text = history.diff()
        return Note(f"{name}: changes between versions", text)

    def _cmd_rollback(self, args: list[str]) -> Note:
        if len(args) != 2:
            raise SpecError("usage: %forge rollback NAME vN")
        name = self._name_arg(args, "rollback")
        libs = self._libraries()
        library = libs.writable_library_of(name)
        record = library.rollback(name, parse_version(args[1]))
        reloaded = ""
        if self.registry.is_current(name, self.user_ns):
            self.install_record(record)
            reloaded = " and redefined in the kernel"
        comm.notify_tools_changed()
        return Note(f"`{name}` is now v{record.version}, the code of {args[1]}{reloaded}.")

    # -- retirement ----------------------------------------------------------------------

    def _cmd_deprecate(self, args: list[str]) -> Note:
        parser = _parser("deprecate")
        parser.add_argument("name")
        parser.add_argument("--reason", default="")
        parser.add_argument("--undo", action="store_true")
        opts = parser.parse_args(args)
        name = check_tool_name(opts.name, allow_builtin=True)
        library = self._libraries().writable_library_of(name)
        comm_text: str
        if opts.undo:
            library.undeprecate(name)
            comm_text = f"`{name}` is no longer deprecated: search and the agent see it again."
        else:
            library.deprecate(name, opts.reason)
            comm_text = (
                f"`{name}` is deprecated: hidden from search and prompts, still loadable with "
                f"%forge load {name} (with a warning). Undo: %forge deprecate {name} --undo"
            )
        comm.notify_tools_changed()
        return Note(comm_text)

    def _cmd_stats(self, args: list[str]) -> Table:
        parser = _parser("stats")
        parser.add_argument("--idle-days", type=float, default=30.0, dest="idle_days")
        parser.add_argument("--max-failure-rate", type=float, default=0.5, dest="max_failure_rate")
        opts = parser.parse_args(args)
        libs = self._libraries()
        records = libs.tools()
        usage = self._usage(libs)
        suggestions = {
            s.name: s.reason
            for s in retirement_suggestions(
                usage,
                [r for r in records if r.deprecated is None],
                idle_days=opts.idle_days,
                max_failure_rate=opts.max_failure_rate,
            )
        }
        rows = []
        for record in records:
            stats = usage.get(record.name)
            rows.append(
                [
                    record.name,
                    f"{len(record.history) + 1} (v{record.version})",
                    str(stats.calls if stats else 0),
                    str(stats.failures if stats else 0),
                    _when(stats),
                    f"{stats.sessions if stats else 0} / {stats.notebooks if stats else 0}",
                    "deprecated"
                    if record.deprecated is not None
                    else (
                        f"consider deprecating: {suggestions[record.name]}"
                        if record.name in suggestions
                        else ""
                    ),
                ]
            )
        for error in libs.errors:
            print(f"skipped: {error}")
        return Table(
            [
                "tool",
                "versions",
                "calls",
                "failures",
                "last used",
                "sessions / notebooks",
                "advice",
            ],
            rows,
            title=f"Usage of {len(rows)} tool(s) (counted in kernels with Forge.track_calls)",
        )

    # -- sharing -------------------------------------------------------------------------

    def _cmd_export(self, args: list[str]) -> Note:
        parser = _parser("export")
        parser.add_argument("names", nargs="*")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--to", dest="folder")
        target.add_argument("--module", dest="module")
        opts = parser.parse_args(args)
        libs = self._libraries()
        if opts.names:
            records = [libs.find(check_tool_name(n, allow_builtin=True)) for n in opts.names]
        else:
            records = [r for r in libs.tools() if r.deprecated is None]
        if opts.module:
            path = export_module(records, opts.module, find=libs.find)
            return Note(
                f"Wrote {len(records)} tool(s) to {path}: `import {path.stem}` works without Jupyter."
            )
        paths = export_notebooks(records, opts.folder)
        return Note(
            f"Copied {len(paths)} tool notebook(s) to {opts.folder}. They are untrusted on any other "
            "machine until reviewed there (%forge import, then %forge load)."
        )

    def _cmd_import(self, args: list[str]) -> Note:
        parser = _parser("import")
        parser.add_argument("source")
        parser.add_argument("--replace", action="store_true")
        opts = parser.parse_args(args)
        library = self._libraries().primary
        names = import_notebooks(opts.source, library, replace=opts.replace)
        comm.notify_tools_changed()
        return Note(
            f"Imported {', '.join(names)} into {library.root}. They run only after you review "
            f"them: %forge load {' '.join(names)}"
        )
