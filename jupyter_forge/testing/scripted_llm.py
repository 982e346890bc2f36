"""A deterministic scripted model speaking the OpenAI chat-completions HTTP API.

Why: tests of the pipeline must take the *same* litellm call path as the real
local model (llama.cpp's OpenAI-compatible server, reached with
``litellm.completion(model="openai/NAME", api_base=..., api_key="none")``).
Mocking litellm would skip request building, SSE parsing and error mapping,
which is exactly where integration bugs hide. So this is a real HTTP server on
loopback (stdlib only, one daemon thread) whose answers come from a script.

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

Run standalone (for browser tests whose kernel is another process)::

    python -m jupyter_forge.testing.scripted_llm --port 8099 --script script.json
"""

from __future__ import annotations

import argparse
import http.server
import itertools
import json
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from types import FrameType, TracebackType
from typing import Any, cast

Reply = str | dict[str, Any]
Rule = Callable[[list[dict[str, Any]]], "Reply | None"]

NO_REPLY_LEFT = "scripted model has no reply left"
NO_CHECKS = "```python\n# no checks\n```"

_HOST = "127.0.0.1"
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
_ids = itertools.count(1)


class _HTTPError(Exception):
    """Raised while choosing a reply: answer with this status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _ToolCall:
    id: str
    name: str
    arguments: str


@dataclass
class _Answer:
    """A reply spec resolved into what the wire format needs."""

    content: str | None
    tool_calls: list[_ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    chunk_delay: float = 0.0


def _text_of(content: Any) -> str:
    """Message content as plain text: a string, or the text parts of a list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return "\n".join(p for p in parts if isinstance(p, str))
    return ""


def _count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: whitespace-separated words."""
    return len(text.split())


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
        text = _text_of(users[-1].get("content"))
        for name, reply in entries.items():
            if f"`{name}`" in text:
                return reply
        return None

    return rule


def is_checks_request(messages: list[dict[str, Any]]) -> bool:
    """Whether a request asks for checks from the words (by its system prompt)."""
    from ..core.word_checks import CHECKS_SYSTEM

    return any(
        m.get("role") == "system" and _text_of(m.get("content")) == CHECKS_SYSTEM for m in messages
    )


class _Server(http.server.ThreadingHTTPServer):
    """Threaded so a delayed reply never blocks other requests; quiet on hangups."""

    daemon_threads = True

    def __init__(self, port: int, model: ScriptedModel) -> None:
        super().__init__((_HOST, port), _Handler)
        self.model = model

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-stream (timeouts, cancelled generations) are
        # expected in tests; anything else is still reported.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    """One HTTP exchange. HTTP/1.0: a stream simply ends when the socket closes."""

    server_version = "jupyter-forge-scripted/1"

    @property
    def model(self) -> ScriptedModel:
        return cast(_Server, self.server).model

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging: test output should only show failures."""

    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/")

    def do_GET(self) -> None:
        if self._path() == "/v1/models":
            data = {"id": self.model.name, "object": "model", "owned_by": "jupyter_forge"}
            self._send_json(200, {"object": "list", "data": [data]})
        else:
            self._send_error(404, f"no route for GET {self.path}")

    def do_POST(self) -> None:
        if self._path() != "/v1/chat/completions":
            self._send_error(404, f"no route for POST {self.path}")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            self._send_error(400, f"request body is not JSON: {exc}")
            return
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self._send_error(400, "request body must be an object with a 'messages' list")
            return
        try:
            answer = self.model._answer(body)
        except _HTTPError as err:
            self._send_error(err.status, err.message)
            return
        if body.get("stream"):
            self._send_stream(body, answer)
        else:
            self._send_json(200, _completion(body, answer, self.model.name))

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, message: str) -> None:
        kind = _ERROR_TYPES.get(
            status, "server_error" if status >= 500 else "invalid_request_error"
        )
        error = {"message": message, "type": kind, "param": None, "code": None}
        self._send_json(status, {"error": error})

    def _send_stream(self, body: dict[str, Any], answer: _Answer) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            for i, chunk in enumerate(_chunks(body, answer, self.model.name)):
                if i and answer.chunk_delay:
                    time.sleep(answer.chunk_delay)
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except ConnectionError:  # the client hung up mid-stream: count it (tests assert on it)
            with self.model._lock:
                self.model.hangups += 1


def _usage(body: dict[str, Any], answer: _Answer) -> dict[str, int]:
    prompt = sum(_count_tokens(_text_of(m.get("content"))) for m in body["messages"])
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
        "id": f"chatcmpl-scripted-{next(_ids)}",
        "object": obj,
        "created": int(time.time()),
        "model": str(body.get("model") or name),
        "system_fingerprint": None,
    }


def _completion(body: dict[str, Any], answer: _Answer, name: str) -> dict[str, Any]:
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


def _chunks(body: dict[str, Any], answer: _Answer, name: str) -> Iterator[dict[str, Any]]:
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


def _resolve(reply: Reply) -> _Answer:
    """Turn a reply spec into an answer, sleeping or raising as it says."""
    if isinstance(reply, str):
        return _Answer(content=reply)
    if not isinstance(reply, dict):
        raise _HTTPError(500, f"bad scripted reply (not str or dict): {reply!r}")
    if "delay" in reply:
        time.sleep(float(reply["delay"]))
        rest = {k: v for k, v in reply.items() if k != "delay"}
        inner = rest.pop("reply", None)
        if inner is not None:
            resolved = _resolve(inner)
            resolved.chunk_delay = float(rest.get("chunk_delay", resolved.chunk_delay))
            return resolved
        return _resolve(rest)
    if "error" in reply:
        status = int(reply["error"])
        try:
            default = f"scripted error {status} {HTTPStatus(status).phrase}"
        except ValueError:
            default = f"scripted error {status}"
        raise _HTTPError(status, str(reply.get("message") or default))
    unknown = set(reply) - {"content", "tool_calls", "finish_reason", "chunk_delay"}
    if unknown:
        raise _HTTPError(500, f"bad scripted reply (unknown keys {sorted(unknown)}): {reply!r}")
    calls = [_tool_call(spec) for spec in reply.get("tool_calls") or []]
    content = reply.get("content")
    return _Answer(
        content=None if content is None else str(content),
        tool_calls=calls,
        finish_reason=str(reply.get("finish_reason") or ("tool_calls" if calls else "stop")),
        chunk_delay=float(reply.get("chunk_delay", 0.0)),
    )


def _tool_call(spec: Any) -> _ToolCall:
    if not isinstance(spec, dict) or "name" not in spec:
        raise _HTTPError(500, f"bad scripted tool call (needs a 'name'): {spec!r}")
    arguments = spec.get("arguments", {})
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments)
    return _ToolCall(
        id=str(spec.get("id") or f"call_{next(_ids)}"), name=str(spec["name"]), arguments=arguments
    )


class ScriptedModel:
    """An OpenAI-compatible chat model on 127.0.0.1 that replies from a script.

    Replies are consumed in order; once the queue is empty ``rule(messages)``
    decides; if neither yields a reply the request gets HTTP 500 with
    ``"scripted model has no reply left"`` -- a test asking more than it
    scripted fails loudly rather than hanging or getting filler text.
    """

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        rule: Rule | None = None,
        name: str = "scripted",
        port: int = 0,
        checks: Reply | None = NO_CHECKS,
    ) -> None:
        self.name = name
        self.rule = rule
        self.checks = checks
        self.requests: list[dict[str, Any]] = []
        self.check_requests: list[dict[str, Any]] = []
        self.hangups = 0  # streams the client closed before their end (e.g. an interrupt)
        self._replies: deque[Reply] = deque(replies)
        self._lock = threading.Lock()
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def push(self, *replies: Reply) -> None:
        """Queue more replies (after those already queued)."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending(self) -> int:
        """How many queued replies are still unused (tests assert it hits 0)."""
        with self._lock:
            return len(self._replies)

    def start(self) -> ScriptedModel:
        """Bind a port (a free one unless given) and serve in a daemon thread."""
        if self._server is None:
            self._server = _Server(self._port, self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"scripted-llm-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port; safe to call twice."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ScriptedModel:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("ScriptedModel is not started; call start() first")
        return int(self._server.server_address[1])

    @property
    def api_base(self) -> str:
        """What to pass to litellm as ``api_base``."""
        return f"http://{_HOST}:{self.port}/v1"

    @property
    def model(self) -> str:
        """What to pass to litellm as ``model`` (its OpenAI-compatible provider)."""
        return f"openai/{self.name}"

    def _answer(self, body: dict[str, Any]) -> _Answer:
        """Record the request and pick its reply (queue first, then the rule).

        A request for checks from the words (see :mod:`..core.word_checks`) gets
        ``self.checks`` and is recorded in ``check_requests``, off the script: tests
        of other features need not script it. ``checks=None`` scripts it like any other.
        """
        if self.checks is not None and is_checks_request(body["messages"]):
            with self._lock:
                self.check_requests.append(body)
            return _resolve(self.checks)
        with self._lock:
            self.requests.append(body)
            reply: Reply | None = self._replies.popleft() if self._replies else None
        if reply is None and self.rule is not None:
            try:
                reply = self.rule(body["messages"])
            except Exception as exc:
                raise _HTTPError(500, f"scripted rule failed: {exc!r}") from exc
        if reply is None:
            raise _HTTPError(500, NO_REPLY_LEFT)
        return _resolve(reply)


def main(argv: list[str] | None = None) -> int:
    """Serve a JSON script in the foreground until SIGTERM/SIGINT.

    Why: browser tests run the kernel (and so litellm) in another process, so
    the model must be reachable as a separate server. The ready line on stdout
    tells the parent the port is open.
    """
    parser = argparse.ArgumentParser(
        prog="python -m jupyter_forge.testing.scripted_llm",
        description="Serve a scripted OpenAI-compatible chat model on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--script", help='JSON file: {"replies": [...], "by_name": {...}}')
    parser.add_argument("--name", default="scripted", help="model name (litellm: openai/NAME)")
    args = parser.parse_args(argv)

    script: dict[str, Any] = {}
    if args.script:
        with open(args.script, encoding="utf-8") as f:
            script = json.load(f)
        if not isinstance(script, dict):
            parser.error(f"{args.script}: expected a JSON object")
    by_name = script.get("by_name")
    rule = reply_by_function_name(by_name) if by_name else None

    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        model = ScriptedModel(script.get("replies", ()), rule=rule, name=args.name, port=args.port)
        model.start()
    except OSError as exc:
        print(f"scripted model cannot listen on port {args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"scripted model listening on {model.api_base}", flush=True)
    try:
        while not stopping.wait(0.1):
            pass
    finally:
        model.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
