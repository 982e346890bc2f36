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

    Idle workers of the warm pool are not leftovers: they have not run anything yet.
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
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state not in ("Z", "X"):
            try:
                if os.getpgid(int(entry.name)) in spare_groups:
                    continue
            except OSError:
                continue
            found.append(int(entry.name))
    return found


def wait_no_leftovers(marker: str = str(WORKER), seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (found := leftover_workers(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found
