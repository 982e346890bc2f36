"""What the agent needs besides the loop: a tool-calling model turn, and the tools to offer.

Kept out of ``core`` because it reaches litellm (through ``llm.client``'s lazy
import and error advice) and out of ``kernel`` because the CLI could use it too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .core.agent import Chat, Turn
from .core.errors import ForgeError, ModelReplyError
from .core.libraries import LibrarySet
from .core.record import ToolRecord
from .core.tool_calls import ToolCall, parse_arguments, parse_text_tool_calls
from .llm.models import ResolvedModel

NEEDS_REVIEW = "(NOT runnable yet: a person must review this tool first) "


def _turn_from_message(message: Any, known: Sequence[str], step: int) -> Turn:
    content = str(getattr(message, "content", None) or "")
    calls: list[ToolCall] = []
    for index, raw in enumerate(getattr(message, "tool_calls", None) or []):
        function = getattr(raw, "function", None)
        name = str(getattr(function, "name", "") or "")
        raw_arguments = getattr(function, "arguments", "") or ""
        arguments, error = parse_arguments(raw_arguments)
        calls.append(
            ToolCall(
                id=str(getattr(raw, "id", "") or f"call_{step}_{index}"),
                name=name,
                arguments=arguments,
                raw_arguments=raw_arguments if isinstance(raw_arguments, str) else "",
                error=error,
            )
        )
    if calls:
        return Turn(content, calls)
    if not known:  # no tools offered: whatever it wrote is the answer
        return Turn(content)
    # Small local models (Qwen via llama.cpp's jinja template) write the call as text.
    prose, text_calls = parse_text_tool_calls(content, known, id_prefix=str(step))
    if text_calls:
        return Turn(prose, text_calls, from_text=True, raw=content)
    return Turn(content)


def chat_with_tools(
    messages: Sequence[dict[str, Any]],
    tools: Sequence[dict[str, Any]],
    model: ResolvedModel,
    *,
    step: int = 0,
    temperature: float = 0.0,
    max_tokens: int = 1024,
    timeout: float = 180.0,
) -> Turn:
    """One non-streaming turn with OpenAI-style ``tools``; errors become one-line advice."""
    from .llm.client import complete_with_tools

    started = time.perf_counter()
    message = complete_with_tools(
        messages,
        tools,
        model,
        temperature=temperature,
        max_tokens=max_tokens,
        timeout=timeout,
    )
    if message is None:
        raise ModelReplyError(
            f"model `{model.name}` returned no answer: try again or another model"
        )
    known = [t["function"]["name"] for t in tools]
    turn = _turn_from_message(message, known, step)
    if not turn.calls and not turn.content.strip():
        raise ModelReplyError(
            f"model `{model.name}` returned an empty answer: try again or another model"
        )
    turn.seconds = time.perf_counter() - started
    return turn


def model_chat(
    resolved: ResolvedModel,
    *,
    temperature: float = 0.0,
    max_tokens: int = 1024,
    timeout: float = 180.0,
) -> Chat:
    """A ``core.agent.Chat`` bound to one model; an unusable reply is retried once."""
    steps = [0]

    def chat(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> Turn:
        steps[0] += 1
        try:
            return chat_with_tools(
                messages,
                tools,
                resolved,
                step=steps[0],
                temperature=temperature,
                max_tokens=max_tokens,
                timeout=timeout,
            )
        except ModelReplyError:
            return chat_with_tools(
                messages,
                tools,
                resolved,
                step=steps[0],
                temperature=max(temperature, 0.7),
                max_tokens=max_tokens,
                timeout=timeout,
            )

    return chat


@dataclass
class Offer:
    """The library tools offered to the model for one task (top-k, never deprecated)."""

    records: dict[str, ToolRecord] = field(default_factory=dict)
    schemas: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _schema_of(record: ToolRecord) -> dict[str, Any] | None:
    schema = record.schema
    if not schema:
        try:
            from .core.schema import function_schema

            schema = function_schema(record.code, record.name)
        except Exception:
            return None
    if not record.trusted:
        function = dict(schema["function"])
        function["description"] = NEEDS_REVIEW + str(function.get("description") or "")
        schema = {**schema, "function": function}
    return schema


def offer_tools(libs: LibrarySet, task: str, k: int) -> Offer:
    """Retrieve the ``k`` library tools that best match ``task``.

    Why top-k rather than everything: a library of hundreds of tools does not fit
    a prompt, and small models pick worse from long lists.
    """
    offer = Offer()
    if k < 1:
        return offer
    try:
        hits = libs.index().search(task, k)
    except ForgeError as exc:
        offer.skipped.append(str(exc))
        return offer
    for hit in hits:
        try:
            record = libs.find(hit.name)
        except ForgeError as exc:
            offer.skipped.append(str(exc))
            continue
        if record.deprecated:
            continue
        schema = _schema_of(record)
        if schema is None:
            offer.skipped.append(f"`{record.name}` has no usable schema")
            continue
        offer.records[record.name] = record
        offer.schemas.append(schema)
    return offer
