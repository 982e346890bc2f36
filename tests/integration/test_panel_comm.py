"""The ``jupyter_forge`` comm target in a real kernel, driven as JupyterLab's panel drives it.

The panel opens the comm, sends the tagged sample cells just before a ``%%forge``
execute request (same shell channel, so they arrive first), and hears
``tools_changed`` when a tool is saved or removed.
"""

from __future__ import annotations

import os
import queue
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_driver import KernelDriver

from jupyter_forge.testing.scripted_llm import ScriptedModel

GOOD = (
    '```python\ndef add(a: int, b: int) -> int:\n    """Add two integers."""\n    return a + b\n```'
)


@pytest.fixture
def scripted() -> Iterator[ScriptedModel]:
    with ScriptedModel([GOOD]) as sm:
        yield sm


@pytest.fixture
def kernel(tmp_path: Path, scripted: ScriptedModel) -> Iterator[KernelDriver]:
    env = dict(os.environ)
    env.update(
        IPYTHONDIR=str(tmp_path / "ipython"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_FORGE_APPROVE="auto",
    )
    driver = KernelDriver(env=env, cwd=str(tmp_path))
    try:
        setup = (
            "%load_ext jupyter_forge\n"
            f"%config Forge.model = {scripted.model!r}\n"
            f"%config Forge.api_base = {scripted.api_base!r}\n"
            # A fixed script: no second ask after a green forge (tests/test_second_opinion.py).
            "%config Forge.second_opinion = False\n"
            "%config Forge.library = 'forge_tools'"
        )
        assert driver.execute(setup).ok
        yield driver
    finally:
        driver.close()


def send(kernel: KernelDriver, msg_type: str, content: dict[str, Any]) -> None:
    kernel.kc.shell_channel.send(kernel.kc.session.msg(msg_type, content))


def comm_events(kernel: KernelDriver, messages: list[dict[str, Any]], comm_id: str) -> list[str]:
    return [
        m["content"]["data"].get("event")
        for m in messages
        if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id
    ]


def drain(kernel: KernelDriver, seconds: float = 3.0) -> list[dict[str, Any]]:
    out, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            out.append(kernel.kc.get_iopub_msg(timeout=0.2))
        except queue.Empty:
            continue
    return out


def test_panel_comm_delivers_samples_and_hears_changes(
    kernel: KernelDriver, scripted: ScriptedModel, tmp_path: Path
) -> None:
    comm_id = uuid.uuid4().hex
    send(kernel, "comm_open", {"comm_id": comm_id, "target_name": "jupyter_forge", "data": {}})
    assert "hello" in comm_events(kernel, drain(kernel), comm_id)

    cells = [
        {"source": ">>> add(2, 3)\n5", "tags": ["forge-sample:add"]},
        {"source": "assert add(1, 1) == 3", "tags": ["forge-sample:other_tool"]},
        {"source": "not a cell", "tags": "not a list"},
    ]
    send(
        kernel,
        "comm_msg",
        {"comm_id": comm_id, "data": {"event": "sample_cells", "name": "add", "cells": cells}},
    )
    run = kernel.execute("%%forge add\nAdd two integers.")
    assert run.ok, run.texts()
    prompt = scripted.requests[0]["messages"][-1]["content"]
    assert ">>> add(2, 3)" in prompt
    assert "add(1, 1) == 3" not in prompt
    assert (tmp_path / "forge_tools" / "add.ipynb").is_file()
    events = comm_events(kernel, run.messages + drain(kernel, 1.0), comm_id)
    assert events.count("tools_changed") == 1

    # A delivery is used once: the next %%forge add does not see those cells again.
    scripted.push(GOOD)
    assert kernel.execute("%%forge add --replace\nAdd two integers.").ok
    assert ">>> add(2, 3)" not in scripted.requests[1]["messages"][-1]["content"]

    removed = kernel.execute("%forge remove add")
    assert removed.ok, removed.texts()
    assert "tools_changed" in comm_events(kernel, removed.messages + drain(kernel, 1.0), comm_id)


def test_no_front_end_no_comm_needed(kernel: KernelDriver, scripted: ScriptedModel) -> None:
    """Without a panel, approving and removing work exactly as before."""
    assert kernel.execute("%%forge add\nAdd two integers.\n>>> add(1, 2)\n3").ok
    assert kernel.execute("%forge remove add").ok


def comm_data(messages: list[dict[str, Any]], comm_id: str, event: str) -> list[dict[str, Any]]:
    return [
        m["content"]["data"]
        for m in messages
        if m["msg_type"] == "comm_msg"
        and m["content"]["comm_id"] == comm_id
        and m["content"]["data"].get("event") == event
    ]


def test_edit_in_a_cell_over_the_comm_then_the_edit_cell_updates_the_widget(
    kernel: KernelDriver, scripted: ScriptedModel, tmp_path: Path
) -> None:
    """ "Edit in a cell" as JupyterLab sees it: only the front end that clicked is asked
    for the cell (named by the widget and the forge cell's id); running the cell it adds
    validates the edit and the same widget shows the outcome."""
    other = uuid.uuid4().hex  # another front end on this kernel: never asked
    open_other = kernel.kc.session.msg(
        "comm_open", {"comm_id": other, "target_name": "jupyter_forge", "data": {}}
    )
    open_other["header"]["session"] = uuid.uuid4().hex
    kernel.kc.shell_channel.send(open_other)
    comm_id = uuid.uuid4().hex
    send(kernel, "comm_open", {"comm_id": comm_id, "target_name": "jupyter_forge", "data": {}})
    drain(kernel, 1.0)

    run = kernel.execute(
        "%%forge add --approve widget\nAdd two integers.\n>>> add(1, 2)\n3",
        metadata={"cellId": "forge-cell-1"},
    )
    assert run.ok, run.texts()
    [widget_id] = [
        c
        for c, state in kernel.comms.items()
        if "jupyter-forge-approval" in state.get("_dom_classes", [])
    ]
    clicked = kernel.click(kernel.find_button("Edit in a cell"))
    clicked += drain(kernel, 1.0)
    [request] = comm_data(clicked, comm_id, "insert_cell")
    assert comm_data(clicked, other, "insert_cell") == []
    code = GOOD.removeprefix("```python\n").removesuffix("```")
    assert request["source"] == f"%%forge --edit add\n{code}"
    assert request["widget_id"] == widget_id and request["cell_id"] == "forge-cell-1"

    send(
        kernel,
        "comm_msg",
        {
            "comm_id": comm_id,
            "data": {"event": "cell_inserted", "request": request["request"], "ok": True},
        },
    )
    kernel._drain_iopub(None, until_idle=False, timeout=5.0)  # widget updates, recorded
    assert any("Added a cell" in text for text in kernel.widget_texts())

    broken = kernel.execute(
        "%%forge --edit add\ndef add(a: int, b: int) -> int:\n    return a - b\n"
    )
    assert not broken.ok
    assert "your edit of `add` did not pass" in broken.reply["content"]["evalue"]
    assert any("Revert goes back" in text for text in kernel.widget_texts())

    fixed = kernel.execute(
        f"%%forge --edit add\n{code.replace('Add two integers.', 'Add two integers, by hand.')}"
    )
    assert fixed.ok, fixed.texts()
    assert any("your edit of `add` passed" in text for text in fixed.texts())
    kernel.click(kernel.find_button("Approve"))
    saved = (tmp_path / "forge_tools" / "add.ipynb").read_text()
    assert "by hand" in saved and '"from_attempt": 1' in saved
