"""Templates: built-in files, user overrides and extensions, prompt guidance, generated checks."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from jupyter_forge.core.errors import SpecError
from jupyter_forge.core.prompt import build_messages
from jupyter_forge.core.spec import ForgeSpec, Sample, parse_cell
from jupyter_forge.core.templates import (
    BUILTIN_DIR,
    apply_checks,
    available,
    get_template,
    guidance,
    input_unchanged_checks,
    input_unchanged_samples,
)
from jupyter_forge.forge import Forge
from jupyter_forge.testing.scripted_llm import ScriptedModel

MUTATING = '''import pandas as pd


def add_total(df: pd.DataFrame) -> pd.DataFrame:
    """Add a total column (in place: wrong for a transform)."""
    df["total"] = df["a"] + df["b"]
    return df
'''

PURE = '''import pandas as pd


def add_total(df: pd.DataFrame) -> pd.DataFrame:
    """Add a total column to a copy."""
    df = df.copy()
    df["total"] = df["a"] + df["b"]
    return df
'''


def write(folder: Path, name: str, text: str) -> Path:
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    path = folder / "templates" / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_four_builtins_are_plain_files_with_a_summary() -> None:
    templates = available()
    assert list(templates) == ["api", "file", "parser", "transform"]
    for template in templates.values():
        assert template.origin == "built-in"
        assert template.path.parent == BUILTIN_DIR and template.path.suffix == ".md"
        assert template.summary and not template.summary.startswith(template.name)
        assert len(template.guidance) > 100
    assert templates["transform"].checks == ("input-unchanged",)


def test_builtin_guidance_says_what_the_issue_asks() -> None:
    api = get_template("api").guidance
    assert "timeout=" in api and "Retry" in api and "os.environ" in api
    assert "Never write a key" in api
    assert "df.copy()" in get_template("transform").guidance
    assert "only the paths passed in" in get_template("file").guidance
    assert "raise `ValueError`" in get_template("parser").guidance


def test_unknown_template_is_one_line_listing_the_available(tmp_path: Path) -> None:
    write(tmp_path, "sql", "# sql: a query helper\n\nUse parameters.\n")
    with pytest.raises(SpecError) as info:
        get_template("nope", [tmp_path])
    message = str(info.value)
    assert "\n" not in message
    assert "--template nope: no such template (available: api, file, parser, sql, transform)" in (
        message
    )


def test_a_library_template_adds_and_overrides(tmp_path: Path) -> None:
    project, user = tmp_path / "project", tmp_path / "user"
    write(user, "sql", "# sql: user version\n\nUser SQL guidance.\n")
    write(project, "sql", "# sql: project version\n\nProject SQL guidance.\n")
    write(project, "api", "# api: our API house style\n\nAlways use the company client.\n")

    templates = available([project, user])
    assert templates["sql"].summary == "project version"  # earlier library wins
    assert templates["sql"].origin == str(project)
    api = get_template("api", [project, user])
    assert api.guidance == "Always use the company client." and api.origin == str(project)
    assert "timeout=" not in api.guidance  # replaced, not merged
    assert available()["api"].origin == "built-in"  # other projects keep the built-in


def test_extends_keeps_the_builtin_and_adds(tmp_path: Path) -> None:
    write(tmp_path, "transform", "# transform: ours\n\nextends: transform\n\nUse polars.\n")
    write(tmp_path, "etl", "# etl: loading jobs\nextends: file\ncheck: input-unchanged\nLog.\n")
    transform = get_template("transform", [tmp_path])
    assert transform.guidance.startswith(get_template("transform").guidance)
    assert transform.guidance.endswith("Use polars.")
    assert transform.checks == ("input-unchanged",)
    etl = get_template("etl", [tmp_path])
    assert "only the paths passed in" in etl.guidance and etl.guidance.endswith("Log.")
    assert etl.checks == ("input-unchanged",)

    write(tmp_path, "bad", "# bad\nextends: nothing\nx\n")
    with pytest.raises(SpecError, match="`extends: nothing` names no template"):
        get_template("bad", [tmp_path])
    write(tmp_path, "weird", "# weird\ncheck: telepathy\nx\n")
    with pytest.raises(SpecError, match="unknown check `telepathy`"):
        available([tmp_path])


def test_guidance_goes_into_the_prompt() -> None:
    spec = parse_cell("fetch_rates", "Get exchange rates from the rates API.")
    user = build_messages(spec, context=guidance(get_template("api")))[1]["content"]
    assert "Follow this guidance (the `api` template: wrap an HTTP API" in user
    assert "Never write a key, token or password literally" in user


# -- the input-unchanged check ---------------------------------------------------------


def test_input_unchanged_sample_per_call_on_a_kernel_variable() -> None:
    spec = parse_cell(
        "add_total",
        "Add a total column.\n>>> add_total(df)['total'].tolist()\n[4, 6]\n"
        "assert add_total(df).shape == (2, 3)\nassert add_total(make())['total'][0] == 1\n",
    )
    extra = input_unchanged_samples(spec, {"df"})
    assert len(extra) == 1  # one distinct call on a variable; make() is not a variable
    assert extra[0].kind == "code" and extra[0].origin == "template check: input-unchanged"
    assert "add_total(df)" in extra[0].source
    checked = apply_checks(spec, get_template("transform"), {"df"})
    assert checked.samples[0] == extra[0]  # first: before any sample could change df
    assert checked.samples[1:] == spec.samples
    assert apply_checks(spec, get_template("api"), {"df"}) is spec


def run_samples(code: str, samples: tuple[Sample, ...], df: pd.DataFrame) -> list[str]:
    forge = Forge(sample_timeout=20.0)
    report = forge.validate_code(code, "add_total", samples, inputs={"df": pickle.dumps(df)})
    return [r.error or "" for r in report.results if not r.passed]


def test_the_generated_check_catches_a_mutating_transform_in_the_sandbox() -> None:
    df = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    spec = ForgeSpec(
        "add_total", "Add a total column.", (Sample("add_total(df).shape", "example", "(2, 3)"),)
    )
    checked = apply_checks(spec, get_template("transform"), {"df"})

    errors = run_samples(MUTATING, checked.samples, df)
    assert len(errors) == 1
    assert "add_total changed its input `df`: work on a copy (df.copy())" in errors[0]
    assert run_samples(PURE, checked.samples, df) == []


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    with ScriptedModel() as sm:
        yield sm


def test_forge_create_with_a_template(
    tmp_path: Path, model: ScriptedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    forge = Forge(
        library=str(tmp_path / "lib"),
        user_library="",
        model=model.model,
        api_base=model.api_base,
        sample_timeout=20.0,
    )
    model.push(f"```python\n{MUTATING}```", f"```python\n{PURE}```")
    spec = ForgeSpec(
        "add_total", "Add a total column.", (Sample("add_total(df).shape", "example", "(2, 3)"),)
    )
    namespace = {"df": pd.DataFrame({"a": [1, 2], "b": [3, 4]})}

    result = forge.create(spec, template="transform", namespace=namespace, attempts=2)
    assert result.passed, result.status_line()
    first, second = (r["messages"][-1]["content"] for r in model.requests)
    assert "Follow this guidance (the `transform` template" in first
    assert "changed its input `df`" in second  # the repair knows why attempt 1 failed
    assert result.spec.samples[0].origin == "template check: input-unchanged"
    assert namespace["df"].columns.tolist() == ["a", "b"]  # nothing ran here

    write(tmp_path / "lib", "house", "# house: our style\n\nName things well.\n")
    model.push(f"```python\n{PURE}```")
    result = forge.create(spec, template="house", namespace=namespace)
    assert "Name things well." in model.requests[-1]["messages"][-1]["content"]
    with pytest.raises(SpecError, match="available: api, file, house, parser, transform"):
        forge.create(spec, template="nope", namespace=namespace)


def test_input_unchanged_checks_are_offered_once_per_call_on_a_kernel_variable() -> None:
    spec = parse_cell(
        "top_region",
        "The region with the most revenue.\n"
        ">>> top_region(sales)\n'north'\n"
        ">>> top_region(sales)\n'north'\n"  # the same call twice: one check
        ">>> top_region(local)\n'x'\n",  # not a kernel variable
    )
    (check,) = input_unchanged_checks(spec, {"sales"})
    assert check.text == "top_region(sales)  # leaves `sales` as it was"
    assert check.rule == "leaves its input unchanged"
    assert check.sample.origin == "input unchanged"
    assert "changed its input `sales`: work on a copy (sales.copy())" in check.sample.source
    assert input_unchanged_checks(spec, set()) == []
