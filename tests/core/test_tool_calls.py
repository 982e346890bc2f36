"""Reading tool calls: the API's fields and the text small models write; values shown short."""

from __future__ import annotations

from jupyter_forge.core import tool_calls
from jupyter_forge.core.tool_calls import (
    ToolCall,
    parse_arguments,
    parse_text_tool_calls,
    result_for_model,
    short_repr,
    tool_name_from_samples,
)


def test_text_tool_calls_are_parsed_strictly() -> None:
    known = {"add", "make_tool"}
    prose, calls = parse_text_tool_calls(
        'Let me add.\n<tool_call>\n{"name": "add", "arguments": {"a": 1, "b": 2}}\n</tool_call>',
        known,
    )
    assert prose == "Let me add." and [(c.name, c.arguments) for c in calls] == [
        ("add", {"a": 1, "b": 2})
    ]
    # A bare JSON object, fenced, with double-encoded arguments (as the Qwen template teaches).
    _, calls = parse_text_tool_calls(
        '```json\n{"name": "add", "arguments": "{\\"a\\": 1}"}\n```', known
    )
    assert calls[0].arguments == {"a": 1} and calls[0].error is None
    # Two blocks, the second unterminated (max_tokens), both read.
    _, calls = parse_text_tool_calls(
        '<tool_call>{"name": "add", "arguments": {}}</tool_call><tool_call>{"name": "add", "arguments": {"a": 3}}',
        known,
    )
    assert [c.arguments for c in calls] == [{}, {"a": 3}]
    assert len({c.id for c in calls}) == 2
    # Not calls: unknown names, broken JSON, prose that merely contains braces.
    # A tool that does not exist (yet) counts only in the exact call shape; the executor refuses it.
    assert (
        parse_text_tool_calls('{"name": "round_to_5", "arguments": {"x": 1}}', known)[1][0].name
        == "round_to_5"
    )
    for text in (
        '{"name": "rm_rf", "x": 1}',
        '<tool_call>{"name": "rm_rf", "arguments": []}</tool_call>',
        '<tool_call>{"name": "add", "arguments": {</tool_call>',
        "The answer is {5}.",
        '{"result": 5}',
        "212",
    ):
        assert parse_text_tool_calls(text, known)[1] == [], text


def test_arguments_must_be_a_json_object() -> None:
    assert parse_arguments('{"a": 1}') == ({"a": 1}, None)
    assert parse_arguments("") == ({}, None)
    assert parse_arguments({"a": 1}) == ({"a": 1}, None)
    assert "not valid JSON" in str(parse_arguments("{a: 1}")[1])
    assert "must be a JSON object" in str(parse_arguments("[1, 2]")[1])


def test_values_are_shown_short_and_given_to_the_model_as_json() -> None:
    assert result_for_model(212.0) == "212.0"
    assert result_for_model({"a": [1, 2]}) == '{"a": [1, 2]}'
    assert result_for_model({1, 2}) == "{1, 2}"
    assert len(result_for_model("x" * 5000)) == 2000
    assert len(short_repr(list(range(1000)), 40)) == 40

    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert "repr failed" in short_repr(Broken())
    assert ToolCall("c1", "add", {"a": 1, "b": "x"}).signature() == "add(a=1, b='x')"


def test_a_missing_tool_name_is_read_from_the_samples_only_when_unambiguous() -> None:
    name = tool_name_from_samples
    assert name(["assert round_to_5(212) == 210", ">>> round_to_5(3)\n5"]) == "round_to_5"
    assert name(["assert f(1) == 1", "assert g(1) == 1"]) is None
    assert name(["assert round(2.5) == 2"]) is None
    assert name(["assert add(1, 2) == 3"], exclude=["add"]) is None
    assert name(["not python ("]) is None


def test_a_plan_written_as_several_json_blocks_is_read_as_calls() -> None:
    """The 1.5B model writes its whole plan as ```json blocks, one call each."""
    known = {"add", "make_tool"}
    blocks = [
        '{"name": "add", "arguments": {"a": 40, "b": 0}}',
        '{"name": "make_tool", "arguments": {"tool_name": "r", "request": "q", "samples": []}}',
        '{"name": "r", "arguments": {"number": 40}}',
    ]
    text = "\n\n".join(f"```json\n{b}\n```" for b in blocks)
    prose, calls = parse_text_tool_calls("Plan:\n" + text, known)
    assert prose == "Plan:"
    assert [c.name for c in calls] == ["add", "make_tool", "r"]
    assert len({c.id for c in calls}) == 3
    # Cut off mid-block by max_tokens: the complete blocks count, the broken one is dropped.
    _, cut = parse_text_tool_calls(text + '\n\n```json\n{\n  "name": "ad', known)
    assert [c.name for c in cut] == ["add", "make_tool", "r"]
    # Prose after the blocks (or between them) makes it an answer, not calls.
    assert parse_text_tool_calls(text + "\nSo the answer is 5.", known)[1] == []


TASK = (
    "Convert 100 degrees Celsius to Fahrenheit. Then make a new tool round_to_5 that rounds "
    "a number to the nearest multiple of 5 (sample: assert round_to_5(212) == 210), and use "
    "it on the Fahrenheit value."
)


def test_request_from_task_is_the_sentence_naming_the_tool_without_its_samples() -> None:
    request = tool_calls.request_from_task(TASK, "round_to_5")
    assert request is not None
    assert "rounds a number to the nearest multiple of 5" in request
    assert "assert" not in request and "212" not in request
    assert tool_calls.request_from_task(TASK, "other_tool") is None


def test_samples_from_task_are_the_persons_asserts_cut_where_they_compile() -> None:
    assert tool_calls.samples_from_task(TASK, "round_to_5") == ["assert round_to_5(212) == 210"]
    assert tool_calls.samples_from_task("assert f(1) == 2 and more words", "g") == []


def test_request_from_task_keeps_only_the_clause_about_the_tool() -> None:
    assert (
        tool_calls.request_from_task(TASK, "round_to_5")
        == "Make a new tool round_to_5 that rounds a number to the nearest multiple of 5"
    )
