"""What approval without a person may approve: green tools only, never doubtful ones.

A doubtful tool passes its samples and breaks a check from the request's words. The
check may be wrong, so a person decides; ``--approve auto``, the agent's auto mode and
the CLI's ``--yes`` step back from it.
"""

from __future__ import annotations

from test_word_checks import report, result_with_checks

from jupyter_forge.core import auto_approve
from jupyter_forge.core.result import ForgeResult


def test_a_tool_passing_its_samples_and_every_check_is_green_and_may_be_auto_approved() -> None:
    result = result_with_checks(report(True, True, True, True))
    assert result.verdict == "passed" and not result.doubtful
    assert auto_approve.refusal(result) is None
    assert result.status_line().startswith("`slug` passed (")


def test_a_tool_breaking_a_check_from_its_words_is_doubtful_and_needs_a_person() -> None:
    result = result_with_checks(report(True, False, True, True))
    assert result.passed  # its samples pass: Approve stays possible
    assert result.verdict == "doubtful" and result.doubtful
    reason = auto_approve.refusal(result)
    assert reason is not None and "breaks checks from your words" in reason
    line = result.status_line()
    assert "passes its samples but breaks 1 of 4 check(s) from your words" in line
    assert '`assert slug("x") == "x"`' in line  # the first broken check, as written
    assert "passed (" not in line


def test_checks_that_did_not_load_make_it_doubtful_too() -> None:
    broken = report()
    broken.passed, broken.load_error = False, "SyntaxError: nope"
    result = result_with_checks(broken)
    assert result.verdict == "doubtful"
    assert "the checks did not load" in result.status_line()


def test_no_checks_run_is_judged_by_the_samples_alone() -> None:
    result = result_with_checks(None)
    assert result.verdict == "passed" and auto_approve.refusal(result) is None


def test_a_failed_forge_is_never_auto_approved() -> None:
    result = ForgeResult(spec=result_with_checks(None).spec, model="m")
    assert result.verdict == "failed"
    assert auto_approve.refusal(result) == "it did not pass its samples"
