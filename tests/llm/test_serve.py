"""The keep-alive entry module: real uvicorn processes on loopback, a trivial ASGI app, no model.

Each test starts ``python -m jupyter_forge.llm.serve --app ...idle_app:app`` as a
real process and watches it the way the forge does: by its pid, its port and
the activity file it writes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_forge.llm.serve import PASSIVE_HEADER, Activity

ROOT = Path(__file__).resolve().parents[2]
APP = "jupyter_forge.testing.idle_app:app"
_OPEN = urllib.request.build_opener(urllib.request.ProxyHandler({})).open


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """One server process under test."""

    def __init__(self, tmp_path: Path, keep_alive: float) -> None:
        self.port = _free_port()
        self.activity_file = tmp_path / "activity.json"
        self.log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [
            sys.executable, "-m", "jupyter_forge.llm.serve", "--app", APP,
            "--port", str(self.port), "--keep-alive", str(keep_alive),
            "--activity-file", str(self.activity_file),
        ]  # fmt: skip
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("/v1/models", passive=True)
                break
            except (urllib.error.URLError, ConnectionError):
                assert self.proc.poll() is None, self.log_text()
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.05)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, *, passive: bool = False, timeout: float = 30) -> bytes:
        request = urllib.request.Request(self.url(path))
        if passive:
            request.add_header(PASSIVE_HEADER, "1")
        with _OPEN(request, timeout=timeout) as resp:
            body: bytes = resp.read()
        return body

    def exit_time(self, within: float) -> float:
        """When (monotonic) the process exited; fails if it is still running after `within` s."""
        try:
            self.proc.wait(within)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the server still runs after {within} s:\n{self.log_text()}")
        return time.monotonic()

    def activity(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.activity_file.read_text())
        return data

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    started: list[Served] = []

    def start(keep_alive: float) -> Served:
        served = Served(tmp_path / f"s{len(started)}", keep_alive)
        started.append(served)
        return served

    for i in range(4):
        (tmp_path / f"s{i}").mkdir()
    try:
        yield start
    finally:
        for served in started:
            served.stop()


def _slow_in_thread(served: Served, seconds: float) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def call() -> None:
        try:
            out["body"] = served.get(f"/slow?seconds={seconds}")
        except Exception as exc:  # surfaced by the caller's assert
            out["error"] = repr(exc)
        out["ended"] = time.monotonic()

    worker = threading.Thread(target=call)
    worker.start()
    return worker, out


def test_exits_after_keep_alive_idle_seconds_counted_from_the_last_request(serve: Any) -> None:
    served = serve(1.5)
    for _ in range(5):  # in use for ~2 s, longer than keep-alive: it must not leave meanwhile
        assert b"fake-model" in served.get("/v1/models")
        time.sleep(0.4)
    last = time.monotonic()
    assert served.proc.poll() is None
    exited = served.exit_time(within=10)
    assert 1.3 <= exited - last <= 1.5 + 3, exited - last
    assert served.proc.returncode == 0
    record = served.activity()
    assert record["exited"] == "idle"
    assert record["pid"] == served.proc.pid and record["keep_alive"] == 1.5
    assert record["requests"] == 5 and record["in_flight"] == 0
    assert "exiting (idle)" in served.log_text()


def test_never_exits_while_a_request_is_in_flight(serve: Any) -> None:
    served = serve(0.5)
    worker, out = _slow_in_thread(served, 3.0)
    time.sleep(2.0)  # four keep-alive periods into the request
    assert served.proc.poll() is None, served.log_text()
    record = served.activity()
    assert record["in_flight"] == 1 and record["exited"] is None
    worker.join(30)
    assert out.get("body", b"").endswith(b"done"), out
    exited = served.exit_time(within=10)
    assert exited - out["ended"] >= 0.3  # the idle period starts when the request ended
    assert served.activity()["exited"] == "idle"


def test_passive_probes_do_not_keep_it_alive(serve: Any) -> None:
    served = serve(1.0)
    started = time.monotonic()
    probes = 0
    while served.proc.poll() is None and time.monotonic() - started < 10:
        try:
            served.get("/v1/models", passive=True, timeout=2)
            probes += 1
        except (urllib.error.URLError, ConnectionError):
            pass  # it is going away
        time.sleep(0.2)
    assert served.proc.poll() is not None, "passive status probes kept an idle server alive"
    assert probes >= 3
    assert time.monotonic() - started < 1.0 + 3
    assert served.activity()["requests"] == 0


def test_release_ends_it_once_nothing_is_in_flight(serve: Any) -> None:
    served = serve(0)  # keep-alive 0: only a release (or the long fallback) ends it
    time.sleep(1.0)
    assert served.proc.poll() is None
    worker, out = _slow_in_thread(served, 2.0)
    time.sleep(0.5)
    served.proc.send_signal(signal.SIGUSR1)
    time.sleep(1.0)
    assert served.proc.poll() is None, "released while a request was in flight"
    worker.join(30)
    assert out.get("body", b"").endswith(b"done"), out
    exited = served.exit_time(within=5)
    assert exited - out["ended"] < 2.0
    assert served.activity()["exited"] == "released"


def test_negative_keep_alive_never_stops_on_its_own(serve: Any) -> None:
    served = serve(-1)
    served.get("/v1/models")
    time.sleep(2.0)
    assert served.proc.poll() is None
    served.proc.send_signal(signal.SIGTERM)
    served.exit_time(within=10)
    assert served.activity()["exited"] == "stopped"


def test_activity_refuses_requests_once_it_decided_to_exit() -> None:
    """The decision and the refusal share one lock: no request slips in after "idle"."""
    activity = Activity()
    assert activity.begin(passive=False)
    assert activity.decide(keep_alive=1.0, now=time.time() + 100) is None  # one in flight
    activity.end(passive=False)
    assert activity.decide(keep_alive=1.0) is None  # it just ended: not idle yet
    assert activity.decide(keep_alive=-1.0, now=time.time() + 1e6) is None  # never
    assert activity.decide(keep_alive=1.0, now=time.time() + 100) == "idle"
    assert activity.begin(passive=False) is False
    assert activity.begin(passive=True) is False
    assert activity.snapshot()["in_flight"] == 0


@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama_cpp.server is not installed"
)
def test_the_launch_command_parses_as_llama_cpp_server_options() -> None:
    """What ensure_server launches reaches llama.cpp's settings intact (without loading a model)."""
    from jupyter_forge.llm import local, serve, server_process

    gguf, activity_file = Path("/m/qwen.gguf"), Path("/r/server.activity.json")
    command = server_process.server_command(local.QWEN_CODER_15B, gguf, 4321, 300.0, activity_file)
    assert command[:3] == [sys.executable, "-m", "jupyter_forge.llm.serve"]
    args, rest = serve.parser().parse_known_args(command[3:])
    assert (args.host, args.port, args.keep_alive, args.app) == ("127.0.0.1", 4321, 300.0, None)
    assert args.activity_file == activity_file
    assert args.prompt_cache == server_process.PROMPT_CACHE_FAMILIES > 0
    server, model = serve.llama_settings(rest)
    assert (model.model, model.model_alias, model.n_ctx) == (str(gguf), "qwen2.5-coder-1.5b", 4096)
    assert model.n_threads == server_process.cpu_threads()
    assert server.interrupt_requests is False
    assert model.logits_all is False  # nothing asks for logprobs; keeping them costs ~20 %
    never = server_process.server_command(local.QWEN_CODER_05B, gguf, 1, -1.0, activity_file)
    assert serve.parser().parse_known_args(never[3:])[0].keep_alive == -1.0
