"""The audit of tools that change the notebook variable their sample passes them,
on a real task in the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.ds_input_audit import audit, main
from benchmarks.ds_tasks import all_tasks

REFERENCE = next(t for t in all_tasks() if t.name == "monthly_active_users").reference
CHANGING = """import pandas as pd


def monthly_active_users(events: pd.DataFrame) -> pd.Series:
    events["month"] = pd.to_datetime(events["ts"]).dt.strftime("%Y-%m")
    return events.groupby("month")["user"].nunique().sort_index()
"""
ROWS = {
    "monthly_active_users": {
        "code": CHANGING,
        "hidden_passed": True,
        "verdict": "passed",
        "candidates": [{"number": 1, "code": REFERENCE}, {"number": 2, "code": CHANGING}],
    },
    "squash_whitespace": {"code": "def squash_whitespace(v):\n    return v\n"},  # no table
    "not_a_task": {"code": "x = 1\n"},
}


def test_a_tool_that_adds_a_column_to_the_persons_table_is_found() -> None:
    (found,) = audit(ROWS)
    assert found.task == "monthly_active_users"
    assert found.shown_changes and found.correct and not found.reference_changes
    assert found.changing_candidates == (2,) and found.candidates == 2


def test_the_command_sums_it_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "ds.json"
    results.write_text(json.dumps({"rows": {"forge": ROWS}}))
    assert main([str(results)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "monthly_active_users: shown tool changes it (passed, correct); "
        "candidates changing it: [2] of 2",
        "1 tasks pass a notebook variable; the shown tool changes it in 1 (1 of them counted "
        "correct); 1 of 2 candidates change it; references: 0",
    ]
