"""Missing third-party packages: reported, offered, installed only on a click.

Why: a forged tool that imports a package this environment lacks must say so
plainly ("needs package X, not installed") and may install it only when the
person clicks Install; never silently. The install here is real pip, pointed
(through the widget's ``install_argv`` parameter) at a wheel the test builds
and a throwaway ``--target`` dir: no network, the real venv is never touched.
Re-validation runs in the real sandbox.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import shlex
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import comm
import pytest
from kernel_helpers import click, reply_for, set_from_front_end
from test_approval import RecordingComm

from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.repair import finish
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import parse_cell
from jupyter_forge.forge import Forge
from jupyter_forge.kernel.approval import ApprovalWidget
from jupyter_forge.sandbox import validate
from jupyter_forge.testing.scripted_llm import ScriptedModel

PKG = "forge_fake_pkg_q7"
CODE = f'''import {PKG}


def answer() -> int:
    """The answer the package knows."""
    return {PKG}.VALUE
'''
PLAIN = 'def answer() -> int:\n    """The answer."""\n    return 42\n'
CELL = "Return the answer.\n>>> answer()\n42\n"


@pytest.fixture(autouse=True)
def recording_comm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm())


@pytest.fixture
def forge(tmp_path: Path) -> Any:
    with ScriptedModel() as sm:
        yield sm, Forge(model=sm.model, api_base=sm.api_base, library=str(tmp_path / "lib"))


def forged(forge: Any, code: str = CODE, name: str = "answer", cell: str = CELL) -> ForgeResult:
    sm, fg = forge
    sm.push(reply_for(code))
    result: ForgeResult = fg.create(parse_cell(name, cell), attempts=1)
    return result


def build_wheel(folder: Path, name: str = PKG, value: int = 42) -> Path:
    """A minimal, valid pure-Python wheel (PEP 427), written by hand: no build backend, no network."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-1.0.dist-info"
    files = {
        f"{name}/__init__.py": f"VALUE = {value}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    wheel = folder / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


class Installer:
    """The injected command builder: local wheels only, into a throwaway target dir."""

    def __init__(self, wheels: Path, target: Path) -> None:
        self.wheels, self.target = wheels, target
        self.calls: list[list[str]] = []

    def __call__(self, packages: Sequence[str]) -> list[str]:
        self.calls.append(list(packages))
        return [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-index",
            "--find-links",
            str(self.wheels),
            "--target",
            str(self.target),
            *packages,
        ]


class Revalidate:
    """``on_edit`` as the kernel wires it (Forge.revalidate), with the target dir importable."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.codes: list[str] = []

    def __call__(self, result: ForgeResult, code: str) -> ForgeResult:
        self.codes.append(code)
        spec = result.spec
        report = validate(code, spec.name, spec.samples, extra_sys_path=[str(self.target)])
        number = len(result.attempts) + 1
        result.attempts.append(Attempt(number=number, reply=code, code=code, report=report))
        finish(result, code)
        result.report = report
        return result


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty install target on this process's sys.path (where the kernel would import from)."""
    folder = tmp_path / "target"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    sys.modules.pop(PKG, None)


def shown(widget: ApprovalWidget) -> bool:
    return bool(widget.install_offer.layout.display != "none")


def test_no_offer_when_nothing_is_missing(forge: Any) -> None:
    stdlib_only = forged(forge, f"import re\n\n\n{PLAIN}")
    installed = forged(forge, f"import pygments\n\n\n{PLAIN}")
    assert installed.requirements == ["pygments"]
    for result in (stdlib_only, installed):
        widget = ApprovalWidget(result, on_approve=lambda r: "ok")
        assert result.passed and not shown(widget)
        assert widget.install_offer.packages == []


def test_missing_package_is_reported_and_nothing_installs_without_a_click(
    forge: Any, tmp_path: Path, target: Path
) -> None:
    result = forged(forge)
    assert not result.passed
    assert f"No module named '{PKG}'" in (result.report.load_error or "")  # type: ignore[union-attr]
    installer, on_edit = Installer(tmp_path / "wheels", target), Revalidate(target)
    build_wheel(installer.wheels)
    widget = ApprovalWidget(
        result, on_approve=lambda r: "ok", on_edit=on_edit, install_argv=installer
    )
    assert shown(widget)
    assert f"needs package <code>{PKG}</code>, not installed" in widget.install_offer.message.value
    assert widget.install_offer.button.description == f"Install {PKG}"

    # Saving an edit (same code) validates again: it still fails and still installs nothing.
    click(widget.edit_button)
    set_from_front_end(widget.editor, value=CODE)
    click(widget.save_button)
    widget.wait(60)
    assert on_edit.codes == [CODE]
    assert not widget.result.passed and shown(widget)
    assert installer.calls == [] and list(target.iterdir()) == []
    assert widget.install_offer.command.value == ""


def test_install_click_runs_the_shown_command_and_validates_again(
    forge: Any, tmp_path: Path, target: Path
) -> None:
    result = forged(forge)
    installer, on_edit = Installer(tmp_path / "wheels", target), Revalidate(target)
    build_wheel(installer.wheels)
    widget = ApprovalWidget(
        result, on_approve=lambda r: "ok", on_edit=on_edit, install_argv=installer
    )
    assert widget.approve_button.disabled

    click(widget.install_offer.button)
    widget.wait(180)

    assert installer.calls == [[PKG]]
    argv = installer(installer.calls[0])
    assert shlex.join(argv).replace("&", "&amp;") in widget.install_offer.command.value
    assert f"Successfully installed {PKG}" in widget.install_offer.output
    assert (target / PKG / "__init__.py").exists()
    assert on_edit.codes == [CODE]  # validated again, with the very same code
    assert widget.result.passed, widget.status.value
    assert not widget.approve_button.disabled
    assert not shown(widget)  # nothing is missing any more


def test_a_failed_install_is_reported_and_nothing_is_validated(
    forge: Any, tmp_path: Path, target: Path
) -> None:
    result = forged(forge)
    installer, on_edit = Installer(tmp_path / "empty-index", target), Revalidate(target)
    installer.wheels.mkdir()
    widget = ApprovalWidget(
        result, on_approve=lambda r: "ok", on_edit=on_edit, install_argv=installer
    )
    click(widget.install_offer.button)
    widget.wait(180)
    assert installer.calls == [[PKG]]
    assert "failed (exit code 1)" in widget.status.value
    assert on_edit.codes == []
    assert shown(widget) and not widget.install_offer.button.disabled  # the person may retry
    assert not widget.result.passed and widget.approve_button.disabled


def test_the_offer_names_the_pypi_package(forge: Any) -> None:
    if importlib.util.find_spec("sklearn") is not None:
        pytest.skip("scikit-learn is installed here")
    code = f"import sklearn\n\n\n{PLAIN}"
    widget = ApprovalWidget(forged(forge, code), on_approve=lambda r: "ok")
    message = widget.install_offer.message.value
    assert "needs package <code>scikit-learn</code> (for <code>import sklearn</code>)" in message
    assert widget.install_offer.button.description == "Install scikit-learn"


def test_after_a_decision_install_does_nothing(forge: Any, tmp_path: Path, target: Path) -> None:
    installer = Installer(tmp_path / "wheels", target)
    widget = ApprovalWidget(forged(forge), on_approve=lambda r: "ok", install_argv=installer)
    click(widget.reject_button)
    assert widget.install_offer.button.disabled
    widget.install()
    assert installer.calls == [] and list(target.iterdir()) == []


def test_a_real_kernel_shows_the_offer_and_installs_nothing(tmp_path: Path) -> None:
    """Wired through ``%%forge``: the widget a front end receives carries the Install button."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
    from kernel_driver import KernelDriver

    with ScriptedModel([reply_for(CODE)]) as sm:
        env = dict(os.environ)
        env.update(JUPYTER_DATA_DIR=str(tmp_path / "data"), IPYTHONDIR=str(tmp_path / "ipy"))
        driver = KernelDriver(env=env, cwd=str(tmp_path))
        try:
            assert driver.execute("%load_ext jupyter_forge").ok
            cell = f"%%forge answer --attempts 1 --model {sm.model} --approve widget\n{CELL}"
            config = f"%config Forge.api_base = {sm.api_base!r}"
            assert driver.execute(config).ok
            run = driver.execute(cell)
            assert not run.ok  # it did not pass: the package is missing
            assert driver.find_button(f"Install {PKG}")
            assert any(
                f"needs package <code>{PKG}</code>, not installed" in text
                for text in driver.widget_texts()
            )
            probe = driver.execute(
                f"import importlib.util\nprint('found', importlib.util.find_spec({PKG!r}) is not None)"
            )
            assert "found False" in "".join(probe.texts())
        finally:
            driver.close()
