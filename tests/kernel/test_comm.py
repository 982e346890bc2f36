"""The ``jupyter_forge`` comm's "Edit in a cell" request, driven as JupyterLab drives it.

A front end is a comm opened through the same ``_on_open`` the kernel's comm manager
calls; it gets ``insert_cell`` and answers ``cell_inserted`` through ``_on_msg``. What
arrives from it is treated as hostile, and so is what the kernel may ask for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_forge.kernel import comm

NAME = "parse_money"
SOURCE = f"%%forge --edit {NAME}\ndef parse_money(text):\n    return 1.0\n"
WIDGET_ID = "0123456789abcdef0123456789abcdef"


class FrontEnd:
    """A front end's end of the comm: what it was sent, and a way to answer."""

    def __init__(self, session: str | None) -> None:
        self.session = session
        self.sent: list[dict[str, Any]] = []
        self.handler: Any = None

    def on_msg(self, handler: Any) -> None:
        self.handler = handler

    def on_close(self, handler: Any) -> None:
        self.closer = handler

    def send(self, data: dict[str, Any]) -> None:
        self.sent.append(data)

    def close(self) -> None:
        pass

    def answer(self, data: Any) -> None:
        self.handler({"content": {"data": data}})

    def requests(self) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("event") == "insert_cell"]


def open_front_end(session: str | None = "lab-session") -> FrontEnd:
    front = FrontEnd(session)
    header = {"session": session} if session is not None else {}
    comm._on_open(front, {"header": header, "content": {}})
    return front


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    yield
    for front in list(comm._comms):
        front.closer({})
    with comm._lock:
        waiting = list(comm._waiting.values())
        comm._waiting.clear()
    for _answered, timer in waiting:
        timer.cancel()


class Answers:
    def __init__(self) -> None:
        self.got: list[str | None] = []
        self.done = threading.Event()

    def __call__(self, error: str | None) -> None:
        self.got.append(error)
        self.done.set()


def ask(answers: Answers, source: str = SOURCE, **kwargs: Any) -> bool:
    kwargs.setdefault("name", NAME)
    kwargs.setdefault("session", "lab-session")
    return comm.request_edit_cell(source, answered=answers, **kwargs)


def test_the_front_end_is_asked_for_the_cell_and_its_answer_reaches_the_widget() -> None:
    front = open_front_end()
    answers = Answers()
    assert ask(answers, widget_id=WIDGET_ID, cell_id="cell-7")
    [request] = front.requests()
    assert request == {
        "event": "insert_cell",
        "request": request["request"],
        "name": NAME,
        "source": SOURCE,
        "widget_id": WIDGET_ID,
        "cell_id": "cell-7",
    }
    assert answers.got == []
    front.answer({"event": "cell_inserted", "request": request["request"], "ok": True})
    front.answer({"event": "cell_inserted", "request": request["request"], "ok": True})
    assert answers.got == [None]  # once, however often it is answered


def test_a_refusal_is_passed_on_in_one_bounded_line() -> None:
    front = open_front_end()
    answers = Answers()
    assert ask(answers)
    request = front.requests()[0]["request"]
    front.answer({"event": "cell_inserted", "request": request, "ok": False, "error": "x" * 10_000})
    [error] = answers.got
    assert error is not None and error.startswith("JupyterLab could not add the cell: xxx")
    assert len(error) < comm.MAX_ERROR + 50


def test_no_answer_in_time_is_an_answer_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "ANSWER_SECONDS", 0.05)
    front = open_front_end()
    answers = Answers()
    assert ask(answers)
    assert answers.done.wait(5)
    assert answers.got == ["JupyterLab did not confirm a new cell"]
    request = front.requests()[0]["request"]
    front.answer({"event": "cell_inserted", "request": request, "ok": True})  # too late
    assert answers.got == ["JupyterLab did not confirm a new cell"]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "cell_inserted",
        {"event": "cell_inserted"},
        {"event": "cell_inserted", "request": 7, "ok": True},
        {"event": "cell_inserted", "request": "not-a-request-we-made", "ok": True},
        {"event": "cell_inserted", "request": ["a"], "ok": True},
    ],
)
def test_malformed_or_unknown_answers_are_ignored(data: Any) -> None:
    front = open_front_end()
    answers = Answers()
    assert ask(answers)
    front.answer(data)
    assert answers.got == []
    assert len(comm._waiting) == 1


def test_only_the_front_end_that_clicked_is_asked() -> None:
    mine, other = open_front_end("mine"), open_front_end("other")
    assert ask(Answers(), session="mine")
    assert len(mine.requests()) == 1 and other.requests() == []
    # A click from a session without a comm: the newest front end is asked, only it.
    assert ask(Answers(), session="unknown")
    assert len(mine.requests()) == 1 and len(other.requests()) == 1


def test_without_a_front_end_nobody_is_asked() -> None:
    assert not ask(Answers())
    assert comm._waiting == {}


@pytest.mark.parametrize(
    ("source", "kwargs"),
    [
        ("print('not an edit cell')\n", {}),
        (f"%%forge --edit other_tool\n{SOURCE}", {}),
        (SOURCE + "#" * comm.MAX_EDIT_SOURCE, {}),
        (SOURCE.replace(NAME, "bad name"), {"name": "bad name"}),
        (SOURCE.replace(NAME, "x" * 101), {"name": "x" * 101}),
        (SOURCE, {"widget_id": "<img src=x>"}),
        (SOURCE, {"cell_id": "a" * 65}),
        (SOURCE, {"cell_id": "cell id with spaces"}),
    ],
)
def test_out_of_bounds_requests_are_never_sent(source: str, kwargs: dict[str, Any]) -> None:
    front = open_front_end()
    assert not ask(Answers(), source=source, **kwargs)
    assert front.requests() == []


def test_unanswered_requests_are_bounded() -> None:
    front = open_front_end()
    results = [ask(Answers()) for _ in range(comm.MAX_WAITING + 3)]
    assert results.count(True) == comm.MAX_WAITING and not results[-1]
    assert len(front.requests()) == comm.MAX_WAITING


def test_a_front_end_that_went_away_is_dropped() -> None:
    class Broken(FrontEnd):
        def send(self, data: dict[str, Any]) -> None:
            raise RuntimeError("closed")

    broken = Broken("lab-session")
    comm._on_open(broken, {"header": {"session": "lab-session"}})
    assert not ask(Answers())
    assert broken not in comm._comms and comm._waiting == {}
