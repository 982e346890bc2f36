"""The audit of recorded checks from the words, on real tasks in the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.ds_checks_audit import OWN_INPUTS, READS_TABLE, audit, main, own_code_failures
from benchmarks.ds_tasks import all_tasks

ROWS = {
    "squash_whitespace": {
        "word_checks": {
            "texts": [
                'assert squash_whitespace([None, " b "]) == [None, "b"]',  # the near miss fails
                'assert squash_whitespace(["a  b"]) == ["a b"]',  # right, near miss passes too
                'assert squash_whitespace(["a"]) == ["A"]',  # wrong
            ]
        }
    },
    "dtype_summary": {
        "word_checks": {
            "texts": [
                'assert dtype_summary(people)["unique"].tolist() == [2, 2, 2]',  # right
                'assert dtype_summary(people)["missing"].tolist() == [1, 1, 1]',  # a guess
                "import pandas as pd\nassert len(dtype_summary(pd.DataFrame())) == 0",
            ]
        }
    },
    "not_a_task": {"word_checks": {"texts": ["assert not_a_task() == 1"]}},
    "no_checks": {"word_checks": None},
}


def test_checks_are_judged_on_the_reference_and_the_near_miss() -> None:
    tally = audit(ROWS)
    assert tally[(OWN_INPUTS, "right and tells")] == 1
    assert tally[(OWN_INPUTS, "right")] == 2  # "a  b", and the empty DataFrame
    assert tally[(OWN_INPUTS, "wrong")] == 1
    assert tally[(READS_TABLE, "right and tells")] == 1  # unique counts NaN apart
    assert tally[(READS_TABLE, "wrong")] == 1
    assert sum(tally.values()) == 6


def test_tasks_restrict_the_audit() -> None:
    tally = audit(ROWS, {"squash_whitespace"})
    assert sum(tally.values()) == 3 and not any(kind == READS_TABLE for kind, _ in tally)


def test_the_command_prints_one_line_per_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "ds.json"
    results.write_text(json.dumps({"rows": {"forge": ROWS}}))
    assert main([str(results)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{OWN_INPUTS}: 3 of 4 right (1 tell the near miss)",
        f"{READS_TABLE}: 1 of 2 right (1 tell the near miss)",
        "on candidates passing their samples: 0 failing checks, 0 broke in their own code "
        "(0 of them right)",
    ]


def test_checks_breaking_in_their_own_code_are_counted_on_sample_passing_candidates() -> None:
    reference = {t.name: t for t in all_tasks()}["dtype_summary"].reference
    rows = {
        "dtype_summary": {
            "word_checks": {
                "texts": [
                    "assert dtype_summary(people).shape[0] == 3",  # right: passes
                    'assert dtype_summary(people)["unique"].tolist() == [9, 9, 9]',  # wrong
                    "assert dtype_summary(people).columns() == []",  # own code: not callable
                    "assert dtype_summary(people).items_count == 3",  # own code: no attribute
                ]
            },
            "candidates": [
                {"code": reference, "samples_passed": True},
                {"code": reference, "samples_passed": False},  # not counted
                {"code": None, "samples_passed": False},
            ],
        }
    }
    tally = own_code_failures(rows)
    assert tally == {"failing": 3, "wrong": 2}
