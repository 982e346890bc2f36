"""A live status line under the cell: stage messages plus streamed tokens.

Uses one display handle that is updated in place, so the notebook shows progress
while the cell runs (Lab, classic, nbclient output) and keeps only the final line.
"""

from __future__ import annotations

import html
import time
from typing import Any

from ..core.errors import ForgeError
from .render import inline

_THROTTLE = 0.1


# The colour of a settled state line: the same words as the widget's badges.
_COLORS = {"failed": "#cf222e", "doubtful": "#9a6700", "approved": "#1a7f37"}


class ShownInCell(ForgeError):
    """A failure whose one line is already the cell's state line (and the widget under it
    says what to do): the cell fails, Run All stops, and nothing more is printed, so a
    later state (an edit that passes, an approval) can replace the line."""


class _Status:
    def __init__(self, stage: str, message: str, stream: str, kind: str = "") -> None:
        self.stage, self.message, self.stream, self.kind = stage, message, stream, kind

    def _repr_html_(self) -> str:
        stream = ""
        if self.stream:
            tail = self.stream[-1500:]
            stream = (
                "<pre style='margin:4px 0 0 0;max-height:14em;overflow:auto;font-size:85%;"
                f"color:var(--jp-ui-font-color2,#666)'>{html.escape(tail)}</pre>"
            )
        color = _COLORS.get(self.kind)
        style = f" style='color:{color}'" if color else ""
        return (
            f"<div class='jupyter-forge-status'{style}><b>forge</b> · "
            f"{inline(self.message)}{stream}</div>"
        )

    def __repr__(self) -> str:
        return f"forge · {self.message}"


class CellProgress:
    """Implements the core's ``Progress`` protocol on an IPython display handle."""

    def __init__(self, *, show_tokens: bool = True) -> None:
        from IPython.display import display

        self._show_tokens = show_tokens
        self._stage = "start"
        self._message = "starting…"
        self._stream = ""
        self._kind = ""
        self._last = 0.0
        self.history: list[str] = []
        self._handle: Any = display(self._render(), display_id=True)

    def _render(self) -> _Status:
        stream = self._stream if self._show_tokens else ""
        return _Status(self._stage, self._message, stream, self._kind)

    def _update(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= _THROTTLE:
            self._last = now
            if self._handle is not None:
                self._handle.update(self._render())

    def stage(self, name: str, message: str) -> None:
        self._stage, self._message = name, message
        self.history.append(message)
        if name in ("llm",):
            self._stream = ""
        self._update(force=True)

    def token(self, text: str) -> None:
        self._stream += text
        self._update()

    def close(self, message: str | None = None) -> None:
        """Leave just the final status line in the notebook."""
        if message:
            self._message = message
        self._stream = ""
        self._update(force=True)

    def settle(self, message: str, kind: str = "") -> None:
        """Replace the line with the cell's current state (``kind``: failed, doubtful,
        passed, approved, rejected): one true state per cell, whatever came before."""
        self._kind = kind
        self.close(message)
