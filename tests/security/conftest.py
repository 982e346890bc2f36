"""Red-team suite plumbing: each attack records (attack, layer that stopped it, outcome).

Why a table: the suite is the evidence a security reviewer reads. It is printed
after the run with totals, so a layer that silently stopped working shows up as
an attack that got through (a failing test) or was skipped (layer missing here).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

if importlib.util.find_spec("jupyter_forge") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from attack_kit import ROWS, Record


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Iterator[Record]:
    """Call ``record(attack, layer)`` once the attack is set up; the row is kept with the result.

    ``outcome`` names what a passing test means (``BLOCKED`` unless the test
    documents a known limitation); a failing test is always ``GOT THROUGH``.
    """
    pending: list[tuple[str, str, str]] = []

    def add(attack: str, layer: str, outcome: str = "BLOCKED") -> None:
        pending.append((attack, layer, outcome))

    yield add
    call = getattr(request.node, "rep_call", None)
    passed = call is not None and call.passed
    ROWS.extend((a, layer, out if passed else "GOT THROUGH") for a, layer, out in pending)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not ROWS:
        return
    write = terminalreporter.write_line
    width = max(len(a) for a, _, _ in ROWS)
    lwidth = max(len(layer) for _, layer, _ in ROWS)
    terminalreporter.section("sandbox red-team results")
    write(f"{'attack'.ljust(width)}  {'stopped by'.ljust(lwidth)}  outcome")
    for attack, layer, outcome in ROWS:
        write(f"{attack.ljust(width)}  {layer.ljust(lwidth)}  {outcome}")
    blocked = sum(1 for *_, outcome in ROWS if outcome == "BLOCKED")
    through = sum(1 for *_, outcome in ROWS if outcome == "GOT THROUGH")
    known = len(ROWS) - blocked - through
    write(
        f"total: {len(ROWS)} attacks, {blocked} blocked, {through} got through, "
        f"{known} known limitation(s)"
    )


@pytest.fixture
def sentinel() -> Iterator[subprocess.Popen[bytes]]:
    """A host process the candidate must not be able to kill or inspect."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"],
        env={"FORGE_SENTINEL_SECRET": "sentinel-secret-7781"},
    )
    yield proc
    proc.kill()
    proc.wait()
