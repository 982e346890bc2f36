"""Calling a tool with JSON arguments in the sandbox: results, errors, limits, isolation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_forge.sandbox import Limits
from jupyter_forge.sandbox.call import CHUNK, CHUNKS, call_tool

CODE = '''
import datetime


def add(a: int, b: int) -> int:
    """Add two numbers (and chat about it)."""
    print("adding", a, b)
    return a + b


def boom(x: str) -> None:
    raise ValueError(f"bad price {x!r}\\nmore detail on a second line")


def echo(value: object) -> object:
    return value


def when() -> object:
    return datetime.date(2020, 1, 2)


def spin() -> None:
    while True:
        pass


def connect() -> str:
    import socket

    socket.create_connection(("1.1.1.1", 80), timeout=2)
    return "connected"


def write(path: str) -> str:
    with open(path, "w") as handle:
        handle.write("owned")
    return "wrote"


def scratch() -> str:
    with open("note.txt", "w") as handle:
        handle.write("kept in the scratch dir")
    with open("note.txt") as handle:
        return handle.read()
'''


def test_json_result_comes_back_as_a_value_and_prints_stay_apart() -> None:
    result = call_tool(CODE, "add", {"a": 2, "b": 3}, pool=False)
    assert result.ok and result.is_json
    assert result.value == 5
    assert result.stdout == "adding 2 3\n"
    assert result.as_text() == "5"


def test_nested_unicode_and_backslash_values_survive_the_round_trip() -> None:
    value = {"name": "Zoë ✓", "path": "C:\\tmp\\x", "items": [1, 2.5, None, True, "\n"]}
    result = call_tool(CODE, "echo", {"value": value}, pool=False)
    assert result.ok and result.is_json
    assert result.value == value


def test_a_large_result_spanning_many_slices_is_whole() -> None:
    value = ["\\" * 50] * ((CHUNK * CHUNKS) // 120)  # backslashes double in JSON
    result = call_tool(CODE, "echo", {"value": value}, pool=False)
    assert result.ok and result.is_json, result
    assert result.value == value


def test_a_result_too_big_for_the_channel_is_truncated_and_says_so() -> None:
    result = call_tool(CODE, "echo", {"value": "x" * (CHUNK * CHUNKS + 10)}, pool=False)
    assert result.ok and not result.is_json
    assert result.text.startswith("(a JSON result over")
    assert "more characters]" in result.text


def test_a_non_json_result_comes_back_as_its_repr() -> None:
    result = call_tool(CODE, "when", {}, pool=False)
    assert result.ok and not result.is_json
    assert result.text == "datetime.date(2020, 1, 2)"


def test_an_exception_is_a_one_line_error_with_the_sandbox_traceback() -> None:
    result = call_tool(CODE, "boom", {"x": "q"}, pool=False)
    assert not result.ok
    assert result.error == "ValueError: bad price 'q'"
    assert result.traceback is not None and "ValueError" in result.traceback


def test_wrong_arguments_are_the_tool_s_type_error() -> None:
    missing = call_tool(CODE, "add", {"a": 1}, pool=False)
    assert missing.error == "TypeError: add() missing 1 required positional argument: 'b'"
    extra = call_tool(CODE, "add", {"a": 1, "b": 2, "c": 3}, pool=False)
    assert extra.error == "TypeError: add() got an unexpected keyword argument 'c'"


def test_arguments_that_are_not_json_are_refused_on_the_host() -> None:
    result = call_tool(CODE, "echo", {"value": object()}, pool=False)
    assert not result.ok and result.error is not None
    assert result.error.startswith("the arguments are not JSON")


def test_code_that_does_not_load_is_an_error() -> None:
    result = call_tool("def broken(:\n", "broken", {}, pool=False)
    assert not result.ok and result.error is not None
    assert result.error.startswith("the tool's code did not load: SyntaxError")


def test_the_timeout_kills_the_call() -> None:
    result = call_tool(CODE, "spin", {}, limits=Limits(timeout=1.0, load_timeout=10), pool=False)
    assert not result.ok
    assert result.error == "timed out after 1 s (the sandbox killed it)"
    assert result.seconds < 8


def test_no_network_inside_the_sandbox() -> None:
    result = call_tool(CODE, "connect", {}, pool=False)
    assert not result.ok and result.error is not None
    assert result.error.split(":")[0] in ("PermissionError", "OSError", "ConnectionError")


def test_no_writes_outside_the_scratch_dir(tmp_path: Path) -> None:
    target = tmp_path / "outside.txt"
    result = call_tool(CODE, "write", {"path": str(target)}, pool=False)
    assert not result.ok and result.error is not None
    assert result.error.startswith("PermissionError"), result.error
    assert not target.exists()


def test_the_scratch_dir_is_writable() -> None:
    result = call_tool(CODE, "scratch", {}, pool=False)
    assert result.ok and result.value == "kept in the scratch dir"


@pytest.mark.skipif(not hasattr(os, "waitid"), reason="the warm pool needs waitid")
def test_the_warm_pool_gives_the_same_answer() -> None:
    first = call_tool(CODE, "add", {"a": 1, "b": 1}, pool=True)
    second = call_tool(CODE, "add", {"a": 20, "b": 22}, pool=True)
    assert (first.value, second.value) == (2, 42)
