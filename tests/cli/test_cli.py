"""``jupyter-forge`` as scripts and CI use it: a real subprocess, real litellm, real sandbox.

The scripted model serves from this test process on loopback; the CLI process
reaches it through ``--model openai/scripted`` and ``JUPYTER_FORGE_API_BASE``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from second_opinion_cases import CELL, GUARDED, UNGUARDED, WRONG, WRONG_THREE, WRONG_TOO

from jupyter_forge.core.library import Library
from jupyter_forge.core.notebook import TOOL_ROLE
from jupyter_forge.core.spec import Sample
from jupyter_forge.testing.scripted_llm import ScriptedModel

GOOD = (
    "Here you go:\n"
    "```python\n"
    "def add(a: int, b: int) -> int:\n"
    '    """Add two integers."""\n'
    "    return a + b\n\n"
    "print(add(1, 2))\n"
    "```"
)
BAD = GOOD.replace("return a + b", "return a * b")
CODE = 'def add(a: int, b: int) -> int:\n    """Add two integers."""\n    return a + b\n'


def _command() -> list[str]:
    script = Path(sys.executable).with_name("jupyter-forge")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jupyter_forge.cli"]


@pytest.fixture
def sm() -> Iterator[ScriptedModel]:
    with ScriptedModel() as model:
        yield model


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "jupyter-data").mkdir()
    return tmp_path


ROOT = Path(__file__).resolve().parents[2]


def cli_env(home: Path, api_base: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["JUPYTER_DATA_DIR"] = str(home / "jupyter-data")  # signing key and db stay in the test
    # No jupyter_forge_config.py of the person running the tests (~/.jupyter) applies.
    env["JUPYTER_CONFIG_DIR"] = str(home / "jupyter-config")
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    # The package under test, not whichever checkout is installed (worktrees share a venv).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("JUPYTER_FORGE_API_BASE", None)
    if api_base:
        env["JUPYTER_FORGE_API_BASE"] = api_base
    return env


def run(
    home: Path, *args: str, api_base: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_command(), *args],
        env=cli_env(home, api_base),
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def last_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = [line for line in proc.stdout.strip().split("\n") if line.strip()]
    assert lines, f"no stdout; stderr: {proc.stderr}"
    data: dict[str, Any] = json.loads(lines[-1])
    return data


def seed_library(home: Path, name: str = "add") -> Path:
    """A tool saved through the core library, signed with the CLI's notary."""
    library = Library(home / "tools", notary_dir=str(home / "jupyter-data"))
    record = library.save(
        name=name,
        code=CODE.replace("def add", f"def {name}"),
        description="Add two integers.",
        signature=f"{name}(a: int, b: int) -> int",
        request="Add two integers.",
        model="openai/scripted",
        samples=[Sample(f"{name}(1, 2)", "example", "3\n")],
        schema=None,
        validation={"passed": True},
    )
    return record.path


# -- create --------------------------------------------------------------------------------


def test_create_json_yes_saves_and_reports(sm: ScriptedModel, home: Path) -> None:
    sm.push(GOOD)
    proc = run(
        home,
        "create",
        "add",
        "Add two integers.\n>>> add(1, 2)\n3",
        "--sample",
        "assert add(2, 5) == 7",
        "--model",
        "openai/scripted",
        "--library",
        str(home / "tools"),
        "--json",
        "--yes",
        api_base=sm.api_base,
    )
    assert proc.returncode == 0, proc.stderr
    data = last_json(proc)
    assert data["name"] == "add"
    assert data["passed"] is True
    assert data["approved"] is True
    assert data["attempts"] == 1
    assert data["model"] == "openai/scripted"
    assert data["code"] == CODE
    assert [s["source"] for s in data["samples"]] == ["add(1, 2)", "assert add(2, 5) == 7"]
    assert all(s["passed"] for s in data["samples"])
    assert data["path"] == str(home / "tools" / "add.ipynb")
    for stage in ("llm", "validate", "save", "total"):
        assert stage in data["timings"], stage
    assert data["attempt_log"][0]["dropped"] == ["print(add(1, 2))"]
    # Progress went to stderr; the tool notebook exists, is valid and trusted.
    assert "forge ·" in proc.stderr
    nb = nbformat.read(data["path"], as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["jupyter_forge"]["approved"]["how"] == "cli --yes"
    assert sm.pending == 0
    # The request reached the scripted server through litellm over HTTP.
    assert sm.requests[0]["model"] == "scripted"


def test_create_failing_forge_exits_1(sm: ScriptedModel, home: Path) -> None:
    sm.push(BAD, BAD)
    proc = run(
        home,
        "create",
        "add",
        "Add two integers.",
        "--sample",
        ">>> add(2, 3)\n5",
        "--model",
        "openai/scripted",
        "--library",
        str(home / "tools"),
        "--attempts",
        "2",
        "--json",
        "--yes",
        api_base=sm.api_base,
    )
    assert proc.returncode == 1, proc.stderr
    data = last_json(proc)
    assert data["passed"] is False
    assert data["approved"] is False
    assert data["path"] is None
    assert data["attempts"] == 2
    assert data["samples"][0]["error"] == "expected 5 but got 6"
    assert not (home / "tools").exists()
    # The repair prompt carried the failure back.
    assert "expected 5 but got 6" in sm.requests[1]["messages"][-1]["content"]


def test_create_without_yes_and_no_terminal_saves_nothing(sm: ScriptedModel, home: Path) -> None:
    sm.push(GOOD)
    proc = run(
        home,
        "create",
        "add",
        "Add two integers.",
        "--sample",
        "assert add(1, 1) == 2",
        "--model",
        "openai/scripted",
        "--library",
        str(home / "tools"),
        api_base=sm.api_base,
    )
    assert proc.returncode == 1
    assert "passed but was not approved" in proc.stderr
    assert "def add(a: int, b: int) -> int:" in proc.stdout
    assert "PASS  assert add(1, 1) == 2" in proc.stdout
    assert not (home / "tools").exists()


def test_create_unreachable_model_exits_2_with_json_error(home: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = run(
        home,
        "create",
        "add",
        "Add two integers.",
        "--model",
        "openai/scripted",
        "--json",
        api_base=f"http://127.0.0.1:{port}/v1",
    )
    assert proc.returncode == 2
    stderr = proc.stderr.strip().split("\n")
    assert stderr[-1].startswith("jupyter-forge: cannot reach model `openai/scripted`")
    data = last_json(proc)
    assert data["passed"] is False
    assert "cannot reach" in data["error"]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("1bad", "is not a valid Python function name"),
        ("class", "is a Python keyword"),
        ("list", "would shadow the Python builtin"),
    ],
)
def test_create_bad_tool_name_exits_2_with_one_line(home: Path, name: str, fragment: str) -> None:
    proc = run(home, "create", name, "Do something.", "--model", "openai/x")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().split("\n")
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("jupyter-forge: ")
    assert fragment in lines[0]


def test_create_empty_request_exits_2(home: Path) -> None:
    proc = run(home, "create", "add", ">>> add(1, 2)\n3", "--json")
    assert proc.returncode == 2
    assert "request is empty" in proc.stderr
    assert last_json(proc) == {
        "name": "add",
        "passed": False,
        "error": proc.stderr.strip()[len("jupyter-forge: ") :],
    }


# -- validate ------------------------------------------------------------------------------


def test_validate_pass(home: Path) -> None:
    source = home / "tool.py"
    source.write_text(CODE + "\nprint('example usage')\n", encoding="utf-8")
    proc = run(
        home,
        "validate",
        str(source),
        "--name",
        "add",
        "--sample",
        ">>> add(1, 2)\n3",
        "--sample",
        "assert add(2, 2) == 4",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    data = last_json(proc)
    assert data["passed"] is True
    assert data["name"] == "add"
    assert data["problems"] == []
    assert [r["passed"] for r in data["results"]] == [True, True]
    assert data["results"][0]["got"] == "3"
    assert "separate process" in data["layers"]


def test_validate_fail(home: Path) -> None:
    source = home / "tool.py"
    source.write_text(CODE.replace("a + b", "a - b"), encoding="utf-8")
    proc = run(
        home,
        "validate",
        str(source),
        "--name",
        "add",
        "--sample",
        "assert add(2, 2) == 4",
        "--json",
    )
    assert proc.returncode == 1
    data = last_json(proc)
    assert data["passed"] is False
    assert data["results"][0]["error"] == "AssertionError: add(2, 2) gave 0, expected 4"
    assert "Traceback" in data["results"][0]["traceback"]


def test_validate_names_missing_hints_but_passes_working_code(home: Path) -> None:
    source = home / "tool.py"
    source.write_text("import os\n\ndef add(a, b):\n    return a + b\n", encoding="utf-8")
    proc = run(home, "validate", str(source), "--name", "add", "--sample", "assert add(1, 1) == 2")
    assert proc.returncode == 0
    assert "missing: parameter(s) `a`, `b` of `add` have no type hint" in proc.stdout
    assert "PASS  assert add(1, 1) == 2" in proc.stdout
    assert "review: line 1: imports os" in proc.stdout
    # The types the sample's call passed, as the forge would write them.
    assert "hint from the samples: `a` int" in proc.stdout
    assert "hint from the samples: returns int" in proc.stdout
    assert proc.stdout.strip().split("\n")[-1].startswith("PASSED: 1/1 samples passed")
    proc = run(
        home, "validate", str(source), "--name", "add", "-s", "assert add(1.5, 1) == 2.5", "--json"
    )
    assert last_json(proc)["hints_from_samples"] == {"a": "float", "b": "int", "return": "float"}


def test_validate_problems_fail_even_when_samples_pass(home: Path) -> None:
    source = home / "tool.py"
    source.write_text("async def add(a: int, b: int) -> int:\n    return a + b\n", encoding="utf-8")
    proc = run(home, "validate", str(source), "--name", "add", "--sample", "assert add(1, 1) == 2")
    assert proc.returncode == 1
    assert "problem: `add` must be a plain `def`, not `async def`" in proc.stdout
    assert proc.stdout.strip().split("\n")[-1].startswith("FAILED:")


def test_validate_load_error(home: Path) -> None:
    source = home / "tool.py"
    source.write_text(
        CODE.replace("return a + b", "return np.add(a, b)") + "\nimport nonexistent_mod_xyz\n",
        encoding="utf-8",
    )
    proc = run(
        home,
        "validate",
        str(source),
        "--name",
        "add",
        "--sample",
        "assert add(1, 1) == 2",
        "--json",
    )
    assert proc.returncode == 1
    data = last_json(proc)
    assert data["passed"] is False
    assert "nonexistent_mod_xyz" in (data["load_error"] or "")


def test_validate_missing_file_exits_2(home: Path) -> None:
    proc = run(home, "validate", str(home / "nope.py"), "--name", "add")
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == f"jupyter-forge: cannot read {home / 'nope.py'} (No such file or directory)"
    )


# -- list / show / remove --------------------------------------------------------------------


def test_list_json(home: Path) -> None:
    seed_library(home, "add")
    seed_library(home, "mul")
    (home / "tools" / "broken.ipynb").write_text("{", encoding="utf-8")
    proc = run(home, "list", "--library", str(home / "tools"), "--json")
    assert proc.returncode == 0, proc.stderr
    data = last_json(proc)
    assert data["library"] == str(home / "tools")
    assert [(t["name"], t["version"], t["trusted"]) for t in data["tools"]] == [
        ("add", 1, True),
        ("mul", 1, True),
    ]
    assert data["tools"][0]["signature"] == "add(a: int, b: int) -> int"
    assert data["tools"][0]["path"] == str(home / "tools" / "add.ipynb")
    assert data["tools"][0]["status"] == "approved"  # core.tool_view, as the panel says it
    assert len(data["errors"]) == 1 and "broken.ipynb" in data["errors"][0]


def test_list_plain_marks_tampered_tools_untrusted(home: Path) -> None:
    path = seed_library(home, "add")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("jupyter_forge", {}).get("role") == TOOL_ROLE:
            cell.source += "\nimport os"
    nbformat.write(nb, path)
    proc = run(home, "list", "--library", str(home / "tools"))
    assert proc.returncode == 0
    assert f"1 tool(s) in project {home / 'tools'}, user " in proc.stdout
    assert "[untrusted]" in proc.stdout


def test_list_empty_library(home: Path) -> None:
    proc = run(home, "list", "--library", str(home / "none"), "--json")
    assert proc.returncode == 0
    assert last_json(proc)["tools"] == []


def test_show(home: Path) -> None:
    seed_library(home, "add")
    proc = run(home, "show", "add", "--library", str(home / "tools"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("add v1  add(a: int, b: int) -> int  (trusted)")
    assert "model: openai/scripted" in out
    assert "def add(a: int, b: int) -> int:" in out
    assert ">>> add(1, 2)\n3" in out


def test_show_missing_exits_2(home: Path) -> None:
    proc = run(home, "show", "nothing", "--library", str(home / "tools"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().split("\n")
    assert len(lines) == 1 and "no tool `nothing` in" in lines[0]


def test_remove(home: Path) -> None:
    path = seed_library(home, "add")
    proc = run(home, "remove", "add", "--library", str(home / "tools"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"removed {path}"
    assert not path.exists()
    again = run(home, "remove", "add", "--library", str(home / "tools"))
    assert again.returncode == 2
    assert "no tool `add`" in again.stderr


def test_remove_bad_name_exits_2_and_touches_nothing(home: Path) -> None:
    path = seed_library(home, "add")
    proc = run(home, "remove", "../tools/add", "--library", str(home / "tools"))
    assert proc.returncode == 2
    assert "not a valid Python function name" in proc.stderr
    assert path.exists()


def test_usage_error_exits_2(home: Path) -> None:
    proc = run(home, "validate", "x.py")  # --name is required
    assert proc.returncode == 2
    assert "--name" in proc.stderr


def test_sandbox_check_tries_attacks_and_reports_layers(tmp_path: Path) -> None:
    proc = run(tmp_path, "sandbox", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "active   separate process" in proc.stdout
    assert "round trip: ok" in proc.stdout
    assert "ESCAPED" not in proc.stdout
    lines = [line for line in proc.stdout.splitlines() if line.strip().startswith("blocked")]
    assert len(lines) >= 9
    assert any("read a file outside the scratch dir" in line for line in lines)
    assert proc.stdout.rstrip().endswith("blocked")  # "attacks: N/N blocked"


def test_sandbox_check_refuses_an_unknown_required_layer(tmp_path: Path) -> None:
    proc = run(tmp_path, "sandbox", "check", "--require", "moat")
    assert proc.returncode == 2
    assert "unknown sandbox layer(s) in the policy: moat" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_create_json_has_the_behaviour_preview(sm: ScriptedModel, home: Path) -> None:
    sm.rule = lambda _messages: GOOD  # any request (the code, and any other ask before it)
    proc = run(
        home,
        "create",
        "add",
        "Add two integers.\n>>> add(1, 2)\n3",
        "--model",
        "openai/scripted",
        "--library",
        str(home / "tools"),
        "--json",
        api_base=sm.api_base,
    )
    data = last_json(proc)
    assert data["passed"] is True, proc.stderr
    preview = {p["call"]: p for p in data["preview"]}
    assert preview["add(0, 2)"] == {"call": "add(0, 2)", "why": "zero", "got": "2", "error": None}
    assert preview["add(1, -2)"]["got"] == "-1"
    assert "add(1, 2)" not in preview
    assert "preview" in data["timings"]
    assert data["second_opinion"] is None  # the second answer repeated the first: no evidence


def create_scale_yes(home: Path, sm: ScriptedModel) -> subprocess.CompletedProcess[str]:
    """`create scale ... --json --yes` (the second opinion's cases) against the scripted model."""
    return run(
        home,
        "create",
        "scale",
        CELL,
        "--model",
        "openai/scripted",
        "--library",
        str(home / "tools"),
        "--json",
        "--yes",
        api_base=sm.api_base,
    )


def test_create_json_yes_shows_a_disagreement_and_saves_nothing(
    sm: ScriptedModel, home: Path
) -> None:
    sm.push(GUARDED, UNGUARDED)
    proc = create_scale_yes(home, sm)
    data = last_json(proc)
    assert proc.returncode == 3, proc.stderr
    assert data["verdict"] == "doubtful" and data["approved"] is False
    opinion = data["second_opinion"]
    assert (opinion["shown"], opinion["other"]) == (1, 2)
    assert {
        "call": "scale([10.1, 10.1, 10.1])",
        "shown": "[0.0, 0.0, 0.0]",
        "other": "raises ZeroDivisionError",
    } in opinion["differences"]
    assert not (home / "tools" / "scale.ipynb").exists()


def test_create_yes_refuses_a_repair_no_second_answer_confirmed_with_exit_3(
    home: Path, sm: ScriptedModel
) -> None:
    sm.push(WRONG, GUARDED, WRONG_TOO, WRONG_THREE, WRONG)
    proc = create_scale_yes(home, sm)
    assert proc.returncode == 3, proc.stderr
    data = last_json(proc)
    assert data["verdict"] == "doubtful" and data["doubt"] == "uncorroborated"
    assert data["approved"] is False and data["second_opinion"] is None
    assert [a["kind"] for a in data["attempt_log"]] == ["first", "repair", *["second"] * 3]
    assert "--yes refused: attempt 2 came after attempt 1 failed" in proc.stderr
    assert not (home / "tools" / "scale.ipynb").exists()


def create_add_yes(home: Path, sm: ScriptedModel) -> subprocess.CompletedProcess[str]:
    """`create add ... --attempts 1 --json --yes` against the scripted model."""
    return run(
        home,
        "create",
        "add",
        "Add two integers.\n>>> add(1, 2)\n3",
        "--model",
        "openai/scripted",
        "--library",
        str(home / "tools"),
        "--attempts",
        "1",
        "--json",
        "--yes",
        api_base=sm.api_base,
    )


def test_create_yes_refuses_a_doubtful_tool_with_exit_3(home: Path) -> None:
    """--yes approves without reading: a tool that breaks a check from its words needs a
    person, so nothing is saved and the exit code says so."""
    checks = '```python\n# "Add two integers"\nassert add(2, 2) == 5\n```'
    with ScriptedModel(checks=checks) as sm:
        sm.push(GOOD)
        proc = create_add_yes(home, sm)
    assert proc.returncode == 3, proc.stderr
    data = last_json(proc)
    assert data["passed"] is True and data["verdict"] == "doubtful"
    assert data["approved"] is False and data["path"] is None
    assert "--yes refused: it passes its samples but breaks checks from your words" in proc.stderr
    assert not (home / "tools" / "add.ipynb").exists()


def test_create_yes_refuses_a_tool_that_tried_to_write_with_exit_3(home: Path) -> None:
    """Issue 15: the candidate catches the sandbox's PermissionError, so its samples pass;
    --yes must still refuse it (the write would succeed here), save nothing, exit 3."""
    payload = (
        "```python\n"
        "def add(a: int, b: int) -> int:\n"
        '    """Add two integers."""\n'
        "    try:\n"
        "        open('/etc/forge_payload', 'w').write('owned')\n"
        "    except OSError:\n"
        "        pass\n"
        "    return a + b\n"
        "```"
    )
    with ScriptedModel() as sm:
        sm.push(payload)
        proc = create_add_yes(home, sm)
    assert proc.returncode == 3, proc.stderr
    data = last_json(proc)
    assert data["passed"] is True and data["approved"] is False and data["path"] is None
    assert "--yes refused: in the sandbox it tried to open /etc/forge_payload for writing" in (
        proc.stderr
    )
    assert not (home / "tools" / "add.ipynb").exists()


def test_create_names_an_existing_tool_instead_of_forging_and_new_forges_anyway(
    sm: ScriptedModel, home: Path
) -> None:
    """Retrieval before creation, as in the notebook: the CLI asks the same service."""
    library = str(home / "tools")
    common = ["--model", "openai/scripted", "--library", library, "--json", "--yes"]
    sm.push(GOOD)
    first = run(
        home, "create", "add", "Add two integers.\n>>> add(1, 2)\n3", *common, api_base=sm.api_base
    )
    assert first.returncode == 0, first.stderr
    asked = len(sm.requests)

    again = run(
        home,
        "create",
        "plus",
        "Add two integers.\n>>> plus(2, 2)\n4",
        *common,
        api_base=sm.api_base,
    )
    assert again.returncode == 4, again.stderr
    data = last_json(again)
    assert data["existing"]["name"] == "add" and data["approved"] is False
    assert "an existing tool already does this: `add` v1" in again.stderr
    assert "it passes the 1 sample(s) in the sandbox" in again.stderr
    assert "--new" in again.stderr and "Traceback" not in again.stderr
    assert len(sm.requests) == asked  # no model call
    assert not (home / "tools" / "plus.ipynb").exists()

    sm.push(GOOD.replace("def add", "def plus").replace("add(1, 2)", "plus(1, 2)"))
    forced = run(
        home,
        "create",
        "plus",
        "Add two integers.\n>>> plus(2, 2)\n4",
        *common,
        "--new",
        api_base=sm.api_base,
    )
    assert forced.returncode == 0, forced.stderr
    assert (home / "tools" / "plus.ipynb").exists()


def test_interrupting_create_exits_130_with_one_line(home: Path, sm: ScriptedModel) -> None:
    """Ctrl-C while the model streams: exit 130 and one line, not httpx's traceback."""
    import signal
    import time

    sm.push({"content": GOOD + "\nMore words." * 300, "chunk_delay": 0.02})  # ~20 s of it
    # As from a terminal: a suite started in the background (`cmd &` in a script) passes
    # on an ignored SIGINT, and Python then never raises KeyboardInterrupt.
    proc = subprocess.Popen(
        [*_command(), "create", "add", "Add two integers.\n>>> add(1, 2)\n3",
         "--model", "openai/scripted", "--yes"],
        env=cli_env(home, sm.api_base), cwd=home, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not sm.requests and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert sm.requests, "the model was never asked"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert stdout == ""
    lines = [line for line in stderr.splitlines() if not line.startswith("forge · ")]
    assert lines == ["jupyter-forge: forge cancelled; nothing saved"], stderr
    assert not (home / "tools").exists()
