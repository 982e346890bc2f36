"""The approval widget's notes: what the code tried comes first, in red, escaped."""

from __future__ import annotations

import re

from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import parse_cell
from jupyter_forge.core.validation import SampleResult, ValidationReport
from jupyter_forge.kernel import render


def result_that_tried(*tried: str) -> ForgeResult:
    code = "import os\n\ndef f(x):\n    return x\n"
    report = ValidationReport(passed=True, attempted=list(tried))
    attempt = Attempt(number=1, reply=code, code=code, report=report)
    result = ForgeResult(
        spec=parse_cell("f", "Return x.\n>>> f(1)\n1\n"), model="m", attempts=[attempt]
    )
    result.code, result.report = code, report
    result.findings = ["line 1: imports os (operating system access)"]
    return result


def test_attempts_come_first_in_red_before_the_findings() -> None:
    notes = render.notes(result_that_tried("tried to open <b>/x</b> for writing"), [])
    assert notes.startswith("<div style='color:#cf222e'><p><b>Tried while it ran in the sandbox")
    assert "tried to open &lt;b&gt;/x&lt;/b&gt; for writing" in notes  # hostile text escaped
    assert notes.index("Tried while it ran") < notes.index("Review these")


def test_no_attempts_no_red_block() -> None:
    notes = render.notes(result_that_tried(), [])
    assert "Tried while it ran" not in notes and "Review these" in notes


def test_an_earlier_answer_shown_says_what_decided_against_the_later_one() -> None:
    """Two answers equally green: the note must not claim the later one did worse."""
    result = result_that_tried()
    code = result.attempts[0].code
    later = Attempt(
        number=2, reply="", code=code, kind="second", report=ValidationReport(passed=True)
    )
    result.attempts.append(later)
    result.choose_best()
    notes = render.notes(result, [])
    assert (
        "Showing attempt 1 of 2: attempt 2 is no better, and ties go to the earlier answer."
        in notes
    )
    assert "did worse" not in notes


def test_the_last_answer_shown_needs_no_note() -> None:
    result = result_that_tried()
    result.choose_best()
    assert "Showing attempt" not in render.notes(result, [])


def _sample(source: str, **fields: object) -> SampleResult:
    base: dict[str, object] = {"kind": "code", "expected": None, "passed": True}
    return SampleResult(source=source, **{**base, **fields})  # type: ignore[arg-type]


def _headers(table: str) -> list[str]:
    return re.findall(r"<th [^>]*>([^<]*)</th>", table)


def test_the_sample_table_leaves_out_columns_nobody_needs() -> None:
    asserts = render.samples_table([_sample("assert f(1) == 1")])
    assert _headers(asserts) == ["", "sample"]
    examples = render.samples_table(
        [_sample("f(1)", kind="example", expected="1", got="1"), _sample("assert f(2) == 2")]
    )
    assert _headers(examples) == ["", "sample", "expected", "got"]
    failing = render.samples_table(
        [_sample("assert f(2) == 3", passed=False, error="AssertionError")]
    )
    assert _headers(failing) == ["", "sample", "error"]
    assert failing.count("<td ") == 3  # rows have exactly the header's columns


def test_sample_text_wraps_in_its_column_and_is_escaped() -> None:
    table = render.samples_table([_sample("assert f('<b>' * 40) == 1", passed=False, error="x")])
    assert "white-space:nowrap" in table.split("</tr>")[0]  # headers never squeeze
    # Wraps (break-spaces wraps like pre-wrap, and keeps a run of spaces at the wrap).
    assert "white-space:break-spaces" in table and "word-break:break-word" in table
    assert "&lt;b&gt;" in table and "<b>'" not in table


def test_a_sample_mark_never_breaks_inside_its_word() -> None:
    # Seen in Chromium: a long "got" squeezed the first column and "fail" broke as "fai"/"l".
    for passed in (True, False):
        table = render.samples_table([_sample("f(1)", passed=passed, error=None)])
        mark = re.search(r"<span style='([^']*)'>(✔ pass|✘ fail)</span>", table)
        assert mark is not None and "white-space:nowrap" in mark.group(1)


def test_a_run_of_spaces_in_a_message_stays_a_run() -> None:
    """The message "expected 'Red Apple' but got 'Red   Apple'" must not read as the same
    text twice once HTML collapses its spaces."""
    line = render.inline("`clean` failed: expected 'Red Apple' but got 'Red   Apple' <b>")
    assert "&#x27;Red Apple&#x27; but" in line  # single spaces stay plain: a line wraps there
    assert "&#x27;Red&nbsp;&nbsp; Apple&#x27;" in line  # three spaces keep three spaces' room
    assert "<code>clean</code>" in line and "&lt;b&gt;" in line


def test_two_candidates_that_disagree_are_shown_as_a_table_and_the_badge_says_why() -> None:
    from jupyter_forge.core.disagreement import Comparison, Difference, SecondOpinion

    result = result_that_tried()
    assert render.disagreement_table(result) == ""  # no second opinion: nothing to show
    differences = (Difference("f([2.1, 2.1])", "[0.0, 0.0]", "raises <ZeroDivisionError>"),)
    result.second_opinion = SecondOpinion(1, 2, Comparison(8, differences))
    table = render.disagreement_table(result)
    assert "Two candidates disagree" in table and "attempt 2" in table
    assert "f([2.1, 2.1])" in table and "[0.0, 0.0]" in table
    assert "raises &lt;ZeroDivisionError&gt;" in table  # a candidate's output is escaped
    assert result.verdict == "doubtful"
    assert "answers differently" in render.header(result)
    result.second_opinion = SecondOpinion(1, 2, Comparison(8))  # it agreed
    assert render.disagreement_table(result) == "" and result.verdict == "passed"
    result.second_opinion = SecondOpinion(1, 2, Comparison(8, differences), other_green=False)
    table = render.disagreement_table(result)
    assert "Both pass your samples (attempt 2 breaks a check from your words" in table
    assert "every check from your words, yet" not in table


def test_a_repair_nothing_confirmed_is_amber_and_the_badge_says_why() -> None:
    result = result_that_tried()
    result.attempts[0].kind = "repair"  # a redo: it repairs code that failed before
    assert result.verdict == "passed"  # second opinions were off: nothing to corroborate
    result.corroborate = True
    assert result.doubt == "uncorroborated"
    assert "⚠ doubtful" in render.header(result)
    assert "found only after failed answers" in render.header(result)
