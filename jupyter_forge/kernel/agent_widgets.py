"""What the agent shows in the notebook: one line per tool call, the answer, the confirm widget.

One widget family per file (as in ipywidgets): the loop that uses them is
:mod:`~jupyter_forge.kernel.agent_view`.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..core.agent import Outcome
from ..core.tool_calls import ToolCall
from . import render

CONTINUE_HINT = "run this cell again (or `%forge ask --continue`) to let the agent go on"


class CallLine:
    """One tool call, updated in place with its result."""

    def __init__(self, call: ToolCall, result: str | None = None, ok: bool = True) -> None:
        self.call, self.result, self.ok = call, result, ok

    def _text(self) -> str:
        arrow = "" if self.result is None else f" -> {self.result}"
        return f"tool call: {self.call.signature()}{arrow}"

    def _repr_html_(self) -> str:
        color = "inherit" if self.ok else "#cf222e"
        result = (
            ""
            if self.result is None
            else f" → <span style='color:{color}'>{html.escape(self.result)}</span>"
        )
        return f"<div class='jupyter-forge-agent-call'>🔧 <code>{html.escape(self.call.signature())}</code>{result}</div>"

    def __repr__(self) -> str:
        return self._text()


class Answer:
    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_html_(self) -> str:
        body = html.escape(self.text).replace("\n", "<br>")
        return f"<div class='jupyter-forge-agent-answer'><b>Answer</b><p>{body}</p></div>"

    def __repr__(self) -> str:
        return f"Answer: {self.text}"


class ConfirmWidget(widgets.VBox):  # type: ignore[misc]
    """Asks before a call with side effects runs; the click runs it (in the kernel)."""

    def __init__(self, call: ToolCall, effects: list[str], run: Any) -> None:
        self.call, self._run = call, run
        self.decision: str | None = None
        self.outcome: Outcome | None = None
        what = "; ".join(effects[:4])
        self.message = widgets.HTML(
            f"<p>The agent wants to call <code>{html.escape(call.signature())}</code>, whose code "
            f"has side effects ({html.escape(what)}). Run it?</p>"
        )
        self.run_button = widgets.Button(description="Run it", button_style="warning")
        self.skip_button = widgets.Button(description="Don't run", button_style="danger")
        self.status = widgets.HTML()
        self.run_button.on_click(lambda _b: self.allow())
        self.skip_button.on_click(lambda _b: self.decline())
        super().__init__(
            [self.message, widgets.HBox([self.run_button, self.skip_button]), self.status]
        )

    def _finish(self, decision: str, outcome: Outcome) -> None:
        self.decision, self.outcome = decision, outcome
        self.run_button.disabled = self.skip_button.disabled = True
        done = outcome.summary or outcome.content
        self.status.value = f"<p>{render.inline(done)} — {render.inline(CONTINUE_HINT)}.</p>"

    def allow(self) -> None:
        if self.decision is None:
            self._finish("run", self._run(self.call))

    def decline(self) -> None:
        if self.decision is None:
            text = f"The user declined to run {self.call.signature()}: do not call it again."
            self._finish("declined", Outcome(text, summary="declined by you", ok=False))
