"""The audit of answers whose verdict depends on Python's hash seed, on a real task in
the real sandbox (four seeds, no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.ds_seed_audit import audit, main
from benchmarks.ds_tasks import all_tasks

REFERENCE = next(t for t in all_tasks() if t.name == "fill_missing_keys").reference
# Keys in a set's order: the task says first-seen order, and the sample's dict shows it
# (a `>>>` sample keeps its key order), so the sample passes only under the seeds that
# iterate the set in that order; two hidden checks ask for two different orders of the
# same two keys, so under any seed one of them fails: wrong whatever the seed.
BY_SET = """def fill_missing_keys(rows, fill_value=None):
    keys = set()
    for row in rows:
        keys.update(row)
    return [{key: row.get(key, fill_value) for key in keys} for row in rows]
"""
# A recorded model answer (DS run f18e3ac, attempt 5): tags through a set, so whether
# its sample and its checks pass depends on the seed.
TAGS_BY_SET = """import re


def extract_hashtags(text: str) -> list:
    \"\"\"Hashtags, lowercased.\"\"\"
    if not re.search(r"#", text):
        return []
    hashtags = [tag.strip('#').lower() for tag in re.findall(r"#\\w+", text)]
    return list(set(hashtags))
"""
ROWS = {
    "single": {"fill_missing_keys": {"code": BY_SET}},
    "forge": {
        "fill_missing_keys": {
            "code": BY_SET,
            "candidates": [{"number": 1, "code": REFERENCE}, {"number": 2, "code": BY_SET}],
        },
        "extract_hashtags": {
            "code": REFERENCE,
            "candidates": [{"number": 5, "code": TAGS_BY_SET}],
        },
        "not_a_task": {"code": "x = {1}\n"},
    },
}


def test_an_answer_right_only_under_some_seeds_is_found() -> None:
    found = audit(ROWS)
    assert [(a.condition, a.task, a.attempt, a.shown) for a in found] == [
        ("single", "fill_missing_keys", None, True),
        ("forge", "fill_missing_keys", 2, True),
        ("forge", "extract_hashtags", 5, False),
    ]  # the references build no set: not replayed
    by_set, tags = found[1], found[2]
    assert by_set.samples == (True, True, False, False)  # the sample's key order tells
    assert max(by_set.hidden) < by_set.hidden_total and not by_set.hidden_depend  # wrong each
    assert tags.depends and tags.samples_depend and tags.hidden_depend


def test_the_command_sums_it_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "ds.json"
    results.write_text(json.dumps({"rows": ROWS}))
    assert main([str(results)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == [  # only answers whose verdict changes are listed
        "single fill_missing_keys (single, shown): samples pass, pass, fail, fail; "
        "hidden 5/6, 5/6, 5/6, 5/6 under seeds 0, 1, 2, 3",
        "forge fill_missing_keys (attempt 2, shown): samples pass, pass, fail, fail; "
        "hidden 5/6, 5/6, 5/6, 5/6 under seeds 0, 1, 2, 3",
        "forge extract_hashtags (attempt 5): samples pass, pass, pass, fail; "
        "hidden 3/5, 3/5, 4/5, 4/5 under seeds 0, 1, 2, 3",
    ]
    assert lines[-1] == (
        "3 answers build a set; 3 get a verdict that changes with the hash seed "
        "(3 on the samples, 1 on the hidden checks); shown: 2"
    )
