"""The second opinion end to end: scripted model over litellm, real sandbox.

A candidate that passes everything with attempts to spare is compared with one more
fresh candidate on probes; a difference marks the tool doubtful and says where.
"""

from __future__ import annotations

from pathlib import Path

import test_forge_api
from second_opinion_cases import (
    CELL,
    GUARDED,
    SAME_BEHAVIOUR,
    UNGUARDED,
    WRONG,
    WRONG_THREE,
    WRONG_TOO,
)

from jupyter_forge.core.auto_approve import refusal
from jupyter_forge.core.spec import parse_cell
from jupyter_forge.testing.scripted_llm import ScriptedModel

# The service tests' scripted model, private Jupyter dirs (autouse) and Forge factory.
sm = test_forge_api.sm
private_jupyter_dirs = test_forge_api.private_jupyter_dirs
forge_for = test_forge_api.forge_for


def test_two_green_candidates_that_differ_make_the_tool_doubtful(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(GUARDED, UNGUARDED)
    result = forge_for(sm, tmp_path).create(parse_cell("scale", CELL))
    assert [a.passed for a in result.attempts] == [True, True]
    assert sm.requests[1]["messages"] == sm.requests[0]["messages"]  # the first ask, again
    assert sm.requests[1]["temperature"] > 0.0  # sampled: a different answer is possible
    opinion = result.second_opinion
    assert opinion is not None and (opinion.shown, opinion.other) == (1, 2)
    calls = [d.call for d in opinion.comparison.differences]
    assert "scale([10.1, 10.1, 10.1])" in calls
    difference = opinion.comparison.differences[calls.index("scale([10.1, 10.1, 10.1])")]
    assert (difference.shown, difference.other) == ("[0.0, 0.0, 0.0]", "raises ZeroDivisionError")
    assert result.verdict == "doubtful"
    line = result.status_line()
    assert "another candidate that passes them too answers differently" in line
    assert "\n" not in line
    assert result.code is not None and "if hi == lo" in result.code  # the greedy one is shown
    why = refusal(result)  # a person decides which behaviour the words meant
    assert why is not None and "answers differently" in why


def test_a_second_candidate_that_agrees_keeps_it_green_and_says_so(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(GUARDED, SAME_BEHAVIOUR)
    result = forge_for(sm, tmp_path).create(parse_cell("scale", CELL))
    assert result.verdict == "passed"
    opinion = result.second_opinion
    assert opinion is not None and opinion.agrees and opinion.comparison.probes >= 4
    assert f"attempt 2 agrees on {opinion.comparison.probes} probes" in result.status_line()


ALL_EQUAL_GIVES_ZEROS = (
    '```python\n# "the smallest becomes 0"\nassert scale([5, 5]) == [0.0, 0.0]\n```'
)


def test_a_second_candidate_passing_only_the_samples_still_disputes_a_green_one(
    tmp_path: Path,
) -> None:
    """The checks from the words are a model's guesses, the samples are the person's: a
    second answer that passes the samples, breaks a check and answers differently on a
    probe still makes the tool doubtful (and says what the other one passed)."""
    with ScriptedModel(checks=ALL_EQUAL_GIVES_ZEROS) as model:
        model.push(GUARDED, UNGUARDED)
        result = forge_for(model, tmp_path).create(parse_cell("scale", CELL), namespace={})
    first, second = result.attempts
    assert first.green and second.passed and not second.green  # UNGUARDED divides by zero
    opinion = result.second_opinion
    assert opinion is not None and (opinion.shown, opinion.other) == (1, 2)
    assert not opinion.other_green and opinion.comparison.differences
    assert result.verdict == "doubtful" and result.doubt == "disputed"
    line = result.status_line()
    assert "another candidate that passes your samples (not every check from your words)" in line
    assert result.shown is first and refusal(result) is not None


def test_a_second_candidate_failing_the_samples_is_no_evidence(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(GUARDED, WRONG)
    result = forge_for(sm, tmp_path).create(parse_cell("scale", CELL))
    assert [a.passed for a in result.attempts] == [True, False]
    assert result.second_opinion is None
    assert result.verdict == "passed" and result.shown is result.attempts[0]
    assert result.attempts[1].kind == "second"
    assert "a second answer (attempt 2) did not pass: no comparison" in result.status_line()
    assert "is shown:" not in result.status_line()


def test_a_failed_second_call_never_costs_the_tool(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(GUARDED)  # nothing left for the second opinion: the server answers 500
    stages: list[str] = []

    class Sink:
        def stage(self, name: str, message: str) -> None:
            stages.append(message)

        def token(self, text: str) -> None:
            pass

    result = forge_for(sm, tmp_path).create(parse_cell("scale", CELL), progress=Sink())
    assert result.verdict == "passed" and len(result.attempts) == 1
    assert any("no second opinion" in s for s in stages)


def test_no_second_opinion_without_attempts_to_spare_or_when_switched_off(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(GUARDED, GUARDED)
    forge_for(sm, tmp_path).create(parse_cell("scale", CELL), attempts=1)
    forge_for(sm, tmp_path, second_opinion=False).create(parse_cell("scale", CELL))
    assert len(sm.requests) == 2  # one ask per forge, no more


def test_an_edit_is_not_disputed_by_an_opinion_about_another_candidate(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(GUARDED, UNGUARDED)
    forge = forge_for(sm, tmp_path)
    result = forge.create(parse_cell("scale", CELL))
    assert result.verdict == "doubtful"
    edited = forge.revalidate(result, GUARDED.split("```python\n")[1].split("```")[0])
    assert edited.disputed is None and edited.verdict == "passed"


# A candidate found after failed answers (a repair) stays green only when a second answer
# that passes everything agrees with it: repaired code can fit the sample, miss the words.


def test_a_repaired_candidate_stays_green_when_a_second_answer_agrees(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(WRONG, GUARDED, SAME_BEHAVIOUR)
    result = forge_for(sm, tmp_path).create(parse_cell("scale", CELL))
    assert [a.kind for a in result.attempts] == ["first", "repair", "second"]
    assert result.found_late(result.attempts[1]) and result.shown is result.attempts[1]
    assert result.verdict == "passed" and result.doubt is None
    assert "attempt 3 agrees on" in result.status_line()
    assert refusal(result) is None
    assert len(sm.requests) == 3  # an agreeing answer ends the search


def test_a_repaired_candidate_nothing_confirms_is_doubtful_after_asking_while_budget_lasts(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(WRONG, GUARDED, WRONG_TOO, WRONG_THREE, WRONG)
    result = forge_for(sm, tmp_path).create(parse_cell("scale", CELL))
    assert [a.kind for a in result.attempts] == ["first", "repair", "second", "second", "second"]
    assert len(sm.requests) == 5  # every failed second answer asked for another
    assert result.shown is result.attempts[1] and result.second_opinion is None
    assert result.verdict == "doubtful" and result.doubt == "uncorroborated"
    line = result.status_line()
    assert "\n" not in line
    assert (
        "attempt 2 came after attempt 1 failed, and the second answer (attempts 3, 4, 5) did not pass"
        in line
    )
    assert "Read the edge-case preview before approving" in line
    why = refusal(result)  # auto-approve and --yes step back
    assert why is not None and "no second answer confirms it" in why


def test_a_repaired_candidate_at_the_last_attempt_is_doubtful(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(WRONG, GUARDED)
    result = forge_for(sm, tmp_path).create(parse_cell("scale", CELL), attempts=2)
    assert result.doubt == "uncorroborated"
    assert "no attempt was left to ask for a second answer" in result.status_line()


def test_a_repaired_candidate_disputed_by_the_second_answer_says_where(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(WRONG, GUARDED, UNGUARDED)
    result = forge_for(sm, tmp_path).create(parse_cell("scale", CELL))
    assert result.doubt == "disputed" and len(sm.requests) == 3
    assert "answers differently" in result.status_line()


def test_without_second_opinions_a_repaired_candidate_stays_green(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(WRONG, GUARDED)
    result = forge_for(sm, tmp_path, second_opinion=False).create(parse_cell("scale", CELL))
    assert result.verdict == "passed" and len(sm.requests) == 2


def test_a_repaired_candidate_whose_second_call_fails_says_so(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(WRONG, GUARDED)  # nothing left for the second opinion: the server answers 500
    result = forge_for(sm, tmp_path).create(parse_cell("scale", CELL))
    assert len(result.attempts) == 2 and result.doubt == "uncorroborated"
    line = result.status_line()
    assert "no second answer came (the model call failed:" in line and "\n" not in line
    assert "no attempt was left" not in line


def test_accepting_a_check_keeps_the_second_opinion_on_the_same_code(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    from jupyter_forge.core.checks import Check
    from jupyter_forge.core.spec import Sample
    from jupyter_forge.core.word_checks import WordChecks

    sm.push(WRONG, GUARDED, SAME_BEHAVIOUR)
    forge = forge_for(sm, tmp_path)
    result = forge.create(parse_cell("scale", CELL))
    assert result.verdict == "passed"
    check = Check(
        "assert scale([1, 3]) == [0.0, 1.0]", Sample("assert scale([1, 3]) == [0.0, 1.0]", "assert")
    )
    result.word_checks = WordChecks(checks=[check])
    forge.accept_check(result, 0)  # the same code, run again on one more sample
    assert result.shown is result.attempts[-1] and result.shown.kind == "repair"
    assert result.verdict == "passed", result.status_line()
    assert "attempt 3 agrees on" in result.status_line()
    edited = forge.revalidate(result, GUARDED.split("```python\n")[1].split("```")[0])
    assert edited.verdict == "passed"  # a person's edit is theirs: nothing to corroborate
