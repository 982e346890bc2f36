"""The plain-words data-science harness must not rot: a 3-task run on the scripted model.

Why: the benchmark is not in the test suite (it needs the real model and minutes per
task), so this checks the plumbing end to end on real tasks: the notebook namespace,
the forge's first prompt reused by ``single``, the word-check call, the hidden checks
run in the sandbox, and the JSON contract the README numbers come from. The replies
are scripted so every count is known: one task gets its reference (passes), one its
near miss (passes the samples, fails a hidden check: a false green), one garbage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from benchmarks.ds import PLAN, main, word_checks_field
from benchmarks.ds_report import cascade_rows, markdown_table
from benchmarks.ds_tasks import DsTask, all_tasks
from jupyter_forge.core.repair import GIVE_UP_ON_CHECKS
from jupyter_forge.core.word_checks import WordChecks
from jupyter_forge.testing.scripted_llm import Reply, ScriptedModel, reply_by_function_name

# Real tasks: a pandas one with notebook setup code (its `sales` must reach the sandbox),
# and two text ones.
REFERENCE, NEAR_MISS, GARBAGE = "fill_group_mean", "slugify_title", "split_full_name"
NAMES = [REFERENCE, NEAR_MISS, GARBAGE]
TESTER = "You are a careful Python tester"  # the word-check request's system prompt


def fenced(code: str) -> str:
    return f"```python\n{code.rstrip()}\n```"


def quoted(task: DsTask, checks: Sequence[str]) -> str:
    """``checks``, each after a comment quoting the start of the task's request."""
    rule = " ".join(task.cell.split()[:6])
    return "\n".join(f'# "{rule}"\n{check}' for check in checks)


@pytest.fixture(scope="module")
def tasks() -> dict[str, DsTask]:
    found = {t.name: t for t in all_tasks()}
    if len(found) < 3:
        pytest.skip(f"benchmarks.ds_tasks has {len(found)} task(s); the smoke run needs 3")
    missing = [n for n in NAMES if n not in found]
    assert not missing, f"the smoke tasks {missing} are gone: pick others from all_tasks()"
    return {n: found[n] for n in NAMES}


@pytest.fixture(autouse=True)
def private_jupyter_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.delenv("JUPYTER_FORGE_API_BASE", raising=False)


@pytest.fixture
def sm(tasks: dict[str, DsTask]) -> Iterator[ScriptedModel]:
    # Code requests: the same answer at every attempt, so the outcome does not depend
    # on how the loop spends its budget.
    code = reply_by_function_name(
        {
            REFERENCE: fenced(tasks[REFERENCE].reference),
            NEAR_MISS: fenced(tasks[NEAR_MISS].near_miss),
            GARBAGE: fenced(f"def {GARBAGE}(*args, **kwargs):\n    return 'no idea'"),
        }
    )
    # Word checks: one right check for the reference (passes), the near miss's own
    # hidden checks (it fails one: the reviewer is warned), an empty answer for garbage.
    # Each check quotes the request's words, as the checks prompt asks (unquoted ones are dropped).
    words = reply_by_function_name(
        {
            REFERENCE: fenced(quoted(tasks[REFERENCE], tasks[REFERENCE].hidden[:1])),
            NEAR_MISS: fenced(quoted(tasks[NEAR_MISS], tasks[NEAR_MISS].hidden)),
            GARBAGE: "",
        }
    )

    def rule(messages: list[dict[str, Any]]) -> Reply | None:
        system = str(messages[0].get("content") or "") if messages else ""
        return (words if system.startswith(TESTER) else code)(messages)

    with ScriptedModel(rule=rule, checks=None) as model:
        yield model


def test_smoke_run_on_three_tasks(
    sm: ScriptedModel, tasks: dict[str, DsTask], tmp_path: Path
) -> None:
    out = tmp_path / "ds-scripted.json"
    argv = ["--model", sm.model, "--api-base", sm.api_base, "--tasks", ",".join(NAMES)]
    assert main([*argv, "--out", str(out)]) == 0

    data = json.loads(out.read_text())
    # Three of the benchmark's tasks: not the complete benchmark, every asked task ran.
    assert data["benchmark"] == "ds" and data["complete"] is False
    assert data["tasks_run"] == 3 and data["tasks_total"] == len(all_tasks())
    assert data["model"] == sm.model and data["default_model"] is False
    assert data["tasks"] == 3 and data["conditions"] == ["single", "forge"]
    assert {"python", "cpus"} <= set(data["machine"]) and "litellm" in data["versions"]
    assert data["started"] and data["forge_settings"]["word_checks"] is True
    rows = data["rows"]
    assert set(rows) == {"single", "forge"}
    assert all(list(rows[c]) == NAMES for c in rows)  # side by side, in task order

    expected = {  # hidden, samples, false green
        REFERENCE: (True, True, False),
        NEAR_MISS: (False, True, True),
        GARBAGE: (False, False, False),
    }
    # The forge's near miss breaks checks from its words: amber ("doubtful"), not green.
    forge_expected = {**expected, NEAR_MISS: (False, True, False)}
    for condition in ("single", "forge"):
        wanted = expected if condition == "single" else forge_expected
        for name, (hidden, samples, green) in wanted.items():
            row = rows[condition][name]
            got = (row["hidden_passed"], row["samples_passed"], row["false_green"])
            assert got == (hidden, samples, green), (condition, name, row)
            assert row["category"] == tasks[name].category and row["error"] is None
            assert row["prompt_tokens"] > 0 and row["completion_tokens"] > 0
            assert row["wall_seconds"] >= 0 and row["hidden_checks"] == len(tasks[name].hidden)
            assert not row["hidden_skipped"]
    # The hidden check that caught the near miss is named, with what went wrong.
    assert rows["single"][NEAR_MISS]["hidden_error"]
    assert rows["single"][GARBAGE]["hidden_error"]
    assert rows["single"][NEAR_MISS]["attempt_kinds"] == ["first"]

    forge = rows["forge"]
    # Green at once, then a second opinion: the scripted model answers with the same code,
    # which is no evidence (nothing compared) and leaves it green.
    assert forge[REFERENCE]["attempt_kinds"] == ["first", "second"]
    assert forge[REFERENCE]["flagged"] is False and forge[REFERENCE]["disputed"] is False
    assert forge[REFERENCE]["second_opinion"] is None
    assert data["forge_settings"]["second_opinion"] is True
    # The scripted check, and "leaves `sales` as it was" (its sample passes a notebook table).
    assert forge[REFERENCE]["word_checks"]["count"] == 2
    assert forge[REFERENCE]["word_checks"]["passed"] == 2
    # The table-stays check first: a check calling the tool before it could change the table.
    assert forge[REFERENCE]["word_checks"]["texts"][0].endswith("# leaves `sales` as it was")
    # The call's own answer is kept, so a run can tell why a call gave few checks.
    reference_checks = forge[REFERENCE]["word_checks"]
    assert reference_checks["texts"][1].split("#")[0].strip() in reference_checks["reply"]
    near = forge[NEAR_MISS]
    # Every answer is the same near miss: after GIVE_UP_ON_CHECKS green candidates that all
    # fail a check, the search stops.
    assert near["flagged"] is True and near["attempts"] == GIVE_UP_ON_CHECKS
    assert near["verdict"] == "doubtful" and forge[REFERENCE]["verdict"] == "passed"
    assert near["doubt"] == "checks" and forge[REFERENCE]["doubt"] is None
    assert forge[GARBAGE]["verdict"] == "failed"
    assert near["word_checks"]["count"] == len(tasks[NEAR_MISS].hidden)
    assert 0 < near["word_checks"]["passed"] < near["word_checks"]["count"]
    # No answer passed its samples, so the checks from the words were never asked for.
    assert forge[GARBAGE]["word_checks"] is None
    assert forge[GARBAGE]["attempt_kinds"] == ["first", "repair", "fresh", "fresh", "fresh"]
    # Every answer scored on the hidden checks: was a correct tool ever written? (The
    # second answer repeats the first, so it is not run on the samples: not passed.)
    every = len(tasks[REFERENCE].hidden)
    scores = ("number", "kind", "samples_passed", "hidden_checks_passed")
    assert [tuple(c[k] for k in scores) for c in forge[REFERENCE]["candidates"]] == [
        (1, "first", True, every),
        (2, "second", False, every),
    ]
    # Each candidate's code is kept, as validated, to diagnose a miss without the model.
    reference_code = tasks[REFERENCE].reference.strip()
    assert [c["code"].strip() for c in forge[REFERENCE]["candidates"]] == [reference_code] * 2
    assert all(c["fixes"] == [] for c in forge[REFERENCE]["candidates"])
    # Each call's cost is kept: the candidates' and the word checks' add up to the row's.
    row = forge[REFERENCE]
    per_call = sum(c["completion_tokens"] for c in row["candidates"])
    per_call += row["word_checks"]["completion_tokens"]
    assert per_call == row["completion_tokens"] > 0
    assert all(c["llm_seconds"] > 0 for c in row["candidates"])
    assert all("no idea" in c["code"] for c in forge[GARBAGE]["candidates"])
    assert len(near["candidates"]) == GIVE_UP_ON_CHECKS
    assert near["candidates"][0]["samples_passed"]  # the rest repeat it
    assert all(c["hidden_checks_passed"] < len(tasks[NEAR_MISS].hidden) for c in near["candidates"])
    assert [c["samples_passed"] for c in forge[GARBAGE]["candidates"]] == [False] * 5
    # Forge tokens include the word-check call: more than its first attempt alone.
    assert forge[REFERENCE]["prompt_tokens"] > rows["single"][REFERENCE]["prompt_tokens"]

    summary = data["summary"]
    for condition, false_greens in (("single", 1), ("forge", 0)):
        s = summary[condition]
        got = (s["n"], s["hidden_passed"], s["false_green"], s["samples_passed"])
        assert got == (3, 1, false_greens, 2)
        assert s["hidden_pass_rate"] == pytest.approx(1 / 3)
        assert s["false_green_rate"] == pytest.approx(false_greens / 3)
        assert s["median_seconds"] >= 0 and s["mean_prompt_tokens"] > 0
    assert (summary["forge"]["caught"], summary["forge"]["doubted_correct"]) == (1, 0)
    assert summary["single"]["mean_attempts"] == 1
    assert summary["forge"]["mean_attempts"] == pytest.approx((2 + GIVE_UP_ON_CHECKS + 5) / 3)
    assert summary["forge"]["flagged"] == 1
    assert (summary["forge"]["scored_candidates"], summary["forge"]["correct_written"]) == (3, 1)
    assert (summary["forge"]["uncorroborated"], summary["forge"]["uncorroborated_wrong"]) == (0, 0)
    assert summary["ratio_forge_single"] == pytest.approx(1.0)

    # The hidden checks never reach the model (the near miss's are its scripted word checks).
    sent = json.dumps(sm.requests)
    unseen = [*tasks[REFERENCE].hidden[1:], *tasks[GARBAGE].hidden]
    assert not [h for h in unseen if json.dumps(h)[1:-1] in sent]

    # A resumed finished run asks the model nothing more.
    before = len(sm.requests)
    assert main([*argv, "--out", str(out), "--resume"]) == 0
    assert len(sm.requests) == before and json.loads(out.read_text())["tasks_run"] == 3

    table = markdown_table([data])
    assert f"| `{sm.model}` (partial) | forge | 33% (1/3) | 0/3 | 1 / 0 |" in table
    assert f"| `{sm.model}` (partial) | single | 33% (1/3) | 1/3 | - |" in table
    pytest.importorskip("matplotlib")
    assert (tmp_path / "ds.png").exists()


def test_a_resumed_run_runs_only_the_missing_work(sm: ScriptedModel, tmp_path: Path) -> None:
    out = tmp_path / "ds-scripted.json"
    argv = ["--model", sm.model, "--api-base", sm.api_base, "--out", str(out)]
    assert main([*argv, "--tasks", REFERENCE, "--conditions", "single"]) == 0
    data = json.loads(out.read_text())
    assert data["tasks_run"] == 1 and data["summary"]["ratio_forge_single"] is None
    # Asking for more tasks and the forge too: resumed, only the missing work runs.
    assert main([*argv, "--tasks", f"{REFERENCE},{GARBAGE}", "--resume"]) == 0
    data = json.loads(out.read_text())
    assert data["tasks_run"] == 2 and set(data["rows"]["forge"]) == {REFERENCE, GARBAGE}
    assert set(data["rows"]["single"]) == {REFERENCE, GARBAGE}
    # One word-check call: the reference forge ran once; garbage never passed its samples.
    assert sum(TESTER in json.dumps(r) for r in sm.requests) == 1


def test_the_checks_in_prompt_conditions_show_the_checks_and_pair_with_their_baselines(
    sm: ScriptedModel, tasks: dict[str, DsTask], tmp_path: Path
) -> None:
    out = tmp_path / "ds-checks.json"
    argv = ["--model", sm.model, "--api-base", sm.api_base, "--out", str(out)]
    conditions = "single,single-checks,forge,forge-checks,single-plan"
    assert main([*argv, "--tasks", REFERENCE, "--conditions", conditions]) == 0
    data = json.loads(out.read_text())
    assert data["conditions"] == ["single", "forge", "single-checks", "forge-checks", "single-plan"]
    rows = {c: data["rows"][c][REFERENCE] for c in data["conditions"]}
    assert (
        rows["single"]["word_checks"] is None and rows["single-checks"]["word_checks"]["count"] == 2
    )
    assert rows["single-checks"]["attempts"] == 1 and rows["single-checks"]["hidden_passed"]
    # The word-check call's tokens are counted: more than the plain single's.
    assert rows["single-checks"]["prompt_tokens"] > rows["single"]["prompt_tokens"]
    # Code requests: the plain ones never show the checks; the checks conditions do.
    check = tasks[REFERENCE].hidden[0]
    code_asks = [
        json.dumps(r["messages"][-1]["content"])
        for r in sm.requests
        if not str(r["messages"][0]["content"]).startswith(TESTER)
    ]
    showing = [a for a in code_asks if "Checks written from the task's words" in a]
    assert showing and all(json.dumps(check)[1:-1] in a for a in showing)
    assert len(showing) < len(code_asks)  # single and forge asked without them
    planned = [a for a in code_asks if json.dumps(PLAN)[1:-1] in a]
    assert len(planned) == 1 and planned[0] not in showing  # single-plan's one ask, alone
    assert data["summary"]["paired_single-plan"]["n"] == 1
    assert data["forge_settings"]["word_checks_in_prompt"] is False  # the product default
    paired = data["summary"]["paired_single-checks"]
    assert (paired["n"], paired["single"], paired["single-checks"]) == (1, 1, 1)
    assert data["summary"]["paired_forge-checks"]["forge-checks"] == 1


def test_the_fresh_condition_never_repairs_and_pairs_with_the_forge(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    out = tmp_path / "ds-fresh.json"
    argv = ["--model", sm.model, "--api-base", sm.api_base, "--out", str(out)]
    assert main([*argv, "--tasks", GARBAGE, "--conditions", "forge,forge-fresh"]) == 0
    data = json.loads(out.read_text())
    assert data["conditions"] == ["forge", "forge-fresh"]
    forge, fresh = (data["rows"][c][GARBAGE] for c in data["conditions"])
    assert "repair" in forge["attempt_kinds"]
    assert fresh["attempt_kinds"][0] == "first" and len(fresh["attempt_kinds"]) > 1
    assert set(fresh["attempt_kinds"][1:]) == {"fresh"}
    assert data["forge_settings"]["repairs"] is True  # the product default, restored
    paired = data["summary"]["paired_forge-fresh"]
    assert (paired["n"], paired["forge"], paired["forge-fresh"]) == (1, 0, 0)


def test_unknown_condition_and_task_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--conditions", "single,best-of-n", "--out", str(tmp_path / "x.json")])
    with pytest.raises(SystemExit):
        main(["--tasks", "no_such_task", "--out", str(tmp_path / "x.json")])


def test_a_model_error_fails_the_task_not_the_run(tasks: dict[str, DsTask], tmp_path: Path) -> None:
    out = tmp_path / "ds-broken.json"
    with ScriptedModel(rule=lambda _messages: {"error": 401}) as model:
        argv = ["--model", model.model, "--api-base", model.api_base, "--out", str(out)]
        assert main([*argv, "--tasks", f"{REFERENCE},{GARBAGE}"]) == 0
    data = json.loads(out.read_text())
    assert data["tasks_run"] == 2 and not data["complete"]
    for condition in ("single", "forge"):
        rows = data["rows"][condition]
        assert all(r["error"] and not r["hidden_passed"] for r in rows.values()), rows
        assert data["summary"][condition]["errors"] == 2


def test_cascade_takes_the_larger_model_only_where_the_small_forge_was_not_green() -> None:
    def row(samples: bool, hidden: bool, seconds: float) -> dict[str, Any]:
        return {
            "samples_passed": samples,
            "hidden_passed": hidden,
            "false_green": samples and not hidden,
            "wall_seconds": seconds,
            "attempts": 1 if samples else 5,
            "prompt_tokens": 10,
            "completion_tokens": 5,
        }

    amber = {**row(True, False, 7.0), "flagged": True}  # passes its samples, doubtful
    small = {"forge": {"a": row(True, True, 5.0), "b": row(False, False, 40.0), "c": amber}}
    large = {
        "forge": {"a": row(True, False, 9.0), "b": row(True, True, 12.0), "c": row(True, True, 1.0)}
    }
    rows = cascade_rows(small, large)
    assert sorted(rows) == ["a", "b", "c"]  # only tasks both runs have
    assert rows["a"]["hidden_passed"] and not rows["a"]["fell_back"]
    assert rows["a"]["wall_seconds"] == 5.0
    assert rows["b"]["hidden_passed"] and rows["b"]["fell_back"]
    assert rows["b"]["wall_seconds"] == 52.0 and rows["b"]["attempts"] == 6
    assert rows["c"]["fell_back"] and rows["c"]["hidden_passed"]  # amber is not done either
    assert rows["c"]["wall_seconds"] == 8.0


def test_a_failed_checks_call_is_recorded_with_its_error() -> None:
    field = word_checks_field(WordChecks(error="the answer broke off"), None)
    assert field is not None
    assert (field["count"], field["passed"], field["error"]) == (0, None, "the answer broke off")
    assert field["reply"] == ""  # the call failed: no answer
    assert word_checks_field(None, None) is None  # never asked: nothing recorded
