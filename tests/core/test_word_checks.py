"""The person's verdict on a check from the words: accept it as a sample, or drop it.

Pure bookkeeping on a ``ForgeResult`` (nothing runs here): the check leaves the
checks and every attempt's run of them, so what remains keeps lining up; an
accepted one joins the samples with origin ``"words"``, saved with the tool.
"""

from __future__ import annotations

import dataclasses

import pytest

from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.checks import parse_checks
from jupyter_forge.core.errors import SpecError
from jupyter_forge.core.result import ForgeResult, accept_check, accepted_spec, drop_check
from jupyter_forge.core.spec import ForgeSpec, Sample, parse_cell
from jupyter_forge.core.validation import SampleResult, ValidationReport
from jupyter_forge.core.variables import VariableInfo
from jupyter_forge.core.word_checks import (
    WordChecks,
    check_messages,
    checks_from_reply,
    failure_lines,
    grounded,
)

CELL = 'Slugify a title: lowercase, dashes; raise ValueError on "".\n>>> slug("A b")\n\'a-b\'\n'
REPLY = """```python
# "Slugify a title: lowercase, dashes"
assert slug("Hello World") == "hello-world"
# "Slugify a title"
assert slug("x") == "x"
# "raise ValueError on"
raises(ValueError, slug, "")
# "lowercase"
assert slug("  Spaces  ") == "spaces"
print("not a check")
```"""
CODE = "def slug(title: str) -> str:\n    return title.lower().replace(' ', '-')\n"


def report(*passed: bool) -> ValidationReport:
    results = [
        SampleResult(
            source=f"check {i}",
            kind="code",
            expected=None,
            passed=p,
            error=None if p else f"AssertionError: check {i}",
        )
        for i, p in enumerate(passed)
    ]
    return ValidationReport(passed=all(passed), results=results)


def passing_attempt(number: int, checks: ValidationReport | None) -> Attempt:
    samples = ValidationReport(
        passed=True,
        results=[SampleResult(source='slug("A b")', kind="example", expected="'a-b'", passed=True)],
    )
    return Attempt(number=number, reply="", code=CODE, report=samples, checks_report=checks)


def result_with_checks(*runs: ValidationReport | None) -> ForgeResult:
    spec = parse_cell("slug", CELL)
    checks, skipped = checks_from_reply(REPLY, spec)
    result = ForgeResult(
        spec=spec, model="m", word_checks=WordChecks(checks=checks, skipped=skipped)
    )
    result.attempts = [passing_attempt(n, run) for n, run in enumerate(runs, start=1)]
    result.code = CODE
    result.report = result.attempts[-1].report if result.attempts else None
    return result


def texts(result: ForgeResult) -> list[str]:
    assert result.word_checks is not None
    return [c.text for c in result.word_checks.checks]


def test_the_fixture_is_what_the_model_wrote() -> None:
    result = result_with_checks(report(True, True, True, False))
    assert len(texts(result)) == 4 and len(result.word_checks.skipped) == 1  # type: ignore[union-attr]
    assert result.checks_line() == "checks from your words: 3/4 pass"


def test_drop_removes_the_check_and_its_result_from_every_attempt() -> None:
    first, second = report(True, False, True, False), report(True, True, True, False)
    result = result_with_checks(first, None, second)
    before = texts(result)

    dropped = drop_check(result, 3)

    assert dropped.text == before[3]
    assert texts(result) == before[:3]
    assert [r.source for r in first.results] == ["check 0", "check 1", "check 2"]
    assert [r.source for r in second.results] == ["check 0", "check 1", "check 2"]
    assert second.passed and not first.passed  # recomputed from what is left
    assert result.checks_line() == "checks from your words: 3/3 pass"
    assert result.attempts[1].checks_report is None
    # What repairs and ranking read still lines up with the checks.
    assert failure_lines(result.word_checks.checks, first) == [  # type: ignore[union-attr]
        'Check `assert slug("x") == "x"` failed: AssertionError: check 1'
    ]
    assert result.attempts[2].outcome_key() == (True, True, True)
    # Skipped pieces and the samples are untouched; nothing was "run".
    assert len(result.word_checks.skipped) == 1  # type: ignore[union-attr]
    assert len(result.spec.samples) == 1 and result.report is result.attempts[-1].report


def test_a_run_shared_by_two_attempts_is_trimmed_once() -> None:
    shared = report(True, False, True, True)
    result = result_with_checks(shared, shared)
    drop_check(result, 1)
    assert [r.source for r in shared.results] == ["check 0", "check 2", "check 3"]


def test_a_run_that_could_not_load_stays_failed() -> None:
    broken = ValidationReport(passed=False, results=[], load_error="SyntaxError: nope")
    result = result_with_checks(broken)
    drop_check(result, 0)
    assert broken.results == [] and not broken.passed
    assert result.checks_line() == "checks from your words: 0/3 pass"


def test_drop_every_check() -> None:
    result = result_with_checks(report(True, True, True, False))
    for _ in range(4):
        drop_check(result, 0)
    assert texts(result) == [] and result.checks_line() is None
    with pytest.raises(SpecError, match="no checks from your words to drop"):
        drop_check(result, 0)


def test_accept_moves_the_runnable_check_into_the_samples() -> None:
    run = report(True, True, True, False)
    result = result_with_checks(run)
    old_spec = result.spec
    raises_check = result.word_checks.checks[2]  # type: ignore[union-attr]

    spec = accept_check(result, 2)

    assert result.spec is spec and spec is not old_spec
    assert old_spec.samples == spec.samples[:1]  # the frozen old spec is unchanged
    assert spec.name == old_spec.name and spec.request == old_spec.request
    added = spec.samples[-1]
    assert added == dataclasses.replace(raises_check.sample, origin="words")
    assert added.kind == "code" and "except ValueError" in added.source  # runnable, no helper
    compile(added.source, "<sample>", "exec")
    assert raises_check.text not in texts(result) and len(texts(result)) == 3
    assert [r.source for r in run.results] == ["check 0", "check 1", "check 3"]
    assert result.checks_line() == "checks from your words: 2/3 pass"


def test_an_assert_check_is_accepted_as_written() -> None:
    result = result_with_checks(report(True, True, True, True))
    accept_check(result, 0)
    assert result.spec.samples[-1] == Sample(
        source='assert slug("Hello World") == "hello-world"', kind="code", origin="words"
    )
    assert [s.origin for s in result.spec.samples] == ["cell", "words"]


def test_accepted_spec_changes_nothing() -> None:
    run = report(True, True, True, False)
    result = result_with_checks(run)
    spec = accepted_spec(result, 1)
    assert spec.samples[-1].source == 'assert slug("x") == "x"'
    assert spec.samples[-1].origin == "words"
    assert len(result.spec.samples) == 1 and len(texts(result)) == 4 and len(run.results) == 4


def test_accepting_a_copy_of_a_sample_adds_no_duplicate() -> None:
    spec = ForgeSpec("slug", "Slugify.", (Sample('assert slug("x") == "x"', "code"),))
    checks, _ = parse_checks('assert slug("x") == "x"', "slug")
    result = ForgeResult(spec=spec, model="m", word_checks=WordChecks(checks=checks))
    accept_check(result, 0)
    assert len(result.spec.samples) == 1 and texts(result) == []


def test_accepted_samples_keep_their_origin_through_json() -> None:
    result = result_with_checks(report(True, True, True, False))
    accept_check(result, 0)
    stored = [s.to_json() for s in result.spec.samples]
    assert stored[-1]["origin"] == "words"
    assert [Sample.from_json(s) for s in stored] == list(result.spec.samples)


@pytest.mark.parametrize("index", [4, 99, -1, -4])
@pytest.mark.parametrize("act", [drop_check, accept_check, accepted_spec])
def test_an_index_out_of_range_is_a_one_line_error_and_changes_nothing(
    index: int, act: object
) -> None:
    run = report(True, True, True, False)
    result = result_with_checks(run)
    spec = result.spec
    with pytest.raises(SpecError) as caught:
        act(result, index)  # type: ignore[operator]
    message = str(caught.value)
    assert "\n" not in message
    assert f"no check {index}" in message and "4 check(s)" in message and "0 to 3" in message
    assert result.spec is spec and len(texts(result)) == 4 and len(run.results) == 4


@pytest.mark.parametrize("index", [True, "1", 1.0, None])
def test_an_index_that_is_not_an_int_is_refused(index: object) -> None:
    result = result_with_checks(report(True, True, True, False))
    with pytest.raises(SpecError, match="no check"):
        drop_check(result, index)  # type: ignore[arg-type]
    assert len(texts(result)) == 4


def test_no_checks_to_accept() -> None:
    spec = parse_cell("slug", CELL)
    for words in (None, WordChecks(), WordChecks(error="the model is down")):
        result = ForgeResult(spec=spec, model="m", word_checks=words)
        with pytest.raises(SpecError, match=r"^`slug` has no checks from your words to accept$"):
            accept_check(result, 0)
        assert result.spec is spec


# -- reading the model's answer: checks must quote the request's words ---------------------

GROUNDING_SPEC = parse_cell(
    "ages",
    "Check a list of ages and return it; negative ages raise ValueError.\n>>> ages([3, 40])\n[3, 40]",
)


def test_checks_quoting_the_request_are_kept_with_their_rule() -> None:
    reply = '```python\n# "negative ages raise ValueError"\nraises(ValueError, ages, [-1])\n```'
    checks, skipped = checks_from_reply(reply, GROUNDING_SPEC)
    assert [c.rule for c in checks] == ["negative ages raise ValueError"]
    assert skipped == []


def test_invented_and_unquoted_rules_are_skipped_in_one_line() -> None:
    reply = (
        "```python\n"
        '# "raise TypeError when the input is not a list of integers"\n'
        "raises(TypeError, ages, 'x')\n"
        "assert ages([]) == []\n"
        "```"
    )
    checks, skipped = checks_from_reply(reply, GROUNDING_SPEC)
    assert checks == []
    assert len(skipped) == 2
    assert "not the request's words" in skipped[0] and "quotes no rule" in skipped[1]


def test_a_copy_of_the_persons_own_sample_is_not_a_check() -> None:
    reply = (
        '```python\n# "Check a list of ages and return it"\nassert ages([3, 40]) == [3, 40]\n```'
    )
    checks, skipped = checks_from_reply(reply, GROUNDING_SPEC)
    assert checks == [] and skipped == []


def test_grounded_needs_most_words_from_the_request() -> None:
    request = "Blank strings become None; parentheses mean a negative amount."
    assert grounded("blank strings become None", request)
    assert grounded("Parentheses mean a negative amount!", request)
    assert not grounded("multiple words give (first, last)", request)
    assert not grounded("", request)


def test_checks_that_contradict_each_other_are_both_dropped() -> None:
    spec = parse_cell(
        "scale",
        "Scale numbers to 0..1; an empty list gives an empty list.\n>>> scale([1, 3])\n[0.0, 1.0]",
    )
    reply = (
        "```python\n"
        '# "an empty list gives an empty list"\n'
        "assert scale([]) == []\n"
        '# "an empty list gives an empty list"\n'
        "raises(ValueError, scale, [])\n"
        '# "Scale numbers to 0..1"\n'
        "assert scale([2, 4]) == [0.0, 1.0]\n"
        "```"
    )
    checks, skipped = checks_from_reply(reply, spec)
    assert [c.text for c in checks] == ["assert scale([2, 4]) == [0.0, 1.0]"]
    assert sum("contradicts another check of `scale([])`" in s for s in skipped) == 2


def test_a_flood_of_junk_is_summarised_in_one_line() -> None:
    reply = "```python\n" + "\n".join(f"print({i})" for i in range(500)) + "\n```"
    checks, skipped = checks_from_reply(reply, GROUNDING_SPEC)
    assert checks == []
    assert len(skipped) == 21 and skipped[-1] == "… and 480 more pieces skipped"


BMI = """
def bmi(weight_kg: float | None, height: float | None) -> float | None:
    if weight_kg is None or height is None:
        return None
    if height <= 0:
        raise ValueError("height must be positive")
    if height > 3:
        height = height / 100
    return round(weight_kg / height**2, 1)
"""


def test_the_worked_example_answer_holds_on_a_correct_tool() -> None:
    """The few-shot answer teaches by example: a wrong expectation in it would be copied."""
    from jupyter_forge.core.word_checks import EXAMPLE_ANSWER
    from jupyter_forge.sandbox import validate

    checks, skipped = parse_checks(EXAMPLE_ANSWER, "bmi")
    assert len(checks) == 4 and not skipped
    report = validate(BMI, "bmi", [c.sample for c in checks])
    assert report.passed, report.summary()


def test_the_checks_request_outlines_the_samples_variables() -> None:
    spec = parse_cell(
        "top_region", "The region with the most revenue.\n>>> top_region(sales)\n'north'\n"
    )
    outline = VariableInfo("sales", "pandas.DataFrame with columns 'region', 'revenue'")
    told = check_messages(spec, [outline])[-1]["content"]
    assert "- `sales`: pandas.DataFrame with columns 'region', 'revenue'" in told
    assert told.index("top_region(sales)") < told.index("`sales`:") < told.index("Now write")
    assert "Variables in the user's session" not in check_messages(spec)[-1]["content"]
