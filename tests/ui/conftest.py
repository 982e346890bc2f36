"""Fixtures for the browser UI tests: a scripted model, a real ``jupyter lab``, headless Chromium.

See ``ui_support.py`` for why and what they need; without it they skip.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Lab, missing_requirement

from jupyter_forge.testing.scripted_llm import ScriptedModel


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so the page fixture can screenshot failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _skip_unless_ready() -> None:
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def scripted_model() -> Iterator[ScriptedModel]:
    """The model the kernel talks to; tests ``push`` the replies they expect to be asked for."""
    with ScriptedModel() as sm:
        yield sm


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A real ``jupyter lab`` on a free loopback port; notebooks go in ``lab.root``."""
    _skip_unless_ready()
    server = Lab.start(tmp_path_factory.mktemp("lab"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (never Playwright's own download)."""
    _skip_unless_ready()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh 1400x1000 page; on failure a screenshot goes to test-artifacts/ui/FAILED-<test>.png.

    ``page.forge_errors`` collects page errors and console errors for the test to check.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: errors.append(f"console.error: {msg.text}") if msg.type == "error" else None,
    )
    page.forge_errors = errors
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
            if errors:
                print("browser errors:\n" + "\n".join(errors[-30:]))
        context.close()
