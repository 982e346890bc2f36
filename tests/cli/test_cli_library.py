"""``jupyter-forge`` library commands in a real subprocess: search, versions, review, sharing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import CODE, run, seed_library

from jupyter_forge.core.library import Library
from jupyter_forge.core.spec import Sample


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "jupyter-data").mkdir()
    return tmp_path


def lib(home: Path) -> Library:
    return Library(home / "tools", notary_dir=str(home / "jupyter-data"))


def save_version(home: Path, code: str) -> None:
    lib(home).save(
        name="add",
        code=code,
        description="Add two integers.",
        signature="add(a: int, b: int) -> int",
        request="Add two integers.",
        model="m2",
        samples=[Sample("add(1, 2)", "example", "3\n")],
        schema=None,
        validation={"passed": True},
    )


def test_search_json(home: Path) -> None:
    seed_library(home)
    seed_library(home, "mul_numbers")
    proc = run(home, "search", "add", "two", "integers", "--library", str(home / "tools"), "--json")
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout.strip().splitlines()[-1])["hits"]
    assert hits[0]["name"] == "add" and hits[0]["version"] == 1


def test_history_diff_rollback_deprecate(home: Path) -> None:
    seed_library(home)
    save_version(home, CODE.replace("return a + b", "return b + a"))
    tools = ["--library", str(home / "tools")]
    proc = run(home, "history", "add", *tools)
    assert proc.returncode == 0 and proc.stdout.splitlines()[0].startswith("v2 ")
    assert "(current)" in proc.stdout.splitlines()[0]
    proc = run(home, "diff", "add", *tools)
    assert "-    return a + b" in proc.stdout and "+    return b + a" in proc.stdout
    proc = run(home, "rollback", "add", "v1", *tools)
    assert proc.returncode == 0 and "now v3" in proc.stdout
    assert lib(home).get("add").code == CODE.rstrip("\n")
    proc = run(home, "deprecate", "add", "--reason", "old", *tools)
    assert proc.returncode == 0 and lib(home).get("add").deprecated is not None
    proc = run(home, "search", "add", "two", "integers", *tools)
    assert "add " not in proc.stdout
    proc = run(home, "rollback", "add", "v9", *tools)
    assert proc.returncode == 2 and "no version v9" in proc.stderr


def test_review_asks_and_never_trusts_without_a_yes(home: Path) -> None:
    path = seed_library(home)
    path.write_text(
        path.read_text(encoding="utf-8").replace("Add two integers.", "Adds."), encoding="utf-8"
    )
    assert not lib(home).get("add").trusted
    tools = ["--library", str(home / "tools")]
    proc = run(home, "review", "add", *tools)  # no terminal to ask on: nothing changes
    assert proc.returncode == 1 and "NOT trusted" in proc.stdout and "PASS" in proc.stdout
    assert not lib(home).get("add").trusted
    proc = run(home, "review", "add", "--yes", *tools)
    assert proc.returncode == 0 and lib(home).get("add").trusted


def test_export_import_stats(home: Path, tmp_path: Path) -> None:
    seed_library(home)
    tools = ["--library", str(home / "tools")]
    proc = run(home, "export", "add", "--to", str(tmp_path / "out"), *tools)
    assert proc.returncode == 0 and (tmp_path / "out" / "add.ipynb").is_file()
    other = ["--library", str(home / "other")]
    proc = run(home, "import", str(tmp_path / "out"), *other)
    assert proc.returncode == 0 and (home / "other" / "add.ipynb").is_file()
    proc = run(home, "export", "--module", str(tmp_path / "m.py"), *tools)
    assert proc.returncode == 0 and "def add" in (tmp_path / "m.py").read_text(encoding="utf-8")
    proc = run(home, "stats", *tools)
    assert proc.returncode == 0 and "calls 0" in proc.stdout


def test_create_with_compose_records_the_dependency(home: Path) -> None:

    from jupyter_forge.testing.scripted_llm import ScriptedModel

    seed_library(home)
    code = 'def add_twice(a: int, b: int) -> int:\n    """Add b twice."""\n    return add(add(a, b), b)\n'
    with ScriptedModel() as sm:
        sm.push(f"```python\n{code}```")
        proc = run(
            home,
            "create",
            "add_twice",
            "Add b to a twice, using add.\n>>> add_twice(1, 2)\n5",
            "--compose",
            "add",
            "--template",
            "parser",
            "--library",
            str(home / "tools"),
            "--model",
            sm.model,
            "--yes",
            "--json",
            api_base=sm.api_base,
        )
        prompt = str(sm.requests[0]["messages"])
    assert proc.returncode == 0, proc.stderr
    assert "add(a: int, b: int) -> int" in prompt and "Add two integers." in prompt
    assert lib(home).get("add_twice").depends == ["add"]
    proc = run(home, "remove", "add", "--library", str(home / "tools"))
    assert proc.returncode == 2 and "called by add_twice" in proc.stderr
    proc = run(
        home, "create", "x", "Do x.", "--compose", "nothing_here", "--library", str(home / "tools")
    )
    assert proc.returncode == 2 and "nothing_here" in proc.stderr


def test_validate_names_a_missing_package(home: Path) -> None:
    tool = home / "t.py"
    tool.write_text(
        "import zz_not_a_real_pkg\n\n\ndef f(x: int) -> int:\n    return x\n", encoding="utf-8"
    )
    proc = run(home, "validate", str(tool), "--name", "f", "--sample", "assert f(1) == 1")
    assert proc.returncode == 1
    assert "needs zz_not_a_real_pkg, not installed" in proc.stdout
    proc = run(home, "validate", str(tool), "--name", "f", "--json")
    assert json.loads(proc.stdout.strip().splitlines()[-1])["missing_packages"] == [
        "zz_not_a_real_pkg"
    ]


def test_hostile_metadata_is_named_and_skipped_by_every_command(home: Path) -> None:
    """`"version": "NaN"` in one notebook ended `jupyter-forge list` in a traceback."""
    seed_library(home)
    bad = seed_library(home, "mul_numbers")
    data = json.loads(bad.read_text(encoding="utf-8"))
    data["metadata"]["jupyter_forge"]["version"] = "NaN"
    bad.write_text(json.dumps(data), encoding="utf-8")
    library = ("--library", str(home / "tools"))
    for command in (
        ("list", *library),
        ("search", "add", *library),
        ("stats", *library),
        ("show", "mul_numbers", *library),
    ):
        proc = run(home, *command)
        assert "Traceback" not in proc.stderr, (command, proc.stderr)
        assert "mul_numbers.ipynb" in proc.stderr and "`version`" in proc.stderr, command
    listed = run(home, "list", *library, "--json")
    assert [t["name"] for t in json.loads(listed.stdout)["tools"]] == ["add"]
