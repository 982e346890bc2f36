"""In a real JupyterLab and headless Chromium: two candidates that both pass the sample but
answer differently make the widget doubtful, with a table of where they differ.

The screenshot (``test-artifacts/ui/second_opinion.png``) is the one in docs/quality.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from second_opinion_cases import CELL, GUARDED, UNGUARDED
from test_lab_approval import FORGE_TIMEOUT, LAB_LOAD_TIMEOUT, LIBRARY, cell, run_cell, wait_idle
from ui_support import ARTIFACTS, Lab, missing_requirement, setup_source, write_code_notebook

from jupyter_forge.testing.scripted_llm import ScriptedModel

pytestmark = pytest.mark.skipif(
    missing_requirement() is not None, reason=str(missing_requirement())
)

NOTEBOOK = "second_opinion.ipynb"


def write_notebook(root: Path, sm: ScriptedModel) -> None:
    setup = setup_source(sm.model, sm.api_base, LIBRARY)
    write_code_notebook(root / NOTEBOOK, [setup, "%%forge scale\n" + CELL])


@pytest.mark.timeout(180)
def test_two_candidates_that_disagree_show_where_in_jupyterlab(
    lab: Lab, scripted_model: ScriptedModel, page: Any
) -> None:
    from playwright.sync_api import expect

    lab.shut_down_kernels()
    scripted_model.push(GUARDED, UNGUARDED)
    write_notebook(lab.root, scripted_model)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(lab.page_url(f"lab/tree/{NOTEBOOK}"), timeout=LAB_LOAD_TIMEOUT)
    expect(cell(page, 1)).to_be_visible(timeout=LAB_LOAD_TIMEOUT)
    wait_idle(page, expect, timeout=LAB_LOAD_TIMEOUT)
    run_cell(page, expect, 0)
    expect(cell(page, 0).locator(".jp-InputPrompt")).to_have_text("[1]:", timeout=30_000)
    wait_idle(page, expect)

    run_cell(page, expect, 1)
    forged = cell(page, 1)
    widget = forged.locator(".jupyter-forge-approval")
    expect(widget).to_be_visible(timeout=FORGE_TIMEOUT)
    expect(widget).to_contain_text("doubtful")
    table = widget.locator("table.jupyter-forge-disagreement")
    expect(table).to_contain_text("scale([10.1, 10.1, 10.1])")
    expect(table).to_contain_text("[0.0, 0.0, 0.0]")
    expect(table).to_contain_text("raises ZeroDivisionError")
    expect(widget.locator("button", has_text="Approve")).to_be_enabled()  # never blocked
    wait_idle(page, expect)
    forged.screenshot(path=str(ARTIFACTS / "second_opinion.png"))
    assert len(scripted_model.requests) == 2  # the ask, then the second opinion
    assert not (lab.root / LIBRARY / "scale.ipynb").exists(), "saved before approval"
