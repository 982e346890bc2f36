"""``%forge list/show/load/remove``: tools from the libraries into this kernel.

Loading is where trust matters: a tool whose notebook was not approved on this
machine is re-validated in the sandbox and shown for review, never executed.
A composed tool's dependencies load first; if one of them needs review, the
tool waits (it would fail on its first call without them).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from IPython.display import display

from ..core.errors import ForgeError, LibraryError
from ..core.libraries import LibrarySet
from ..core.library import Library
from ..core.record import ToolRecord
from ..core.result import ForgeResult
from ..core.spec import ForgeSpec
from ..core.tool_view import tool_status
from . import comm
from .approval import ApprovalWidget
from .arguments import ListArgs, LoadArgs, NameArgs, RemoveArgs
from .session import Find, KernelSession
from .views import Note, Table


def _same_code(reviewed: str | None, stored: str) -> bool:
    """Whether ``stored`` is, statement for statement, the ``reviewed`` code."""
    try:
        return reviewed is not None and ast.dump(ast.parse(reviewed)) == ast.dump(ast.parse(stored))
    except SyntaxError:
        return False


@dataclass
class LoadSource:
    """What one ``%forge load`` reads, and how it finds the tools those call."""

    records: list[ToolRecord]
    errors: list[str]
    where: str  # the folders, for the summary
    by_name: bool  # tools named on the line: deprecated ones load too, with a warning
    find: Find
    libs: LibrarySet


@dataclass
class Placed:
    """Where each tool of one ``%forge load`` went, by name."""

    loaded: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # untrusted: shown for review
    hidden: list[str] = field(default_factory=list)  # deprecated, not named
    waiting: list[str] = field(default_factory=list)  # for a dependency under review
    needed: list[ToolRecord] = field(default_factory=list)  # dependencies (package hint)

    def summary(self, where: str) -> str:
        text = f"Loaded {len(self.loaded)} tool(s) from {where}" + (
            f": {', '.join(self.loaded)}" if self.loaded else ""
        )
        if self.hidden:
            text += f". Skipped deprecated: {', '.join(self.hidden)} (load them by name)"
        if self.review:
            text += f". {len(self.review)} untrusted tool(s) need your review above before they run: {', '.join(self.review)}"
        if self.waiting:
            text += f". Waiting for those reviews: {', '.join(self.waiting)} (load again after approving)"
        return text


class LoadingCommands:
    """Listing, showing, loading and removing tools, on one shell's session."""

    def __init__(self, session: KernelSession) -> None:
        self.session = session

    def list_tools(self, opts: ListArgs) -> Table:
        session = self.session
        if opts.folder is not None:
            records, errors, where = (
                (lib := session.library(opts.folder)).tools(),
                lib.errors,
                str(lib.root),
            )
        else:
            libs = session.libraries()
            records, errors = libs.tools(), libs.errors
            where = ", ".join(f"{lib.label} {lib.root}" for lib in libs.libraries)
        rows = []
        for record in records:
            loaded = "yes" if session.registry.is_current(record.name, session.user_ns) else ""
            status = tool_status(record).replace("untrusted", "UNTRUSTED")
            rows.append(
                [
                    record.name,
                    f"v{record.version}",
                    record.description[:60],
                    status,
                    record.location,
                    loaded,
                ]
            )
        for error in errors:
            print(f"skipped: {error}")
        title = f"{len(rows)} tool(s) in {where}"
        return Table(
            ["name", "version", "description", "status", "library", "loaded"], rows, title=title
        )

    def show(self, opts: NameArgs) -> Note:
        record = self.session.libraries().find(opts.name)
        samples = "\n".join(s.as_doctest() for s in record.samples) or "(none)"
        trusted = (
            "trusted" if record.trusted else "NOT trusted on this machine (review with %forge load)"
        )
        deprecated = ""
        if record.deprecated:
            deprecated = f"\nDEPRECATED: {record.deprecated.get('reason') or 'no reason given'}"
        if record.depends:
            deprecated += f"\ncalls: {', '.join(record.depends)} (loaded first by %forge load)"
        text = (
            f"{record.name} v{record.version} · {record.signature} · {trusted}\n"
            f"model: {record.model} · updated {record.updated} · {record.location} library {record.path}\n"
            f"request: {record.request}{deprecated}\nsamples:\n{samples}"
        )
        return Note(text, record.code)

    def remove(self, opts: RemoveArgs) -> Note:
        name = opts.name
        libs = self.session.libraries()
        library = libs.writable_library_of(name)
        callers = [r.name for r in libs.tools() if name in r.depends]
        if callers and not opts.force:
            raise LibraryError(
                f"`{name}` is called by {', '.join(callers)}: they would stop loading. Remove "
                f"or re-forge them first, or pass --force"
            )
        path = library.remove(name)
        undefined = self.session.registry.remove(name, self.session.user_ns)
        comm.notify_tools_changed()
        suffix = " and undefined it in the kernel" if undefined else ""
        return Note(f"Removed {path}{suffix}.")

    def load(self, opts: LoadArgs) -> Note:
        session = self.session
        source = self._load_source(opts.targets)
        for error in source.errors:
            print(f"skipped: {error}")
        placed = Placed()
        for record in source.records:
            if record.deprecated and not source.by_name:
                placed.hidden.append(record.name)
                continue
            if record.deprecated:
                reason = record.deprecated.get("reason") or "no reason given"
                print(f"warning: `{record.name}` is deprecated ({reason})")
            try:
                deps = session.dependencies(record, source.find)
            except LibraryError as exc:
                if source.by_name:
                    raise
                print(f"skipped: {exc}")
                continue
            placed.needed.extend(deps)
            for dep in deps:  # dependencies first
                self._place(placed, source, dep, needed_by=record.name)
            self._place(placed, source, record)
        text = placed.summary(source.where)
        missing = self._missing_packages([*placed.needed, *source.records])
        if missing:
            text += f". {missing}"
        return Note(text + ".")

    def _load_source(self, targets: Sequence[str]) -> LoadSource:
        """One folder (its tools, dependencies looked up there first), the tools named,
        or every tool of the libraries."""
        libs = self.session.libraries()
        if len(targets) == 1 and os.path.isdir(targets[0]):
            library = self.session.library(targets[0])

            def find(name: str) -> ToolRecord:  # dependencies: this folder first
                return library.get(name) if library.exists(name) else libs.find(name)

            records = library.tools()
            return LoadSource(records, library.errors, str(library.root), False, find, libs)
        by_name = bool(targets)
        records = [libs.find(n) for n in targets] if by_name else libs.tools()
        where = ", ".join(str(lib.root) for lib in libs.libraries)
        return LoadSource(records, libs.errors, where, by_name, libs.find, libs)

    def _place(
        self, placed: Placed, source: LoadSource, record: ToolRecord, needed_by: str = ""
    ) -> None:
        """Install ``record``, show it for review, or hold it while what it calls is
        under review (each tool once; a dependency already in the kernel is kept)."""
        session = self.session
        if record.name in (*placed.loaded, *placed.review, *placed.waiting):
            return
        if needed_by and record.name in session.registry:
            return  # a dependency already loaded in this kernel is used as it is
        if any(d in placed.review or d in placed.waiting for d in record.depends):
            placed.waiting.append(record.name)
        elif record.trusted:
            session.install_one(record)
            detail = {"detail": f"needed by {needed_by}"} if needed_by else {}
            session.audit("load", record.name, version=record.version, model=record.model, **detail)
            placed.loaded.append(record.name)
        else:
            placed.review.append(record.name)
            named = source.by_name and not needed_by
            home = source.libs.library_of(record.name) if named else self._library_for(record)
            display(self._review_widget(home, record))

    def _library_for(self, record: ToolRecord) -> Library:
        """The library object a record was read from (for trusting it after review)."""
        for library in self.session.libraries().libraries:
            if record.path.parent == library.root:
                return library
        return Library(record.path.parent, label=record.location)

    def _missing_packages(self, records: list[ToolRecord]) -> str:
        try:
            from ..core.requirements import install_command, missing_requirements
        except ImportError:
            return ""
        needed = sorted({p for r in records for p in missing_requirements(r.requirements)})
        if not needed:
            return ""
        return f"Tools need packages that are not installed ({', '.join(needed)}): {install_command(needed)}"

    def _review_widget(self, library: Library, record: ToolRecord) -> ApprovalWidget:
        """An untrusted notebook is re-validated in the sandbox and shown, not executed."""
        spec = ForgeSpec(record.name, record.request or record.description, tuple(record.samples))
        try:  # a composed tool is checked with what it calls, as when it was forged
            compose = [self.session.libraries().find(d) for d in record.depends]
        except LibraryError:
            compose = []
        result = self.session.forge.revalidate(
            ForgeResult(spec=spec, model=record.model),
            record.code,
            namespace=self.session.user_ns,
            compose=compose,
        )

        def approve(r: ForgeResult) -> str:
            # Install only what was shown and validated: extraction drops other top-level code.
            if not _same_code(r.code, library.get(record.name).code):
                raise ForgeError(
                    f"{record.path} holds code besides what is shown above (top-level statements "
                    "that would run on load): remove them from its tool cell, then %forge load again"
                )
            trusted = library.trust(record.name)
            self.session.install_record(trusted)
            return f"Reviewed and trusted: `{record.name}` v{trusted.version} is defined in the kernel."

        return ApprovalWidget(
            result,
            on_approve=approve,
            layers=result.report.layers if result.report else [],
            title=f"is NOT trusted on this machine ({record.path}) — review before it runs",
        )
