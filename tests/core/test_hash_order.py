"""A sample passed only by the luck of a set's order fails (``core.hash_order``).

Why: the sandbox and the person's kernel iterate a set of strings in different orders;
a tool green in one can be wrong in the other. Stand-in runs (one report per seed)
pin the policy; ``tests/sandbox`` pins that the worker really runs under the seed.
"""

from __future__ import annotations

import pytest

from jupyter_forge.core.hash_order import (
    DEPENDS_ON_ORDER,
    FIRST_SEED,
    OTHER_SEEDS,
    across_seeds,
    may_depend_on_hash_order,
)
from jupyter_forge.core.spec import Sample
from jupyter_forge.core.validation import RawSampleRun, SampleResult, ValidationReport, judge

SAMPLES = [
    Sample("names(['b', 'a', 'b'])", "example", "['b', 'a']\n"),
    Sample("names([])", "example", "[]\n"),
]
SET_CODE = "def names(xs):\n    return list(set(xs))\n"
LIST_CODE = "def names(xs):\n    return list(dict.fromkeys(xs))\n"


def report(*passed: bool, load_error: str | None = None) -> ValidationReport:
    if load_error is not None:
        return ValidationReport(passed=False, load_error=load_error, seconds=1.0)
    results = [
        SampleResult(
            source=sample.source,
            kind=sample.kind,
            expected=sample.expected,
            passed=ok,
            got="['b', 'a']" if ok else "['a', 'b']",
            error=None if ok else "expected ['b', 'a'] but got ['a', 'b']",
        )
        for sample, ok in zip(SAMPLES, passed, strict=True)
    ]
    return ValidationReport(passed=all(passed), results=results, seconds=1.0)


class Runs:
    """``run(seed)``: the report for that seed, and which seeds were asked for."""

    def __init__(self, by_seed: dict[int, ValidationReport]) -> None:
        self.by_seed, self.seeds = by_seed, list[int]()

    def __call__(self, seed: int) -> ValidationReport:
        self.seeds.append(seed)
        return self.by_seed[seed]


@pytest.mark.parametrize(
    "code",
    [
        SET_CODE,
        "def names(xs):\n    return [x for x in {x.strip() for x in xs}]\n",
        "def names(xs):\n    return list({'a', 'b'})\n",
        "def names(xs):\n    return sorted(xs) + list(frozenset(xs))\n",
        "def names(xs):\n    return list(xs[0].keys().union(xs[1]))\n",
    ],
)
def test_code_that_builds_a_set_may_depend_on_its_order(code: str) -> None:
    assert may_depend_on_hash_order(code)


def test_code_without_a_set_does_not_and_a_samples_set_does() -> None:
    assert not may_depend_on_hash_order(LIST_CODE, SAMPLES)
    assert not may_depend_on_hash_order("def names(:\n")  # unparsable: the sandbox says so
    assert may_depend_on_hash_order(LIST_CODE, [Sample("names({'b', 'a'})", "example", "x\n")])


SECOND, THIRD, FOURTH = OTHER_SEEDS


def test_a_pass_under_one_seed_only_is_a_failure_that_says_why() -> None:
    runs = Runs({FIRST_SEED: report(True, True), SECOND: report(False, True)})
    merged = across_seeds(runs, SET_CODE, SAMPLES)
    assert runs.seeds == [FIRST_SEED, SECOND]  # the first disagreement is enough
    assert not merged.passed
    assert [r.passed for r in merged.results] == [False, True]
    error = merged.results[0].error or ""
    assert error.startswith(DEPENDS_ON_ORDER) and "but got ['a', 'b']" in error
    assert "sorted(" in error  # what to do, for the repair prompt and the person
    assert merged.seconds == 2.0  # both runs' time


def test_a_fail_under_the_first_seed_and_a_pass_under_the_second_says_why_too() -> None:
    runs = Runs({FIRST_SEED: report(False, True), SECOND: report(True, True)})
    merged = across_seeds(runs, SET_CODE, SAMPLES)
    assert not merged.passed and (merged.results[0].error or "").startswith(DEPENDS_ON_ORDER)


def test_a_two_item_set_that_only_the_last_seed_reorders_is_caught() -> None:
    """``{'a', 'b'}`` iterates alike under seeds 0 and 1: one other seed is not enough."""
    same = report(True, True)
    runs = Runs({FIRST_SEED: same, SECOND: same, THIRD: same, FOURTH: report(True, False)})
    merged = across_seeds(runs, SET_CODE, SAMPLES)
    assert runs.seeds == [FIRST_SEED, *OTHER_SEEDS]
    assert [r.passed for r in merged.results] == [True, False] and not merged.passed
    assert merged.seconds == 4.0  # every run's time


def test_the_same_verdicts_under_every_seed_leave_the_first_report() -> None:
    first = report(True, True)
    runs = Runs({FIRST_SEED: first, **{seed: report(True, True) for seed in OTHER_SEEDS}})
    merged = across_seeds(runs, SET_CODE, SAMPLES)
    assert runs.seeds == [FIRST_SEED, *OTHER_SEEDS]
    assert merged.passed and merged.results == first.results


@pytest.mark.parametrize(
    ("code", "first"),
    [
        (LIST_CODE, report(True, True)),  # no set: nothing to learn from a second run
        (SET_CODE, report(False, False)),  # nothing passed: nothing to lose
        (SET_CODE, report(load_error="NameError: x")),
    ],
)
def test_one_run_when_a_second_cannot_change_the_verdict(
    code: str, first: ValidationReport
) -> None:
    runs = Runs({FIRST_SEED: first})
    assert across_seeds(runs, code, SAMPLES) is first
    assert runs.seeds == [FIRST_SEED]


def test_a_run_that_breaks_on_its_own_changes_no_verdict() -> None:
    first = report(True, True)
    broken = report(load_error="timed out loading")
    runs = Runs({FIRST_SEED: first, SECOND: broken, THIRD: first, FOURTH: first})
    merged = across_seeds(runs, SET_CODE, SAMPLES)
    assert merged.passed and merged.results == first.results


# -- a dict's keys in a set's order ----------------------------------------------------

KEYS = [
    Sample("fill([{'a': 1}, {'b': 2}])", "example", "[{'a': 1, 'b': None}, {'a': None, 'b': 2}]\n")
]
AB = "[{'a': 1, 'b': None}, {'a': None, 'b': 2}]"
BA = "[{'b': None, 'a': 1}, {'b': 2, 'a': None}]"
FILL_BY_SET = (
    "def fill(rows):\n    keys = set().union(*rows)\n"
    "    return [{k: row.get(k) for k in keys} for row in rows]\n"
)


def judged(got: str, sample: Sample = KEYS[0]) -> ValidationReport:
    """What the host makes of a worker that printed ``got`` for one sample."""
    result = judge(sample, RawSampleRun(0, "ok", value_repr=got, seconds=1.0))
    return ValidationReport(passed=result.passed, results=[result], seconds=1.0)


def test_dict_keys_that_come_out_in_a_sets_order_fail_and_say_why() -> None:
    """``==`` ignores a dict's key order; the judge does not (the sample shows ``a, b``),
    so the seed that prints ``b, a`` fails, and the error says what to do."""
    runs = Runs({FIRST_SEED: judged(AB), SECOND: judged(AB), THIRD: judged(BA)})
    merged = across_seeds(runs, FILL_BY_SET, KEYS)
    assert runs.seeds == [FIRST_SEED, SECOND, THIRD]
    assert not merged.passed and not merged.results[0].passed
    error = merged.results[0].error or ""
    assert error.startswith(DEPENDS_ON_ORDER) and AB in error and BA in error
    assert "the same items in another order" in error
    assert "dict.fromkeys" in error  # what to do, for the repair prompt and the person
    assert merged.results[0].got == BA


@pytest.mark.parametrize(
    ("first", "other"),
    [
        ("{'a', 'b'}", "{'b', 'a'}"),  # a set has no order to get wrong
        ("[{'a': 1, 'b': None}, {'a': None, 'b': 2.0}]", AB),  # the same value
    ],
)
def test_outputs_that_print_differently_as_the_same_value_stay_passed(
    first: str, other: str
) -> None:
    sample = Sample(KEYS[0].source, "example", first + "\n")
    runs = Runs(
        {FIRST_SEED: judged(first, sample), **{s: judged(other, sample) for s in OTHER_SEEDS}}
    )
    merged = across_seeds(runs, FILL_BY_SET, [sample])
    assert merged.passed and merged.results[0].got == first


def test_a_sample_without_an_expectation_is_not_judged_by_its_printout() -> None:
    bare = Sample("fill([{'a': 1}, {'b': 2}])", "code", None)
    runs = Runs({seed: judged(BA if seed else AB, bare) for seed in (FIRST_SEED, *OTHER_SEEDS)})
    assert across_seeds(runs, FILL_BY_SET, [bare]).passed
