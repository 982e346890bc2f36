"""The Forge Tools panel in a real JupyterLab and headless Chromium.

A prepared library shows in the sidebar; search filters it; a tool's code and samples
show on selection; "Insert call" writes the call into the active cell; a cell tagged
with "Mark as forge sample for…" reaches ``%%forge`` over the comm; approving the
forged tool makes it appear in the panel without a reload. Screenshots go to
``test-artifacts/ui/`` (panel_list.png, panel_detail.png, panel_after_approve.png).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from test_lab_approval import cell, run_cell, wait_idle
from ui_support import ARTIFACTS, Lab, missing_requirement, setup_source, write_code_notebook

from jupyter_forge.core.library import Library
from jupyter_forge.core.spec import Sample
from jupyter_forge.testing.scripted_llm import ScriptedModel

pytestmark = pytest.mark.skipif(
    missing_requirement() is not None, reason=str(missing_requirement())
)

NOTEBOOK = "panel_demo.ipynb"
LIBRARY = "forge_tools"
LAB_LOAD_TIMEOUT = 60_000
FORGE_TIMEOUT = 60_000
REFRESH_TIMEOUT = 15_000  # ms

SLUGIFY = '''import re


def slugify(title: str, sep: str = "-") -> str:
    """Turn a title into a URL slug."""
    return sep.join(re.findall(r"[a-z0-9]+", title.lower()))
'''
PARSE_MONEY = '''def parse_money(text: str) -> float:
    """Parse an amount of money like "$1,234.50"."""
    return float(text.replace("$", "").replace(",", ""))
'''
WORD_COUNT_REPLY = (
    "```python\n"
    "def word_count(text: str) -> int:\n"
    '    """Count the words in a text."""\n'
    "    return len(text.split())\n"
    "```"
)


@pytest.fixture(scope="module")
def forge_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A lab whose user library is a temp folder (never the real ~/.local), with two tools."""
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("panel-lab")
    (base / "config").mkdir()
    (base / "config" / "jupyter_server_config.json").write_text(
        # poll_seconds 0: the list only refreshes on kernel events or the refresh button,
        # so a new tool showing up proves the comm works (polling cannot hide a broken one).
        json.dumps({"ForgeTools": {"user_library": str(base / "user-tools"), "poll_seconds": 0}})
    )
    lab = Lab.start(base)
    try:
        # Signed with the server's own notary key (its JUPYTER_DATA_DIR): trusted there.
        library = Library(lab.root / LIBRARY, notary_dir=str(base / "data"))
        for name, code, description in (
            ("slugify", SLUGIFY, "Turn a title into a URL slug."),
            ("parse_money", PARSE_MONEY, "Parse an amount of money."),
        ):
            library.save(
                name=name,
                code=code,
                description=description,
                signature=f"{name}(...)",
                request=description,
                model="scripted",
                samples=[Sample(f"{name}('1')", "example", "'1'")],
                schema=None,
                validation={"passed": True},
            )
        yield lab
    finally:
        lab.stop()


def write_notebook(root: Path, sm: ScriptedModel) -> None:
    setup = setup_source(sm.model, sm.api_base, LIBRARY)
    cells = [
        setup,
        "",
        '>>> word_count("to be or not")\n4',
        "%%forge word_count\nCount the words in a text.",
    ]
    write_code_notebook(root / NOTEBOOK, cells)


def open_panel(page: Any, expect: Any) -> Any:
    page.locator('.jp-SideBar li[data-id="jupyter-forge-panel"]').click()
    panel = page.locator("#jupyter-forge-panel")
    expect(panel).to_be_visible()
    return panel


def items(panel: Any) -> Any:
    return panel.locator(".jp-ForgeTools-item")


@pytest.mark.timeout(240)
def test_panel_lists_searches_inserts_and_updates(
    forge_lab: Lab, scripted_model: ScriptedModel, page: Any
) -> None:
    from playwright.sync_api import expect

    lab = forge_lab
    write_notebook(lab.root, scripted_model)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(lab.page_url(f"lab/tree/{NOTEBOOK}") + "&reset", timeout=LAB_LOAD_TIMEOUT)
    expect(cell(page, 3)).to_be_visible(timeout=LAB_LOAD_TIMEOUT)
    wait_idle(page, expect, timeout=LAB_LOAD_TIMEOUT)

    # The panel lists the prepared library, with status and version.
    panel = open_panel(page, expect)
    expect(items(panel)).to_have_count(2)
    slug = panel.locator('.jp-ForgeTools-item[data-name="slugify"]')
    expect(slug).to_contain_text("Turn a title into a URL slug.")
    expect(slug).to_contain_text("v1")
    expect(slug.locator(".jp-ForgeTools-status")).to_have_text("approved")
    panel.screenshot(path=str(ARTIFACTS / "panel_list.png"))

    # Search goes through the server's ?q=.
    panel.locator(".jp-ForgeTools-search").fill("money")
    expect(items(panel)).to_have_count(1)
    expect(items(panel).first).to_have_attribute("data-name", "parse_money")
    panel.locator(".jp-ForgeTools-search").fill("")
    expect(items(panel)).to_have_count(2)

    # Selecting shows highlighted code and samples.
    slug.click()
    detail = panel.locator('.jp-ForgeTools-tool[data-name="slugify"]')
    expect(detail.locator(".jp-ForgeTools-code")).to_contain_text("def slugify")
    expect(detail.locator(".jp-ForgeTools-code pre span").first).to_be_visible()
    expect(detail.locator(".jp-ForgeTools-sample")).to_contain_text(">>> slugify('1')")
    # Times read as "just now" / "3 min ago", the exact local time on hover; never ISO.
    current = detail.locator(".jp-ForgeTools-historyItem").first
    expect(current).to_contain_text("current")
    expect(current).not_to_contain_text(re.compile(r"\d{4}-\d\d-\d\dT"))
    when = current.locator(".jp-ForgeTools-time")
    expect(when).to_have_text(re.compile(r"^(just now|\d+ min ago)$"))
    expect(when).to_have_attribute("title", re.compile(r"20\d\d"))
    expect(detail.locator(".jp-ForgeTools-provenance")).not_to_contain_text(
        re.compile(r"\d{4}-\d\d-\d\dT")
    )
    panel.screenshot(path=str(ARTIFACTS / "panel_detail.png"))

    # Insert call: into the active (empty) cell, parameters from the signature.
    cell(page, 1).locator(".jp-InputArea-editor .cm-content").click()
    expect(cell(page, 1)).to_have_class(re.compile(r"\bjp-mod-active\b"))
    detail.locator('button[data-action="Insert call"]').click()
    expect(cell(page, 1).locator(".cm-content")).to_have_text("slugify(title)")
    expect(detail.locator(".jp-ForgeTools-actionStatus")).to_contain_text("Inserted")

    # Set up the kernel, then tag cell 2 as a sample for word_count via the context menu.
    run_cell(page, expect, 0)
    expect(cell(page, 0).locator(".jp-InputPrompt")).to_have_text("[1]:", timeout=30_000)
    wait_idle(page, expect)
    cell(page, 2).locator(".jp-InputPrompt").click(button="right")
    page.locator(".lm-Menu-item", has_text="Mark as forge sample for…").click()
    dialog = page.locator(".jp-Dialog")
    # It offers the %%forge name below the cell first, then the library's tools.
    offered = dialog.locator("datalist option")
    expect(offered.first).to_have_attribute("value", "word_count")
    expect(dialog.locator('datalist option[value="slugify"]')).to_have_count(1)
    expect(dialog.locator("input")).to_have_value("word_count")
    expect(cell(page, 2)).not_to_have_class(re.compile(r"\bjp-forge-sampleCell\b"))
    dialog.locator("input").fill("word_count")
    dialog.locator("button.jp-mod-accept").click()
    expect(dialog).to_have_count(0)
    # The tagged cell wears a badge naming its tool.
    expect(cell(page, 2)).to_have_class(re.compile(r"\bjp-forge-sampleCell\b"))
    expect(cell(page, 2)).to_have_attribute("data-forge-sample", "sample for word_count")
    cell(page, 2).screenshot(path=str(ARTIFACTS / "sample_badge.png"))
    # The same command sits in the active cell's toolbar.
    cell(page, 2).locator(".jp-InputPrompt").click()
    tool_button = cell(page, 2).locator(
        '.jp-cell-toolbar [data-command="jupyter-forge:mark-sample"]'
    )
    expect(tool_button).to_be_visible()
    cell(page, 2).screenshot(path=str(ARTIFACTS / "panel_cell_toolbar.png"))
    tool_button.click()
    expect(dialog).to_contain_text("Mark as forge sample for")
    dialog.locator("button.jp-mod-reject").click()
    expect(dialog).to_have_count(0)

    # %%forge word_count picks the tagged cell up; approve; the panel shows the new tool.
    scripted_model.push(WORD_COUNT_REPLY)
    run_cell(page, expect, 3)
    widget = cell(page, 3).locator(".jupyter-forge-approval")
    expect(widget).to_be_visible(timeout=FORGE_TIMEOUT)
    expect(widget.locator("table.jupyter-forge-samples")).to_contain_text("to be or not")
    prompt = scripted_model.requests[-1]["messages"][-1]["content"]
    assert 'word_count("to be or not")' in prompt, prompt
    expect(panel.locator('.jp-ForgeTools-item[data-name="word_count"]')).to_have_count(0)
    widget.locator("button", has_text="Approve").click()
    expect(widget).to_contain_text("Approved", timeout=30_000)
    new_item = panel.locator('.jp-ForgeTools-item[data-name="word_count"]')
    expect(new_item).to_be_visible(timeout=REFRESH_TIMEOUT)
    expect(new_item.locator(".jp-ForgeTools-status")).to_have_text("approved")
    page.screenshot(path=str(ARTIFACTS / "panel_after_approve.png"))

    # The tag is in the saved notebook's cell metadata.
    cell(page, 2).locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 15
    tags: list[str] = []
    while time.monotonic() < deadline and "forge-sample:word_count" not in tags:
        time.sleep(0.25)
        saved = nbformat.read(lab.root / NOTEBOOK, as_version=4)
        tags = saved.cells[2].metadata.get("tags", [])
    assert "forge-sample:word_count" in tags, tags
    errors = [e for e in page.forge_errors if "forge" in e.lower()]
    assert not errors, "\n".join(errors)

    # After a page reload the panel finds the kernel that has jupyter_forge loaded and
    # reopens the comm by itself: a %forge remove there updates the list at once.
    page.reload()
    expect(cell(page, 3)).to_be_visible(timeout=LAB_LOAD_TIMEOUT)
    wait_idle(page, expect, timeout=LAB_LOAD_TIMEOUT)
    panel = open_panel(page, expect)
    expect(panel.locator('.jp-ForgeTools-item[data-name="word_count"]')).to_have_count(1)
    editor = cell(page, 1).locator(".jp-InputArea-editor .cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("%forge remove word_count")
    run_cell(page, expect, 1)
    expect(cell(page, 1).locator(".jp-OutputArea-output")).to_contain_text("Removed")
    expect(panel.locator('.jp-ForgeTools-item[data-name="word_count"]')).to_have_count(
        0, timeout=REFRESH_TIMEOUT
    )


@pytest.mark.timeout(240)
def test_panel_actions_and_bad_input(forge_lab: Lab, page: Any, tmp_path: Path) -> None:
    """Load into kernel, Open notebook, Deprecate; a corrupt notebook, a vanished folder and
    a dead kernel each give a clear message while the panel keeps working."""
    from playwright.sync_api import expect

    lab = forge_lab
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1")],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, lab.root / "actions.ipynb")
    # ?reset: a fresh workspace, not the other test's open notebook.
    page.goto(lab.page_url("lab/tree/actions.ipynb") + "&reset", timeout=LAB_LOAD_TIMEOUT)
    expect(cell(page, 0)).to_be_visible(timeout=LAB_LOAD_TIMEOUT)
    wait_idle(page, expect, timeout=LAB_LOAD_TIMEOUT)
    panel = open_panel(page, expect)
    money = panel.locator('.jp-ForgeTools-item[data-name="parse_money"]')

    # Load into kernel: a new cell runs %forge load, and the tool is defined there.
    cell(page, 0).locator(".jp-InputArea-editor .cm-content").click()
    money.click()
    detail = panel.locator('.jp-ForgeTools-tool[data-name="parse_money"]')
    detail.locator('button[data-action="Load into kernel"]').click()
    expect(cell(page, 1).locator(".cm-content")).to_have_text("%forge load parse_money")
    expect(cell(page, 1).locator(".jp-OutputArea-output")).to_contain_text(
        "Loaded 1 tool(s)", timeout=30_000
    )

    # An untrusted tool (signed elsewhere): flagged, and loading it shows the review widget.
    Library(lab.root / LIBRARY, notary_dir=str(tmp_path / "other-machine")).save(
        name="shout",
        code='def shout(text: str) -> str:\n    """Upper-case text."""\n    return text.upper()\n',
        description="Upper-case text.",
        signature="shout(text: str) -> str",
        request="Upper-case text.",
        model="scripted",
        samples=[Sample("shout('a')", "example", "'A'")],
        schema=None,
        validation={"passed": True},
    )
    try:
        panel.locator(".jp-ForgeTools-refresh").click()
        shout = panel.locator('.jp-ForgeTools-item[data-name="shout"]')
        expect(shout.locator(".jp-ForgeTools-status")).to_have_text("untrusted")
        shout.click()
        shout_detail = panel.locator('.jp-ForgeTools-tool[data-name="shout"]')
        expect(shout_detail.locator(".jp-ForgeTools-warning")).to_contain_text("Not trusted")
        shout_detail.locator('button[data-action="Load into kernel"]').click()
        expect(cell(page, 2).locator(".cm-content")).to_have_text("%forge load shout")
        review = cell(page, 2).locator(".jupyter-forge-approval")
        expect(review).to_be_visible(timeout=FORGE_TIMEOUT)
        expect(review).to_contain_text("NOT trusted")
        expect(review.locator("button", has_text="Approve")).to_be_enabled()
        expect(shout_detail.locator(".jp-ForgeTools-actionStatus")).to_contain_text(
            "review it there"
        )
    finally:
        (lab.root / LIBRARY / "shout.ipynb").unlink()
    panel.locator(".jp-ForgeTools-refresh").click()
    expect(panel.locator('.jp-ForgeTools-item[data-name="shout"]')).to_have_count(0)
    money.click()

    # Open notebook: the tool's notebook opens in a new tab.
    detail.locator('button[data-action="Open notebook"]').click()
    expect(page.locator(".lm-TabBar-tab", has_text="parse_money.ipynb")).to_be_visible()

    # Deprecate asks why, and the list shows it.
    detail.locator('button[data-action="Deprecate"]').click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("input").fill("use money_v2")
    dialog.locator("button.jp-mod-accept").click()
    expect(money.locator(".jp-ForgeTools-status")).to_have_text("deprecated")
    expect(detail.locator(".jp-ForgeTools-warning")).to_contain_text("use money_v2")
    detail.locator('button[data-action="Undeprecate"]').click()
    expect(money.locator(".jp-ForgeTools-status")).to_have_text("approved")

    # A corrupt notebook: listed as skipped, the others still served.
    message = panel.locator(".jp-ForgeTools-message")
    broken = lab.root / LIBRARY / "broken.ipynb"
    broken.write_text("{ not json")
    refresh = panel.locator(".jp-ForgeTools-refresh")
    refresh.click()
    expect(message).to_contain_text("Skipped 1 unreadable notebook", timeout=REFRESH_TIMEOUT)
    expect(money).to_be_visible()
    broken.unlink()
    refresh.click()
    expect(message).to_be_hidden(timeout=REFRESH_TIMEOUT)

    # The library folder vanishes: an empty list and why; it comes back: listed again.
    gone = lab.root / "forge_tools_moved"
    (lab.root / LIBRARY).rename(gone)
    refresh.click()
    try:
        expect(items(panel)).to_have_count(0, timeout=REFRESH_TIMEOUT)
        expect(message).to_contain_text("does not exist", timeout=REFRESH_TIMEOUT)
    finally:
        gone.rename(lab.root / LIBRARY)
    refresh.click()
    expect(money).to_be_visible(timeout=REFRESH_TIMEOUT)

    # The kernel dies: Load into kernel says so; the panel keeps listing.
    page.locator(".lm-TabBar-tab", has_text="actions.ipynb").click()
    for kernel in lab.api("kernels"):
        lab.api(f"kernels/{kernel['id']}", method="DELETE")
    kernel_status = page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\|\s*Idle$"))
    expect(kernel_status).to_have_count(0, timeout=REFRESH_TIMEOUT)
    money.click()
    detail.locator('button[data-action="Load into kernel"]').click()
    expect(detail.locator(".jp-ForgeTools-actionStatus")).to_contain_text(
        "No running kernel", timeout=REFRESH_TIMEOUT
    )
    expect(items(panel)).to_have_count(lab_tool_count(lab))
    page.screenshot(path=str(ARTIFACTS / "panel_actions.png"))


def lab_tool_count(lab: Lab) -> int:
    return len(list((lab.root / LIBRARY).glob("*.ipynb")))
