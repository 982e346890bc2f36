"""The choice replay on recorded rows: real task, real sandbox, no model."""

from __future__ import annotations

from typing import Any

from benchmarks.ds_choice_replay import reopinions, replay
from benchmarks.ds_tasks import all_tasks

TASKS = {t.name: t for t in all_tasks()}
CONVERT = TASKS["convert_distance"]
# Passes the sample (km to m) with a wrong km-to-ft factor: what the 1.5B model wrote.
WRONG_FACTOR = '''
def convert_distance(distance: float, from_unit: str, to_unit: str) -> float:
    """Convert a distance value from one unit to another."""
    if from_unit not in ("m", "km", "mi", "ft") or to_unit not in ("m", "km", "mi", "ft"):
        raise ValueError("unknown unit")
    if distance < 0:
        raise ValueError("negative distance")
    factors = {
        "m": {"m": 1, "km": 0.001, "mi": 0.000621371192857143, "ft": 3.28084},
        "km": {"m": 1000, "km": 1, "mi": 0.621371192857143, "ft": 5280},
        "mi": {"m": 1609.344, "km": 1.609344, "mi": 1, "ft": 5280},
        "ft": {"m": 0.3048, "km": 0.0009144, "mi": 0.000189394, "ft": 1},
    }
    return distance * factors[from_unit][to_unit]
'''
# Right, and the reference's arithmetic in another order (floats differ in the last digit).
REGROUPED = CONVERT.reference.replace(
    "value * METRES[from_unit] / METRES[to_unit]", "value * (METRES[from_unit] / METRES[to_unit])"
)


def _row(*codes: str) -> dict[str, Any]:
    candidates = [
        {"number": n, "kind": "first" if n == 1 else "fresh", "code": c, "samples_passed": True}
        for n, c in enumerate(codes, 1)
    ]
    return {"verdict": "doubtful", "code": codes[0], "candidates": candidates, "word_checks": None}


def test_two_right_answers_outvote_an_earlier_wrong_one_on_the_units_the_words_name() -> None:
    # One sample (km to m) passes all three; only the units the words quote tell the
    # wrong factor apart, and the two right answers agree though their floats differ.
    assert CONVERT.reference != REGROUPED
    [found] = replay({"convert_distance": _row(WRONG_FACTOR, CONVERT.reference, REGROUPED)}, TASKS)
    assert found.tied == (1, 2, 3)
    assert found.shown == 2 and found.correct and not found.recorded


def test_rows_without_a_tie_are_left_out() -> None:
    rows = {
        "convert_distance": _row(CONVERT.reference),  # one candidate: nothing to settle
        "no_such_task": _row("def f(): pass", "def f(): return 1"),
    }
    assert replay(rows, TASKS) == []


def test_a_second_answer_on_other_named_units_disputes_a_wrong_green() -> None:
    row = _row(WRONG_FACTOR, CONVERT.reference)
    row["second_opinion"] = {"shown": 1, "other": 2, "differences": []}
    [found] = reopinions({"convert_distance": row}, TASKS)
    assert (found.shown, found.other) == (1, 2)
    assert not found.disputed_then and found.disputed_now
    assert found.difference is not None and "'ft'" in found.difference
    # Right answers that differ only in the last digit of a float do not dispute.
    agreeing = _row(CONVERT.reference, REGROUPED)
    agreeing["second_opinion"] = {"shown": 1, "other": 2, "differences": []}
    [same] = reopinions({"convert_distance": agreeing}, TASKS)
    assert not same.disputed_now and same.difference is None
