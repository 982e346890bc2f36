"""Which greens need a witness: :meth:`ForgeResult.found_late`, :attr:`uncorroborated`.

Hand-built attempts (no model, no sandbox): the rule reads only kinds and reports.
"""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.disagreement import Comparison, Difference, SecondOpinion
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import parse_cell
from jupyter_forge.core.validation import SampleResult, ValidationReport

CODE = "def f(x: int) -> int:\n    '''Double.'''\n    return 2 * x\n"


def attempt(number: int, kind: str, *, passed: bool, code: str = CODE) -> Attempt:
    return Attempt(
        number=number, reply="", code=code, kind=kind, report=ValidationReport(passed=passed)
    )


def forged(*attempts: Attempt, corroborate: bool = True) -> ForgeResult:
    result = ForgeResult(spec=parse_cell("f", "Double x.\n>>> f(2)\n4\n"), model="m")
    result.attempts.extend(attempts)
    result.corroborate = corroborate
    shown = result.choose_best()
    assert shown is not None
    result.code = shown.code
    return result


@pytest.mark.parametrize(
    ("kinds", "late"),
    [
        ((("first", True),), False),
        ((("first", True), ("polish", True)), False),  # polishing a first answer
        ((("first", False), ("repair", True)), True),
        ((("first", False), ("repair", False), ("fresh", True)), True),
        ((("first", False), ("repair", True), ("polish", True)), True),  # a polished repair
        ((("repair", True),), True),  # a redo starts by repairing earlier code
    ],
)
def test_found_late_reads_how_the_shown_candidate_came_about(
    kinds: tuple[tuple[str, bool], ...], late: bool
) -> None:
    attempts = [attempt(n, kind, passed=ok) for n, (kind, ok) in enumerate(kinds, 1)]
    result = forged(*attempts)
    assert result.found_late(attempts[-1]) is late
    assert result.uncorroborated is late
    assert result.verdict == ("doubtful" if late else "passed")


def test_an_agreeing_second_opinion_on_the_shown_candidate_corroborates_it() -> None:
    result = forged(
        attempt(1, "first", passed=False),
        attempt(2, "repair", passed=True),
        attempt(3, "second", passed=True, code=CODE + "\n"),
    )
    assert result.shown is not None and result.shown.number == 2
    result.second_opinion = SecondOpinion(1, 3, Comparison(probes=4))  # about another one
    assert result.uncorroborated
    result.second_opinion = SecondOpinion(2, 3, Comparison(probes=0))  # nothing compared
    assert result.uncorroborated
    result.second_opinion = SecondOpinion(2, 3, Comparison(probes=4))
    assert not result.uncorroborated and result.verdict == "passed"
    differs = Comparison(probes=4, differences=(Difference("f(0)", "0", "1"),))
    result.second_opinion = SecondOpinion(2, 3, differs)
    assert result.doubt == "disputed"  # the disagreement is what the person reads


def test_a_second_answer_passing_only_the_samples_can_dispute_but_not_corroborate() -> None:
    result = forged(
        attempt(1, "first", passed=False),
        attempt(2, "repair", passed=True),
        attempt(3, "second", passed=True, code=CODE + "\n"),
    )
    result.second_opinion = SecondOpinion(2, 3, Comparison(probes=4), other_green=False)
    assert result.second_opinion.agrees and not result.second_opinion.corroborates
    assert result.uncorroborated and result.doubt == "uncorroborated"
    differs = Comparison(probes=4, differences=(Difference("f(0)", "0", "1"),))
    result.second_opinion = SecondOpinion(2, 3, differs, other_green=False)
    assert result.doubt == "disputed"
    assert "passes your samples (not every check from your words)" in result.status_line()
    assert result.second_opinion.to_json()["other_green"] is False


def test_without_second_opinions_nothing_needs_corroboration() -> None:
    result = forged(
        attempt(1, "first", passed=False), attempt(2, "repair", passed=True), corroborate=False
    )
    assert not result.uncorroborated and result.verdict == "passed"


def test_why_unconfirmed_names_the_failed_answers_and_the_second_ones() -> None:
    repeated = Attempt(number=3, reply="", code=CODE, kind="second")  # not validated again
    result = forged(attempt(1, "first", passed=False), attempt(2, "repair", passed=True), repeated)
    assert result.why_unconfirmed() == (
        "attempt 2 came after attempt 1 failed, and the second answer (attempt 3) "
        "repeated earlier code"
    )
    redo = forged(attempt(1, "repair", passed=True))
    assert redo.why_unconfirmed() == (
        "attempt 1 repairs code that failed before, and no attempt was left to ask for a "
        "second answer"
    )


def test_a_failed_forge_is_never_doubtful() -> None:
    result = forged(attempt(1, "first", passed=False), attempt(2, "repair", passed=False))
    assert result.doubt is None and result.verdict == "failed"


def checked(number: int, kind: str, *checks_passed: bool) -> Attempt:
    """A candidate that passed the samples, with these outcomes on the checks from the words."""
    tried = attempt(number, kind, passed=True)
    tried.checks_report = ValidationReport(
        passed=all(checks_passed),
        results=[
            SampleResult(source=f"check {i}", kind="assert", expected=None, passed=ok)
            for i, ok in enumerate(checks_passed)
        ],
    )
    return tried


def probed(tried: Attempt, outcome: str, notes: list[str] | None = None) -> Attempt:
    tried.behaviour, tried.notes = (outcome,), notes or []
    return tried


@pytest.mark.parametrize(
    ("attempts", "shown", "why"),
    [
        # The one after it broke the samples (a repair of passing code).
        (
            lambda: [attempt(1, "first", passed=True), attempt(2, "polish", passed=False)],
            1,
            "attempt 2 did not pass the samples",
        ),
        # Both green on the samples, the later one broke a check from the words.
        (
            lambda: [checked(1, "first", True, True), checked(2, "second", True, False)],
            1,
            "attempt 2 passed fewer checks from your words",
        ),
        # Equally good: the rank falls through to the earlier answer.
        (
            lambda: [checked(1, "first", True), checked(2, "second", True)],
            1,
            "attempt 2 is no better, and ties go to the earlier answer",
        ),
        # Attempt 2 behaves like attempt 1 on the probes, attempt 3 like nobody.
        (
            lambda: [
                probed(checked(1, "first", True), "1", notes=["no docstring"]),
                probed(checked(2, "polish", True), "1"),
                probed(checked(3, "second", True), "2"),
            ],
            2,
            "attempt 3 agrees with fewer of the other answers",
        ),
        # Several later ones: the best of them is named.
        (
            lambda: [
                checked(1, "first", True, True),
                attempt(2, "repair", passed=False),
                checked(3, "fresh", True, False),
            ],
            1,
            "the best later one, attempt 3, passed fewer checks from your words",
        ),
    ],
)
def test_why_not_later_names_what_decided_against_the_later_answers(
    attempts: Any, shown: int, why: str
) -> None:
    result = forged(*attempts())
    assert result.shown is not None and result.shown.number == shown
    assert result.why_not_later() == why


def test_why_not_later_is_silent_when_the_last_answer_is_shown() -> None:
    result = forged(attempt(1, "first", passed=False), attempt(2, "repair", passed=True))
    assert result.shown is result.attempts[1]
    assert result.why_not_later() is None
