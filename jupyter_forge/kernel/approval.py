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

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from ..core.errors import ForgeError
from ..core.result import ForgeResult
from ..core.revert import can_revert
from .approval_view import ApprovalView, set_shown
from .background import Worker
from .install import InstallArgv, pip_argv
from .options import edit_cell_text

ApproveFn = Callable[[ForgeResult], str]
RedoFn = Callable[[ForgeResult], ForgeResult]
EditFn = Callable[[ForgeResult, str], ForgeResult]
CheckFn = Callable[[ForgeResult, int], ForgeResult]  # a check from the words, by index
# "Edit in a cell": (the cell's text, called once with None when the cell was added or
# why not) -> whether a front end was asked at all (False: show the text to paste).
CellFn = Callable[[str, Callable[[str | None], None]], bool]
StateFn = Callable[[str, str], None]  # (the cell's state line, its kind)


class ApprovalWidget(ApprovalView):
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
        on_state: StateFn | None = None,
    ) -> None:
        self.result = result
        self.decision: str | None = None
        # The cell's one state line (kernel/progress.py): each later state replaces it.
        # Public, so a caller may put its own listener in front of it.
        self.on_state = on_state
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
        self._install_argv = install_argv
        self._worker = Worker("forge-widget")
        super().__init__(on_install=self.install)
        self._wire_clicks()
        self.show(result)

    def _wire_clicks(self) -> None:
        """Each button to its flow; the buttons of flows without a callback are hidden."""
        self.approve_button.on_click(lambda _b: self.approve())
        self.reject_button.on_click(lambda _b: self.reject())
        self.regenerate_button.on_click(lambda _b: self.regenerate())
        self.edit_button.on_click(lambda _b: self.open_editor())
        self.save_button.on_click(lambda _b: self.save_edit())
        self.cancel_button.on_click(lambda _b: self.close_editor())
        self.cell_button.on_click(lambda _b: self.edit_in_cell())
        self.revert_button.on_click(lambda _b: self.revert())
        set_shown(self.regenerate_button, self._on_regenerate is not None)
        set_shown(self.edit_button, self._on_edit is not None)
        set_shown(self.cell_button, self._on_edit_in_cell is not None)

    # -- for scripts and tests ---------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A background job (or :meth:`hold`) has the widget: every action waits or refuses."""
        return self._worker.busy

    def hold(self) -> AbstractContextManager[None]:
        """Keep the widget busy for a ``with`` block, as a running job does (tests, scripts)."""
        return self._worker.hold()

    @property
    def background_jobs(self) -> int:
        """How many jobs ran on the worker thread (0: every click so far ran in place)."""
        return self._worker.started

    def wait(self, timeout: float | None = None) -> None:
        """Block until a background regenerate/edit finished (tests, scripts)."""
        self._worker.wait(timeout)

    # -- display -------------------------------------------------------------------

    def _state(self, line: str, kind: str) -> None:
        if self.on_state is not None:
            self.on_state(line, kind)

    def show(self, result: ForgeResult) -> None:
        """Show ``result`` as the version Approve takes (from any thread)."""
        self.result = result
        self._state(result.status_line(), result.verdict)
        on_accept = self.accept_check if self._on_accept_check is not None else None
        on_drop = self.drop_check if self._on_drop_check is not None else None
        self.draw(
            result,
            title=self._title,
            layers=self._layers,
            check_rows=on_accept is not None or on_drop is not None,
        )
        self.draw_check_rows(
            result,
            on_accept=on_accept,
            on_drop=on_drop,
            enabled=self.decision is None and not self.busy,
        )
        if self._install_argv is not None and self.decision is None:
            self.install_offer.update(result.requirements)
        revertible = self._on_revert is not None and self.decision is None and can_revert(result)
        set_shown(self.revert_button, revertible)
        self._refresh_approve(not self.busy)

    def _refresh_approve(self, idle: bool) -> None:
        """Approve takes the version shown, and only a passing one: never while the
        editor is open (its text would be lost, or mistaken for what is approved)."""
        self.set_approve(idle and self.decision is None, passed=self.result.passed)

    def _set_buttons(self, enabled: bool) -> None:
        self.enable_actions(enabled)
        self._refresh_approve(enabled)

    def _finish(self, decision: str, message: str) -> None:
        self.decision = decision
        # The header said what Approve would do; now it says what was decided.
        self._title = decision
        self.draw_header(self.result, decision)
        self.close_edit_box()
        set_shown(self.revert_button, False)
        self.paste_view.value = ""
        self._set_buttons(False)
        self.say(message)
        self._state(message, decision)

    # -- actions -------------------------------------------------------------------

    def approve(self) -> None:
        # Busy: a click that raced the "disabled" update must not approve what is being replaced.
        if self.decision is not None or not self.result.passed or self.busy:
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
        if self.decision is not None or self.busy:
            return
        message = f"Rejected: `{self.result.spec.name}` was not defined and nothing was saved."
        if self._on_reject is not None:
            message = self._on_reject(self.result)
        self._finish("rejected", message)

    def open_editor(self) -> None:
        if self.decision is not None or self._on_edit is None:
            return
        self.open_edit_box(self.result.code or "")
        self._refresh_approve(not self.busy)

    def close_editor(self) -> None:
        self.close_edit_box()
        self._refresh_approve(not self.busy)

    def _say_result(self, result: ForgeResult) -> None:
        self.say_result(result, revertible=self._on_revert is not None and can_revert(result))

    def _run_in_background(
        self,
        label: str,
        job: Callable[[], ForgeResult],
        after: Callable[[ForgeResult | None], None] | None = None,
    ) -> None:
        """Run ``job`` on the worker thread and show its result. ``after``: called with
        the new result (None when the job failed), before the buttons come back."""
        if not self._worker.claim():
            self.say_still_working()
            return
        self._set_buttons(False)
        self.say(label)
        self._state(label, "")  # the cell's one line says what is going on now
        before = self.result
        self._worker.start(lambda: self._work(label, job, after, before))

    def _work(
        self,
        label: str,
        job: Callable[[], ForgeResult],
        after: Callable[[ForgeResult | None], None] | None,
        before: ForgeResult,
    ) -> None:
        """The worker thread's part: the job, its result or why it stopped, then idle."""
        result: ForgeResult | None = None
        try:
            result = job()
        except ForgeError as exc:
            self._stopped(label, before, str(exc))
        except Exception as exc:
            self._stopped(label, before, f"{type(exc).__name__}: {exc}")
        else:
            self.show(result)
            self._say_result(result)
        finally:
            try:
                if after is not None:
                    after(result)
            finally:
                self._worker.release()
                self._set_buttons(True)

    def _stopped(self, label: str, before: ForgeResult, why: str) -> None:
        self.say(why, error=True)
        # Still true: the version shown is the one before, and why the new one is not.
        what = label.rstrip("…").lower()
        self._state(f"{before.status_line()} ({what} stopped: {why})", before.verdict)

    def regenerate(self) -> None:
        if self.decision is not None or self._on_regenerate is None:
            return
        on_regenerate = self._on_regenerate
        self._run_in_background("Regenerating…", lambda: on_regenerate(self.result))

    def save_edit(self) -> None:
        if self.decision is not None or self._on_edit is None:
            return
        if self.busy:  # keep the editor (and the person's edit) open
            self.say_still_working("save again")
            return
        on_edit, code = self._on_edit, self.editor.value

        def after(result: ForgeResult | None) -> None:
            # Only an edit that passes closes the editor: one that fails keeps the typed
            # text there to fix (Revert brings back the last passing version).
            if result is not None and result.passed:
                self.close_edit_box()

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
        if not self._worker.claim():
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
            self._worker.release()
            self._set_buttons(True)

    def edit_in_cell(self) -> None:
        """ "Edit in a cell": ask the front end for a ``%%forge --edit NAME`` cell below the
        forge cell; without one that can (or if it cannot), show that cell to paste."""
        if self.decision is not None or self._on_edit_in_cell is None:
            return
        if self.busy:
            self.say_still_working()
            return
        name = self.result.spec.name
        text = edit_cell_text(name, self.result.code or "")
        self.paste_view.value = ""
        # Said first: the answer (another message, or a timer) may replace it at any time.
        self.say(f"Adding a cell `%%forge --edit {name}` below the forge cell…")
        try:
            asked = self._on_edit_in_cell(text, lambda error: self._cell_answered(text, error))
        except Exception as exc:  # never silent: the person still gets the cell to paste
            self.offer_paste(text, f"{type(exc).__name__}: {exc}")
            return
        if not asked:
            self.offer_paste(text)

    def _cell_answered(self, text: str, error: str | None) -> None:
        if self.decision is not None:
            return
        if error is None:
            self.say_cell_added(self.result.spec.name)
        else:
            self.offer_paste(text, error)

    def _right_now(
        self, job: Callable[[], ForgeResult], done: Callable[[ForgeResult], str]
    ) -> None:
        """A quick callback (bookkeeping, nothing slow) run on this thread, its result shown
        with what ``done`` says of it; refused while a background job is still running."""
        if self.busy:
            self.say_still_working()
            return
        try:
            result = job()
        except ForgeError as exc:
            self.say(str(exc), error=True)
        except Exception as exc:
            self.say(f"{type(exc).__name__}: {exc}", error=True)
        else:
            self.show(result)
            self.say(done(result))

    def revert(self) -> None:
        """Revert: after an edit that failed, show the last passing version again."""
        if self.decision is not None or self._on_revert is None:
            return
        on_revert = self._on_revert
        self._right_now(
            lambda: on_revert(self.result),
            lambda result: f"Reverted to the last version that passed: {result.status_line()}",
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
        on_drop = self._on_drop_check
        self._right_now(
            lambda: on_drop(self.result, index),
            lambda _: f"Dropped check {index + 1} from your words.",
        )

    def install(self) -> None:
        """The person clicked Install: run the shown command, then validate the same code again.

        Only this click ever installs anything. Re-validation goes through
        ``on_edit`` with the unchanged code, so the new result replaces the old
        one exactly as a hand edit would.
        """
        if self.decision is not None or self._install_argv is None:
            return
        packages = list(self.install_offer.packages)
        if not packages or self.busy:
            return
        argv = self._install_argv(packages)
        on_edit, code = self._on_edit, self.result.code
        offer = self.install_offer
        offer.started(argv)

        def job() -> ForgeResult:
            offer.run(argv, packages)
            if on_edit is None or not code:
                return self.result
            return on_edit(self.result, code)

        self._run_in_background(
            f"Installing {', '.join(packages)}, then validating again in the sandbox…", job
        )
