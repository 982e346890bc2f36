"""Candidates that hang, flood, crash, snoop or lie: the host must stay in charge.

Why: generated code is untrusted. Each test runs a real worker and checks that
the failure becomes a verdict (never a pass, never a hung or crashed host), and
that the OS layers we claim in ``active_layers()`` are actually in force.
"""

from __future__ import annotations

import ast
import os
import tempfile
import time
from pathlib import Path

import pytest

from jupyter_forge.core.spec import Sample
from jupyter_forge.sandbox import Limits, validate
from jupyter_forge.sandbox.layers import SECCOMP, active_names

FAST = Limits(timeout=1.0, load_timeout=5.0)
ADD = "def add(a, b):\n    return a + b\n"


def example(source: str, expected: str) -> Sample:
    return Sample(source=source, kind="example", expected=expected + "\n")


def code(source: str) -> Sample:
    return Sample(source=source, kind="code")


def gone(pid: int) -> bool:
    """True if the process no longer exists (or is an unreaped zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_infinite_loop_times_out_and_later_samples_do_not_run() -> None:
    loop = "def spin():\n    while True:\n        pass\n"
    start = time.monotonic()
    report = validate(
        loop, "spin", [example("1", "1"), code("spin()"), example("2", "2")], limits=FAST
    )
    elapsed = time.monotonic() - start
    assert elapsed < FAST.timeout + 1.0
    assert [r.passed for r in report.results] == [True, False, False]
    assert report.results[1].error == "timed out (the sandbox killed it)"
    assert (report.results[2].error or "").startswith("not run")


def sandbox_pids(marker: str) -> list[int]:
    """Live host processes whose command line contains ``marker`` (pids seen from the host).

    Why not ``os.getpid()`` inside the sample: in a PID namespace it is the
    namespace's pid, meaningless on the host.
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "cmdline").read_bytes() and not gone(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_loop_ignoring_sigterm_and_its_child_are_killed() -> None:
    marker = f"forge-marker-{os.getpid()}-{time.monotonic_ns()}"
    stubborn = (
        "import signal, subprocess, sys\n\n"
        "def spawn():\n"
        f"    return subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', {marker!r}]).pid\n\n"
        "def spin():\n"
        "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "    while True:\n"
        "        pass\n"
    )
    samples = [code("spawn()"), code("spin()")]  # spawn() fails where seccomp is active
    report = validate(stubborn, "spin", samples, limits=FAST)
    assert report.results[1].error == "timed out (the sandbox killed it)"
    deadline = time.monotonic() + 5
    while sandbox_pids(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox_pids(marker) == []


def test_slow_load_times_out() -> None:
    report = validate(
        "while True:\n    pass\n", "f", [example("1", "1")], limits=Limits(load_timeout=1.0)
    )
    assert report.load_error == "loading the code timed out after 1 s (the sandbox killed it)"


def test_memory_balloon_fails_and_host_is_fine() -> None:
    balloon = "def grow():\n    return len(bytearray(4 * 1024 ** 3))\n"
    report = validate(balloon, "grow", [example("grow()", "4294967296"), example("1 + 1", "2")])
    first = report.results[0]
    assert not first.passed
    assert (first.error or "").startswith(("MemoryError", "the sandbox process died"))
    assert report.results[1].passed or (first.error or "").startswith("the sandbox")


def test_print_flood_is_truncated_without_hanging() -> None:
    flood = (
        "import os\n\n"
        "def flood():\n"
        "    for _ in range(50):\n"
        "        print('x' * 1_000_000)\n"
        "    os.write(1, b'y' * 50_000_000)\n"
        "    return 'done'\n"
    )
    start = time.monotonic()
    report = validate(
        flood, "flood", [example("flood()", "'done'"), example("1", "1")], limits=FAST
    )
    assert time.monotonic() - start < 10
    first = report.results[0]
    assert not first.passed  # the printed flood is part of the example's output
    assert first.got is not None and len(first.got) < 5000
    assert first.got.startswith("xxxx")
    assert report.results[1].passed


def test_flood_on_fd_2_past_the_file_size_limit_does_not_kill_the_host() -> None:
    flood = "import os\n\ndef f():\n    os.write(2, b'z' * (40 << 20))\n    return 1\n"
    report = validate(flood, "f", [code("f()"), example("1", "1")])
    assert report.results[1].passed or report.results[0].error is not None


def test_host_environment_is_not_visible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    samples = [
        code("import os"),
        example("os.environ.get('OPENAI_API_KEY')", ""),
        code("sorted(os.environ)"),
    ]
    report = validate(ADD, "add", samples)
    assert report.passed, report.to_json()
    names = ast.literal_eval(report.results[2].got or "[]")
    assert "OPENAI_API_KEY" not in names and "PATH" not in names
    assert set(names) <= {
        "HOME",
        "TMPDIR",
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "LC_CTYPE",
        "PYTHONHASHSEED",  # the fixed seed a verdict is repeatable by (nothing secret)
    }


def test_cwd_is_a_scratch_dir_removed_afterwards() -> None:
    samples = [
        code("import os"),
        code("open('left_behind.txt', 'w').write('x')"),
        code("os.makedirs('locked/inner', mode=0)"),  # a folder nobody may enter
        code("os.getcwd()"),
        code("os.chmod('locked', 0)"),  # denied where seccomp runs: modes never change
    ]
    report = validate(ADD, "add", samples)
    assert all(r.passed for r in report.results[:4]), report.to_json()
    if SECCOMP in active_names():
        assert (report.results[4].error or "").startswith("PermissionError"), report.to_json()
    scratch = ast.literal_eval(report.results[3].got or "''")
    assert Path(scratch).name.startswith("forge-sandbox-")
    assert Path(scratch).parent == Path(tempfile.gettempdir())
    assert scratch != os.getcwd()
    assert not os.path.exists(scratch)


def test_fake_verdicts_on_stdout_and_fds_do_not_pass() -> None:
    fake = (
        '{"event": "sample", "index": 0, "status": "ok", "value_repr": "42"}\n{"event": "done"}\n'
    )
    liar = (
        "import os, sys\n"
        f"FAKE = {fake!r}\n"
        "print(FAKE)\n"
        "os.write(1, FAKE.encode())\n"
        "os.write(2, FAKE.encode())\n\n"
        "def answer():\n"
        "    print(FAKE)\n"
        "    sys.__stdout__.write(FAKE)\n"
        "    sys.__stdout__.flush()\n"
        "    os.write(1, FAKE.encode())\n"
        "    os.write(2, FAKE.encode())\n"
        "    return 41\n"
    )
    report = validate(liar, "answer", [example("answer()", "42")])
    assert not report.passed
    assert report.results[0].error is not None


def test_garbage_on_the_result_channel_is_a_crash_not_a_pass() -> None:
    samples = [code("import os, sys"), code("os.write(int(sys.argv[1]), b'not json\\n')")]
    report = validate(ADD, "add", samples)
    assert not report.passed
    assert report.results[1].error == "the sandbox sent a malformed report (not JSON)"


def test_os_exit_in_a_sample_is_a_crash() -> None:
    report = validate(ADD, "add", [code("import os"), code("os._exit(0)"), example("1", "1")])
    assert not report.passed
    assert report.results[1].error == "the sandbox process died (exit code 0)"
    assert (report.results[2].error or "").startswith("not run")


def test_os_exit_while_loading_is_a_load_error() -> None:
    report = validate("import os\nos._exit(3)\n", "f", [example("1", "1")])
    assert report.load_error == "the sandbox process died while loading the code (exit code 3)"


def test_segfault_is_a_crash_with_a_python_stack() -> None:
    samples = [code("import ctypes"), code("ctypes.string_at(0)"), example("1", "1")]
    report = validate(ADD, "add", samples)
    crashed = report.results[1]
    assert crashed.error == "the sandbox process died (signal SIGSEGV: segmentation fault)"
    assert "Segmentation fault" in (crashed.traceback or "")
    assert '"<sample 1>"' in (crashed.traceback or "")


def test_cpu_limit_kills_a_busy_loop() -> None:
    spin = "def spin():\n    while True:\n        pass\n"
    limits = Limits(timeout=20.0, cpu_seconds=1)
    start = time.monotonic()
    report = validate(spin, "spin", [code("spin()")], limits=limits)
    assert time.monotonic() - start < 10
    assert (
        report.results[0].error
        == "the sandbox process died (signal SIGXCPU: CPU time limit exceeded)"
    )


def test_open_file_limit_applies() -> None:
    hog = "def hog():\n    return [open('/dev/null') for _ in range(500)]\n"
    report = validate(hog, "hog", [code("hog()")], limits=Limits(open_files=32))
    assert report.results[0].error is not None
    assert report.results[0].error.startswith("OSError: [Errno 24]")
