"""``%%forge --edit NAME`` and the widget's "Edit in a cell", in a real IPython shell
against the scripted model and the real sandbox.

The edit cell updates THE SAME widget as its Edit → Save would (same validation, same
provenance), and says in one line how it went; a failing one fails the cell.
"""

from __future__ import annotations

import html
import re

import nbformat
import pytest
from kernel_helpers import (
    PARSE_MONEY_CELL,
    PARSE_MONEY_CODE,
    PARSE_MONEY_WRONG,
    Kernel,
    click,
    state_line,
)

from jupyter_forge.core.errors import SpecError
from jupyter_forge.core.library import Library
from jupyter_forge.kernel import comm
from jupyter_forge.kernel.progress import ShownInCell
from jupyter_forge.testing.scripted_llm import ScriptedModel

FORGE = "%%forge parse_money --attempts 1\n" + PARSE_MONEY_CELL
BROKEN = 'def parse_money(text: str) -> float:\n    """Broken."""\n    return 0.0\n'
WRONG_CODE = PARSE_MONEY_WRONG.removeprefix("```python\n").removesuffix("```")


def edit(code: str, name: str = "parse_money") -> str:
    return f"%%forge --edit {name}\n{code}"


def test_an_edit_cell_updates_the_same_widget_and_is_saved_as_a_persons_edit(
    kernel: Kernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_WRONG)
    kernel.fails(FORGE, ShownInCell)
    widget = kernel.magics.pending["parse_money"]
    assert widget.approve_button.disabled

    _, captured = kernel.ok(edit(PARSE_MONEY_CODE))

    assert kernel.magics.pending["parse_money"] is widget  # the same widget, no new one
    line = state_line(captured)
    assert line.startswith("forge · your edit of `parse_money` passed (2/2 samples passed)")
    assert "the widget under `%%forge parse_money` shows it; approve it there" in line
    assert "\n" not in line and captured.stdout.strip() == ""
    assert widget.result.passed and widget.result.code == PARSE_MONEY_CODE
    assert not widget.approve_button.disabled
    assert "edited by you from attempt 1" in widget.header.value
    assert len(model.requests) == 1  # no model call for an edit
    assert "parse_money" not in kernel.ns  # validated in the sandbox, not defined

    click(widget.approve_button)
    assert kernel.ns["parse_money"]("(5)") == -5.0
    approved = Library(kernel.library).get("parse_money").approved
    assert approved["edited"]["from_attempt"] == 1 and approved["edited"]["by"]
    assert "+    t = text.strip()" in approved["edited"]["diff"]


def test_a_failing_edit_cell_fails_with_one_line_and_revert_brings_back_the_passing_code(
    kernel: Kernel, model: ScriptedModel
) -> None:
    kernel.library.mkdir()  # an existing library: the audit log records the revert
    model.push(f"```python\n{PARSE_MONEY_CODE}```")
    kernel.ok(FORGE)
    widget = kernel.magics.pending["parse_money"]
    passing = widget.result.code

    result, _ = kernel.fails(edit(BROKEN), ShownInCell)

    line = str(result.error_in_exec)
    assert line.startswith("your edit of `parse_money` did not pass: ")
    assert (
        '0/2 samples passed; `parse_money("$1,234.50")` failed: expected 1234.5 but got 0.0' in line
    )
    assert len(line) < 400
    assert line.endswith(
        "the widget under `%%forge parse_money` shows it, Revert goes back to the last "
        "version that passed"
    )
    assert not widget.result.passed and widget.approve_button.disabled
    assert widget.revert_button.layout.display is None
    assert "Revert goes back" in widget.status.value

    click(widget.revert_button)
    assert widget.result.passed and widget.result.code == passing
    assert not widget.approve_button.disabled
    click(widget.approve_button)
    saved = nbformat.read(kernel.library / "parse_money.ipynb", as_version=4)
    assert "edited" not in saved.metadata["jupyter_forge"]["approved"]  # the model's code
    assert '"action": "revert"' in (kernel.library / ".forge_audit.jsonl").read_text()


def test_an_edit_cell_without_an_open_widget_fails_and_says_what_to_do(
    kernel: Kernel, model: ScriptedModel
) -> None:
    result, _ = kernel.fails(edit(PARSE_MONEY_CODE), SpecError)
    assert "no approval widget for `parse_money` is open in this kernel" in str(
        result.error_in_exec
    )
    assert "run its `%%forge parse_money` cell" in str(result.error_in_exec)

    model.push(f"```python\n{PARSE_MONEY_CODE}```")
    kernel.ok(FORGE)
    click(kernel.magics.pending["parse_money"].approve_button)  # decided: no more edits
    result, _ = kernel.fails(edit(BROKEN), SpecError)
    assert "approved, rejected, or the kernel restarted" in str(result.error_in_exec)
    assert kernel.ns["parse_money"]("$2") == 2.0  # the approved tool is untouched


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("%%forge --edit", "needs the tool name"),
        ("%%forge --edit parse_money --model x", "takes only the tool name, not --model"),
        ("%%forge parse_money --edit --no-persist", "not --no-persist"),
        ("%%forge --edit 'not a name'", "not a valid"),
    ],
)
def test_edit_takes_only_a_tool_name(kernel: Kernel, line: str, message: str) -> None:
    result, _ = kernel.fails(f"{line}\n{PARSE_MONEY_CODE}", SpecError)
    assert message in str(result.error_in_exec)


def test_edit_in_a_cell_without_a_front_end_shows_a_cell_that_works_when_pasted(
    kernel: Kernel, model: ScriptedModel
) -> None:
    """Plain IPython, VS Code, nbclient: no comm, so the widget shows the cell to paste."""
    model.push(PARSE_MONEY_WRONG)
    kernel.fails(FORGE, ShownInCell)
    widget = kernel.magics.pending["parse_money"]

    click(widget.cell_button)

    assert "paste the cell below into a new cell and run it" in widget.status.value
    pasted = html.unescape(re.sub(r"<[^>]+>", "", widget.paste_view.value))
    assert pasted == edit(WRONG_CODE)
    # The person fixes the code in the pasted cell and runs it.
    magic_line = pasted.split("\n", 1)[0]
    kernel.ok(f"{magic_line}\n{PARSE_MONEY_CODE}")
    assert widget.result.passed, widget.status.value


def test_edit_in_a_cell_asks_the_front_end_that_clicked(
    kernel: Kernel, model: ScriptedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With JupyterLab: the click's front end gets ``insert_cell`` naming the widget and
    the forge cell, and its answer reaches the widget."""
    sent: list[dict[str, object]] = []

    class Lab:
        def on_msg(self, handler: object) -> None:
            self.handler = handler

        def on_close(self, handler: object) -> None:
            self.closer = handler

        def send(self, data: dict[str, object]) -> None:
            sent.append(data)

    lab = Lab()
    comm._on_open(lab, {"header": {"session": "browser-1"}})
    try:
        parents = iter([{"metadata": {"cellId": "forge-cell"}}] * 50)
        monkeypatch.setattr(kernel.magics.session, "parent_message", lambda: next(parents))
        model.push(PARSE_MONEY_WRONG)
        kernel.fails(FORGE, ShownInCell)
        widget = kernel.magics.pending["parse_money"]
        monkeypatch.setattr(
            kernel.magics.session, "parent_message", lambda: {"header": {"session": "browser-1"}}
        )

        click(widget.cell_button)

        [request] = [m for m in sent if m.get("event") == "insert_cell"]
        assert request["source"] == edit(WRONG_CODE)
        assert request["widget_id"] == widget.model_id
        assert request["cell_id"] == "forge-cell"
        assert "Adding a cell" in widget.status.value
        lab.handler(
            {
                "content": {
                    "data": {"event": "cell_inserted", "request": request["request"], "ok": True}
                }
            }
        )
        assert "Added a cell <code>%%forge --edit parse_money</code>" in widget.status.value
        assert widget.paste_view.value == ""
    finally:
        lab.closer({})
        comm._waiting.clear()
