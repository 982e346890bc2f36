"""``%%forge NAME`` and ``%forge SUBCOMMAND``: the notebook face of :class:`Forge`.

The magics only parse and dispatch: the state lives in the shell's
:class:`~jupyter_forge.kernel.session.KernelSession`, the work in the command
groups (one of each, on that session), and one table says which subcommand goes
where and how its arguments are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from IPython.core.magic import Magics, line_cell_magic, magics_class

from ..core.errors import SpecError
from ..forge import Forge
from . import arguments as a
from . import hook
from .agent_view import ask_command, run_agent_cell
from .approval import ApprovalWidget
from .composing import ComposingCommands
from .forging import ForgeCell
from .library_commands import LibraryCommands
from .loading import LoadingCommands
from .options import HELP, AskOptions, parse_ask, parse_cell_line, split_line
from .registry import ToolRegistry
from .session import AgentState, KernelSession
from .views import Note, Table

Args = TypeVar("Args")


@dataclass(frozen=True)
class Subcommand(Generic[Args]):
    """How one ``%forge`` subcommand reads its words, and what runs on the result."""

    parse: Callable[[list[str]], Args]
    run: Callable[[Args], Any]

    def __call__(self, words: list[str]) -> Any:
        return self.run(self.parse(words))


@magics_class
class ForgeMagics(Magics):
    """The IPython face: parses a line or cell and hands it to the command that owns it."""

    def __init__(self, shell: Any, session: KernelSession) -> None:
        super().__init__(shell)
        self.session = session
        self.library_commands = LibraryCommands(session)
        self.composing = ComposingCommands(session)
        self.loading = LoadingCommands(session)
        self.forging = ForgeCell(session, self.composing)
        lib, load = self.library_commands, self.loading
        self.subcommands: dict[str, Subcommand[Any]] = {
            "help": Subcommand(a.parse_nothing, self.show_help),
            "config": Subcommand(a.parse_nothing, self.show_config),
            "sandbox": Subcommand(a.parse_nothing, self.show_sandbox),
            "hook": Subcommand(a.parse_hook, self.hook_command),
            "ask": Subcommand(parse_ask, self.ask),
            "list": Subcommand(a.parse_list, load.list_tools),
            "show": Subcommand(a.parse_show, load.show),
            "load": Subcommand(a.parse_load, load.load),
            "remove": Subcommand(a.parse_remove, load.remove),
            "templates": Subcommand(a.parse_nothing, self.composing.templates),
            "search": Subcommand(a.parse_search, lib.search),
            "history": Subcommand(a.parse_history, lib.history),
            "diff": Subcommand(a.parse_diff, lib.diff),
            "rollback": Subcommand(a.parse_rollback, lib.rollback),
            "deprecate": Subcommand(a.parse_deprecate, lib.deprecate),
            "stats": Subcommand(a.parse_stats, lib.stats),
            "export": Subcommand(a.parse_export, lib.export),
            "import": Subcommand(a.parse_import, lib.import_tools),
        }

    # Read-only views for code that holds the magics (``extension.magics_for``, tests);
    # the session owns the state.

    @property
    def forge(self) -> Forge:
        return self.session.forge

    @property
    def registry(self) -> ToolRegistry:
        return self.session.registry

    @property
    def pending(self) -> dict[str, ApprovalWidget]:
        return self.session.pending

    @property
    def agent(self) -> AgentState:
        return self.session.agent

    # -- dispatch ------------------------------------------------------------------

    @line_cell_magic("forge")  # type: ignore[arg-type]
    def forge_magic(self, line: str, cell: str | None = None) -> Any:
        """Forge a tool (cell magic) or manage the tool library (line magic). See %forge help."""
        if cell is None:
            return self.run_line(line)
        opts = parse_cell_line(line)
        if opts.agent:  # the cell body is a task for the agent, not a tool request
            return run_agent_cell(self.session, opts, cell)
        return self.forging.run(opts, cell)

    def run_line(self, line: str) -> Any:
        """``%forge SUBCOMMAND ...``: the table says who runs it (no words: the help)."""
        words = split_line(line)
        command, args = (words[0], words[1:]) if words else ("help", [])
        subcommand = self.subcommands.get(command)
        if subcommand is None:
            raise SpecError(f"unknown command `%forge {command}`: see `%forge help`")
        return subcommand(args)

    # -- the small subcommands ----------------------------------------------------------

    def show_help(self, args: a.NoArgs) -> None:
        print(HELP)

    def show_config(self, args: a.NoArgs) -> Table:
        forge = self.session.forge
        rows = [
            [trait, repr(getattr(forge, trait))]
            for trait in sorted(forge.class_traits(config=True))
        ]
        return Table(
            ["setting", "value"],
            rows,
            title="Forge settings (change with %config Forge.NAME = value)",
        )

    def show_sandbox(self, args: a.NoArgs) -> Table:
        from ..sandbox import active_layers, missing_layers

        rows = [[layer, "active"] for layer in active_layers()] + [
            [layer, "missing"] for layer in missing_layers()
        ]
        return Table(["isolation layer", "status"], rows, title="Validation sandbox")

    def hook_command(self, args: a.HookArgs) -> Note:
        """``%forge hook on|off|status|draft``: see :mod:`.hook`."""
        return Note(hook.command(self.session.shell, self.session.forge, args))

    def ask(self, opts: AskOptions) -> None:
        """``%forge ask "TASK"`` / ``%forge ask --continue``: see :mod:`.agent_view`."""
        ask_command(self.session, opts)
