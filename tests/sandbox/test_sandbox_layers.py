"""Optional OS layers: detected, reported honestly, required by policy, never faked.

Why: "validated in the sandbox" must mean exactly the layers listed. These
tests pin the policy refusal, the fallback when layers are missing, and that a
worker which cannot apply a planned layer refuses to run instead of running
with less isolation than the host reports.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from jupyter_forge.core.errors import SandboxError
from jupyter_forge.core.spec import Sample
from jupyter_forge.sandbox import (
    Limits,
    active_layers,
    jobs,
    layers,
    missing_layers,
    runner,
    validate,
)

ADD = "def add(a, b):\n    return a + b\n"
SAMPLE = [Sample("add(1, 2)", "example", expected="3\n")]


def set_detected(monkeypatch: pytest.MonkeyPatch, found: layers.Detected) -> None:
    monkeypatch.setattr(layers, "detect", lambda: found)
    monkeypatch.setattr(runner, "detect", lambda: found)
    monkeypatch.setattr(jobs, "detect", lambda: found)


def bare() -> layers.Detected:
    """A machine with none of the optional layers (old kernel, no util-linux)."""
    reasons = {name: "not on this test machine" for name in layers.OPTIONAL_LAYERS}
    return layers.Detected(None, None, 0, None, reasons)


def test_unknown_layer_in_policy_is_refused() -> None:
    with pytest.raises(SandboxError, match="unknown sandbox layer"):
        validate(ADD, "add", SAMPLE, limits=Limits(require=frozenset({"magic"})))


def test_requiring_active_layers_runs() -> None:
    report = validate(ADD, "add", SAMPLE, limits=Limits(require=layers.active_names()))
    assert report.passed, report.to_json()


def test_requiring_a_missing_layer_refuses_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    set_detected(monkeypatch, bare())
    with pytest.raises(SandboxError) as info:
        validate(ADD, "add", SAMPLE, limits=Limits(require=frozenset({layers.SECCOMP})))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(
        "the sandbox policy requires seccomp syscall filter but this machine lacks it: "
    )


def test_without_optional_layers_validation_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    set_detected(monkeypatch, bare())
    report = validate(ADD, "add", [*SAMPLE, Sample("import os; os.getpid() > 1", "code")])
    assert report.passed, report.to_json()
    assert not any(layer.startswith(layers.SECCOMP) for layer in active_layers())
    assert any(m.startswith(layers.SECCOMP + ":") for m in missing_layers())
    assert layers.active_names() <= {layers.NON_ROOT}


def test_a_layer_that_fails_to_apply_stops_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = dataclasses.replace(layers.detect(), seccomp_program=b"\x00" * 7)
    set_detected(monkeypatch, broken)
    with pytest.raises(SandboxError, match="lockdown failed"):
        validate(ADD, "add", SAMPLE)


def test_detected_layers_are_really_in_force() -> None:
    names = layers.active_names()
    probes = {
        layers.SECCOMP: "try:\n    os.fork()\n    raise SystemExit('forked')\nexcept PermissionError:\n    pass",
        layers.LANDLOCK: "try:\n    os.listdir('/')\n    raise SystemExit('listed')\nexcept PermissionError:\n    pass",
        layers.PID_NS: "assert os.getpid() == 2, os.getpid()",
    }
    for layer, source in probes.items():
        if layer in names:
            report = validate(ADD, "add", [Sample("import os\n" + source, "code")])
            assert report.passed, (layer, report.to_json())


def test_the_worker_really_runs_as_the_drop_uid() -> None:
    """Active only where the host is root and the interpreter is readable by uid 65534."""
    uid = layers.detect().drop_to
    if uid is None:
        pytest.skip(f"{layers.NON_ROOT} is not active here")
    os_, res = "__import__('os')", "__import__('resource')"
    probes = [  # expressions, so their values come back
        Sample(f"({os_}.getuid(), {os_}.geteuid(), {os_}.getgid(), {os_}.getgroups())", "code"),
        Sample(f"{res}.getrlimit({res}.RLIMIT_NPROC)[1]", "code"),
    ]
    report = validate(ADD, "add", probes)
    assert report.passed, report.to_json()
    assert report.results[0].got == repr((uid, uid, uid, []))
    assert int(report.results[1].got or "-1") < 10_000  # RLIMIT_NPROC bites for a non-root uid
    assert any(layer.startswith(layers.NON_ROOT) for layer in report.layers)


def test_an_extra_path_the_drop_uid_cannot_read_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "private"
    secret.mkdir(mode=0o700)
    uid = 54321  # any uid but ours (the folder's owner); the check runs before any worker starts
    set_detected(monkeypatch, dataclasses.replace(layers.detect(), drop_to=uid))
    with pytest.raises(SandboxError) as info:
        validate(ADD, "add", SAMPLE, extra_sys_path=[str(secret)])
    message = str(info.value)
    assert "\n" not in message
    assert f"runs as uid {uid}, which cannot read " in message
    assert "chmod o+rx" in message
