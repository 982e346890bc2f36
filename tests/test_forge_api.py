"""The ``Forge`` Python API end to end: scripted model over real HTTP + litellm, real sandbox.

Nothing under test is mocked: replies come from ``ScriptedModel`` (an
OpenAI-compatible server on loopback reached through litellm exactly like the
local llama.cpp model), and candidates run in the real validation sandbox.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest

from jupyter_forge.core.checks import Check
from jupyter_forge.core.errors import ModelError, ModelUnreachable, SpecError
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import ForgeSpec, Sample, parse_cell
from jupyter_forge.core.word_checks import WordChecks
from jupyter_forge.forge import Forge
from jupyter_forge.kernel import render
from jupyter_forge.sandbox.layers import detect
from jupyter_forge.testing.scripted_llm import NO_CHECKS, ScriptedModel

GOOD = (
    '```python\ndef add(a: int, b: int) -> int:\n    """Add two integers."""\n    return a + b\n```'
)
BAD = GOOD.replace("return a + b", "return a - b")
CELL = "Add two integers.\n>>> add(1, 2)\n3\nassert add(2, 5) == 7\n"


@pytest.fixture
def sm() -> Iterator[ScriptedModel]:
    with ScriptedModel() as model:
        yield model


@pytest.fixture(autouse=True)
def private_jupyter_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Signing keys and databases go to a temp dir, never the user's Jupyter data dir."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.delenv("JUPYTER_FORGE_API_BASE", raising=False)


def forge_for(sm: ScriptedModel, tmp_path: Path, **settings: object) -> Forge:
    return Forge(model=sm.model, api_base=sm.api_base, library=str(tmp_path / "tools"), **settings)


@dataclass
class Recorder:
    stages: list[tuple[str, str]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    def stage(self, name: str, message: str) -> None:
        self.stages.append((name, message))

    def token(self, text: str) -> None:
        self.tokens.append(text)


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text, text
    return text


# A script of one reply pins ``second_opinion=False``: the second opinion asks once more
# after a green candidate (tests/test_second_opinion.py covers it).


def test_good_reply_passes_in_one_attempt(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(GOOD)
    progress = Recorder()
    forge = forge_for(sm, tmp_path, second_opinion=False)
    result = forge.create(parse_cell("add", CELL), progress=progress)
    assert result.passed, result.status_line()
    assert len(result.attempts) == 1
    assert result.code == GOOD.split("```python\n")[1].split("```")[0]
    assert result.report is not None
    assert [r.passed for r in result.report.results] == [True, True]
    assert result.report.results[0].got == "3"
    assert "separate process" in result.report.layers
    assert result.schema is not None
    assert result.schema["function"]["description"] == "Add two integers."
    assert result.model == sm.model
    # The request really went over HTTP through litellm.
    assert sm.pending == 0
    assert len(sm.requests) == 1
    request = sm.requests[0]
    assert request["model"] == "scripted"
    assert request["stream"] is True
    assert "Write a Python function named `add`." in request["messages"][-1]["content"]
    # Streaming reached the progress sink token by token: the code, then (once it passed
    # the samples) the checks call.
    assert len(sm.check_requests) == 1
    assert "".join(progress.tokens) == GOOD + NO_CHECKS
    assert progress.stages[-1][0] == "done"
    for stage in ("llm", "extract", "validate", "static", "model_start", "prompt", "total"):
        assert stage in result.timings, stage
    assert result.timings["total"] >= result.timings["llm"]
    assert result.attempts[0].completion_tokens == len(GOOD.split())


def test_bad_then_good_takes_two_attempts(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(BAD, GOOD)
    forge = forge_for(sm, tmp_path, second_opinion=False)
    result = forge.create(parse_cell("add", CELL))
    assert result.passed
    assert len(result.attempts) == 2
    first = result.attempts[0].report
    assert first is not None and not first.passed
    assert first.results[0].error == "expected 3 but got -1"
    assert first.results[1].error == "AssertionError: add(2, 5) gave -3, expected 7"
    # The repair request carried the failures back to the model.
    repair = sm.requests[1]["messages"]
    assert [m["role"] for m in repair] == ["system", "user"]  # a fresh ask, not a replay
    feedback = repair[-1]["content"]
    assert "a - b" not in feedback
    assert "Check `add(1, 2)` failed: expected 3 but got -1" in feedback
    # What the failed assert saw, so the model knows what its code returned.
    assert (
        "Check `assert add(2, 5) == 7` failed: AssertionError: add(2, 5) gave -3, expected 7"
        in feedback
    )
    assert "Traceback" in feedback
    # Repairs sample a little (greedy decoding repeats mistakes) with a new seed.
    assert sm.requests[0]["temperature"] == forge.temperature == 0.0
    assert sm.requests[1]["temperature"] > 0.0
    assert [r["seed"] for r in sm.requests] == [1, 2]


def test_a_stub_without_hints_is_typed_from_its_samples(sm: ScriptedModel, tmp_path: Path) -> None:
    stub = 'def add(a, b):\n    """Add two numbers."""\n'
    sm.push('```python\ndef add(a, b):\n    """Add two numbers."""\n    return a + b\n```')
    forge = forge_for(sm, tmp_path, second_opinion=False)
    result = forge.create(parse_cell("add", stub + ">>> add(1, 2.5)\n3.5\n"))
    assert len(sm.requests) == 1  # no second request just for the hints
    assert "Complete this code" in sm.requests[0]["messages"][-1]["content"]
    assert result.passed and result.code is not None
    assert "def add(a: int, b: float) -> float:" in result.code
    assert result.shown is not None and result.shown.notes == []
    assert result.report is not None and result.report.passed  # the typed code was re-run


def test_budget_exhausted_does_not_pass(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(BAD, BAD)
    result = forge_for(sm, tmp_path).create(parse_cell("add", CELL), attempts=2)
    assert not result.passed
    assert len(result.attempts) == 2
    assert sm.pending == 0
    assert "did not pass after 2 attempts" in result.status_line()


def test_prose_and_example_prints_are_dropped(sm: ScriptedModel, tmp_path: Path) -> None:
    reply = (
        "Sure! Here is a function that adds two numbers:\n\n"
        "```python\n"
        "def add(a: int, b: int) -> int:\n"
        '    """Add two integers."""\n'
        "    return a + b\n\n"
        "print(add(1, 2))\n"
        "result = add(3, 4)\n"
        "print('The result is', result)\n"
        "```\n\n"
        "This function takes two integers and returns their sum."
    )
    sm.push(reply)
    result = forge_for(sm, tmp_path).create(parse_cell("add", CELL))
    assert result.passed
    assert (
        result.code
        == 'def add(a: int, b: int) -> int:\n    """Add two integers."""\n    return a + b\n'
    )
    assert result.attempts[0].dropped == [
        "print(add(1, 2))",
        "result = add(3, 4)",
        "print('The result is', result)",
    ]
    assert result.report is not None
    # The dropped prints never ran: no sample saw their output.
    assert all("The result is" not in (r.got or "") for r in result.report.results)


def test_save_writes_a_signed_tool_notebook(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(GOOD)
    forge = forge_for(sm, tmp_path)
    result = forge.create(parse_cell("add", CELL))
    record = forge.save(result, approved_how="test")
    assert record.path == tmp_path / "tools" / "add.ipynb"
    assert record.trusted
    nb = nbformat.read(record.path, as_version=4)
    nbformat.validate(nb)
    meta = nb.metadata["jupyter_forge"]
    assert meta["version"] == 1
    assert meta["model"] == sm.model
    assert meta["signature"] == "add(a: int, b: int) -> int"
    assert meta["description"] == "Add two integers."
    assert meta["validation"]["passed"] is True
    assert meta["approved"]["how"] == "test"
    assert "save" in result.timings
    listed = forge.open_library().tools()
    assert [(r.name, r.trusted) for r in listed] == [("add", True)]


def test_save_without_code_is_refused(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push("I cannot do that.")
    forge = forge_for(sm, tmp_path)
    result = forge.create(parse_cell("add", CELL), attempts=1)
    assert result.code is None
    with pytest.raises(SpecError, match="no code to save"):
        forge.save(result)
    assert not (tmp_path / "tools").exists()


def test_sample_using_a_kernel_dataframe_runs_in_the_sandbox(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    secret = "CUSTOMER-9931"
    df = pd.DataFrame({"customer": [secret, "b", "c"], "qty": [1, 2, 3]})
    reply = (
        "```python\n"
        "import pandas as pd\n\n\n"
        "def total_qty(frame: pd.DataFrame) -> int:\n"
        '    """Sum the qty column."""\n'
        "    return int(frame['qty'].sum())\n"
        "```"
    )
    sm.push(reply)
    cell = (
        "Sum the qty column of df.\n"
        ">>> total_qty(df)\n"
        "6\n"
        ">>> df = df[df['qty'] > 1]\n"  # reads the kernel's df before rebinding it
        ">>> total_qty(df)\n"
        "5\n"
    )
    result = forge_for(sm, tmp_path).create(parse_cell("total_qty", cell), namespace={"df": df})
    assert result.passed, result.status_line()
    assert result.report is not None
    assert [r.passed for r in result.report.results] == [True, True, True]
    assert (result.report.results[0].got, result.report.results[2].got) == ("6", "5")
    # The model was told about df's shape and columns, never its values.
    prompt = sm.requests[0]["messages"][-1]["content"]
    assert "`df`: pandas.DataFrame with shape (3, 2)" in prompt
    assert "'qty': int64" in prompt
    assert secret not in prompt
    assert len(df) == 3  # the kernel's object was not touched


def test_a_kernel_input_only_the_samples_name_is_described_to_the_model(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    """Words rarely name the DataFrame (``Each region's share...``); the sample does."""
    sales = pd.DataFrame({"region": ["north", "south"], "revenue": [3.0, 1.0]})
    unrelated = pd.DataFrame({"other": [1]})
    sm.push(
        "```python\nimport pandas as pd\n\n\n"
        "def top_region(frame: pd.DataFrame) -> str:\n"
        '    """The region with the most revenue."""\n'
        "    return str(frame.loc[frame['revenue'].idxmax(), 'region'])\n```"
    )
    cell = (
        "The region with the most revenue.\n"
        ">>> top_region(sales)\n'north'\n"
        ">>> local = sales.head(1)\n"  # assigned by the sample itself: not a kernel input
        ">>> top_region(local)\n'north'\n"
    )
    namespace = {"sales": sales, "unrelated": unrelated, "local": unrelated}
    result = forge_for(sm, tmp_path).create(
        parse_cell("top_region", cell), namespace=namespace, attempts=1
    )
    assert result.passed, result.status_line()
    prompt = sm.requests[0]["messages"][-1]["content"]
    # Its columns' names; not their dtypes or the shape (see core/variables._outline).
    assert "`sales`: pandas.DataFrame with columns 'region', 'revenue'" in prompt
    assert "float64" not in prompt and "(2, 2)" not in prompt
    assert "`unrelated`" not in prompt and "`local`" not in prompt
    assert "north" not in prompt.split("For context", 1)[1].split("\n\n", 1)[0]
    # The call for checks from the words gets the same outline, so its tests build a
    # DataFrame with these columns rather than guess a dict.
    checks_prompt = sm.check_requests[0]["messages"][-1]["content"]
    assert "`sales`: pandas.DataFrame with columns 'region', 'revenue'" in checks_prompt
    outlined = checks_prompt.split("Variables in the user's session", 1)[1].split("\n\n", 1)[0]
    assert "`unrelated`" not in outlined and "north" not in outlined  # names, not values


def test_unpicklable_kernel_variable_fails_before_asking_the_model(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    import threading

    spec = parse_cell("f", "Use the lock.\nassert f(lock) is None\n")
    with pytest.raises(SpecError) as info:
        forge_for(sm, tmp_path).create(spec, namespace={"lock": threading.Lock()})
    assert "`lock`" in one_line(info.value)
    assert sm.requests == []


def test_hanging_candidate_is_killed_and_reported(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(
        "```python\n"
        "def add(a: int, b: int) -> int:\n"
        '    """Never returns."""\n'
        "    while True:\n"
        "        pass\n"
        "```"
    )
    started = time.perf_counter()
    result = forge_for(sm, tmp_path, sample_timeout=1.0).create(parse_cell("add", CELL), attempts=1)
    assert time.perf_counter() - started < 30
    assert not result.passed
    assert result.report is not None
    assert result.report.results[0].error == "timed out (the sandbox killed it)"


def test_revalidate_hand_edited_code(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(BAD)
    forge = forge_for(sm, tmp_path)
    result = forge.create(parse_cell("add", CELL), attempts=1)
    assert not result.passed
    edited = 'def add(a: int, b: int) -> int:\n    """Fixed by hand."""\n    return a + b\n'
    result = forge.revalidate(result, edited)
    assert result.passed
    assert len(result.attempts) == 2
    assert result.code == edited
    assert len(sm.requests) == 1  # no model call for an edit


def test_a_failing_edit_can_be_reverted_and_the_revert_saves_the_passing_code(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(GOOD)
    forge = forge_for(sm, tmp_path, word_checks=False)
    result = forge.create(parse_cell("add", CELL), attempts=1)
    assert result.passed
    passing_code, passing_preview = result.code, list(result.preview)
    broken = 'def add(a: int, b: int) -> int:\n    """Broken by hand."""\n    return a * b\n'
    result = forge.revalidate(result, broken)
    assert not result.passed and result.code == broken
    assert result.kept is not None and result.kept.attempt == 0

    result = forge.revert(result)

    assert result.passed and result.code == passing_code
    assert result.preview == passing_preview
    assert result.report is not None and result.report.passed
    assert len(sm.requests) == 1  # nothing asked of the model, nothing run
    record = forge.save(result)  # the model's own code: no edit recorded
    saved = nbformat.read(record.path, as_version=4)
    assert "edited" not in saved.metadata["jupyter_forge"]["approved"]


def test_accepting_a_check_forgets_a_version_kept_for_the_old_samples(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(GOOD)
    forge = forge_for(sm, tmp_path, word_checks=False)
    result = forge.create(parse_cell("add", CELL), attempts=1)
    forge.revalidate(result, "def add(a, b):\n    return 0\n")
    assert result.kept is not None
    check = Check("assert add(1, 1) == 2", Sample("assert add(1, 1) == 2", "assert"))
    result.word_checks = WordChecks(checks=[check])
    forge.accept_check(result, 0)
    assert result.kept is None


def test_unknown_model_is_a_one_line_model_error(tmp_path: Path) -> None:
    forge = Forge(model="definitely-not-a-model", library=str(tmp_path / "tools"))
    with pytest.raises(ModelError) as info:
        forge.create(ForgeSpec("f", "Do it.", ()))
    message = one_line(info.value)
    assert "unknown model `definitely-not-a-model`" in message


def test_alias_loop_is_a_model_error(tmp_path: Path) -> None:
    forge = Forge(model="a", aliases={"a": "b", "b": "a"})
    with pytest.raises(ModelError, match="loops back"):
        forge.create(ForgeSpec("f", "Do it.", ()))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_unreachable_api_base_says_cannot_reach_quickly(tmp_path: Path) -> None:
    from jupyter_forge.llm.client import import_litellm

    import_litellm()  # exclude the one-off import cost from the timing below
    api_base = f"http://127.0.0.1:{_closed_port()}/v1"
    forge = Forge(model="openai/nobody", api_base=api_base, llm_timeout=5.0)
    started = time.perf_counter()
    with pytest.raises(ModelError) as info:
        forge.create(ForgeSpec("f", "Do it.", (Sample("f()", "code"),)))
    elapsed = time.perf_counter() - started
    message = one_line(info.value)
    assert "cannot reach model `openai/nobody`" in message
    assert api_base in message
    assert elapsed < 5.0, f"took {elapsed:.1f} s: retries or timeouts are too slow"


def test_server_error_is_not_retried(sm: ScriptedModel, tmp_path: Path) -> None:
    # Nothing scripted: the server answers HTTP 500. One request, one clear error.
    with pytest.raises(ModelError) as info:
        forge_for(sm, tmp_path).create(parse_cell("add", CELL))
    message = one_line(info.value)
    assert "scripted model has no reply left" in message
    assert len(sm.requests) == 1


def test_attempts_below_one_is_a_spec_error(sm: ScriptedModel, tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="at least 1"):
        forge_for(sm, tmp_path).create(parse_cell("add", CELL), attempts=0)
    assert sm.requests == []


def test_bad_tool_name_is_refused(sm: ScriptedModel, tmp_path: Path) -> None:
    with pytest.raises(SpecError):
        forge_for(sm, tmp_path).create(ForgeSpec("not-valid", "Do it.", ()))
    assert sm.requests == []


def test_alias_resolves_to_the_configured_model(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(GOOD)
    forge = Forge(
        model="fast",
        aliases={"fast": "team-default", "team-default": sm.model},
        api_base=sm.api_base,
        library=str(tmp_path / "tools"),
    )
    result = forge.create(parse_cell("add", CELL))
    assert result.passed
    assert result.model == "fast"  # provenance keeps what the user asked for
    assert sm.requests[0]["model"] == "scripted"  # ...and the call went to the aliased model
    record = forge.save(result)
    meta = nbformat.read(record.path, as_version=4).metadata["jupyter_forge"]
    assert (meta["model"], meta["model_id"]) == ("fast", "openai/scripted")


def test_sandbox_policy_from_settings_refuses_missing_layers() -> None:
    from jupyter_forge.core.errors import SandboxError
    from jupyter_forge.core.spec import Sample

    forge = Forge(sandbox_require=["no such layer"])
    with pytest.raises(SandboxError, match="unknown sandbox layer"):
        forge.validate_code(
            "def f() -> int:\n    return 1\n", "f", [Sample("f()", "example", "1\n")]
        )
    assert Forge(sandbox_require=["seccomp syscall filter"]).sandbox_require == [
        "seccomp syscall filter"
    ]


# -- behaviour preview: edge-case probes run in the sandbox --------------------------------

FIRST_WORD = (
    "```python\n"
    "def first_word(text: str) -> str:\n"
    '    """The first word of the text."""\n'
    "    return text.split()[0]\n"
    "```"
)


def test_create_previews_edge_cases_in_the_sandbox(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(FIRST_WORD)
    cell = "Return the first word.\n>>> first_word('hello world')\n'hello'\n"
    forge = forge_for(sm, tmp_path, word_checks=False)
    result = forge.create(parse_cell("first_word", cell), attempts=1)
    assert result.passed, result.status_line()
    shown = {p.call: p for p in result.preview}
    # A probe that raises is one error line, not a crash; a returning one shows its repr.
    assert shown["first_word('')"].why == "empty string"
    assert shown["first_word('')"].error == "IndexError: list index out of range"
    assert shown["first_word('')"].got is None
    assert shown["first_word('  hello world  ')"].got == "'hello'"
    assert shown["first_word('  hello world  ')"].error is None
    assert shown["first_word('HELLO WORLD')"].got == "'HELLO'"
    assert "first_word('hello world')" not in shown  # never a sample call
    assert "preview" in result.timings
    assert len(sm.requests) == 1  # probes cost no model call


def test_preview_runs_probes_on_kernel_variables(sm: ScriptedModel, tmp_path: Path) -> None:
    code = (
        "import pandas as pd\n\n\n"
        "def total_qty(frame: pd.DataFrame) -> int:\n"
        '    """Sum the qty column."""\n'
        "    return int(frame['qty'].sum())\n"
    )
    df = pd.DataFrame({"customer": ["a", "b", "c"], "qty": [1, 2, 3]})
    spec = ForgeSpec("total_qty", "Sum qty.", (Sample("total_qty(df)", "example", "6\n"),))
    result = ForgeResult(spec=spec, model=sm.model, code=code)
    preview = forge_for(sm, tmp_path).preview(result, {"df": df})
    assert [(p.call, p.why, p.got, p.error) for p in preview] == [
        ("total_qty(df.iloc[0:0])", "empty DataFrame, same columns", "0", None),
        ("total_qty(df.head(1))", "one row", "1", None),
    ]
    assert len(df) == 3


def test_preview_reports_hangs_load_errors_and_a_missing_sandbox(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    from jupyter_forge.core.result import ForgeResult

    spec = ForgeSpec("count_up", "Count.", (Sample("count_up(3)", "example", "3\n"),))
    hangs = "def count_up(n: int) -> int:\n    while n <= 0:\n        pass\n    return n\n"
    result = ForgeResult(spec=spec, model=sm.model, code=hangs)
    started = time.perf_counter()
    preview = forge_for(sm, tmp_path, sample_timeout=1.0).preview(result)
    assert time.perf_counter() - started < 30
    assert [(p.call, p.error) for p in preview] == [
        ("count_up(0)", "timed out (the sandbox killed it)"),
        ("count_up(-3)", "timed out (the sandbox killed it)"),
        ("count_up(30)", "not run: earlier probes hung or crashed the sandbox"),
    ]
    result.code = (
        "raise RuntimeError('no import for you')\n\ndef count_up(n: int) -> int:\n    return n\n"
    )
    preview = forge_for(sm, tmp_path).preview(result)
    assert len(preview) == 3
    for probe in preview:
        assert probe.got is None
        assert probe.error is not None and probe.error.startswith("could not load: ")
        assert "\n" not in probe.error
    assert Forge(sandbox_require=["no such layer"]).preview(result) == []
    result.code = None
    assert forge_for(sm, tmp_path).preview(result) == []


def test_revalidate_refreshes_the_preview(sm: ScriptedModel, tmp_path: Path) -> None:
    sm.push(BAD)
    forge = forge_for(sm, tmp_path, word_checks=False)
    result = forge.create(parse_cell("add", CELL), attempts=1)
    assert {p.call: p.got for p in result.preview}["add(0, 2)"] == "-2"
    edited = 'def add(a: int, b: int) -> int:\n    """Fixed by hand."""\n    return a + b\n'
    result = forge.revalidate(result, edited)
    assert {p.call: p.got for p in result.preview}["add(0, 2)"] == "2"


# -- inputs the words name must run -------------------------------------------------------

TEMPERATURES = (
    "Convert readings such as '98.6F' or '37 °C' to degrees Celsius.\n"
    '>>> to_celsius("98.6F")\n37.0\n'
)
ONLY_FAHRENHEIT = (
    "```python\ndef to_celsius(reading: str) -> float:\n"
    '    """Degrees Celsius from a reading."""\n'
    "    return round((float(reading.rstrip('F')) - 32) * 5 / 9, 2)\n```"
)
BOTH_SCALES = (
    "```python\ndef to_celsius(reading: str) -> float:\n"
    '    """Degrees Celsius from a reading in F or C."""\n'
    "    value = float(reading.rstrip('FC° '))\n"
    "    return value if reading.endswith('C') else round((value - 32) * 5 / 9, 2)\n```"
)


def test_a_tool_that_raises_on_an_input_the_words_name_is_doubtful(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    # The model wrote no checks; the words still name '37 °C' as an input.
    sm.push(ONLY_FAHRENHEIT)
    result = forge_for(sm, tmp_path).create(parse_cell("to_celsius", TEMPERATURES), attempts=1)
    assert result.passed and result.verdict == "doubtful", result.status_line()
    assert result.word_checks is not None
    assert [c.text for c in result.word_checks.checks] == ["to_celsius('37 °C')"]
    assert result.checks_line() == "checks from your words: 0/1 pass"


def test_the_repair_is_told_which_named_input_raised_and_the_fix_is_green(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sm.push(ONLY_FAHRENHEIT, BOTH_SCALES)
    # Without second opinions: with them, a repair stays green only when a second answer
    # agrees (tests/test_second_opinion.py), and this script has no third reply.
    forge = forge_for(sm, tmp_path, second_opinion=False)
    result = forge.create(parse_cell("to_celsius", TEMPERATURES))
    assert result.verdict == "passed", result.status_line()
    assert result.shown is result.attempts[1]
    repair = sm.requests[1]["messages"][-1]["content"]
    assert "Check `to_celsius('37 °C')` failed: ValueError" in repair
    assert len(sm.check_requests) == 1  # named inputs cost no model call


# -- ties between passing candidates: agreement on probe outputs (MBR-exec) ---------------

QUOTED = '# "Add two integers"\n'  # a check quoting the request's words is kept
CHECKS_EVERYONE_FAILS = f"```python\n{QUOTED}assert add(10, 10) == 21\n```"
SWAPPED = GOOD.replace("return a + b", "return b + a")
POSITIVE_ONLY = GOOD.replace("return a + b", "return a + b if a >= 0 else 0")


def test_create_settles_a_tie_by_agreement_on_probe_outputs(tmp_path: Path) -> None:
    # Three candidates pass the samples and fail the same (wrong) check: a tie. On the
    # probes, 2 and 3 agree (add(-1, 2) == 1) and 1 differs (0): 2 is shown, not 1.
    with ScriptedModel(checks=CHECKS_EVERYONE_FAILS) as model:
        model.push(POSITIVE_ONLY, GOOD, SWAPPED)
        result = forge_for(model, tmp_path).create(parse_cell("add", CELL))
    assert result.passed, result.status_line()
    assert len(result.attempts) == 3 and [a.checks_passed for a in result.attempts] == [0, 0, 0]
    first, second, third = result.attempts
    # zero, zero, -1, -2, then larger numbers (10, 20)
    assert second.behaviour == third.behaviour == ("2", "1", "1", "-1", "12", "21")
    assert first.behaviour == ("2", "1", "0", "-1", "12", "21")
    assert result.shown is second and result.code is not None and "a + b\n" in result.code
    assert result.agreement(second) == 1 and result.agreement(first) == 0
    assert "behaviour" in result.timings
    assert second.to_json()["behaviour"] == ["2", "1", "1", "-1", "12", "21"]


def test_behaviour_is_one_outcome_per_probe_from_the_sandbox(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    forge = forge_for(sm, tmp_path, sample_timeout=2.0)
    behave = forge.behaviour(parse_cell("add", CELL))
    raising = (
        GOOD.split("```python\n")[1]
        .split("```")[0]
        .replace("return a + b", "if a <= 0:\n        raise ValueError('no')\n    return a + b")
    )
    assert behave(raising) == ("raises ValueError", "1", "raises ValueError", "-1", "12", "21")
    hangs = raising.replace("raise ValueError('no')", "while True:\n            pass")
    # A hang kills the sandbox: the probes after it get one rerun (as in the preview).
    assert behave(hangs) == (
        "timed out (the sandbox killed it)",
        "1",
        "timed out (the sandbox killed it)",
        "not run",
        "not run",
        "not run",
    )
    # Other parameter names: probes derived again for that parameter list.
    assert behave("def add(x, y):\n    return x * 0\n") == ("0",) * 6
    assert (
        Forge(sandbox_require=["no such layer"]).behaviour(parse_cell("add", CELL))(raising) == ()
    )
    assert sm.requests == []  # probes cost no model call


# -- bad input never crashes a forge --------------------------------------------------------


def checks_answer(answer: str) -> ScriptedModel:
    """A model answering the checks request with ``answer`` and every code request with GOOD."""
    from jupyter_forge.testing.scripted_llm import is_checks_request

    def rule(messages: list[dict[str, Any]]) -> str:
        return answer if is_checks_request(messages) else GOOD

    return ScriptedModel(rule=rule, checks=None)


HOSTILE_CHECKS = {
    "prose": "Sure! Here are some tests.\nThey check that add works for all inputs.\nEnjoy!",
    "broken": f"```python\n{QUOTED}assert add(1, == 2\ndef (:\n    raises(\n{QUOTED}assert add(1, 1) ==\n```",
    "empty": "",
    "10k lines": "```python\n"
    + "".join(f"assert(add({i},1)=={i + 1})\n" for i in range(10_000))
    + "```",
    "deeply nested": f"```python\n{QUOTED}assert add(1, 1) == " + "-" * 100_000 + "2\n```",
    "nul bytes": f"```python\n{QUOTED}assert add(1, 1) == 2\x00\n```",
}


@pytest.mark.parametrize("answer", HOSTILE_CHECKS.values(), ids=HOSTILE_CHECKS.keys())
def test_a_checks_answer_that_is_not_checks_costs_nothing_but_one_line_each(
    answer: str, tmp_path: Path
) -> None:
    started = time.perf_counter()
    with checks_answer(answer) as model:
        result = forge_for(model, tmp_path).create(parse_cell("add", CELL), attempts=1)
    assert time.perf_counter() - started < 60  # was minutes for 10,000 lines (quadratic)
    assert result.passed, result.status_line()
    assert result.report is not None and result.report.passed
    words = result.word_checks
    assert words is not None
    assert words.checks == []  # nothing usable, and nothing of it ran on the host
    for line in [*words.skipped, words.error or ""]:
        assert "\n" not in line and len(line) < 400, line
    if answer.strip():
        assert words.skipped and words.error is None
    else:
        assert words.error is not None and "empty answer" in words.error


def test_a_check_that_hangs_is_killed_and_fails_alone(tmp_path: Path) -> None:
    hangs = f"{QUOTED}assert add(1, 1) == (lambda: all(True for _ in iter(int, 1)))()\n"
    answer = f"```python\n{hangs}{QUOTED}assert add(20, 22) == 42\n```"
    started = time.perf_counter()
    with checks_answer(answer) as model:
        forge = forge_for(model, tmp_path, sample_timeout=2.0)
        result = forge.create(parse_cell("add", CELL), attempts=1)
    assert time.perf_counter() - started < 60
    assert result.passed, result.status_line()
    report = result.checks_report
    assert report is not None and [r.passed for r in report.results] == [False, True]
    assert report.results[0].error == "timed out (the sandbox killed it)"
    assert result.checks_line() == "checks from your words: 1/2 pass"  # the one after it ran


@pytest.mark.skipif(
    detect().landlock_abi < 1,
    reason="without Landlock the sandbox may write to world-writable folders",
)
def test_checks_that_touch_the_filesystem_run_only_in_the_sandbox(tmp_path: Path) -> None:
    pwned = [tmp_path / "jf-pwned-open", tmp_path / "jf-pwned-os", tmp_path / "jf-pwned-shell"]
    tmp_path.chmod(0o777)  # even a world-writable folder stays out of reach
    answer = (
        "```python\n"
        f"{QUOTED}assert add(open({str(pwned[0])!r}, 'w').write('x'), 0) == 1\n"
        "import os\n"
        f"{QUOTED}assert add(os.open({str(pwned[1])!r}, os.O_CREAT | os.O_WRONLY), 0) >= 0\n"
        f"{QUOTED}assert add(__import__('os').system('touch {pwned[2]}'), 0) == 0\n"
        "```"
    )
    with checks_answer(answer) as model:
        result = forge_for(model, tmp_path).create(parse_cell("add", CELL), attempts=1)
    assert result.passed, result.status_line()
    assert result.word_checks is not None and len(result.word_checks.checks) == 3
    report = result.checks_report
    assert report is not None and not any(r.passed for r in report.results)
    errors = [run.error or "" for run in report.results]
    assert all(e and "\n" not in e for e in errors), errors
    assert errors[0].startswith("PermissionError") and errors[1].startswith("PermissionError")
    assert [p.exists() for p in pwned] == [False, False, False]


def test_probes_that_raise_or_hang_are_one_line_rows(tmp_path: Path) -> None:
    # add(0, 2) hangs, add(-1, 2) raises; the samples (1, 2 and 2, 5) pass.
    code = (
        "```python\n"
        "def add(a: int, b: int) -> int:\n"
        '    """Add two integers."""\n'
        "    while a == 0:\n"
        "        pass\n"
        "    if a < 0:\n"
        "        raise ValueError('negative\\nover two lines')\n"
        "    return a + b\n"
        "```"
    )
    with ScriptedModel([code]) as model:
        result = forge_for(model, tmp_path, sample_timeout=2.0).create(
            parse_cell("add", CELL), attempts=1
        )
    assert result.passed, result.status_line()
    rows = {p.call: p for p in result.preview}
    assert rows["add(0, 2)"].error == "timed out (the sandbox killed it)"
    assert rows["add(-1, 2)"].error == "ValueError: negative"
    assert rows["add(1, 0)"].got == "1" and rows["add(1, -2)"].got == "-1"  # rerun after the hang
    for row in result.preview:
        assert row.error is None or "\n" not in row.error


def _local_stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A local model named `fake-model`: a cached, verified file and a real server process of
    our entry module (watchdog, keep-alive, release) serving a model-less app that answers GOOD."""
    import hashlib

    from jupyter_forge.llm import local, paths, server_process
    from jupyter_forge.testing import idle_app

    monkeypatch.setenv("JUPYTER_FORGE_RUNTIME", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_FORGE_CACHE", str(tmp_path / "cache"))
    data = b"not a real model\n"
    spec = local.LocalModelSpec(
        key="fake-model", alias="fake-model", packages=(), versions="0", size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), extra="local",
    )  # fmt: skip
    target = local.model_path(spec)
    target.parent.mkdir(parents=True)
    target.write_bytes(data)
    paths.write_sidecar(target, spec.sha256)
    monkeypatch.setitem(local.LOCAL_MODELS, spec.key, spec)
    monkeypatch.setattr(server_process, "server_command", idle_app.server_command)
    monkeypatch.setattr(server_process, "SERVER_MODULES", ("uvicorn",))
    monkeypatch.setenv("JF_IDLE_APP_REPLY", GOOD)
    return spec


def _gone(pid: int, within: float) -> bool:
    from jupyter_forge.llm import server_process

    deadline = time.monotonic() + within
    while server_process.pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_keep_alive_zero_stops_the_local_server_after_each_forge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyter_forge.llm import local, server_process

    monkeypatch.delenv(local.KEEP_ALIVE_ENV, raising=False)
    spec = _local_stand_in(tmp_path, monkeypatch)
    forge = Forge(model="fake-model", word_checks=False, library=str(tmp_path / "tools"))
    assert forge.model_keep_alive == 300.0
    try:
        rec = Recorder()
        assert forge.create(parse_cell("add", CELL), progress=rec).passed
        first = local.status(spec)
        assert first is not None
        assert ("model", f"starting local model server (pid {first.pid}, port {first.port})…") in (
            rec.stages
        )
        time.sleep(1.0)
        assert server_process.pid_alive(
            first.pid
        )  # 5 minutes of keep-alive: it stays for the next one

        forge.model_keep_alive = 0
        assert forge.create(parse_cell("add", CELL), progress=Recorder()).passed
        assert _gone(first.pid, 5), "keep-alive 0: the server must stop when the forge ends"
        last = local.activity(spec)
        assert last is not None and (last.pid, last.exited) == (first.pid, "released")

        rec = Recorder()
        assert forge.create(parse_cell("add", CELL), progress=rec).passed
        messages = [m for stage, m in rec.stages if stage == "model"]
        assert messages[0] == (
            "local model server was stopped after the last forge (keep-alive 0); starting it again…"
        )
        second = local.activity(spec)
        assert second is not None and second.pid != first.pid
        assert second.keep_alive == 0  # the setting reached the server at launch
        assert _gone(second.pid, 5)

        # A forge that fails still lets the server go.
        monkeypatch.delenv("JF_IDLE_APP_REPLY")
        with pytest.raises(ModelError, match="was not found"):
            forge.create(parse_cell("add", CELL))
        third = local.activity(spec)
        assert third is not None and third.pid != second.pid
        assert _gone(third.pid, 5)
    finally:
        local.stop_server(spec)


def test_keep_alive_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_FORGE_MODEL_KEEP_ALIVE", "2m")
    assert Forge().model_keep_alive == 120.0
    monkeypatch.setenv("JUPYTER_FORGE_MODEL_KEEP_ALIVE", "-1")
    assert Forge().model_keep_alive == -1.0
    assert Forge(model_keep_alive=0).model_keep_alive == 0.0


def test_a_local_server_gone_between_requests_is_started_again_mid_forge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another kernel's keep-alive 0, an idle stop or a crash between two requests of one
    forge: the request is repeated on a fresh server instead of failing the forge."""
    import os
    import signal

    from jupyter_forge.llm import local

    spec = _local_stand_in(tmp_path, monkeypatch)
    forge = Forge(model="fake-model", word_checks=False, library=str(tmp_path / "tools"))

    class KillsTheServer(Recorder):
        killed: int | None = None

        def stage(self, name: str, message: str) -> None:
            super().stage(name, message)
            running = local.status(spec)
            if name == "llm" and self.killed is None and running is not None:
                self.killed = running.pid
                os.kill(running.pid, signal.SIGKILL)
                assert _gone(running.pid, 5)

    rec = KillsTheServer()
    try:
        result = forge.create(parse_cell("add", CELL), progress=rec)
        assert result.passed, result.status_line()
        assert rec.killed is not None
        started = [m for _, m in rec.stages if m.startswith("starting local model server")]
        assert len(started) == 2
        again = local.status(spec)
        assert again is not None and again.pid != rec.killed
        assert started[1].startswith(f"starting local model server (pid {again.pid}")
    finally:
        local.stop_server(spec)


def test_a_remote_model_that_cannot_be_reached_is_not_retried(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    forge = Forge(model="openai/x", api_base=f"http://127.0.0.1:{port}/v1", word_checks=False)
    rec = Recorder()
    with pytest.raises(ModelUnreachable, match="cannot reach model"):
        forge.create(parse_cell("add", CELL), progress=rec)
    assert sum(m.startswith("attempt 1/") for _, m in rec.stages) == 1


def test_one_set_of_sandbox_limits_for_every_front_end() -> None:
    """Validation, the MCP server and tool calls get their limits from the same settings."""
    forge = Forge(sample_timeout=2.0, memory_mb=512, sandbox_require=["seccomp syscall filter"])
    limits = forge.limits()
    assert (limits.timeout, limits.memory_mb) == (2.0, 512)
    assert limits.load_timeout == 10.0  # a cold pandas import is not the candidate's fault
    assert limits.require == frozenset({"seccomp syscall filter"})
    longer = forge.limits(30.0)
    assert (longer.timeout, longer.load_timeout) == (30.0, 30.0)


WORDS = ["apple", "kiwi", "pear", "fig", "plum"]


def _lucky_input() -> list[str]:
    """WORDS in an order ``list(set(...))`` keeps under hash seed 0 and breaks under
    seed 1 (found in plain Python processes with those seeds)."""
    import json
    import os
    import subprocess
    import sys

    def run(seed: int, program: str) -> list[str]:
        env = {"PYTHONHASHSEED": str(seed), "PATH": os.environ.get("PATH", "")}
        done = subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True
        )
        return list(json.loads(done.stdout))

    # Seed 0: the order (of all orders of WORDS) in which a set of them iterates.
    words = run(
        0,
        f"import itertools, json\nfor xs in itertools.permutations({WORDS!r}):\n"
        "    if list(set(xs + xs[:2])) == list(xs):\n"
        "        print(json.dumps(xs))\n        break",
    )
    sample = words + words[:2]
    assert run(0, f"import json; print(json.dumps(list(set({sample!r}))))") == words
    assert run(1, f"import json; print(json.dumps(list(set({sample!r}))))") != words
    return words


def test_a_tool_right_only_by_a_sets_order_fails_and_the_repair_is_told_why(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    """``list(set(xs))`` matches the sample under the sandbox's seed and not under
    another (nor, in general, in the person's kernel): it fails, and the repair is told
    to make the order explicit; the order-keeping answer passes."""
    words = _lucky_input()
    lucky = (
        "```python\ndef unique_names(xs: list[str]) -> list[str]:\n"
        '    """Names without repeats, first appearance first."""\n'
        "    return list(set(xs))\n```"
    )
    ordered = lucky.replace("list(set(xs))", "list(dict.fromkeys(xs))")
    sm.push(lucky, ordered)
    cell = (
        "Drop repeated names, keeping the first appearance order.\n"
        f">>> unique_names({words + words[:2]!r})\n{words!r}\n"
    )
    result = forge_for(sm, tmp_path, second_opinion=False).create(parse_cell("unique_names", cell))
    assert result.passed and len(result.attempts) == 2, result.status_line()
    first = result.attempts[0].report
    assert first is not None and not first.passed
    assert "hash seed" in (first.results[0].error or "")
    feedback = sm.requests[1]["messages"][-1]["content"]
    assert "a set's order changes with Python's hash seed" in feedback and "sorted(" in feedback
    assert "dict.fromkeys" in (result.code or "")


def first_fails_then_passes(
    sm: ScriptedModel, tmp_path: Path, name: str, cell: str, wrong: str, right: str
) -> tuple[ForgeResult, str]:
    """Forge ``cell`` with a wrong answer, then a right one: the result, and the first
    answer's first error (what the person and the repair read)."""
    sm.push(wrong, right)
    result = forge_for(sm, tmp_path, second_opinion=False).create(parse_cell(name, cell))
    assert result.passed and len(result.attempts) == 2, result.status_line()
    first = result.attempts[0].report
    assert first is not None and not first.passed
    return result, first.results[0].error or ""


def test_dict_keys_in_a_sets_order_fail_and_the_repair_is_told_why(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    """Keys gathered in a set come out ``a, b`` under some hash seeds and ``b, a`` under
    others; ``==`` on dicts ignores that, but the sample shows ``a, b``: it fails under
    the seeds that print ``b, a``, the repair is told to make the order explicit, and
    the first-seen answer passes."""
    by_set = (
        "```python\ndef fill_keys(rows: list[dict]) -> list[dict]:\n"
        '    """Every row gets every key seen in any row; missing ones are None."""\n'
        "    keys = set()\n    for row in rows:\n        keys.update(row)\n"
        "    return [{k: row.get(k) for k in keys} for row in rows]\n```"
    )
    first_seen = by_set.replace(
        "keys = set()\n    for row in rows:\n        keys.update(row)\n",
        "keys = list(dict.fromkeys(k for row in rows for k in row))\n",
    )
    cell = (
        "Give every row every key seen in any row, None where it is missing.\n"
        ">>> fill_keys([{'a': 1}, {'b': 2}])\n[{'a': 1, 'b': None}, {'a': None, 'b': 2}]\n"
    )
    result, error = first_fails_then_passes(sm, tmp_path, "fill_keys", cell, by_set, first_seen)
    assert "passes in one Python process and fails in another" in error
    assert "the same items in another order" in error
    assert "[{'b': None, 'a': 1}, {'b': 2, 'a': None}]" in error  # what the other seed gave
    feedback = sm.requests[1]["messages"][-1]["content"]
    assert "dict.fromkeys" in feedback and "hash seed" in feedback
    assert "dict.fromkeys" in (result.code or "")


def test_a_dict_in_another_order_than_the_sample_fails_and_the_repair_is_told_so(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    """For "most common first", ``dict(Counter(...))`` equals the sample's dict under
    ``==`` but prints ``a`` first. The person wrote ``b`` first, as doctest would compare it:
    the answer fails, the repair hears only the order is wrong, the next one passes."""
    by_first_seen = (
        "```python\nfrom collections import Counter\n\n\n"
        "def tally(items: list[str]) -> dict[str, int]:\n"
        '    """How often each item occurs, most common first."""\n'
        "    return dict(Counter(items))\n```"
    )
    most_common = by_first_seen.replace(
        "dict(Counter(items))", "dict(Counter(items).most_common())"
    )
    cell = "Count each item, most common first.\n>>> tally(['a', 'b', 'b'])\n{'b': 2, 'a': 1}\n"
    result, error = first_fails_then_passes(sm, tmp_path, "tally", cell, by_first_seen, most_common)
    assert error.startswith("expected {'b': 2, 'a': 1} but got {'a': 1, 'b': 2}: ")
    assert "the same items in another order" in error
    feedback = sm.requests[1]["messages"][-1]["content"]
    assert "the same items in another order" in feedback
    assert "most_common()" in (result.code or "")


def test_spaces_inside_an_expected_string_count(sm: ScriptedModel, tmp_path: Path) -> None:
    """Doctest's NORMALIZE_WHITESPACE squashes runs of spaces inside a string's repr too,
    so a cleaner that leaves two spaces used to pass a sample expecting one: the very
    bug the tool is for. The string is compared as a value, and the next answer passes."""
    one_pass = (
        "```python\ndef squash(text: str) -> str:\n"
        '    """Collapse runs of spaces to one and trim the ends."""\n'
        "    return text.strip().replace('  ', ' ')\n```"
    )
    every_run = one_pass.replace("text.strip().replace('  ', ' ')", "' '.join(text.split())")
    cell = "Collapse runs of spaces to one and trim the ends.\n>>> squash(' a    b ')\n'a b'\n"
    result, error = first_fails_then_passes(sm, tmp_path, "squash", cell, one_pass, every_run)
    assert error == "expected 'a b' but got 'a  b'"
    assert "join" in (result.code or "")


# -- a tool that changes the person's table --------------------------------------------

CHANGES_SALES = (
    "```python\nimport pandas as pd\n\n\n"
    "def top_region(frame: pd.DataFrame) -> str:\n"
    '    """The region with the most revenue."""\n'
    "    frame['rank'] = frame['revenue'].rank()\n"
    "    return str(frame.loc[frame['revenue'].idxmax(), 'region'])\n```"
)
LEAVES_SALES = CHANGES_SALES.replace("    frame['rank'] = frame['revenue'].rank()\n", "")
TOP_REGION = "The region with the most revenue.\n>>> top_region(sales)\n'north'\n"


def test_a_tool_that_changes_the_persons_table_is_doubtful_and_the_repair_copies(
    sm: ScriptedModel, tmp_path: Path
) -> None:
    sales = pd.DataFrame({"region": ["north", "south"], "revenue": [3.0, 1.0]})
    sm.push(CHANGES_SALES, CHANGES_SALES, LEAVES_SALES)  # one forge, then one repaired
    forge = forge_for(sm, tmp_path, second_opinion=False)
    first = forge.create(
        parse_cell("top_region", TOP_REGION), namespace={"sales": sales}, attempts=1
    )
    assert first.passed and first.verdict == "doubtful", first.status_line()
    assert first.word_checks is not None
    assert [c.text for c in first.word_checks.checks] == [
        "top_region(sales)  # leaves `sales` as it was"
    ]
    assert first.checks_line() == "checks from your words: 0/1 pass"
    assert list(sales.columns) == ["region", "revenue"]  # the kernel's table: never touched

    repaired = forge.create(parse_cell("top_region", TOP_REGION), namespace={"sales": sales})
    assert repaired.verdict == "passed", repaired.status_line()
    assert repaired.shown is repaired.attempts[1]
    repair = sm.requests[2]["messages"][-1]["content"]
    assert "changed its input `sales`: work on a copy (sales.copy())" in repair


def test_the_table_stays_check_runs_before_checks_that_call_the_tool(tmp_path: Path) -> None:
    """The checks share one sandbox namespace: a check from the words that calls the
    tool first has already added the column, and a later comparison would see nothing.
    The table-stays check runs first, so it still fails; accepted as a sample, it goes
    before the person's samples for the same reason."""
    sales = pd.DataFrame({"region": ["north", "south"], "revenue": [3.0, 1.0]})
    calls_first = (
        '```python\n# "The region with the most revenue"\n'
        "assert isinstance(top_region(sales), str)\n```"
    )
    with ScriptedModel(checks=calls_first) as model:
        model.push(CHANGES_SALES)
        forge = forge_for(model, tmp_path, second_opinion=False)
        result = forge.create(
            parse_cell("top_region", TOP_REGION), namespace={"sales": sales}, attempts=1
        )
    assert result.word_checks is not None
    assert [c.text for c in result.word_checks.checks] == [
        "top_region(sales)  # leaves `sales` as it was",
        "assert isinstance(top_region(sales), str)",
    ]
    assert (
        result.verdict == "doubtful" and result.checks_line() == "checks from your words: 1/2 pass"
    )
    report = result.shown.checks_report if result.shown else None
    assert report is not None and [r.passed for r in report.results] == [False, True]

    accepted = forge.accept_check(result, 0, namespace={"sales": sales})
    assert accepted.spec.samples[0].source.startswith("import copy as __forge_copy")
    assert accepted.report is not None and not accepted.report.results[0].passed
    assert list(sales.columns) == ["region", "revenue"]  # the kernel's table: never touched


TOTALS = (
    "Total amount per customer, as a dict from customer to total.\n"
    '>>> totals([("a", 2.0), ("b", 1.0), ("a", 3.0)])\n'
    "{'a': 5.0, 'b': 1.0}\n"
)
TOTALS_REPLY = (
    "```python\n"
    "def totals(rows: list[tuple[str, float]]) -> dict[str, float]:\n"
    '    """Sum the amounts of each customer."""\n'
    "    out: dict[str, float] = {}\n"
    "    for name, amount in rows:\n"
    "        out[name] = out.get(name, 0.0) + amount\n"
    "    return out\n"
    "```"
)


def test_a_check_that_breaks_in_its_own_code_is_not_held_against_the_tool(
    tmp_path: Path,
) -> None:
    """A check guessing a DataFrame where the words ask for a dict raises in its own code:
    the right tool is not repaired toward it (the loop stops), stays doubtful, and the
    reviewer is told the check probably is the wrong one."""
    guesses_a_table = (
        "```python\n"
        '# "as a dict from customer to total"\n'
        'assert totals([("x", 1.0)]).columns.tolist() == ["x"]\n'
        '# "Total amount per customer"\n'
        'assert totals([("x", 1.0), ("x", 2.0)]) == {"x": 3.0}\n'
        "```"
    )
    with ScriptedModel(checks=guesses_a_table) as model:
        model.push(TOTALS_REPLY)
        model.push(TOTALS_REPLY.replace("0.0) + amount", "0.0) + amount + 0"))
        forge = forge_for(model, tmp_path, second_opinion=False)
        result = forge.create(parse_cell("totals", TOTALS), namespace={}, attempts=3)
        unused = model.pending
    assert len(result.attempts) == 1 and unused == 1  # no repair toward the wrong check
    assert result.verdict == "doubtful"
    assert result.checks_line() == "checks from your words: 1/2 pass"
    report = result.checks_report
    assert report is not None and "has no attribute 'columns'" in (report.results[0].error or "")
    line = result.status_line()
    assert "(1 of them in the check's own code: probably wrong)" in line, line
    marks = render.check_marks(result)
    assert "probably a wrong check" in marks[0][1] and "probably" not in marks[1][1]


def test_a_check_failing_inside_the_tool_still_drives_a_repair(tmp_path: Path) -> None:
    """The same loop with a check that reaches the tool's code: held against it, repaired."""
    empty_raises = (
        '```python\n# "Total amount per customer"\nassert totals([("x", None)]) == {"x": 0.0}\n```'
    )
    with ScriptedModel(checks=empty_raises) as model:
        model.push(TOTALS_REPLY)
        model.push(TOTALS_REPLY.replace("+ amount", "+ (amount or 0.0)"))
        forge = forge_for(model, tmp_path, second_opinion=False)
        result = forge.create(parse_cell("totals", TOTALS), namespace={}, attempts=3)
    assert [a.kind for a in result.attempts] == ["first", "repair"]
    assert result.verdict == "passed" and result.shown is result.attempts[1]
