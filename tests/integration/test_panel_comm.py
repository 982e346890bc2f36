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
