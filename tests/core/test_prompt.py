"""The messages sent to the model: the first request and the repair feedback."""

from __future__ import annotations

from jupyter_forge.core.extract import extract_function
from jupyter_forge.core.prompt import (
    RULES,
    SYSTEM,
    WORD_CHECKS_HEAD,
    build_messages,
    is_stub,
    repair_messages,
    retry_messages,
    with_context,
    with_word_checks,
)
from jupyter_forge.core.spec import ForgeSpec, Sample, parse_cell
from jupyter_forge.core.validation import RawSampleRun, ValidationReport, judge_all
from jupyter_forge.core.variables import VariableInfo

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "<sample 0>", line 1, in <module>\n'
    '  File "forge_candidate", line 3, in clean\n'
    "ValueError: could not convert string to float: '$1.50'\n"
)


def spec() -> ForgeSpec:
    return parse_cell(
        "clean",
        "Turn price strings into floats.\n>>> clean('$1.50')\n1.5\nassert clean('(2)') == -2.0\n",
    )


def test_first_request_names_function_task_samples_and_variables() -> None:
    variables = [VariableInfo("df", "pandas.DataFrame with shape (3, 1), columns {'price': str}")]
    messages = build_messages(spec(), variables)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == SYSTEM
    user = messages[1]["content"]
    assert user.startswith("Write a Python function named `clean`.")
    assert "Turn price strings into floats." in user
    assert (
        "It must pass these checks:\n>>> clean('$1.50')\n1.5\nassert clean('(2)') == -2.0" in user
    )
    assert "- `df`: pandas.DataFrame with shape (3, 1), columns {'price': str}" in user


def test_first_request_without_samples_or_variables() -> None:
    user = build_messages(ForgeSpec("f", "Do a thing."))[1]["content"]
    assert "checks" not in user
    assert "Variables" not in user
    assert user == f"Write a Python function named `f`.\n\nTask:\nDo a thing.\n\n{RULES}"


def test_system_prompt_demands_one_typed_documented_block() -> None:
    for phrase in ("```python", "type hints", "docstring", "Do not include"):
        assert phrase in SYSTEM


def test_repair_after_failing_sample_includes_error_and_traceback() -> None:
    s = spec()
    report = judge_all(
        s.samples,
        [
            RawSampleRun(
                0,
                "error",
                exc_type="ValueError",
                exc_message="could not convert string to float: '$1.50'",
                traceback=TRACEBACK,
            ),
            RawSampleRun(1, "ok"),
        ],
    )
    base = build_messages(s)
    messages = repair_messages(base, "REPLY-1", "clean", report=report)
    # A fresh ask: same system prompt, one user turn, the failed answer NOT replayed
    # (small models copy a replayed answer verbatim, even when sampling).
    assert len(messages) == 2
    assert messages[0] == base[0]
    assert messages[1]["role"] == "user"
    assert all(m["content"] != "REPLY-1" for m in messages)
    feedback = messages[1]["content"]
    assert feedback.startswith(base[1]["content"])
    assert "A previous attempt was wrong:" in feedback
    assert (
        "Check `clean('$1.50')` failed: ValueError: could not convert string to float: '$1.50'"
        in feedback
    )
    assert 'File "forge_candidate", line 3, in clean' in feedback  # the traceback, CREATOR-style
    assert "Check `assert clean('(2)')" not in feedback  # the passing sample is not reported
    assert feedback.rstrip().endswith("Write a corrected `clean` that passes every check.")


def test_repair_traceback_is_only_the_tail() -> None:
    long_tb = "\n".join(f"frame {i}" for i in range(30))
    report = judge_all(
        [Sample("assert f()", "assert")],
        [RawSampleRun(0, "error", exc_type="E", traceback=long_tb)],
    )
    feedback = repair_messages([], "r", "f", report=report)[-1]["content"]
    assert "frame 29" in feedback
    assert "frame 22" in feedback
    assert "frame 21" not in feedback


def test_repair_for_wrong_output_says_expected_and_got() -> None:
    report = judge_all([Sample("f(1)", "example", "2\n")], [RawSampleRun(0, "ok", value_repr="3")])
    feedback = repair_messages([], "r", "f", report=report)[-1]["content"]
    assert "Check `f(1)` failed: expected 2 but got 3" in feedback


def test_repair_leaves_out_memory_addresses_so_the_same_failure_asks_the_same() -> None:
    """An object's address differs on every run; in the prompt it only made reruns differ."""
    gave = "<generator object f at 0x7f4f629d4040>"
    report = judge_all(
        [Sample("f(1)", "example", "[2]\n")], [RawSampleRun(0, "ok", value_repr=gave)]
    )
    extra = [f"Check `f(2)` failed: AssertionError: f(2) gave {gave.replace('4040', '9d10')}"]
    feedback = repair_messages([], "r", "f", report=report, extra=extra)[-1]["content"]
    assert "expected [2] but got <generator object f>" in feedback
    assert "f(2) gave <generator object f>" in feedback
    assert "0x" not in feedback
    # A regeneration carries the same lines, and leaves the address out the same way.
    again = retry_messages([], "f", "def f(x): ...", extra)[-1]["content"]
    assert "f(2) gave <generator object f>" in again and "0x" not in again


def test_repair_with_problems_and_failures_in_one_message() -> None:
    extraction = extract_function("```python\ndef f(x):\n    return x\n```", "f")
    report = judge_all([Sample("f(1)", "example", "2\n")], [RawSampleRun(0, "ok", value_repr="1")])
    feedback = repair_messages([], "r", "f", extraction=extraction, report=report)[-1]["content"]
    assert "parameter(s) `x` of `f` have no type hint" in feedback
    assert "`f` has no docstring" in feedback
    assert "expected 2 but got 1" in feedback


def test_repair_after_load_error() -> None:
    report = ValidationReport(
        passed=False,
        load_error="NameError: name 'np' is not defined",
        load_traceback="Traceback...\nNameError: name 'np' is not defined",
    )
    feedback = repair_messages([], "r", "f", report=report)[-1]["content"]
    assert "The code failed to load: NameError: name 'np' is not defined" in feedback
    assert "Traceback..." in feedback


def test_repair_ignores_a_passing_report() -> None:
    report = ValidationReport(passed=True)
    extraction = extract_function("```python\ndef g(x: int) -> int:\n    '''G.'''\n```", "f")
    feedback = repair_messages([], "r", "f", extraction=extraction, report=report)[-1]["content"]
    lines = feedback.split("\n")
    assert lines[1] == "the code defines `g` but not `f`: the function must be named `f`"
    assert lines[2] == ""


STUB = '''from typing import List


def evens(xs: List[int]) -> List[int]:
    """Keep the even numbers.
    >>> evens([1, 2, 4])
    [2, 4]
    """
'''


def test_a_stub_request_is_shown_as_code_to_complete() -> None:
    user = build_messages(ForgeSpec("evens", STUB))[1]["content"]
    assert user.startswith("Write a Python function named `evens`. Complete this code")
    assert f"```python\n{STUB.strip()}\n```" in user
    assert "Task:" not in user


def test_prose_and_stubs_of_other_functions_stay_tasks() -> None:
    assert not is_stub("Keep the even numbers of xs.", "evens")
    assert not is_stub(STUB, "odds")  # declares another function: a task that quotes code
    assert not is_stub(STUB + "\nThese library functions exist: f, g", "evens")
    assert is_stub("    def evens(xs):\n        pass\n", "evens")  # indented paste
    user = build_messages(ForgeSpec("odds", STUB))[1]["content"]
    assert "Task:" in user


def test_word_checks_follow_the_samples_and_precede_the_variables() -> None:
    variables = [VariableInfo("df", "pandas.DataFrame with shape (3, 1)")]
    checks = ["assert clean('') == 0.0", "raises(ValueError, clean, 'abc')"]
    user = with_word_checks(build_messages(spec(), variables), checks)[1]["content"]
    samples_at = user.index("assert clean('(2)') == -2.0")
    checks_at = user.index(WORD_CHECKS_HEAD)
    assert samples_at < checks_at < user.index("- `df`:")
    block = user[checks_at:].split("\n\n")[0].splitlines()
    assert block[1:3] == checks
    assert "`raises(E, f, x)`" in block[3]  # the legend, since a check is not an assert


def test_word_checks_are_added_once_and_only_when_there_are_some() -> None:
    messages = build_messages(spec())
    assert with_word_checks(messages, []) == messages
    once = with_word_checks(messages, ["assert clean('') == 0.0"])
    assert with_word_checks(once, ["assert clean('') == 0.0"]) == once
    assert once[1]["content"].count(WORD_CHECKS_HEAD) == 1
    assert "raises(E, f, x)" not in once[1]["content"]  # asserts alone need no legend


def test_context_still_goes_before_the_samples_when_word_checks_are_shown() -> None:
    messages = with_word_checks(build_messages(spec()), ["assert clean('') == 0.0"])
    user = with_context(messages, "You may call `helper(x)`.")[1]["content"]
    assert user.index("You may call") < user.index("It must pass") < user.index(WORD_CHECKS_HEAD)
