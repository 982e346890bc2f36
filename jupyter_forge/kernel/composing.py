"""Composed tools and templates in the kernel: ``--compose``, ``--template``, ``%forge templates``.

A mixin of :class:`~jupyter_forge.kernel.magics.ForgeMagics` (through
:class:`~jupyter_forge.kernel.loading.LoadingCommands`). Dependencies are
always loaded before the tool that calls them, and only trusted ones run: an
untrusted dependency is a message to review it, never an exec.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.compose import dependency_order, resolve_compose, untrusted
from ..core.errors import ForgeError
from ..core.record import ToolRecord
from ..core.templates import available, get_template
from .library_commands import LibraryCommands
from .views import Table

Find = Callable[[str], ToolRecord]


class ComposingCommands(LibraryCommands):
    """Resolving ``--compose`` names, loading dependencies first, listing templates."""

    def _compose_records(self, raw: Sequence[str], name: str) -> list[ToolRecord]:
        """The trusted library tools ``--compose`` names (a one-line SpecError otherwise)."""
        records, warnings = resolve_compose(
            raw,
            name,
            self._libraries().find,
            how_to_review=lambda blocked: f"review with %forge load {' '.join(blocked)} first",
        )
        for warning in warnings:
            print(f"warning: {warning}")
        return records

    def _check_template(self, template: str | None) -> None:
        """Fail on an unknown template before any model time is spent."""
        if template:
            get_template(template, self.forge.template_libraries())

    def _dependencies(self, record: ToolRecord, find: Find | None = None) -> list[ToolRecord]:
        """What ``record`` needs loaded first, dependencies before dependents (not itself)."""
        if not record.depends:
            return []
        closure = dependency_order([record], find or self._libraries().find)
        return [r for r in closure if r.name != record.name]

    def _load_dependencies(self, record: ToolRecord, find: Find | None = None) -> list[str]:
        """Install the trusted dependencies ``record`` needs that are not loaded yet.

        An untrusted one stops everything with a one-line message: it must be
        reviewed (``%forge load NAME``) before anything that calls it runs.
        """
        deps = [d for d in self._dependencies(record, find) if d.name not in self.registry]
        blocked = untrusted(deps)
        if blocked:
            raise ForgeError(
                f"`{record.name}` calls {', '.join(f'`{b}`' for b in blocked)}, not trusted on "
                f"this machine: review with %forge load {' '.join(blocked)}, then load "
                f"`{record.name}` again"
            )
        for dep in deps:
            self._install_one(dep)
            self.audit("load", dep.name, version=dep.version, detail=f"needed by {record.name}")
        return [d.name for d in deps]

    def _install_one(self, record: ToolRecord) -> None:
        """Install ``record`` alone (its dependencies are already loaded)."""
        self.registry.install(
            self.user_ns,
            name=record.name,
            code=record.code,
            schema=record.schema,
            version=record.version,
            path=str(record.path),
            model=record.model,
            depends=record.depends,
        )

    def _cmd_templates(self, args: list[str]) -> Table:
        """``%forge templates``: what ``--template`` accepts, and where each one comes from."""
        roots = self.forge.template_libraries()
        rows = [[t.name, t.summary, t.origin, str(t.path)] for t in available(roots).values()]
        return Table(
            ["template", "for", "from", "file"],
            rows,
            title=(
                f"{len(rows)} template(s) for %%forge NAME --template T; add your own as "
                f"{roots[0] / 'templates' / 'NAME.md'}"
            ),
        )
