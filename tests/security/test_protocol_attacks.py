"""Attacks on the verdict: forged reports, late actions, floods and pickles.

Why: the host alone decides pass/fail from an in-order JSON protocol, never
unpickles what comes back, and ends the worker with ``os._exit`` right after
"done". Known limitation, tested and argued in
``test_forged_in_sequence_report_is_a_known_limitation``: code in the worker can
write a perfectly ordered false report for its own samples, which gains it
nothing over hard-coding their answers.
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
    """An in-sequence forged report is accepted, and that is equivalent to hard-coding.

    Documents, not endorses. The candidate runs in the worker's process, so it
    can find the pipe and write what the worker would (here: a false "42" for
    the sample it is running). Why the sandbox cannot close this, and need not:

    1. A sample's outcome is already the candidate's choice without any forging.
       A sample calls the candidate; ``got`` is what it printed plus the
       ``repr`` of what it returned, and ``repr`` runs the returned object's
       ``__repr__``, which the candidate defines. So for an example sample it
       picks ``got`` freely; for a code sample it picks whether the statement
       raises (return an object whose ``__eq__`` is always true, or patch from
       module level the builtins the statement uses).
    2. So the only thing a candidate cannot pick is whether its ``got``
       matches the expected output, and expected outputs never enter the worker
       (the host judges; see ``test_expected_outputs_never_reach_the_worker``).
       A forger knows exactly what a hard-coder knows: the samples' text, which
       the model saw in its prompt anyway. Both get the same verdicts
       (``test_forging_gains_nothing_over_hard_coding``).
    3. No harness design changes 1. Running each sample in a forked child
       with seccomp, with the framing key held only by a parent, still has the
       candidate's code run in the process that calls it and takes the repr of
       its result: the report on that call is the candidate's word, whoever
       frames it. Such a design would only stop one sample from affecting
       another, which module-level code (run before any sample) already can.

    What the host does guarantee is tested in this file: JSON only, in order,
    nothing unpickled or executed on the host, no report for a sample not yet
    reached, no early "done". The defence against a hard-coding (or forging)
    candidate is the person who reads the code before approving it, and
    samples the model did not see; the sandbox bounds what the code can *do*.
    """
    record("forged in-sequence report on the result fd", "none (= hard-coding)", "KNOWN LIMITATION")
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


# Replaces the worker's per-sample harness (a global of its ``__main__``): every report "ok", "42".
HARNESS_FORGER = """import sys

_main = sys.modules["__main__"]

def _fake(index, source, namespace, out):
    return {"event": "sample", "index": index, "status": "ok", "value_repr": "42",
            "stdout": "", "seconds": 0.0}

_main.run_sample = _fake

def answer():
    return 41
"""
HARD_CODER = """class _Answer:
    def __repr__(self):
        return "42"

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__

def answer():
    return _Answer()
"""


def test_forging_gains_nothing_over_hard_coding(record: Record) -> None:
    """A forger that takes over the whole harness gets exactly the hard-coder's verdicts."""
    record(
        "forged reports via a patched worker harness", "none (= hard-coding)", "KNOWN LIMITATION"
    )
    samples = [
        Sample("answer()", "example", expected="42\n"),  # the answer both "know"
        Sample("answer() * 2", "example", expected="84\n"),  # neither computes it
        Sample("assert answer() == 42", "code"),  # a statement: both make it not raise
    ]
    forged = validate(HARNESS_FORGER, "answer", samples)
    hard_coded = validate(HARD_CODER, "answer", samples)
    verdicts = [r.passed for r in forged.results]
    assert verdicts == [r.passed for r in hard_coded.results] == [True, False, True]
    assert forged.results[0].got == hard_coded.results[0].got == "42"
    assert not forged.passed and not hard_coded.passed


SCANNER = """import gc, sys, types

def _strings(obj, depth=0):
    if isinstance(obj, (str, bytes)):
        yield obj if isinstance(obj, str) else obj.decode("latin-1")
    elif depth < 4 and isinstance(obj, dict):
        for key, value in list(obj.items()):
            yield from _strings(key, depth + 1)
            yield from _strings(value, depth + 1)
    elif depth < 4 and isinstance(obj, (list, tuple, set, frozenset)):
        for item in list(obj):
            yield from _strings(item, depth + 1)
    elif isinstance(obj, types.CodeType):
        for item in obj.co_consts:
            yield from _strings(item, depth + 1)

def find(token):
    pools = list(gc.get_objects())
    frame = sys._getframe()
    while frame is not None:
        pools += [frame.f_locals, frame.f_globals, frame.f_code]
        frame = frame.f_back
    return any(text is not token and token in text for obj in pools for text in _strings(obj))

def answer():
    # Built at run time: a folded constant would plant the token in this very code.
    return (find("-".join(["SRC", "token", "81"])), find("-".join(["EXP", "token", "93"])))
"""


def test_expected_outputs_never_reach_the_worker(record: Record) -> None:
    """The worker gets sample *sources* only; the expected outputs stay on the host.

    This is what keeps a forger (or any candidate) from knowing more than the
    samples' text. Positive control: the same scan finds a token of the sample's
    source, so a scan that finds nothing is not just blind.
    """
    record("search the worker's memory for expected outputs", "host-side judging")
    sample = Sample("answer() if 'SRC-token-81' else None", "example", expected="'EXP-token-93'\n")
    report = validate(SCANNER, "answer", [sample])
    assert report.results[0].got == "(True, False)", report.results[0].error
    assert not report.passed


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
