"""The approval widget's view: what a person sees of a forged tool, and its buttons.

Split the ipywidgets way: this module only draws (the widget family of header, code,
samples, checks, notes, buttons, editor, status and token stream, whose redraws it
paces) and knows nothing of what a click does; :mod:`.approval` is the controller that
wires the clicks to the approve / reject / regenerate / edit flows and decides what is
enabled when.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence

import ipywidgets as widgets

from ..core.result import ForgeResult
from . import render
from .install import InstallOffer

CheckClick = Callable[[int], None]  # a check's button was clicked: the check's index

STREAM_REDRAW_SECONDS = 0.2
STREAM_TAIL_CHARS = 4000


def set_shown(widget: widgets.Widget, shown: bool) -> None:
    """Show or hide ``widget`` without taking it out of the page."""
    widget.layout.display = None if shown else "none"


def _check_button(
    description: str,
    icon: str,
    tooltip: str,
    on_click: CheckClick | None,
    index: int,
    enabled: bool,
) -> widgets.Button:
    """A check row's button; hidden when nobody handles its click."""
    button = widgets.Button(
        description=description,
        icon=icon,
        tooltip=tooltip,
        disabled=not enabled,
        layout=widgets.Layout(width="auto", flex="0 0 auto"),  # a long check never squeezes it
    )
    if on_click is not None:
        button.on_click(lambda _b: on_click(index))
    set_shown(button, on_click is not None)
    return button


class ApprovalView(widgets.VBox):  # type: ignore[misc]
    """One forged tool on screen: its code and evidence, the decision buttons, the editor."""

    def __init__(self, on_install: Callable[[], None]) -> None:
        self.header = widgets.HTML()
        self.code_view = widgets.HTML()
        self.samples_view = widgets.HTML()
        # Checks from the words and the edge-case preview: shown apart from the samples.
        self.checks_view = widgets.HTML()
        self.checks_box = widgets.VBox()  # per check: Accept as sample / Drop (rebuilt on show)
        self.check_buttons: list[tuple[widgets.Button, widgets.Button]] = []
        self.preview_view = widgets.HTML()
        self.notes_view = widgets.HTML()
        self.install_offer = InstallOffer(on_install)
        self.status = widgets.HTML()
        # The model's tokens while a regeneration runs (cleared when its result is shown).
        self.stream_view = widgets.HTML()
        self._streamed = ""
        self._streamed_at = 0.0
        # What stream() throttles its redraws by (a test steps it by hand).
        self.stream_clock: Callable[[], float] = time.monotonic
        # "Edit in a cell" without a front end that adds cells: the cell to paste.
        self.paste_view = widgets.HTML()
        self.buttons = self._decision_buttons()
        self.edit_box = self._edit_box()
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

    def _decision_buttons(self) -> widgets.HBox:
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
        return widgets.HBox(
            [
                self.approve_button,
                self.reject_button,
                self.regenerate_button,
                self.edit_button,
                self.cell_button,
                self.revert_button,
            ]
        )

    def _edit_box(self) -> widgets.VBox:
        """The plain text editor (hidden until Edit), with Save & validate and Cancel."""
        self.editor = widgets.Textarea(layout=widgets.Layout(width="100%", height="16em"))
        self.save_button = widgets.Button(description="Save & validate", button_style="primary")
        self.cancel_button = widgets.Button(description="Cancel")
        return widgets.VBox(
            [self.editor, widgets.HBox([self.save_button, self.cancel_button])],
            layout=widgets.Layout(display="none"),
        )

    # -- drawing a result ------------------------------------------------------------

    def draw(
        self,
        result: ForgeResult,
        *,
        title: str,
        layers: Sequence[str],
        check_rows: bool = False,
    ) -> None:
        """Everything shown about ``result`` (a token stream or a cell to paste, both
        about the version before, go away). ``check_rows``: the checks from the words go on
        rows with their buttons (:meth:`draw_check_rows`), not in the checks table."""
        self._streamed, self.stream_view.value = "", ""
        self.draw_header(result, title)
        self.code_view.value = (
            render.highlight(result.code) if result.code else "<p><i>No code.</i></p>"
        )
        self.samples_view.value = render.samples_table(
            result.report.results if result.report else []
        )
        self.checks_view.value = render.checks_table(result, with_rows=not check_rows)
        self.preview_view.value = render.disagreement_table(result) + render.preview_table(
            result.preview
        )
        self.notes_view.value = render.notes(result, layers)
        self.paste_view.value = ""

    def draw_header(self, result: ForgeResult, title: str) -> None:
        self.header.value = render.header(result, title=title)

    def draw_check_rows(
        self,
        result: ForgeResult,
        *,
        on_accept: CheckClick | None,
        on_drop: CheckClick | None,
        enabled: bool,
    ) -> None:
        """One row per check from the words: number, mark, check and error, then Accept as
        sample and Drop (each hidden without its click handler; no rows when neither has
        one: the checks table lists them then)."""
        old = list(self.checks_box.children)
        self.check_buttons = []
        rows = []
        checks = result.word_checks.checks if result.word_checks is not None else []
        if on_accept is not None or on_drop is not None:
            marks = render.check_marks(result)
            for index, (check, (mark, error)) in enumerate(zip(checks, marks, strict=True)):
                accept = _check_button(
                    "Accept as sample",
                    "plus",
                    "Make this check one of your samples (saved with the tool)",
                    on_accept,
                    index,
                    enabled,
                )
                drop = _check_button("Drop", "trash", "Forget this check", on_drop, index, enabled)
                label = widgets.HTML(
                    render.check_label(index + 1, check.text, mark, error),
                    layout=widgets.Layout(flex="1 1 auto"),
                )
                rows.append(
                    widgets.HBox([label, accept, drop], layout=widgets.Layout(align_items="center"))
                )
                self.check_buttons.append((accept, drop))
        self.checks_box.children = rows
        for row in old:  # the old rows' widgets are gone from the page: free their comms
            for child in row.children:
                child.close()
            row.close()

    # -- buttons -----------------------------------------------------------------------

    def enable_actions(self, enabled: bool) -> None:
        """Every button but Approve, whose state depends on more than being idle."""
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

    def set_approve(self, allowed: bool, *, passed: bool) -> None:
        """Approve takes the version shown: on when ``allowed`` and it ``passed``, and never
        while the editor is open; its tooltip says why not."""
        self.approve_button.disabled = not (allowed and passed and not self.editing)
        if not passed:
            self.approve_button.tooltip = "Only code that passes its samples can be approved"
        elif self.editing:
            self.approve_button.tooltip = "Save or Cancel your edit first"
        else:
            self.approve_button.tooltip = ""

    # -- the editor ----------------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """The text-area editor is open: it may hold an edit not saved yet."""
        return bool(self.edit_box.layout.display != "none")

    def open_edit_box(self, code: str) -> None:
        self.editor.value = code
        self.edit_box.layout.display = "flex"

    def close_edit_box(self) -> None:
        self.edit_box.layout.display = "none"

    # -- messages ------------------------------------------------------------------------

    def say(self, message: str, *, error: bool = False, warning: bool = False) -> None:
        """The status line under the buttons (red for an error, amber for a warning)."""
        color = "#cf222e" if error else render.AMBER if warning else "inherit"
        self.status.value = f"<p style='color:{color}'>{render.inline(message)}</p>"

    def say_result(self, result: ForgeResult, *, revertible: bool) -> None:
        """How a new version did (and that Revert can undo it, when it can)."""
        line = result.status_line()
        if revertible:
            line += " — Revert goes back to the last version that passed"
        self.say(line, error=not result.passed, warning=result.doubtful)

    def say_still_working(self, then: str = "try again") -> None:
        self.say(f"Still working on the previous request: {then} when it is done.", error=True)

    def say_cell_added(self, name: str) -> None:
        self.say(
            f"Added a cell `%%forge --edit {name}` below the forge cell: "
            "change the code there and run it; this widget shows how it does."
        )

    def stream(self, text: str) -> None:
        """Show the model's tokens as they come, like the first run under the cell
        (redrawn at most five times a second: each redraw is a message to the browser)."""
        self._streamed += text
        now = self.stream_clock()
        if now - self._streamed_at < STREAM_REDRAW_SECONDS:
            return
        self._streamed_at = now
        tail = self._streamed[-STREAM_TAIL_CHARS:]
        self.stream_view.value = (
            "<pre class='jupyter-forge-stream' style='font-size:85%;max-height:12em;"
            f"overflow:auto;opacity:0.8'>{html.escape(tail)}</pre>"
        )

    def offer_paste(self, text: str, reason: str | None = None) -> None:
        """Show the cell ``text`` to paste by hand (after ``reason``, when a front end
        could not add it)."""
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
