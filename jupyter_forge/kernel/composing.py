"""Composed tools and templates in the kernel: ``--compose``, ``--template``, ``%forge templates``.

Resolving ``--compose`` names happens before any model time is spent, and only
trusted tools qualify: an untrusted one is a message to review it, never an
exec. Loading dependencies first is the session's job
(:meth:`~jupyter_forge.kernel.session.KernelSession.install_record`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.compose import resolve_compose
from ..core.record import ToolRecord
from ..core.templates import available, get_template
from .arguments import NoArgs
from .session import KernelSession
from .views import Table


class ComposingCommands:
    """Resolving ``--compose`` names, checking ``--template``, listing templates."""

    def __init__(self, session: KernelSession) -> None:
        self.session = session

    def compose_records(self, raw: Sequence[str], name: str) -> list[ToolRecord]:
        """The trusted library tools ``--compose`` names (a one-line SpecError otherwise)."""
        records, warnings = resolve_compose(
            raw,
            name,
            self.session.libraries().find,
            how_to_review=lambda blocked: f"review with %forge load {' '.join(blocked)} first",
        )
        for warning in warnings:
            print(f"warning: {warning}")
        return records

    def check_template(self, template: str | None) -> None:
        """Fail on an unknown template before any model time is spent."""
        if template:
            get_template(template, self.session.forge.template_libraries())

    def templates(self, args: NoArgs) -> Table:
        """``%forge templates``: what ``--template`` accepts, and where each one comes from."""
        roots = self.session.forge.template_libraries()
        rows = [[t.name, t.summary, t.origin, str(t.path)] for t in available(roots).values()]
        return Table(
            ["template", "for", "from", "file"],
            rows,
            title=(
                f"{len(rows)} template(s) for %%forge NAME --template T; add your own as "
                f"{roots[0] / 'templates' / 'NAME.md'}"
            ),
        )
