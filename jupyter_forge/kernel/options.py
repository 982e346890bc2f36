"""Argument parsing for the magics: argparse that raises one-line errors, never exits.

Each line parses into a frozen dataclass, so the commands read typed fields
rather than poking at an argparse ``Namespace``.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from typing import NoReturn

from ..core.errors import SpecError


class MagicParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise SpecError(f"{self.prog}: {message} (see `%forge help`)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise SpecError(message or f"{self.prog}: see `%forge help`")


def cell_parser() -> argparse.ArgumentParser:
    parser = MagicParser(prog="%%forge", add_help=False)
    parser.add_argument("name", nargs="?", default="")
    parser.add_argument("--model", "-m")
    parser.add_argument("--agent", action="store_true")
    parser.add_argument("--attempts", "-n", type=int)
    parser.add_argument("--approve", choices=["auto", "widget"])
    parser.add_argument("--library", "-l")
    parser.add_argument("--no-persist", action="store_true", dest="no_persist")
    parser.add_argument("--samples", "-s", action="append", default=[])
    parser.add_argument("--replace", action="store_true")
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--new", action="store_true")
    parser.add_argument("--compose", "-c", action="append", default=[])
    parser.add_argument("--template", "-t")
    parser.add_argument("--edit", "-e", action="store_true")
    return parser


@dataclass(frozen=True)
class CellOptions:
    """The ``%%forge`` line; the defaults are those of a bare ``%%forge NAME``."""

    name: str = ""
    model: str | None = None
    agent: bool = False
    attempts: int | None = None
    approve: str | None = None
    library: str | None = None
    no_persist: bool = False
    samples: list[str] = field(default_factory=list)
    replace: bool = False
    temperature: float | None = None
    new: bool = False
    compose: list[str] = field(default_factory=list)
    template: str | None = None
    edit: bool = False


EDIT_USAGE = "%%forge --edit NAME"


def parse_cell_line(line: str) -> CellOptions:
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise SpecError(f"%%forge: cannot read the options ({exc}): check the quotes") from None
    parser = cell_parser()
    opts = parser.parse_args(words)
    if opts.edit:
        # An edit changes the code under review in an open widget, nothing else: options
        # that would steer a new forge are refused rather than silently ignored.
        defaults = vars(parser.parse_args([]))
        extra = sorted(
            k for k, v in vars(opts).items() if k not in ("edit", "name") and v != defaults[k]
        )
        if extra:
            names = ", ".join(f"--{k.replace('_', '-')}" for k in extra)
            raise SpecError(f"%%forge --edit takes only the tool name, not {names}: `{EDIT_USAGE}`")
        if not opts.name:
            raise SpecError(
                f"%%forge --edit needs the tool name: `{EDIT_USAGE}` with the code below"
            )
    return CellOptions(**vars(opts))


@dataclass(frozen=True)
class AskOptions:
    """``%forge ask`` (and ``%%forge --agent``, whose line carries the same choices)."""

    task: tuple[str, ...] = ()
    resume: bool = False
    model: str | None = None
    approve: str | None = None
    library: str | None = None
    no_persist: bool = False
    max_steps: int | None = None

    @classmethod
    def from_cell(cls, opts: CellOptions) -> AskOptions:
        """The agent's choices on a ``%%forge --agent`` line (no step limit there)."""
        return cls(
            model=opts.model, approve=opts.approve, library=opts.library, no_persist=opts.no_persist
        )


def ask_parser() -> argparse.ArgumentParser:
    parser = MagicParser(prog="%forge ask", add_help=False)
    parser.add_argument("task", nargs="*")
    parser.add_argument("--continue", action="store_true", dest="resume")
    parser.add_argument("--model", "-m")
    parser.add_argument("--approve", choices=["auto", "widget"])
    parser.add_argument("--library", "-l")
    parser.add_argument("--no-persist", action="store_true", dest="no_persist")
    parser.add_argument("--max-steps", type=int, dest="max_steps")
    return parser


def parse_ask(args: list[str]) -> AskOptions:
    """``%forge ask "TASK"`` or ``%forge ask --continue``, never both, never neither."""
    opts = ask_parser().parse_args(args)
    parsed = AskOptions(**{**vars(opts), "task": tuple(opts.task)})
    task = " ".join(parsed.task).strip()
    if parsed.resume and task:
        raise SpecError("%forge ask --continue takes no task: it goes on with the paused one")
    if not parsed.resume and not task:
        raise SpecError('usage: %forge ask "TASK" (or %forge ask --continue)')
    return parsed


def edit_cell_text(name: str, code: str) -> str:
    """The cell that edits ``name``'s code from the notebook: the magic line, then the code."""
    return f"%%forge --edit {name}\n{code}"


def split_line(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise SpecError(f"%forge: cannot read the arguments ({exc}): check the quotes") from None


HELP = """\
%%forge NAME [options]      forge a tool from the cell body (request + samples)
    --model M               litellm model or alias (default: Forge.model, `local-1.5b`)
    --attempts N            generations including repairs (default 5)
    --approve auto|widget   auto: approve when the samples and the checks from the words
                            pass (headless runs)
    --library DIR           tool library folder (default ./forge_tools)
    --no-persist            define in the kernel only; do not save a notebook
    --samples VAR           a kernel variable holding a list of sample strings
    --replace               allow replacing an existing variable or builtin name
    --temperature T         sampling temperature of the first attempt
    --new                   forge even when an existing tool already does this
    --compose A,B           the new tool calls these trusted library tools (loaded first)
    --template NAME         guidance for a common shape: api, transform, file, parser
                            (or your own <library>/templates/NAME.md; %forge templates)
%%forge --edit NAME         the cell body is new code for NAME's open approval widget: it
                            is validated in the sandbox and that widget shows the outcome
                            (the widget's "Edit in a cell" button writes this cell for you)
  Samples in the body: `>>> call(...)` lines with the expected output on the next
  line, and `assert ...` lines. Cells tagged `forge-sample` or `forge-sample:NAME`
  are added when the front end sends them. Before generating, the libraries are
  searched: a tool that already does what is asked is offered (and loaded) instead.

%%forge --agent [--approve auto|widget] [--model M]   the cell body is a task in plain words:
                            the model calls library tools (top-k for the task) and asks for
                            missing ones (forged + approved as usual); side effects ask first
%forge ask "TASK" [--max-steps N]   the same from one line; %forge ask --continue goes on
                            after you approved a new tool or confirmed a call

%forge list [DIR]           tools in the libraries (project, user, shared) or in DIR
%forge search QUERY         tools ranked by how well they match QUERY
%forge show NAME            a tool's code, samples and provenance
%forge load [DIR|NAME...]   define library tools in this kernel (asks to review untrusted ones)
%forge remove NAME [--force] delete a tool notebook and undefine it
%forge history NAME         its versions; %forge diff NAME [vOLD vNEW] shows changes
%forge rollback NAME vN     restore an earlier version (as a new version)
%forge deprecate NAME [--reason R] [--undo]   hide from search and prompts, keep loadable
%forge stats                calls, failures, last use per tool, and what to retire
%forge export [NAME...] --to DIR | --module FILE.py   share notebooks, or a plain module
%forge import DIR|FILE [--replace]   copy tool notebooks in (untrusted until reviewed)
%forge config               current model, library and limits (%config Forge.x = ... to change)
%forge sandbox              isolation layers in force for validation
%forge hook on|off|status|draft   offer to forge a missing function a cell calls
%forge templates            templates for --template (built-in and <library>/templates/*.md)
%forge help                 this text
"""
