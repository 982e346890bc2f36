"""CellProgress: one display handle under the cell, updated in place while forging."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.utils.capture import capture_output

from jupyter_forge.kernel import progress as progress_module
from jupyter_forge.kernel.progress import CellProgress


@pytest.fixture(autouse=True)
def html_front_end(ipython: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Format like a notebook front end (the terminal shell only formats text/plain)."""
    formatter = ipython.display_formatter
    monkeypatch.setattr(formatter, "active_types", [*formatter.active_types, "text/html"])


def displays(outputs: list[Any]) -> list[tuple[str, bool, str]]:
    """(display_id, is_update, text) for every display message."""
    return [(o.transient["display_id"], bool(o.update), o.data["text/plain"]) for o in outputs]


def test_stages_update_one_display_in_place(ipython: Any) -> None:
    with capture_output() as captured:
        progress = CellProgress()
        progress.stage("llm", "attempt 1/3: asking m…")
        progress.stage("validate", "attempt 1/3: running 2 sample(s)…")
        progress.close("`f` passed")

    shown = displays(captured.outputs)
    assert len({display_id for display_id, _, _ in shown}) == 1
    assert [update for _, update, _ in shown] == [False, True, True, True]
    assert [text for _, _, text in shown] == [
        "forge · starting…",
        "forge · attempt 1/3: asking m…",
        "forge · attempt 1/3: running 2 sample(s)…",
        "forge · `f` passed",
    ]
    assert progress.history == ["attempt 1/3: asking m…", "attempt 1/3: running 2 sample(s)…"]


def test_tokens_stream_into_the_html_and_are_throttled(
    ipython: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [100.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock[0])
    with capture_output() as captured:
        progress = CellProgress()
        progress.stage("llm", "asking…")
        for word in ["def ", "f(", "x", "): ", "<b>"]:
            progress.token(word)  # same instant: only the stage update went out
        clock[0] += 1.0
        progress.token("pass")
    html = [o.data["text/html"] for o in captured.outputs]
    assert len(html) == 3
    assert "def f(x): &lt;b&gt;pass" in html[-1]  # escaped, never raw HTML from the model
    assert "<pre" in html[-1]

    with capture_output() as captured:
        progress.close("done")
    (final,) = captured.outputs
    assert "<pre" not in final.data["text/html"]  # the stream is gone, only the line stays
    assert "done" in final.data["text/html"]


def test_a_new_llm_stage_clears_the_previous_stream(ipython: Any) -> None:
    with capture_output() as captured:
        progress = CellProgress()
        progress.stage("llm", "attempt 1")
        progress.token("first answer")
        progress.stage("llm", "attempt 2")
    assert "first answer" not in captured.outputs[-1].data["text/html"]


def test_tokens_can_be_hidden(ipython: Any) -> None:
    with capture_output() as captured:
        progress = CellProgress(show_tokens=False)
        progress.stage("llm", "asking…")
        progress.token("secret-ish tokens")
        progress.stage("validate", "checking")
    assert all("secret-ish" not in o.data["text/html"] for o in captured.outputs)


def test_status_html_escapes_the_message(ipython: Any) -> None:
    with capture_output() as captured:
        CellProgress().close("<script>alert(1)</script>")
    assert "<script>" not in captured.outputs[-1].data["text/html"]
    assert "&lt;script&gt;" in captured.outputs[-1].data["text/html"]
