"""In a real JupyterLab and headless Chromium: ``%%forge`` shows the approval widget,
clicking Approve defines the tool in the kernel and saves its notebook.

Screenshots land in ``test-artifacts/ui/`` (approval_widget.png, approved.png,
edit_in_a_cell.png...) for review; the docs' images are copied from there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from ui_support import ARTIFACTS, Lab, missing_requirement, setup_source, write_code_notebook

from jupyter_forge.testing.scripted_llm import ScriptedModel

pytestmark = pytest.mark.skipif(
    missing_requirement() is not None, reason=str(missing_requirement())
)

GOOD_REPLY = (
    "```python\n"
    "import re\n"
    "\n"
    "\n"
    "def slugify(title: str) -> str:\n"
    '    """Turn a title into a URL slug."""\n'
    '    words = re.findall(r"[a-z0-9]+", title.lower())\n'
    '    return "-".join(words)\n'
    "```"
)
NOTEBOOK = "forge_demo.ipynb"
LIBRARY = "forge_tools"
LAB_LOAD_TIMEOUT = 60_000  # ms: Lab page + kernel start; ~5 s here, slower on a busy CI box
FORGE_TIMEOUT = 60_000  # ms: model call + sandbox validation + widget rendering


def write_notebook(root: Path, sm: ScriptedModel) -> Path:
    setup = setup_source(sm.model, sm.api_base, LIBRARY, second_opinion=False)
    forge = "\n".join(
        [
            "%%forge slugify",
            "Turn a title into a URL slug.",
            "",
            '>>> slugify("Hello, World!")',
            "'hello-world'",
        ]
    )
    cells = [setup, forge, 'print(slugify("Data Science 101"))']
    return write_code_notebook(root / NOTEBOOK, cells)


def cell(page: Any, index: int) -> Any:
    return page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(index)


def run_cell(page: Any, expect: Any, index: int) -> None:
    """Focus the cell's editor, Shift+Enter, and wait until the kernel took it ([*] or [n]).

    Checking focus and the prompt turns a keypress lost to a not-yet-ready page into a
    clear failure here rather than a confusing one later.
    """
    target = cell(page, index)
    editor = target.locator(".jp-InputArea-editor .cm-content")
    editor.click()
    expect(target).to_have_class(re.compile(r"\bjp-mod-active\b"))
    expect(editor).to_be_focused()
    page.keyboard.press("Shift+Enter")
    expect(target.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[(\*|\d+)\]:"))


def wait_idle(page: Any, expect: Any, timeout: float = 30_000) -> None:
    """Wait for the status bar's "KERNEL | Idle": a kernel is connected and not busy.

    Not the toolbar's execution indicator: its data-status is already "idle" before any
    kernel is attached, and a Shift+Enter then is silently dropped.
    """
    kernel_status = page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\|\s*Idle$"))
    expect(kernel_status).to_be_visible(timeout=timeout)


def open_with_a_failing_forge(lab: Lab, scripted_model: ScriptedModel, page: Any) -> None:
    """The demo notebook on a fresh kernel (an earlier test's kernel may still hold it),
    its `%%forge slugify --attempts 1` bound to fail (the model answers WRONG_REPLY), and
    its setup cell run."""

    lab.shut_down_kernels()
    scripted_model.push(WRONG_REPLY)
    path = write_notebook(lab.root, scripted_model)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = nb.cells[1].source.replace(
        "%%forge slugify", "%%forge slugify --attempts 1"
    )
    nbformat.write(nb, path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    open_and_run_setup(lab, page, NOTEBOOK, cells=3)


def open_and_run_setup(lab: Lab, page: Any, notebook: str, *, cells: int) -> None:
    """Open ``notebook`` (``cells`` code cells) once its kernel is idle, and run its first
    (setup) cell to completion."""
    from playwright.sync_api import expect

    page.goto(lab.page_url(f"lab/tree/{notebook}"), timeout=LAB_LOAD_TIMEOUT)
    expect(cell(page, cells - 1)).to_be_visible(timeout=LAB_LOAD_TIMEOUT)
    wait_idle(page, expect, timeout=LAB_LOAD_TIMEOUT)
    run_cell(page, expect, 0)
    expect(cell(page, 0).locator(".jp-InputPrompt")).to_have_text("[1]:", timeout=30_000)
    wait_idle(page, expect)


@pytest.mark.timeout(180)
def test_approve_in_jupyterlab(lab: Lab, scripted_model: ScriptedModel, page: Any) -> None:
    from playwright.sync_api import expect

    scripted_model.push(GOOD_REPLY)
    write_notebook(lab.root, scripted_model)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(lab.page_url(f"lab/tree/{NOTEBOOK}"), timeout=LAB_LOAD_TIMEOUT)
    expect(cell(page, 2)).to_be_visible(timeout=LAB_LOAD_TIMEOUT)
    wait_idle(page, expect, timeout=LAB_LOAD_TIMEOUT)

    # 1: load the extension and point it at the scripted model.
    run_cell(page, expect, 0)
    expect(cell(page, 0).locator(".jp-InputPrompt")).to_have_text("[1]:", timeout=30_000)
    wait_idle(page, expect)
    assert not cell(page, 0).locator(".jp-OutputArea-output").count(), cell(page, 0).inner_text()

    # 2: %%forge: a status line while it works, then the approval widget.
    run_cell(page, expect, 1)
    forged = cell(page, 1)
    widget = forged.locator(".jupyter-forge-approval")
    expect(widget).to_be_visible(timeout=FORGE_TIMEOUT)
    expect(widget).to_contain_text("passed")
    approve = widget.locator("button", has_text="Approve")
    expect(approve).to_be_visible()
    expect(approve).to_be_enabled()
    expect(forged.locator(".jupyter-forge-status")).to_contain_text("forge ·")
    expect(widget.locator(".jupyter-forge-code")).to_contain_text("def slugify")
    expect(widget.locator("table.jupyter-forge-samples")).to_contain_text("hello-world")
    assert not (lab.root / LIBRARY / "slugify.ipynb").exists(), "saved before approval"
    wait_idle(page, expect)
    forged.screenshot(path=str(ARTIFACTS / "approval_widget.png"))

    # Approve: the click travels over the widget comm to the kernel.
    approve.click()
    expect(widget).to_contain_text("Approved", timeout=30_000)
    expect(approve).to_be_disabled()
    forged.screenshot(path=str(ARTIFACTS / "approved.png"))

    # 3: the tool is now a plain function in the kernel.
    run_cell(page, expect, 2)
    expect(cell(page, 2).locator(".jp-OutputArea-output")).to_contain_text(
        "data-science-101", timeout=30_000
    )
    saved = nbformat.read(lab.root / LIBRARY / "slugify.ipynb", as_version=4)
    assert any("def slugify" in c.source for c in saved.cells if c.cell_type == "code")
    assert scripted_model.pending == 0
    assert len(scripted_model.requests) == 1
    errors = [e for e in page.forge_errors if "jupyter-forge" in e.lower() or "widget" in e.lower()]
    assert not errors, "\n".join(errors)


WRONG_REPLY = GOOD_REPLY.replace('"-".join(words)', '"_".join(words)')
FIXED_CODE = GOOD_REPLY.removeprefix("```python\n").removesuffix("```")


@pytest.mark.timeout(240)
def test_a_failed_forge_cell_shows_one_true_state_through_edit_and_approve(
    lab: Lab, scripted_model: ScriptedModel, page: Any
) -> None:
    """Fail → Edit → pass → Approve in Lab: the cell's one state line follows each step,
    and no stale failure stays next to the approval."""
    from playwright.sync_api import expect

    open_with_a_failing_forge(lab, scripted_model, page)

    run_cell(page, expect, 1)
    forged = cell(page, 1)
    widget = forged.locator(".jupyter-forge-approval")
    state = forged.locator(".jupyter-forge-status")
    expect(widget).to_be_visible(timeout=FORGE_TIMEOUT)
    expect(state).to_contain_text("did not pass after 1 attempt", timeout=FORGE_TIMEOUT)
    wait_idle(page, expect)
    # The cell failed, shown by its one state line only: no second error output.
    assert not forged.locator("[data-mime-type='application/vnd.jupyter.stderr']").count()
    assert "Traceback" not in forged.inner_text()
    forged.screenshot(path=str(ARTIFACTS / "one_state_failed.png"))

    widget.locator("button", has_text=re.compile(r"^\s*Edit\s*$")).click()
    editor = widget.locator("textarea")
    expect(editor).to_be_visible()
    editor.fill(FIXED_CODE)
    widget.locator("button", has_text="Save & validate").click()
    expect(state).to_contain_text("as you edited it", timeout=30_000)
    expect(widget).to_contain_text("edited by you from attempt 1")
    approve = widget.locator("button", has_text="Approve")
    expect(approve).to_be_enabled(timeout=30_000)
    forged.screenshot(path=str(ARTIFACTS / "one_state_edited.png"))

    approve.click()
    expect(state).to_contain_text("Approved", timeout=30_000)
    assert "did not pass" not in forged.inner_text()
    forged.screenshot(path=str(ARTIFACTS / "one_state_approved.png"))
    saved = nbformat.read(lab.root / LIBRARY / "slugify.ipynb", as_version=4)
    assert saved.metadata["jupyter_forge"]["approved"]["edited"]["from_attempt"] == 1


@pytest.mark.timeout(240)
def test_edit_in_a_cell_then_approve(lab: Lab, scripted_model: ScriptedModel, page: Any) -> None:
    """Fail → "Edit in a cell" → the notebook gets a `%%forge --edit` cell below the forge
    cell → fix the code there and run it → the same widget turns passed → Approve."""
    from playwright.sync_api import expect

    open_with_a_failing_forge(lab, scripted_model, page)

    run_cell(page, expect, 1)
    forged = cell(page, 1)
    widget = forged.locator(".jupyter-forge-approval")
    state = forged.locator(".jupyter-forge-status")
    expect(state).to_contain_text("did not pass after 1 attempt", timeout=FORGE_TIMEOUT)
    wait_idle(page, expect)
    approve = widget.locator("button", has_text="Approve")
    expect(approve).to_be_disabled()
    cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    expect(cells).to_have_count(3)

    widget.locator("button", has_text="Edit in a cell").click()

    # A new cell right below the forge cell, selected, holding the magic line and the code.
    expect(cells).to_have_count(4, timeout=30_000)
    edit_cell = cell(page, 2)
    expect(edit_cell).to_have_class(re.compile(r"\bjp-mod-active\b"))
    source = edit_cell.locator(".jp-InputArea-editor .cm-content")
    expect(source).to_contain_text("%%forge --edit slugify")
    expect(source).to_contain_text('"_".join(words)')
    expect(cell(page, 3)).to_contain_text('print(slugify("Data Science 101"))')
    expect(widget).to_contain_text("Added a cell", timeout=30_000)

    # Fix the code in the notebook's own editor, then run the edit cell.
    source.click()
    expect(source).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(f"%%forge --edit slugify\n{FIXED_CODE}")
    expect(source).to_contain_text('"-".join(words)')
    page.keyboard.press("Shift+Enter")
    edit_state = edit_cell.locator(".jupyter-forge-status")
    expect(edit_state).to_contain_text("your edit of slugify passed", timeout=30_000)
    expect(edit_state).to_contain_text("the widget under %%forge slugify shows it")

    # The same widget, above, now shows the edit as passed, and Approve is on.
    expect(state).to_contain_text("as you edited it", timeout=30_000)
    expect(widget).to_contain_text("edited by you from attempt 1")
    expect(approve).to_be_enabled(timeout=30_000)
    expect(page.locator(".jupyter-forge-approval")).to_have_count(1)
    wait_idle(page, expect)
    # One picture of both cells (the docs' edit_in_a_cell.png): a page tall enough for them.
    page.set_viewport_size({"width": 1400, "height": 1800})
    forged.evaluate("element => element.scrollIntoView({block: 'start'})")
    top, bottom = forged.bounding_box(), edit_cell.bounding_box()
    status_bar = page.locator("#jp-main-statusbar").bounding_box()
    assert top is not None and bottom is not None and status_bar is not None
    page.screenshot(
        path=str(ARTIFACTS / "edit_in_a_cell.png"),
        clip={
            "x": top["x"],
            "y": top["y"],
            "width": top["width"],
            "height": min(bottom["y"] + bottom["height"], status_bar["y"]) - top["y"],
        },
    )

    approve.click()
    expect(state).to_contain_text("Approved", timeout=30_000)
    saved = nbformat.read(lab.root / LIBRARY / "slugify.ipynb", as_version=4)
    assert any('"-".join(words)' in c.source for c in saved.cells if c.cell_type == "code")
    assert saved.metadata["jupyter_forge"]["approved"]["edited"]["from_attempt"] == 1
    errors = [e for e in page.forge_errors if "jupyter-forge" in e.lower() or "widget" in e.lower()]
    assert not errors, "\n".join(errors)
