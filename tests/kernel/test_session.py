"""The per-shell :class:`KernelSession`, in a real IPython shell: one per loaded extension,
shared by the magics, every command group and the agent; installs dependencies first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from kernel_helpers import PARSE_MONEY_CODE, Kernel
from test_agent_magic import save_tool

from jupyter_forge.core.errors import ForgeError
from jupyter_forge.kernel import extension
from jupyter_forge.kernel.agent_view import session_for
from jupyter_forge.kernel.session import AgentState, KernelSession

WEEKLY_TOTAL_CODE = '''def weekly_total(amounts: list[str]) -> float:
    """Sum a week of money strings."""
    return round(sum(parse_money(a) for a in amounts), 2)
'''


def save_both(kernel: Kernel) -> None:
    save_tool(kernel.library, PARSE_MONEY_CODE, "parse_money")
    save_tool(kernel.library, WEEKLY_TOTAL_CODE, "weekly_total", depends=["parse_money"])


def untrust(path: Path) -> None:
    """Change the tool cell behind the notary's back, as a hand edit would."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("jupyter_forge", {}).get("role") == "tool")
    cell.source = cell.source.replace("return -value", "return -1 * value")
    nbformat.write(nb, path)


def test_one_session_is_shared_by_the_magics_and_every_command(kernel: Kernel) -> None:
    magics = kernel.magics
    session = magics.session
    assert isinstance(session, KernelSession)
    assert session.shell is kernel.shell and session.forge in kernel.shell.configurables
    assert magics.forge is session.forge and magics.registry is session.registry
    assert magics.pending is session.pending and session_for(magics) is session.agent
    groups = (magics.library_commands, magics.composing, magics.loading, magics.forging)
    assert all(group.session is session for group in groups)
    extension.load(kernel.shell)  # loading again keeps the session (and its tools)
    assert extension.magics_for(kernel.shell).session is session


def test_a_restart_gives_a_fresh_session_and_drops_the_old_forge(kernel: Kernel) -> None:
    old = kernel.magics.session
    kernel.restart()
    new = kernel.magics.session
    assert new is not old and new.forge is not old.forge
    assert old.forge not in kernel.shell.configurables and new.forge in kernel.shell.configurables
    assert new.pending == {} and new.agent == AgentState()


def test_user_ns_is_the_shells_namespace(kernel: Kernel) -> None:
    session = kernel.magics.session
    kernel.ok("total = 41 + 1")
    assert session.user_ns is kernel.shell.user_ns and session.user_ns["total"] == 42


def test_install_record_loads_trusted_dependencies_first_and_audits_them(kernel: Kernel) -> None:
    save_both(kernel)
    session = kernel.magics.session
    record = session.libraries().find("weekly_total")

    session.install_record(record)

    assert list(session.registry.tools) == ["parse_money", "weekly_total"]
    assert kernel.ns["weekly_total"](["$1.50", "(0.50)"]) == 1.0
    [entry] = [e for e in session.libraries().primary.audit.entries() if e.action == "load"]
    assert entry.tool == "parse_money" and entry.detail == "needed by weekly_total"
    # Already loaded: installing again loads no dependency a second time.
    assert session.load_dependencies(record) == []


def test_install_record_refuses_an_untrusted_dependency(kernel: Kernel) -> None:
    save_both(kernel)
    untrust(kernel.library / "parse_money.ipynb")
    session = kernel.magics.session

    with pytest.raises(ForgeError, match="calls `parse_money`, not trusted on this machine"):
        session.install_record(session.libraries().find("weekly_total"))
    assert "parse_money" not in session.registry and "weekly_total" not in kernel.ns


def test_audit_never_fails_the_action(kernel: Kernel, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("", encoding="utf-8")
    kernel.magics.session.audit("load", "anything", library=str(not_a_folder / "lib"))


class FakeKernel:
    def __init__(self, parent: Any) -> None:
        self.parent = parent

    def get_parent(self) -> Any:
        if isinstance(self.parent, Exception):
            raise self.parent
        return self.parent


def test_the_message_being_handled(kernel: Kernel, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cell and front end of the message being handled: for "Edit in a cell"."""
    session = kernel.magics.session
    message = {"metadata": {"cellId": "cell-7"}, "header": {"session": "browser-2"}}
    monkeypatch.setattr(kernel.shell, "kernel", FakeKernel(message), raising=False)
    assert session.cell_id() == "cell-7" and session.front_end_session() == "browser-2"
    for parent in (RuntimeError("no parent"), None, {"metadata": "odd", "header": 3}):
        monkeypatch.setattr(kernel.shell, "kernel", FakeKernel(parent), raising=False)
        assert session.parent_message() == ({} if not isinstance(parent, dict) else parent)
        assert session.cell_id() is None and session.front_end_session() is None
