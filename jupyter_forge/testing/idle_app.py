"""A trivial ASGI app that looks like a model server, for keep-alive tests without a model.

``python -m jupyter_forge.llm.serve --app jupyter_forge.testing.idle_app:app``
serves it under the real middleware and watchdog, so tests exercise real
processes, sockets and uvicorn; only the model is missing.

* ``GET /v1/models`` -- lists ``$JF_IDLE_APP_ALIAS`` (default ``fake-model``), as
  llama_cpp.server lists its alias (``local.ensure_server`` checks it).
* ``GET /slow?seconds=N`` -- answers after N seconds, streaming a byte every 0.1 s
  (a generation in flight).
* ``POST /v1/chat/completions`` -- streams ``$JF_IDLE_APP_REPLY`` as one OpenAI chunk
  (404 when unset), so a whole forge can run against it through litellm.
* anything else -- 404.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

Message = MutableMapping[str, Any]


async def app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope.get("path", "")
    if path == "/v1/models":
        alias = os.environ.get("JF_IDLE_APP_ALIAS", "fake-model")
        body = json.dumps({"object": "list", "data": [{"id": alias, "object": "model"}]})
        await _answer(send, 200, body.encode())
    elif path == "/v1/chat/completions" and "JF_IDLE_APP_REPLY" in os.environ:
        while (await receive()).get("more_body"):
            pass
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        for delta, finish in (
            ({"role": "assistant", "content": os.environ["JF_IDLE_APP_REPLY"]}, None),
            ({}, "stop"),
        ):
            chunk = {
                "id": "chatcmpl-idle", "object": "chat.completion.chunk", "created": 0,
                "model": "fake-model",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }  # fmt: skip
            data = f"data: {json.dumps(chunk)}\n\n".encode()
            await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n"})
    elif path == "/slow":
        query = parse_qs(scope.get("query_string", b"").decode())
        seconds = float(query.get("seconds", ["1"])[0])
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        steps = max(1, int(seconds / 0.1))
        for _ in range(steps):
            await asyncio.sleep(seconds / steps)
            await send({"type": "http.response.body", "body": b".", "more_body": True})
        await send({"type": "http.response.body", "body": b"done"})
    else:
        await _answer(send, 404, b'{"error": "not found"}')


async def _answer(send: Callable[[Message], Awaitable[None]], status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def server_command(
    spec: object, gguf: Path, port: int, keep_alive: float, activity_file: Path
) -> list[str]:
    """A stand-in for ``server_process.server_command``: our real entry module (watchdog, activity
    file, signals) serving this app instead of llama.cpp's, for tests without a model."""
    return [
        sys.executable, "-m", "jupyter_forge.llm.serve", "--app", f"{__name__}:app",
        "--port", str(port), "--keep-alive", repr(keep_alive),
        "--activity-file", str(activity_file),
    ]  # fmt: skip
