"""The agent loop without a kernel: turns, calls, pauses, limits, and text tool calls."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jupyter_forge.core import agent
from jupyter_forge.core.agent import MAKE_TOOL_SCHEMA, Outcome, Turn, side_effects
from jupyter_forge.core.errors import ForgeError
from jupyter_forge.core.findings import static_findings
from jupyter_forge.core.tool_calls import ToolCall

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


def test_the_last_turn_allowed_asks_for_the_answer_without_tools() -> None:
    chat = Script(
        Turn("", [call("add", "a1", a=1, b=2)]),
        Turn("", [call("add", "a2", a=2, b=2)]),
        Turn("3 and 4."),
    )
    run = agent.drive(agent.start("t", [ADD]), chat=chat, execute=adder, max_steps=3)
    assert run.status == "answered" and run.answer == "3 and 4."
    assert chat.tools == [["add"], ["add"], []]
    assert chat.seen[2][-1]["content"] == (
        "Results so far: add(a=1, b=2) -> 3; add(a=2, b=2) -> 4. " + agent.FINAL_ANSWER
    )


def test_a_tool_failing_again_is_not_progress_so_a_repeat_error_loop_ends_in_an_answer() -> None:
    """The 0.5B model alternated a repeated call and re-making a tool that existed. A first
    error is progress (it teaches, e.g. "no such tool: make it"); the same tool failing again
    is not."""

    def execute(c: ToolCall) -> Outcome:
        if c.name == "make_tool":
            return Outcome("error: `x` already exists: call it", ok=False)
        return adder(c)

    def make(cid: str, request: str) -> ToolCall:
        return call("make_tool", cid, tool_name="x", request=request, samples=[])

    chat = Script(
        Turn("", [call("add", "a1", a=1, b=2)]),
        Turn("", [make("m1", "r")]),  # a first error: progress
        Turn("", [call("add", "a2", a=1, b=2)]),  # repeat: stale 1
        Turn("", [make("m2", "r2")]),  # make_tool failing again: stale 2
        Turn("It is 3."),
    )
    run = agent.drive(agent.start("t", [ADD]), chat=chat, execute=execute, max_steps=8)
    assert run.status == "answered" and run.steps == 5
    assert chat.tools[:4] == [["add"]] * 4 and chat.tools[4] == []
    assert chat.seen[4][-1]["content"].endswith(agent.FINAL_ANSWER)


def test_a_call_written_as_the_answer_is_replaced_by_the_results_and_marked() -> None:
    chat = Script(
        Turn("", [call("add", "a1", a=1, b=2)]),
        Turn('```json\n{"name": "add", "arguments": {"a": 1, "b": 2}}\n```'),  # no tools offered
    )
    run = agent.drive(agent.start("t", [ADD]), chat=chat, execute=adder, max_steps=2)
    assert chat.tools == [["add"], []]
    assert run.status == "answered" and not run.model_answered
    assert run.answer == f"{agent.NO_ANSWER} Results so far: add(a=1, b=2) -> 3."
    # With tools offered, the same text is a call (and a real answer stays the model's own).
    plain = agent.drive(
        agent.start("t", [ADD]), chat=Script(Turn("It is 3.")), execute=adder, max_steps=2
    )
    assert plain.model_answered and plain.answer == "It is 3."
