"""``%%forge --compose`` / ``--template`` and loading composed tools, in a real IPython shell."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import nbformat
from ipywidgets.widgets.widget import _instances as widget_instances
from kernel_helpers import (
    PARSE_MONEY_CELL,
    PARSE_MONEY_CODE,
    PARSE_MONEY_REPLY,
    Kernel,
    click,
    reply_for,
    user_prompt,
    widget_outputs,
)

from jupyter_forge.core.errors import ForgeError, LibraryError, SpecError
from jupyter_forge.core.library import Library
from jupyter_forge.kernel.approval import ApprovalWidget
from jupyter_forge.testing.scripted_llm import ScriptedModel

WEEKLY_TOTAL_CODE = '''def weekly_total(amounts: list[str]) -> float:
    """Sum a week of money strings."""
    return round(sum(parse_money(a) for a in amounts), 2)
'''

WEEKLY_TOTAL = """%%forge weekly_total --compose parse_money --approve auto
Add up a week of money strings.
>>> weekly_total(["$1.50", "(0.50)", "$2"])
3.0
"""


def forge_both(kernel: Kernel, model: ScriptedModel) -> Any:
    model.push(PARSE_MONEY_REPLY)
    kernel.ok("%%forge parse_money --approve auto\n" + PARSE_MONEY_CELL)
    model.push(reply_for(WEEKLY_TOTAL_CODE))
    return kernel.ok(WEEKLY_TOTAL)


def tool_path(kernel: Kernel, name: str) -> Path:
    return kernel.library / f"{name}.ipynb"


def tamper(path: Path, old: str, new: str) -> None:
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("jupyter_forge", {}).get("role") == "tool")
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    nbformat.write(nb, path)


def the_widget(captured: Any) -> ApprovalWidget:
    (view,) = widget_outputs(captured)
    widget = widget_instances[view["model_id"]]
    assert isinstance(widget, ApprovalWidget)
    return widget


def test_forge_a_composed_tool_and_call_it(kernel: Kernel, model: ScriptedModel) -> None:
    _, captured = forge_both(kernel, model)

    assert kernel.ns["weekly_total"](["$1,000", "(1.25)"]) == 998.75
    prompt = user_prompt(model, 1)
    assert "- `parse_money(text: str) -> float`" in prompt
    assert 'Parse a money string like "$1,234.50" or "(12.00)" into a float.' in prompt
    meta = nbformat.read(tool_path(kernel, "weekly_total"), as_version=4).metadata
    assert meta["jupyter_forge"]["depends"] == ["parse_money"]
    assert "It calls parse_money." in captured.stdout + str(captured.outputs[-1].data)
    # Its own module sees parse_money; the user namespace gets nothing extra.
    tool = kernel.magics.registry.get("weekly_total")
    assert tool.depends == ("parse_money",)
    assert tool.module.parse_money is kernel.ns["parse_money"]


def test_composing_a_deprecated_tool_warns(kernel: Kernel, model: ScriptedModel) -> None:
    model.push(PARSE_MONEY_REPLY)
    kernel.ok("%%forge parse_money --approve auto\n" + PARSE_MONEY_CELL)
    kernel.ok('%forge deprecate parse_money --reason "use parse_amount"')
    model.push(reply_for(WEEKLY_TOTAL_CODE))
    _, captured = kernel.ok(WEEKLY_TOTAL)
    assert "warning: --compose `parse_money` is deprecated (use parse_amount)" in captured.stdout
    assert kernel.ns["weekly_total"](["$1"]) == 1.0


def test_approving_loads_a_dependency_that_is_not_in_the_kernel(
    kernel: Kernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_REPLY)
    kernel.ok("%%forge parse_money --approve auto\n" + PARSE_MONEY_CELL)
    kernel.restart()
    assert "parse_money" not in kernel.ns
    model.push(reply_for(WEEKLY_TOTAL_CODE))
    kernel.ok(WEEKLY_TOTAL)
    assert kernel.ns["weekly_total"](["$2", "$3"]) == 5.0
    assert callable(kernel.ns["parse_money"])


def test_compose_with_an_unknown_name_is_one_line(kernel: Kernel, model: ScriptedModel) -> None:
    _, captured = kernel.fails(WEEKLY_TOTAL.replace("parse_money", "parse_monee", 1), SpecError)
    assert "--compose parse_monee: no tool `parse_monee` in the libraries" in captured.stdout
    assert model.requests == []  # nothing was asked


def test_compose_refuses_an_untrusted_dependency(kernel: Kernel, model: ScriptedModel) -> None:
    model.push(PARSE_MONEY_REPLY)
    kernel.ok("%%forge parse_money --approve auto\n" + PARSE_MONEY_CELL)
    tamper(tool_path(kernel, "parse_money"), "return -value", "return -1 * value")

    _, captured = kernel.fails(WEEKLY_TOTAL, SpecError)
    assert "`parse_money` not trusted on this machine" in captured.stdout
    assert "%forge load parse_money" in captured.stdout
    assert len(model.requests) == 1


def test_load_puts_dependencies_first(kernel: Kernel, model: ScriptedModel) -> None:
    forge_both(kernel, model)
    kernel.restart()

    note = kernel.ok("%forge load weekly_total")[0].result

    assert "Loaded 2 tool(s)" in note.text
    assert note.text.index("parse_money") < note.text.index("weekly_total")
    assert list(kernel.magics.registry.tools) == ["parse_money", "weekly_total"]
    assert kernel.ns["weekly_total"](["(1)", "$3"]) == 2.0
    # Loading everything (alphabetical listing) still installs each tool once, in order.
    kernel.restart()
    note = kernel.ok("%forge load")[0].result
    assert "Loaded 2 tool(s)" in note.text and kernel.ns["weekly_total"](["$1"]) == 1.0


def test_show_names_what_a_tool_calls(kernel: Kernel, model: ScriptedModel) -> None:
    forge_both(kernel, model)
    note = kernel.ok("%forge show weekly_total")[0].result
    assert "calls: parse_money (loaded first by %forge load)" in note.text
    assert "calls:" not in kernel.ok("%forge show parse_money")[0].result.text


def test_load_names_packages_a_dependency_needs(kernel: Kernel, model: ScriptedModel) -> None:
    """A dependency's missing third-party imports are reported with the install command."""
    from jupyter_forge.core.schema import signature_text

    Library(kernel.library).save(
        name="parse_money",
        code=PARSE_MONEY_CODE,
        description="Parse money.",
        signature=signature_text(PARSE_MONEY_CODE, "parse_money"),
        request="Parse money.",
        model="openai/scripted",
        samples=[],
        schema=None,
        validation=None,
        requirements=["sklearn", "jupyter_forge_not_a_real_package"],
    )
    model.push(reply_for(WEEKLY_TOTAL_CODE))
    kernel.ok(WEEKLY_TOTAL)
    kernel.restart()

    note = kernel.ok("%forge load weekly_total")[0].result

    assert callable(kernel.ns["weekly_total"])  # loading never installs anything itself
    assert "Tools need packages that are not installed" in note.text
    assert "%pip install" in note.text and "jupyter_forge_not_a_real_package" in note.text
    # Import names map to PyPI names; an installed package is not asked for.
    sklearn_missing = importlib.util.find_spec("sklearn") is None
    assert ("scikit-learn" in note.text) == sklearn_missing


def test_untrusted_dependency_is_reviewed_not_run(kernel: Kernel, model: ScriptedModel) -> None:
    forge_both(kernel, model)
    tamper(tool_path(kernel, "parse_money"), "return -value", "return -1 * value")
    kernel.restart()

    result, captured = kernel.ok("%forge load weekly_total")

    assert "parse_money" not in kernel.ns and "weekly_total" not in kernel.ns
    assert "need your review above before they run: parse_money" in result.result.text
    assert "Waiting for those reviews: weekly_total" in result.result.text
    widget = the_widget(captured)
    assert "NOT trusted" in widget.header.value and "-1 * value" in (widget.result.code or "")

    click(widget.approve_button)
    assert kernel.ns["parse_money"]("(3)") == -3.0
    kernel.ok("%forge load weekly_total")
    assert kernel.ns["weekly_total"](["(3)", "$1"]) == -2.0


def test_loading_with_a_missing_dependency_is_one_line(
    kernel: Kernel, model: ScriptedModel
) -> None:
    forge_both(kernel, model)
    tool_path(kernel, "parse_money").unlink()
    kernel.restart()

    _, captured = kernel.fails("%forge load weekly_total", LibraryError)
    assert "`weekly_total` depends on `parse_money`, which is in no library" in captured.stdout
    assert "weekly_total" not in kernel.ns
    # Loading everything skips it with the same reason and loads nothing half-working.
    _, captured = kernel.ok("%forge load")
    assert "skipped: `weekly_total` depends on `parse_money`" in captured.stdout
    assert "weekly_total" not in kernel.ns


def test_reforging_a_dependency_rebinds_its_loaded_dependents(
    kernel: Kernel, model: ScriptedModel
) -> None:
    forge_both(kernel, model)
    v2 = PARSE_MONEY_CODE.replace(
        'value = float(re.sub(r"[^0-9.]", "", t))',
        'value = float(re.sub(r"[^0-9.]", "", t.replace("EUR", "")))',
    )
    assert v2 != PARSE_MONEY_CODE
    model.push(reply_for(v2))

    _, captured = kernel.ok("%%forge parse_money --approve auto\n" + PARSE_MONEY_CELL)

    text = str(captured.outputs[-1].data)
    assert "Loaded tools that call it now use this version: weekly_total" in text
    assert kernel.magics.registry.get("weekly_total").module.parse_money is kernel.ns["parse_money"]
    assert kernel.ns["weekly_total"](["1EUR", "$1"]) == 2.0


def test_a_composed_tool_that_defines_the_name_itself_keeps_its_own(
    kernel: Kernel, model: ScriptedModel
) -> None:
    forge_both(kernel, model)
    registry, ns = kernel.magics.registry, kernel.ns
    own = WEEKLY_TOTAL_CODE.replace("weekly_total", "own_total")
    own += "\n\ndef parse_money(text: str) -> float:\n    return 100.0\n"
    registry.install(ns, name="own_total", code=own, schema=None, depends=["parse_money"])
    registry.install(ns, name="parse_money", code=PARSE_MONEY_CODE, schema=None, version=9)
    assert ns["own_total"](["$1"]) == 100.0


def test_registry_refuses_a_composed_tool_before_its_dependency(kernel: Kernel) -> None:
    registry = kernel.magics.registry
    try:
        registry.install(
            kernel.ns, name="weekly_total", code=WEEKLY_TOTAL_CODE, schema=None, depends=["x"]
        )
    except ForgeError as exc:
        assert (
            str(exc) == "`weekly_total` calls `x`, not loaded in this kernel: %forge load x first"
        )
    else:
        raise AssertionError("installed without its dependency")


# -- templates ------------------------------------------------------------------------


def test_templates_command_lists_builtins_and_library_templates(kernel: Kernel) -> None:
    folder = kernel.library / "templates"
    folder.mkdir(parents=True)
    (folder / "sql.md").write_text("# sql: parameterised queries\n\nUse ? placeholders.\n")
    (folder / "api.md").write_text("# api: our client\n\nUse the house client.\n")

    table = kernel.ok("%forge templates")[0].result
    rows = {row[0]: row for row in table.rows}
    assert list(rows) == ["api", "file", "parser", "sql", "transform"]
    assert rows["sql"][1] == "parameterised queries"
    assert rows["api"][2] == str(kernel.library) and rows["file"][2] == "built-in"


def test_template_guidance_reaches_the_model(kernel: Kernel, model: ScriptedModel) -> None:
    model.push(PARSE_MONEY_REPLY)
    kernel.ok("%%forge parse_money --template parser --approve auto\n" + PARSE_MONEY_CELL)
    prompt = user_prompt(model)
    assert "the `parser` template" in prompt and "raise `ValueError`" in prompt


def test_unknown_template_fails_before_the_model(kernel: Kernel, model: ScriptedModel) -> None:
    _, captured = kernel.fails(
        "%%forge parse_money --template nope\n" + PARSE_MONEY_CELL, SpecError
    )
    assert "available: api, file, parser, transform" in captured.stdout
    assert model.requests == []
    assert not Library(kernel.library).exists("parse_money")


def test_a_composed_tool_is_checked_with_what_it_calls_before_it_is_offered(
    kernel: Kernel, model: ScriptedModel
) -> None:
    forge_both(kernel, model)
    kernel.ok("del weekly_total")
    asked = len(model.requests)
    _, captured = kernel.ok(
        '%%forge week_sum\nAdd up a week of money strings.\n>>> week_sum(["$1.50", "(0.50)", "$2"])\n3.0'
    )
    assert len(model.requests) == asked  # offered: it passed the samples with parse_money
    shown = " ".join(o.data.get("text/plain", "") for o in captured.outputs)
    assert "already does this: `weekly_total`" in shown
    assert "It passes this cell's 1 sample(s) in the sandbox." in shown
    assert kernel.ns["weekly_total"](["$1", "$2"]) == 3.0
