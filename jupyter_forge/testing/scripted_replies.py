"""What the scripted model answers: reply specs, the rules that pick them, the answers they make.

Reply specs (``Reply``):

* ``"text"`` -- an assistant message with that content.
* ``{"content": "text"}`` -- the same, as a dict (may be combined with
  ``tool_calls`` and/or ``finish_reason``).
* ``{"tool_calls": [{"name": "f", "arguments": {...}}]}`` -- OpenAI
  ``tool_calls`` (arguments may also be a ready JSON string), finish reason
  ``"tool_calls"``.
* ``{"error": 500}`` / ``{"error": 401, "message": "..."}`` -- that HTTP status
  with OpenAI's error JSON body.
* ``{"delay": seconds, "reply": <Reply>}`` -- sleep first (timeouts); without
  ``"reply"`` the rest of the dict is the reply.
* ``"chunk_delay": seconds`` in any dict -- sleep between streamed chunks
  (slow streams, e.g. for a stop button).

Nothing here knows HTTP: :mod:`.scripted_llm` serves the answers, in the wire
format of :mod:`.openai_wire`.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

Reply = str | dict[str, Any]
Rule = Callable[[list[dict[str, Any]]], "Reply | None"]

NO_REPLY_LEFT = "scripted model has no reply left"
NO_CHECKS = "```python\n# no checks\n```"

_ids = itertools.count(1)


def next_id() -> int:
    """One counter for every id the scripted model hands out (completions and tool calls)."""
    return next(_ids)


class ScriptError(Exception):
    """Raised while choosing a reply: answer with this HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str


@dataclass
class Answer:
    """A reply spec resolved into what the wire format needs."""

    content: str | None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    chunk_delay: float = 0.0


def text_of(content: Any) -> str:
    """Message content as plain text: a string, or the text parts of a list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return "\n".join(p for p in parts if isinstance(p, str))
    return ""


def reply_by_function_name(table: Mapping[str, Reply]) -> Rule:
    """A rule answering by which tool the last user message is about.

    Why: prompts name the tool being forged in single backticks (`` `NAME` ``);
    keying replies by that name keeps scripts independent of prompt wording and
    of call order. The first key of ``table`` found backticked in the last user
    message wins; no match gives ``None`` (so the model answers HTTP 500 "no
    reply left").
    """
    entries = dict(table)

    def rule(messages: list[dict[str, Any]]) -> Reply | None:
        users = [m for m in messages if m.get("role") == "user"]
        if not users:
            return None
        text = text_of(users[-1].get("content"))
        for name, reply in entries.items():
            if f"`{name}`" in text:
                return reply
        return None

    return rule


def is_checks_request(messages: list[dict[str, Any]]) -> bool:
    """Whether a request asks for checks from the words (by its system prompt)."""
    from ..core.word_checks import CHECKS_SYSTEM

    return any(
        m.get("role") == "system" and text_of(m.get("content")) == CHECKS_SYSTEM for m in messages
    )


def resolve(reply: Reply) -> Answer:
    """Turn a reply spec into an answer, sleeping or raising as it says."""
    if isinstance(reply, str):
        return Answer(content=reply)
    if not isinstance(reply, dict):
        raise ScriptError(500, f"bad scripted reply (not str or dict): {reply!r}")
    if "delay" in reply:
        time.sleep(float(reply["delay"]))
        rest = {k: v for k, v in reply.items() if k != "delay"}
        inner = rest.pop("reply", None)
        if inner is not None:
            resolved = resolve(inner)
            resolved.chunk_delay = float(rest.get("chunk_delay", resolved.chunk_delay))
            return resolved
        return resolve(rest)
    if "error" in reply:
        status = int(reply["error"])
        try:
            default = f"scripted error {status} {HTTPStatus(status).phrase}"
        except ValueError:
            default = f"scripted error {status}"
        raise ScriptError(status, str(reply.get("message") or default))
    unknown = set(reply) - {"content", "tool_calls", "finish_reason", "chunk_delay"}
    if unknown:
        raise ScriptError(500, f"bad scripted reply (unknown keys {sorted(unknown)}): {reply!r}")
    calls = [_tool_call(spec) for spec in reply.get("tool_calls") or []]
    content = reply.get("content")
    return Answer(
        content=None if content is None else str(content),
        tool_calls=calls,
        finish_reason=str(reply.get("finish_reason") or ("tool_calls" if calls else "stop")),
        chunk_delay=float(reply.get("chunk_delay", 0.0)),
    )


def _tool_call(spec: Any) -> ToolCall:
    if not isinstance(spec, dict) or "name" not in spec:
        raise ScriptError(500, f"bad scripted tool call (needs a 'name'): {spec!r}")
    arguments = spec.get("arguments", {})
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments)
    return ToolCall(
        id=str(spec.get("id") or f"call_{next_id()}"), name=str(spec["name"]), arguments=arguments
    )
