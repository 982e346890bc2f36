"""Regenerate: a second forge of the same request that asks for a *different* answer.

The model and sandbox are the plain stand-ins of test_repair.py. What is pinned: the
first ask shows the earlier code and what was wrong with it, an answer identical to
code already shown is named and never validated or offered as new, and the checks from
the words are reused rather than asked for again.
"""

from __future__ import annotations

from test_repair import GOOD, WRONG, Judge, Recorder, Script, spec

from jupyter_forge.core.checks import parse_checks
from jupyter_forge.core.repair import Retry, code_key, forge_loop, retry_from
from jupyter_forge.core.word_checks import WordChecks

WRONG_CODE = WRONG.removeprefix("```python\n").removesuffix("\n```")
# The same code as WRONG with a comment and other spacing: still the same answer.
WRONG_AGAIN = WRONG.replace("return x + 2", "return x+2  # add two")


def test_code_key_ignores_comments_and_layout_but_not_behaviour() -> None:
    assert code_key("def f(x):\n    return x+2  # two\n") == code_key("def f( x ):\n  return x + 2")
    assert code_key("def f(x):\n    return x + 2") != code_key("def f(x):\n    return x * 2")
    assert code_key("def f(:") == code_key("def  f(:")  # unparsable: compared by words


def test_a_regeneration_shows_the_earlier_code_and_what_was_wrong() -> None:
    retry = Retry(code=WRONG_CODE, lines=("Check `double(2)` failed: expected 4, got 4.5",))
    model, s = Script([GOOD]), spec()
    result = forge_loop(
        s, model_name="m", generate=model, validate=Judge(s.samples), attempts=2, retry=retry
    )
    assert result.passed and len(result.attempts) == 1
    ask = model.prompts[0][-1]["content"]
    assert "An earlier answer was not accepted:" in ask and "return x + 2" in ask
    assert "expected 4, got 4.5" in ask and "Write a different `double`" in ask
    assert ask.startswith("Write a Python function named `double`")  # the task comes first
    assert result.attempts[0].kind == "repair"


def test_the_same_code_again_is_named_not_validated_and_followed_by_a_fresh_answer() -> None:
    retry = Retry(code=WRONG_CODE, lines=("wrong",), seen=(WRONG_CODE,))
    model, s, progress = Script([WRONG_AGAIN, GOOD]), spec(), Recorder()
    sandbox = Judge(s.samples)
    result = forge_loop(
        s,
        model_name="m",
        generate=model,
        validate=sandbox,
        attempts=3,
        retry=retry,
        progress=progress,
    )
    first, second = result.attempts
    assert first.problems == ["the same code as an answer shown before (not shown as new)"]
    assert not first.passed and first.report is None
    assert len(sandbox.codes) == 1 and "x * 2" in sandbox.codes[0]  # only the new one ran
    assert second.kind == "fresh" and second.passed and result.shown is second
    assert "An earlier answer" not in model.prompts[1][-1]["content"]  # a plain fresh ask
    assert any("the same code as before" in message for _, message in progress.stages)


def test_checks_from_the_words_are_reused_not_asked_for_again() -> None:
    checks, _ = parse_checks('# "Double a number"\nassert double(3) == 6\n', "double")
    words = WordChecks(checks=checks)
    asked: list[int] = []

    def make_checks() -> WordChecks:
        asked.append(1)
        return WordChecks()

    s = spec()
    sandbox = Judge(s.samples)
    result = forge_loop(
        s,
        model_name="m",
        generate=Script([GOOD]),
        validate=sandbox,
        make_checks=make_checks,
        run_checks=lambda code, samples: Judge(samples)(code),
        retry=Retry(code=None, lines=("again",), word_checks=words),
    )
    assert asked == [] and result.word_checks is words
    assert result.checks_line() == "checks from your words: 1/1 pass"


def test_a_regeneration_with_checks_in_prompt_shows_them_and_the_earlier_code() -> None:
    checks, _ = parse_checks('# "Double a number"\nassert double(3) == 6\n', "double")
    model, s = Script([GOOD]), spec()
    forge_loop(
        s,
        model_name="m",
        generate=model,
        validate=Judge(s.samples),
        run_checks=lambda code, samples: Judge(samples)(code),
        retry=Retry(code=WRONG_CODE, lines=("wrong",), word_checks=WordChecks(checks=checks)),
        checks_in_prompt=True,
    )
    ask = model.prompts[0][-1]["content"]
    assert ask.index("assert double(3) == 6") < ask.index("An earlier answer was not accepted:")
    assert "return x + 2" in ask  # still the regeneration's ask, with the code shown


def test_retry_from_a_failed_forge_carries_its_code_failures_and_every_shown_code() -> None:
    s = spec()
    earlier = forge_loop(
        s, model_name="m", generate=Script([WRONG, WRONG]), validate=Judge(s.samples), attempts=2
    )
    retry = retry_from(earlier)
    assert retry.code == earlier.shown.code  # type: ignore[union-attr]
    assert any("double(5) gave 7" in line for line in retry.lines)
    assert retry.seen == tuple(a.code for a in earlier.attempts)


def test_retry_from_a_passing_forge_asks_for_another_version() -> None:
    s = spec()
    earlier = forge_loop(s, model_name="m", generate=Script([GOOD]), validate=Judge(s.samples))
    assert retry_from(earlier).lines == ("The person asked for another version of it.",)
