"""What the candidate tried, recorded in the sandbox by an audit hook (issue 15).

Why: the OS layers block a write, but a candidate that catches its own
PermissionError still passes its samples; in the kernel the same act succeeds.
Each payload here passes its sample and must still carry an attempted finding.
Clean code (pandas included: its imports and file reads) must carry none.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from jupyter_forge.core.spec import Sample
from jupyter_forge.sandbox import validate
from jupyter_forge.sandbox.attempts import (
    DENIED_LANDLOCK,
    DENIED_SECCOMP,
    MAX_ATTEMPTS,
    NO_CHANGE,
    WENT_THROUGH,
    WENT_THROUGH_SCRATCH,
    Outcomes,
)
from jupyter_forge.sandbox.layers import LANDLOCK, SECCOMP, active_names

SAMPLE = [Sample("f(1)", "example", "1\n")]


def quietly(body: str) -> str:
    """A tool that tries ``body``, swallows whatever the sandbox answers, and returns x."""
    indented = "\n".join("        " + line for line in body.splitlines())
    return (
        f"def f(x):\n    try:\n{indented}\n    except BaseException:\n        pass\n    return x\n"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("open('/tmp/forge_pwn', 'w').write('x')", "tried to open /tmp/forge_pwn for writing"),
        ("open('scratch_note.txt', 'a')", "tried to open scratch_note.txt for writing"),
        (
            "(lambda: 0).__globals__['__builtins__']['open']('/etc/forge_pwn', 'w')",
            "tried to open /etc/forge_pwn for writing",
        ),
        ("import builtins\ngetattr(builtins, 'op' + 'en')('/etc/forge_pwn', 'w')", "for writing"),
        ("import subprocess\nsubprocess.run(['true'])", "tried to start a process"),
        ("import os\nos.system('true')", "tried to run a shell command true"),
        (
            "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=0.1)",
            "tried to look up the host 192.0.2.1",
        ),
        ("import ctypes\nctypes.CDLL(None)", "tried to load the C library"),
        ("eval('1 + 1')", "tried to compile a string as code"),
        ("open('/etc/passwd').read()", "tried to read /etc/passwd"),
        ("import sys\nsys._getframe().f_back", "tried to reach interpreter frames"),
        ("import gc\ngc.get_objects()", "walk every object"),
        ("import os\nos.remove('/etc/hostname')", "tried to delete /etc/hostname"),
    ],
)
def test_a_swallowed_attempt_passes_but_is_recorded(body: str, expected: str) -> None:
    report = validate(quietly(body), "f", SAMPLE)
    assert report.passed, report.summary()
    assert any(expected in attempt for attempt in report.attempted), report.attempted


def test_attempts_at_definition_time_are_recorded() -> None:
    code = "import os\ntry:\n    os.system('true')\nexcept Exception:\n    pass\n" + quietly("pass")
    report = validate(code, "f", SAMPLE)
    denied = f": {DENIED_SECCOMP}" if SECCOMP in active_names() else ""
    assert report.passed and report.attempted == [f"tried to run a shell command true{denied}"]


def needs(layer: str) -> None:
    if layer not in active_names():
        pytest.skip(f"{layer} is not active on this machine")


def test_a_process_start_says_seccomp_denied_it() -> None:
    needs(SECCOMP)
    report = validate(quietly("import subprocess\nsubprocess.run(['true'])"), "f", SAMPLE)
    assert f"tried to start a process true: {DENIED_SECCOMP}" in report.attempted


def test_a_write_outside_the_scratch_folder_says_landlock_denied_it(tmp_path: Path) -> None:
    needs(LANDLOCK)
    target = tmp_path / "out.txt"
    report = validate(quietly(f"open({str(target)!r}, 'w').write('x')"), "f", SAMPLE)
    assert report.attempted == [f"tried to open {target} for writing: {DENIED_LANDLOCK}"]
    assert not target.exists()


def test_a_write_in_the_scratch_folder_went_through_there() -> None:
    """Harmless in the sandbox, but in the kernel the same code writes to the notebook's folder."""
    report = validate(quietly("open('note.txt', 'w').write('x')"), "f", SAMPLE)
    assert report.passed
    assert report.attempted == [f"tried to open note.txt for writing: {WENT_THROUGH_SCRATCH}"]


def test_an_outcome_seen_at_load_time_is_reported_too() -> None:
    code = "import os\nos.mkdir('made_at_load')\n" + quietly("pass")
    report = validate(code, "f", SAMPLE)
    assert f"tried to create the folder made_at_load: {WENT_THROUGH_SCRATCH}" in report.attempted


def test_outcomes_seen_after_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no layer decides, the path before the act is compared with after the sample."""
    monkeypatch.chdir(tmp_path)
    outside = tmp_path.parent / f"forge-outcome-{os.getpid()}.txt"
    (tmp_path / "kept.txt").write_text("x")
    outcomes = Outcomes({})  # no Landlock, no seccomp: nothing is known at once
    for path in ("kept.txt", "new.txt", str(outside)):
        text = f"tried to open {path} for writing"
        assert outcomes.at_once("open", (path, "w", 0), text) is None
    (tmp_path / "new.txt").write_text("made")
    outside.write_text("made")
    try:
        assert outcomes.settle() == [
            ("tried to open kept.txt for writing", NO_CHANGE),
            ("tried to open new.txt for writing", WENT_THROUGH_SCRATCH),
            (f"tried to open {outside} for writing", WENT_THROUGH),
        ]
    finally:
        outside.unlink()
    assert outcomes.settle() == []  # each outcome is reported once


def test_outcomes_known_at_once_follow_the_layers(tmp_path: Path) -> None:
    layered = Outcomes({"seccomp": True, "writable": [str(tmp_path)], "landlock_abi": 1})
    assert layered.at_once("os.system", ("ls",), "t") == DENIED_SECCOMP
    assert layered.at_once("os.chmod", ("/etc/x", 0o777), "t") == DENIED_SECCOMP
    assert layered.at_once("open", ("/etc/x", "w", 0), "t for writing") == DENIED_LANDLOCK
    assert layered.at_once("os.truncate", ("/etc/x", 0), "t") is None  # Landlock ABI 3+
    assert layered.at_once("open", (str(tmp_path / "a"), "w", 0), "t for writing") is None
    bare = Outcomes({})
    assert bare.at_once("os.system", ("ls",), "t") is None  # unknown: no claim is made
    assert bare.at_once("open", (3, "w", 0), "t for writing") is None  # an fd names no path
    assert bare.settle() == []


def test_a_lying_worker_cannot_dress_up_an_attempt() -> None:
    """The candidate shares the worker's channel: only known outcome words ever show."""
    fd = "int(__import__('sys').argv[1])"
    line = '{"event": "attempt", "what": "tried to read the news", "outcome": "all fine"}'
    body = f"import os\nos.write({fd}, {line!r}.encode() + b'\\n')"
    report = validate(quietly(body), "f", SAMPLE)
    assert report.passed
    assert "tried to read the news" in report.attempted, report.attempted
    assert not any("fine" in a for a in report.attempted), report.attempted


def test_a_flood_is_capped() -> None:
    body = "for i in range(500):\n    try:\n        open(f'/etc/x{i}', 'w')\n    except OSError:\n        pass"
    report = validate(quietly(body), "f", SAMPLE)
    assert report.passed and len(report.attempted) == MAX_ATTEMPTS


def test_a_hostile_path_object_is_not_asked_to_describe_itself() -> None:
    body = (
        "class P(str):\n"
        "    def __str__(self):\n        raise RuntimeError('boom')\n"
        "    def __repr__(self):\n        raise RuntimeError('boom')\n"
        "open(P('/etc/forge_pwn' + 'x' * 5000), 'w')"
    )
    report = validate(quietly(body), "f", SAMPLE)
    assert report.passed and len(report.attempted) == 1
    assert report.attempted[0].startswith("tried to open /etc/forge_pwnxxx")
    assert len(report.attempted[0]) < 300


CLEAN = {
    "pandas": (
        "import pandas as pd\n"
        "def f(x):\n"
        "    df = pd.DataFrame({'a': [x, 2], 'd': pd.to_datetime(['2024-01-01', '2024-02-01'])})\n"
        "    return int(df.groupby('a')['a'].sum().iloc[0])\n"
    ),
    "stdlib": (
        "import re\nimport json\nfrom datetime import date\nfrom decimal import Decimal\n"
        "def f(x):\n"
        "    json.loads(json.dumps({'a': [1]})); re.sub(r'\\s+', ' ', 'a  b')\n"
        "    date(2024, 1, 1).isoformat(); Decimal('1.5')\n"
        "    return x\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_code_tried_nothing(name: str) -> None:
    report = validate(CLEAN[name], "f", SAMPLE)
    assert report.passed and report.attempted == [], report.attempted


def test_the_workers_own_unpickling_is_not_the_candidates() -> None:
    """Inputs are unpickled by the worker (pickle.find_class fires): not an attempt."""
    inputs = {"data": pickle.dumps({"a": [1, 2]})}
    report = validate(
        "def f(d):\n    return len(d)\n", "f", [Sample("f(data)", "example", "1\n")], inputs=inputs
    )
    assert report.passed and report.attempted == []


def test_the_compose_loader_is_the_forges_not_the_candidates_but_what_it_runs_is() -> None:
    """A composed candidate's dependencies are compiled by the forge's own loader, which
    sits in the candidate's file: that compile is not the candidate's doing. What a
    dependency does when the candidate calls it still counts."""
    from jupyter_forge.core.compose import _LOADER

    helper = "def helper(x):\n    try:\n        open('/tmp/forge_dep_pwn', 'w')\n    except BaseException:\n        pass\n    return x\n"
    code = (
        "def f(x):\n    return helper(x)\n"
        + _LOADER
        + f"helper = __forge_dependency__('helper', {helper!r}, {{}})\n"
    )
    report = validate(code, "f", SAMPLE)
    assert report.passed, report.summary()
    assert not any("compile" in attempt for attempt in report.attempted), report.attempted
    assert any("/tmp/forge_dep_pwn for writing" in a for a in report.attempted), report.attempted
