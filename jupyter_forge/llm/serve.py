"""The local model server's entry point: llama_cpp.server's app, stopped when idle.

``python -m jupyter_forge.llm.serve --keep-alive SECONDS --activity-file PATH
[llama_cpp.server options]`` builds the same FastAPI app as ``python -m
llama_cpp.server`` and runs it under uvicorn, wrapped in :class:`IdleMiddleware`.
A watchdog thread ends the server once nothing has been asked of it for
``keep-alive`` seconds (Ollama's keep-alive): a 1.5B model holds ~2.7 GB of RAM
that a user who forged one tool an hour ago should get back. The next forge
starts it again (see ``local.ensure_server``).

* ``--keep-alive`` > 0: exit after that many idle seconds; < 0: never.
* ``--keep-alive 0``: exit when a client sends SIGUSR1 ("my forge is over", see
  ``local.release``) and nothing is in flight; an idle fallback of
  :data:`FALLBACK_KEEP_ALIVE` covers a client that died before saying so.
* SIGUSR1 at any keep-alive: exit as soon as nothing is in flight.

The server never exits while a request is in flight. Once it has decided to
exit, new requests get 503 at once, so a client probing at that moment sees
"down" and starts a new server instead of trusting one that is leaving.

The activity file (JSON, replaced atomically) says when the last request ended,
how many are in flight and why the server exited, for ``jupyter-forge model
status`` and for the "idle-stopped; starting it again" line. Requests carrying
``X-Jupyter-Forge-Passive: 1`` (status probes) do not count as activity.

The middleware and watchdog are generic ASGI/uvicorn: ``--app MODULE:ATTR``
serves any ASGI app instead of llama.cpp's (tests do, without a model).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from .paths import write_json_atomic

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PASSIVE_HEADER = "X-Jupyter-Forge-Passive"
FALLBACK_KEEP_ALIVE = 300.0  # keep-alive 0 whose client never released it
POLL = 0.2  # watchdog period: the exit happens within this of the deadline


class Activity:
    """What the server is doing, shared by the event loop (requests) and the watchdog thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.requests = 0
        self.last_activity = time.time()  # starting counts: a fresh server gets a full period
        self.released = False
        self.exiting: str | None = None  # why, once decided; then new requests are refused

    def begin(self, passive: bool) -> bool:
        """A request arrived; False if the server is leaving (refuse it)."""
        with self._lock:
            if self.exiting is not None:
                return False
            self.in_flight += 1
            if not passive:
                self.requests += 1
                self.last_activity = time.time()
            return True

    def end(self, passive: bool) -> None:
        with self._lock:
            self.in_flight -= 1
            if not passive:
                self.last_activity = time.time()

    def release(self) -> None:
        """Exit as soon as nothing is in flight (a keep-alive-0 client's forge is over)."""
        with self._lock:
            self.released = True

    def decide(self, keep_alive: float, now: float | None = None) -> str | None:
        """Why to exit now ("released" or "idle"), else None; once decided it sticks.

        Deciding and refusing new requests happen under one lock, so no request
        can slip in between "nothing in flight" and "exit".
        """
        now = time.time() if now is None else now
        with self._lock:
            if self.exiting is None and self.in_flight == 0:
                if self.released:
                    self.exiting = "released"
                elif keep_alive > 0 and now - self.last_activity >= keep_alive:
                    self.exiting = "idle"
            return self.exiting

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "in_flight": self.in_flight,
                "requests": self.requests,
                "last_activity": self.last_activity,
                "released": self.released,
                "exiting": self.exiting,
            }


class IdleMiddleware:
    """ASGI middleware counting HTTP requests in flight and when the last one ended."""

    def __init__(self, app: ASGIApp, activity: Activity) -> None:
        self.app = app
        self.activity = activity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan, websockets: not requests for a model
            await self.app(scope, receive, send)
            return
        wanted = PASSIVE_HEADER.lower().encode()
        passive = any(k == wanted and v == b"1" for k, v in scope.get("headers", []))
        if not self.activity.begin(passive):
            body = b'{"error": {"message": "the server is stopping", "type": "server_error"}}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.activity.end(passive)


def serve(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    keep_alive: float,
    activity_file: Path | None = None,
    log_level: str = "info",
) -> str:
    """Run ``app`` until it has been idle ``keep_alive`` seconds, is released, or is signalled.

    Returns why it stopped: "idle", "released" or "stopped" (SIGTERM/SIGINT).
    Must run in the main thread (uvicorn's and our signal handlers).
    """
    import uvicorn

    activity = Activity()
    server = uvicorn.Server(
        uvicorn.Config(IdleMiddleware(app, activity), host=host, port=port, log_level=log_level)
    )
    limit = FALLBACK_KEEP_ALIVE if keep_alive == 0 else keep_alive
    done = threading.Event()

    def record(exited: str | None = None) -> None:
        if activity_file is not None:
            state = activity.snapshot()
            state.update(pid=os.getpid(), keep_alive=keep_alive, exited=exited)
            with contextlib.suppress(OSError):  # a lost record must not stop the watchdog
                write_json_atomic(activity_file, state)

    def watch() -> None:
        last: dict[str, Any] = {}
        while not done.wait(POLL):
            if activity.decide(limit) is not None:
                server.should_exit = True
                return
            now = activity.snapshot()
            if now != last:
                record()
                last = now

    _handle_signals(activity)
    record()
    watchdog = threading.Thread(target=watch, name="keep-alive", daemon=True)
    watchdog.start()
    try:
        server.run()
    finally:
        done.set()
        watchdog.join(5)
        reason = activity.snapshot()["exiting"] or "stopped"
        record(exited=reason)
    return str(reason)


def _handle_signals(activity: Activity) -> None:
    """SIGUSR1 releases the server; SIGTERM/SIGINT end it through uvicorn, recorded."""

    def on_release(_signum: int, _frame: FrameType | None) -> None:
        activity.release()

    def on_stop(_signum: int, _frame: FrameType | None) -> None:
        """uvicorn handles SIGTERM/SIGINT while it runs, then raises them again on its way
        out; this (restored) handler lets that end here, so the exit is recorded."""

    signal.signal(signal.SIGUSR1, on_release)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_stop)


def llama_settings(argv: Sequence[str]) -> tuple[Any, Any]:
    """llama_cpp.server's (ServerSettings, ModelSettings) from its own command-line options,
    parsed as its __main__ parses them (no config file: the environment cannot inject one)."""
    from llama_cpp.server.cli import add_args_from_model
    from llama_cpp.server.settings import ModelSettings, ServerSettings, Settings

    parser = argparse.ArgumentParser(prog="jupyter_forge.llm.serve (llama_cpp.server options)")
    add_args_from_model(parser, Settings)
    given = {k: v for k, v in vars(parser.parse_args(list(argv))).items() if v is not None}
    server = ServerSettings(**{k: v for k, v in given.items() if k in ServerSettings.model_fields})
    model = ModelSettings(**{k: v for k, v in given.items() if k in ModelSettings.model_fields})
    return server, model


def _llama_app(argv: Sequence[str], prompt_cache: int = 0) -> ASGIApp:
    """llama_cpp.server's app (loads the model), as ``python -m llama_cpp.server`` builds it;
    with ``prompt_cache`` > 0, a :class:`~.prompt_cache.PromptCache` of that many families."""
    from llama_cpp.server import app as app_module

    server, model = llama_settings(argv)
    app: ASGIApp = app_module.create_app(server_settings=server, model_settings=[model])
    if prompt_cache > 0:
        _install_prompt_cache(app_module, prompt_cache)
    return app


def _install_prompt_cache(app_module: Any, families: int) -> None:
    """Give the loaded model a prompt cache; a llama_cpp without the hook serves without one."""
    from .prompt_cache import PromptCache

    proxy = getattr(app_module, "_llama_proxy", None)
    llama = proxy() if callable(proxy) else None
    if llama is None or not hasattr(llama, "set_cache"):
        print("jupyter_forge.llm.serve: no prompt cache (unknown llama_cpp)", file=sys.stderr)
        return
    if not getattr(llama, "_logits_all", True) and getattr(llama, "scores", None) is not None:
        # Per-token logits are written and read only with logits_all (logprobs); without
        # it the n_batch x vocabulary buffer (~300 MB) is dead weight that every saved
        # state would copy (~0.6 s an answer). One row keeps its shape for save/load.
        llama.scores = llama.scores[:1].copy()
    llama.set_cache(PromptCache(families))
    print(f"jupyter_forge.llm.serve: prompt cache: {families} families", file=sys.stderr)


def _import_app(target: str) -> ASGIApp:
    module, _, attr = target.partition(":")
    app: ASGIApp = getattr(importlib.import_module(module), attr or "app")
    return app


def parser() -> argparse.ArgumentParser:
    """Our options; the rest of the command line goes to llama_cpp.server (:func:`llama_settings`)."""
    parser = argparse.ArgumentParser(
        prog="python -m jupyter_forge.llm.serve",
        description="llama_cpp.server that exits when idle (other options go to llama_cpp.server)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--keep-alive", type=float, default=FALLBACK_KEEP_ALIVE, help="idle seconds; <0: never"
    )
    parser.add_argument("--activity-file", type=Path, help="where to record activity (JSON)")
    parser.add_argument("--app", help="MODULE:ATTR of another ASGI app (instead of llama.cpp's)")
    parser.add_argument(
        "--prompt-cache",
        type=int,
        default=0,
        help="evaluated prompts kept, one per kind of call (0: llama.cpp's single context)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    ours = parser()
    args, rest = ours.parse_known_args(argv)
    if args.app and rest:
        ours.error(f"unrecognized arguments: {' '.join(rest)}")
    # SIGUSR1 would kill the process by default while the model loads; serve() handles it.
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    app = _import_app(args.app) if args.app else _llama_app(rest, args.prompt_cache)
    reason = serve(
        app,
        host=args.host,
        port=args.port,
        keep_alive=args.keep_alive,
        activity_file=args.activity_file,
    )
    print(f"jupyter_forge.llm.serve: exiting ({reason})", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
