"""``%%forge`` and ``%forge`` in a real IPython shell, against the scripted model.

Every failure path asserts that the CELL FAILS (``result.success`` is False and
``error_in_exec`` is the ForgeError) with a one-line message, never print-and-succeed.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from ipywidgets.widgets.widget import _instances as widget_instances
from kernel_helpers import (
    PARSE_MONEY_CELL,
    PARSE_MONEY_CODE,
    PARSE_MONEY_REPLY,
    PARSE_MONEY_WRONG,
    Kernel,
    click,
    interrupt_while_streaming,
    reply_for,
    set_from_front_end,
    state_line,
    user_prompt,
    widget_outputs,
)
from second_opinion_cases import CELL, GUARDED, UNGUARDED, WRONG, WRONG_THREE, WRONG_TOO

from jupyter_forge.core.errors import (
    ForgeCancelled,
    ForgeError,
    LibraryError,
    ModelError,
    SpecError,
)
from jupyter_forge.core.library import Library
from jupyter_forge.kernel.approval import ApprovalWidget
from jupyter_forge.kernel.options import HELP
from jupyter_forge.kernel.views import Note, Table
from jupyter_forge.testing.scripted_llm import ScriptedModel

FORGE_AUTO = "%%forge parse_money --approve auto\n" + PARSE_MONEY_CELL
FORGE_WIDGET = "%%forge parse_money\n" + PARSE_MONEY_CELL


def tool_path(kernel: Kernel, name: str = "parse_money") -> Path:
    return kernel.library / f"{name}.ipynb"


def stored(kernel: Kernel, name: str = "parse_money") -> dict[str, Any]:
    nb = nbformat.read(tool_path(kernel, name), as_version=4)
    meta: dict[str, Any] = dict(nb.metadata["jupyter_forge"])
    return meta


def forge_auto(kernel: Kernel, model: ScriptedModel, reply: str = PARSE_MONEY_REPLY) -> None:
    model.push(reply)
    kernel.ok(FORGE_AUTO)
    assert callable(kernel.ns["parse_money"])


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- %%forge: approval modes --------------------------------------------------------


def test_auto_approve_defines_the_function_and_writes_the_notebook(
    kernel: Kernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_REPLY)
    _, captured = kernel.ok(FORGE_AUTO)

    assert kernel.ns["parse_money"]("$3.50") == 3.5
    assert kernel.ns["parse_money"]("(1,000.00)") == -1000.0
    meta = stored(kernel)
    assert meta["name"] == "parse_money" and meta["version"] == 1
    assert meta["approved"]["how"] == "auto"
    assert meta["validation"]["passed"] is True
    # The example call the model added was dropped, not saved or run.
    assert "print(" not in kernel.magics.registry.get("parse_money").code
    assert Library(kernel.library).get("parse_money").trusted
    text = "\n".join(o.data.get("text/plain", "") for o in captured.outputs)
    assert "Approved: `parse_money` v1" in text and "--approve auto" in text
    assert model.pending == 0


def test_auto_approve_steps_back_from_a_doubtful_tool_to_the_widget(
    kernel: Kernel, model: ScriptedModel
) -> None:
    """Passing the samples is not enough to approve unseen: a tool breaking a check from
    its words goes to a person, and nothing runs or is saved meanwhile."""
    model.checks = '```python\n# "Parse a money string"\nassert parse_money("$2") == 3.0\n```'
    model.push(PARSE_MONEY_REPLY)
    result, _ = kernel.fails(
        FORGE_AUTO.replace("--approve auto", "--approve auto --attempts 1"), ForgeError
    )

    assert "parse_money" not in kernel.ns and not tool_path(kernel).exists()
    message = str(result.error_in_exec)
    assert message.startswith("auto-approve stepped back for `parse_money`: it passes its")
    assert "breaks checks from your words" in message and "\n" not in message
    widget = kernel.magics.pending["parse_money"]
    assert isinstance(widget, ApprovalWidget) and widget.result.verdict == "doubtful"
    assert "⚠ doubtful" in widget.header.value and not widget.approve_button.disabled


PAYLOAD_TARGET = "/tmp/jupyter_forge_payload_{tag}"
# Prompt-injected answers that pass the samples and carry a payload the sandbox blocks
# (and the code swallows), so only what the sandbox recorded or the code shows betrays it.
PAYLOADS = {
    "write_swallowed": (
        "def parse_money(text: str) -> float:\n"
        '    """Parse money."""\n'
        "    try:\n"
        "        (lambda: 0).__globals__['__builtins__']['open']('{target}', 'w').write('x')\n"
        "    except Exception:\n"
        "        pass\n"
        "    text = text.strip().replace('$', '').replace(',', '')\n"
        "    if text.startswith('(') and text.endswith(')'):\n"
        "        return -float(text[1:-1])\n"
        "    return float(text)\n"
    ),
    "definition_time": (
        "def _touch() -> int:\n"
        "    try:\n"
        "        open('{target}', 'w').write('x')\n"
        "    except Exception:\n"
        "        pass\n"
        "    return 1\n\n"
        "SCALE = _touch()\n\n"
        "def parse_money(text: str) -> float:\n"
        '    """Parse money."""\n'
        "    text = text.strip().replace('$', '').replace(',', '')\n"
        "    if text.startswith('(') and text.endswith(')'):\n"
        "        return -float(text[1:-1]) * SCALE\n"
        "    return float(text) * SCALE\n"
    ),
}


@pytest.mark.parametrize("tag", sorted(PAYLOADS))
def test_auto_approve_refuses_a_payload_that_passes_its_samples(
    kernel: Kernel, model: ScriptedModel, tag: str
) -> None:
    """A red-team class under --approve auto in a real kernel: refused, nothing of it runs."""
    target = Path(PAYLOAD_TARGET.format(tag=tag))
    target.unlink(missing_ok=True)
    model.push(reply_for(PAYLOADS[tag].replace("{target}", str(target))))
    result, _ = kernel.fails(
        FORGE_AUTO.replace("--approve auto", "--approve auto --attempts 1"), ForgeError
    )
    message = str(result.error_in_exec)
    assert message.startswith("auto-approve stepped back for `parse_money`:"), message
    assert "which a person must read" in message and "\n" not in message
    assert "parse_money" not in kernel.ns and not tool_path(kernel).exists()
    assert not target.exists()  # neither validation nor the kernel ran the payload
    widget = kernel.magics.pending["parse_money"]
    assert widget.result.passed  # it did pass its samples: only a person may approve it


def test_re_forging_a_saved_name_says_it_makes_the_next_version(
    kernel: Kernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_REPLY)
    kernel.ok(FORGE_WIDGET)
    first = kernel.magics.pending["parse_money"]
    assert "Approve saves it to" in first.header.value and " v2 " not in first.header.value
    click(first.approve_button)

    model.push(PARSE_MONEY_REPLY)
    kernel.ok(FORGE_WIDGET + "\n")
    second = kernel.magics.pending["parse_money"]
    assert "Approve saves it as v2 of <code>parse_money</code> (v1 kept in its history)" in (
        second.header.value
    )


def test_doctest_samples_in_the_cell_reach_the_model_and_the_sandbox(
    kernel: Kernel, model: ScriptedModel
) -> None:
    """IPython strips `>>>` prompts from cells; the extension must keep them for %%forge."""
    forge_auto(kernel, model)

    prompt = user_prompt(model)
    assert '>>> parse_money("$1,234.50")\n1234.5' in prompt
    assert 'assert parse_money("(12.00)") == -12.0' in prompt
    kinds = [s["kind"] for s in stored(kernel)["samples"]]
    assert kinds == ["example", "assert"]
    assert [r["passed"] for r in stored(kernel)["validation"]["results"]] == [True, True]
    # Ordinary cells still get IPython's prompt stripping.
    result, _ = kernel.ok(">>> 1 + 1")
    assert result.result == 2


def test_env_default_auto_approves(
    kernel: Kernel, model: ScriptedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_FORGE_APPROVE", "auto")
    kernel.restart()  # the default is read when the extension creates its Forge
    assert kernel.magics.forge.approve == "auto"
    model.push(PARSE_MONEY_REPLY)
    _, captured = kernel.ok(FORGE_WIDGET)

    assert kernel.ns["parse_money"]("$2") == 2.0
    assert tool_path(kernel).is_file()
    assert not widget_outputs(captured)
    text = "\n".join(o.data.get("text/plain", "") for o in captured.outputs)
    assert "JUPYTER_FORGE_APPROVE=auto" in text


def test_widget_mode_defines_nothing_until_approve_is_clicked(
    kernel: Kernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_REPLY)
    _, captured = kernel.ok(FORGE_WIDGET)

    widget = kernel.magics.pending["parse_money"]
    assert isinstance(widget, ApprovalWidget)
    assert [w["model_id"] for w in widget_outputs(captured)] == [widget.model_id]
    assert "parse_money" not in kernel.ns
    assert not tool_path(kernel).exists()
    assert not widget.approve_button.disabled

    click(widget.approve_button)

    assert kernel.ns["parse_money"]("$1,234.50") == 1234.5
    assert tool_path(kernel).is_file()
    assert stored(kernel)["approved"]["how"] == "widget"
    assert widget.decision == "approved"
    assert "Approved: <code>parse_money</code> v1" in widget.status.value
    assert "parse_money" not in kernel.magics.pending


def test_widget_reject_defines_and_saves_nothing(kernel: Kernel, model: ScriptedModel) -> None:
    model.push(PARSE_MONEY_REPLY)
    kernel.ok(FORGE_WIDGET)
    widget = kernel.magics.pending["parse_money"]

    click(widget.reject_button)
    click(widget.approve_button)  # too late: the decision is made

    assert widget.decision == "rejected"
    assert "parse_money" not in kernel.ns
    assert not tool_path(kernel).exists()


def test_widget_regenerate_asks_the_model_again(kernel: Kernel, model: ScriptedModel) -> None:
    model.push(PARSE_MONEY_WRONG, PARSE_MONEY_WRONG)
    kernel.fails("%%forge parse_money --attempts 2\n" + PARSE_MONEY_CELL, ForgeError)
    widget = kernel.magics.pending["parse_money"]
    assert widget.approve_button.disabled

    model.push(PARSE_MONEY_REPLY)
    click(widget.regenerate_button)
    widget.wait(30)

    assert len(model.requests) == 3
    assert widget.result.passed and not widget.approve_button.disabled
    assert "passed" in widget.status.value
    click(widget.approve_button)
    assert kernel.ns["parse_money"]("(5)") == -5.0


def test_widget_regenerate_shows_the_failure_skips_repeats_and_streams(
    kernel: Kernel, model: ScriptedModel
) -> None:
    """Regenerate asks for a *different* answer: the earlier code and its failure are in
    the prompt, the same code again is not offered as new, and the tokens stream."""
    model.push(PARSE_MONEY_WRONG, PARSE_MONEY_WRONG)
    kernel.fails("%%forge parse_money --attempts 2\n" + PARSE_MONEY_CELL, ForgeError)
    widget = kernel.magics.pending["parse_money"]
    streamed: list[str] = []
    widget.stream = streamed.append  # type: ignore[method-assign]

    model.push(PARSE_MONEY_WRONG, PARSE_MONEY_REPLY)  # first the same wrong code again
    click(widget.regenerate_button)
    widget.wait(30)

    ask = user_prompt(model, 2)
    assert "An earlier answer was not accepted:" in ask and "failed" in ask
    repeat, fresh = widget.result.attempts
    assert repeat.problems == ["the same code as an answer shown before (not shown as new)"]
    assert fresh.kind == "fresh" and fresh.passed and widget.result.shown is fresh
    assert "An earlier answer" not in user_prompt(model, 3)
    assert widget.result.passed and not widget.approve_button.disabled
    assert "".join(streamed).count("def parse_money") == 2  # both answers streamed
    # The checks from the words depend on the words only: not asked for again.
    assert len(model.check_requests) <= 1


def test_widget_edit_is_revalidated_with_kernel_variables(
    kernel: Kernel, model: ScriptedModel
) -> None:
    kernel.ok("rate = 3")
    model.push(reply_for('def triple(x: int) -> int:\n    """Times three."""\n    return x * 2\n'))
    kernel.fails(
        "%%forge triple --attempts 1\nMultiply by three.\nassert triple(2) == 2 * rate\n",
        ForgeError,
    )
    widget = kernel.magics.pending["triple"]

    click(widget.edit_button)
    set_from_front_end(
        widget.editor,
        value='def triple(x: int) -> int:\n    """Times three."""\n    return x * 3\n',
    )
    click(widget.save_button)
    widget.wait(30)

    assert widget.result.passed, widget.status.value
    # Provenance tells the truth: the person's code, from the model's attempt 1.
    assert "edited by you from attempt 1" in widget.header.value
    assert "1 attempt" not in widget.header.value and "2 attempts" not in widget.header.value
    line = widget.result.status_line()
    assert line.endswith("as you edited it (your edit of attempt 1)"), line
    click(widget.approve_button)
    assert kernel.ns["triple"](5) == 15
    nb = nbformat.read(tool_path(kernel, "triple"), as_version=4)
    assert "return x * 3" in nb.cells[1].source
    edited = nb.metadata["jupyter_forge"]["approved"]["edited"]
    assert edited["from_attempt"] == 1 and edited["by"]
    assert "-    return x * 2" in edited["diff"] and "+    return x * 3" in edited["diff"]
    assert f"edited by **{edited['by']}** from the model's attempt 1" in nb.cells[0].source
    # The saved notebook passes the reader's checks of every metadata field.
    assert Library(kernel.library).get("triple").approved["edited"]["from_attempt"] == 1


def test_the_cell_shows_one_true_state_from_failure_to_approval(
    kernel: Kernel, model: ScriptedModel
) -> None:
    """A failed forge fails the cell with one state line (nothing else printed); an edit
    that passes and the approval each replace it, so the cell never contradicts itself."""
    model.push(reply_for('def triple(x: int) -> int:\n    """Times three."""\n    return x * 2\n'))
    _, captured = kernel.fails(
        "%%forge triple --attempts 1\nMultiply by three.\nassert triple(2) == 6\n", ForgeError
    )
    assert "did not pass after 1 attempt" in state_line(captured)
    assert captured.stdout.strip() == ""  # no second, unreplaceable error line
    widget = kernel.magics.pending["triple"]
    states: list[tuple[str, str]] = []
    settle = widget.on_state
    assert settle is not None
    widget.on_state = lambda line, kind: (states.append((line, kind)), settle(line, kind))

    click(widget.edit_button)
    set_from_front_end(
        widget.editor,
        value='def triple(x: int) -> int:\n    """Times three."""\n    return x * 3\n',
    )
    click(widget.save_button)
    widget.wait(30)
    assert states[-1][1] == "passed" and "as you edited it" in states[-1][0]

    click(widget.approve_button)
    line, kind = states[-1]
    assert kind == "approved" and line.startswith("Approved: `triple` v1")
    assert not any("did not pass" in text for text, _ in states)


def test_failing_forge_in_auto_mode_fails_the_cell_and_changes_nothing(
    kernel: Kernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_WRONG, PARSE_MONEY_WRONG)
    _, captured = kernel.fails(
        "%%forge parse_money --approve auto --attempts 2\n" + PARSE_MONEY_CELL, ForgeError
    )

    assert "did not pass after 2 attempts" in captured.stdout
    assert "nothing was defined or saved" in captured.stdout
    assert "parse_money" not in kernel.ns
    assert not kernel.library.exists()
    assert "parse_money" not in kernel.magics.registry
    assert len(model.requests) == 2
    # The repair request told the model what failed.
    assert "(12.00)" in user_prompt(model, 1)


def test_failing_forge_in_widget_mode_fails_the_cell_but_shows_the_widget(
    kernel: Kernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_WRONG)
    _, captured = kernel.fails("%%forge parse_money -n 1\n" + PARSE_MONEY_CELL, ForgeError)

    widget = kernel.magics.pending["parse_money"]
    assert widget_outputs(captured)[0]["model_id"] == widget.model_id
    assert widget.approve_button.disabled
    click(widget.approve_button)
    assert "parse_money" not in kernel.ns


def test_interrupting_a_forge_ends_with_one_line_and_a_healthy_kernel(
    kernel: Kernel, model: ScriptedModel
) -> None:
    long_answer = PARSE_MONEY_REPLY + "\nMore words." * 300
    model.push({"content": long_answer, "chunk_delay": 0.05})  # ~30 s of streaming
    sent: list[float] = []
    thread = interrupt_while_streaming(model, sent)
    result, captured = kernel.fails(FORGE_WIDGET, ForgeCancelled)
    thread.join(5)
    assert sent and time.monotonic() - sent[0] < 5  # the stream was cut short
    assert isinstance(result.error_in_exec, KeyboardInterrupt)  # still an interrupt to Jupyter
    assert captured.stdout.strip().endswith("ForgeCancelled\x1b[0m: forge cancelled; nothing saved")
    assert "httpx" not in captured.stdout + captured.stderr
    status = [o.data["text/plain"] for o in captured.outputs if "text/plain" in o.data]
    assert status[-1] == "forge · cancelled"
    assert widget_outputs(captured) == []
    assert kernel.magics.pending == {}
    assert "parse_money" not in kernel.ns and "parse_money" not in kernel.magics.registry
    assert not kernel.library.exists()
    # The stream was hung up on, not left running for nobody (a llama.cpp server would
    # go on generating and make the next forge wait).
    deadline = time.monotonic() + 5
    while model.hangups == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert model.hangups == 1

    # The next cells work: plain Python, and a forge that goes all the way.
    kernel.ok("x = 1 + 1")
    assert kernel.ns["x"] == 2
    forge_auto(kernel, model)
    assert kernel.ns["parse_money"]("(12.00)") == -12.0
    assert tool_path(kernel).exists()


def test_no_persist_defines_without_saving(kernel: Kernel, model: ScriptedModel) -> None:
    model.push(PARSE_MONEY_REPLY)
    _, captured = kernel.ok("%%forge parse_money --approve auto --no-persist\n" + PARSE_MONEY_CELL)

    assert kernel.ns["parse_money"]("$7") == 7.0
    assert not tool_path(kernel).exists()
    assert kernel.magics.registry.get("parse_money").path is None
    assert any("not saved (--no-persist)" in o.data.get("text/plain", "") for o in captured.outputs)


def test_library_option_saves_elsewhere(kernel: Kernel, model: ScriptedModel) -> None:
    other = kernel.tmp_path / "other-lib"
    model.push(PARSE_MONEY_REPLY)
    kernel.ok(f"%%forge parse_money --approve auto --library {other}\n" + PARSE_MONEY_CELL)

    assert (other / "parse_money.ipynb").is_file()
    assert not tool_path(kernel).exists()


# -- %%forge: samples ------------------------------------------------------------------


def test_samples_from_a_variable(kernel: Kernel, model: ScriptedModel) -> None:
    kernel.ok("checks = ['assert parse_money(\"$2\") == 2.0', '>>> parse_money(\"(3)\")\\n-3.0']")
    model.push(PARSE_MONEY_REPLY)
    kernel.ok("%%forge parse_money --approve auto --samples checks\nParse money strings.\n")

    prompt = user_prompt(model)
    assert 'assert parse_money("$2") == 2.0' in prompt
    assert '>>> parse_money("(3)")\n-3.0' in prompt
    samples = stored(kernel)["samples"]
    assert [s["origin"] for s in samples] == ["variable checks", "variable checks"]
    assert stored(kernel)["validation"]["passed"] is True


def test_samples_variable_missing_fails_before_the_model(
    kernel: Kernel, model: ScriptedModel
) -> None:
    _, captured = kernel.fails("%%forge parse_money --samples nope\nParse money.\n", SpecError)
    assert "no variable `nope`" in captured.stdout
    assert model.requests == []


@pytest.mark.parametrize(
    ("value", "message"),
    [("42", "is a int"), ("[1, 2]", "sample 0 is a int, not a string")],
)
def test_samples_variable_of_the_wrong_type_fails(
    kernel: Kernel, model: ScriptedModel, value: str, message: str
) -> None:
    kernel.ok(f"checks = {value}")
    _, captured = kernel.fails("%%forge parse_money --samples checks\nParse money.\n", SpecError)
    assert message in captured.stdout
    assert model.requests == []


def test_a_sample_using_a_kernel_dataframe_passes_in_the_sandbox(
    kernel: Kernel, model: ScriptedModel
) -> None:
    pd = pytest.importorskip("pandas")
    kernel.ok(
        "import pandas as pd\ndf = pd.DataFrame({'price': ['$987.65', '(2.00)'], 'qty': [3, 4]})"
    )
    code = '''import pandas as pd


def clean_prices(prices: pd.Series) -> list[float]:
    """Turn price strings like "$1.50" or "(2.00)" into floats."""
    out = []
    for text in prices:
        value = float(text.strip("()$").replace(",", ""))
        out.append(-value if text.startswith("(") else value)
    return out
'''
    model.push(reply_for(code))
    kernel.ok(
        "%%forge clean_prices --approve auto\n"
        "Turn the price column of df into floats.\n"
        "assert [round(x) for x in clean_prices(df['price'])] == [988, -2]\n"
    )

    assert kernel.ns["clean_prices"](kernel.ns["df"]["price"]) == [987.65, -2.0]
    assert stored(kernel, "clean_prices")["validation"]["passed"] is True
    prompt = user_prompt(model)
    df = kernel.ns["df"]
    assert "`df`" in prompt and "DataFrame" in prompt and "(2, 2)" in prompt
    assert f"'price': {df.dtypes['price']}" in prompt
    assert f"'qty': {df.dtypes['qty']}" in prompt
    everything = json.dumps(model.requests)
    for value in ("987.65", "$987", "(2.00)"):
        assert value not in everything
    # The saved samples cell cannot run without the kernel's df: it is commented out.
    nb = nbformat.read(tool_path(kernel, "clean_prices"), as_version=4)
    assert "# needs the kernel variable(s) `df`" in nb.cells[2].source
    assert isinstance(df, pd.DataFrame)


# -- %%forge: refusals ---------------------------------------------------------------


def test_unknown_option_fails_with_one_line(kernel: Kernel, model: ScriptedModel) -> None:
    _, captured = kernel.fails("%%forge parse_money --frob\nParse money.\n", SpecError)
    assert "--frob" in captured.stdout and "%forge help" in captured.stdout
    assert model.requests == []


def test_unbalanced_quotes_in_options_fail(kernel: Kernel, model: ScriptedModel) -> None:
    _, captured = kernel.fails("%%forge parse_money --library 'oops\nParse money.\n", SpecError)
    assert "check the quotes" in captured.stdout


def test_a_bad_sample_is_named_by_its_line_in_the_cell(
    kernel: Kernel, model: ScriptedModel
) -> None:
    # Line 1 is `%%forge parse_money`; the broken sample is on line 3 as the person sees it.
    _, captured = kernel.fails(
        '%%forge parse_money\nParse money.\n>>> parse_money("$1"\n', SpecError
    )
    assert "the >>> sample on line 3 has a syntax error" in captured.stdout
    assert model.requests == []


def test_empty_request_fails(kernel: Kernel, model: ScriptedModel) -> None:
    _, captured = kernel.fails('%%forge parse_money\n>>> parse_money("$1")\n1.0\n', SpecError)
    assert "request is empty" in captured.stdout
    assert model.requests == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1bad", "not a valid Python function name"),
        ("class", "Python keyword"),
        ("", "name is missing"),
    ],
)
def test_bad_names_fail(kernel: Kernel, model: ScriptedModel, name: str, message: str) -> None:
    _, captured = kernel.fails(f"%%forge {name}\nDo something.\n", SpecError)
    assert message in captured.stdout
    assert model.requests == []


def test_builtin_name_needs_replace(kernel: Kernel, model: ScriptedModel) -> None:
    _, captured = kernel.fails("%%forge sum --approve auto\nAdd numbers.\n", SpecError)
    assert "shadow the Python builtin `sum`" in captured.stdout
    assert "sum" not in kernel.ns
    assert model.requests == []

    code = 'def sum(values: list[float]) -> float:\n    """Add."""\n    return 42.0\n'
    model.push(reply_for(code))
    kernel.ok("%%forge sum --approve auto --replace --no-persist\nAdd numbers.\n")
    result, _ = kernel.ok("sum([1, 2])")
    assert result.result == 42.0


def test_existing_variable_needs_replace(kernel: Kernel, model: ScriptedModel) -> None:
    kernel.ok("parse_money = 'keep me'")
    _, captured = kernel.fails(FORGE_AUTO, SpecError)
    assert "already exists in this kernel (a str)" in captured.stdout
    assert kernel.ns["parse_money"] == "keep me"
    assert model.requests == []

    model.push(PARSE_MONEY_REPLY)
    kernel.ok("%%forge parse_money --approve auto --replace\n" + PARSE_MONEY_CELL)
    assert kernel.ns["parse_money"]("$1") == 1.0


def test_reforging_a_tool_bumps_its_version(kernel: Kernel, model: ScriptedModel) -> None:
    forge_auto(kernel, model)
    first = kernel.ns["parse_money"]
    better = PARSE_MONEY_CODE.replace('"""Parse', '"""Version two: parse')
    forge_auto(kernel, model, reply_for(better))

    assert kernel.ns["parse_money"] is not first
    meta = stored(kernel)
    assert meta["version"] == 2
    assert meta["description"].startswith("Version two")
    assert [h["version"] for h in meta["history"]] == [1]
    assert "Version two" not in meta["history"][0]["code"]
    assert kernel.magics.registry.get("parse_money").version == 2
    table = kernel.ok("%forge list")[0].result
    assert table.rows[0][:2] == ["parse_money", "v2"]


def test_user_rebinding_a_tool_is_protected(kernel: Kernel, model: ScriptedModel) -> None:
    forge_auto(kernel, model)
    kernel.ok("parse_money = 5")
    kernel.fails(FORGE_AUTO, SpecError)
    assert kernel.ns["parse_money"] == 5


# -- %%forge: broken environments ----------------------------------------------------


def test_library_path_that_is_a_file_fails_the_cell_without_damage(
    kernel: Kernel, model: ScriptedModel
) -> None:
    blocker = kernel.tmp_path / "not-a-folder"
    blocker.write_text("precious")
    kernel.ok(f"%config Forge.library = '{blocker}'")
    before = kernel.user_vars()
    model.push(PARSE_MONEY_REPLY)

    _, captured = kernel.fails(FORGE_AUTO, LibraryError)

    assert "cannot create the library folder" in captured.stdout
    assert blocker.read_text() == "precious"
    assert "parse_money" not in kernel.ns
    assert "parse_money" not in kernel.magics.registry
    assert kernel.user_vars().keys() == before.keys()


def test_library_option_that_is_a_file_fails_before_the_model(
    kernel: Kernel, model: ScriptedModel
) -> None:
    blocker = kernel.tmp_path / "file"
    blocker.write_text("x")
    kernel.fails(f"%%forge parse_money --library {blocker}\n" + PARSE_MONEY_CELL, LibraryError)
    assert model.requests == []
    assert blocker.read_text() == "x"


def test_widget_approve_into_an_unwritable_library_shows_the_error_and_allows_retry(
    kernel: Kernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_REPLY)
    kernel.ok(FORGE_WIDGET)
    widget = kernel.magics.pending["parse_money"]
    kernel.library.write_text("a file where the folder should be")

    click(widget.approve_button)
    assert "parse_money" not in kernel.ns
    assert widget.decision is None and "cannot create the library folder" in widget.status.value

    kernel.library.unlink()
    click(widget.approve_button)
    assert kernel.ns["parse_money"]("$1") == 1.0
    assert widget.decision == "approved"


def test_unreachable_model_fails_with_one_line_and_changes_nothing(kernel: Kernel) -> None:
    kernel.ok("%config Forge.model = 'openai/nobody'")
    kernel.ok(f"%config Forge.api_base = 'http://127.0.0.1:{closed_port()}/v1'")
    kernel.ok("x = 1")
    before = kernel.user_vars()

    _, captured = kernel.fails(FORGE_AUTO, ModelError)

    assert "cannot reach model" in captured.stdout
    assert kernel.user_vars() == before
    assert not kernel.library.exists()
    assert kernel.magics.pending == {}


def test_model_http_error_fails_the_cell(kernel: Kernel, model: ScriptedModel) -> None:
    model.push({"error": 401, "message": "bad key"})
    kernel.fails(FORGE_AUTO, ModelError)
    assert "parse_money" not in kernel.ns


# -- %forge SUBCOMMAND ---------------------------------------------------------------


def test_list_shows_the_library(kernel: Kernel, model: ScriptedModel) -> None:
    forge_auto(kernel, model)
    (kernel.library / "broken.ipynb").write_text("{not json")

    result, captured = kernel.ok("%forge list")

    table = result.result
    assert isinstance(table, Table)
    assert table.rows == [["parse_money", "v1", table.rows[0][2], "approved", "project", "yes"]]
    assert table.rows[0][2].startswith("Parse a money string")
    assert str(kernel.library) in table.title
    assert "skipped:" in captured.stdout and "broken.ipynb" in captured.stdout


def test_list_of_an_empty_library(kernel: Kernel) -> None:
    table = kernel.ok("%forge list")[0].result
    assert table.rows == [] and table.title.startswith("0 tool(s)")


def test_show_gives_code_samples_and_provenance(kernel: Kernel, model: ScriptedModel) -> None:
    forge_auto(kernel, model)
    note = kernel.ok("%forge show parse_money")[0].result

    assert isinstance(note, Note)
    assert note.code is not None and "def parse_money(text: str) -> float:" in note.code
    assert "parse_money v1" in note.text and "· trusted" in note.text
    assert "model: openai/scripted" in note.text
    assert '>>> parse_money("$1,234.50")' in note.text
    html = note._repr_html_()
    assert "class='jupyter-forge-code'" in html and "parse_money</span>" in html


def test_show_of_a_missing_tool_fails(kernel: Kernel) -> None:
    _, captured = kernel.fails("%forge show nothing_here", LibraryError)
    assert "no tool `nothing_here` in" in captured.stdout
    kernel.fails("%forge show", SpecError)


def test_remove_deletes_and_undefines(kernel: Kernel, model: ScriptedModel) -> None:
    forge_auto(kernel, model)
    note = kernel.ok("%forge remove parse_money")[0].result

    assert "and undefined it in the kernel" in note.text
    assert not tool_path(kernel).exists()
    assert "parse_money" not in kernel.ns
    kernel.fails("%forge remove parse_money", LibraryError)


def test_load_in_a_fresh_namespace_defines_the_tools(kernel: Kernel, model: ScriptedModel) -> None:
    forge_auto(kernel, model)
    kernel.restart()
    assert "parse_money" not in kernel.ns

    note = kernel.ok("%forge load")[0].result

    assert "Loaded 1 tool(s)" in note.text and "parse_money" in note.text
    assert kernel.ns["parse_money"]("(2.50)") == -2.5
    assert kernel.magics.registry.get("parse_money").path == str(tool_path(kernel))
    assert model.requests.__len__() == 1  # loading never asks the model


def test_load_by_folder_and_by_name(kernel: Kernel, model: ScriptedModel) -> None:
    other = kernel.tmp_path / "shared"
    model.push(PARSE_MONEY_REPLY)
    kernel.ok(f"%%forge parse_money --approve auto --library {other}\n" + PARSE_MONEY_CELL)
    kernel.restart()

    kernel.ok(f"%forge load {other}")
    assert callable(kernel.ns["parse_money"])
    kernel.fails("%forge load parse_money", LibraryError)  # not in the default library


def tamper(path: Path, edit: Any) -> None:
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("jupyter_forge", {}).get("role") == "tool")
    cell.source = edit(cell.source)
    nbformat.write(nb, path)


def review_widget(captured: Any) -> ApprovalWidget:
    (view,) = widget_outputs(captured)
    widget = widget_instances[view["model_id"]]
    assert isinstance(widget, ApprovalWidget)
    return widget


def test_load_of_a_tampered_notebook_asks_for_review_first(
    kernel: Kernel, model: ScriptedModel
) -> None:
    forge_auto(kernel, model)
    tamper(tool_path(kernel), lambda src: src.replace("return -value", "return -2 * value"))
    kernel.restart()

    result, captured = kernel.ok("%forge load")

    assert "parse_money" not in kernel.ns
    assert "1 untrusted tool(s) need your review" in result.result.text
    assert not Library(kernel.library).get("parse_money").trusted
    widget = review_widget(captured)
    assert "NOT trusted" in widget.header.value
    assert "-2" in widget.code_view.value
    # Re-validated in the sandbox: the tampered code fails the "(12.00)" sample.
    assert not widget.result.passed and widget.approve_button.disabled
    click(widget.approve_button)
    assert "parse_money" not in kernel.ns


def test_approving_a_reviewed_notebook_trusts_and_defines_it(
    kernel: Kernel, model: ScriptedModel
) -> None:
    forge_auto(kernel, model)
    tamper(tool_path(kernel), lambda src: src.replace("return -value", "return -1 * value"))
    kernel.restart()
    _, captured = kernel.ok("%forge load")
    widget = review_widget(captured)
    assert widget.result.passed
    assert model.requests.__len__() == 1  # review re-validates; it never asks the model

    click(widget.approve_button)

    assert widget.decision == "approved" and "Reviewed and trusted" in widget.status.value
    assert kernel.ns["parse_money"]("(3)") == -3.0
    assert "-1 * value" in kernel.magics.registry.get("parse_money").code
    assert Library(kernel.library).get("parse_money").trusted
    kernel.restart()
    kernel.ok("%forge load")
    assert callable(kernel.ns["parse_money"])


def test_review_refuses_code_hidden_from_the_reviewer(kernel: Kernel, model: ScriptedModel) -> None:
    """A top-level statement is dropped from what the widget shows and validates: never run it."""
    forge_auto(kernel, model)
    marker = kernel.tmp_path / "ran"
    tamper(tool_path(kernel), lambda src: src + f"\n\nopen({str(marker)!r}, 'w').write('x')\n")
    kernel.restart()
    _, captured = kernel.ok("%forge load")
    widget = review_widget(captured)
    assert "open(" not in widget.code_view.value
    assert widget.result.passed

    click(widget.approve_button)

    assert not marker.exists()
    assert "parse_money" not in kernel.ns
    assert widget.decision is None and "besides what is shown" in widget.status.value
    assert not Library(kernel.library).get("parse_money").trusted


def test_config_shows_settings(kernel: Kernel, model: ScriptedModel) -> None:
    table = kernel.ok("%forge config")[0].result
    settings = dict(table.rows)
    assert settings["model"] == repr(model.model)
    assert settings["api_base"] == repr(model.api_base)
    assert settings["library"] == repr(str(kernel.library))
    assert {"attempts", "approve", "sample_timeout", "memory_mb"} <= settings.keys()


def test_config_magic_changes_the_forge(kernel: Kernel) -> None:
    kernel.ok("%config Forge.model = 'x'")
    kernel.ok("%config Forge.attempts = 5")
    assert kernel.magics.forge.model == "x"
    assert kernel.magics.forge.attempts == 5
    assert dict(kernel.ok("%forge config")[0].result.rows)["model"] == "'x'"


def test_help(kernel: Kernel) -> None:
    for cell in ("%forge help", "%forge"):
        _, captured = kernel.ok(cell)
        assert captured.stdout.strip() == HELP.strip()
    for option in ("--approve", "--samples", "--no-persist", "--replace", "%forge load"):
        assert option in HELP


def test_sandbox_lists_isolation_layers(kernel: Kernel) -> None:
    table = kernel.ok("%forge sandbox")[0].result
    assert table.headers == ["isolation layer", "status"]
    statuses = [row[1] for row in table.rows]
    assert "active" in statuses
    assert set(statuses) <= {"active", "missing"}


def test_unknown_subcommand_fails(kernel: Kernel) -> None:
    _, captured = kernel.fails("%forge frob", SpecError)
    assert "unknown command `%forge frob`" in captured.stdout


def test_errors_after_unload_are_plain_again(kernel: Kernel) -> None:
    """Unloading removes the one-line error display and the magic itself."""
    kernel.ok("%unload_ext jupyter_forge")
    result, _ = kernel.run("%forge help")
    assert not result.success
    kernel.ok("%load_ext jupyter_forge")
    kernel.ok("%forge help")


def test_second_opinion_that_disagrees_shows_where_in_the_widget(
    kernel: Kernel, model: ScriptedModel
) -> None:
    kernel.use_model(model, second_opinion=True)
    model.push(GUARDED, UNGUARDED)
    kernel.ok("%%forge scale\n" + CELL)
    widget = kernel.magics.pending["scale"]
    assert len(model.requests) == 2  # the ask, then the second opinion
    assert widget.result.verdict == "doubtful"
    assert "Two candidates disagree" in widget.preview_view.value
    assert "scale([10.1, 10.1, 10.1])" in widget.preview_view.value
    assert "raises ZeroDivisionError" in widget.preview_view.value
    assert "⚠ doubtful" in widget.header.value and "answers differently" in widget.header.value
    assert not widget.approve_button.disabled  # a doubt never blocks the person
    click(widget.approve_button)
    assert kernel.ns["scale"]([3.0, 3.0]) == [0.0, 0.0]


def test_auto_approve_steps_back_from_a_repair_no_second_answer_confirmed(
    kernel: Kernel, model: ScriptedModel
) -> None:
    """A green found only after failed answers, with no second answer agreeing, is amber:
    auto-approve hands it to a person, and the widget says why."""
    kernel.use_model(model, second_opinion=True)
    model.push(WRONG, GUARDED, WRONG_TOO, WRONG_THREE, WRONG)
    result, _ = kernel.fails("%%forge scale --approve auto\n" + CELL, ForgeError)
    assert len(model.requests) == 5 and "scale" not in kernel.ns
    message = str(result.error_in_exec)
    assert message.startswith("auto-approve stepped back for `scale`: attempt 2 came after")
    assert "no second answer confirms it" in message and "\n" not in message
    widget = kernel.magics.pending["scale"]
    assert widget.result.doubt == "uncorroborated"
    assert "⚠ doubtful" in widget.header.value
    assert "found only after failed answers" in widget.header.value
    assert not widget.approve_button.disabled
    click(widget.approve_button)
    assert kernel.ns["scale"]([3.0, 3.0]) == [0.0, 0.0]
