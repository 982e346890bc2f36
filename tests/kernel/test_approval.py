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
from kernel_helpers import (
    PARSE_MONEY_CELL,
    PARSE_MONEY_CODE,
    Kernel,
    click,
    reply_for,
    set_from_front_end,
)

from jupyter_forge.core.errors import ForgeError, ModelError, SpecError
from jupyter_forge.core.probes import ProbeResult
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import Sample, parse_cell
from jupyter_forge.core.word_checks import CHECKS_SYSTEM, WordChecks
from jupyter_forge.forge import Forge
from jupyter_forge.kernel.approval import ApprovalWidget
from jupyter_forge.kernel.approval_view import STREAM_REDRAW_SECONDS
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
    layers = result.report.layers
    # One summary line; the layers only in the expandable list under it.
    assert f"Validated in a sandbox: {len(layers)} layers ✓</summary>" in notes
    assert notes.count("<details class='jupyter-forge-layers'") == 1
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


@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_after_the_decision_the_header_says_it_not_what_approve_would_do(
    forge: Forge, model: ScriptedModel, decision: str
) -> None:
    title = "forged · Approve saves it to /tmp/tools"
    widget = widget_for(make(forge, model, GOOD), title=title)
    assert "Approve saves it to" in widget.header.value
    click(widget.approve_button if decision == "approved" else widget.reject_button)
    assert widget.decision == decision
    assert "Approve saves" not in widget.header.value
    assert f"<b>parse_money</b> {decision} ·" in widget.header.value
    assert "Approve saves" not in sent_state(widget.header)["value"]


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
    states: list[tuple[str, str]] = []
    widget = widget_for(
        first, on_regenerate=on_regenerate, on_state=lambda line, kind: states.append((line, kind))
    )

    click(widget.regenerate_button)
    assert started.wait(10)
    # The click handler returned while the job runs: the kernel stays responsive.
    assert "Regenerating" in widget.status.value
    assert states[-1] == ("Regenerating…", "")  # the cell's one line says so too
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
    assert states[-1][1] == "passed"


def test_streamed_tokens_are_escaped_throttled_and_cleared_when_the_result_shows(
    forge: Forge, model: ScriptedModel
) -> None:
    first = make(forge, model, BAD)
    widget = widget_for(first)
    now = [1000.0]
    widget.stream_clock = lambda: now[0]
    widget.stream("def f():\n    return '<script>'")
    shown = widget.stream_view.value
    assert "&lt;script&gt;" in shown and "<script>" not in shown
    widget.stream(" + 'more'")  # within the redraw interval: buffered, not sent
    assert widget.stream_view.value == shown
    now[0] += 2 * STREAM_REDRAW_SECONDS  # the interval has passed
    widget.stream("!")
    assert "+ &#x27;more&#x27;!" in widget.stream_view.value
    widget.stream("x" * 10_000)
    now[0] += 2 * STREAM_REDRAW_SECONDS
    widget.stream("y")
    assert len(widget.stream_view.value) < 5_000  # only the tail is kept on screen
    widget.show(first)
    assert widget.stream_view.value == ""


def test_regenerate_failure_is_shown_and_keeps_the_old_result(
    forge: Forge, model: ScriptedModel
) -> None:
    first = make(forge, model, GOOD)
    states: list[tuple[str, str]] = []
    widget = widget_for(
        first,
        on_regenerate=Calls(ModelError("cannot reach model `x`")),
        on_state=lambda line, kind: states.append((line, kind)),
    )

    click(widget.regenerate_button)
    widget.wait(30)

    assert "cannot reach model" in widget.status.value and "#cf222e" in widget.status.value
    # The cell's line is true again: the version shown, and why the new one is not there.
    line, kind = states[-1]
    assert kind == first.verdict == "passed"
    assert line.startswith(first.status_line()) and "(regenerating stopped: cannot reach" in line
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
    assert widget.background_jobs == 0


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
    with widget.hold():
        assert widget.busy
        widget.save_edit()
        assert widget.edit_box.layout.display == "flex"  # still open, edit kept
        assert widget.editor.value.endswith("return 2\n")
        assert "Still working" in widget.status.value
        assert edits == []


# -- the editor keeps a failing edit, Approve waits for Save/Cancel, Revert ----------------

BROKEN = 'def parse_money(text: str) -> float:\n    """Broken."""\n    return 0.0\n'


def editing_widget(forge: Forge, model: ScriptedModel, *replies: str, **kwargs: Any) -> Any:
    kwargs.setdefault("on_edit", lambda r, code: forge.revalidate(r, code))
    kwargs.setdefault("on_revert", forge.revert)
    return widget_for(make(forge, model, *replies), **kwargs)


def test_a_failing_save_keeps_the_editor_open_with_the_typed_text(
    forge: Forge, model: ScriptedModel
) -> None:
    widget = editing_widget(forge, model, GOOD)
    click(widget.edit_button)
    set_from_front_end(widget.editor, value=BROKEN)
    click(widget.save_button)
    widget.wait(30)

    assert not widget.result.passed and widget.result.code == BROKEN
    assert widget.edit_box.layout.display == "flex"  # still open: fix it and save again
    assert widget.editor.value == BROKEN
    assert widget.approve_button.disabled
    assert "did not pass" in widget.status.value and "Revert goes back" in widget.status.value

    set_from_front_end(widget.editor, value=PARSE_MONEY_CODE)
    click(widget.save_button)
    widget.wait(30)
    assert widget.result.passed and widget.edit_box.layout.display == "none"
    assert not widget.approve_button.disabled


def test_approve_is_off_while_the_editor_is_open(forge: Forge, model: ScriptedModel) -> None:
    on_approve = Calls()
    widget = editing_widget(forge, model, GOOD, on_approve=on_approve)
    assert not widget.approve_button.disabled

    click(widget.edit_button)
    assert widget.approve_button.disabled
    assert sent_state(widget.approve_button)["disabled"] is True  # the browser was told
    assert "Save or Cancel" in widget.approve_button.tooltip
    set_from_front_end(widget.editor, value=BROKEN)
    click(widget.approve_button)  # a click that raced the update: the typed edit is kept
    assert on_approve.args == [] and widget.decision is None
    assert "Save or Cancel your edit first" in widget.status.value
    assert widget.editor.value == BROKEN

    click(widget.cancel_button)
    assert not widget.approve_button.disabled and widget.approve_button.tooltip == ""
    click(widget.edit_button)
    set_from_front_end(widget.editor, value=PARSE_MONEY_CODE.replace("Parse", "Read"))
    click(widget.save_button)
    widget.wait(30)
    assert widget.result.passed and not widget.approve_button.disabled
    click(widget.approve_button)
    assert on_approve.args and "Read a money" in on_approve.args[0][0].code


def test_revert_restores_the_last_passing_version(forge: Forge, model: ScriptedModel) -> None:
    on_approve = Calls()
    widget = editing_widget(forge, model, GOOD, on_approve=on_approve)
    passing = widget.result.code
    assert widget.revert_button.layout.display == "none"  # nothing to go back to

    click(widget.edit_button)
    set_from_front_end(widget.editor, value=BROKEN)
    click(widget.save_button)
    widget.wait(30)
    click(widget.cancel_button)
    assert widget.revert_button.layout.display is None  # shown now
    assert sent_state(widget.revert_button.layout)["display"] is None
    click(widget.approve_button)  # the failing version cannot be approved
    assert on_approve.args == []

    click(widget.revert_button)

    assert widget.result.passed and widget.result.code == passing
    assert "Reverted to the last version that passed" in widget.status.value
    assert widget.samples_view.value.count("✔ pass") == 2
    assert "Broken" not in widget.code_view.value and "parse_money" in widget.code_view.value
    assert widget.revert_button.layout.display == "none"
    click(widget.approve_button)
    assert on_approve.args[0][0].code == passing


def test_revert_is_hidden_without_a_callback_and_refused_while_busy(
    forge: Forge, model: ScriptedModel
) -> None:
    widget = editing_widget(forge, model, GOOD, on_revert=None)
    widget.edit_from_cell(BROKEN)
    assert widget.revert_button.layout.display == "none"

    on_revert = Calls(forge.revert)
    widget = editing_widget(forge, model, GOOD, on_revert=on_revert)
    widget.edit_from_cell(BROKEN)
    with widget.hold():
        widget.revert()
    assert on_revert.args == [] and "Still working" in widget.status.value
    assert widget.revert_button.layout.display is None


def test_edit_from_cell_validates_now_and_shows_the_outcome(
    forge: Forge, model: ScriptedModel
) -> None:
    on_edit = Calls(lambda r, code: forge.revalidate(r, code))
    widget = editing_widget(forge, model, BAD, on_edit=on_edit)
    states: list[tuple[str, str]] = []
    widget.on_state = lambda line, kind: states.append((line, kind))

    result = widget.edit_from_cell(PARSE_MONEY_CODE)

    assert on_edit.threads == [threading.main_thread()]  # the cell waits for it
    assert result is widget.result and result.passed and result.code == PARSE_MONEY_CODE
    assert not widget.approve_button.disabled and not widget.busy
    assert "as you edited it" in widget.status.value
    assert states[-1][1] == "passed"
    assert "edited by you from attempt 1" in widget.header.value


def test_edit_from_cell_refuses_a_decided_or_busy_widget(
    forge: Forge, model: ScriptedModel
) -> None:
    on_edit = Calls()
    widget = editing_widget(forge, model, GOOD, on_edit=on_edit)
    with widget.hold(), pytest.raises(ForgeError, match="still working"):
        widget.edit_from_cell(PARSE_MONEY_CODE)
    click(widget.reject_button)
    with pytest.raises(ForgeError, match="already rejected"):
        widget.edit_from_cell(PARSE_MONEY_CODE)
    assert on_edit.args == []


def test_edit_from_cell_that_cannot_run_says_so_and_frees_the_widget(
    forge: Forge, model: ScriptedModel
) -> None:
    widget = editing_widget(forge, model, GOOD, on_edit=Calls(ForgeError("sandbox is gone")))
    with pytest.raises(ForgeError, match="sandbox is gone"):
        widget.edit_from_cell(PARSE_MONEY_CODE)
    assert "sandbox is gone" in widget.status.value
    assert not widget.busy and not widget.edit_button.disabled


# -- "Edit in a cell" ------------------------------------------------------------------------


def test_edit_in_a_cell_asks_the_front_end_and_says_when_the_cell_is_there(
    forge: Forge, model: ScriptedModel
) -> None:
    asked: list[tuple[str, Any]] = []
    widget = editing_widget(
        forge, model, GOOD, on_edit_in_cell=lambda text, done: (asked.append((text, done)), True)[1]
    )
    assert widget.cell_button.layout.display != "none"

    click(widget.cell_button)

    [(text, answered)] = asked
    assert text == "%%forge --edit parse_money\n" + widget.result.code
    assert "Adding a cell" in widget.status.value
    answered(None)
    assert "Added a cell <code>%%forge --edit parse_money</code> below" in widget.status.value
    assert widget.paste_view.value == ""


def test_edit_in_a_cell_without_a_front_end_shows_the_cell_to_paste(
    forge: Forge, model: ScriptedModel
) -> None:
    widget = editing_widget(forge, model, GOOD, on_edit_in_cell=lambda text, done: False)
    code = widget.result.code
    click(widget.cell_button)
    assert "paste the cell below into a new cell and run it" in widget.status.value
    shown = html.unescape(re.sub(r"<[^>]+>", "", widget.paste_view.value))
    assert shown == "%%forge --edit parse_money\n" + code
    assert sent_state(widget.paste_view)["value"] == widget.paste_view.value

    widget.edit_from_cell(BROKEN)  # the pasted cell ran: the paste text has done its job
    assert widget.paste_view.value == ""


@pytest.mark.parametrize("failure", ["answer", "raise"])
def test_edit_in_a_cell_that_the_front_end_cannot_add_falls_back_to_paste(
    forge: Forge, model: ScriptedModel, failure: str
) -> None:
    def ask(text: str, done: Any) -> bool:
        if failure == "raise":
            raise RuntimeError("comm closed")
        done("JupyterLab could not add the cell: no open notebook uses this kernel")
        return True

    widget = editing_widget(forge, model, GOOD, on_edit_in_cell=ask)
    click(widget.cell_button)
    reason = "comm closed" if failure == "raise" else "no open notebook uses this kernel"
    assert reason in widget.status.value and "paste the cell below" in widget.status.value
    assert "%%forge --edit parse_money" in widget.paste_view.value


def test_edit_in_a_cell_is_hidden_without_edits_and_escapes_the_code(
    forge: Forge, model: ScriptedModel
) -> None:
    hidden = widget_for(make(forge, model, GOOD), on_edit_in_cell=lambda text, done: False)
    assert hidden.cell_button.layout.display == "none"  # no on_edit: nothing could take it
    click(hidden.cell_button)
    assert hidden.paste_view.value == ""

    widget = editing_widget(forge, model, GOOD, on_edit_in_cell=lambda text, done: False)
    widget.result.code = "def parse_money(text):\n    return '</pre><script>x</script>'\n"
    click(widget.cell_button)
    assert "<script>" not in widget.paste_view.value and "&lt;script&gt;" in widget.paste_view.value


# -- checks from the words, the edge-case preview, fixes made without the model ---------

# What the check-maker answers: three right checks, one wrong (" $5 " is 5.0), one non-check.
CHECKS_REPLY = """```python
assert parse_money("$0.99") == 0.99
assert parse_money("1,000") == 1000.0
raises(ValueError, parse_money, "abc")
assert parse_money("  $5 ") == 6.0
print("not a check")
```"""
WRONG = 3  # the index of the wrong check

HOSTILE_CHECKS = """```python
assert parse_money("$1") == 2.0, "<script>alert('err')</script>"
assert parse_money("<img src=x onerror=alert(1)>") == 0.0
print("<script>alert('skipped')</script>")
```"""


class Script:
    """The scripted model's answers by role, whatever the order of the calls: the
    check-maker (its own system prompt) gets ``checks``, code requests get ``code``."""

    def __init__(self) -> None:
        self.checks = CHECKS_REPLY
        self.code = GOOD

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        system = " ".join(str(m.get("content")) for m in messages if m.get("role") == "system")
        return quote_rules(self.checks) if CHECKS_SYSTEM in system else self.code


def quote_rules(checks: str) -> str:
    """Each check after a comment quoting the request, as the checks prompt asks
    (unquoted checks are dropped as invented rules)."""
    rule = '# "Parse a money string into a float"'
    lines = checks.split("\n")
    return "\n".join(
        f"{rule}\n{line}" if line.startswith(("assert ", "raises(")) else line for line in lines
    )


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def wforge(script: Script, tmp_path: Path) -> Iterator[Forge]:
    with ScriptedModel(rule=script, checks=None) as sm:
        yield Forge(
            model=sm.model, api_base=sm.api_base, library=str(tmp_path / "lib"), word_checks=True
        )


def forged(forge: Forge) -> ForgeResult:
    return forge.create(parse_cell("parse_money", PARSE_MONEY_CELL), attempts=1)


def checks_widget(forge: Forge, result: ForgeResult, **kwargs: Any) -> ApprovalWidget:
    kwargs.setdefault("on_accept_check", Calls(lambda r, i: forge.accept_check(r, i)))
    kwargs.setdefault("on_drop_check", Calls(forge.drop_check))
    return widget_for(result, **kwargs)


def rows(table_html: str) -> list[str]:
    return table_html.split("<tr>")[2:]


def check_rows(widget: ApprovalWidget) -> list[str]:
    """Each check from the words as shown: on its row beside its buttons, or (with no
    buttons) in the checks table; never both."""
    if widget.checks_box.children:
        assert "<table" not in widget.checks_view.value
        return [row.children[0].value for row in widget.checks_box.children]
    return rows(widget.checks_view.value)


def all_html(widget: ApprovalWidget) -> str:
    views = [
        widget.header,
        widget.code_view,
        widget.samples_view,
        widget.checks_view,
        widget.preview_view,
        widget.notes_view,
        widget.status,
    ]
    labels = [row.children[0] for row in widget.checks_box.children]
    return "".join(v.value for v in [*views, *labels])


def test_checks_are_shown_apart_from_the_samples_and_never_block_approve(
    wforge: Forge,
) -> None:
    result = forged(wforge)
    assert result.passed and result.checks_line() == "checks from your words: 3/4 pass"
    widget = checks_widget(wforge, result)

    children = list(widget.children)
    assert children.index(widget.samples_view) + 1 == children.index(widget.checks_view)
    assert children.index(widget.checks_box) < children.index(widget.preview_view)
    assert children.index(widget.preview_view) < children.index(widget.notes_view)
    # The samples table holds the person's samples only; the checks have their own section.
    assert len(rows(widget.samples_view.value)) == 2 and "0.99" not in widget.samples_view.value
    checks = widget.checks_view.value
    assert "<b>checks from your words: 3/4 pass</b>" in checks
    assert "may themselves be wrong" in checks and "never block Approve" in checks
    table = check_rows(widget)
    assert len(table) == 4
    for row in table[:3]:
        assert "✔" in row and "✘" not in row
    assert "parse_money(&quot;$0.99&quot;) == 0.99" in table[0]
    assert "raises(ValueError, parse_money, &quot;abc&quot;)" in table[2]
    assert "✘" in table[WRONG] and "AssertionError" in table[WRONG]
    assert "#9a6700" in table[WRONG] and "#cf222e" not in checks  # amber, not the samples' red
    # The one piece that was not a check: collapsed, one line.
    assert checks.count("<details>") == 1 and checks.count("<li>") == 1
    assert "1 piece of the model's answer was not a usable check" in checks
    assert "print(&quot;not a check&quot;)" in checks
    # A check from the words fails: the badge is amber ("doubtful"), never green, and
    # Approve stays enabled (checks may be wrong: they never block it on their own).
    assert "⚠ doubtful" in widget.header.value and "✔ passed" not in widget.header.value
    assert result.verdict == "doubtful"
    assert "passes its samples but breaks 1 of 4 check(s)" in result.status_line()
    assert not widget.approve_button.disabled
    # One row of buttons per check.
    assert len(widget.checks_box.children) == 4 and len(widget.check_buttons) == 4
    for number, (row, (accept, drop)) in enumerate(
        zip(widget.checks_box.children, widget.check_buttons, strict=True), start=1
    ):
        assert list(row.children[1:]) == [accept, drop]
        assert row.children[0].value.startswith("<span class='jupyter-forge-check'")
        assert f">{number} <span" in row.children[0].value  # its number, then its mark
        assert accept.description == "Accept as sample" and drop.description == "Drop"
        assert not accept.disabled and not drop.disabled


def test_hostile_check_and_preview_text_is_escaped(wforge: Forge, script: Script) -> None:
    script.checks = HOSTILE_CHECKS
    result = forged(wforge)
    assert result.word_checks is not None and len(result.word_checks.checks) == 2
    result.preview = [
        ProbeResult(call="parse_money('<b>x</b>')", why="<i>markup</i>", got="'<script>'"),
        ProbeResult(call="parse_money('')", why="blank", error="ValueError: <script>y</script>"),
    ]
    shown = result.shown
    assert shown is not None
    shown.fixes.append("added `<script>z</script>`")
    widget = checks_widget(wforge, result)

    everything = all_html(widget)
    assert "<script" not in everything and "<img" not in everything
    assert "<b>x</b>" not in everything and "<i>markup</i>" not in everything
    checks = widget.checks_view.value
    shown_checks = "".join(check_rows(widget))
    assert "&lt;script&gt;alert(&#x27;err&#x27;)&lt;/script&gt;" in shown_checks  # text, error
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown_checks
    assert "&lt;script&gt;alert(&#x27;skipped&#x27;)&lt;/script&gt;" in checks
    assert "&lt;img src=x" in widget.checks_box.children[1].children[0].value
    assert "&lt;i&gt;markup&lt;/i&gt;" in widget.preview_view.value
    assert "ValueError: &lt;script&gt;y&lt;/script&gt;" in widget.preview_view.value
    assert "<code>&lt;script&gt;z&lt;/script&gt;</code>" in widget.notes_view.value


def test_accept_as_sample_moves_the_check_into_the_samples_and_validates_again(
    wforge: Forge,
) -> None:
    result = forged(wforge)
    on_approve = Calls()
    on_accept = Calls(lambda r, i: wforge.accept_check(r, i))
    widget = checks_widget(wforge, result, on_approve=on_approve, on_accept_check=on_accept)
    accepted = result.word_checks.checks[0]  # type: ignore[union-attr]

    click(widget.check_buttons[0][0])
    widget.wait(30)

    assert on_accept.args == [(result, 0)]
    assert on_accept.threads[0] is not threading.main_thread()  # the sandbox ran off the kernel
    now = widget.result
    assert now.spec.samples[-1] == Sample(accepted.sample.source, "code", origin="words")
    assert len(now.spec.samples) == 3
    assert now.report is not None and len(now.report.results) == 3  # validated in the sandbox
    assert now.report.results[-1].source == accepted.sample.source
    assert now.report.results[-1].passed and now.passed
    assert [c.text for c in now.word_checks.checks] == [  # type: ignore[union-attr]
        'assert parse_money("1,000") == 1000.0',
        'raises(ValueError, parse_money, "abc")',
        'assert parse_money("  $5 ") == 6.0',
    ]
    assert now.checks_line() == "checks from your words: 2/3 pass"
    assert widget.samples_view.value.count("✔ pass") == 3
    assert "parse_money(&quot;$0.99&quot;) == 0.99" in widget.samples_view.value
    assert "0.99" not in widget.checks_view.value and len(check_rows(widget)) == 3
    assert len(widget.checks_box.children) == 3
    assert "checks from your words: 2/3 pass" in widget.checks_view.value
    assert "passes its samples but breaks 1 of 3 check(s) from your words" in widget.status.value
    assert "color:#9a6700" in widget.status.value  # amber: a warning, not the samples' red
    assert not widget.approve_button.disabled
    assert all(not b.disabled for pair in widget.check_buttons for b in pair)
    # Nothing was approved by it.
    assert widget.decision is None and on_approve.args == []

    # A "must raise" check becomes a plain runnable sample too.
    click(widget.check_buttons[1][0])
    widget.wait(30)
    assert widget.result.passed and len(widget.result.spec.samples) == 4
    assert "except ValueError" in widget.result.spec.samples[-1].source
    assert widget.samples_view.value.count("✔ pass") == 4
    assert widget.decision is None and on_approve.args == []


def test_an_accepted_check_the_code_fails_turns_approve_off(wforge: Forge) -> None:
    result = forged(wforge)
    on_approve = Calls()
    widget = checks_widget(wforge, result, on_approve=on_approve)
    assert not widget.approve_button.disabled

    click(widget.check_buttons[WRONG][0])
    widget.wait(30)

    now = widget.result
    assert not now.passed  # it is the person's own sample now
    assert widget.approve_button.disabled
    assert sent_state(widget.approve_button)["disabled"] is True
    assert "failed" in widget.header.value
    failing = rows(widget.samples_view.value)[-1]
    assert "✘ fail" in failing and "parse_money(&quot;  $5 &quot;) == 6.0" in failing
    assert "did not pass" in widget.status.value and "#cf222e" in widget.status.value
    assert now.checks_line() == "checks from your words: 3/3 pass"
    click(widget.approve_button)
    widget.approve()
    assert on_approve.args == [] and widget.decision is None
    assert not widget.reject_button.disabled and not widget.edit_button.disabled


def test_drop_removes_the_row_without_running_anything(wforge: Forge) -> None:
    result = forged(wforge)
    on_drop = Calls(wforge.drop_check)
    on_approve = Calls()
    widget = checks_widget(wforge, result, on_drop_check=on_drop, on_approve=on_approve)
    attempts, report = len(result.attempts), result.report

    click(widget.check_buttons[WRONG][1])

    assert on_drop.args == [(result, WRONG)]
    assert on_drop.threads == [threading.main_thread()]  # bookkeeping: no background job
    assert widget.background_jobs == 0
    assert len(result.attempts) == attempts and result.report is report  # no sandbox run
    assert len(result.spec.samples) == 2
    assert len(check_rows(widget)) == 3 and "$5" not in widget.checks_view.value
    assert "checks from your words: 3/3 pass" in widget.checks_view.value
    # The wrong check gone, nothing doubts the tool: the badge turns green.
    assert "✔ passed" in widget.header.value and result.verdict == "passed"
    assert len(widget.checks_box.children) == 3 and len(widget.check_buttons) == 3
    assert "Dropped check 4" in widget.status.value
    assert not widget.approve_button.disabled
    assert widget.decision is None and on_approve.args == []

    for _ in range(3):
        click(widget.check_buttons[0][1])
    assert widget.checks_box.children == () and widget.check_buttons == []
    assert result.checks_line() is None
    assert "none usable" in widget.checks_view.value  # the skipped piece is still listed
    assert "<table" not in widget.checks_view.value


@pytest.mark.parametrize("index", [7, -1])
def test_a_bad_index_is_a_one_line_error_in_the_widget(wforge: Forge, index: int) -> None:
    result = forged(wforge)
    on_approve = Calls()
    widget = checks_widget(wforge, result, on_approve=on_approve)
    samples = result.spec.samples

    widget.accept_check(index)
    widget.wait(30)
    assert f"no check {index} to accept" in widget.status.value
    assert "#cf222e" in widget.status.value
    message = re.sub(r"<[^>]+>", "", widget.status.value)
    assert "\n" not in message and "Traceback" not in message

    widget.drop_check(index)
    assert f"no check {index} to drop" in widget.status.value

    assert widget.result is result and result.spec.samples is samples
    assert len(result.word_checks.checks) == 4  # type: ignore[union-attr]
    assert len(check_rows(widget)) == 4
    assert not widget.approve_button.disabled and widget.decision is None
    assert on_approve.args == []
    with pytest.raises(SpecError) as caught:
        wforge.accept_check(result, index)
    assert "\n" not in str(caught.value)
    assert result.spec.samples is samples and len(result.attempts) == 1


def test_a_sandbox_failure_while_accepting_leaves_the_result_as_it_was(wforge: Forge) -> None:
    result = forged(wforge)
    samples, checks = result.spec.samples, list(result.word_checks.checks)  # type: ignore[union-attr]
    runs = [list(a.checks_report.results) for a in result.attempts if a.checks_report]
    wforge.sandbox_require = ["a sandbox layer no machine has"]

    with pytest.raises(ForgeError, match="a sandbox layer no machine has"):
        wforge.accept_check(result, 0)

    assert result.spec.samples == samples
    assert result.word_checks is not None and result.word_checks.checks == checks
    assert [list(a.checks_report.results) for a in result.attempts if a.checks_report] == runs
    assert len(result.attempts) == 1 and result.passed


def test_a_check_naming_a_variable_that_cannot_travel_is_refused_first(
    wforge: Forge, script: Script
) -> None:
    script.checks = "```python\nassert parse_money(lock_text) == 1.0\n```"
    result = forged(wforge)
    with pytest.raises(SpecError, match="lock_text"):
        wforge.accept_check(result, 0, namespace={"lock_text": threading.Lock()})
    assert len(result.spec.samples) == 2 and len(result.word_checks.checks) == 1  # type: ignore[union-attr]


def test_check_buttons_follow_busy_and_decision(wforge: Forge) -> None:
    result = forged(wforge)
    release, started = threading.Event(), threading.Event()

    def slow_accept(r: ForgeResult, index: int) -> ForgeResult:
        started.set()
        assert release.wait(10)
        return wforge.accept_check(r, index)

    on_approve, on_drop = Calls(), Calls(wforge.drop_check)
    widget = checks_widget(
        wforge, result, on_approve=on_approve, on_accept_check=slow_accept, on_drop_check=on_drop
    )
    click(widget.check_buttons[0][0])
    assert started.wait(10)
    assert all(b.disabled for pair in widget.check_buttons for b in pair)
    click(widget.approve_button)  # ignored while the sample is being validated
    widget.drop_check(1)  # refused while busy: the result is being changed
    assert "Still working" in widget.status.value and on_drop.args == []
    release.set()
    widget.wait(30)
    assert on_approve.args == [] and widget.decision is None
    assert all(not b.disabled for pair in widget.check_buttons for b in pair)

    click(widget.approve_button)
    assert widget.decision == "approved" and on_approve.args == [(widget.result,)]
    assert all(b.disabled for pair in widget.check_buttons for b in pair)
    drops = len(on_drop.args)
    click(widget.check_buttons[0][0])
    click(widget.check_buttons[0][1])
    widget.wait(30)
    assert len(on_drop.args) == drops and len(widget.check_buttons) == 3
    assert widget.decision == "approved"


def test_without_check_callbacks_the_checks_show_without_buttons(wforge: Forge) -> None:
    widget = widget_for(forged(wforge))
    assert "checks from your words: 3/4 pass" in widget.checks_view.value
    assert widget.checks_box.children == () and widget.check_buttons == []
    widget.accept_check(0)
    widget.drop_check(0)
    assert widget.background_jobs == 0 and len(widget.result.spec.samples) == 2


def test_only_accept_or_only_drop(wforge: Forge) -> None:
    result = forged(wforge)
    only_drop = checks_widget(wforge, result, on_accept_check=None)
    accept, drop = only_drop.check_buttons[0]
    assert accept.layout.display == "none" and drop.layout.display != "none"
    only_accept = checks_widget(wforge, result, on_drop_check=None)
    accept, drop = only_accept.check_buttons[0]
    assert drop.layout.display == "none" and accept.layout.display != "none"
    # Nobody handles either button: no rows of buttons, the table lists the checks.
    neither = checks_widget(wforge, result, on_accept_check=None, on_drop_check=None)
    assert neither.checks_box.children == () and neither.check_buttons == []
    table = rows(neither.checks_view.value)
    assert len(table) == 4 and "✘" in table[WRONG] and "AssertionError" in table[WRONG]


def test_no_checks_asked_when_no_answer_passes_the_samples(wforge: Forge, script: Script) -> None:
    script.code = BAD
    result = forged(wforge)
    assert not result.passed and result.word_checks is None
    assert checks_widget(wforge, result).checks_view.value == ""


def test_checks_not_run_on_code_that_fails_its_samples(wforge: Forge, script: Script) -> None:
    # A regenerate reuses the first forge's checks; its own answer fails the samples.
    first = forged(wforge)
    assert first.passed and first.word_checks is not None
    script.code = BAD
    result = wforge.regenerate(first, attempts=1)
    assert not result.passed and result.checks_report is None
    assert result.word_checks is first.word_checks
    widget = checks_widget(wforge, result)
    checks = widget.checks_view.value
    assert "checks from your words: 4 not run on the code shown" in checks
    shown = check_rows(widget)
    assert len(shown) == 4 and all("&ndash;" in row for row in shown)
    assert not any("✔" in row or "✘" in row for row in shown)


def test_no_checks_asked_failed_or_usable(wforge: Forge) -> None:
    spec = parse_cell("parse_money", PARSE_MONEY_CELL)
    plain = ForgeResult(spec=spec, model="m", code=PARSE_MONEY_CODE)
    assert checks_widget(wforge, plain).checks_view.value == ""
    down = ForgeResult(spec=spec, model="m", word_checks=WordChecks(error="cannot reach <model>"))
    view = checks_widget(wforge, down).checks_view.value
    assert "No checks from your words: cannot reach &lt;model&gt;" in view
    junk = ForgeResult(spec=spec, model="m", word_checks=WordChecks(skipped=["`x = 1`: no"]))
    view = checks_widget(wforge, junk).checks_view.value
    assert "none usable" in view and "<code>x = 1</code>" in view


def test_edge_case_preview(wforge: Forge) -> None:
    result = forged(wforge)
    result.preview = [
        ProbeResult(call='parse_money("")', why="empty string", error="ValueError: bad"),
        ProbeResult(call='parse_money("  ")', why="blank string", got="0.0"),
        ProbeResult(
            call="parse_money(None)", why="None", error="timed out (the sandbox killed it)"
        ),
    ]
    widget = checks_widget(wforge, result)
    preview = widget.preview_view.value
    assert "What it does on edge cases" in preview
    table = rows(preview)
    assert len(table) == 3
    assert "parse_money(&quot;&quot;)" in table[0] and "empty string" in table[0]
    assert "raises </span>" in table[0] and "ValueError: bad" in table[0]
    assert "returns </span>" in table[1] and "0.0" in table[1]
    assert "raises" not in table[2] and "timed out" in table[2]

    result.preview = []
    widget.show(result)
    assert widget.preview_view.value == ""


def test_fixes_made_without_the_model_are_listed(wforge: Forge, script: Script) -> None:
    script.code = reply_for(PARSE_MONEY_CODE.replace("import re\n", ""))
    result = forged(wforge)
    assert result.passed and result.shown is not None
    assert result.shown.fixes == ["added `import re`"]
    notes = checks_widget(wforge, result).notes_view.value
    assert "Fixed without the model: added <code>import re</code>" in notes


def test_an_accepted_check_is_saved_with_the_tool(wforge: Forge) -> None:
    result = forged(wforge)
    widget = checks_widget(wforge, result, on_approve=lambda r: f"saved v{wforge.save(r).version}")
    click(widget.check_buttons[2][0])  # the "must raise" one
    widget.wait(30)
    click(widget.approve_button)
    assert widget.decision == "approved" and "saved v1" in widget.status.value

    record = wforge.open_library().get("parse_money")
    assert record.samples == list(widget.result.spec.samples)
    assert [s.origin for s in record.samples] == ["cell", "cell", "words"]
    assert "except ValueError" in record.samples[-1].source
    assert record.validation is not None and len(record.validation["results"]) == 3
    assert record.validation["passed"] and record.validation["results"][-1]["passed"]
    # The stored sample runs against the stored code in the sandbox, as any sample.
    again = wforge.validate_code(record.code, "parse_money", record.samples)
    assert again.passed and len(again.results) == 3


def test_the_kernel_wires_accept_and_drop(kernel: Kernel) -> None:
    script = Script()
    script.checks = CHECKS_REPLY.replace('parse_money("$0.99")', "parse_money(money_text)")
    with ScriptedModel(rule=script, checks=None) as sm:
        kernel.use_model(sm)
        kernel.ok("%config Forge.word_checks = True")
        kernel.ns["money_text"] = "$0.99"  # the check reads a kernel variable
        kernel.ok(f"%%forge parse_money\n{PARSE_MONEY_CELL}")
        widget = kernel.magics.pending["parse_money"]
        assert len(widget.check_buttons) == 4
        assert widget.result.checks_line() == "checks from your words: 3/4 pass"

        click(widget.check_buttons[WRONG][1])  # drop the wrong one
        assert len(widget.check_buttons) == 3
        click(widget.check_buttons[0][0])  # accept the one that reads `money_text`
        widget.wait(30)
        assert "parse_money" not in kernel.ns  # nothing approved yet
        assert widget.result.passed and len(widget.result.spec.samples) == 3
        assert widget.result.report is not None and widget.result.report.results[-1].passed
        click(widget.approve_button)

    assert widget.decision == "approved"
    assert kernel.ns["parse_money"]("$2") == 2.0
    record = kernel.magics.forge.open_library().get("parse_money")
    assert record.samples[-1] == Sample(
        "assert parse_money(money_text) == 0.99", "code", origin="words"
    )
