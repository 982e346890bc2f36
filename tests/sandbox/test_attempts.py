"""What the candidate tried, recorded in the sandbox by an audit hook (issue 15).

Why: the OS layers block a write, but a candidate that catches its own
PermissionError still passes its samples; in the kernel the same act succeeds.
Each payload here passes its sample and must still carry an attempted finding.
Clean code (pandas included: its imports and file reads) must carry none.
"""

from __future__ import annotations

import pickle

import pytest

from jupyter_forge.core.spec import Sample
from jupyter_forge.sandbox import validate
from jupyter_forge.sandbox.attempts import MAX_ATTEMPTS

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
    assert report.passed and report.attempted == ["tried to run a shell command true"]


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
