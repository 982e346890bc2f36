"""Composed tools: dependency resolution, the prompt block, sandbox validation, metadata."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from jupyter_forge.core.compose import (
    composition,
    dependency_order,
    describe,
    parse_names,
    sandbox_code,
    standalone_code,
    uses,
)
from jupyter_forge.core.errors import LibraryError, SpecError
from jupyter_forge.core.library import Library, ToolRecord
from jupyter_forge.core.prompt import build_messages, repair_messages, with_context
from jupyter_forge.core.spec import ForgeSpec, Sample, parse_cell
from jupyter_forge.forge import Forge
from jupyter_forge.testing.scripted_llm import ScriptedModel

PARSE_MONEY = '''import re


def _digits(text: str) -> str:
    return re.sub(r"[^0-9.]", "", text)


def parse_money(text: str) -> float:
    """Parse a money string like "$1,234.50" or "(12.00)" into a float.

    Parentheses mean a negative amount.
    """
    t = text.strip()
    value = float(_digits(t))
    return -value if t.startswith("(") else value
'''

# Calls parse_money and has a helper of the same name as parse_money's own helper.
WEEKLY_TOTAL = '''def _digits(values: list[str]) -> int:
    return len(values)


def weekly_total(amounts: list[str]) -> float:
    """Sum money strings, one per day (at most 7)."""
    if _digits(amounts) > 7:
        raise ValueError("a week has 7 days")
    return round(sum(parse_money(a) for a in amounts), 2)
'''

# Depends on weekly_total (which depends on parse_money): a chain of two.
WEEKLY_REPORT = '''def weekly_report(amounts: list[str]) -> str:
    """One line: the week's total."""
    return f"total: {weekly_total(amounts):.2f}"
'''

TOTAL_SAMPLES = [
    Sample('weekly_total(["$1.50", "(0.50)", "$2"])', "example", "3.0"),
    Sample('assert weekly_total(["$1,000"]) == 1000.0', "assert"),
]


def save(library: Library, name: str, code: str, depends: list[str] | None = None) -> ToolRecord:
    from jupyter_forge.core.schema import function_schema, signature_text

    return library.save(
        name=name,
        code=code,
        description=function_schema(code, name)["function"]["description"],
        signature=signature_text(code, name),
        request=f"make {name}",
        model="openai/scripted",
        samples=[],
        schema=function_schema(code, name),
        validation=None,
        depends=depends or [],
    )


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    return Library(tmp_path / "lib", label="project")


@pytest.fixture
def forge(library: Library, tmp_path: Path) -> Forge:
    return Forge(library=str(library.root), user_library="", sample_timeout=20.0)


# -- names and resolution -------------------------------------------------------------


def test_parse_names_splits_commas_and_repeats_once() -> None:
    assert parse_names("a, b,a") == ["a", "b"]
    assert parse_names(["a,b", "c"]) == ["a", "b", "c"]
    assert parse_names(None) == [] and parse_names([]) == []
    with pytest.raises(SpecError, match="--compose 1x: not a tool name") as info:
        parse_names("a,1x")
    assert "\n" not in str(info.value)


def test_dependency_order_puts_dependencies_first(library: Library) -> None:
    save(library, "parse_money", PARSE_MONEY)
    save(library, "weekly_total", WEEKLY_TOTAL, ["parse_money"])
    report = save(library, "weekly_report", WEEKLY_REPORT, ["weekly_total"])

    order = dependency_order([report], library.get)
    assert [r.name for r in order] == ["parse_money", "weekly_total", "weekly_report"]
    # Listed twice (directly and through another tool): still once.
    again = dependency_order([library.get("parse_money"), report], library.get)
    assert [r.name for r in again] == ["parse_money", "weekly_total", "weekly_report"]


def test_a_missing_dependency_is_one_line_naming_it(library: Library) -> None:
    total = save(library, "weekly_total", WEEKLY_TOTAL, ["parse_money"])
    with pytest.raises(LibraryError) as info:
        dependency_order([total], library.get)
    message = str(info.value)
    assert "\n" not in message
    assert "`weekly_total` depends on `parse_money`, which is in no library" in message


def test_a_cycle_is_refused(library: Library) -> None:
    save(library, "ping", "def ping() -> int:\n    return pong()\n", ["pong"])
    pong = save(library, "pong", "def pong() -> int:\n    return ping()\n", ["ping"])
    with pytest.raises(LibraryError, match=r"cycle \(pong -> ping -> pong\)"):
        dependency_order([pong], library.get)


def test_a_tool_cannot_compose_itself_or_what_depends_on_it(library: Library) -> None:
    money = save(library, "parse_money", PARSE_MONEY)
    total = save(library, "weekly_total", WEEKLY_TOTAL, ["parse_money"])
    with pytest.raises(SpecError, match="cannot compose itself"):
        composition("parse_money", [money], library.get)
    with pytest.raises(SpecError, match="already depend on `parse_money`"):
        composition("parse_money", [total], library.get)


def test_uses_is_what_the_code_calls_and_does_not_define() -> None:
    assert uses(WEEKLY_TOTAL, ["parse_money", "other"]) == ["parse_money"]
    own = WEEKLY_TOTAL + "\n\ndef parse_money(text: str) -> float:\n    return 0.0\n"
    assert uses(own, ["parse_money"]) == []
    assert uses("def f(xs: list[str]) -> list[float]:\n    return list(map(g, xs))\n", ["g"]) == [
        "g"
    ]
    assert uses("def f(:\n", ["g"]) == []


# -- the prompt ---------------------------------------------------------------------


def test_prompt_shows_dependency_signatures_and_docstrings_not_code(library: Library) -> None:
    money = save(library, "parse_money", PARSE_MONEY)
    block = describe([money])
    spec = parse_cell("weekly_total", "Sum a week of money strings.\n>>> weekly_total(['$1'])\n1.0")
    user = build_messages(spec, context=block)[1]["content"]

    assert "- `parse_money(text: str) -> float`" in user
    assert 'Parse a money string like "$1,234.50" or "(12.00)" into a float.' in user
    assert "Parentheses mean a negative amount." in user
    assert "do not import, copy or redefine them" in user
    assert "_digits" not in user and "re.sub" not in user  # signatures, not code
    # After the task, before the checks.
    assert user.index("Sum a week") < user.index("parse_money(text") < user.index("must pass")


def test_context_survives_repairs_and_is_added_once() -> None:
    spec = ForgeSpec("f", "Do it.", (Sample("assert f() == 1", "assert"),))
    base = build_messages(spec)
    repaired = repair_messages(base, "nope", "f")
    again = with_context(with_context(repaired, "CONTEXT BLOCK"), "CONTEXT BLOCK")
    user = again[-1]["content"]
    assert user.count("CONTEXT BLOCK") == 1
    assert user.index("Do it.") < user.index("CONTEXT BLOCK") < user.index("A previous attempt")
    assert with_context(base, "") == base


# -- validation in the sandbox -------------------------------------------------------


def test_sandbox_code_keeps_the_candidates_lines_first(library: Library) -> None:
    money = save(library, "parse_money", PARSE_MONEY)
    code = sandbox_code(WEEKLY_TOTAL, [money], ["parse_money"])
    assert code.startswith(WEEKLY_TOTAL.rstrip("\n"))
    assert sandbox_code(WEEKLY_TOTAL, [], []) == WEEKLY_TOTAL


def test_composed_candidate_passes_in_the_sandbox_with_its_dependency(
    library: Library, forge: Forge
) -> None:
    money = save(library, "parse_money", PARSE_MONEY)
    composed = forge.composition("weekly_total", [money])
    assert composed is not None

    report = forge.validate_code(WEEKLY_TOTAL, "weekly_total", TOTAL_SAMPLES, composition=composed)
    assert report.passed, report.summary()
    assert composed.depends(WEEKLY_TOTAL) == ["parse_money"]


def test_without_the_dependency_validation_fails_naming_it(forge: Forge) -> None:
    report = forge.validate_code(WEEKLY_TOTAL, "weekly_total", TOTAL_SAMPLES)
    assert not report.passed
    assert "NameError" in report.failures[0].error
    assert "parse_money" in report.failures[0].error


def test_transitive_dependencies_are_defined_in_their_own_namespaces(
    library: Library, forge: Forge
) -> None:
    save(library, "parse_money", PARSE_MONEY)
    total = save(library, "weekly_total", WEEKLY_TOTAL, ["parse_money"])
    composed = forge.composition("weekly_report", [total])
    assert composed is not None
    assert [r.name for r in composed.closure] == ["parse_money", "weekly_total"]
    samples = [Sample('weekly_report(["$1", "(2)"])', "example", "'total: -1.00'")]

    report = forge.validate_code(WEEKLY_REPORT, "weekly_report", samples, composition=composed)
    assert report.passed, report.summary()
    # The candidate sees only what it composes directly, not parse_money.
    leak = [Sample("parse_money('$1')", "example", "1.0")]
    leaked = forge.validate_code(WEEKLY_REPORT, "weekly_report", leak, composition=composed)
    assert not leaked.passed and "parse_money" in leaked.failures[0].error


def test_a_failing_composed_candidate_keeps_its_own_line_numbers(
    library: Library, forge: Forge
) -> None:
    money = save(library, "parse_money", PARSE_MONEY)
    composed = forge.composition("weekly_total", [money])
    samples = [Sample('weekly_total(["$1"] * 8)', "example", "8.0")]
    report = forge.validate_code(WEEKLY_TOTAL, "weekly_total", samples, composition=composed)
    failure = report.failures[0]
    assert "ValueError: a week has 7 days" in failure.traceback
    line = WEEKLY_TOTAL.splitlines().index('        raise ValueError("a week has 7 days")') + 1
    assert f"line {line}, in weekly_total" in failure.traceback


# -- the whole forge with a scripted model, and the stored metadata ------------------


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    with ScriptedModel() as sm:
        yield sm


def test_forge_create_composes_and_save_records_depends(
    library: Library, forge: Forge, model: ScriptedModel
) -> None:
    money = save(library, "parse_money", PARSE_MONEY)
    forge.model, forge.api_base = model.model, model.api_base
    # First answer forgets the dependency exists and fails; the repair prompt still shows it.
    model.push(
        "```python\ndef weekly_total(amounts: list[str]) -> float:\n"
        '    """Sum."""\n    return float(len(amounts))\n```',
        f"```python\n{WEEKLY_TOTAL}```",
    )
    spec = ForgeSpec("weekly_total", "Sum a week of money strings.", tuple(TOTAL_SAMPLES))

    result = forge.create(spec, compose=[money], attempts=2)
    assert result.passed, result.status_line()
    assert result.code is not None and "def parse_money" not in result.code
    for request in model.requests:
        user = request["messages"][-1]["content"]
        assert "- `parse_money(text: str) -> float`" in user
        assert "Parentheses mean a negative amount." in user

    record = forge.save(result, depends=["parse_money"])
    assert record.depends == ["parse_money"]
    meta = nbformat.read(record.path, as_version=4).metadata["jupyter_forge"]
    assert meta["depends"] == ["parse_money"]
    assert library.get("weekly_total").depends == ["parse_money"]
    assert library.get("parse_money").depends == []  # the default: nothing


def test_old_notebooks_without_depends_read_as_none(library: Library) -> None:
    record = save(library, "parse_money", PARSE_MONEY)
    nb = nbformat.read(record.path, as_version=4)
    del nb.metadata["jupyter_forge"]["depends"]
    nbformat.write(nb, record.path)
    assert library.get("parse_money").depends == []


def test_rollback_keeps_depends(library: Library) -> None:
    save(library, "parse_money", PARSE_MONEY)
    save(library, "weekly_total", WEEKLY_TOTAL, ["parse_money"])
    save(library, "weekly_total", WEEKLY_TOTAL.replace("2)", "3)"), ["parse_money"])
    assert library.rollback("weekly_total", 1).depends == ["parse_money"]


def test_long_docstrings_are_cut_in_the_prompt(library: Library) -> None:
    long_doc = "\n".join(f"    line {i}" for i in range(30))
    code = f'def chatty() -> int:\n    """Chatty.\n\n{long_doc}\n    """\n    return 1\n'
    block = describe([save(library, "chatty", code)])
    assert "line 9" in block and "line 10" not in block and block.endswith("...")


def test_standalone_code_runs_a_stored_composed_tool_alone(library: Library) -> None:
    from jupyter_forge.sandbox.call import call_tool

    save(library, "parse_money", PARSE_MONEY)
    total = save(library, "weekly_total", WEEKLY_TOTAL, ["parse_money"])
    code = standalone_code(total, library.get)
    result = call_tool(code, "weekly_total", {"amounts": ["$2", "(0.5)"]})
    assert result.ok, result.error
    assert result.value == 1.5
    money = library.get("parse_money")
    assert standalone_code(money, library.get) == money.code  # nothing added

    nb = nbformat.read(library.path_for("parse_money"), as_version=4)
    nb.metadata["jupyter_forge"]["description"] = "changed by someone else"
    nbformat.write(nb, library.path_for("parse_money"))
    with pytest.raises(LibraryError, match="`weekly_total` calls `parse_money`, not trusted"):
        standalone_code(total, library.get)
