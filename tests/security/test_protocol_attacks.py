"""Attacks on the verdict: forged reports, late actions, floods and pickles.

Why: the host alone decides pass/fail from an in-order JSON protocol, never
unpickles what comes back, and ends the worker with ``os._exit`` right after
"done". Known limitation, not tested: code in the worker can write a perfectly
ordered fake report to the result pipe (it shares the worker's memory and
descriptors); only the OS layers bound what such code can do meanwhile.
"""

from __future__ import annotations

import time
from pathlib import Path

from attack_kit import Record, attack, wait_no_leftovers

from jupyter_forge.core.spec import Sample
from jupyter_forge.sandbox import validate

FAKE = '{"event": "sample", "index": 0, "status": "ok", "value_repr": "42"}\n{"event": "done"}\n'


def test_forged_verdict_on_stdout_and_stderr(record: Record) -> None:
    record("forged verdict on stdout/stderr", "dedicated result pipe, host judges")
    code = (
        "import os, sys\n"
        f"FAKE = {FAKE!r}\n\n"
        "def answer():\n"
        "    print(FAKE)\n    sys.__stdout__.write(FAKE)\n    sys.__stdout__.flush()\n"
        "    os.write(1, FAKE.encode())\n    os.write(2, FAKE.encode())\n"
        "    return 41\n"
    )
    report = validate(code, "answer", [Sample("answer()", "example", expected="42\n")])
    assert not report.passed


def test_forged_early_done_on_result_fd(record: Record) -> None:
    record("forged early 'done' on the result fd", "host protocol check")
    code = (
        "import os, sys\n\ndef answer():\n"
        '    os.write(int(sys.argv[1]), b\'{"event": "done"}\\n\')\n    return 42\n'
    )
    samples = [
        Sample("answer()", "example", expected="42\n"),
        Sample("2", "example", expected="2\n"),
    ]
    report = validate(code, "answer", samples)
    assert not report.passed
    assert "malformed report" in (report.results[0].error or "")


def test_forged_in_sequence_report_is_a_known_limitation(record: Record) -> None:
    """Documents, not endorses: an exactly in-sequence forged line is accepted.

    The candidate runs in the worker's process, so it can find the pipe and
    write what the worker would. The run as a whole still fails here because
    the forger cannot also pass samples it does not know about.
    """
    record("forged in-sequence report on the result fd", "none (in-process)", "KNOWN LIMITATION")
    code = (
        "import os, sys\n\ndef answer():\n"
        f"    os.write(int(sys.argv[1]), {FAKE.encode()!r})\n    return 41\n"
    )
    samples = [
        Sample("answer()", "example", expected="42\n"),
        Sample("1", "example", expected="1\n"),
    ]
    report = validate(code, "answer", samples)
    assert report.results[0].passed  # the forgery worked for the sample it knew
    assert not report.passed  # ...but the out-of-sequence "done" sank the run


def test_atexit_acts_after_result(record: Record, tmp_path: Path) -> None:
    record("atexit handler acting after the result", "worker os._exit, host kill")
    code = (
        "import atexit, os, sys, time\n\n"
        "def late():\n"
        f"    os.write(int(sys.argv[1]), {FAKE.encode()!r})\n"
        "    time.sleep(30)\n\n"
        "atexit.register(late)\n\n"
        "def answer():\n    return 41\n"
    )
    start = time.monotonic()
    report = validate(code, "answer", [Sample("answer()", "example", expected="42\n")])
    assert time.monotonic() - start < 5
    assert not report.passed and report.results[0].got == "41"
    assert wait_no_leftovers() == []


def test_del_acts_after_result(record: Record) -> None:
    record("__del__ finalizer acting after the result", "worker os._exit, host kill")
    code = (
        "import os, sys, time\n\n"
        "class Late:\n    def __del__(self):\n"
        f"        os.write(int(sys.argv[1]), {FAKE.encode()!r})\n        time.sleep(30)\n\n"
        "KEEP = Late()\n\ndef answer():\n    return 41\n"
    )
    start = time.monotonic()
    report = validate(code, "answer", [Sample("answer()", "example", expected="42\n")])
    assert time.monotonic() - start < 5
    assert not report.passed and report.results[0].got == "41"


def test_output_flood(record: Record) -> None:
    record("huge output flood", "output cap, RLIMIT_FSIZE")
    code = (
        "import os, sys\n\ndef run():\n"
        "    for _ in range(200):\n        print('x' * 1_000_000)\n"
        "    os.write(1, b'y' * 50_000_000)\n"
        "    os.write(2, b'z' * 50_000_000)\n    return 'done'\n"
    )
    start = time.monotonic()
    report = attack(code, "run", "run()", "1")
    assert time.monotonic() - start < 15
    assert len(report.results[0].got or "") < 100_000


def test_pickle_payload_returned(record: Record, tmp_path: Path) -> None:
    record("malicious __reduce__ in the result", "JSON-only results")
    marker = tmp_path / "unpickled"
    code = (
        "class Payload:\n"
        "    def __reduce__(self):\n"
        f"        return (open, ({str(marker)!r}, 'w'))\n"
        "    def __repr__(self):\n        return 'Payload()'\n\n"
        "def run():\n    return Payload()\n"
    )
    report = attack(code, "run", "run()")
    assert report.results[0].got == "Payload()"
    assert isinstance(report.results[0].got, str)
    assert not marker.exists()


def test_segfault(record: Record) -> None:
    record("segfault via ctypes", "separate process")
    code = "import ctypes\n\ndef run():\n    return ctypes.string_at(0)\n"
    report = attack(code, "run", "run()", "1")
    assert (report.results[0].error or "").startswith("the sandbox process died (signal SIGSEGV")
    assert wait_no_leftovers() == []
