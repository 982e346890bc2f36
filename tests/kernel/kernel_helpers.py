"""Helpers shared by the kernel-adapter tests (a unique module name: no conftest clash)."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from IPython.utils.capture import CapturedIO, capture_output

from jupyter_forge.kernel import extension
from jupyter_forge.kernel.progress import ShownInCell
from jupyter_forge.testing.scripted_llm import ScriptedModel

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

PARSE_MONEY_CODE = '''import re


def parse_money(text: str) -> float:
    """Parse a money string like "$1,234.50" or "(12.00)" into a float."""
    t = text.strip()
    negative = t.startswith("(") and t.endswith(")")
    value = float(re.sub(r"[^0-9.]", "", t))
    return -value if negative else value
'''

# What a chatty small model answers: prose, the code, and an example call we must drop.
PARSE_MONEY_REPLY = f"Here you go:\n```python\n{PARSE_MONEY_CODE}\nprint(parse_money('$1'))\n```"

# Runs, but ignores the parentheses: fails the "(12.00)" sample.
PARSE_MONEY_WRONG = '''```python
def parse_money(text: str) -> float:
    """Parse a money string (wrongly: ignores parentheses)."""
    return float(text.strip().lstrip("$").replace(",", "").strip("()"))
```'''

PARSE_MONEY_CELL = """Parse a money string like "$1,234.50" or "(12.00)" into a float.
>>> parse_money("$1,234.50")
1234.5
assert parse_money("(12.00)") == -12.0
"""


def reply_for(code: str, prose: str = "Sure:") -> str:
    """A model answer wrapping ``code`` in one fenced block."""
    return f"{prose}\n```python\n{code}\n```"


def click(button: Any) -> None:
    """Click as a front end does: a ``custom`` comm message through the widget's handler."""
    button._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []}
    )


def set_from_front_end(widget: Any, **state: Any) -> None:
    """Change widget state as the browser does (e.g. typing into a Textarea)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})


@dataclass
class Kernel:
    """A test's view of the shell: run cells and look at what they showed."""

    shell: Any
    library: Path
    tmp_path: Path

    @property
    def magics(self) -> Any:
        return extension.magics_for(self.shell)

    @property
    def ns(self) -> dict[str, Any]:
        ns: dict[str, Any] = self.shell.user_ns
        return ns

    def run(self, code: str) -> tuple[Any, CapturedIO]:
        with capture_output() as captured:
            result = self.shell.run_cell(code, store_history=True)
        return result, captured

    def ok(self, code: str) -> tuple[Any, CapturedIO]:
        result, captured = self.run(code)
        assert result.success, f"cell failed: {result.error_in_exec!r}\n{captured.stdout}"
        return result, captured

    def fails(self, code: str, error: type[BaseException]) -> tuple[Any, CapturedIO]:
        """The cell must FAIL with ``error``, shown as one line and no traceback.

        A failure shown in the cell's state line (``ShownInCell``: a forge whose widget
        says what to do) prints nothing more: its one line is the state line, which a
        later state replaces.
        """
        result, captured = self.run(code)
        assert not result.success, f"cell succeeded but should fail: {captured.stdout}"
        assert isinstance(result.error_in_exec, error), repr(result.error_in_exec)
        text = captured.stdout.strip()
        assert "Traceback" not in text
        if isinstance(result.error_in_exec, ShownInCell):
            assert text == "", text
            line = state_line(captured)
            assert str(result.error_in_exec) in line and "\n" not in line, line
            return result, captured
        assert len(text.splitlines()) == 1, text
        assert type(result.error_in_exec).__name__ in text
        assert str(result.error_in_exec) in text
        return result, captured

    def use_model(self, sm: ScriptedModel, *, second_opinion: bool = False) -> None:
        """Point the shell at ``sm``. A script is a fixed list of replies, so the second
        opinion (one more ask after each green forge) is off unless a test asks for it:
        it would take the reply scripted for the next step (test_second_opinion_*)."""
        self.ok(f"%config Forge.model = '{sm.model}'")
        self.ok(f"%config Forge.api_base = '{sm.api_base}'")
        self.ok(f"%config Forge.second_opinion = {second_opinion}")

    def restart(self) -> None:
        """Like a kernel restart with the same config: empty namespace, extension loaded anew."""
        unload_extension(self.shell)
        clear_namespace(self.shell)
        self.ok("%load_ext jupyter_forge")

    def user_vars(self) -> dict[str, Any]:
        hidden = self.shell.user_ns_hidden
        return {k: v for k, v in self.ns.items() if k not in hidden and not k.startswith("_")}


def clear_namespace(shell: Any) -> None:
    """Drop every user variable (cheaper than ``shell.reset()``, whose gc pass is slow)."""
    hidden = shell.user_ns_hidden
    for name in [n for n in shell.user_ns if n not in hidden and not n.startswith("__")]:
        del shell.user_ns[name]


def unload_extension(shell: Any) -> None:
    magics = extension.magics_for(shell)
    if magics is not None:
        for widget in list(magics.pending.values()):
            widget.wait(10)
        if magics.forge in shell.configurables:
            shell.configurables.remove(magics.forge)
    extension.unload(shell)
    shell.extension_manager.loaded.discard("jupyter_forge")


def state_line(captured: CapturedIO) -> str:
    """The cell's state line as it reads now (the last update of the status display)."""
    lines = [
        o.data["text/plain"]
        for o in captured.outputs
        if o.data.get("text/plain", "").startswith("forge · ")
    ]
    assert lines, "no state line"
    return str(lines[-1])


def user_prompt(sm: ScriptedModel, index: int = 0) -> str:
    """The last user message of the ``index``-th request the model received."""
    messages = sm.requests[index]["messages"]
    users = [m["content"] for m in messages if m["role"] == "user"]
    return str(users[-1])


def widget_outputs(captured: CapturedIO) -> list[dict[str, Any]]:
    return [o.data[WIDGET_MIME] for o in captured.outputs if WIDGET_MIME in o.data]


def interrupt_while_streaming(
    model: ScriptedModel, sent: list[float], after: float = 0.3
) -> threading.Thread:
    """Ctrl-C (as the kernel's interrupt delivers it) once the model is streaming an answer;
    `sent` gets the time it was sent."""

    def interrupt() -> None:
        deadline = time.monotonic() + 60
        while not model.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(after)
        sent.append(time.monotonic())
        # A real SIGINT, as ipykernel's interrupt sends: it also breaks a blocking read
        # (a non-streaming model call), which _thread.interrupt_main() would not.
        os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=interrupt, daemon=True)
    thread.start()
    return thread
