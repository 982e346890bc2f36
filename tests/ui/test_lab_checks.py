"""In a real JupyterLab and headless Chromium: the checks from the request's words, each
listed once on its own row with its mark, its error and its Accept / Drop buttons; dropping
a wrong one turns the doubtful mark green.

The screenshot (``test-artifacts/ui/checks_from_words.png``) is the one in docs/quality.md.
"""

from __future__ import annotations

from typing import Any

import pytest
from second_opinion_cases import GUARDED
from test_lab_approval import FORGE_TIMEOUT, LIBRARY, wait_idle
from test_lab_second_opinion import forge_in_lab
from ui_support import ARTIFACTS, Lab, missing_requirement

from jupyter_forge.testing.scripted_llm import ScriptedModel

pytestmark = pytest.mark.skipif(
    missing_requirement() is not None, reason=str(missing_requirement())
)

NOTEBOOK = "checks_from_words.ipynb"
CELL = (
    "%%forge scale --attempts 1\n"
    "Scale a list of numbers so the smallest becomes 0 and the largest 1.\n"
    "If all values are equal, return zeros.\n"
    ">>> scale([10, 20, 30])\n[0.0, 0.5, 1.0]\n"
)
RIGHT_CHECK = "assert scale([5, 5, 5]) == [0.0, 0.0, 0.0]"
WRONG_CHECK = "assert scale([1, 3]) == [0.0, 0.5]"  # a model-written check can be wrong
CHECKS = (
    "```python\n"
    f'# "If all values are equal, return zeros"\n{RIGHT_CHECK}\n'
    f'# "the smallest becomes 0 and the largest 1"\n{WRONG_CHECK}\n'
    "```"
)


@pytest.mark.timeout(180)
def test_each_check_is_listed_once_and_dropping_a_wrong_one_turns_it_green(
    lab: Lab, scripted_model: ScriptedModel, page: Any
) -> None:
    from playwright.sync_api import expect

    asked_before = len(scripted_model.requests)  # the model server is shared by UI tests
    checks_before = len(scripted_model.check_requests)
    default_checks = scripted_model.checks
    scripted_model.checks = CHECKS
    try:
        scripted_model.push(GUARDED)
        forged = forge_in_lab(lab, scripted_model, page, NOTEBOOK, CELL)
        widget = forged.locator(".jupyter-forge-approval")
        expect(widget).to_be_visible(timeout=FORGE_TIMEOUT)
        expect(widget).to_contain_text("checks from your words: 1/2 pass")
        expect(widget).to_contain_text("doubtful")
        wait_idle(page, expect)

        # Each check once: on its row, with its mark and (when it fails) what the code did.
        rows = widget.locator(".jupyter-forge-check")
        expect(rows).to_have_count(2)
        expect(widget.locator("table.jupyter-forge-checks")).to_have_count(0)
        for check in (RIGHT_CHECK, WRONG_CHECK):
            expect(rows.get_by_text(check, exact=True)).to_have_count(1)
        expect(rows.nth(0)).to_contain_text("✔")
        expect(rows.nth(1)).to_contain_text("✘")
        expect(rows.nth(1)).to_contain_text("gave [0.0, 1.0], expected [0.0, 0.5]")
        expect(widget.locator("button", has_text="Accept as sample")).to_have_count(2)
        expect(widget.locator("button", has_text="Drop")).to_have_count(2)
        expect(widget.locator("button", has_text="Approve")).to_be_enabled()  # never blocked
        forged.screenshot(path=str(ARTIFACTS / "checks_from_words.png"))

        # The person drops the wrong check: the mark follows what remains.
        widget.locator("button", has_text="Drop").nth(1).click()
        expect(widget).to_contain_text("checks from your words: 1/1 pass", timeout=30_000)
        expect(widget).to_contain_text("✔ passed")
        expect(widget.locator(".jupyter-forge-check")).to_have_count(1)
        expect(widget.locator(".jupyter-forge-check").get_by_text(WRONG_CHECK)).to_have_count(0)
        # One checks call and one code ask: dropping a check asks the model nothing.
        assert len(scripted_model.check_requests) - checks_before == 1
        assert len(scripted_model.requests) - asked_before == 1
        assert not (lab.root / LIBRARY / "scale.ipynb").exists(), "saved before approval"
    finally:
        scripted_model.checks = default_checks
