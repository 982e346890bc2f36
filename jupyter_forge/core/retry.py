"""Redoing a forge (the widget's Regenerate): what the new forge knows of the old one.

Why its own module: the repair loop, the service and the tests all need it, and it
is about the person's earlier forge, not about one loop's attempts.
"""

from __future__ import annotations

from dataclasses import dataclass

from .prompt import report_failure_lines
from .result import ForgeResult
from .word_checks import WordChecks, failure_lines

__all__ = ["Retry", "code_key", "retry_from"]


@dataclass(frozen=True)
class Retry:
    """What a regeneration knows from the forge the person asked to redo.

    Why: asked again with the same prompt, a small model answers with the same code (a
    person clicking Regenerate saw exactly that). So the first ask shows the earlier
    code and what was wrong with it, answers identical to code already shown are
    named as such and never shown as new, and the checks from the words (which
    depend on the words only) are reused instead of asked for again.
    """

    code: str | None  # the code the person saw last
    lines: tuple[str, ...]  # what was wrong with it, one line each
    seen: tuple[str, ...] = ()  # every code the person was shown before
    word_checks: WordChecks | None = None


def retry_from(previous: ForgeResult) -> Retry:
    """How to redo ``previous``: its shown code, what was wrong with it, all it showed."""
    shown = previous.shown
    lines: list[str] = []
    if shown is not None:
        if shown.problems:
            lines += shown.problems
        elif shown.report is not None and not shown.report.passed:
            lines += report_failure_lines(shown.report)
        elif shown.checks_report is not None and previous.word_checks is not None:
            lines += failure_lines(previous.word_checks.checks, shown.checks_report)
    if not lines:
        lines = ["The person asked for another version of it."]
    return Retry(
        code=shown.code if shown is not None else None,
        lines=tuple(lines),
        seen=tuple(a.code for a in previous.attempts if a.code),
        word_checks=previous.word_checks,
    )


def code_key(code: str) -> str:
    """Code compared by what it does as written: comments and layout do not count."""
    import ast

    try:
        return ast.dump(ast.parse(code))
    except (SyntaxError, ValueError):
        return " ".join(code.split())
