"""Helpers for the red-team tests: run a hostile "tool", find leftovers, name the layer."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from jupyter_forge.core.spec import Sample
from jupyter_forge.core.validation import ValidationReport
from jupyter_forge.sandbox import Limits, validate
from jupyter_forge.sandbox.layers import OPTIONAL_LAYERS, active_names
from jupyter_forge.sandbox.runner import WORKER

ROWS: list[tuple[str, str, str]] = []
Record = Callable[..., None]  # record(attack, layer, outcome="BLOCKED")
FAST = Limits(timeout=2.0, load_timeout=5.0)


def attack(code: str, name: str, *samples: str, limits: Limits = FAST) -> ValidationReport:
    """Validate a hostile candidate; every sample is plain code (its value is the repr)."""
    return validate(code, name, [Sample(source=s, kind="code") for s in samples], limits=limits)


def everything(report: ValidationReport) -> str:
    """All text that came back to the host (to check a secret did not leak)."""
    return json.dumps(report.to_json())


def first_active(*layers: str) -> str:
    """The first of ``layers`` in force here (plain names, e.g. host-side ones, always are).

    Skips the test when every optional layer that could stop the attack is missing:
    then the attack would succeed, and the layer lists already say so.
    """
    names = active_names()
    for layer in layers:
        if layer not in OPTIONAL_LAYERS or layer in names:
            return layer
    pytest.skip(f"none of {', '.join(layers)} is active on this machine")


def leftover_workers(marker: str = str(WORKER)) -> list[int]:
    """Host pids of live processes whose command line holds ``marker`` (default: any worker).

    Only this test process's workers count: those descending from it, and
    orphans (a worker whose first non-worker ancestor is pid 1, i.e. it
    outlived whoever started it). Other processes on the machine may run their
    own sandboxes (a user's kernel with a warm pool): theirs are not ours.
    Idle workers of our warm pool are not leftovers: they have not run anything yet.
    """
    from jupyter_forge.sandbox import pool

    warm = pool.default_pool()
    if warm is not None:
        warm.wait_full(10)  # a refill in progress is not a leftover either
    spare_groups = set()
    for leader in warm.idle_pids() if warm is not None else []:
        try:
            spare_groups.add(os.getpgid(leader))
        except OSError:
            continue
    parents: dict[int, int] = {}
    marked: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        if marker.encode() in cmdline and fields[0] not in ("Z", "X"):
            marked.add(int(entry.name))
    found = []
    for pid in sorted(marked):
        up = parents.get(pid, 0)
        while up in marked or (up in parents and up not in (1, os.getpid()) and _is_worker(up)):
            up = parents.get(up, 0)
        if up not in (os.getpid(), 1, 0):
            continue  # someone else's sandbox
        try:
            if os.getpgid(pid) in spare_groups:
                continue
        except OSError:
            continue
        found.append(pid)
    return found


def _is_worker(pid: int) -> bool:
    try:
        return str(WORKER).encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def wait_no_leftovers(marker: str = str(WORKER), seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (found := leftover_workers(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found
