"""Fixtures for the browser UI tests: a scripted model, a real ``jupyter lab``, headless Chromium.

Why a real browser: the approval widget is only useful if its buttons reach the
kernel through ipywidgets' comm channel in JupyterLab; kernel-level tests click
the Python ``Button`` objects directly and cannot see a broken front end.

Needs Debian's chromium at ``/usr/bin/chromium`` (``scripts/install_chromium.sh``)
and the ``playwright`` Python package (the ``test`` extra); never its own browser
download. Without either, the tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jupyter_forge.testing.scripted_llm import ScriptedModel

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "ui"
LAB_START_TIMEOUT = 60.0


def missing_requirement() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing: run scripts/install_chromium.sh"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing: pip install -e '.[test]'"
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can screenshot failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    """A running ``jupyter lab`` server and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen[bytes]

    def page_url(self, path: str) -> str:
        return f"{self.url}/{path.lstrip('/')}?token={self.token}"

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            f"{self.url}/api/{path.lstrip('/')}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="module")
def scripted_model() -> Iterator[ScriptedModel]:
    """The model the kernel talks to; tests ``push`` the replies they expect to be asked for."""
    with ScriptedModel() as sm:
        yield sm


def _wait_until_up(lab: Lab) -> None:
    deadline = time.monotonic() + LAB_START_TIMEOUT
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            pytest.fail(f"jupyter lab exited with code {lab.process.returncode}:\n{lab.log_tail()}")
        try:
            status = lab.api("status")
        except (OSError, urllib.error.URLError, ValueError):
            time.sleep(0.25)
            continue
        if isinstance(status, dict):
            return
    pytest.fail(f"jupyter lab did not answer within {LAB_START_TIMEOUT:.0f}s:\n{lab.log_tail()}")


def _stop(lab: Lab) -> None:
    """Shut the kernels down through the API (they run in their own sessions), then the server."""
    with contextlib.suppress(Exception):
        for kernel in lab.api("kernels"):
            lab.api(f"kernels/{kernel['id']}", method="DELETE")
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        if lab.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(lab.process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            lab.process.wait(wait)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A real ``jupyter lab`` on a free loopback port, with every Jupyter dir under tmp."""
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "JPY_"))}
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_FORGE_RUNTIME=str(base / "forge-runtime"),
        JUPYTER_FORGE_CACHE=str(base / "forge-cache"),
        JUPYTER_PLATFORM_DIRS="1",
        IPYTHONDIR=str(base / "ipython"),
    )
    # No "would you like news?" toast over the notebook in screenshots.
    labconfig = base / "config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    port, token = free_port(), uuid.uuid4().hex
    log = base / "jupyter-lab.log"
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Lab(f"http://127.0.0.1:{port}", token, root, log, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        _stop(server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
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
    """A fresh page; on failure its screenshot goes to test-artifacts/ui/FAILED-<test>.png."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.forge_errors = errors  # type: ignore[attr-defined]
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
