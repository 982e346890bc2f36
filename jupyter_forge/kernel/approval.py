"""The approval widget: review a forged tool, then Approve / Reject / Regenerate / Edit.

The kernel cannot see a click while the cell that displayed the widget is still
running, so ``%%forge`` returns right after showing this; everything that follows
happens in button callbacks. Slow work (regenerating, installing a missing
package the person chose to install) runs on a thread so the kernel stays responsive.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Sequence

import ipywidgets as widgets

from ..core.errors import ForgeError
from ..core.result import ForgeResult
from . import render
from .install import InstallArgv, InstallOffer, after_install, pip_argv, run_install

ApproveFn = Callable[[ForgeResult], str]
RedoFn = Callable[[ForgeResult], ForgeResult]
EditFn = Callable[[ForgeResult, str], ForgeResult]
CheckFn = Callable[[ForgeResult, int], ForgeResult]  # a check from the words, by index


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
        self.edit_button = widgets.Button(description="Edit", icon="pencil")
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
        if on_regenerate is None:
            self.regenerate_button.layout.display = "none"
        if on_edit is None:
            self.edit_button.layout.display = "none"
        self.buttons = widgets.HBox(
            [self.approve_button, self.reject_button, self.regenerate_button, self.edit_button]
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
        self.approve_button.disabled = not result.passed
        self.approve_button.tooltip = (
            "" if result.passed else "Only code that passes its samples can be approved"
        )

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
            self.save_button,
            self.install_offer.button,
            *(button for pair in self.check_buttons for button in pair),
        ):
            button.disabled = not enabled
        self.approve_button.disabled = not (enabled and self.result.passed)

    def _finish(self, decision: str, message: str) -> None:
        self.decision = decision
        self._set_buttons(False)
        self.edit_box.layout.display = "none"
        self.say(message)
        self._state(message, decision)

    # -- actions -------------------------------------------------------------------

    def approve(self) -> None:
        # Busy: a click that raced the "disabled" update must not approve what is being replaced.
        if self.decision is not None or not self.result.passed or self._busy.locked():
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

    def close_editor(self) -> None:
        self.edit_box.layout.display = "none"

    def _run_in_background(self, label: str, job: Callable[[], ForgeResult]) -> None:
        if not self._busy.acquire(blocking=False):
            self.say(
                "Still working on the previous request: try again when it is done.", error=True
            )
            return
        self._set_buttons(False)
        self.say(label)

        def work() -> None:
            try:
                result = job()
            except ForgeError as exc:
                self.say(str(exc), error=True)
            except Exception as exc:
                self.say(f"{type(exc).__name__}: {exc}", error=True)
            else:
                self.show(result)
                self.say(result.status_line(), error=not result.passed, warning=result.doubtful)
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
        self.edit_box.layout.display = "none"
        self._run_in_background(
            "Validating your edit in the sandbox…", lambda: on_edit(self.result, code)
        )

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
        if self._busy.locked():
            self.say(
                "Still working on the previous request: try again when it is done.", error=True
            )
            return
        try:
            result = self._on_drop_check(self.result, index)
        except ForgeError as exc:
            self.say(str(exc), error=True)
            return
        except Exception as exc:
            self.say(f"{type(exc).__name__}: {exc}", error=True)
            return
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
