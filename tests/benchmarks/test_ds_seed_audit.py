"""The audit of answers whose verdict depends on Python's hash seed, on a real task in
the real sandbox (four seeds, no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.ds_seed_audit import SEEDS, audit, main
from benchmarks.ds_tasks import all_tasks

REFERENCE = next(t for t in all_tasks() if t.name == "fill_missing_keys").reference
# Keys in a set's order: the task says first-seen order; the sample's dict == cannot see it.
BY_SET = """def fill_missing_keys(rows, fill_value=None):
    keys = set()
    for row in rows:
        keys.update(row)
    return [{key: row.get(key, fill_value) for key in keys} for row in rows]
"""
ROWS = {
    "single": {"fill_missing_keys": {"code": BY_SET}},
    "forge": {
        "fill_missing_keys": {
            "code": BY_SET,
            "candidates": [{"number": 1, "code": REFERENCE}, {"number": 2, "code": BY_SET}],
        },
        "not_a_task": {"code": "x = {1}\n"},
    },
}


def test_an_answer_right_only_under_some_seeds_is_found() -> None:
    found = audit(ROWS)
    assert [(a.condition, a.attempt, a.shown) for a in found] == [
        ("single", None, True),
        ("forge", 2, True),
    ]  # the reference builds no set: not replayed
    for a in found:
        assert a.samples == (True,) * len(SEEDS)  # the sample cannot tell
        assert a.hidden_depend and a.depends
        assert max(a.hidden) == a.hidden_total and min(a.hidden) < a.hidden_total


def test_the_command_sums_it_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "ds.json"
    results.write_text(json.dumps({"rows": ROWS}))
    assert main([str(results)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("single fill_missing_keys (single, shown): samples pass, pass")
    assert lines[-1] == (
        "2 answers build a set; 2 get a verdict that changes with the hash seed "
        "(0 on the samples, 2 on the hidden checks); shown: 2"
    )
