"""The NameError hook: an offer under the traceback, never a change to it, off by default.

Most tests use the shared in-process IPython shell (``kernel`` fixture); one drives
a real ipykernel the way a front end does, to compare the error messages it
sends with the hook off and on and to see the ``set_next_input`` payload.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_helpers import Kernel

from jupyter_forge.core.errors import SpecError
from jupyter_forge.kernel import hook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

pd = pytest.importorskip("pandas")

CALL_CELL = "x = 3\nclean_prices(df.price, rate=x)"


@pytest.fixture
def k(kernel: Kernel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kernel]:
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter-config"))
    kernel.ns["df"] = pd.DataFrame({"price": ["$1.50", "(2)", "3"]})
    yield kernel
    hook.uninstall(kernel.shell)  # the shell outlives the test


def offers(captured: Any) -> list[str]:
    return [
        o.data["text/plain"] for o in captured.outputs if "Forge `" in o.data.get("text/plain", "")
    ]


def normalise(traceback_text: str) -> str:
    return re.sub(r"In\[\d+\]", "In[N]", traceback_text)


def test_off_by_default(k: Kernel) -> None:
    result, captured = k.run(CALL_CELL)
    assert isinstance(result.error_in_exec, NameError)
    assert offers(captured) == []
    assert not hook.hook_for(k.shell).active
    assert "is off" in k.ok("%forge hook status")[1].stdout


def test_offer_shows_the_call_and_argument_types_under_an_identical_traceback(k: Kernel) -> None:
    off_result, off = k.run(CALL_CELL)
    k.ok("%forge hook on")
    on_result, on = k.run(CALL_CELL)
    # The exception and everything IPython printed for it are exactly as without the hook.
    assert type(on_result.error_in_exec) is type(off_result.error_in_exec) is NameError
    assert str(on_result.error_in_exec) == str(off_result.error_in_exec)
    assert normalise(on.stdout) == normalise(off.stdout)
    assert "Traceback" in on.stdout and "clean_prices" in on.stdout
    [offer] = offers(on)
    assert offer.startswith("Forge `clean_prices`? It is not defined")
    assert "clean_prices(df.price, rate=x)" in offer
    assert "df.price: pandas" in offer and "Series with shape (3,)" in offer
    assert "rate=x: int" in offer
    assert "%%forge clean_prices\n" in offer
    assert ">>> clean_prices(df.price, rate=x)" in offer  # the failing call as a sample
    assert "$1.50" not in offer  # types and shapes, never the data


def test_no_offer_without_a_call_of_the_missing_name(k: Kernel) -> None:
    k.ok("%forge hook on")
    k.ok("def helper():\n    return missing_inside()")
    for cell, error in (
        ("y = undefined_thing + 1", NameError),  # read, not called
        ("helper()", NameError),  # raised inside another function
        ("pritn(1)", NameError),  # a typo of print
        ("df.no_such_method()", AttributeError),
        ("1 / 0", ZeroDivisionError),
        ("def f():\n    v = v + 1\nf()", UnboundLocalError),
    ):
        result, captured = k.run(cell)
        assert isinstance(result.error_in_exec, error), cell
        assert offers(captured) == [], cell
        assert "Error in callback" not in captured.stdout + captured.stderr


def test_arguments_are_never_called_and_properties_never_run(k: Kernel) -> None:
    k.ok(
        "calls = []\n"
        "class Box:\n"
        "    def __init__(self):\n"
        "        self.items = [1, 2]\n"
        "    @property\n"
        "    def heavy(self):\n"
        "        calls.append('property')\n"
        "        return 1\n"
        "class Magic:\n"
        "    def __getattr__(self, name):\n"
        "        calls.append('getattr')\n"
        "        return 1\n"
        "def load():\n"
        "    calls.append('load')\n"
        "    return 1\n"
        "box, magic = Box(), Magic()"
    )
    k.ok("%forge hook on")
    _, captured = k.run("summarize(box.items, box.heavy, magic.anything, load(), [1, 2][0])")
    [offer] = offers(captured)
    assert k.ns["calls"] == []
    assert "box.items: list of 2 items of int" in offer
    assert "box.heavy: not evaluated" in offer
    assert "magic.anything: not evaluated" in offer
    assert "load(): not evaluated" in offer
    assert ">>> summarize(" not in offer  # a call argument: the sample would re-run load()


def test_draft_needs_an_offer_and_then_sets_the_next_input(
    k: Kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    k.ok("%forge hook on")
    k.fails("%forge hook draft", SpecError)
    k.run(CALL_CELL)
    seen: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        k.shell, "set_next_input", lambda text, replace=False: seen.append((text, replace))
    )
    k.ok("%forge hook draft")
    [(text, replace)] = seen
    assert replace is True
    assert text.startswith("%%forge clean_prices\n")
    assert text.rstrip().endswith(">>> clean_prices(df.price, rate=x)")


def test_on_is_remembered_in_the_settings_file_and_restored_at_load(k: Kernel) -> None:
    k.ok("%forge hook on")
    path = Path(os.environ["JUPYTER_CONFIG_DIR"]) / "jupyter_forge.json"
    assert json.loads(path.read_text()) == {"hook": True}
    hook.uninstall(k.shell)
    k.restart()
    assert hook.restore(k.shell, k.magics.forge) is True  # what loading the extension does
    assert k.magics.forge.hook is True
    k.ns["df"] = pd.DataFrame({"price": ["1"]})
    assert offers(k.run(CALL_CELL)[1])
    k.ok("%forge hook off")
    assert json.loads(path.read_text()) == {"hook": False}
    assert offers(k.run(CALL_CELL)[1]) == []
    assert "remembered setting: off" in k.ok("%forge hook status")[1].stdout


def test_ipython_config_wins_over_the_settings_file(k: Kernel) -> None:
    hook.write_setting("hook", True)
    k.shell.config.Forge.hook = False
    try:
        k.restart()
        assert hook.restore(k.shell, k.magics.forge) is False
        assert not hook.hook_for(k.shell).active
    finally:
        k.shell.config.Forge.pop("hook", None)


def test_config_trait_turns_it_on_and_off(k: Kernel) -> None:
    hook.restore(k.shell, k.magics.forge)
    k.ok("%config Forge.hook = True")
    assert hook.hook_for(k.shell).active
    k.ok("%config Forge.hook = False")
    assert not hook.hook_for(k.shell).active


def test_bad_usage_is_one_line(k: Kernel) -> None:
    k.fails("%forge hook maybe", SpecError)


def test_a_real_kernel_sends_the_same_error_message_with_the_hook_on(tmp_path: Path) -> None:
    from kernel_driver import KernelDriver

    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        IPYTHONDIR=str(tmp_path / "ipython"),
    )
    driver = KernelDriver(env=env, cwd=str(tmp_path))
    try:
        assert driver.execute("%load_ext jupyter_forge").ok
        assert driver.execute("import pandas as pd\ndf = pd.DataFrame({'price': ['1']})").ok

        def errors(execution: Any) -> list[dict[str, Any]]:
            found = [m["content"] for m in execution.messages if m["msg_type"] == "error"]
            for content in found:
                content["traceback"] = [normalise(line) for line in content["traceback"]]
            return found

        def displays(execution: Any) -> list[str]:
            return [
                m["content"]["data"].get("text/html", "")
                for m in execution.messages
                if m["msg_type"] == "display_data"
            ]

        off = driver.execute(CALL_CELL)
        assert not off.ok and displays(off) == []
        assert driver.execute("%forge hook on").ok
        on = driver.execute(CALL_CELL)
        assert not on.ok
        assert errors(on) == errors(off) and len(errors(on)) == 1
        reply_off = {k: v for k, v in off.reply["content"].items() if k != "execution_count"}
        reply_on = {k: v for k, v in on.reply["content"].items() if k != "execution_count"}
        reply_off["traceback"] = [normalise(line) for line in reply_off.get("traceback", [])]
        reply_on["traceback"] = [normalise(line) for line in reply_on.get("traceback", [])]
        assert reply_on == reply_off
        [html] = displays(on)
        assert "Forge <code>clean_prices</code>?" in html
        kinds = [m["msg_type"] for m in on.messages]
        assert kinds.index("error") < kinds.index("display_data")  # under the traceback
        draft = driver.execute("%forge hook draft")
        assert draft.ok
        [payload] = draft.reply["content"]["payload"]
        assert payload["source"] == "set_next_input" and payload["replace"] is True
        assert payload["text"].startswith("%%forge clean_prices\n")
        settings = json.loads((tmp_path / "config" / "jupyter_forge.json").read_text())
        assert settings == {"hook": True}
    finally:
        driver.close()
