"""A real ipykernel, driven over ZMQ the way JupyterLab drives it.

The scripted model runs in this (test) process; the kernel reaches it over
loopback exactly as it would reach llama.cpp's server. The widget is approved by
sending the Approve button's comm a ``custom`` click message, as a browser does,
after the ``%%forge`` cell has returned (ipykernel cannot process the click while
that cell is still running).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from kernel_helpers import PARSE_MONEY_CELL, PARSE_MONEY_REPLY, PARSE_MONEY_WRONG, WIDGET_MIME

from jupyter_forge.testing.scripted_llm import ScriptedModel

pytestmark = pytest.mark.timeout(120)


class LiveKernel:
    def __init__(self, km: Any, kc: Any, home: Path) -> None:
        self.km, self.kc, self.home = km, kc, home

    def _until_idle(self, msg_id: str, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        messages = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return messages

    def execute(
        self, code: str, timeout: float = 60
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        msg_id = self.kc.execute(code)
        deadline = time.monotonic() + timeout
        while True:
            reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        return reply["content"], self._until_idle(msg_id, timeout)

    def ok(self, code: str) -> list[dict[str, Any]]:
        reply, iopub = self.execute(code)
        assert reply["status"] == "ok", reply
        return iopub

    def value(self, expression: str) -> str:
        iopub = self.ok(expression)
        results = [m for m in iopub if m["msg_type"] == "execute_result"]
        assert results, [m["msg_type"] for m in iopub]
        return str(results[0]["content"]["data"]["text/plain"])

    def click(self, comm_id: str) -> list[dict[str, Any]]:
        """What a front end sends when the button is clicked."""
        content = {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}}
        msg = self.kc.session.msg("comm_msg", content)
        self.kc.shell_channel.send(msg)
        return self._until_idle(msg["header"]["msg_id"], 30)


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedModel]:
    with ScriptedModel() as sm:
        yield sm


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, model: ScriptedModel) -> Iterator[LiveKernel]:
    from jupyter_client.manager import start_new_kernel

    home = tmp_path_factory.mktemp("live-kernel")
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_FORGE_APPROVE"}
    env["JUPYTER_DATA_DIR"] = str(home / "jupyter-data")
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60, env=env, cwd=str(home))
    kernel = LiveKernel(km, kc, home)
    try:
        kernel.ok("%load_ext jupyter_forge")
        kernel.ok(f"%config Forge.model = '{model.model}'")
        kernel.ok(f"%config Forge.api_base = '{model.api_base}'")
        kernel.ok(f"%config Forge.library = '{home / 'lib'}'")
        yield kernel
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def of_type(messages: list[dict[str, Any]], *types: str) -> list[dict[str, Any]]:
    return [m for m in messages if m["msg_type"] in types]


def test_the_kernel_runs_this_python(live: LiveKernel) -> None:
    assert live.value("import sys; sys.executable") == repr(sys.executable)


def test_widget_mode_forge_then_approve_through_the_comm(
    live: LiveKernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_REPLY)
    reply, iopub = live.execute("%%forge parse_money\n" + PARSE_MONEY_CELL)

    # The cell returned (so the click can be processed) and succeeded.
    assert reply["status"] == "ok", reply
    # Progress: one status line displayed, then updated in place.
    shown = of_type(iopub, "display_data", "update_display_data")
    status = [
        m for m in shown if "jupyter-forge-status" in m["content"]["data"].get("text/html", "")
    ]
    assert status[0]["msg_type"] == "display_data"
    display_id = status[0]["content"]["transient"]["display_id"]
    updates = [m for m in status if m["msg_type"] == "update_display_data"]
    assert updates and {m["content"]["transient"]["display_id"] for m in updates} == {display_id}
    assert "passed (2/2 samples passed)" in updates[-1]["content"]["data"]["text/plain"]
    # The approval widget was displayed, and its models were opened on the front end.
    views = [m for m in shown if WIDGET_MIME in m["content"]["data"]]
    assert len(views) == 1
    opened = {
        m["content"]["comm_id"]: m["content"]["data"]["state"] for m in of_type(iopub, "comm_open")
    }
    assert views[0]["content"]["data"][WIDGET_MIME]["model_id"] in opened
    (approve_id,) = [
        comm_id
        for comm_id, state in opened.items()
        if state.get("_model_name") == "ButtonModel" and state.get("description") == "Approve"
    ]
    assert opened[approve_id]["disabled"] is False
    # Nothing is defined or saved before the click.
    reply, _ = live.execute("parse_money")
    assert reply["status"] == "error" and reply["ename"] == "NameError"
    assert not (live.home / "lib" / "parse_money.ipynb").exists()

    answer = live.click(approve_id)

    updates = [
        m["content"]["data"].get("state", {})
        for m in of_type(answer, "comm_msg")
        if m["content"]["data"].get("method") == "update"
    ]
    assert any("Approved: <code>parse_money</code> v1" in str(s.get("value", "")) for s in updates)
    assert live.value('parse_money("$1.00")') == "1.0"
    assert live.value('parse_money("(12.00)")') == "-12.0"
    notebook = live.home / "lib" / "parse_money.ipynb"
    meta = nbformat.read(notebook, as_version=4).metadata["jupyter_forge"]
    assert meta["approved"]["how"] == "widget" and meta["validation"]["passed"] is True
    assert model.pending == 0


def test_a_failing_forge_cell_is_an_error_reply_with_one_line(
    live: LiveKernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_WRONG)
    reply, iopub = live.execute(
        "%%forge parse_money_b --approve auto --attempts 1 --new\n"
        + PARSE_MONEY_CELL.replace("parse_money", "parse_money_b")
    )

    assert reply["status"] == "error"
    assert reply["ename"] == "ForgeError"
    assert "did not pass after 1 attempt" in reply["evalue"]
    assert "\n" not in reply["evalue"]
    (error,) = of_type(iopub, "error")
    assert len(error["content"]["traceback"]) == 1
    assert "ForgeError" in error["content"]["traceback"][0]
    reply, _ = live.execute("parse_money_b")
    assert reply["ename"] == "NameError"


def test_a_failing_line_magic_is_an_error_reply(live: LiveKernel) -> None:
    reply, _ = live.execute("%forge frob")
    assert reply["status"] == "error"
    assert (reply["ename"], reply["evalue"]) == (
        "SpecError",
        "unknown command `%forge frob`: see `%forge help`",
    )
