"""Attacks that try to start processes, outlive the run, or reach other processes.

Why: a candidate that can exec can do anything its uid can; one that survives
the run (or kills host processes) harms the host after the verdict. Each test
asserts the attack failed *and* the host is unharmed.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from attack_kit import Record, attack, first_active, wait_no_leftovers

from jupyter_forge.sandbox.layers import NO_CAPS, NON_ROOT, PID_NS, SECCOMP
from jupyter_forge.sandbox.namespaces import in_user_namespace


def marker_path(tmp_path: Path) -> str:
    return str(tmp_path / "pwned")


def assert_no_marker(path: str, wait: float = 0.0) -> None:
    time.sleep(wait)
    assert not os.path.exists(path), "the attack ran a command on the host"


def test_fork_bomb(record: Record) -> None:
    record("fork bomb", first_active(SECCOMP, "RLIMIT_NPROC"))
    bomb = "import os\n\ndef bomb():\n    while True:\n        os.fork()\n"
    report = attack(bomb, "bomb", "bomb()")
    assert not report.passed
    assert (report.results[0].error or "").startswith(("PermissionError", "BlockingIOError"))
    assert wait_no_leftovers() == []


def test_os_system(record: Record, tmp_path: Path) -> None:
    record("os.system", first_active(SECCOMP))
    marker = marker_path(tmp_path)
    code = f"import os\n\ndef run():\n    return os.system('touch {marker}')\n"
    report = attack(code, "run", "run()")
    assert report.results[0].got != "0"  # 127 << 8: the shell never started
    assert_no_marker(marker)


def test_subprocess_run(record: Record, tmp_path: Path) -> None:
    record("subprocess.run", first_active(SECCOMP))
    marker = marker_path(tmp_path)
    code = f"import subprocess\n\ndef run():\n    subprocess.run(['touch', {marker!r}])\n"
    report = attack(code, "run", "run()")
    assert (report.results[0].error or "").startswith("PermissionError")
    assert_no_marker(marker)


def test_ctypes_libc_system(record: Record, tmp_path: Path) -> None:
    record("ctypes libc system()", first_active(SECCOMP))
    marker = marker_path(tmp_path)
    code = f"import ctypes\n\ndef run():\n    return ctypes.CDLL(None).system(b'touch {marker}')\n"
    report = attack(code, "run", "run()")
    assert report.results[0].got != "0"
    assert_no_marker(marker)


def test_subclasses_to_popen(record: Record, tmp_path: Path) -> None:
    record("__subclasses__() -> Popen", first_active(SECCOMP))
    marker = marker_path(tmp_path)
    code = (
        "import subprocess  # noqa: make sure Popen is loaded, as in a real kernel\n\n"
        "def run():\n"
        "    popen = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen'][0]\n"
        f"    return popen(['touch', {marker!r}]).wait()\n"
    )
    report = attack(code, "run", "run()")
    assert (report.results[0].error or "").startswith("PermissionError")
    assert_no_marker(marker)


def test_importlib_string_trick(record: Record, tmp_path: Path) -> None:
    record("importlib.import_module('subpro'+'cess')", first_active(SECCOMP))
    marker = marker_path(tmp_path)
    code = (
        "import importlib\n\ndef run():\n"
        "    sp = importlib.import_module('subpro' + 'cess')\n"
        f"    return sp.call(['touch', {marker!r}])\n"
    )
    report = attack(code, "run", "run()")
    assert (report.results[0].error or "").startswith("PermissionError")
    assert_no_marker(marker)


def test_posixsubprocess_fork_exec(record: Record, tmp_path: Path) -> None:
    record("_posixsubprocess.fork_exec", first_active(SECCOMP))
    marker = marker_path(tmp_path)
    code = (
        "import _posixsubprocess, os\n\ndef run():\n"
        "    r, w = os.pipe()\n"
        f"    return _posixsubprocess.fork_exec([b'/bin/touch', {marker.encode()!r}], [b'/bin/touch'],"
        " True, (w,), None, None, -1, -1, -1, -1, -1, -1, r, w, True, False, -1, None, None,"
        " None, -1, None, False)\n"
    )
    report = attack(code, "run", "run()")
    assert report.results[0].error is not None
    assert_no_marker(marker)


def test_ptrace_attach_to_host(record: Record) -> None:
    record("ptrace(ATTACH) the host", first_active(SECCOMP))
    code = (
        "import ctypes\n\ndef run(pid):\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    return libc.ptrace(16, pid, 0, 0), ctypes.get_errno()\n"
    )
    report = attack(code, "run", f"run({os.getpid()})")
    assert report.results[0].got == "(-1, 1)"  # EPERM


def test_unshare_user_namespace(record: Record) -> None:
    record("unshare(CLONE_NEWUSER) to regain root", first_active(SECCOMP))
    code = (
        "import ctypes\n\ndef run():\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    return libc.unshare(0x10000000), ctypes.get_errno()\n"
    )
    report = attack(code, "run", "run()")
    assert report.results[0].got == "(-1, 1)"


def test_kill_everything(record: Record, sentinel: subprocess.Popen[bytes]) -> None:
    record("os.kill(-1, 9)", first_active(PID_NS))
    code = "import os\n\ndef run():\n    os.kill(-1, 9)\n    return 'sent'\n"
    report = attack(code, "run", "run()")
    assert report.results[0].error is not None or report.results[0].got == "'sent'"
    time.sleep(0.2)
    assert sentinel.poll() is None, "the sentinel host process was killed"
    os.kill(os.getpid(), 0)


def test_kill_host_pid(record: Record, sentinel: subprocess.Popen[bytes]) -> None:
    record("os.kill(host pid, 9)", first_active(PID_NS))
    code = "import os\n\ndef run(pid):\n    os.kill(pid, 9)\n"
    report = attack(code, "run", f"run({sentinel.pid})")
    assert report.results[0].error is not None
    assert sentinel.poll() is None


def test_setsid_fork_outlives_timeout(record: Record, tmp_path: Path) -> None:
    record("setsid + fork to outlive the timeout", first_active(SECCOMP, PID_NS))
    marker = marker_path(tmp_path)
    code = (
        "import os, time\n\ndef run():\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        time.sleep(3)\n"
        f"        open({marker!r}, 'w').write('alive')\n"
        "        os._exit(0)\n"
        "    while True:\n        pass\n"
    )
    report = attack(code, "run", "run()")
    assert not report.passed
    assert wait_no_leftovers() == []
    assert_no_marker(marker, wait=3.5)


def test_loop_ignoring_sigterm_and_sigalrm(record: Record) -> None:
    record("infinite loop ignoring SIGTERM/SIGALRM", "host SIGKILL (wall clock)")
    code = (
        "import signal\n\ndef run():\n"
        "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "    signal.signal(signal.SIGXCPU, signal.SIG_IGN)\n"
        "    while True:\n        pass\n"
    )
    start = time.monotonic()
    report = attack(code, "run", "run()")
    assert time.monotonic() - start < 5
    assert report.results[0].error == "timed out (the sandbox killed it)"
    assert wait_no_leftovers() == []


def test_threads_keep_running(record: Record) -> None:
    record("threads that keep running after the sample", "worker exits, host kills group")
    code = (
        "import threading, time\n\ndef spin():\n    while True:\n        time.sleep(0.01)\n\n"
        "def run():\n"
        "    for _ in range(4):\n        threading.Thread(target=spin).start()\n"
        "    return 'started'\n"
    )
    report = attack(code, "run", "run()")
    assert report.results[0].got == "'started'"
    assert wait_no_leftovers() == []


def test_raw_port_io(record: Record) -> None:
    record("iopl(3) raw port I/O as root", first_active(SECCOMP, NO_CAPS))
    code = (
        "import ctypes\n\ndef run():\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    return libc.iopl(3), ctypes.get_errno()\n"
    )
    report = attack(code, "run", "run()")
    assert report.results[0].got == "(-1, 1)"


def test_chown_scratch_file_to_host_user(record: Record) -> None:
    """As root: EPERM (no capabilities). In a user namespace (a non-root host) uid 12345
    does not even exist (only the host user is mapped, as 0): EINVAL."""
    userns = in_user_namespace()
    layer = "user namespace (one uid mapped)" if userns else first_active(NO_CAPS, NON_ROOT)
    record("use root capabilities (chown, setuid)", layer)
    code = "import os\n\ndef run():\n    open('f', 'w').close()\n    os.chown('f', 12345, 12345)\n"
    report = attack(code, "run", "run()", "import os\nos.setuid(12345)")
    refused = (
        ("PermissionError", "OSError: [Errno 22] Invalid argument")
        if userns
        else ("PermissionError",)
    )
    assert all((r.error or "").startswith(refused) for r in report.results)
