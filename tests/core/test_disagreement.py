"""How two green candidates' different answers are told in the status line."""

from __future__ import annotations

import pytest

from jupyter_forge.core.disagreement import Comparison, Difference, SecondOpinion


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
