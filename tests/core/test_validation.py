"""The host-side verdict: comparing outputs, judging worker reports, never trusting them."""

from __future__ import annotations

import pytest

from jupyter_forge.core.spec import Sample
from jupyter_forge.core.validation import (
    MAX_TEXT,
    RawSampleRun,
    SampleResult,
    ValidationReport,
    judge,
    judge_all,
    outputs_match,
    truncate,
)

EXAMPLE = Sample("f(1)", "example", "2\n")


# -- outputs_match ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        ("[1, 2]", "[1,2]"),  # doctest NORMALIZE_WHITESPACE... plus literal equality
        ("[1,\n 2, 3]", "[1, 2, 3]"),  # wrapped output
        ("a   b\n", "a b"),  # whitespace runs
        ("hello", "hello\n"),  # trailing newline
        ("1234.50", "1234.5"),  # literal equality, not text
        ("1234.5", "1234.50"),
        ("{'a': 1, 'b': 2}", "{'a': 1,  'b': 2.0}"),  # equal values, same key order
        ("{1, 2, 3}", "{3, 1, 2}"),  # a set's order is Python's, not the person's
        ("[{1, 2}, {'a': {3, 4}}]", "[{2, 1}, {'a': {4, 3}}]"),
        ("'x'", '"x"'),  # quote style
        ("(1.0, 'a')", "(1, 'a')"),
        ("-2.0", "-2"),
        ("[True, 1]", "[True, 1.0]"),  # bools where the person wrote them
    ],
)
def test_outputs_that_match(expected: str, got: str) -> None:
    assert outputs_match(expected, got)


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        ("1", "2"),
        ("[1, 2]", "(1, 2)"),  # list is not tuple
        ("[1, 2]", "[2, 1]"),
        ("{'b': 2, 'a': 1}", "{'a': 1, 'b': 2}"),  # dict key order, as doctest sees it
        ("[{'a': 1, 'b': None}]", "[{'b': None, 'a': 1}]"),  # nested
        ("({'x': {'p': 1, 'q': 2}},)", "({'x': {'q': 2, 'p': 1}},)"),
        ("'1'", "1"),  # str is not int
        ("1", "True"),  # a count that came out as a bool (doctest's legacy accepts it)
        ("0", "False"),
        ("True", "1"),
        ("[1, 0]", "[True, False]"),
        ("{'a': 1}", "{'a': True}"),
        ("(1.0, 'x')", "(True, 'x')"),
        ("{1, 2}", "{True, 2}"),
        ("'a b'", "'a  b'"),  # spaces inside a string are the answer, not layout
        ("['a b', 'c']", "['a\\tb', 'c']"),
        ("{'name': 'Ann Lee'}", "{'name': 'Ann  Lee'}"),
        ("hello", "hello world"),
        ("Timestamp('2024-01-01')", "Timestamp('2024-01-02')"),  # not literals: text only
        ("", "something"),
    ],
)
def test_outputs_that_differ(expected: str, got: str) -> None:
    assert not outputs_match(expected, got)


def test_non_literal_reprs_compare_as_text() -> None:
    assert outputs_match("Point(x=1, y=2)", "Point(x=1,  y=2)")
    assert not outputs_match("Point(x=1, y=2)", "Point(x=1, y=3)")


# -- judge ----------------------------------------------------------------------------


def test_example_value_repr_matches() -> None:
    result = judge(EXAMPLE, RawSampleRun(0, "ok", value_repr="2", seconds=0.25))
    assert result.passed
    assert result.got == "2"
    assert result.error is None
    assert result.seconds == 0.25
    assert (result.source, result.kind, result.expected) == ("f(1)", "example", "2\n")


def test_example_value_repr_mismatch_says_expected_and_got() -> None:
    result = judge(EXAMPLE, RawSampleRun(0, "ok", value_repr="3"))
    assert not result.passed
    assert result.error == "expected 2 but got 3"


def test_dict_in_another_key_order_fails_and_says_only_the_order_differs() -> None:
    sample = Sample("count(['a', 'b', 'b'])", "example", "{'b': 2, 'a': 1}\n")
    result = judge(sample, RawSampleRun(0, "ok", value_repr="{'a': 1, 'b': 2}"))
    assert not result.passed
    assert result.error is not None
    assert result.error.startswith("expected {'b': 2, 'a': 1} but got {'a': 1, 'b': 2}: ")
    assert "the same items in another order" in result.error
    assert "assert ... == ..." in result.error  # the way out when order does not matter


def test_a_different_value_does_not_claim_only_the_order_differs() -> None:
    sample = Sample("count(['a', 'b', 'b'])", "example", "{'b': 2, 'a': 1}\n")
    result = judge(sample, RawSampleRun(0, "ok", value_repr="{'a': 1, 'b': 3}"))
    assert result.error == "expected {'b': 2, 'a': 1} but got {'a': 1, 'b': 3}"


def test_a_bool_where_the_sample_shows_a_count_fails() -> None:
    """``df[col].isna().any()`` for "how many are missing": ``True == 1``, but not to a
    person (nor to the numpy form: ``np.True_`` is plainly ``True``)."""
    sample = Sample("missing(df, 'a')", "example", "1\n")
    raw = RawSampleRun(0, "ok", value_repr="np.True_", plain_repr="True")
    result = judge(sample, raw)
    assert not result.passed
    assert result.error == "expected 1 but got np.True_"


def test_example_with_float_formatting_difference_passes() -> None:
    sample = Sample("clean('$1,234.50')", "example", "1234.50\n")
    assert judge(sample, RawSampleRun(0, "ok", value_repr="1234.5")).passed


def test_numpy_scalar_passes_through_its_plain_form_and_shows_its_real_repr() -> None:
    raw = RawSampleRun(0, "ok", value_repr="np.float64(2.0)", plain_repr="2.0")
    result = judge(EXAMPLE, raw)
    assert result.passed
    assert result.got == "np.float64(2.0)"


def test_plain_form_with_the_wrong_value_fails() -> None:
    raw = RawSampleRun(0, "ok", value_repr="np.int64(3)", plain_repr="3")
    result = judge(EXAMPLE, raw)
    assert not result.passed
    assert result.error == "expected 2 but got np.int64(3)"


def test_plain_repr_arrives_from_the_worker_json() -> None:
    raw = RawSampleRun.from_json(
        {"index": 0, "status": "ok", "value_repr": "np.float64(2.0)", "plain_repr": "2.0"}
    )
    assert raw.plain_repr == "2.0"
    assert RawSampleRun.from_json({"index": 0, "status": "ok"}).plain_repr is None


def test_example_printed_output() -> None:
    sample = Sample("print(f(1))", "example", "2\n")
    result = judge(sample, RawSampleRun(0, "ok", value_repr=None, stdout="2\n"))
    assert result.passed
    assert result.got == "2\n"


def test_example_printed_output_and_value_are_combined() -> None:
    sample = Sample("g()", "example", "working\n42\n")
    result = judge(sample, RawSampleRun(0, "ok", value_repr="42", stdout="working\n"))
    assert result.got == "working\n42"
    assert result.passed


def test_error_status_fails_with_type_and_first_message_line() -> None:
    raw = RawSampleRun(
        0, "error", exc_type="ValueError", exc_message="bad input\nsecond line", traceback="TB..."
    )
    result = judge(EXAMPLE, raw)
    assert not result.passed
    assert result.error == "ValueError: bad input"
    assert result.traceback == "TB..."


def test_error_without_message_is_just_the_type() -> None:
    result = judge(
        Sample("assert f(1) == 3", "assert"), RawSampleRun(0, "error", exc_type="AssertionError")
    )
    assert not result.passed
    assert result.error == "AssertionError"


def test_error_status_fails_even_if_output_would_match() -> None:
    # The worker's status is the verdict's input, but a failure is never overridden by output.
    raw = RawSampleRun(0, "error", value_repr="2", exc_type="RuntimeError", exc_message="x")
    assert not judge(EXAMPLE, raw).passed


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("timeout", "timed out (the sandbox killed it)"),
        ("not_run", "not run: an earlier sample or the code itself failed"),
        ("crashed", "the sandbox process died while running this sample"),
    ],
)
def test_abnormal_statuses(status: str, message: str) -> None:
    for sample in (EXAMPLE, Sample("assert f(1)", "assert"), Sample("x = f(1)", "code")):
        result = judge(sample, RawSampleRun(0, status))
        assert not result.passed
        assert result.error == message


def test_crashed_with_reason_uses_it() -> None:
    result = judge(EXAMPLE, RawSampleRun(0, "crashed", exc_message="killed by signal 9 (memory?)"))
    assert result.error == "killed by signal 9 (memory?)"


def test_unknown_status_is_a_failure() -> None:
    assert not judge(EXAMPLE, RawSampleRun(0, "PASSED!!", value_repr="2")).passed


def test_assert_and_code_samples_pass_when_they_run() -> None:
    assert judge(Sample("assert f(1) == 2", "assert"), RawSampleRun(0, "ok")).passed
    assert judge(Sample("x = f(1)", "code"), RawSampleRun(0, "ok", stdout="noise")).passed


# -- judge_all ------------------------------------------------------------------------


def test_judge_all_marks_unreported_samples_failed() -> None:
    samples = [EXAMPLE, Sample("assert f(2) == 3", "assert"), Sample("f(3)", "example", "4\n")]
    report = judge_all(samples, [RawSampleRun(0, "ok", value_repr="2")], seconds=0.5, layers=["a"])
    assert not report.passed
    assert [r.passed for r in report.results] == [True, False, False]
    assert report.results[1].error == "not run: an earlier sample or the code itself failed"
    assert report.summary() == "1/3 samples passed"
    assert report.seconds == 0.5
    assert report.layers == ["a"]
    assert [r.source for r in report.failures] == ["assert f(2) == 3", "f(3)"]


def test_judge_all_matches_reports_by_index_not_order() -> None:
    samples = [EXAMPLE, Sample("f(2)", "example", "3\n")]
    raws = [RawSampleRun(1, "ok", value_repr="3"), RawSampleRun(0, "ok", value_repr="2")]
    report = judge_all(samples, raws)
    assert report.passed
    assert [r.got for r in report.results] == ["2", "3"]


def test_judge_all_ignores_reports_for_samples_that_do_not_exist() -> None:
    report = judge_all([EXAMPLE], [RawSampleRun(0, "ok", value_repr="2"), RawSampleRun(7, "ok")])
    assert report.passed
    assert len(report.results) == 1


def test_judge_all_load_error_fails_everything() -> None:
    report = judge_all(
        [EXAMPLE], [], load_error="NameError: name 'np' is not defined", load_traceback="TB"
    )
    assert not report.passed
    assert report.summary() == "could not load: NameError: name 'np' is not defined"
    assert report.load_traceback == "TB"


def test_judge_all_no_samples() -> None:
    report = judge_all([], [])
    assert report.passed
    assert report.summary() == "loads; no samples to check"


# -- untrusted input and serialisation ----------------------------------------------------


def test_raw_from_json_truncates_and_defaults() -> None:
    raw = RawSampleRun.from_json({"index": "2", "stdout": "x" * (MAX_TEXT + 50), "value_repr": 5})
    assert raw.index == 2
    assert raw.status == "error"  # a report without status is not a pass
    assert raw.value_repr == "5"
    assert raw.stdout.startswith("x" * MAX_TEXT)
    assert raw.stdout.endswith("... [50 more characters]")
    assert raw.exc_type is None


def test_truncate_leaves_short_text_alone() -> None:
    assert truncate("short") == "short"
    assert truncate("abcdef", 3) == "abc... [3 more characters]"


def test_report_json_round_trip() -> None:
    report = judge_all(
        [EXAMPLE, Sample("assert f(2) == 9", "assert")],
        [
            RawSampleRun(0, "ok", value_repr="2"),
            RawSampleRun(1, "error", exc_type="AssertionError"),
        ],
        seconds=0.1,
        layers=["separate process"],
    )
    again = ValidationReport.from_json(report.to_json())
    assert again == report
    assert SampleResult.from_json(report.results[1].to_json()) == report.results[1]
