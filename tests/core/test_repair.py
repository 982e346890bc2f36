"""The generate → extract → validate → repair loop with plain callables for model and sandbox.

The loop is the code under test; the model and the sandbox are its injected
dependencies, so simple recording callables stand in for them here (the real
litellm client and sandbox are exercised in tests/test_forge_api.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest

from jupyter_forge.core.prompt import Message
from jupyter_forge.core.repair import Reply, forge_loop
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import ForgeSpec, Sample, parse_cell
from jupyter_forge.core.validation import RawSampleRun, ValidationReport, judge_all

GOOD = '```python\ndef double(x: int) -> int:\n    """Double ``x``."""\n    return x * 2\n```'
WRONG = '```python\ndef double(x: int) -> int:\n    """Double ``x``."""\n    return x + 2\n```'
NO_HINTS = "```python\ndef double(x):\n    return x + 2\n```"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "<sample 1>", line 1, in <module>\n'
    "AssertionError: double(5) gave 7\n"
)


def spec() -> ForgeSpec:
    return parse_cell("double", "Double a number.\n>>> double(2)\n4\nassert double(5) == 10\n")


@dataclass
class Script:
    """A model that answers from a list and records every prompt it was given."""

    replies: list[str]
    seconds: float = 0.5
    prompts: list[list[Message]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)

    def __call__(
        self, messages: Sequence[Message], attempt: int, on_token: Callable[[str], None]
    ) -> Reply:
        self.prompts.append([dict(m) for m in messages])
        self.numbers.append(attempt)
        text = self.replies[len(self.prompts) - 1]
        for piece in text.split(" "):
            on_token(piece)
        return Reply(text, self.seconds, prompt_tokens=100, completion_tokens=20)


class Judge:
    """A sandbox stand-in: runs the candidate in-process (trusted test code only) and judges it."""

    def __init__(self, samples: Sequence[Sample]) -> None:
        self.samples = list(samples)
        self.codes: list[str] = []

    def __call__(self, code: str) -> ValidationReport:
        self.codes.append(code)
        namespace: dict[str, object] = {}
        exec(code, namespace)
        raws = []
        for index, sample in enumerate(self.samples):
            try:
                if sample.kind == "example":
                    value = eval(sample.source, namespace)
                    raws.append(RawSampleRun(index, "ok", value_repr=repr(value)))
                else:
                    exec(sample.source, namespace)
                    raws.append(RawSampleRun(index, "ok"))
            except AssertionError:
                raws.append(
                    RawSampleRun(
                        index,
                        "error",
                        exc_type="AssertionError",
                        exc_message="double(5) gave 7",
                        traceback=TRACEBACK,
                    )
                )
        return judge_all(self.samples, raws, seconds=0.01)


@dataclass
class Recorder:
    stages: list[tuple[str, str]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    def stage(self, name: str, message: str) -> None:
        self.stages.append((name, message))

    def token(self, text: str) -> None:
        self.tokens.append(text)


def run(
    replies: list[str], attempts: int = 3, progress: Recorder | None = None
) -> tuple[ForgeResult, Script, Judge]:
    s = spec()
    model = Script(replies)
    sandbox = Judge(s.samples)
    result = forge_loop(
        s,
        model_name="test-model",
        generate=model,
        validate=sandbox,
        attempts=attempts,
        progress=progress,
    )
    return result, model, sandbox


def test_passes_first_try() -> None:
    result, model, sandbox = run([GOOD])
    assert result.passed
    assert len(result.attempts) == 1
    assert model.numbers == [1]
    assert result.code is not None and "return x * 2" in result.code
    assert sandbox.codes == [result.code]
    assert result.report is not None and result.report.passed
    assert result.schema is not None
    assert result.schema["function"]["name"] == "double"
    assert result.schema["function"]["parameters"]["properties"] == {"x": {"type": "integer"}}
    assert result.findings == []
    assert result.requirements == []
    assert (
        result.status_line()
        == "`double` passed (2/2 samples passed) after 1 attempt with test-model"
    )
    attempt = result.attempts[0]
    assert attempt.reply == GOOD
    assert (attempt.prompt_tokens, attempt.completion_tokens) == (100, 20)
    assert attempt.llm_seconds == 0.5


def test_repairs_after_failing_sample_with_failure_and_traceback_in_prompt() -> None:
    result, model, _ = run([WRONG, GOOD])
    assert result.passed
    assert len(result.attempts) == 2
    assert model.numbers == [1, 2]
    first, second = model.prompts
    assert [m["role"] for m in first] == ["system", "user"]
    # The second prompt: a fresh ask carrying what went wrong, not the bad answer itself.
    assert second[0] == first[0]
    assert len(second) == 2
    feedback = second[1]["content"]
    assert feedback.startswith(first[1]["content"])
    assert "x + 2" not in feedback
    assert "Check `assert double(5) == 10` failed: AssertionError: double(5) gave 7" in feedback
    assert 'File "<sample 1>", line 1, in <module>' in feedback
    assert "Check `double(2)`" not in feedback  # the passing sample is not reported
    # The failed attempt keeps its report; the final result is the repaired code.
    assert result.attempts[0].report is not None and not result.attempts[0].report.passed
    assert result.attempts[0].summary() == "1/2 samples passed"
    assert result.code is not None and "x * 2" in result.code


def test_problems_and_sample_failure_in_one_repair_message() -> None:
    result, model, sandbox = run([NO_HINTS, GOOD])
    assert result.passed
    # Validated even though hints were missing, so one repair could fix both.
    assert len(sandbox.codes) == 2
    assert result.attempts[0].problems == []
    assert result.attempts[0].notes == [
        "parameter(s) `x` of `double` have no type hint",
        "`double` has no return type hint (add `-> ...`)",
        "`double` has no docstring",
    ]
    feedback = model.prompts[1][-1]["content"]
    assert "have no type hint" in feedback
    assert "has no docstring" in feedback
    assert "AssertionError: double(5) gave 7" in feedback
    assert "Check `double(2)`" not in feedback


BARE = "```python\ndef double(x):\n    return x * 2\n```"


def test_missing_hints_get_a_polish_that_shows_the_working_code() -> None:
    result, model, _ = run([BARE, GOOD], attempts=3)
    assert result.passed
    assert len(result.attempts) == 2  # stops once complete
    assert result.attempts[0].report is not None and result.attempts[0].report.passed
    assert result.attempts[0].passed and result.attempts[0].notes
    polish = model.prompts[1][-1]["content"]
    assert "This version passes every check, but it is incomplete:" in polish
    assert "def double(x):\n    return x * 2" in polish  # edit it, do not rewrite it
    assert "has no docstring" in polish
    assert result.code is not None and '"""Double ``x``."""' in result.code
    assert result.shown is result.attempts[1]


def test_a_repair_that_breaks_working_code_never_replaces_it() -> None:
    result, model, _ = run([BARE, WRONG, WRONG], attempts=3)
    assert result.passed  # attempt 1 passed its samples; only hints/docstring are missing
    # The polish broke it: no third try (it would polish the same code the same way).
    assert [a.passed for a in result.attempts] == [True, False]
    assert len(model.prompts) == 2
    assert result.shown is result.attempts[0]
    assert result.code is not None and "x * 2" in result.code
    assert result.report is result.attempts[0].report
    line = result.status_line()
    assert "after 2 attempts" in line
    assert "(attempt 1 is shown: attempt 2 did not pass the samples)" in line
    assert "still missing: parameter(s) `x` of `double` have no type hint" in line


def test_polishing_goes_on_only_while_it_adds_something() -> None:
    hinted = "```python\ndef double(x: int) -> int:\n    return x * 2\n```"  # no docstring
    result, model, _ = run([BARE, hinted, BARE, GOOD], attempts=4)
    # BARE (3 notes) -> hinted (1 note): progress, so one more polish, of `hinted`;
    # that one gave BARE back (no progress): stop, show the best (hinted).
    assert len(result.attempts) == 3
    assert "def double(x: int) -> int:\n    return x * 2" in model.prompts[2][-1]["content"]
    assert result.passed and result.shown is result.attempts[1]
    assert result.shown.notes == ["`double` has no docstring"]


def test_notes_alone_after_the_budget_still_pass_with_notes() -> None:
    result, _, _ = run([BARE, BARE], attempts=2)
    assert result.passed
    # Equal rank: the earlier one (the first answer is greedy, later ones sampled).
    assert result.shown is result.attempts[0]
    assert "still missing:" in result.status_line()
    assert "has no docstring" in result.status_line()


def test_when_nothing_passes_the_closest_candidate_is_shown() -> None:
    wrong_both = WRONG.replace("x + 2", "x + 7")  # 0/2 samples
    result, _, _ = run([WRONG, wrong_both], attempts=2)  # WRONG: 1/2 samples
    assert not result.passed
    assert result.shown is result.attempts[0]
    assert result.code is not None and "x + 2" in result.code
    # The count, then which sample failed and how: something to go on.
    assert result.status_line().endswith(
        "1/2 samples passed; `assert double(5) == 10` failed: AssertionError: double(5) gave 7"
    )


def test_only_latest_failure_goes_back() -> None:
    # Without samples the loop keeps repairing (nothing to pick a fresh answer by).
    s = ForgeSpec("double", "Double a number.")
    model = Script(["no code", "```python\ndef twice(x: int) -> int:\n    return x\n```", GOOD])
    result = forge_loop(s, model_name="m", generate=model, validate=Judge(()), attempts=3)
    assert result.passed
    third = model.prompts[2]
    assert len(third) == 2
    # One failure report, not an accumulating history of them.
    assert third[1]["content"].count("A previous attempt was wrong:") == 1
    assert "contains no Python function" not in third[1]["content"]
    assert "defines `twice` but not `double`" in third[1]["content"]
    assert "return x" not in third[1]["content"]  # failures, not code, go back


def test_after_a_failed_repair_the_model_starts_over_with_fresh_answers() -> None:
    recorder = Recorder()
    other_wrong = WRONG.replace("x + 2", "x + 3")
    result, model, _ = run(
        [WRONG, other_wrong, other_wrong, WRONG, GOOD], attempts=5, progress=recorder
    )
    assert result.passed
    assert [a.kind for a in result.attempts] == ["first", "repair", "fresh", "fresh", "fresh"]
    # Each fresh start is the first ask again, sampled with its attempt's own seed.
    assert model.prompts[2] == model.prompts[3] == model.prompts[4] == model.prompts[0]
    assert model.numbers == [1, 2, 3, 4, 5]
    assert "A previous attempt was wrong:" in model.prompts[1][1]["content"]
    asked = [m for name, m in recorder.stages if name == "llm"]
    assert (
        asked[2] == asked[3].replace("4/5", "3/5") == "attempt 3/5: starting over with test-model…"
    )
    assert result.attempts[2].to_json()["kind"] == "fresh"


def test_with_repairs_off_every_later_ask_is_the_first_ask_again() -> None:
    s = spec()
    model = Script([WRONG, NO_HINTS.replace("x + 2", "x + 3"), GOOD])
    result = forge_loop(
        s, model_name="m", generate=model, validate=Judge(s.samples), attempts=3, repairs=False
    )
    assert result.passed
    assert [a.kind for a in result.attempts] == ["first", "fresh", "fresh"]
    assert model.prompts[1] == model.prompts[2] == model.prompts[0]
    assert model.numbers == [1, 2, 3]  # sampled, each with its attempt's seed


def test_an_answer_repeating_earlier_code_is_not_run_again_and_a_fresh_one_follows() -> None:
    # Small models answer a repair with the code they were told is wrong; comments and
    # layout do not make it new.
    relaid = WRONG.replace("return x + 2", "# add two\n    return x+2")
    result, model, sandbox = run([WRONG, relaid, GOOD], attempts=3)
    assert result.passed
    assert [a.kind for a in result.attempts] == ["first", "repair", "fresh"]
    repeat = result.attempts[1]
    assert repeat.problems == ["the same code as an answer shown before (not shown as new)"]
    assert repeat.report is None
    assert len(sandbox.codes) == 2  # the repeat never reached the sandbox
    assert model.prompts[2] == model.prompts[0]


def test_without_samples_a_failed_repair_is_repaired_again() -> None:
    # Nothing to choose a fresh answer by: the loop keeps repairing load problems.
    s = ForgeSpec("double", "Double a number.")
    model = Script(["no code", "still no code", GOOD])
    result = forge_loop(s, model_name="m", generate=model, validate=Judge(()), attempts=3)
    assert result.passed
    assert [a.kind for a in result.attempts] == ["first", "repair", "repair"]


def test_budget_exhausted_is_not_passed() -> None:
    recorder = Recorder()
    result, model, _ = run([WRONG, WRONG], attempts=2, progress=recorder)
    assert not result.passed
    assert len(result.attempts) == 2
    assert len(model.prompts) == 2  # never asks beyond the budget
    assert result.code is not None  # the last candidate is kept for review
    assert result.status_line().startswith(
        "`double` did not pass after 2 attempts with test-model: "
    )
    assert recorder.stages[-1] == ("done", result.status_line())


def test_reply_without_code_is_not_validated_and_asks_again() -> None:
    result, model, sandbox = run(["Sorry, I can't.", GOOD])
    assert result.passed
    assert len(sandbox.codes) == 1
    assert result.attempts[0].code is None
    assert result.attempts[0].report is None
    assert "contains no Python function" in model.prompts[1][-1]["content"]


def test_no_code_ever_leaves_result_without_code() -> None:
    result, _, sandbox = run(["no", "still no"], attempts=2)
    assert not result.passed
    assert result.code is None
    assert result.report is None
    assert sandbox.codes == []
    assert "contains no Python function" in result.status_line()


def test_attempts_below_one_still_asks_once() -> None:
    result, model, _ = run([GOOD], attempts=0)
    assert result.passed
    assert len(model.prompts) == 1


def test_timings_recorded() -> None:
    result, _, _ = run([WRONG, GOOD])
    for stage in ("prompt", "llm", "extract", "validate", "static"):
        assert stage in result.timings, stage
        assert result.timings[stage] >= 0
    assert result.timings["llm"] == 1.0  # two replies of 0.5 s each, summed


def test_progress_stages_and_tokens_reported() -> None:
    recorder = Recorder()
    result, _, _ = run([WRONG, GOOD], progress=recorder)
    names = [name for name, _ in recorder.stages]
    assert names == ["llm", "validate", "repair", "llm", "validate", "done"]
    messages = [message for _, message in recorder.stages]
    assert messages[0] == "attempt 1/3: asking test-model…"
    assert messages[1] == "attempt 1/3: running 2 sample(s) in the sandbox…"
    assert messages[2] == "attempt 1/3 failed: 1/2 samples passed"
    assert messages[3] == "attempt 2/3: repairing with test-model…"
    assert messages[-1] == result.status_line()
    assert "".join(recorder.tokens) == (WRONG + GOOD).replace(" ", "")


def test_static_findings_and_requirements_filled() -> None:
    code = (
        "```python\nimport os\nimport numpy as np\n\n"
        "def double(x: int) -> int:\n"
        '    """Double."""\n'
        "    return int(np.int64(x) * 2)\n```"
    )
    s = ForgeSpec("double", "Double.", ())
    result = forge_loop(
        s,
        model_name="m",
        generate=Script([code]),
        validate=lambda c: judge_all([], []),
        attempts=1,
    )
    assert result.passed
    assert result.findings == ["line 1: imports os (operating system access)"]
    assert result.requirements == ["numpy"]


def test_attempt_json_and_summary() -> None:
    result, _, _ = run([NO_HINTS, GOOD])
    data = result.attempts[0].to_json()
    assert data["number"] == 1
    assert data["code"] == result.attempts[0].code
    assert data["problems"] == result.attempts[0].problems == []
    assert data["notes"] == result.attempts[0].notes
    assert data["report"]["passed"] is False
    assert result.attempts[0].summary() == "; ".join(
        ["1/2 samples passed", *result.attempts[0].notes]
    )


def test_a_broken_off_answer_costs_an_attempt_not_the_forge() -> None:
    from jupyter_forge.core.errors import ModelReplyError

    calls: list[int] = []

    def generate(
        messages: Sequence[Message], number: int, on_token: Callable[[str], None]
    ) -> Reply:
        calls.append(number)
        if number == 1:
            raise ModelReplyError("the answer broke off: model `m` failed: repeating chunk")
        return Reply(GOOD, 0.1)

    result = forge_loop(
        ForgeSpec("double", "Double a number.", (Sample("double(2)", "example", "4\n"),)),
        model_name="m",
        generate=generate,
        validate=lambda code: ValidationReport(passed=True),
        attempts=3,
    )
    assert calls == [1, 2]
    assert result.passed
    assert "broke off" in result.attempts[0].problems[0]


def test_an_unreachable_model_still_stops_the_forge() -> None:
    from jupyter_forge.core.errors import ModelError

    def generate(*_: object) -> Reply:
        raise ModelError("cannot reach model `m`")

    with pytest.raises(ModelError, match="cannot reach"):
        forge_loop(
            ForgeSpec("double", "Double a number.", ()),
            model_name="m",
            generate=generate,  # type: ignore[arg-type]
            validate=lambda code: ValidationReport(passed=True),
        )


def test_an_attempt_appended_after_choosing_is_the_one_shown() -> None:
    """A person's edit (or a re-validation after an install) is what they review next."""
    from jupyter_forge.core.attempt import Attempt

    result, _, _ = run([BARE, WRONG, WRONG], attempts=3)
    assert result.shown is result.attempts[0]
    edit = Attempt(number=3, reply="x", code="def double(x): ...", problems=["broken"])
    result.attempts.append(edit)
    assert result.shown is edit and not result.passed


UNTYPED_GOOD = '```python\ndef double(x):\n    """Double ``x``."""\n    return x * 2\n```'
UNTYPED_UNDOCUMENTED = "```python\ndef double(x):\n    return x * 2\n```"


def observing(calls: list[str], seen: list[str]) -> Callable[[str], ValidationReport]:
    def observe(code: str) -> ValidationReport:
        seen.append(code)
        return ValidationReport(passed=True, observed=list(calls))

    return observe


def test_missing_hints_come_from_the_samples_without_asking_the_model() -> None:
    s = spec()
    model, seen = Script([UNTYPED_GOOD]), []
    result = forge_loop(
        s,
        model_name="m",
        generate=model,
        validate=Judge(s.samples),
        observe=observing(["x=int;return=int", "x=int;return=int"], seen),
    )
    assert len(model.prompts) == 1  # no polish request
    assert result.passed and result.shown is not None
    assert result.code is not None and "def double(x: int) -> int:" in result.code
    assert result.shown.notes == [] and result.shown.hinted == ["`x`", "the return type"]
    assert seen == ['def double(x):\n    """Double ``x``."""\n    return x * 2\n']
    assert "type hints from the sample runs: `x`, the return type" in result.status_line()
    assert "hints" in result.timings


def test_a_missing_docstring_is_still_asked_for_with_the_typed_code() -> None:
    s = spec()
    model = Script([UNTYPED_UNDOCUMENTED, GOOD])
    result = forge_loop(
        s,
        model_name="m",
        generate=model,
        validate=Judge(s.samples),
        observe=observing(["x=int;return=int"], []),
    )
    assert len(model.prompts) == 2
    polish = model.prompts[1][1]["content"]
    assert "def double(x: int) -> int:" in polish  # the model is shown the typed code
    assert "has no docstring" in polish
    assert "no type hint" not in polish and "no return type hint" not in polish
    assert result.passed and [a.kind for a in result.attempts] == ["first", "polish"]


def test_hints_that_would_not_load_are_not_written() -> None:
    s = spec()
    model = Script([UNTYPED_GOOD])

    def refuse_typed(code: str) -> ValidationReport:
        report = Judge(s.samples)(code)
        return report if "->" not in code else ValidationReport(passed=False, load_error="x")

    result = forge_loop(
        s,
        model_name="m",
        generate=model,
        validate=refuse_typed,
        attempts=1,
        observe=observing(["x=int;return=int"], []),
    )
    assert result.passed and result.code is not None
    assert "def double(x):" in result.code and result.shown is not None
    assert result.shown.hinted == [] and result.shown.notes  # still says what is missing


def test_without_samples_working_code_is_not_polished() -> None:
    # Nothing can check that a rewrite for the missing hints kept it working.
    model = Script([NO_HINTS, GOOD])
    result = forge_loop(
        ForgeSpec("double", "Double a number."),
        model_name="m",
        generate=model,
        validate=Judge(()),
        attempts=3,
    )
    assert len(model.prompts) == 1
    assert result.passed and result.shown is not None
    assert any("type hint" in note for note in result.shown.notes)
