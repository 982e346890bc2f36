"""Revert: an edit that fails keeps the last passing version, which Revert shows again."""

from __future__ import annotations

import pytest

from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.errors import ForgeError
from jupyter_forge.core.probes import ProbeResult
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.revert import can_revert, keep_passing, revert
from jupyter_forge.core.spec import parse_cell
from jupyter_forge.core.validation import SampleResult, ValidationReport

GOOD = 'def f(x: int) -> int:\n    """Double it."""\n    return x * 2\n'
WRONG = 'def f(x: int) -> int:\n    """Double it."""\n    return x + 2\n'


def report(passed: bool) -> ValidationReport:
    got = "4" if passed else "5"
    return ValidationReport(
        passed=passed, results=[SampleResult("f(2)", "example", "4", passed, got=got)]
    )


def attempt(number: int, code: str, passed: bool, kind: str = "first") -> Attempt:
    edited_from = 1 if kind == "edit" else None
    return Attempt(
        number, reply=code, code=code, report=report(passed), kind=kind, edited_from=edited_from
    )


def shown_as(result: ForgeResult, a: Attempt, preview: list[ProbeResult] | None = None) -> None:
    """What the loop or an edit leaves: ``a`` appended and shown, with its code and report."""
    result.attempts.append(a)
    result.code, result.report = a.code, a.report
    result.preview = list(preview or [])


def forged() -> ForgeResult:
    result = ForgeResult(spec=parse_cell("f", "Double it.\n>>> f(2)\n4\n"), model="m")
    shown_as(result, attempt(1, GOOD, True), [ProbeResult(call="f(0)", why="zero", got="0")])
    return result


def test_a_failing_edit_keeps_the_passing_version_and_revert_shows_it_again() -> None:
    result = forged()
    keep_passing(result)
    shown_as(
        result,
        attempt(2, WRONG, False, kind="edit"),
        [ProbeResult(call="f(0)", why="zero", got="2")],
    )
    assert not result.passed and can_revert(result)

    back = revert(result)

    assert back is result.attempts[0] and result.shown is back
    assert result.passed and result.code == GOOD and result.report is back.report
    assert [p.got for p in result.preview] == ["0"]  # its preview, not the failed edit's
    assert result.schema is not None and result.schema["function"]["name"] == "f"
    assert len(result.attempts) == 2  # the failed edit stays in the record
    assert not can_revert(result)


def test_several_failing_edits_still_go_back_to_the_last_passing_one() -> None:
    result = forged()
    keep_passing(result)
    shown_as(result, attempt(2, GOOD.replace("x * 2", "2 * x"), True, kind="edit"))
    keep_passing(result)  # a passing edit becomes the version to go back to
    shown_as(result, attempt(3, WRONG, False, kind="edit"))
    keep_passing(result)  # a failing one never replaces it
    shown_as(result, attempt(4, "def f(x):\n    return\n", False, kind="edit"))

    assert revert(result).number == 2
    assert result.code is not None and "2 * x" in result.code
    # Reverted to a person's edit: it is still shown (and saved) as their edit.
    assert result.shown is not None and result.shown.kind == "edit"


def test_a_later_edit_after_revert_starts_from_the_reverted_version() -> None:
    result = forged()
    keep_passing(result)
    shown_as(result, attempt(2, WRONG, False, kind="edit"))
    revert(result)
    shown_as(result, attempt(3, WRONG, False, kind="edit"))  # appended: shown again
    assert result.shown is result.attempts[2] and not result.passed
    assert can_revert(result) and revert(result).number == 1


def test_nothing_to_revert_is_a_one_line_error() -> None:
    result = forged()
    with pytest.raises(ForgeError, match="no earlier passing version"):
        revert(result)
    keep_passing(result)
    with pytest.raises(ForgeError, match="nothing to revert"):
        revert(result)  # the shown version passes
    failing = ForgeResult(spec=result.spec, model="m")
    shown_as(failing, attempt(1, WRONG, False))
    keep_passing(failing)  # a failing version is never kept
    assert failing.kept is None and not can_revert(failing)
