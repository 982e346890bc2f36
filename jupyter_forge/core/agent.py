"""The agent loop: a model calls tools, asks for missing ones, and answers.

Pure Python and model-agnostic: the caller supplies ``chat`` (one model turn)
and ``execute`` (one tool call). Why a resumable state rather than a plain
loop: a new tool must be approved by a person, and a notebook kernel cannot see
a click while the cell that asked is still running, so a run *pauses* at such a
call and is resumed later with the person's decision (``resume`` + ``drive``).

Small local models often write tool calls as text instead of using the API's
``tool_calls`` field; :func:`parse_text_tool_calls` reads Qwen/Hermes-style
``<tool_call>{...}</tool_call>`` blocks (or a reply that is one such JSON
object), strictly: valid JSON, a known tool name, object arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import ForgeError
from .tool_calls import ToolCall, parse_text_tool_calls

MAKE_TOOL = "make_tool"

SYSTEM_PROMPT = (
    "You are an assistant inside a Jupyter notebook. Solve the user's task with the tools you "
    "are given: call a tool whenever it fits, one step at a time, and use its result. If no tool "
    f"can do a step, call {MAKE_TOOL} to have a new Python function written and tested (a person "
    "approves it before it can be used), then call that new tool. Never compute by hand what a "
    "tool can compute. When you have the result, answer briefly in plain words, with the values."
)

MAKE_TOOL_SCHEMA: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": MAKE_TOOL,
        "description": (
            "Create a new Python tool (a function) when none of the available tools can do a step. "
            "It is written, tested on the samples in a sandbox and approved by a person; then call "
            "it by its tool_name."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                # Not `name`: a model writing calls as text uses "name" for the tool it calls.
                "tool_name": {
                    "type": "string",
                    "description": "snake_case name of the new function",
                },
                "request": {
                    "type": "string",
                    "description": "what the function does: its inputs and its result",
                },
                "samples": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "tests of the function, e.g. 'assert double(2) == 4'",
                },
            },
            "required": ["tool_name", "request", "samples"],
        },
    },
}

# Words in a tool's static findings (core.findings) that mean "calling it changes the world".
_SIDE_EFFECT_MARKERS = (
    "file write",
    "writes a file",
    "opens a file for writing",
    "changes files",
    "file operations",
    "network",
    "starts processes",
    "subprocess",
    "operating system",
    "sends mail",
)


def side_effects(findings: Sequence[str]) -> list[str]:
    """The findings that make a call need a person's confirmation first."""
    return [f for f in findings if any(m in f.lower() for m in _SIDE_EFFECT_MARKERS)]


@dataclass
class Turn:
    """One model reply: text, and the tool calls it asked for (if any)."""

    content: str
    calls: list[ToolCall] = field(default_factory=list)
    from_text: bool = False  # the calls were written as text, not API tool_calls
    raw: str = ""  # the reply as written (kept for text calls: the template's own format)
    seconds: float = 0.0


@dataclass
class Outcome:
    """What executing a call gave: text for the model, or a pause for a person."""

    content: str
    summary: str = ""
    ok: bool = True
    pause: str | None = None  # why the run must wait (approval, confirmation)
    repeat: bool = False  # an earlier result given back, not a new run


@dataclass
class CallLog:
    call: ToolCall
    outcome: Outcome


@dataclass
class AgentRun:
    """Everything needed to show, pause and resume one agent task."""

    task: str
    tools: list[dict[str, Any]]
    messages: list[dict[str, Any]] = field(default_factory=list)
    pending: list[ToolCall] = field(default_factory=list)
    waiting: str | None = None  # reason the first pending call waits for a person
    steps: int = 0
    status: str = "running"  # running | paused | answered | max_steps | failed | cancelled
    answer: str = ""
    log: list[CallLog] = field(default_factory=list)
    text_calls: int = 0  # turns whose calls came as text (fallback protocol)
    fresh: bool = True  # the current turn's calls did something new (not only repeats)
    stale: int = 0  # consecutive turns whose calls were all repeats
    answered_calls: bool = False  # a turn's calls were answered since the last model turn
    model_answered: bool = True  # False: the answer is our summary of the results, not the model's
    known_at_turn: list[str] = field(default_factory=list)  # tools when the calls were written

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.tools]

    def add_tool(self, schema: dict[str, Any]) -> None:
        name = schema["function"]["name"]
        self.tools = [t for t in self.tools if t["function"]["name"] != name] + [schema]


Chat = Callable[[list[dict[str, Any]], list[dict[str, Any]]], Turn]
Execute = Callable[[ToolCall], Outcome]
Events = Callable[[str, Any], None]


def start(task: str, tools: Sequence[dict[str, Any]], *, system: str = SYSTEM_PROMPT) -> AgentRun:
    if not task.strip():
        raise ForgeError('the agent needs a task: write it in plain words (e.g. %forge ask "...")')
    messages = [{"role": "system", "content": system}, {"role": "user", "content": task.strip()}]
    return AgentRun(task=task.strip(), tools=[*tools], messages=messages)


NEXT_STEP = (
    f"Go on with the next step of the task (call another tool, or {MAKE_TOOL} if no tool fits), "
    "or give the final answer if the task is done."
)


FINAL_ANSWER = (
    "You have all the tool results. Do not call any tool now: give the final answer to the "
    "task in plain words, with the values (the last result of each step is the one that counts)."
)

NO_ANSWER = "The model gave no final answer (it wrote another tool call instead)."


def _answer_call(run: AgentRun, call: ToolCall, outcome: Outcome) -> None:
    content = outcome.content
    if call.from_text:
        # Small models given a bare value tend to call the same tool again; say what it was.
        content = f"{call.name} returned: {content}\n{NEXT_STEP}"
    run.messages.append(
        {"role": "tool", "tool_call_id": call.id, "name": call.name, "content": content}
    )
    run.log.append(CallLog(call, outcome))


def _repeated(run: AgentRun, call: ToolCall) -> Outcome | None:
    """An identical successful call made earlier in this run: its result, not a second run."""
    for entry in run.log:
        same = entry.call.name == call.name and entry.call.arguments == call.arguments
        if (
            same and call.name == MAKE_TOOL
        ):  # a failed forge costs minutes: never the same one twice
            text = f"{entry.outcome.content} (you asked for exactly this before: change the request or the samples)"
            return Outcome(
                text, summary="same make_tool request as before: not made again", ok=False
            )
        if same and entry.outcome.ok:
            text = f"{entry.outcome.content} (you already made this call: do not repeat it)"
            summary = (
                f"{entry.outcome.summary or entry.outcome.content} (repeated call: not run again)"
            )
            return Outcome(text, summary=summary, repeat=True)
    return None


def _written_blind(run: AgentRun, call: ToolCall) -> Outcome | None:
    """A call of a tool made *after* the call was written: its arguments were guesses.

    Models plan a whole task in one turn (call A, make B, call B with A's result);
    B's arguments cannot hold a result they had not seen, so B is not run and the
    model is asked to call it again now that it has the results.
    """
    if call.name in run.known_at_turn or call.name not in run.tool_names:
        return None
    text = (
        f"not run: `{call.name}` did not exist yet when you wrote this call, so its arguments "
        f"were guesses. {results_so_far(run)}Call `{call.name}` now with the right values."
    )
    return Outcome(text, summary=f"not run: written before {call.name} existed", ok=False)


def results_so_far(run: AgentRun) -> str:
    """The successful tool results of this run, as one reminder line (small models forget)."""
    done = [
        f"{entry.call.signature(120)} -> {entry.outcome.summary or entry.outcome.content}"
        for entry in run.log
        if entry.outcome.ok and not entry.outcome.repeat and entry.call.name != MAKE_TOOL
    ]
    return f"Results so far: {'; '.join(done)}. " if done else ""


def resume(run: AgentRun, outcome: Outcome) -> None:
    """Give the waiting call its result (the person decided); ``drive`` then goes on."""
    if run.status != "paused" or not run.pending:
        raise ForgeError("there is no paused agent run to continue: start one with %forge ask")
    call = run.pending.pop(0)
    _answer_call(run, call, outcome)
    run.fresh = run.fresh or outcome.ok  # an approved tool is progress
    run.waiting = None
    run.status = "running"


def drive(
    run: AgentRun,
    *,
    chat: Chat,
    execute: Execute,
    max_steps: int,
    on_event: Events | None = None,
) -> AgentRun:
    """Run until the model answers, a call must wait for a person, or ``max_steps`` turns."""

    def emit(kind: str, data: Any) -> None:
        if on_event is not None:
            on_event(kind, data)

    if max_steps < 1:
        raise ForgeError(f"agent max steps must be at least 1 (got {max_steps})")
    run.status = "running"
    while True:
        if not _run_pending(run, execute, emit):
            return run  # paused: a person decides, then resume + drive
        if run.steps >= max_steps:
            run.status = "max_steps"
            emit("max_steps", run)
            return run
        emit("thinking", run.steps + 1)
        tools = _tools_for_turn(run, max_steps)
        turn = chat(run.messages, tools)
        run.steps += 1
        if turn.from_text:
            run.text_calls += 1
        if turn.calls:
            _take_calls(run, turn)
            continue
        _take_answer(run, turn, tools_offered=bool(tools))
        emit("answer", run.answer)
        return run


def _run_pending(run: AgentRun, execute: Execute, emit: Events) -> bool:
    """Execute the calls of the last turn in order; False when one must wait for a person."""
    while run.pending:
        call = run.pending[0]
        emit("call", call)
        repeated = _repeated(run, call) or _written_blind(run, call)
        outcome = repeated or execute(call)
        if outcome.pause is not None:
            run.waiting, run.status = outcome.pause, "paused"
            emit("paused", (call, outcome))
            return False
        # Progress is a new result, or a first error of a tool (it teaches: "no such
        # tool, make it"); a repeat, or the same tool failing again (re-making a tool
        # that exists), is not: small models loop between those until the steps run out.
        failed_before = any(e.call.name == call.name and not e.outcome.ok for e in run.log)
        run.fresh = run.fresh or (repeated is None and (outcome.ok or not failed_before))
        run.pending.pop(0)
        _answer_call(run, call, outcome)
        emit("result", (call, outcome))
    return True


def _tools_for_turn(run: AgentRun, max_steps: int) -> list[dict[str, Any]]:
    """The tools offered to the next turn: none when it is time to ask for the answer."""
    if run.answered_calls:
        run.stale = 0 if run.fresh else run.stale + 1
        run.answered_calls = False
    last_turn = run.steps == max_steps - 1 and bool(run.log)
    if run.stale >= 2 or last_turn:
        # Twice in a row the model only repeated calls it had the results of (a loop
        # small models fall into), or this is the last turn allowed: ask for the answer
        # with no tools offered (text only), so a run ends with what it found.
        # (Once is not enough: the 0.5B model often repeats one call, then goes on.)
        run.messages.append({"role": "user", "content": results_so_far(run) + FINAL_ANSWER})
        return []
    return run.tools


def _take_calls(run: AgentRun, turn: Turn) -> None:
    """Record a turn that asked for tool calls; they run next."""
    if turn.from_text:
        # Echo the model's own text: chat templates re-render API tool_calls differently
        # (Qwen's double-encodes the arguments), which confuses small models.
        run.messages.append({"role": "assistant", "content": turn.raw or turn.content})
    else:
        run.messages.append(
            {
                "role": "assistant",
                "content": turn.content or None,
                "tool_calls": [c.as_message() for c in turn.calls],
            }
        )
    run.pending, run.fresh, run.answered_calls = list(turn.calls), False, True
    run.known_at_turn = run.tool_names


def _take_answer(run: AgentRun, turn: Turn, *, tools_offered: bool) -> None:
    """Record the model's final answer and end the run."""
    run.messages.append({"role": "assistant", "content": turn.content})
    run.answer, run.status = turn.content.strip(), "answered"
    if not tools_offered and parse_text_tool_calls(turn.content, run.tool_names)[1]:
        # Asked for the answer with no tools, a small model may still write a call:
        # say so, and give the person the results themselves rather than JSON.
        run.model_answered = False
        run.answer = f"{NO_ANSWER} {results_so_far(run)}".strip()
