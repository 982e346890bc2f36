"""Helpers for the browser UI tests: what they need, and a real ``jupyter lab`` server.

Why a real browser: the approval widget is only useful if its buttons reach the
kernel through ipywidgets' comm channel in JupyterLab; kernel-level tests click
the Python ``Button`` objects directly and cannot see a broken front end.

Needs Debian's chromium at ``/usr/bin/chromium`` (``scripts/install_chromium.sh``)
and the ``playwright`` Python package (the ``test`` extra), never Playwright's own
browser download. Without either, the tests are skipped with the reason.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def setup_source(model: str, api_base: str, library: str, *, second_opinion: bool = True) -> str:
    """A notebook's first cell: load the extension, point it at the scripted model."""
    lines = [
        "%load_ext jupyter_forge",
        f"%config Forge.model = '{model}'",
        f"%config Forge.api_base = '{api_base}'",
    ]
    if not second_opinion:
        # A fixed script: no second ask after a green forge (tests/test_second_opinion.py).
        lines.append("%config Forge.second_opinion = False")
    return "\n".join([*lines, f"%config Forge.library = '{library}'"])


def write_code_notebook(path: Path, sources: list[str]) -> Path:
    """A notebook of code cells for the python3 kernel, written with nbformat."""
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in sources],
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            },
            "language_info": {"name": "python"},
        },
    )
    nbformat.write(nb, path)
    return path


def missing_requirement() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing: run scripts/install_chromium.sh"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing: pip install -e '.[test]'"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LabError(RuntimeError):
    """The server did not come up; the message carries the end of its log."""


@dataclass
class Lab:
    """A ``jupyter lab`` server process serving ``root``, all Jupyter dirs under ``base``."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, base: Path) -> Lab:
        root = base / "root"
        root.mkdir(parents=True)
        # A clean environment: no JUPYTER_FORGE_APPROVE (the widget is what we test),
        # no user Jupyter/IPython config or runtime files.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
        env.update(
            JUPYTER_CONFIG_DIR=str(base / "config"),
            JUPYTER_DATA_DIR=str(base / "data"),
            JUPYTER_RUNTIME_DIR=str(base / "runtime"),
            JUPYTER_PLATFORM_DIRS="1",
            JUPYTER_FORGE_RUNTIME=str(base / "forge-runtime"),
            JUPYTER_FORGE_CACHE=str(base / "forge-cache"),
            IPYTHONDIR=str(base / "ipython"),
        )
        # No "get official Jupyter news?" toast over the notebook.
        labconfig = base / "config" / "labconfig"
        labconfig.mkdir(parents=True)
        disabled = {"@jupyterlab/apputils-extension:announcements": True}
        (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}))
        port, token = free_port(), uuid.uuid4().hex
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
        if os.geteuid() == 0:  # CI containers run as root; Jupyter refuses that by default
            command.append("--allow-root")
        log = base / "jupyter-lab.log"
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
        lab = cls(f"http://127.0.0.1:{port}", token, root, log, process)
        try:
            lab._wait_until_up()
        except BaseException:
            lab.stop()
            raise
        return lab

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

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + LAB_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LabError(
                    f"jupyter lab exited with code {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                if isinstance(self.api(f"status?token={self.token}"), dict):
                    return
            except (OSError, urllib.error.URLError, ValueError):
                pass
            time.sleep(0.25)
        raise LabError(
            f"jupyter lab did not answer within {LAB_START_TIMEOUT:.0f}s:\n{self.log_tail()}"
        )

    def shut_down_kernels(self) -> None:
        """End every kernel and session, so the next notebook opened starts a fresh kernel
        (a module's tests share one server; a notebook reopened would find its old kernel,
        its execution count and its variables)."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def stop(self) -> None:
        """Shut kernels down through the API (they run in their own sessions), then the server."""
        if self.process.poll() is None:
            with contextlib.suppress(Exception):
                self.shut_down_kernels()
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if self.process.poll() is not None:
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(wait)
