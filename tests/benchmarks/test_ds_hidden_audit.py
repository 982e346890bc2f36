"""The hidden-check audit finds answers that pass the checks and break the words.

Real sandbox, real task, recorded-style rows; no model.
"""

from __future__ import annotations

from typing import Any

from benchmarks.ds import prepare
from benchmarks.ds_hidden_audit import differences, rescore, scored_correct
from benchmarks.ds_tasks import all_tasks

TASKS = {t.name: t for t in all_tasks()}
TRUNCATE = TASKS["truncate_text"]

# A model's answer that passed every hidden check truncate_text had before the audit:
# it raises only when the text does not fit, so a limit under 4 on short text returns it.
CUTS_WITHOUT_CHECKING_THE_LIMIT = '''
def truncate_text(text: str, limit: int) -> str:
    """Cut at the last space before the limit and add dots."""
    if len(text) > limit:
        index = text.rfind(" ", 0, limit)
        if index >= 0:
            return text[:index] + "..."
        raise ValueError("Text too long to be truncated.")
    return text
'''


def _row(
    code: str, *, correct: bool, samples: bool = True, flagged: bool = False
) -> dict[str, Any]:
    return {
        "hidden_passed": correct,
        "samples_passed": samples,
        "false_green": False,
        "flagged": flagged,
        "code": code,
        "hidden_checks": 1,
        "hidden_checks_passed": 1 if correct else 0,
    }


def test_scored_correct_gathers_each_distinct_answer_once_with_where_it_was_seen() -> None:
    row = _row("code A", correct=True)
    row["candidates"] = [
        {"number": 1, "code": "code A", "samples_passed": True, "hidden_checks_passed": 1},
        {"number": 2, "code": "code B", "samples_passed": True, "hidden_checks_passed": 0},
        {"number": 3, "code": "code C", "samples_passed": False, "hidden_checks_passed": 1},
        {"number": 4, "code": "code D", "samples_passed": True, "hidden_checks_passed": 1},
    ]
    files = {
        "one.json": {"rows": {"forge": {"t": row}}},
        "two.json": {"rows": {"single": {"t": _row("code A", correct=True)}}},
    }
    answers = {a.code: a.records for a in scored_correct(files)}
    assert set(answers) == {"code A", "code D"}  # B failed a check, C its samples
    assert answers["code A"] == ("one.json:forge", "one.json:forge#1", "two.json:single")
    assert answers["code D"] == ("one.json:forge#4",)


def test_an_answer_that_breaks_a_stated_rule_differs_from_the_reference_on_a_probe() -> None:
    p = prepare(TRUNCATE)
    found = differences(p, CUTS_WITHOUT_CHECKING_THE_LIMIT)
    assert found, "no probe told the answer from the reference"
    assert any(d.reference == "raises ValueError" and "raises" not in d.answer for d in found)
    assert differences(p, TRUNCATE.reference) == []


def test_rescoring_turns_a_green_that_breaks_a_check_into_a_false_green() -> None:
    rows = {
        "forge": {
            "truncate_text": _row(CUTS_WITHOUT_CHECKING_THE_LIMIT, correct=True),
        },
        "single": {
            "truncate_text": _row(TRUNCATE.reference, correct=False),
            "gone_task": _row("x = 1", correct=True),
        },
    }
    out, changes = rescore(rows, TASKS)
    forge = out["forge"]["truncate_text"]
    assert forge["hidden_passed"] is False and forge["false_green"] is True
    assert "truncate_text" in forge["hidden_error"]
    assert forge["hidden_checks"] == len(TRUNCATE.hidden)
    assert out["single"]["truncate_text"]["hidden_passed"] is True
    assert out["single"]["gone_task"] == rows["single"]["gone_task"]  # not a task: kept
    assert [(c.condition, c.now_correct, c.green) for c in changes] == [
        ("forge", False, True),
        ("single", True, True),
    ]


def test_a_doubtful_forge_row_that_turns_wrong_is_not_a_false_green() -> None:
    rows = {
        "forge": {
            "truncate_text": _row(CUTS_WITHOUT_CHECKING_THE_LIMIT, correct=True, flagged=True)
        }
    }
    out, changes = rescore(rows, TASKS)
    assert out["forge"]["truncate_text"]["false_green"] is False
    assert [c.green for c in changes] == [False]
