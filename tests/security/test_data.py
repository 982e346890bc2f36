"""Attacks on host data: files outside scratch, secrets, the network, the kernel, resources.

Why: a candidate that reads a connection file or an API key can drive the
user's kernel or spend their money; one that writes ``authorized_keys`` owns
the machine. Each test plants the target itself and checks it is untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from attack_kit import Record, attack, everything, first_active

from jupyter_forge.sandbox import Limits
from jupyter_forge.sandbox.layers import LANDLOCK, NET_NS, SECCOMP

SECRET = "forge-secret-4b1d9e"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP listener on loopback that must never see a connection."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(0.5)
    yield server
    server.close()


def assert_no_connection(server: socket.socket) -> None:
    with pytest.raises(TimeoutError):
        conn, _ = server.accept()
        conn.close()


def test_socket_connect_to_loopback(record: Record, listener: socket.socket) -> None:
    record("socket connect to a loopback listener", first_active(SECCOMP, NET_NS, LANDLOCK))
    port = listener.getsockname()[1]
    code = (
        "import socket\n\ndef run(port):\n"
        "    s = socket.create_connection(('127.0.0.1', port), timeout=1)\n"
        "    s.sendall(b'hello')\n    return 'connected'\n"
    )
    report = attack(code, "run", f"run({port})")
    assert report.results[0].error is not None
    assert_no_connection(listener)


def test_write_authorized_keys(record: Record, tmp_path: Path) -> None:
    record("write a fake ~/.ssh/authorized_keys", first_active(LANDLOCK))
    keys = tmp_path / "home" / ".ssh" / "authorized_keys"
    keys.parent.mkdir(parents=True)
    keys.write_text("ssh-ed25519 AAAA legit\n")
    code = f"def run():\n    open({str(keys)!r}, 'a').write('ssh-rsa EVIL\\n')\n"
    report = attack(code, "run", "run()")
    assert (report.results[0].error or "").startswith("PermissionError")
    assert keys.read_text() == "ssh-ed25519 AAAA legit\n"


def test_read_secret_file(record: Record, tmp_path: Path) -> None:
    record("read a secret file outside the allowlist", first_active(LANDLOCK))
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    code = f"def run():\n    return open({str(secret)!r}).read()\n"
    report = attack(code, "run", "run()", f"print(open({str(secret)!r}).read())")
    assert not report.passed
    assert SECRET not in everything(report)


def test_read_secret_through_symlink(record: Record, tmp_path: Path) -> None:
    record("symlink from scratch to a secret", first_active(LANDLOCK))
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    code = (
        "import os\n\ndef run():\n"
        f"    os.symlink({str(secret)!r}, 'link')\n    return open('link').read()\n"
    )
    report = attack(code, "run", "run()")
    assert SECRET not in everything(report)


def test_read_env_api_keys(record: Record, monkeypatch: pytest.MonkeyPatch) -> None:
    record("read API keys from the environment", "empty environment")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    code = "import os\n\ndef run():\n    return dict(os.environ)\n"
    report = attack(code, "run", "run()")
    assert SECRET not in everything(report)


def test_read_other_process_environ(record: Record, sentinel: subprocess.Popen[bytes]) -> None:
    record("read /proc/<host pid>/environ", first_active(LANDLOCK))
    code = f"def run():\n    return open('/proc/{sentinel.pid}/environ', 'rb').read()\n"
    report = attack(code, "run", "run()")
    assert "sentinel-secret-7781" not in everything(report)


def test_kernel_connection_file(record: Record, tmp_path: Path, listener: socket.socket) -> None:
    record("read the kernel connection file, connect", first_active(LANDLOCK))
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    port = listener.getsockname()[1]
    conn_file = runtime / "kernel-1234.json"
    conn_file.write_text(json.dumps({"shell_port": port, "ip": "127.0.0.1", "key": SECRET}))
    code = (
        "import json, socket\n\ndef run():\n"
        f"    info = json.load(open({str(conn_file)!r}))\n"
        "    socket.create_connection((info['ip'], info['shell_port']), timeout=1)\n"
        "    return info\n"
    )
    report = attack(code, "run", "run()")
    assert SECRET not in everything(report)
    assert_no_connection(listener)


@pytest.mark.parametrize(
    ("act", "call"),
    [
        ("make a host file world-writable (chmod)", "os.chmod({path!r}, 0o777)"),
        ("backdate a host file (utime)", "os.utime({path!r}, (0, 0))"),
        ("tag a host file (setxattr)", "os.setxattr({path!r}, 'user.forge', b'x')"),
    ],
)
def test_change_file_metadata_outside_scratch(
    record: Record, tmp_path: Path, act: str, call: str
) -> None:
    """Landlock governs writes, not metadata; the worker owns host files when run as root."""
    record(act, first_active(SECCOMP))
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    target.chmod(0o644)
    before = target.stat()
    report = attack(
        f"import os\n\ndef run():\n    {call.format(path=str(target))}\n", "run", "run()"
    )
    assert (report.results[0].error or "").startswith("PermissionError"), report.summary()
    after = target.stat()
    assert (after.st_mode, after.st_mtime_ns) == (before.st_mode, before.st_mtime_ns)
    assert os.listxattr(target) == []


def test_modify_tool_library(record: Record, tmp_path: Path) -> None:
    record("modify files in the tool library", first_active(LANDLOCK))
    library = tmp_path / "library"
    library.mkdir()
    tool = library / "clean_prices.ipynb"
    tool.write_text('{"cells": []}')
    before = hashlib.sha256(tool.read_bytes()).hexdigest()
    code = (
        "import os\n\ndef run():\n"
        f"    open({str(tool)!r}, 'w').write('evil')\n"
        f"    os.remove({str(tool)!r})\n"
    )
    report = attack(code, "run", "run()", f"open({str(library / 'new.ipynb')!r}, 'w')")
    assert all(r.error for r in report.results)
    assert hashlib.sha256(tool.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in library.iterdir()) == ["clean_prices.ipynb"]


def test_memory_balloon(record: Record) -> None:
    record("memory balloon (4 GiB)", "RLIMIT_AS")
    code = "def run():\n    return len(bytearray(4 << 30))\n"
    report = attack(code, "run", "run()", limits=Limits(timeout=5.0, memory_mb=512))
    assert (report.results[0].error or "").startswith(("MemoryError", "the sandbox process died"))


def test_ten_gigabyte_file(record: Record) -> None:
    record("10 GB file write", "RLIMIT_FSIZE")
    code = (
        "def run():\n    with open('big', 'wb') as f:\n"
        "        f.seek(10 * 1024 ** 3)\n        f.write(b'x')\n"
    )
    report = attack(code, "run", "run()")
    assert (report.results[0].error or "").startswith("OSError: [Errno 27]")  # EFBIG


def test_raise_rlimits(record: Record) -> None:
    record("raise rlimits above the hard limit", first_active(SECCOMP, "kernel (hard limit)"))
    code = (
        "import resource\n\ndef run():\n"
        "    inf = resource.RLIM_INFINITY\n"
        "    resource.setrlimit(resource.RLIMIT_AS, (inf, inf))\n"
        "    return resource.getrlimit(resource.RLIMIT_AS)\n"
    )
    report = attack(code, "run", "run()")
    assert report.results[0].error is not None
