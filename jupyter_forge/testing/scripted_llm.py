"""A deterministic scripted model speaking the OpenAI chat-completions HTTP API.

Why: tests of the pipeline must take the *same* litellm call path as the real
local model (llama.cpp's OpenAI-compatible server, reached with
``litellm.completion(model="openai/NAME", api_base=..., api_key="none")``).
Mocking litellm would skip request building, SSE parsing and error mapping,
which is exactly where integration bugs hide. So this is a real HTTP server on
loopback (stdlib only, one daemon thread) whose answers come from a script.

The replies a script holds (``Reply``) and the rules that pick them are
:mod:`.scripted_replies` (re-exported here); the JSON they go out as is
:mod:`.openai_wire`.

Run standalone (for browser tests whose kernel is another process)::

    python -m jupyter_forge.testing.scripted_llm --port 8099 --script script.json
"""

from __future__ import annotations

import argparse
import http.server
import json
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable
from types import FrameType, TracebackType
from typing import Any, cast

from .openai_wire import chunks, completion, error_body
from .scripted_replies import (
    NO_CHECKS,
    NO_REPLY_LEFT,
    Answer,
    Reply,
    Rule,
    ScriptError,
    is_checks_request,
    reply_by_function_name,
    resolve,
)

__all__ = [
    "NO_CHECKS",
    "NO_REPLY_LEFT",
    "Reply",
    "Rule",
    "ScriptedModel",
    "is_checks_request",
    "main",
    "reply_by_function_name",
]

_HOST = "127.0.0.1"


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
        except ScriptError as err:
            self._send_error(err.status, err.message)
            return
        if body.get("stream"):
            self._send_stream(body, answer)
        else:
            self._send_json(200, completion(body, answer, self.model.name))

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, message: str) -> None:
        self._send_json(status, error_body(status, message))

    def _send_stream(self, body: dict[str, Any], answer: Answer) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            for i, chunk in enumerate(chunks(body, answer, self.model.name)):
                if i and answer.chunk_delay:
                    time.sleep(answer.chunk_delay)
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except ConnectionError:  # the client hung up mid-stream: count it (tests assert on it)
            with self.model._lock:
                self.model.hangups += 1


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

    def _answer(self, body: dict[str, Any]) -> Answer:
        """Record the request and pick its reply (queue first, then the rule).

        A request for checks from the words (see :mod:`..core.word_checks`) gets
        ``self.checks`` and is recorded in ``check_requests``, off the script: tests
        of other features need not script it. ``checks=None`` scripts it like any other.
        """
        if self.checks is not None and is_checks_request(body["messages"]):
            with self._lock:
                self.check_requests.append(body)
            return resolve(self.checks)
        with self._lock:
            self.requests.append(body)
            reply: Reply | None = self._replies.popleft() if self._replies else None
        if reply is None and self.rule is not None:
            try:
                reply = self.rule(body["messages"])
            except Exception as exc:
                raise ScriptError(500, f"scripted rule failed: {exc!r}") from exc
        if reply is None:
            raise ScriptError(500, NO_REPLY_LEFT)
        return resolve(reply)


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
