"""The approval widget: review a forged tool, then Approve / Reject / Regenerate / Edit.

The kernel cannot see a click while the cell that displayed the widget is still
running, so ``%%forge`` returns right after showing this; everything that follows
happens in button callbacks. Slow work (regenerating, installing a missing
package the person chose to install) runs on a thread so the kernel stays responsive.

Code is edited in the notebook's own editor when the front end can add a cell
("Edit in a cell" writes ``%%forge --edit NAME`` and the code; running it calls
:meth:`ApprovalWidget.edit_from_cell`), else in the widget's plain text area. Either
way an edit that fails keeps the last passing version for Revert, and Approve only
ever takes the version shown, never text still in the editor.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Sequence

import ipywidgets as widgets

from ..core.errors import ForgeError
from ..core.result import ForgeResult
from ..core.revert import can_revert
from . import render
from .install import InstallArgv, InstallOffer, after_install, pip_argv, run_install
from .options import edit_cell_text

ApproveFn = Callable[[ForgeResult], str]
RedoFn = Callable[[ForgeResult], ForgeResult]
EditFn = Callable[[ForgeResult, str], ForgeResult]
CheckFn = Callable[[ForgeResult, int], ForgeResult]  # a check from the words, by index
# "Edit in a cell": (the cell's text, called once with None when the cell was added or
# why not) -> whether a front end was asked at all (False: show the text to paste).
CellFn = Callable[[str, Callable[[str | None], None]], bool]


STREAM_REDRAW_SECONDS = 0.2
STREAM_TAIL_CHARS = 4000


class ApprovalWidget(widgets.VBox):  # type: ignore[misc]
    """Shows one ``ForgeResult`` and turns a person's decision into callbacks."""

    def __init__(
        self,
        result: ForgeResult,
        *,
        on_approve: ApproveFn,
        on_reject: Callable[[ForgeResult], str] | None = None,
        on_regenerate: RedoFn | None = None,
        on_edit: EditFn | None = None,
        on_edit_in_cell: CellFn | None = None,
        on_revert: RedoFn | None = None,
        on_accept_check: CheckFn | None = None,
        on_drop_check: CheckFn | None = None,
        layers: Sequence[str] = (),
        title: str = "forged",
        install_argv: InstallArgv | None = pip_argv,
        on_state: Callable[[str, str], None] | None = None,
    ) -> None:
        self.result = result
        self.decision: str | None = None
        # The cell's one state line (kernel/progress.py): each later state replaces it.
        self._on_state = on_state
        self._on_approve = on_approve
        self._on_reject = on_reject
        self._on_regenerate = on_regenerate
        self._on_edit = on_edit
        self._on_edit_in_cell = on_edit_in_cell if on_edit is not None else None
        self._on_revert = on_revert
        self._on_accept_check = on_accept_check
        self._on_drop_check = on_drop_check
        self._layers = list(layers)
        self._title = title
        self._worker: threading.Thread | None = None
        self._busy = threading.Lock()
        self._install_argv = install_argv
        self.install_offer = InstallOffer(self.install)

        self.header = widgets.HTML()
        self.code_view = widgets.HTML()
        self.samples_view = widgets.HTML()
        # Checks from the words and the edge-case preview: shown apart from the samples.
        self.checks_view = widgets.HTML()
        self.checks_box = widgets.VBox()  # per check: Accept as sample / Drop (rebuilt on show)
        self.check_buttons: list[tuple[widgets.Button, widgets.Button]] = []
        self.preview_view = widgets.HTML()
        self.notes_view = widgets.HTML()
        self.status = widgets.HTML()
        # The model's tokens while a regeneration runs (cleared when its result is shown).
        self.stream_view = widgets.HTML()
        self._streamed = ""
        self._streamed_at = 0.0
        self.approve_button = widgets.Button(
            description="Approve", button_style="success", icon="check"
        )
        self.reject_button = widgets.Button(
            description="Reject", button_style="danger", icon="times"
        )
        self.regenerate_button = widgets.Button(description="Regenerate", icon="refresh")
        self.edit_button = widgets.Button(
            description="Edit", icon="pencil", tooltip="Edit the code here, in a plain text box"
        )
        self.cell_button = widgets.Button(
            description="Edit in a cell",
            icon="code",
            tooltip="Add a cell `%%forge --edit NAME` with this code below the forge cell",
            layout=widgets.Layout(width="auto"),
        )
        self.revert_button = widgets.Button(
            description="Revert",
            icon="undo",
            tooltip="Go back to the last version that passed",
            layout=widgets.Layout(display="none"),
        )
        # "Edit in a cell" without a front end that adds cells: the cell to paste.
        self.paste_view = widgets.HTML()
        self.editor = widgets.Textarea(layout=widgets.Layout(width="100%", height="16em"))
        self.save_button = widgets.Button(description="Save & validate", button_style="primary")
        self.cancel_button = widgets.Button(description="Cancel")
        self.edit_box = widgets.VBox(
            [self.editor, widgets.HBox([self.save_button, self.cancel_button])],
            layout=widgets.Layout(display="none"),
        )
        self.approve_button.on_click(lambda _b: self.approve())
        self.reject_button.on_click(lambda _b: self.reject())
        self.regenerate_button.on_click(lambda _b: self.regenerate())
        self.edit_button.on_click(lambda _b: self.open_editor())
        self.save_button.on_click(lambda _b: self.save_edit())
        self.cancel_button.on_click(lambda _b: self.close_editor())
        self.cell_button.on_click(lambda _b: self.edit_in_cell())
        self.revert_button.on_click(lambda _b: self.revert())
        if on_regenerate is None:
            self.regenerate_button.layout.display = "none"
        if on_edit is None:
            self.edit_button.layout.display = "none"
        if self._on_edit_in_cell is None:
            self.cell_button.layout.display = "none"
        self.buttons = widgets.HBox(
            [
                self.approve_button,
                self.reject_button,
                self.regenerate_button,
                self.edit_button,
                self.cell_button,
                self.revert_button,
            ]
        )
        super().__init__(
            [
                self.header,
                self.code_view,
                self.samples_view,
                self.checks_view,
                self.checks_box,
                self.preview_view,
                self.notes_view,
                self.install_offer,
                self.buttons,
                self.edit_box,
                self.paste_view,
                self.status,
                self.stream_view,
            ]
        )
        self.add_class("jupyter-forge-approval")
        self.show(result)

    # -- display -------------------------------------------------------------------

    def _state(self, line: str, kind: str) -> None:
        if self._on_state is not None:
            self._on_state(line, kind)

    def show(self, result: ForgeResult) -> None:
        self.result = result
        self._state(result.status_line(), result.verdict)
        self._streamed, self.stream_view.value = "", ""
        self.header.value = render.header(result, title=self._title)
        self.code_view.value = (
            render.highlight(result.code) if result.code else "<p><i>No code.</i></p>"
        )
        self.samples_view.value = render.samples_table(
            result.report.results if result.report else []
        )
        self.checks_view.value = render.checks_table(result)
        self._build_check_rows(result)
        self.preview_view.value = render.preview_table(result.preview)
        self.notes_view.value = render.notes(result, self._layers)
        if self._install_argv is not None and self.decision is None:
            self.install_offer.update(result.requirements)
        self.paste_view.value = ""  # a cell to paste holds the code shown before
        revertible = self._on_revert is not None and self.decision is None and can_revert(result)
        self.revert_button.layout.display = None if revertible else "none"
        self._refresh_approve(not self._busy.locked())

    @property
    def editing(self) -> bool:
        """The text-area editor is open: it may hold an edit not saved yet."""
        return bool(self.edit_box.layout.display != "none")

    def _refresh_approve(self, idle: bool) -> None:
        """Approve takes the version shown, and only a passing one: never while the
        editor is open (its text would be lost, or mistaken for what is approved)."""
        passed = self.result.passed
        self.approve_button.disabled = not (
            idle and self.decision is None and passed and not self.editing
        )
        if not passed:
            self.approve_button.tooltip = "Only code that passes its samples can be approved"
        elif self.editing:
            self.approve_button.tooltip = "Save or Cancel your edit first"
        else:
            self.approve_button.tooltip = ""

    def _build_check_rows(self, result: ForgeResult) -> None:
        """One row per check from the words: its label, Accept as sample, Drop."""
        old = list(self.checks_box.children)
        self.check_buttons = []
        rows = []
        checks = result.word_checks.checks if result.word_checks is not None else []
        if self._on_accept_check is not None or self._on_drop_check is not None:
            idle = self.decision is None and not self._busy.locked()
            for index, check in enumerate(checks):
                accept = widgets.Button(
                    description="Accept as sample",
                    icon="plus",
                    tooltip="Make this check one of your samples (saved with the tool)",
                    disabled=not idle,
                    layout=widgets.Layout(width="auto"),
                )
                drop = widgets.Button(
                    description="Drop",
                    icon="trash",
                    tooltip="Forget this check",
                    disabled=not idle,
                    layout=widgets.Layout(width="auto"),
                )
                accept.on_click(lambda _b, i=index: self.accept_check(i))
                drop.on_click(lambda _b, i=index: self.drop_check(i))
                if self._on_accept_check is None:
                    accept.layout.display = "none"
                if self._on_drop_check is None:
                    drop.layout.display = "none"
                label = widgets.HTML(render.check_label(index + 1, check.text))
                rows.append(widgets.HBox([label, accept, drop]))
                self.check_buttons.append((accept, drop))
        self.checks_box.children = rows
        for row in old:  # the old rows' widgets are gone from the page: free their comms
            for child in row.children:
                child.close()
            row.close()

    def stream(self, text: str) -> None:
        """Show the model's tokens as they come, like the first run under the cell
        (redrawn at most five times a second: each redraw is a message to the browser)."""
        self._streamed += text
        now = time.monotonic()
        if now - self._streamed_at < STREAM_REDRAW_SECONDS:
            return
        self._streamed_at = now
        tail = self._streamed[-STREAM_TAIL_CHARS:]
        self.stream_view.value = (
            "<pre class='jupyter-forge-stream' style='font-size:85%;max-height:12em;"
            f"overflow:auto;opacity:0.8'>{html.escape(tail)}</pre>"
        )

    def say(self, message: str, *, error: bool = False, warning: bool = False) -> None:
        color = "#cf222e" if error else render.AMBER if warning else "inherit"
        self.status.value = f"<p style='color:{color}'>{render.inline(message)}</p>"

    def _set_buttons(self, enabled: bool) -> None:
        for button in (
            self.reject_button,
            self.regenerate_button,
            self.edit_button,
            self.cell_button,
            self.revert_button,
            self.save_button,
            self.install_offer.button,
            *(button for pair in self.check_buttons for button in pair),
        ):
            button.disabled = not enabled
        self._refresh_approve(enabled)

    def _finish(self, decision: str, message: str) -> None:
        self.decision = decision
        # The header said what Approve would do; now it says what was decided.
        self._title = decision
        self.header.value = render.header(self.result, title=decision)
        self.edit_box.layout.display = "none"
        self.revert_button.layout.display = "none"
        self.paste_view.value = ""
        self._set_buttons(False)
        self.say(message)
        self._state(message, decision)

    # -- actions -------------------------------------------------------------------

    def approve(self) -> None:
        # Busy: a click that raced the "disabled" update must not approve what is being replaced.
        if self.decision is not None or not self.result.passed or self._busy.locked():
            return
        if self.editing:  # a click that raced the "disabled" update: keep the typed edit
            self.say(
                "Save or Cancel your edit first: Approve takes the version shown above.",
                error=True,
            )
            return
        try:
            message = self._on_approve(self.result)
        except ForgeError as exc:
            self.say(str(exc), error=True)  # nothing happened: the person may retry
            return
        except Exception as exc:
            self.say(f"approval failed: {type(exc).__name__}: {exc}", error=True)
            return
        self._finish("approved", message)

    def reject(self) -> None:
        if self.decision is not None or self._busy.locked():
            return
        message = f"Rejected: `{self.result.spec.name}` was not defined and nothing was saved."
        if self._on_reject is not None:
            message = self._on_reject(self.result)
        self._finish("rejected", message)

    def open_editor(self) -> None:
        if self.decision is not None or self._on_edit is None:
            return
        self.editor.value = self.result.code or ""
        self.edit_box.layout.display = "flex"
        self._refresh_approve(not self._busy.locked())

    def close_editor(self) -> None:
        self.edit_box.layout.display = "none"
        self._refresh_approve(not self._busy.locked())

    def _say_result(self, result: ForgeResult) -> None:
        line = result.status_line()
        if self._on_revert is not None and can_revert(result):
            line += " — Revert goes back to the last version that passed"
        self.say(line, error=not result.passed, warning=result.doubtful)

    def _run_in_background(
        self,
        label: str,
        job: Callable[[], ForgeResult],
        after: Callable[[ForgeResult | None], None] | None = None,
    ) -> None:
        """``after``: called with the new result (None when the job failed), before the
        buttons come back."""
        if not self._busy.acquire(blocking=False):
            self.say(
                "Still working on the previous request: try again when it is done.", error=True
            )
            return
        self._set_buttons(False)
        self.say(label)
        self._state(label, "")  # the cell's one line says what is going on now
        before = self.result

        def stopped(why: str) -> None:
            self.say(why, error=True)
            # Still true: the version shown is the one before, and why the new one is not.
            what = label.rstrip("…").lower()
            self._state(f"{before.status_line()} ({what} stopped: {why})", before.verdict)

        def work() -> None:
            result: ForgeResult | None = None
            try:
                result = job()
            except ForgeError as exc:
                stopped(str(exc))
            except Exception as exc:
                stopped(f"{type(exc).__name__}: {exc}")
            else:
                self.show(result)
                self._say_result(result)
            finally:
                try:
                    if after is not None:
                        after(result)
                finally:
                    self._busy.release()
                    self._set_buttons(True)

        self._worker = threading.Thread(target=work, name="forge-widget", daemon=True)
        self._worker.start()

    def regenerate(self) -> None:
        if self.decision is not None or self._on_regenerate is None:
            return
        on_regenerate = self._on_regenerate
        self._run_in_background("Regenerating…", lambda: on_regenerate(self.result))

    def save_edit(self) -> None:
        if self.decision is not None or self._on_edit is None:
            return
        if self._busy.locked():  # keep the editor (and the person's edit) open
            self.say(
                "Still working on the previous request: save again when it is done.", error=True
            )
            return
        on_edit, code = self._on_edit, self.editor.value

        def after(result: ForgeResult | None) -> None:
            # Only an edit that passes closes the editor: one that fails keeps the typed
            # text there to fix (Revert brings back the last passing version).
            if result is not None and result.passed:
                self.edit_box.layout.display = "none"

        self._run_in_background(
            "Validating your edit in the sandbox…", lambda: on_edit(self.result, code), after
        )

    def edit_from_cell(self, code: str) -> ForgeResult:
        """``%%forge --edit NAME``: validate ``code`` exactly as Save does, but now (the
        cell waits for it), and show the outcome here. Raises :class:`ForgeError` with one
        line when this widget cannot take an edit."""
        name = self.result.spec.name
        if self.decision is not None:
            raise ForgeError(
                f"`{name}` was already {self.decision} in its widget: run `%%forge {name}` "
                "again to forge it anew"
            )
        if self._on_edit is None:
            raise ForgeError(f"the widget of `{name}` does not take edits")
        if not self._busy.acquire(blocking=False):
            raise ForgeError(
                f"the widget of `{name}` is still working on the previous request: run this "
                "cell again when it is done"
            )
        on_edit = self._on_edit
        try:
            self._set_buttons(False)
            self.say("Validating the edit from your cell in the sandbox…")
            try:
                result = on_edit(self.result, code)
            except KeyboardInterrupt:
                self.show(self.result)
                self.say("Cancelled: the edit from your cell was not validated.", error=True)
                raise
            except ForgeError as exc:
                self.show(self.result)
                self.say(str(exc), error=True)
                raise
            self.show(result)
            self._say_result(result)
            return result
        finally:
            self._busy.release()
            self._set_buttons(True)

    def edit_in_cell(self) -> None:
        """ "Edit in a cell": ask the front end for a ``%%forge --edit NAME`` cell below the
        forge cell; without one that can (or if it cannot), show that cell to paste."""
        if self.decision is not None or self._on_edit_in_cell is None:
            return
        if self._busy.locked():
            self.say(
                "Still working on the previous request: try again when it is done.", error=True
            )
            return
        name = self.result.spec.name
        text = edit_cell_text(name, self.result.code or "")
        self.paste_view.value = ""
        # Said first: the answer (another message, or a timer) may replace it at any time.
        self.say(f"Adding a cell `%%forge --edit {name}` below the forge cell…")
        try:
            asked = self._on_edit_in_cell(text, lambda error: self._cell_answered(text, error))
        except Exception as exc:  # never silent: the person still gets the cell to paste
            self._show_paste(text, f"{type(exc).__name__}: {exc}")
            return
        if not asked:
            self._show_paste(text)

    def _cell_answered(self, text: str, error: str | None) -> None:
        if self.decision is not None:
            return
        if error is None:
            self.say(
                f"Added a cell `%%forge --edit {self.result.spec.name}` below the forge cell: "
                "change the code there and run it; this widget shows how it does."
            )
        else:
            self._show_paste(text, error)

    def _show_paste(self, text: str, reason: str | None = None) -> None:
        lead = f"{reason}: " if reason else ""
        self.say(
            f"{lead}paste the cell below into a new cell and run it; this widget shows how it does.",
            warning=reason is not None,
        )
        self.paste_view.value = (
            "<pre class='jupyter-forge-paste' style='max-height:20em;overflow:auto;"
            "border:1px solid var(--jp-border-color2,#ccc);padding:0.5em;user-select:text'>"
            f"{html.escape(text)}</pre>"
        )

    def _right_now(self, job: Callable[[], ForgeResult]) -> ForgeResult | None:
        """A quick callback (bookkeeping, nothing slow) run on this thread; None, said in
        the widget, when a background job is still running or the callback failed."""
        if self._busy.locked():
            self.say(
                "Still working on the previous request: try again when it is done.", error=True
            )
            return None
        try:
            return job()
        except ForgeError as exc:
            self.say(str(exc), error=True)
        except Exception as exc:
            self.say(f"{type(exc).__name__}: {exc}", error=True)
        return None

    def revert(self) -> None:
        """Revert: after an edit that failed, show the last passing version again."""
        if self.decision is not None or self._on_revert is None:
            return
        on_revert = self._on_revert
        result = self._right_now(lambda: on_revert(self.result))
        if result is not None:
            self.show(result)
            self.say(f"Reverted to the last version that passed: {result.status_line()}")

    def accept_check(self, index: int) -> None:
        """Accept as sample: the check joins the samples and the code is validated again
        in the sandbox (in the background). It never approves anything by itself."""
        if self.decision is not None or self._on_accept_check is None:
            return
        on_accept = self._on_accept_check
        self._run_in_background(
            f"Adding check {index + 1} to your samples and validating again in the sandbox…",
            lambda: on_accept(self.result, index),
        )

    def drop_check(self, index: int) -> None:
        """Drop: forget the check (bookkeeping only, nothing runs)."""
        if self.decision is not None or self._on_drop_check is None:
            return
        on_drop = self._on_drop_check
        result = self._right_now(lambda: on_drop(self.result, index))
        if result is not None:
            self.show(result)
            self.say(f"Dropped check {index + 1} from your words.")

    def install(self) -> None:
        """The person clicked Install: run the shown command, then validate the same code again.

        Only this click ever installs anything. Re-validation goes through
        ``on_edit`` with the unchanged code, so the new result replaces the old
        one exactly as a hand edit would.
        """
        if self.decision is not None or self._install_argv is None:
            return
        packages = list(self.install_offer.packages)
        if not packages or self._busy.locked():
            return
        argv = self._install_argv(packages)
        on_edit, code = self._on_edit, self.result.code
        offer = self.install_offer
        offer.started(argv)

        def job() -> ForgeResult:
            try:
                status = run_install(argv, offer.append)
            finally:
                offer.finished()
            if status != 0:
                raise ForgeError(
                    f"installing {', '.join(packages)} failed (exit code {status}): its output is "
                    "above; fix the cause (name, network, index) and click Install again"
                )
            after_install()
            if on_edit is None or not code:
                return self.result
            return on_edit(self.result, code)

        self._run_in_background(
            f"Installing {', '.join(packages)}, then validating again in the sandbox…", job
        )

    def wait(self, timeout: float | None = None) -> None:
        """Block until a background regenerate/edit finished (tests, scripts)."""
        if self._worker is not None:
            self._worker.join(timeout)
