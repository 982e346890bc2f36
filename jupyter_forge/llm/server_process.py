"""One local model server process: its runtime files and lock, its health, its launch and end.

A server is a separate ``python -m jupyter_forge.llm.serve`` process (llama.cpp's
app behind our idle stop), recorded in a per-model state file of the runtime dir
and guarded by a per-model flock, so every kernel and CLI run of the user finds
and shares the same one. Nothing here decides *whether* to start or stop one;
:mod:`.local` does. Stdlib only: this module must stay cheap to import.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

from ..core.errors import ModelError
from .local_models import LocalModelSpec
from .paths import ensure_private_dir, runtime_dir
from .serve import PASSIVE_HEADER  # stdlib-only at import, like this module

N_CTX = 4096
PROMPT_CACHE_FAMILIES = 3  # see prompt_cache: code, checks, one spare
HEALTH_TIMEOUT = 2.0
STOP_GRACE = 10.0
SERVER_MODULE = "jupyter_forge.llm.serve"
# What the server process imports; without them no server can start.
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "pydantic_settings")

Progress = Callable[[str], None]
Verdict = Literal["ready", "busy", "down", "dead"]


@dataclass
class ServerInfo:
    """What a running server's state file records; enough for litellm to reach it."""

    pid: int
    port: int
    model_key: str
    model_path: str
    api_base: str
    started: float
    log_path: str

    @property
    def litellm_model(self) -> str:
        return f"openai/{self.model_key}"


# Settings llama_cpp.server reads from un-prefixed environment variables (pydantic-settings):
# a user's `PORT`, `CACHE` or `HF_MODEL_REPO_ID` must not silently reconfigure our server.
_SERVER_SETTINGS = (
    "config_file api_key cache cache_size cache_type chat_format chat_template_kwargs "
    "clip_model_path disable_ping_events draft_model draft_model_num_pred_tokens embedding "
    "flash_attn hf_model_repo_id hf_pretrained_model_name_or_path hf_tokenizer_config_path "
    "host interrupt_requests kv_overrides last_n_tokens_size logits_all lora_base lora_path "
    "main_gpu model model_alias mul_mat_q n_batch n_ctx n_gpu_layers n_threads "
    "n_threads_batch n_ubatch numa offload_kqv port root_path rope_freq_base rope_freq_scale "
    "rope_scaling_type rpc_servers seed split_mode ssl_certfile ssl_keyfile tensor_split "
    "type_k type_v use_mlock use_mmap verbose vocab_only yarn_attn_factor yarn_beta_fast "
    "yarn_beta_slow yarn_ext_factor yarn_orig_ctx"
)
_SERVER_SETTING_ENV = frozenset(_SERVER_SETTINGS.split())
_SECRET_MARKERS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL")
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}  # servers we started: poll() reaps them
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never proxy


def runtime_file(spec: LocalModelSpec, suffix: str) -> Path:
    return ensure_private_dir(runtime_dir()) / f"server-{spec.key}{suffix}"


def server_installed() -> bool:
    """Whether everything the server process imports is installed (the `local` extra)."""
    return not any(importlib.util.find_spec(m) is None for m in SERVER_MODULES)


def rss_bytes(pid: int) -> int | None:
    """Resident memory of `pid` (Linux /proc; None elsewhere or when it is gone)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None


def read_state(spec: LocalModelSpec) -> ServerInfo | None:
    """The recorded server for `spec`, if any; an unreadable record is dropped."""
    path = runtime_file(spec, ".json")
    try:
        data = json.loads(path.read_text())
        return ServerInfo(**{f.name: data[f.name] for f in fields(ServerInfo)})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return None


@contextlib.contextmanager
def locked(spec: LocalModelSpec, say: Progress, *, wait: bool = True) -> Iterator[bool]:
    """Exclusive per-model flock: two kernels (or threads) never start two servers."""
    with open(runtime_file(spec, ".lock"), "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            say("waiting for another process that is starting the local model server…")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def pid_alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):  # a zombie is dead for our purposes
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def is_our_server(info: ServerInfo) -> bool:
    """Guard against pid reuse before trusting or signalling a recorded pid."""
    try:
        args = Path(f"/proc/{info.pid}/cmdline").read_bytes().split(b"\0")
    except OSError:  # gone, or no /proc (macOS): fall back to "is the pid alive"
        return not os.path.isdir("/proc") and pid_alive(info.pid)
    ours = SERVER_MODULE.encode() in args or b"llama_cpp.server" in args  # (older versions)
    return ours and str(info.port).encode() in args


def takes_release(pid: int) -> bool:
    """Whether `pid` runs our entry module, which SIGUSR1 releases; a plain llama_cpp.server
    (an older version) would die of it. True where /proc cannot tell."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True
    return SERVER_MODULE.encode() in args


def health(api_base: str, alias: str, timeout: float, *, passive: bool = False) -> Verdict:
    """GET /v1/models: "ready" if it serves `alias`, "busy" if it accepted but did not answer.

    llama_cpp.server answers /v1/models only between generations, so a timeout
    on an open connection means "generating for someone", not "dead". A
    `passive` probe (status) does not count as use, so it does not keep an idle
    server alive; a server that is stopping answers 503, which reads as "down".
    """
    request = urllib.request.Request(f"{api_base}/models")
    if passive:
        request.add_header(PASSIVE_HEADER, "1")
    try:
        with _NO_PROXY.open(request, timeout=timeout) as resp:
            data = json.load(resp)
    except TimeoutError:
        return "busy"
    except urllib.error.URLError as exc:
        return "busy" if isinstance(exc.reason, TimeoutError) else "down"
    except (OSError, ValueError):
        return "down"
    ids = {m.get("id") for m in data.get("data", [])} if isinstance(data, dict) else set()
    return "ready" if alias in ids else "down"


def probe(info: ServerInfo, spec: LocalModelSpec, *, passive: bool = False) -> Verdict:
    if not pid_alive(info.pid) or not is_our_server(info):
        return "dead"
    return health(info.api_base, spec.alias, HEALTH_TIMEOUT, passive=passive)


def reap() -> None:
    """Collect servers we started that exited on their own (idle): no zombies linger."""
    for pid, child in list(_CHILDREN.items()):
        if child.poll() is not None:
            _CHILDREN.pop(pid, None)


def terminate(pid: int) -> bool:
    """SIGTERM, up to STOP_GRACE seconds to exit, then SIGKILL. True if it was running."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.1)
    if pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and pid_alive(pid):
            time.sleep(0.05)
    _CHILDREN.pop(pid, None)
    return True


def _server_env() -> dict[str, str]:
    """The caller's environment minus secrets (they would end up in the server log) and minus
    variables llama_cpp.server would read as its own settings; our package first on the path,
    so the server runs the same jupyter_forge as the process that starts it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not any(m in k.upper() for m in _SECRET_MARKERS) and k.lower() not in _SERVER_SETTING_ENV
    }
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def server_command(
    spec: LocalModelSpec, gguf: Path, port: int, keep_alive: float, activity_file: Path
) -> list[str]:
    """Our entry module around llama_cpp.server: the same app, plus the idle stop."""
    return [
        sys.executable, "-m", SERVER_MODULE, "--host", "127.0.0.1", "--port", str(port),
        "--keep-alive", repr(keep_alive), "--activity-file", str(activity_file),
        "--model", str(gguf), "--n_ctx", str(N_CTX), "--model_alias", spec.alias,
        "--n_threads", str(cpu_threads()),
        # Otherwise any request (even another kernel's health check) aborts a stream.
        "--interrupt_requests", "False",
        # llama_cpp.server keeps every token's logits by default (for logprobs, which no
        # forge asks for): ~20 % of each prompt's and answer's time on 2 cores.
        "--logits_all", "False",
        # Code and checks-from-the-words calls alternate; each keeps its evaluated prompt.
        "--prompt-cache", str(PROMPT_CACHE_FAMILIES),
    ]  # fmt: skip


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(path: Path, lines: int = 5) -> list[str]:
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, fh.seek(0, os.SEEK_END) - 16384))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return []
    return [line.rstrip() for line in text.splitlines() if line.strip()][-lines:]


def cpu_threads() -> int:
    """CPUs this process may actually use (container cpusets), for llama.cpp's n_threads."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def launch(
    spec: LocalModelSpec, gguf: Path, say: Progress, timeout: float, keep_alive: float
) -> ServerInfo:
    """Start a server for `gguf` on a free loopback port and wait until it serves `spec`."""
    log_path = runtime_file(spec, ".log")
    activity_file = runtime_file(spec, ".activity.json")
    for _attempt in range(3):  # a fresh port can be taken between probe and bind
        port = _free_port()
        activity_file.unlink(missing_ok=True)
        cmd = server_command(spec, gguf, port, keep_alive, activity_file)
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=log_path.parent, env=_server_env(), start_new_session=True,
            )  # fmt: skip
        _CHILDREN[proc.pid] = proc
        say(f"starting local model server (pid {proc.pid}, port {port})…")
        api_base = f"http://127.0.0.1:{port}/v1"
        t0 = time.monotonic()
        try:
            code = _wait_ready(proc, spec, api_base, say, timeout, t0, log_path)
        except BaseException:  # interrupted or timed out: a half-started server must not linger
            terminate(proc.pid)
            raise
        if code is None:
            return ServerInfo(
                pid=proc.pid, port=port, model_key=spec.key, model_path=str(gguf),
                api_base=api_base, started=time.time(), log_path=str(log_path),
            )  # fmt: skip
        _CHILDREN.pop(proc.pid, None)
        tail = _log_tail(log_path)
        if not any("address already in use" in line.lower() for line in tail):
            raise ModelError(
                f"the local model server exited with code {code} before it was ready; "
                f"last lines of {log_path}:\n" + "\n".join(f"    {line}" for line in tail)
            )
    raise ModelError(f"the local model server found no free loopback port (see {log_path})")


def _wait_ready(
    proc: subprocess.Popen[bytes],
    spec: LocalModelSpec,
    api_base: str,
    say: Progress,
    timeout: float,
    t0: float,
    log_path: Path,
) -> int | None:
    """None once the server answers; its exit code if it died first."""
    while (code := proc.poll()) is None:
        if health(api_base, spec.alias, 1.0) == "ready":
            say(f"local model server ready in {time.monotonic() - t0:.1f} s at {api_base}")
            return None
        if time.monotonic() - t0 > timeout:
            raise ModelError(
                f"the local model server did not become ready within {timeout:.0f} s "
                f"(see {log_path}); try again or raise start_timeout"
            )
        time.sleep(0.2)
    return code
