"""Offer to install a candidate's missing packages: only on a person's click, never silently.

A candidate that imports a package this environment lacks fails in the sandbox
with ``No module named X``; the reviewer should see *why* ("needs package X,
not installed") and get a one-click fix they explicitly choose. The command
(``sys.executable -m pip install ...``, so it installs where the kernel and its
sandbox workers import from) is shown before it runs, runs in a subprocess,
and its output is streamed back. The command builder is a parameter so tests
can point pip at a local wheel folder and a throwaway ``--target`` dir.
"""

from __future__ import annotations

import html
import importlib
import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence

import ipywidgets as widgets

from ..core.errors import ForgeError
from ..core.requirements import missing_requirements, pypi_name

InstallArgv = Callable[[Sequence[str]], list[str]]

MAX_LOG = 20_000  # characters of pip's output kept in the widget (the tail)
INSTALL_TIMEOUT = 900.0  # seconds before a hung pip is killed


def pip_argv(packages: Sequence[str]) -> list[str]:
    """``python -m pip install ...`` for the kernel's own interpreter (what ``%pip`` does)."""
    return [sys.executable, "-m", "pip", "install", *packages]


def missing_packages(requirements: Sequence[str]) -> list[tuple[str, str]]:
    """``(import name, PyPI name)`` for each required top-level module not importable here."""
    return [(name, pypi_name(name)) for name in missing_requirements(requirements)]


def run_install(
    argv: Sequence[str], on_output: Callable[[str], None], timeout: float = INSTALL_TIMEOUT
) -> int:
    """Run the install command, passing each line of its output on; return its exit code.

    A command that runs past ``timeout`` is killed (exit code -9), so a hung
    index never leaves the widget busy forever.
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        on_output(f"could not start the install command: {exc}\n")
        return 127
    timer = threading.Timer(timeout, proc.kill)
    timer.daemon = True
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            on_output(line)
        return proc.wait()
    finally:
        timer.cancel()


def after_install() -> None:
    """Make new packages visible: drop import caches and the warm pool's pre-started workers.

    Idle pool workers started before the install would miss packages that hook in
    through ``.pth`` files (read at interpreter start-up); fresh ones see them.
    """
    importlib.invalidate_caches()
    pool = sys.modules.get("jupyter_forge.sandbox.pool")
    if pool is not None:
        pool.shutdown_default()


class InstallOffer(widgets.VBox):  # type: ignore[misc]
    """ "needs package X, not installed" + an Install button + the command and its output.

    Hidden when nothing is missing. It only *offers*: the click handler it is
    given decides what runs (see ``ApprovalWidget.install``).
    """

    def __init__(self, on_click: Callable[[], None]) -> None:
        self.packages: list[str] = []  # PyPI names of what is missing, in order
        self.message = widgets.HTML()
        self.button = widgets.Button(button_style="warning", icon="download")
        self.command = widgets.HTML()
        self.log_view = widgets.HTML()
        self._log_text = ""
        self._lock = threading.Lock()
        self.button.on_click(lambda _b: on_click())
        super().__init__([self.message, self.button, self.command, self.log_view])
        self.add_class("jupyter-forge-install")
        self.layout.display = "none"

    def update(self, requirements: Sequence[str]) -> None:
        """Recheck which of ``requirements`` are missing here; show or hide the offer."""
        missing = missing_packages(requirements)
        self.packages = list(dict.fromkeys(pypi for _, pypi in missing))
        if not missing:
            self.layout.display = "none"
            self.message.value = ""
            self.button.description = ""
            return
        lines = "".join(
            f"<li>needs package <code>{html.escape(pypi)}</code>"
            + (f" (for <code>import {html.escape(name)}</code>)" if name != pypi else "")
            + ", not installed</li>"
            for name, pypi in missing
        )
        self.message.value = (
            f"<p style='color:#9a6700'><b>Missing packages</b></p><ul>{lines}</ul>"
            "<p style='font-size:90%'>Nothing is installed unless you click the button below.</p>"
        )
        self.button.description = "Install " + ", ".join(self.packages)
        self.button.tooltip = "Runs pip in this kernel's environment, then validates again"
        self.layout.display = "flex"

    def started(self, argv: Sequence[str]) -> None:
        """Show exactly what runs, before it runs."""
        self.button.disabled = True
        self.command.value = f"<p>Running <code>{html.escape(shlex.join(argv))}</code></p>"
        with self._lock:
            self._log_text = ""
        self.log_view.value = ""

    def append(self, text: str) -> None:
        """Stream one chunk of the installer's output into the widget (any thread)."""
        with self._lock:
            self._log_text = (self._log_text + text)[-MAX_LOG:]
            shown = self._log_text
        self.log_view.value = (
            "<pre style='max-height:14em;overflow:auto;font-size:85%;white-space:pre-wrap'>"
            f"{html.escape(shown)}</pre>"
        )

    def finished(self) -> None:
        self.button.disabled = False

    def run(self, argv: Sequence[str], packages: Sequence[str]) -> None:
        """Run the command shown by :meth:`started`, its output streamed here (slow: on a
        worker thread); raise :class:`ForgeError` if it failed, else make the new
        ``packages`` visible to the kernel and the sandbox."""
        try:
            status = run_install(argv, self.append)
        finally:
            self.finished()
        if status != 0:
            raise ForgeError(
                f"installing {', '.join(packages)} failed (exit code {status}): its output is "
                "above; fix the cause (name, network, index) and click Install again"
            )
        after_install()

    @property
    def output(self) -> str:
        """The installer's output so far (tests, scripts)."""
        with self._lock:
            return self._log_text
