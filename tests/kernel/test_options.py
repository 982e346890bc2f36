"""Option parsing for the magics: one-line SpecErrors, never SystemExit."""

from __future__ import annotations

import pytest

from jupyter_forge.core.errors import SpecError
from jupyter_forge.kernel.options import (
    HELP,
    cell_parser,
    edit_cell_text,
    parse_cell_line,
    split_line,
)


def test_defaults() -> None:
    opts = parse_cell_line("parse_money")
    assert opts.name == "parse_money"
    assert opts.model is None and opts.attempts is None and opts.approve is None
    assert opts.library is None and opts.temperature is None
    assert opts.samples == [] and not opts.no_persist and not opts.replace


def test_every_option() -> None:
    opts = parse_cell_line(
        "clean -m 'openai/my model' -n 5 --approve auto -l '/tmp/my lib' --no-persist "
        "-s first --samples second --replace --temperature 0.4"
    )
    assert opts.name == "clean"
    assert opts.model == "openai/my model"
    assert opts.attempts == 5
    assert opts.approve == "auto"
    assert opts.library == "/tmp/my lib"
    assert opts.no_persist and opts.replace
    assert opts.samples == ["first", "second"]
    assert opts.temperature == 0.4


def test_edit_takes_the_name_only_and_its_cell_round_trips() -> None:
    assert not parse_cell_line("parse_money").edit
    for line in ("--edit parse_money", "parse_money -e", "  parse_money   --edit "):
        opts = parse_cell_line(line)
        assert opts.edit and opts.name == "parse_money"
    with pytest.raises(SpecError, match=r"not --attempts, --samples"):
        parse_cell_line("--edit parse_money -n 2 -s var")
    with pytest.raises(SpecError, match="needs the tool name"):
        parse_cell_line("--edit")
    text = edit_cell_text("parse_money", "def parse_money(text):\n    return 1.0\n")
    first, body = text.split("\n", 1)
    assert first == "%%forge --edit parse_money" and body.startswith("def parse_money")
    assert parse_cell_line(first.removeprefix("%%forge ")).edit


def test_missing_name_is_left_to_the_name_check() -> None:
    assert parse_cell_line("").name == ""
    assert parse_cell_line("--approve widget").name == ""


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("f --frob", "unrecognized arguments: --frob"),
        ("f --approve maybe", "invalid choice: 'maybe'"),
        ("f --attempts many", "invalid int value: 'many'"),
        ("f --temperature hot", "invalid float value: 'hot'"),
        ("f --model", "expected one argument"),
        ("f g", "unrecognized arguments: g"),
        ("f --help", "unrecognized arguments: --help"),
        ("f --library 'open", "check the quotes"),
    ],
)
def test_errors_are_one_line_spec_errors(line: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_cell_line(line)
    text = str(info.value)
    assert message in text
    assert "\n" not in text
    if "quotes" not in message:
        assert text.startswith("%%forge:") and "%forge help" in text


def test_split_line() -> None:
    assert split_line("load '/tmp/a b' c") == ["load", "/tmp/a b", "c"]
    assert split_line("") == []
    with pytest.raises(SpecError, match="check the quotes"):
        split_line('show "x')


def test_help_documents_every_option() -> None:
    for action in cell_parser()._actions:
        for flag in action.option_strings:
            if flag.startswith("--"):
                assert flag in HELP, flag
    for command in ("list", "show", "load", "remove", "config", "sandbox", "help"):
        assert f"%forge {command}" in HELP
