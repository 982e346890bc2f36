"""Where a failing check broke: in the tool, or in the check's own code (core/check_fault)."""

from __future__ import annotations

import re
from pathlib import Path

from jupyter_forge.core.check_fault import CANDIDATE_FILE, failed_in_own_code, held_against
from jupyter_forge.core.hash_order import DEPENDS_ON_ORDER
from jupyter_forge.core.validation import SampleResult, ValidationReport

WORKER = Path(__file__).resolve().parents[2] / "jupyter_forge" / "sandbox" / "worker.py"


def failed(error: str, *frames: str) -> SampleResult:
    """A failing check's result with a traceback through ``frames`` ending in ``error``."""
    lines = ["Traceback (most recent call last):"]
    lines += [f'  File "{frame}", line 1, in <module>' for frame in frames]
    return SampleResult(
        source="assert f(x) == 1", kind="code", expected=None, passed=False,
        error=error, traceback="\n".join([*lines, error]),
    )  # fmt: skip


def test_the_candidate_file_name_is_the_one_the_worker_compiles_under() -> None:
    found = re.search(r'^CANDIDATE_FILE = "([^"]+)"', WORKER.read_text(), re.MULTILINE)
    assert found is not None and found.group(1) == CANDIDATE_FILE


def test_a_check_using_the_result_as_another_type_failed_in_its_own_code() -> None:
    own = failed("AttributeError: 'Series' object has no attribute 'columns'", "<sample 0>")
    assert failed_in_own_code(own)
    method = "TypeError: Series.sort_values() got an unexpected keyword argument 'by'"
    assert failed_in_own_code(failed(method, "<sample 1>", "/pandas/series.py"))
    building_its_input = failed(
        "ValueError: All arrays must be of the same length", "<sample 2>", "/pandas/frame.py"
    )
    assert failed_in_own_code(building_its_input)


def test_a_failure_inside_the_tool_is_the_tools() -> None:
    inside = failed("ValueError: empty", "<sample 0>", CANDIDATE_FILE)
    assert not failed_in_own_code(inside)
    through_a_library = failed("KeyError: 'x'", "<sample 0>", CANDIDATE_FILE, "/pandas/core.py")
    assert not failed_in_own_code(through_a_library)


def test_a_failed_comparison_a_none_result_and_a_missing_parameter_are_the_tools() -> None:
    assert not failed_in_own_code(failed("AssertionError: f(1) gave 2, expected 3", "<sample 0>"))
    # A column or item the words ask for may be missing from the result: maybe the tool's.
    assert not failed_in_own_code(failed("KeyError: 'column'", "<sample 0>", "/pandas/frame.py"))
    assert not failed_in_own_code(failed("IndexError: list index out of range", "<sample 0>"))
    none = failed("TypeError: 'NoneType' object is not subscriptable", "<sample 0>")
    assert not failed_in_own_code(none)
    for message in (
        "TypeError: f() got an unexpected keyword argument 'unit'",
        "TypeError: f() takes 1 positional argument but 2 were given",
        "TypeError: f() missing 1 required positional argument: 'b'",
    ):
        assert not failed_in_own_code(failed(message, "<sample 0>"))


def test_a_verdict_that_changes_with_the_hash_seed_is_the_tools() -> None:
    result = failed("AttributeError: 'list' object has no attribute 'x'", "<sample 0>")
    result.error = f"{DEPENDS_ON_ORDER}: {result.error}"
    assert not failed_in_own_code(result)


def test_a_pass_or_a_failure_without_a_traceback_is_not_the_checks() -> None:
    passing = SampleResult(source="f(1)", kind="code", expected=None, passed=True)
    assert not failed_in_own_code(passing)
    timed_out = SampleResult(
        source="f(1)", kind="code", expected=None, passed=False, error="timed out after 10 s"
    )
    assert not failed_in_own_code(timed_out)


def test_held_against_counts_only_failures_that_reached_the_tool() -> None:
    ok = SampleResult(source="f(1)", kind="code", expected=None, passed=True)
    own = failed("AttributeError: 'int' object has no attribute 'date'", "<sample 1>")
    tools = failed("AssertionError", "<sample 2>")
    report = ValidationReport(passed=False, results=[ok, own, tools])
    assert held_against(report) == [False, False, True]
    assert held_against(ValidationReport(passed=False, results=[], load_error="boom")) == []
    assert held_against(None) == []
