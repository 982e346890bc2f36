"""Regenerate, re-forge and interrupt walked in JupyterLab (Debian's Chromium, a real
kernel, the scripted model over HTTP): after each step the forge cell shows one true state.

Screenshots go to ``test-artifacts/ui/`` (walk_regenerating.png, walk_regenerated.png,
walk_reforged.png, walk_interrupted.png).
"""

from __future__ import annotations

from typing import Any

import nbformat
import pytest
from test_lab_approval import (
    FORGE_TIMEOUT,
    GOOD_REPLY,
    LIBRARY,
    cell,
    open_with_a_failing_forge,
    run_cell,
    wait_idle,
)
from ui_support import ARTIFACTS, Lab, missing_requirement

from jupyter_forge.testing.scripted_llm import ScriptedModel

pytestmark = pytest.mark.skipif(
    missing_requirement() is not None, reason=str(missing_requirement())
)


def state_of(forged: Any) -> Any:
    return forged.locator(".jupyter-forge-status")


@pytest.mark.timeout(300)
def test_regenerate_reforge_and_interrupt_each_leave_one_true_state(
    lab: Lab, scripted_model: ScriptedModel, page: Any
) -> None:
    from playwright.sync_api import expect

    open_with_a_failing_forge(lab, scripted_model, page)

    # A failed forge.
    run_cell(page, expect, 1)
    forged = cell(page, 1)
    widget = forged.locator(".jupyter-forge-approval")
    expect(widget).to_be_visible(timeout=FORGE_TIMEOUT)
    expect(state_of(forged)).to_contain_text("did not pass after 1 attempt")
    wait_idle(page, expect)

    # Regenerate: it streams, asks for a different answer given what failed, and the
    # one state line turns to the new result.
    asked = len(scripted_model.requests)
    scripted_model.push({"content": GOOD_REPLY, "chunk_delay": 0.1})
    widget.locator("button", has_text="Regenerate").click()
    stream = widget.locator(".jupyter-forge-stream")
    expect(stream).to_contain_text("def slugify", timeout=30_000)
    expect(state_of(forged)).to_have_text("forge · Regenerating…")  # the one line, now
    forged.screenshot(path=str(ARTIFACTS / "walk_regenerating.png"))
    expect(state_of(forged)).to_contain_text("passed", timeout=FORGE_TIMEOUT)
    expect(stream).to_have_count(0)  # the tokens make way for the result
    retry = scripted_model.requests[asked]["messages"][-1]["content"]
    assert "An earlier answer was not accepted:" in retry and '"_".join(words)' in retry
    assert "did not pass" not in forged.inner_text()
    forged.screenshot(path=str(ARTIFACTS / "walk_regenerated.png"))
    approve = widget.locator("button", has_text="Approve")
    approve.click()
    expect(state_of(forged)).to_contain_text("Approved", timeout=30_000)
    expect(widget).not_to_contain_text("Approve saves")
    wait_idle(page, expect)

    # Re-forge the saved name: the widget says it makes v2 and keeps v1.
    scripted_model.push(GOOD_REPLY)
    run_cell(page, expect, 1)
    widget = forged.locator(".jupyter-forge-approval")
    expect(widget).to_contain_text("saves it as v2 of slugify (v1 kept", timeout=FORGE_TIMEOUT)
    expect(state_of(forged)).to_have_count(1)
    expect(state_of(forged)).to_contain_text("passed")
    assert "Approved" not in forged.inner_text()  # the earlier run's state is gone
    forged.screenshot(path=str(ARTIFACTS / "walk_reforged.png"))
    widget.locator("button", has_text="Approve").click()
    expect(state_of(forged)).to_contain_text("Approved", timeout=30_000)
    wait_idle(page, expect)
    saved = nbformat.read(lab.root / LIBRARY / "slugify.ipynb", as_version=4)
    assert saved.metadata["jupyter_forge"]["version"] == 2

    # Interrupt a forge while the model streams: one line, nothing saved, kernel healthy.
    scripted_model.push({"content": GOOD_REPLY + "\nMore words." * 300, "chunk_delay": 0.1})
    asked = len(scripted_model.requests)
    run_cell(page, expect, 1)
    expect(state_of(forged)).to_contain_text("asking", timeout=30_000)
    while len(scripted_model.requests) <= asked:
        page.wait_for_timeout(100)
    page.keyboard.press("Escape")  # command mode
    page.keyboard.press("i")
    page.keyboard.press("i")  # Lab's "interrupt the kernel"
    expect(state_of(forged)).to_have_text("forge · cancelled", timeout=30_000)
    expect(forged).to_contain_text("forge cancelled; nothing saved")
    assert "Traceback" not in forged.inner_text() and "httpx" not in forged.inner_text()
    wait_idle(page, expect)
    forged.screenshot(path=str(ARTIFACTS / "walk_interrupted.png"))
    saved = nbformat.read(lab.root / LIBRARY / "slugify.ipynb", as_version=4)
    assert saved.metadata["jupyter_forge"]["version"] == 2  # nothing of it was saved
    run_cell(page, expect, 2)
    expect(cell(page, 2).locator(".jp-OutputArea-output")).to_contain_text(
        "data-science-101", timeout=30_000
    )
