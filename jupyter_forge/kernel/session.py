"""One shell's forge state, made once by ``%load_ext jupyter_forge``.

The magics, the command groups and the agent all work on the same ``Forge``,
tool registry and open approval widgets; holding them in one object (rather
than on a chain of mixins) lets each command group take just this and lets the
shared helpers (audit, installing a record with its dependencies) live once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..agent_runtime import Offer
from ..config import forge_config
from ..core.agent import AgentRun
from ..core.compose import dependency_order, untrusted
from ..core.errors import ForgeError
from ..core.libraries import LibrarySet
from ..core.library import Library
from ..core.record import ToolRecord
from ..core.usage import ToolStats, stats_for
from ..forge import Forge
from .agent_widgets import ConfirmWidget
from .approval import ApprovalWidget
from .hook import NameErrorHook, hook_for
from .options import AskOptions
from .registry import ToolRegistry
from .tracking import Tracker

Find = Callable[[str], ToolRecord]


@dataclass
class AgentState:
    """The kernel's agent: the last run and what it waits for (a widget a person decides)."""

    run: AgentRun | None = None
    opts: AskOptions | None = None
    waiting: ApprovalWidget | ConfirmWidget | None = None
    offer: Offer = field(default_factory=Offer)


@dataclass
class KernelSession:
    """What every ``%forge`` command of one shell shares."""

    shell: Any
    forge: Forge
    registry: ToolRegistry
    hook: NameErrorHook  # the NameError hook of this shell (on or off)
    pending: dict[str, ApprovalWidget] = field(default_factory=dict)  # open widgets, by tool
    agent: AgentState = field(default_factory=AgentState)

    @classmethod
    def for_shell(cls, shell: Any) -> KernelSession:
        """A new session; its ``Forge`` is one of the shell's configurables (``%config``)."""
        # jupyter_forge_config.py under the IPython config (which wins where both set a value).
        forge = Forge(parent=shell, config=forge_config(shell.config, log=shell.log))
        if forge not in shell.configurables:
            shell.configurables.append(forge)
        registry = ToolRegistry(tracker=Tracker.for_shell(shell, forge))
        return cls(shell=shell, forge=forge, registry=registry, hook=hook_for(shell))

    @property
    def user_ns(self) -> dict[str, Any]:
        ns: dict[str, Any] = self.shell.user_ns
        return ns

    def close(self) -> None:
        """Flush call counts and stop the flush thread; forget the ``Forge`` configurable."""
        self.registry.close()
        if self.forge in self.shell.configurables:
            self.shell.configurables.remove(self.forge)

    # -- the message being handled --------------------------------------------------------

    def parent_message(self) -> dict[str, Any]:
        """The message the kernel is handling now (an execute request, a widget's click)."""
        kernel = getattr(self.shell, "kernel", None)
        try:
            parent = kernel.get_parent() if kernel is not None else {}
        except Exception:
            parent = {}
        return parent if isinstance(parent, dict) else {}

    def cell_id(self) -> str | None:
        """The id of the cell being run, when the front end says (JupyterLab does)."""
        metadata = self.parent_message().get("metadata")
        cell_id = metadata.get("cellId") if isinstance(metadata, dict) else None
        return cell_id if isinstance(cell_id, str) else None

    def front_end_session(self) -> str | None:
        """The front end session whose message is being handled (whose click it is)."""
        header = self.parent_message().get("header")
        session = header.get("session") if isinstance(header, dict) else None
        return session if isinstance(session, str) else None

    # -- libraries -------------------------------------------------------------------------

    def library(self, path: str | None = None) -> Library:
        return self.forge.open_library(path)

    def libraries(self) -> LibrarySet:
        return self.forge.open_libraries()

    def audit(self, action: str, name: str, *, library: str | None = None, **fields: Any) -> None:
        """Best effort: the audit log never fails the action it records."""
        with contextlib.suppress(ForgeError):
            self.forge.open_libraries(library).primary.audit.append(action, name, **fields)

    def usage(self, libs: LibrarySet) -> dict[str, ToolStats]:
        """Calls per tool across the libraries, including counts not flushed yet."""
        if self.registry.tracker is not None:
            self.registry.tracker.flush()
        # Each tool's counts from its own library: a shadowed namesake's are not mixed in.
        stats, _errors = stats_for(libs.entries())
        return stats

    # -- installing tools ------------------------------------------------------------------

    def dependencies(self, record: ToolRecord, find: Find | None = None) -> list[ToolRecord]:
        """What ``record`` needs loaded first, dependencies before dependents (not itself)."""
        if not record.depends:
            return []
        closure = dependency_order([record], find or self.libraries().find)
        return [r for r in closure if r.name != record.name]

    def load_dependencies(self, record: ToolRecord, find: Find | None = None) -> list[str]:
        """Install the trusted dependencies ``record`` needs that are not loaded yet.

        An untrusted one stops everything with a one-line message: it must be
        reviewed (``%forge load NAME``) before anything that calls it runs.
        """
        deps = [d for d in self.dependencies(record, find) if d.name not in self.registry]
        blocked = untrusted(deps)
        if blocked:
            raise ForgeError(
                f"`{record.name}` calls {', '.join(f'`{b}`' for b in blocked)}, not trusted on "
                f"this machine: review with %forge load {' '.join(blocked)}, then load "
                f"`{record.name}` again"
            )
        for dep in deps:
            self.install_one(dep)
            self.audit("load", dep.name, version=dep.version, detail=f"needed by {record.name}")
        return [d.name for d in deps]

    def install_one(self, record: ToolRecord) -> None:
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

    def install_record(self, record: ToolRecord) -> None:
        """Install ``record``, its trusted dependencies first (untrusted ones: an error)."""
        self.load_dependencies(record)
        self.install_one(record)
