"""The loop with checks from the request's words, deterministic fixes and selection.

Model, sandbox and check-maker are plain callables (as in test_repair.py); the
stand-in sandbox runs this file's own fixed code strings in-process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from jupyter_forge.core.checks import parse_checks
from jupyter_forge.core.prompt import Message
from jupyter_forge.core.repair import Reply, forge_loop
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import ForgeSpec, Sample, parse_cell
from jupyter_forge.core.validation import RawSampleRun, ValidationReport, judge_all
from jupyter_forge.core.word_checks import WordChecks


def fenced(body: str) -> str:
    return f"```python\n{body}```"


HEADER = 'def ages(values: list[int]) -> list[int]:\n    """Validate ages."""\n'
RIGHT = fenced(
    HEADER
    + "    if any(v < 0 for v in values):\n        raise ValueError('negative age')\n"
    + "    return list(values)\n"
)
IGNORES_RULE = fenced(HEADER + "    return list(values)\n")
ALSO_IGNORES = fenced(HEADER + "    return [v for v in values]\n")
BROKEN = fenced(HEADER + "    return values[99]\n")
NO_IMPORT = fenced(
    'def ages(values: list[int]) -> list[int]:\n    """Validate ages."""\n'
    "    if any(v < 0 for v in values):\n        raise ValueError('negative age')\n"
    "    return [int(re.sub(r'\\D', '', str(v))) for v in values]\n"
)


def spec() -> ForgeSpec:
    return parse_cell(
        "ages",
        "Check a list of ages; negative ages raise ValueError.\n>>> ages([3, 40])\n[3, 40]\n",
    )


CHECKS_REPLY = "```python\nraises(ValueError, ages, [-1])\nassert ages([]) == []\n```"


@dataclass
class Script:
    replies: list[str]
    prompts: list[list[Message]] = field(default_factory=list)

    def __call__(
        self, messages: Sequence[Message], attempt: int, on_token: Callable[[str], None]
    ) -> Reply:
        self.prompts.append([dict(m) for m in messages])
        return Reply(self.replies[len(self.prompts) - 1], 0.1, 50, 10)


def sandbox(code: str, samples: Sequence[Sample]) -> ValidationReport:
    """In-process stand-in for the sandbox (trusted strings from this file only)."""
    namespace: dict[str, object] = {}
    try:
        exec(code, namespace)
    except Exception as exc:
        return judge_all(samples, [], load_error=f"{type(exc).__name__}: {exc}")
    raws = []
    for index, sample in enumerate(samples):
        try:
            if sample.kind == "example":
                raws.append(
                    RawSampleRun(index, "ok", value_repr=repr(eval(sample.source, namespace)))
                )
            else:
                exec(sample.source, namespace)
                raws.append(RawSampleRun(index, "ok"))
        except Exception as exc:
            raws.append(
                RawSampleRun(index, "error", exc_type=type(exc).__name__, exc_message=str(exc))
            )
    return judge_all(samples, raws)


def forge(
    replies: list[str],
    *,
    checks_reply: str | None = CHECKS_REPLY,
    attempts: int = 5,
    fix: Callable[[str], tuple[str, list[str]]] | None = None,
    checks_in_prompt: bool = False,
    repairs: bool = True,
    request: ForgeSpec | None = None,
    events: list[str] | None = None,
) -> tuple[ForgeResult, Script]:
    """``events``: filled, in order, with each answer asked for and each checks call."""
    s = request or spec()
    model = Script(replies)
    seen = events if events is not None else []

    def generate(
        messages: Sequence[Message], attempt: int, on_token: Callable[[str], None]
    ) -> Reply:
        seen.append(f"answer {attempt}")
        return model(messages, attempt, on_token)

    def make_checks() -> WordChecks:
        seen.append("checks")
        if checks_reply is None:
            return WordChecks(error="the answer broke off")
        checks, skipped = parse_checks(checks_reply, s.name)
        return WordChecks(checks=checks, skipped=skipped)

    result = forge_loop(
        s,
        model_name="m",
        generate=generate,
        validate=lambda code: sandbox(code, s.samples),
        attempts=attempts,
        make_checks=make_checks,
        run_checks=sandbox,
        fix_imports=fix,
        checks_in_prompt=checks_in_prompt,
        repairs=repairs,
    )
    return result, model


def test_passing_all_checks_stops_at_once() -> None:
    result, model = forge([RIGHT])
    assert len(model.prompts) == 1
    assert result.passed and result.checks_line() == "checks from your words: 2/2 pass"
    assert "checks from your words: 2/2 pass" in result.status_line()


def test_the_checks_from_the_words_are_in_every_ask_when_asked() -> None:
    _, model = forge([IGNORES_RULE, RIGHT], checks_in_prompt=True)
    first, repair = (prompt[-1]["content"] for prompt in model.prompts)
    for ask in (first, repair):
        assert "Checks written from the task's words" in ask
        assert "assert ages([]) == []" in ask  # a check that passed: shown all the same
    assert first.index("ages([3, 40])") < first.index("Checks written from the task's words")


def test_the_checks_from_the_words_stay_out_of_the_first_ask_by_default() -> None:
    _, model = forge([IGNORES_RULE, RIGHT])
    assert "raises(ValueError" not in model.prompts[0][-1]["content"]
    assert "Checks written from the task's words" not in model.prompts[0][-1]["content"]


def test_green_on_samples_but_breaking_a_stated_rule_is_repaired_from_the_failing_check() -> None:
    result, model = forge([IGNORES_RULE, RIGHT])
    assert len(model.prompts) == 2
    repair = model.prompts[1][-1]["content"]
    assert "raises(ValueError, ages, [-1])" in repair  # the failing check, as written
    assert "return list(values)" in repair  # the code it failed on
    assert result.attempts[1].kind == "repair"
    assert result.shown is result.attempts[1]
    assert result.code is not None and "raise ValueError" in result.code
    assert result.checks_line() == "checks from your words: 2/2 pass"


def test_with_repairs_off_a_broken_rule_gets_a_fresh_answer_not_a_repair() -> None:
    result, model = forge([IGNORES_RULE, RIGHT], repairs=False)
    assert [a.kind for a in result.attempts] == ["first", "fresh"]
    assert model.prompts[1] == model.prompts[0]  # the first ask again: no code, no failures
    assert result.shown is result.attempts[1] and result.passed


def test_the_candidate_passing_more_checks_is_shown_not_the_last() -> None:
    result, _ = forge(
        [
            RIGHT.replace("[3, 40]", "[0]").replace("list(values)", "list(values)[:0]"),
            IGNORES_RULE,
            BROKEN,
            BROKEN,
            BROKEN,
        ]
    )
    # Attempt 1 fails the sample; attempt 2 passes it but breaks the rule; nothing better follows.
    assert len(result.attempts) == 5
    assert result.shown is result.attempts[1]
    assert result.passed  # checks never block on their own
    assert result.checks_line() == "checks from your words: 1/2 pass"


def test_a_wrong_check_costs_attempts_never_the_tool() -> None:
    wrong = "```python\nassert ages([1]) == [2]\n```"
    result, model = forge([RIGHT] * 5, checks_reply=wrong)
    assert len(model.prompts) == 3  # three green candidates all fail it: the check gives way
    assert result.passed and result.code is not None
    assert result.checks_line() == "checks from your words: 0/1 pass"


def test_agreeing_candidates_win_a_tie() -> None:
    # Attempts 2-4 pass the samples and one check each: 2 and 4 the same one, 3 another.
    # Equal check counts are settled by agreement (CodeT-style consensus), not by recency.
    differs = fenced(
        HEADER
        + "    if any(v < 0 for v in values):\n        raise ValueError('negative age')\n"
        + "    return list(values) or [0]\n"
    )
    checks = "```python\nraises(ValueError, ages, [-1])\nassert ages([]) == []\nassert ages([7]) == [8]\n```"
    result, _ = forge([BROKEN, IGNORES_RULE, differs, ALSO_IGNORES, BROKEN], checks_reply=checks)
    shown = result.shown
    assert [a.checks_passed for a in result.attempts[1:4]] == [1, 1, 1]
    assert shown is not None and shown.number == 2  # agrees with 4; the earlier wins
    assert result.agreement(result.attempts[1]) == 1
    assert result.agreement(result.attempts[2]) == 0


def test_no_checks_when_the_check_call_fails() -> None:
    result, model = forge([IGNORES_RULE], checks_reply=None)
    assert result.word_checks is not None and result.word_checks.error
    assert len(model.prompts) == 1 and result.passed
    assert result.checks_line() is None


def test_deterministic_import_fix_before_validation() -> None:
    def fix(code: str) -> tuple[str, list[str]]:
        return ("import re\n" + code, ["import re"]) if "import re" not in code else (code, [])

    result, model = forge([NO_IMPORT], fix=fix)
    assert len(model.prompts) == 1 and result.passed
    assert result.attempts[0].fixes == ["added `import re`"]
    assert result.code is not None and result.code.startswith("import re\n")


def test_checks_no_candidate_passes_stop_the_search_after_three_green_candidates() -> None:
    wrong = '```python\n# "negative ages raise ValueError"\nassert ages([1]) == [2]\n```'
    result, model = forge([RIGHT, IGNORES_RULE, RIGHT, RIGHT, RIGHT], checks_reply=wrong)
    assert len(model.prompts) == 3
    assert result.passed and result.shown is result.attempts[0]


# -- ties settled by agreement on probe outputs (MBR-exec) ----------------------------------

OR_ZERO = fenced(HEADER + "    return list(values) or [0]\n")  # passes the samples; [] -> [0]
WRONG_CHECK = "```python\nassert ages([1]) == [2]\n```"  # every candidate fails it alike


@dataclass
class Behave:
    """Stand-in for the sandboxed probe run: one outcome per probe, from the code."""

    calls: list[str] = field(default_factory=list)

    def __call__(self, code: str) -> tuple[str, ...]:
        self.calls.append(code)
        return ("[3]", "[0]" if "or [0]" in code else "[]", "raises TypeError")


def forge_with(
    replies: list[str], behave: Behave | None, checks_reply: str = WRONG_CHECK
) -> ForgeResult:
    s = spec()

    def make_checks() -> WordChecks:
        checks, skipped = parse_checks(checks_reply, s.name)
        return WordChecks(checks=checks, skipped=skipped)

    return forge_loop(
        s,
        model_name="m",
        generate=Script(replies),
        validate=lambda code: sandbox(code, s.samples),
        make_checks=make_checks,
        run_checks=sandbox,
        behave=behave,
    )


def test_agreement_on_probe_outputs_settles_a_tie_of_checks() -> None:
    # Attempts 2-4 pass the samples and fail the same check: a tie on the checks.
    # On the probes, 3 and 4 agree ([] -> []) and 2 differs ([] -> [0]): 3 is shown.
    behave = Behave()
    result = forge_with([BROKEN, OR_ZERO, IGNORES_RULE, ALSO_IGNORES], behave)
    assert len(result.attempts) == 4  # three green candidates, none passing the check
    assert [a.checks_passed for a in result.attempts[1:]] == [0, 0, 0]
    assert result.shown is result.attempts[2]
    assert result.code is not None and "return list(values)\n" in result.code
    assert result.agreement(result.attempts[2]) == result.agreement(result.attempts[3]) == 1
    assert result.agreement(result.attempts[1]) == 0
    assert result.attempts[1].behaviour == ("[3]", "[0]", "raises TypeError")
    assert result.attempts[0].behaviour == ()
    # Probed once each, and never the candidate failing the samples.
    assert len(behave.calls) == 3 and all("values[99]" not in c for c in behave.calls)
    assert "behaviour" in result.timings
    assert result.attempts[2].to_json()["behaviour"] == ["[3]", "[]", "raises TypeError"]


def test_without_behave_the_check_outcomes_alone_decide() -> None:
    result = forge_with([BROKEN, OR_ZERO, IGNORES_RULE, ALSO_IGNORES], None)
    assert result.shown is result.attempts[1]  # all agree on the checks: the earliest
    assert all(a.behaviour == () for a in result.attempts)
    assert result.agreement(result.attempts[1]) == 2
    assert "behaviour" not in result.timings
    assert result.attempts[1].to_json()["behaviour"] == []


def test_agreement_never_outweighs_a_check_and_a_lone_best_is_not_probed() -> None:
    # 1 and 2 agree everywhere; 3 passes one check more and is shown without probing.
    behave = Behave()
    checks = "```python\nraises(ValueError, ages, [-1])\nassert ages([1]) == [2]\n```"
    result = forge_with([IGNORES_RULE, ALSO_IGNORES, RIGHT], behave, checks_reply=checks)
    assert [a.checks_passed for a in result.attempts] == [0, 0, 1]
    assert result.shown is result.attempts[2]
    assert behave.calls == []
    # The loop stops at once when the first candidate passes everything: nothing to settle.
    alone = forge_with([RIGHT], behave, checks_reply=CHECKS_REPLY)
    assert alone.passed and len(alone.attempts) == 1 and behave.calls == []


def test_probe_outcomes_count_only_when_both_candidates_were_probed() -> None:
    result = forge_with([BROKEN, OR_ZERO, IGNORES_RULE, ALSO_IGNORES], None)
    first, second, third = result.attempts[1:]
    first.behaviour, second.behaviour = ("[0]",), ("[]",)
    assert not first.agrees_with(second)
    assert first.agrees_with(third) and second.agrees_with(third)  # third: checks alone
    assert not first.agrees_with(result.attempts[0])  # failing the samples: never
    third.checks_report = None  # no checks: only matching probe outcomes count
    first.checks_report = second.checks_report = None
    assert not first.agrees_with(third)
    second.behaviour = ("[0]",)
    assert first.agrees_with(second)


def test_probe_outcomes_agree_as_a_person_reads_them() -> None:
    # The same rule as the second opinion's: floats by closeness (two formulas for one
    # conversion differ in the last digit), any two exceptions alike; a real difference,
    # or a different number of probes, is disagreement.
    result = forge_with([BROKEN, OR_ZERO, IGNORES_RULE, ALSO_IGNORES], None)
    first, second, third = result.attempts[1:]
    first.behaviour = ("1.8939393939393938", "[0.1, 2]", "raises ValueError")
    second.behaviour = ("1.893939393939394", "[0.1, 2.0]", "raises TypeError")
    third.behaviour = ("1.9", "[0.1, 2]", "raises ValueError")
    assert first.agrees_with(second) and second.agrees_with(first)
    assert not first.agrees_with(third) and not second.agrees_with(third)
    assert result.agreement(first) == result.agreement(second) == 1
    assert result.agreement(third) == 0
    third.behaviour = first.behaviour[:2]
    assert not first.agrees_with(third)


def ordered_forge(
    replies: list[str], s: ForgeSpec, *, checks_in_prompt: bool = False
) -> tuple[ForgeResult, list[str]]:
    """A forge that records, in order, each answer asked for and each checks call."""
    events: list[str] = []
    result, _ = forge(
        replies, attempts=3, checks_in_prompt=checks_in_prompt, request=s, events=events
    )
    return result, events


def test_a_forge_where_no_answer_passes_the_samples_never_asks_for_checks() -> None:
    # The checks judge only answers that pass the samples: without one, the call is waste.
    result, events = ordered_forge([BROKEN, BROKEN.replace("99", "98"), BROKEN], spec())
    assert events == ["answer 1", "answer 2", "answer 3"]
    assert not result.passed and result.word_checks is None
    assert result.checks_line() is None


def test_the_checks_are_asked_once_when_an_answer_first_passes_the_samples() -> None:
    result, events = ordered_forge([BROKEN, IGNORES_RULE, RIGHT], spec())
    assert events == ["answer 1", "answer 2", "checks", "answer 3"]
    # They judged attempt 2 at once (it broke a rule), and the repair was told which.
    assert result.attempts[1].checks_report is not None
    assert not result.attempts[1].checks_report.passed
    assert result.passed and result.shown is result.attempts[2]
    assert result.checks_line() == "checks from your words: 2/2 pass"


def test_without_samples_or_with_checks_in_every_ask_the_checks_come_first() -> None:
    bare = ForgeSpec("ages", "Check a list of ages; negative ages raise ValueError.")
    _, events = ordered_forge([RIGHT], bare)
    assert events == ["checks", "answer 1"]
    _, events = ordered_forge([BROKEN, RIGHT], spec(), checks_in_prompt=True)
    assert events == ["checks", "answer 1", "answer 2"]
