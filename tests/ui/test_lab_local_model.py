"""A forge in JupyterLab with the real embedded model: Debian's Chromium, a real kernel,
the suite's 0.5B model served by llama.cpp (what a person without an API key gets).

The other browser tests script the model's answers; this one shows that a real model's
streamed answer ends in one true state in the cell, and that an approved tool runs in
the kernel. Screenshot: ``test-artifacts/ui/local_model_forge.png``.
"""

from __future__ import annotations

from typing import Any

import nbformat
import pytest
from test_lab_approval import cell, open_and_run_setup, run_cell, wait_idle
from ui_support import ARTIFACTS, Lab, missing_requirement, write_code_notebook

pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(missing_requirement() is not None, reason=str(missing_requirement())),
]

NOTEBOOK = "local_model.ipynb"
LIBRARY = "local_tools"
FORGE_TIMEOUT = 600_000  # ms: the model's first start (assembled into the lab's cache), answers

SETUP = "\n".join(
    [
        "%load_ext jupyter_forge",
        "%config Forge.model = 'local'",  # the suite's embedded model (the default is 1.5B)
        "%config Forge.model_keep_alive = 0",  # the server exits after the forge: no leak
        f"%config Forge.library = '{LIBRARY}'",
    ]
)
REQUEST = "\n".join(
    [
        "%%forge sum_of_squares",
        "Return the sum of the squares of a list of integers.",
        ">>> sum_of_squares([1, 2, 3])",
        "14",
        "assert sum_of_squares([]) == 0",
    ]
)
USE = "print(sum_of_squares([1, 2, 3]), sum_of_squares([4]))"

# Each verdict's badge in the widget's header, and the colour of the status line above it
# (none while a passed tool waits for approval): the two must tell the same state.
BADGES = {"passed": "✔ passed", "doubtful": "⚠ doubtful", "failed": "✘ failed"}
STATUS_COLORS = {"passed": None, "doubtful": "#9a6700", "failed": "#cf222e"}


@pytest.mark.timeout(900)
def test_a_real_models_forge_shows_one_true_state_and_runs_once_approved(
    lab: Lab, page: Any
) -> None:
    pytest.importorskip("llama_cpp", reason="the local model extra is not installed")
    from playwright.sync_api import expect

    lab.shut_down_kernels()
    write_code_notebook(lab.root / NOTEBOOK, [SETUP, REQUEST, USE])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    open_and_run_setup(lab, page, NOTEBOOK, cells=3)

    run_cell(page, expect, 1)
    forged = cell(page, 1)
    status = forged.locator(".jupyter-forge-status")
    expect(status).to_contain_text("forge ·", timeout=60_000)  # a status line while it works
    widget = forged.locator(".jupyter-forge-approval")
    expect(widget).to_be_visible(timeout=FORGE_TIMEOUT)
    wait_idle(page, expect, timeout=FORGE_TIMEOUT)
    forged.screenshot(path=str(ARTIFACTS / "local_model_forge.png"))

    # One true state: one widget, one status line, and they tell the same verdict.
    assert widget.count() == 1 and status.count() == 1
    text = widget.inner_text()
    verdicts = [v for v, badge in BADGES.items() if badge in text]
    assert len(verdicts) == 1, text[:500]
    verdict = verdicts[0]
    style, line = status.get_attribute("style") or "", status.inner_text()
    color = STATUS_COLORS[verdict]
    assert (color in style) if color else ("color" not in style), (verdict, style, line)
    if verdict == "passed":
        assert "passed" in line, line
    expect(widget.locator(".jupyter-forge-code")).to_contain_text("def sum_of_squares")
    approve = widget.locator("button", has_text="Approve")
    if verdict == "failed":
        expect(approve).to_be_disabled()
        pytest.fail(f"the embedded model did not pass this request: {line}")

    # Nothing runs in the kernel before a person approves; then it does.
    assert not (lab.root / LIBRARY / "sum_of_squares.ipynb").exists(), "saved before approval"
    expect(approve).to_be_enabled()
    approve.click()
    expect(widget).to_contain_text("Approved", timeout=30_000)
    run_cell(page, expect, 2)
    expect(cell(page, 2).locator(".jp-OutputArea-output")).to_contain_text("14 16", timeout=30_000)
    saved = nbformat.read(lab.root / LIBRARY / "sum_of_squares.ipynb", as_version=4)
    assert saved.metadata["jupyter_forge"]["model"] == "local"
    errors = [e for e in page.forge_errors if "jupyter-forge" in e.lower() or "widget" in e.lower()]
    assert not errors, "\n".join(errors)
