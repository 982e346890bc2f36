"""How two green candidates' different answers are told in the status line."""

from __future__ import annotations

import pytest

from jupyter_forge.core.disagreement import (
    Comparison,
    Difference,
    SecondOpinion,
    compared,
    same_outcome,
)


def opinion(shown: str, other: str) -> SecondOpinion:
    difference = Difference("to_minutes('')", shown, other)
    return SecondOpinion(shown=3, other=5, comparison=Comparison(4, (difference,)))


@pytest.mark.parametrize(
    ("shown", "other", "line"),
    [
        ("raises ValueError", "0", "`to_minutes('')` raises ValueError here, gives 0 in attempt 5"),
        (
            "''",
            "raises IndexError",
            "`to_minutes('')` gives '' here, raises IndexError in attempt 5",
        ),
        ("1", "2", "`to_minutes('')` gives 1 here, gives 2 in attempt 5"),
        # A string that reads like an outcome is still a value (its repr is quoted).
        ("'raises X'", "0", "`to_minutes('')` gives 'raises X' here, gives 0 in attempt 5"),
    ],
)
def test_the_first_difference_reads_as_a_sentence(shown: str, other: str, line: str) -> None:
    assert opinion(shown, other).first_difference() == line
    assert not opinion(shown, other).agrees


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("0.30000000000000004", "0.3"),  # the same number
        ("2", "2.0"),
        ("raises ValueError", "raises TypeError"),  # the words rarely say which error
        ("not run: an earlier probe timed out", "1"),  # no evidence either way
        ("{'a', 'b'}", "{'b', 'a'}"),
        ("[nan, 1]", "[nan, 1]"),
    ],
)
def test_outcomes_a_person_would_call_the_same(a: str, b: str) -> None:
    assert same_outcome(a, b) and same_outcome(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("True", "1"),  # a yes/no is not a count, as in the samples
        ("[False, 2]", "[0, 2]"),
        ("{'b': 1, 'a': 2}", "{'a': 2, 'b': 1}"),  # key order shows in every printout
        ("[1, 2]", "(1, 2)"),
        ("nan", "0.0"),
        ("raises ValueError", "0"),
        ("Timestamp('2024-01-01')", "Timestamp('2024-01-02')"),  # not literals: the text
    ],
)
def test_outcomes_that_differ(a: str, b: str) -> None:
    assert not same_outcome(a, b) and not same_outcome(b, a)


def test_compared_keeps_only_the_differences() -> None:
    comparison = compared(
        ["f(0)", "f(1)", "f(2)"],
        ["0", "True", "raises KeyError"],
        ["0.0", "1", "raises IndexError"],
    )
    assert comparison.probes == 3
    assert comparison.differences == (Difference("f(1)", "True", "1"),)
