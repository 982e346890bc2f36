"""The second-opinion replay on recorded rows: real task, real sandbox, no model."""

from __future__ import annotations

from typing import Any

from benchmarks.ds_opinion_replay import replay
from benchmarks.ds_tasks import all_tasks

TASKS = {t.name: t for t in all_tasks()}
SCALE = TASKS["min_max_scale"]


def _row(code: str, second: str | None, *, second_passed: bool = True) -> dict[str, Any]:
    candidates = [{"number": 1, "kind": "first", "code": code, "samples_passed": True}]
    if second is not None:
        candidates.append(
            {"number": 2, "kind": "second", "code": second, "samples_passed": second_passed}
        )
    return {"verdict": "passed", "code": code, "candidates": candidates}


def test_a_sample_passing_second_answer_that_differs_disputes_the_green_tool() -> None:
    rows = {"min_max_scale": _row(SCALE.near_miss, SCALE.reference)}
    [found] = replay(rows, TASKS)
    assert found.task == "min_max_scale" and not found.correct
    assert found.disputed_by == 2 and found.difference is not None


def test_no_dispute_from_an_agreeing_a_failing_or_a_missing_second_answer() -> None:
    agreeing = SCALE.reference.replace('"""(v - min)', '"""Same. (v - min)')
    rows = {
        "min_max_scale": _row(SCALE.reference, agreeing),
        "truncate_text": _row(
            TASKS["truncate_text"].reference, "def x(): pass", second_passed=False
        ),
        "split_full_name": _row(TASKS["split_full_name"].reference, None),
        "no_such_task": _row("def f(): pass", None),
    }
    rows["z_scores"] = {**_row("def z_scores(xs): return xs", None), "verdict": "doubtful"}
    found = {r.task: r for r in replay(rows, TASKS)}
    assert set(found) == {"min_max_scale", "truncate_text", "split_full_name"}  # greens only
    assert all(r.correct and r.disputed_by is None for r in found.values())
