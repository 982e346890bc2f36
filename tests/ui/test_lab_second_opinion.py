"""In a real JupyterLab and headless Chromium: two candidates that both pass the sample but
answer differently make the widget doubtful, with a table of where they differ; a repair
no second answer confirmed is doubtful too, and says why, and which attempt is shown and why;
a second answer that passes the sample but breaks a check from the words still disputes.

The screenshots (``test-artifacts/ui/second_opinion.png``, ``uncorroborated.png``) are
the ones in docs/quality.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from second_opinion_cases import CELL, GUARDED, UNGUARDED, WRONG, WRONG_THREE, WRONG_TOO
from test_lab_approval import FORGE_TIMEOUT, LAB_LOAD_TIMEOUT, LIBRARY, cell, run_cell, wait_idle
from ui_support import ARTIFACTS, Lab, missing_requirement, setup_source, write_code_notebook

from jupyter_forge.testing.scripted_llm import ScriptedModel

pytestmark = pytest.mark.skipif(
    missing_requirement() is not None, reason=str(missing_requirement())
)

NOTEBOOK = "second_opinion.ipynb"


def write_notebook(root: Path, sm: ScriptedModel, notebook: str, forge_cell: str) -> None:
    setup = setup_source(sm.model, sm.api_base, LIBRARY)
    write_code_notebook(root / notebook, [setup, forge_cell])


def forge_in_lab(
    lab: Lab,
    sm: ScriptedModel,
    page: Any,
    notebook: str = NOTEBOOK,
    forge_cell: str = "%%forge scale\n" + CELL,
) -> Any:
    """Open a fresh notebook of a setup cell and ``forge_cell``, run both; the forge cell."""
    from playwright.sync_api import expect

    lab.shut_down_kernels()
    write_notebook(lab.root, sm, notebook, forge_cell)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(lab.page_url(f"lab/tree/{notebook}"), timeout=LAB_LOAD_TIMEOUT)
    expect(cell(page, 1)).to_be_visible(timeout=LAB_LOAD_TIMEOUT)
    wait_idle(page, expect, timeout=LAB_LOAD_TIMEOUT)
    run_cell(page, expect, 0)
    expect(cell(page, 0).locator(".jp-InputPrompt")).to_have_text("[1]:", timeout=30_000)
    wait_idle(page, expect)
    run_cell(page, expect, 1)
    return cell(page, 1)


@pytest.mark.timeout(180)
def test_two_candidates_that_disagree_show_where_in_jupyterlab(
    lab: Lab, scripted_model: ScriptedModel, page: Any
) -> None:
    from playwright.sync_api import expect

    asked_before = len(scripted_model.requests)  # the model server is shared by UI tests
    scripted_model.push(GUARDED, UNGUARDED)
    forged = forge_in_lab(lab, scripted_model, page)
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
    assert len(scripted_model.requests) - asked_before == 2  # the ask, the second opinion
    assert not (lab.root / LIBRARY / "scale.ipynb").exists(), "saved before approval"


@pytest.mark.timeout(180)
def test_a_repair_no_second_answer_confirmed_is_doubtful_in_jupyterlab(
    lab: Lab, scripted_model: ScriptedModel, page: Any
) -> None:
    from playwright.sync_api import expect

    asked_before = len(scripted_model.requests)  # the model server is shared by UI tests
    scripted_model.push(WRONG, GUARDED, WRONG_TOO, WRONG_THREE, WRONG)
    forged = forge_in_lab(lab, scripted_model, page)
    widget = forged.locator(".jupyter-forge-approval")
    expect(widget).to_be_visible(timeout=FORGE_TIMEOUT)
    expect(widget).to_contain_text("doubtful")
    expect(forged).to_contain_text("attempt 2 came after attempt 1 failed")
    expect(forged).to_contain_text("the second answer (attempts 3, 4, 5) did not pass")
    # What decided against the later answers, not a blanket "they did worse".
    expect(widget).to_contain_text(
        "Showing attempt 2 of 5: the best later one, attempt 3, did not pass the samples."
    )
    expect(widget.locator("table.jupyter-forge-disagreement")).to_have_count(0)
    expect(widget.locator("button", has_text="Approve")).to_be_enabled()  # never blocked
    wait_idle(page, expect)
    forged.screenshot(path=str(ARTIFACTS / "uncorroborated.png"))
    # Every failed second answer asked for another.
    assert len(scripted_model.requests) - asked_before == 5
    assert not (lab.root / LIBRARY / "scale.ipynb").exists(), "saved before approval"


ALL_EQUAL_GIVES_ZEROS = (
    '```python\n# "the smallest becomes 0"\nassert scale([5, 5]) == [0.0, 0.0]\n```'
)


@pytest.mark.timeout(180)
def test_a_second_answer_passing_only_the_samples_disputes_in_jupyterlab(
    lab: Lab, scripted_model: ScriptedModel, page: Any
) -> None:
    """The second answer passes the sample but breaks the check from the words, and still
    answers differently on a probe: doubtful, and the table says what it passed."""
    from playwright.sync_api import expect

    default_checks = scripted_model.checks
    scripted_model.checks = ALL_EQUAL_GIVES_ZEROS
    try:
        scripted_model.push(GUARDED, UNGUARDED)
        forged = forge_in_lab(lab, scripted_model, page)
        widget = forged.locator(".jupyter-forge-approval")
        expect(widget).to_be_visible(timeout=FORGE_TIMEOUT)
        expect(widget).to_contain_text("doubtful")
        expect(widget).to_contain_text("checks from your words: 1/1 pass")
        expect(forged).to_contain_text(
            "another candidate that passes your samples (not every check from your words)"
        )
        table = widget.locator("table.jupyter-forge-disagreement")
        expect(table).to_contain_text("scale([10.1, 10.1, 10.1])")
        expect(widget).to_contain_text(
            "Both pass your samples (attempt 2 breaks a check from your words"
        )
        expect(widget.locator("button", has_text="Approve")).to_be_enabled()
        wait_idle(page, expect)
        forged.screenshot(path=str(ARTIFACTS / "second_opinion_samples_only.png"))
        assert not (lab.root / LIBRARY / "scale.ipynb").exists(), "saved before approval"
    finally:
        scripted_model.checks = default_checks
