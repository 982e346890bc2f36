"""Who wrote the code that is saved: the model, or a person who edited its answer.

Why: a tool notebook says where its code came from, and code a person typed in the
widget's editor must not be recorded as the model's work (nor the model's as theirs).
The record names the person, the model's attempt they started from, and what they
changed, so a reviewer of the shared notebook can tell the two apart.
"""

from __future__ import annotations

import difflib
from typing import Any

from .audit import current_user
from .result import ForgeResult

MAX_DIFF_CHARS = 4000  # a whole rewrite is summarised by its head, not stored twice


def edited_by_a_person(result: ForgeResult) -> dict[str, Any] | None:
    """``{"by", "from_attempt", "diff"}`` when the shown code is a person's edit, else None."""
    shown = result.shown
    if shown is None or shown.kind != "edit" or shown.code is None:
        return None
    base = next(
        (a for a in result.attempts if a.number == shown.edited_from and a.code is not None), None
    )
    diff = ""
    if base is not None and base.code is not None:
        lines = difflib.unified_diff(
            base.code.splitlines(keepends=True),
            shown.code.splitlines(keepends=True),
            fromfile=f"attempt {base.number} ({result.model})",
            tofile="edited",
        )
        diff = "".join(lines)
        if len(diff) > MAX_DIFF_CHARS:
            diff = diff[:MAX_DIFF_CHARS] + "\n... (diff cut)\n"
    return {"by": current_user(), "from_attempt": shown.edited_from, "diff": diff}
