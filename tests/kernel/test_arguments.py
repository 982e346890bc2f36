"""``%forge SUBCOMMAND`` arguments: typed, frozen, and the same one-line errors as before."""

from __future__ import annotations

import dataclasses
import re

import pytest
from kernel_helpers import Kernel

from jupyter_forge.core.errors import SpecError
from jupyter_forge.kernel import arguments as a
from jupyter_forge.kernel.options import HELP, AskOptions, parse_ask, parse_cell_line


def test_each_subcommand_reads_into_a_frozen_dataclass() -> None:
    assert a.parse_search(["url", "slug", "-k", "3", "--all"]) == a.SearchArgs("url slug", 3, True)
    assert a.parse_list([]) == a.ListArgs() and a.parse_list(["lib"]) == a.ListArgs("lib")
    assert a.parse_load(["x", "y"]) == a.LoadArgs(("x", "y"))
    assert a.parse_remove(["--force", "slugify"]) == a.RemoveArgs("slugify", force=True)
    assert a.parse_diff(["f"]) == a.DiffArgs("f")
    assert a.parse_diff(["f", "v1", "v2"]) == a.DiffArgs("f", "v1", "v2")
    assert a.parse_rollback(["f", "v2"]) == a.RollbackArgs("f", "v2")
    assert a.parse_deprecate(["f", "--reason", "old"]) == a.DeprecateArgs("f", "old")
    assert a.parse_stats(["--idle-days", "7"]) == a.StatsArgs(idle_days=7.0)
    assert a.parse_export(["f", "--module", "m.py"]) == a.ExportArgs(("f",), module="m.py")
    assert a.parse_import(["inbox", "--replace"]) == a.ImportArgs("inbox", replace=True)
    assert a.parse_hook(["draft", "f"]) == a.HookArgs("draft", "f")
    opts = a.parse_show(["f"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.name = "g"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("parse", "words", "message"),
    [
        (a.parse_show, [], "usage: %forge show NAME"),
        (a.parse_show, ["f", "g"], "usage: %forge show NAME"),
        (a.parse_history, [], "usage: %forge history NAME"),
        (a.parse_remove, ["--force"], "usage: %forge remove [--force] NAME"),
        (a.parse_diff, ["f", "v1"], "usage: %forge diff NAME [vOLD vNEW]"),
        (a.parse_rollback, ["f"], "usage: %forge rollback NAME vN"),
        (a.parse_hook, [], "usage: %forge hook on|off|status|draft [NAME]"),
        (a.parse_hook, ["on", "now"], "usage: %forge hook on|off|status|draft [NAME]"),
        (a.parse_search, [], "%forge search: the following arguments are required: query"),
        (a.parse_stats, ["--idle-days", "soon"], "%forge stats: argument --idle-days"),
        (a.parse_export, ["f"], "%forge export: one of the arguments --to --module is required"),
        (parse_ask, [], 'usage: %forge ask "TASK" (or %forge ask --continue)'),
        (parse_ask, ["task", "--continue"], "%forge ask --continue takes no task"),
    ],
)
def test_bad_arguments_are_one_line_spec_errors(
    parse: object, words: list[str], message: str
) -> None:
    with pytest.raises(SpecError) as info:
        parse(words)  # type: ignore[operator]
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_an_agent_cell_carries_its_choices_to_the_agent() -> None:
    opts = parse_cell_line("--agent -m m --approve auto -l lib --no-persist")
    assert AskOptions.from_cell(opts) == AskOptions(
        model="m", approve="auto", library="lib", no_persist=True
    )


def test_every_command_in_the_help_has_a_row_in_the_table(kernel: Kernel) -> None:
    documented = set(re.findall(r"(?<!%)%forge ([a-z]+)", HELP))
    assert documented == set(kernel.magics.subcommands)
