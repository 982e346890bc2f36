"""The approval widget, driven the way ipywidgets' own tests drive widgets.

No kernel: ``comm.create_comm`` is swapped for a recording comm (ipywidgets'
``DummyComm`` idea, with a unique id per widget), and clicks arrive through the
widget's own message handler (``_handle_msg``) as a front end would send them.
Results come from the real ``Forge.create``/``revalidate`` against the scripted
model and the real sandbox.
"""

from __future__ import annotations

import html
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import comm
import pytest
from kernel_helpers import PARSE_MONEY_CELL, PARSE_MONEY_CODE, click, reply_for, set_from_front_end

from jupyter_forge.core.errors import ForgeError, ModelError
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import parse_cell
from jupyter_forge.forge import Forge
from jupyter_forge.kernel.approval import ApprovalWidget
from jupyter_forge.testing.scripted_llm import ScriptedModel


class RecordingComm:
    """Stands in for a kernel comm: records what the widget sends to the front end."""

    kernel = "Truthy"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.comm_id = uuid.uuid4().hex
        self.messages: list[dict[str, Any]] = []

    def open(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_msg(self, callback: Any) -> None:
        self.callback = callback

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.messages.append(data)

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass


@pytest.fixture(autouse=True)
def recording_comm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm())


def sent_state(widget: Any) -> dict[str, Any]:
    """Everything the widget told the front end via ``update`` messages, merged."""
    state: dict[str, Any] = {}
    for message in widget.comm.messages:
        if message.get("method") == "update":
            state.update(message["state"])
    return state


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    with ScriptedModel() as sm:
        yield sm


@pytest.fixture
def forge(model: ScriptedModel, tmp_path: Path) -> Forge:
    return Forge(model=model.model, api_base=model.api_base, library=str(tmp_path / "lib"))


def make(forge: Forge, model: ScriptedModel, *replies: str, cell: str = PARSE_MONEY_CELL) -> Any:
    model.push(*replies)
    return forge.create(parse_cell("parse_money", cell), attempts=len(replies))


GOOD = reply_for(PARSE_MONEY_CODE)
BAD = reply_for(
    'import subprocess\n\n\ndef parse_money(text: str) -> float:\n    """Parse."""\n'
    "    return float(text.strip('$()').replace(',', ''))\n"
)


class Calls:
    """Records callback invocations (and which thread made them)."""

    def __init__(self, answer: Any = "done") -> None:
        self.args: list[tuple[Any, ...]] = []
        self.threads: list[threading.Thread] = []
        self.answer = answer

    def __call__(self, *args: Any) -> Any:
        self.args.append(args)
        self.threads.append(threading.current_thread())
        answer = self.answer
        if isinstance(answer, BaseException):
            raise answer
        return answer(*args) if callable(answer) else answer


def widget_for(result: ForgeResult, **kwargs: Any) -> ApprovalWidget:
    kwargs.setdefault("on_approve", Calls("Approved it."))
    layers = result.report.layers if result.report else []
    return ApprovalWidget(result, layers=layers, **kwargs)


def test_html_shows_code_samples_findings_and_layers(forge: Forge, model: ScriptedModel) -> None:
    result = make(forge, model, BAD)
    assert not result.passed
    widget = widget_for(result)

    assert "parse_money" in widget.header.value and "failed" in widget.header.value
    assert "1 attempt " in widget.header.value and "openai/scripted" in widget.header.value
    code = widget.code_view.value
    assert "jupyter-forge-code" in code and "<span" in code  # pygments, inline styles
    assert "parse_money</span>" in code and "subprocess" in code
    samples = widget.samples_view.value
    rows = samples.split("<tr>")[2:]
    assert len(rows) == 2
    assert "✔ pass" in rows[0] and "parse_money(&quot;$1,234.50&quot;)" in rows[0]
    assert "✘ fail" in rows[1] and "parse_money(&quot;(12.00)&quot;) == -12.0" in rows[1]
    assert "AssertionError" in rows[1]
    notes = widget.notes_view.value
    assert "Review these" in notes and "imports subprocess" in notes
    assert "starts processes" in notes
    assert "Validated in a sandbox" in notes
    for layer in result.report.layers:
        assert layer.split(" (")[0] in notes
    assert widget.approve_button.disabled
    assert "passes its samples" in widget.approve_button.tooltip


def test_html_of_a_passing_result(forge: Forge, model: ScriptedModel) -> None:
    widget = widget_for(make(forge, model, GOOD))
    assert "✔ passed" in widget.header.value
    assert widget.samples_view.value.count("✔ pass") == 2
    assert "✘" not in widget.samples_view.value
    assert "Review these" not in widget.notes_view.value  # `re` touches nothing outside
    assert not widget.approve_button.disabled


def test_hints_written_from_the_samples_are_pointed_out(forge: Forge, model: ScriptedModel) -> None:
    untyped = PARSE_MONEY_CODE.replace("(text: str) -> float:", "(text):")
    result = make(forge, model, reply_for(untyped))
    assert result.code is not None and "def parse_money(text: str) -> float:" in result.code
    widget = widget_for(result)
    shown = html.unescape(re.sub(r"<[^>]+>", "", widget.code_view.value))
    assert "def parse_money(text: str) -> float:" in shown  # the reviewer sees the typed code
    notes = widget.notes_view.value
    assert "Type hints for `text`, the return type come from the values the samples" in notes
    assert "Still missing" not in notes


def test_approve_calls_back_once_and_locks_the_widget(forge: Forge, model: ScriptedModel) -> None:
    result = make(forge, model, GOOD)
    on_approve = Calls("Approved: `parse_money` v1 is defined.")
    widget = widget_for(result, on_approve=on_approve)

    click(widget.approve_button)

    assert on_approve.args == [(result,)]
    assert widget.decision == "approved"
    assert "Approved: <code>parse_money</code> v1 is defined." in widget.status.value
    for button in (widget.approve_button, widget.reject_button, widget.regenerate_button):
        assert button.disabled
    # The front end was told, not just the Python object.
    assert sent_state(widget.approve_button)["disabled"] is True
    assert "Approved" in sent_state(widget.status)["value"]


def test_double_click_does_not_approve_twice(forge: Forge, model: ScriptedModel) -> None:
    on_approve = Calls()
    widget = widget_for(make(forge, model, GOOD), on_approve=on_approve)
    click(widget.approve_button)
    click(widget.approve_button)
    widget.approve()
    assert len(on_approve.args) == 1


def test_approve_is_disabled_for_a_failed_result(forge: Forge, model: ScriptedModel) -> None:
    on_approve = Calls()
    widget = widget_for(make(forge, model, BAD), on_approve=on_approve)

    click(widget.approve_button)  # a forged message from a front end: still refused

    assert on_approve.args == []
    assert widget.decision is None
    assert not widget.reject_button.disabled


def test_reject(forge: Forge, model: ScriptedModel) -> None:
    on_approve = Calls()
    widget = widget_for(make(forge, model, GOOD), on_approve=on_approve, on_regenerate=Calls())

    click(widget.reject_button)
    click(widget.approve_button)
    click(widget.regenerate_button)
    click(widget.edit_button)

    assert widget.decision == "rejected"
    assert "Rejected: <code>parse_money</code> was not defined" in widget.status.value
    assert on_approve.args == []
    assert widget.edit_box.layout.display == "none"
    assert all(b.disabled for b in (widget.approve_button, widget.reject_button))


def test_reject_callback_message(forge: Forge, model: ScriptedModel) -> None:
    on_reject = Calls("Thrown away.")
    widget = widget_for(make(forge, model, GOOD), on_reject=on_reject)
    click(widget.reject_button)
    assert len(on_reject.args) == 1 and "Thrown away." in widget.status.value


def test_forge_error_in_approve_is_shown_and_retry_works(
    forge: Forge, model: ScriptedModel
) -> None:
    on_approve = Calls(ForgeError("the library folder is read-only: choose another"))
    widget = widget_for(make(forge, model, GOOD), on_approve=on_approve)

    click(widget.approve_button)

    assert widget.decision is None
    assert "read-only" in widget.status.value and "#cf222e" in widget.status.value
    assert not widget.approve_button.disabled and not widget.reject_button.disabled

    on_approve.answer = "Approved after all."
    click(widget.approve_button)
    assert widget.decision == "approved" and "Approved after all." in widget.status.value
    assert len(on_approve.args) == 2


def test_unexpected_error_in_approve_is_shown(forge: Forge, model: ScriptedModel) -> None:
    widget = widget_for(make(forge, model, GOOD), on_approve=Calls(RuntimeError("boom")))
    click(widget.approve_button)
    assert "approval failed: RuntimeError: boom" in widget.status.value
    assert widget.decision is None and not widget.approve_button.disabled


def test_edit_shows_the_code_and_a_good_edit_enables_approve(
    forge: Forge, model: ScriptedModel
) -> None:
    result = make(forge, model, BAD)
    on_edit = Calls(lambda r, code: forge.revalidate(r, code))
    on_approve = Calls()
    widget = widget_for(result, on_edit=on_edit, on_approve=on_approve)
    assert widget.approve_button.disabled

    click(widget.edit_button)
    assert widget.edit_box.layout.display == "flex"
    assert widget.editor.value == result.code
    assert sent_state(widget.editor)["value"] == result.code

    set_from_front_end(widget.editor, value=PARSE_MONEY_CODE)
    click(widget.save_button)
    widget.wait(30)

    assert on_edit.args[0][1] == PARSE_MONEY_CODE
    assert on_edit.threads[0] is not threading.main_thread()
    assert widget.edit_box.layout.display == "none"
    assert widget.result.passed
    assert not widget.approve_button.disabled
    assert "passed (2/2 samples passed)" in widget.status.value
    assert widget.samples_view.value.count("✔ pass") == 2
    assert "subprocess" not in widget.notes_view.value
    click(widget.approve_button)
    assert on_approve.args[0][0].code == PARSE_MONEY_CODE


def test_a_bad_edit_shows_the_failure(forge: Forge, model: ScriptedModel) -> None:
    widget = widget_for(make(forge, model, GOOD), on_edit=lambda r, code: forge.revalidate(r, code))
    assert not widget.approve_button.disabled

    click(widget.edit_button)
    set_from_front_end(widget.editor, value="def parse_money(text: str) -> float\n    return 1.0\n")
    click(widget.save_button)
    widget.wait(30)

    assert not widget.result.passed
    assert widget.approve_button.disabled
    assert "did not pass" in widget.status.value and "syntax error" in widget.status.value
    assert "syntax error" in widget.notes_view.value
    assert "failed" in widget.header.value


def test_cancel_closes_the_editor_without_validating(forge: Forge, model: ScriptedModel) -> None:
    on_edit = Calls()
    widget = widget_for(make(forge, model, GOOD), on_edit=on_edit)
    click(widget.edit_button)
    click(widget.cancel_button)
    assert widget.edit_box.layout.display == "none"
    assert on_edit.args == []


def test_regenerate_runs_in_the_background_and_updates_the_display(
    forge: Forge, model: ScriptedModel
) -> None:
    first = make(forge, model, BAD)
    release = threading.Event()
    started = threading.Event()

    def regenerate(previous: ForgeResult) -> ForgeResult:
        started.set()
        assert release.wait(10)
        model.push(GOOD)
        return forge.create(previous.spec, attempts=1)

    on_regenerate = Calls(regenerate)
    widget = widget_for(first, on_regenerate=on_regenerate)

    click(widget.regenerate_button)
    assert started.wait(10)
    # The click handler returned while the job runs: the kernel stays responsive.
    assert "Regenerating" in widget.status.value
    assert all(
        b.disabled for b in (widget.approve_button, widget.reject_button, widget.regenerate_button)
    )
    click(widget.regenerate_button)  # ignored while busy
    widget.regenerate()
    release.set()
    widget.wait(30)

    assert len(on_regenerate.args) == 1 and on_regenerate.args[0][0] is first
    assert on_regenerate.threads[0] is not threading.main_thread()
    assert widget.result is not first and widget.result.passed
    assert "✔ passed" in widget.header.value
    assert "subprocess" not in widget.code_view.value
    assert not widget.approve_button.disabled and not widget.regenerate_button.disabled
    assert "passed" in widget.status.value
    assert sent_state(widget.approve_button)["disabled"] is False


def test_regenerate_failure_is_shown_and_keeps_the_old_result(
    forge: Forge, model: ScriptedModel
) -> None:
    first = make(forge, model, GOOD)
    widget = widget_for(first, on_regenerate=Calls(ModelError("cannot reach model `x`")))

    click(widget.regenerate_button)
    widget.wait(30)

    assert "cannot reach model" in widget.status.value and "#cf222e" in widget.status.value
    assert widget.result is first
    assert not widget.approve_button.disabled and not widget.regenerate_button.disabled


def test_without_callbacks_regenerate_and_edit_are_hidden(
    forge: Forge, model: ScriptedModel
) -> None:
    widget = widget_for(make(forge, model, GOOD))
    assert widget.regenerate_button.layout.display == "none"
    assert widget.edit_button.layout.display == "none"
    click(widget.regenerate_button)
    click(widget.edit_button)
    assert widget.edit_box.layout.display == "none"
    assert widget._worker is None


def test_custom_title_and_a_result_without_code(forge: Forge, model: ScriptedModel) -> None:
    spec = parse_cell("parse_money", PARSE_MONEY_CELL)
    widget = widget_for(
        ForgeResult(spec=spec, model="m", error="the model answered no code"), title="needs review"
    )
    assert "needs review" in widget.header.value
    assert "No code." in widget.code_view.value
    assert "the model answered no code" in widget.notes_view.value
    assert widget.approve_button.disabled


def test_a_click_on_approve_while_regenerating_is_ignored(
    forge: Forge, model: ScriptedModel
) -> None:
    """A click that raced the 'disabled' update must not approve what is being replaced."""
    first = make(forge, model, GOOD)
    release, started = threading.Event(), threading.Event()

    def regenerate(previous: ForgeResult) -> ForgeResult:
        started.set()
        assert release.wait(10)
        model.push(GOOD)
        return forge.create(previous.spec, attempts=1)

    on_approve = Calls()
    widget = widget_for(first, on_approve=on_approve, on_regenerate=regenerate)
    click(widget.regenerate_button)
    assert started.wait(10)

    click(widget.approve_button)
    click(widget.reject_button)
    release.set()
    widget.wait(30)

    assert on_approve.args == [] and widget.decision is None
    assert not widget.approve_button.disabled
    click(widget.approve_button)
    assert on_approve.args == [(widget.result,)] and widget.result is not first


def test_saving_an_edit_while_busy_keeps_the_edit() -> None:
    from jupyter_forge.core.result import ForgeResult
    from jupyter_forge.core.spec import ForgeSpec

    result = ForgeResult(
        spec=ForgeSpec("f", "Do it.", ()), model="m", code="def f() -> int:\n    return 1\n"
    )
    edits: list[str] = []
    widget = ApprovalWidget(
        result, on_approve=lambda r: "ok", on_edit=lambda r, code: (edits.append(code), r)[1]
    )
    widget.open_editor()
    widget.editor.value = "def f() -> int:\n    return 2\n"
    hold = widget._busy
    assert isinstance(hold, type(threading.Lock()))
    hold.acquire()
    try:
        widget.save_edit()
        assert widget.edit_box.layout.display == "flex"  # still open, edit kept
        assert widget.editor.value.endswith("return 2\n")
        assert "Still working" in widget.status.value
        assert edits == []
    finally:
        hold.release()
