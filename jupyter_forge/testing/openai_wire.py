"""The OpenAI chat-completions wire format of the scripted model: replies, stream chunks, errors.

Shaped as OpenAI (and llama.cpp's server) send them, so litellm parses them with
the same code it uses for a real model; token counts are whitespace words.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

from .scripted_replies import Answer, next_id, text_of

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}
# Word-sized pieces (a word plus its trailing whitespace, or a leading run of
# whitespace) that join back to the exact text, newlines and fences included.
_PIECE = re.compile(r"\S+\s*|\s+")


def error_body(status: int, message: str) -> dict[str, Any]:
    """OpenAI's error JSON for an HTTP status."""
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: whitespace-separated words."""
    return len(text.split())


def _usage(body: dict[str, Any], answer: Answer) -> dict[str, int]:
    prompt = sum(_count_tokens(text_of(m.get("content"))) for m in body["messages"])
    completion = _count_tokens(answer.content or "") + sum(
        _count_tokens(f"{c.name} {c.arguments}") for c in answer.tool_calls
    )
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _envelope(body: dict[str, Any], name: str, obj: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-scripted-{next_id()}",
        "object": obj,
        "created": int(time.time()),
        "model": str(body.get("model") or name),
        "system_fingerprint": None,
    }


def completion(body: dict[str, Any], answer: Answer, name: str) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": answer.content}
    if answer.tool_calls:
        message["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": c.arguments},
            }
            for c in answer.tool_calls
        ]
    choice = {"index": 0, "message": message, "finish_reason": answer.finish_reason}
    return {
        **_envelope(body, name, "chat.completion"),
        "choices": [{**choice, "logprobs": None}],
        "usage": _usage(body, answer),
    }


def chunks(body: dict[str, Any], answer: Answer, name: str) -> Iterator[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of a stream, as OpenAI sends them.

    Content comes word by word (first delta carries ``role``); each tool call
    starts with a delta holding its id and name, then its arguments in slices.
    Usage, when asked for via ``stream_options.include_usage``, comes as a last
    chunk with empty ``choices`` -- OpenAI's own layout.
    """
    base = _envelope(body, name, "chat.completion.chunk")
    options = body.get("stream_options")
    include_usage = isinstance(options, dict) and bool(options.get("include_usage"))

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        extra: dict[str, Any] = {"usage": None} if include_usage else {}
        return {**base, "choices": [choice], **extra}

    first: dict[str, Any] = {"role": "assistant"}
    if answer.content is not None or not answer.tool_calls:
        pieces = _PIECE.findall(answer.content or "") or [""]
        yield chunk({**first, "content": pieces[0]})
        first = {}
        for piece in pieces[1:]:
            yield chunk({"content": piece})
    for index, call in enumerate(answer.tool_calls):
        head = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        if first:
            yield chunk({**first, "content": None, "tool_calls": [head]})
            first = {}
        else:
            yield chunk({"tool_calls": [head]})
        args = call.arguments
        for start in range(0, len(args), 8):
            part = {"index": index, "function": {"arguments": args[start : start + 8]}}
            yield chunk({"tool_calls": [part]})
    yield chunk({}, answer.finish_reason)
    if include_usage:
        yield {**base, "choices": [], "usage": _usage(body, answer)}
