"""Strict parsing of checks written as text (model answers, benchmark hidden tests).

The rewritten "must raise" forms are exec'd here in-process: the inputs are this
file's own fixed strings, never model output (that only ever runs in the sandbox).
"""

from __future__ import annotations

import pytest

from jupyter_forge.core.checks import MAX_CHECKS, parse_checks


def run(source: str, namespace: dict[str, object]) -> None:
    exec(source, namespace)


def positive(x: int) -> int:
    if x < 0:
        raise ValueError("negative")
    return x


def test_assert_lines_are_checks() -> None:
    checks, skipped = parse_checks("assert f(1) == 2\nassert f(0) == 0\n", "f")
    assert [c.text for c in checks] == ["assert f(1) == 2", "assert f(0) == 0"]
    assert all(c.sample.kind == "code" and c.sample.origin == "words" for c in checks)
    assert skipped == []


def test_fenced_blocks_and_prose_around_them() -> None:
    reply = (
        "Here are tests:\n```python\nassert f(1) == 2\n```\nAnd more:\n```py\nassert f(2) == 4\n```"
    )
    checks, skipped = parse_checks(reply, "f")
    assert [c.text for c in checks] == ["assert f(1) == 2", "assert f(2) == 4"]
    assert skipped == []


@pytest.mark.parametrize(
    "text",
    [
        "raises(ValueError, positive, -1)",
        "pytest.raises(ValueError, positive, -1)",
        "import pytest\nwith pytest.raises(ValueError):\n    positive(-1)",
        "with raises(ValueError):\n    positive(-1)",
        "raises((ValueError, TypeError), positive, -1)",
    ],
)
def test_must_raise_forms_become_plain_try_except(text: str) -> None:
    checks, skipped = parse_checks(text, "positive")
    assert skipped == [] and len(checks) == 1
    source = checks[0].sample.source
    assert "pytest" not in source and "raises(" not in source.replace("raise AssertionError", "")
    run(source, {"positive": positive})  # raises ValueError: the check passes
    with pytest.raises(AssertionError, match=r"expected .*ValueError"):
        run(source, {"positive": lambda x: x})  # does not raise: the check fails
    with pytest.raises(KeyError):
        run(source, {"positive": lambda x: {}[x]})  # another error is not swallowed


def test_setup_statements_stay_with_the_next_check() -> None:
    text = "import math\nrows = [1, 2]\nassert math.isclose(f(rows), 1.5)\nassert f([]) == 0"
    checks, _ = parse_checks(text, "f")
    assert checks[0].text == "import math\nrows = [1, 2]\nassert math.isclose(f(rows), 1.5)"
    assert checks[1].text == "assert f([]) == 0"
    namespace: dict[str, object] = {"f": lambda r: sum(r) / len(r) if r else 0}
    for check in checks:
        run(check.sample.source, namespace)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("print(f(1))", "not a check"),
        ("def f(x):\n    return x", "not a check"),
        ("assert 1 == 1", "does not call `f`"),
        ("raises(ValueError('x'), f, 1)", "not a name"),
        ("assert f(1 ==", "not Python"),
    ],
)
def test_anything_else_is_skipped_in_one_line(text: str, why: str) -> None:
    checks, skipped = parse_checks(text, "f")
    assert checks == []
    assert len(skipped) == 1 and why in skipped[0] and "\n" not in skipped[0]


def test_a_broken_line_costs_only_itself() -> None:
    text = "assert f(1) == 1\nassert f(2 ==\nraises(KeyError, f, 3)\nthis is prose, not code.\n"
    checks, skipped = parse_checks(text, "f")
    assert [c.text for c in checks] == ["assert f(1) == 1", "raises(KeyError, f, 3)"]
    assert len(skipped) == 2


def test_duplicates_dropped_and_count_capped() -> None:
    lines = [f"assert f({i}) == {i}" for i in range(MAX_CHECKS + 3)] + ["assert f(0) == 0"]
    checks, skipped = parse_checks("\n".join(lines), "f")
    assert len(checks) == MAX_CHECKS
    assert len(skipped) == 3 and all("more than" in s for s in skipped)


def test_hostile_text_is_only_ever_parsed() -> None:
    # Parsing never evaluates anything; the check is kept verbatim for the sandbox.
    text = "assert f(__import__('os').system('touch /tmp/pwned')) == 0"
    checks, _ = parse_checks(text, "f")
    assert checks[0].sample.source == text


def test_identity_with_a_literal_means_equality() -> None:
    checks, _ = parse_checks("assert f([]) is []\nassert f(1) is not 'x'\nassert f(0) is None", "f")
    assert [c.sample.source for c in checks] == [
        "assert f([]) == []",
        "assert f(1) != 'x'",
        "assert f(0) is None",
    ]
    assert checks[0].text == "assert f([]) is []"  # shown as written
