"""The agent loop without a kernel: turns, calls, pauses, limits, and text tool calls."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jupyter_forge.core import agent
from jupyter_forge.core.agent import (
    MAKE_TOOL_SCHEMA,
    Outcome,
    ToolCall,
    Turn,
    parse_arguments,
    parse_text_tool_calls,
    side_effects,
)
from jupyter_forge.core.errors import ForgeError
from jupyter_forge.core.findings import static_findings

ADD = {"type": "function", "function": {"name": "add", "description": "Add.", "parameters": {}}}


class Script:
    """Turns in order; records what the model was shown each time."""

    def __init__(self, *turns: Turn) -> None:
        self.turns = list(turns)
        self.seen: list[list[dict[str, Any]]] = []
        self.tools: list[list[str]] = []

    def __call__(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> Turn:
        self.seen.append([dict(m) for m in messages])
        self.tools.append([t["function"]["name"] for t in tools])
        return self.turns.pop(0)


def call(tool: str, cid: str = "c1", **arguments: Any) -> ToolCall:
    return ToolCall(cid, tool, arguments, json.dumps(arguments))


def adder(c: ToolCall) -> Outcome:
    return Outcome(str(c.arguments["a"] + c.arguments["b"]))


def test_calls_a_tool_then_answers_with_the_openai_message_layout() -> None:
    chat = Script(Turn("", [call("add", a=2, b=3)]), Turn("It is 5."))
    events: list[str] = []
    run = agent.drive(
        agent.start("add 2 and 3", [ADD, MAKE_TOOL_SCHEMA]),
        chat=chat,
        execute=adder,
        max_steps=4,
        on_event=lambda kind, _data: events.append(kind),
    )
    assert run.status == "answered" and run.answer == "It is 5." and run.steps == 2
    assert events == ["thinking", "call", "result", "thinking", "answer"]
    second = chat.seen[1]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "tool"]
    assert second[2]["tool_calls"][0]["function"] == {
        "name": "add",
        "arguments": '{"a": 2, "b": 3}',
    }
    assert second[3] == {"role": "tool", "tool_call_id": "c1", "name": "add", "content": "5"}
    assert chat.tools[0] == ["add", "make_tool"]


def test_a_pause_keeps_the_call_and_resume_answers_it_before_the_next_turn() -> None:
    chat = Script(Turn("", [call("make_tool", "m1", name="x"), call("add", "a1", a=1, b=1)]))
    executed: list[str] = []

    def execute(c: ToolCall) -> Outcome:
        executed.append(c.name)
        return Outcome("", pause="approve x") if c.name == "make_tool" else adder(c)

    run = agent.drive(agent.start("t", [ADD]), chat=chat, execute=execute, max_steps=4)
    assert run.status == "paused" and run.waiting == "approve x"
    assert [c.id for c in run.pending] == ["m1", "a1"]

    agent.resume(run, Outcome("x is approved"))
    run.add_tool({"type": "function", "function": {"name": "x", "parameters": {}}})
    chat.turns.append(Turn("done"))
    agent.drive(run, chat=chat, execute=execute, max_steps=4)
    assert run.status == "answered" and executed == ["make_tool", "add"]
    tools = [m for m in chat.seen[-1] if m["role"] == "tool"]
    assert [(m["tool_call_id"], m["content"]) for m in tools] == [
        ("m1", "x is approved"),
        ("a1", "2"),
    ]
    assert chat.tools[-1] == ["add", "x"]
    with pytest.raises(ForgeError):
        agent.resume(run, Outcome("again"))


def test_max_steps_bounds_the_model_turns() -> None:
    chat = Script(*[Turn("", [call("add", f"c{i}", a=i, b=0)]) for i in range(5)])
    run = agent.drive(agent.start("loop", [ADD]), chat=chat, execute=adder, max_steps=3)
    assert run.status == "max_steps" and run.steps == 3 and len(run.log) == 3
    with pytest.raises(ForgeError, match="at least 1"):
        agent.drive(run, chat=chat, execute=adder, max_steps=0)


def test_an_empty_task_is_refused() -> None:
    with pytest.raises(ForgeError, match="needs a task"):
        agent.start("   ", [])


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


def test_side_effects_come_from_the_static_findings() -> None:
    writes = 'def save(p: str) -> None:\n    with open(p, "w") as f:\n        f.write("x")\n'
    network = "import urllib.request\ndef get(u: str) -> bytes:\n    return urllib.request.urlopen(u).read()\n"
    shell = "import os\ndef run(c: str) -> int:\n    return os.system(c)\n"
    pure = "import math\ndef area(r: float) -> float:\n    return math.pi * r * r\n"
    assert side_effects(static_findings(writes)) == ["line 2: opens a file for writing"]
    assert side_effects(static_findings(network))
    assert side_effects(static_findings(shell))
    assert side_effects(static_findings(pure)) == []
    assert side_effects(["line 1: imports subprocess (starts processes)"])


def test_values_are_shown_short_and_given_to_the_model_as_json() -> None:
    assert agent.result_for_model(212.0) == "212.0"
    assert agent.result_for_model({"a": [1, 2]}) == '{"a": [1, 2]}'
    assert agent.result_for_model({1, 2}) == "{1, 2}"
    assert len(agent.result_for_model("x" * 5000)) == 2000
    assert len(agent.short_repr(list(range(1000)), 40)) == 40

    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert "repr failed" in agent.short_repr(Broken())
    assert call("add", a=1, b="x").signature() == "add(a=1, b='x')"


def test_a_missing_tool_name_is_read_from_the_samples_only_when_unambiguous() -> None:
    name = agent.tool_name_from_samples
    assert name(["assert round_to_5(212) == 210", ">>> round_to_5(3)\n5"]) == "round_to_5"
    assert name(["assert f(1) == 1", "assert g(1) == 1"]) is None
    assert name(["assert round(2.5) == 2"]) is None
    assert name(["assert add(1, 2) == 3"], exclude=["add"]) is None
    assert name(["not python ("]) is None


def test_identical_calls_are_not_run_twice() -> None:
    """Small models loop on the same call; a repeated call gets the first result back, and a
    repeated make_tool (minutes of forging) is refused."""
    make = call("make_tool", "m1", tool_name="x", request="r", samples=["assert x() == 1"])
    chat = Script(
        Turn("", [call("add", "a1", a=1, b=2)]),
        Turn("", [call("add", "a2", a=1, b=2)]),
        Turn("", [make]),
        Turn("", [ToolCall("m2", "make_tool", dict(make.arguments))]),
        Turn("done"),
    )
    executed: list[str] = []

    def execute(c: ToolCall) -> Outcome:
        executed.append(c.id)
        return Outcome("make_tool failed", ok=False) if c.name == "make_tool" else adder(c)

    run = agent.drive(agent.start("t", [ADD]), chat=chat, execute=execute, max_steps=6)
    assert run.status == "answered" and executed == ["a1", "m1"]
    assert run.log[1].outcome.content.startswith("3 (you already made this call")
    assert "asked for exactly this before" in run.log[3].outcome.content


def test_a_turn_of_only_repeated_calls_gets_asked_for_the_answer_without_tools() -> None:
    chat = Script(
        Turn("", [call("add", "a1", a=1, b=2)]),
        Turn("", [call("add", "a2", a=1, b=2)]),
        Turn("", [call("add", "a3", a=2, b=2)]),  # something new: not stuck
        Turn("", [call("add", "a4", a=1, b=2)]),
        Turn("", [call("add", "a5", a=2, b=2)]),
        Turn("It is 3."),
    )
    run = agent.drive(agent.start("t", [ADD]), chat=chat, execute=adder, max_steps=8)
    assert run.status == "answered" and run.answer == "It is 3."
    assert chat.tools == [["add"]] * 5 + [[]]
    assert chat.seen[5][-1] == {
        "role": "user",
        # The results are recalled with the request: small models forget the early ones.
        "content": "Results so far: add(a=1, b=2) -> 3; add(a=2, b=2) -> 4. " + agent.FINAL_ANSWER,
    }
    assert agent.FINAL_ANSWER not in json.dumps(chat.seen[4])


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
    # Prose after the blocks (or between them) makes it an answer, not calls.
    assert parse_text_tool_calls(text + "\nSo the answer is 5.", known)[1] == []


def test_a_call_of_a_tool_made_after_it_was_written_is_not_run_but_asked_again() -> None:
    """call A, make B, call B(A's result) in one turn: B's arguments were guesses."""
    made = {"type": "function", "function": {"name": "r", "description": "", "parameters": {}}}
    chat = Script(
        Turn(
            "",
            [
                call("add", "a1", a=40, b=1),
                call("make_tool", "m1", tool_name="r", request="q", samples=[]),
                call("r", "r1", number=40),
            ],
        ),
        Turn("", [call("r", "r2", number=41)]),
        Turn("It is 41."),
    )
    executed: list[str] = []
    run = agent.start("t", [ADD, MAKE_TOOL_SCHEMA])

    def execute(c: ToolCall) -> Outcome:
        executed.append(c.id)
        if c.name == "make_tool":
            run.add_tool(made)
            return Outcome("r was made")
        if c.name == "r":
            return Outcome(str(c.arguments["number"]))
        return adder(c)

    agent.drive(run, chat=chat, execute=execute, max_steps=5)
    assert run.status == "answered" and executed == ["a1", "m1", "r2"]
    blind = run.log[2].outcome
    assert not blind.ok and blind.summary == "not run: written before r existed"
    assert blind.content.startswith("not run: `r` did not exist yet when you wrote this call")
    assert "Results so far: add(a=40, b=1) -> 41." in blind.content
    # Every call id still gets its answer (the API requires one tool message per call).
    answered = [m["tool_call_id"] for m in chat.seen[1] if m["role"] == "tool"]
    assert answered == ["a1", "m1", "r1"]


def test_results_so_far_lists_only_successful_tool_results() -> None:
    run = agent.start("t", [ADD])
    assert agent.results_so_far(run) == ""
    run.log.append(agent.CallLog(call("add", a=1, b=2), Outcome("3")))
    run.log.append(agent.CallLog(call("add", a="x", b=2), Outcome("TypeError", ok=False)))
    run.log.append(agent.CallLog(call("make_tool", tool_name="r"), Outcome("made")))
    assert agent.results_so_far(run) == "Results so far: add(a=1, b=2) -> 3. "
