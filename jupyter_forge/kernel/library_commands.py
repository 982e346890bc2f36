"""``%forge`` subcommands that manage the library: search, history, stats, sharing.

Kept apart from forging so each module stays about one thing. Every command
reads through the libraries in reach (project, user, shared) and writes only to
a writable one; arguments arrive parsed (:mod:`.arguments`).
"""

from __future__ import annotations

from ..core.history import parse_version
from ..core.sharing import export_module, export_notebooks, import_notebooks
from ..core.spec import check_tool_name
from ..core.usage import ToolStats, retirement_suggestions
from . import comm
from .arguments import (
    DeprecateArgs,
    DiffArgs,
    ExportArgs,
    ImportArgs,
    NameArgs,
    RollbackArgs,
    SearchArgs,
    StatsArgs,
)
from .session import KernelSession
from .views import Note, Table


def _when(stats: ToolStats | None) -> str:
    if stats is None or stats.last_used is None:
        return "never"
    return stats.last_used.astimezone().strftime("%Y-%m-%d %H:%M")


class LibraryCommands:
    """The library half of ``%forge``, on one shell's session."""

    def __init__(self, session: KernelSession) -> None:
        self.session = session

    # -- finding tools -------------------------------------------------------------------

    def search(self, opts: SearchArgs) -> Table:
        libs = self.session.libraries()
        query = opts.query
        hits = libs.index().search(query, k=opts.k, include_deprecated=opts.all)
        usage = self.session.usage(libs)
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

    def history(self, opts: NameArgs) -> Table:
        name = opts.name
        record = self.session.libraries().find(name)
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

    def diff(self, opts: DiffArgs) -> Note:
        name = opts.name
        history = self.session.libraries().find(name).versions()
        if opts.old is not None and opts.new is not None:
            text = history.diff(parse_version(opts.old), parse_version(opts.new))
        else:
            text = history.diff()
        return Note(f"{name}: changes between versions", text)

    def rollback(self, opts: RollbackArgs) -> Note:
        name = opts.name
        libs = self.session.libraries()
        library = libs.writable_library_of(name)
        record = library.rollback(name, parse_version(opts.version))
        reloaded = ""
        if self.session.registry.is_current(name, self.session.user_ns):
            self.session.install_record(record)
            reloaded = " and redefined in the kernel"
        comm.notify_tools_changed()
        return Note(f"`{name}` is now v{record.version}, the code of {opts.version}{reloaded}.")

    # -- retirement ----------------------------------------------------------------------

    def deprecate(self, opts: DeprecateArgs) -> Note:
        name = opts.name
        library = self.session.libraries().writable_library_of(name)
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

    def stats(self, opts: StatsArgs) -> Table:
        libs = self.session.libraries()
        records = libs.tools()
        usage = self.session.usage(libs)
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

    def export(self, opts: ExportArgs) -> Note:
        libs = self.session.libraries()
        if opts.names:
            records = [libs.find(check_tool_name(n, allow_builtin=True)) for n in opts.names]
        else:
            records = [r for r in libs.tools() if r.deprecated is None]
        if opts.module:
            path = export_module(records, opts.module, find=libs.find)
            return Note(
                f"Wrote {len(records)} tool(s) to {path}: `import {path.stem}` works without Jupyter."
            )
        assert opts.folder is not None  # the parser requires --to or --module
        paths = export_notebooks(records, opts.folder)
        return Note(
            f"Copied {len(paths)} tool notebook(s) to {opts.folder}. They are untrusted on any other "
            "machine until reviewed there (%forge import, then %forge load)."
        )

    def import_tools(self, opts: ImportArgs) -> Note:
        library = self.session.libraries().primary
        names = import_notebooks(opts.source, library, replace=opts.replace)
        comm.notify_tools_changed()
        return Note(
            f"Imported {', '.join(names)} into {library.root}. They run only after you review "
            f"them: %forge load {' '.join(names)}"
        )
