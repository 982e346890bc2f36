"""Revert: the last passing version a person saw survives an edit that fails.

Why: an edit (in the widget's editor or from a ``%%forge --edit`` cell) replaces the
version under review. If it fails, the person must be able to go back to what worked
without retyping it; Approve stays off until the shown version passes, so what gets
approved is always a passing version they chose to keep.
"""

from __future__ import annotations

from .attempt import Attempt
from .errors import ForgeError
from .repair import finish
from .result import ForgeResult, Kept


def keep_passing(result: ForgeResult) -> None:
    """Before an edit replaces the shown version: remember it if it passes.

    A failing version never replaces a kept one, so after several failing edits
    Revert still goes back to the last version that passed.
    """
    shown = result.shown
    if shown is None or not result.passed:
        return
    index = next(i for i, attempt in enumerate(result.attempts) if attempt is shown)
    result.kept = Kept(index, tuple(result.preview))


def can_revert(result: ForgeResult) -> bool:
    """A passing version is kept and the shown one does not pass."""
    return result.kept is not None and not result.passed


def revert(result: ForgeResult) -> Attempt:
    """Show the kept passing version again (code, sample results, preview); ``result``
    is changed in place and the attempt now shown is returned."""
    kept = result.kept
    if kept is None or not 0 <= kept.attempt < len(result.attempts):
        raise ForgeError(
            f"`{result.spec.name}` has no earlier passing version to go back to: edit the "
            "code or regenerate it"
        )
    if result.passed:
        raise ForgeError(
            f"`{result.spec.name}` passes as shown: there is nothing to revert (approve it, "
            "or edit it again)"
        )
    attempt = result.attempts[kept.attempt]
    if attempt.code is None or not attempt.passed:
        raise ForgeError(f"the kept version of `{result.spec.name}` does not pass any more")
    result.chosen, result.chosen_among = kept.attempt, len(result.attempts)
    finish(result, attempt.code)
    result.report = attempt.report
    result.preview = list(kept.preview)
    return attempt
