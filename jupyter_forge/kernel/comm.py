"""The ``jupyter_forge`` comm target: the Forge Tools panel's line into the kernel.

Two things travel on it. The kernel tells open panels ``{"event": "tools_changed"}``
after a tool is approved, saved or removed, so they refresh at once instead of at
the next poll. The front end sends ``{"event": "sample_cells", "name": NAME,
"cells": [{source, tags}]}`` just before it executes a ``%%forge NAME`` cell: comm
messages and execute requests share the shell channel, so the cells arrive first,
and ``%%forge`` takes them (JupyterLab 4 gives extensions no hook to add metadata
to the execute request itself).

The widget's "Edit in a cell" asks the front end, the one whose click it was, to add
a cell below the forge cell: ``{"event": "insert_cell", "request", "name", "source",
"widget_id", "cell_id"}``; it answers ``{"event": "cell_inserted", "request", "ok",
"error"}``. A kernel can only ask for a cell that starts with ``%%forge --edit NAME``
(the front end checks it too), and nothing is ever run for it.

Everything here is a no-op without a front end (plain IPython, tests, nbclient).
"""

from __future__ import annotations

import contextlib
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any

TARGET = "jupyter_forge"
MAX_CELLS = 200
MAX_SOURCE = 20_000
MAX_EDIT_SOURCE = 200_000  # the code of an "Edit in a cell" cell, characters
MAX_ERROR = 300
MAX_WAITING = 32  # unanswered "Edit in a cell" requests kept at once
ANSWER_SECONDS = 10.0  # then the widget shows the cell to paste instead
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
_WIDGET_ID = re.compile(r"[0-9a-f]{32}")
_CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

# Called once with None (the cell was added) or why not.
Answered = Callable[[str | None], None]

_comms: list[Any] = []
_sample_cells: dict[str, list[dict[str, Any]]] = {}
_registered: dict[int, Any] = {}
_sessions: dict[int, str] = {}  # id(comm) -> the front end's session that opened it
_waiting: dict[str, tuple[Answered, threading.Timer]] = {}
_lock = threading.Lock()


def _comm_manager(shell: Any) -> Any:
    kernel = getattr(shell, "kernel", None)
    manager = getattr(kernel, "comm_manager", None) if kernel is not None else None
    if manager is None and kernel is not None:
        with contextlib.suppress(Exception):
            from comm import get_comm_manager

            manager = get_comm_manager()
    return manager


def _clean_cells(cells: Any) -> list[dict[str, Any]]:
    """Only well-formed ``{source: str, tags: [str]}`` items, bounded in number and size."""
    out: list[dict[str, Any]] = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        source, tags = cell.get("source"), cell.get("tags")
        if not isinstance(source, str) or not isinstance(tags, list):
            continue
        out.append({"source": source[:MAX_SOURCE], "tags": [t for t in tags if isinstance(t, str)]})
        if len(out) >= MAX_CELLS:
            break
    return out


def _on_msg(msg: dict[str, Any]) -> None:
    data = msg.get("content", {}).get("data", {})
    if not isinstance(data, dict):
        return
    if data.get("event") == "sample_cells" and isinstance(data.get("name"), str):
        _sample_cells[data["name"]] = _clean_cells(data.get("cells"))
    elif data.get("event") == "cell_inserted" and isinstance(data.get("request"), str):
        error = data.get("error")
        if data.get("ok") is True:
            _answer(data["request"], None)
        else:
            why = error[:MAX_ERROR] if isinstance(error, str) and error else "no reason given"
            _answer(data["request"], f"JupyterLab could not add the cell: {why}")


def _answer(request: str, error: str | None) -> None:
    """Tell the widget how its request ended, once (a late or unknown answer is dropped)."""
    with _lock:
        entry = _waiting.pop(request, None)
    if entry is None:
        return
    answered, timer = entry
    timer.cancel()
    with contextlib.suppress(Exception):
        answered(error)


def _session(msg: Any) -> str | None:
    header = msg.get("header") if isinstance(msg, dict) else None
    session = header.get("session") if isinstance(header, dict) else None
    return session if isinstance(session, str) and session else None


def _on_open(comm: Any, open_msg: dict[str, Any]) -> None:
    _comms.append(comm)
    session = _session(open_msg)
    if session is not None:
        _sessions[id(comm)] = session
    comm.on_msg(_on_msg)

    def closed(msg: dict[str, Any]) -> None:
        if comm in _comms:
            _comms.remove(comm)
        _sessions.pop(id(comm), None)

    comm.on_close(closed)
    with contextlib.suppress(Exception):
        comm.send({"event": "hello"})


def register(shell: Any) -> None:
    """Called by ``%load_ext jupyter_forge``: accept panels' comms from now on."""
    manager = _comm_manager(shell)
    if manager is None or id(shell) in _registered:
        return
    manager.register_target(TARGET, _on_open)
    _registered[id(shell)] = manager


def unregister(shell: Any) -> None:
    manager = _registered.pop(id(shell), None)
    if manager is None:
        return
    with contextlib.suppress(Exception):
        manager.unregister_target(TARGET, _on_open)
    for comm in list(_comms):
        with contextlib.suppress(Exception):
            comm.close()
    _comms.clear()
    _sessions.clear()
    _sample_cells.clear()
    with _lock:
        waiting = list(_waiting.values())
        _waiting.clear()
    for _answered, timer in waiting:
        timer.cancel()


def take_sample_cells(name: str) -> list[dict[str, Any]]:
    """The tagged cells the front end sent for ``%%forge NAME`` (each delivery is used once)."""
    return _sample_cells.pop(name, [])


def notify_tools_changed() -> None:
    """Tell every open panel to refresh its list; silently drops comms that went away."""
    for comm in list(_comms):
        try:
            comm.send({"event": "tools_changed"})
        except Exception:
            _comms.remove(comm)


def request_edit_cell(
    source: str,
    *,
    name: str,
    answered: Answered,
    widget_id: str | None = None,
    cell_id: str | None = None,
    session: str | None = None,
) -> bool:
    """Ask the front end to add ``source`` as a new cell below the forge cell of ``name``.

    ``widget_id`` (the approval widget's model id), then ``cell_id`` (the forge cell's id)
    tell the front end which cell that is. Only the front end ``session`` (the one whose
    click this is) is asked when it has a comm; else the newest comm. True when a front
    end was asked: ``answered`` is then called once, with None when the cell was added,
    else why not (also after :data:`ANSWER_SECONDS` without an answer). False when no
    front end can be asked (none connected, or a payload out of bounds): the caller
    shows the text to paste instead.
    """
    if not _edit_cell_in_bounds(source, name, widget_id, cell_id):
        return False
    mine = [c for c in _comms if session is not None and _sessions.get(id(c)) == session]
    targets = mine or _comms[-1:]
    request = uuid.uuid4().hex
    payload: dict[str, Any] = {
        "event": "insert_cell",
        "request": request,
        "name": name,
        "source": source,
    }
    if widget_id is not None:
        payload["widget_id"] = widget_id
    if cell_id is not None:
        payload["cell_id"] = cell_id
    timer = threading.Timer(
        ANSWER_SECONDS,
        _answer,
        args=(request, "JupyterLab did not confirm a new cell"),
    )
    timer.daemon = True
    with _lock:
        if len(_waiting) >= MAX_WAITING:
            return False
        _waiting[request] = (answered, timer)
    if not _send(targets, payload):
        with _lock:
            _waiting.pop(request, None)
        return False
    timer.start()
    return True


def _edit_cell_in_bounds(
    source: str, name: str, widget_id: str | None, cell_id: str | None
) -> bool:
    """Only a ``%%forge --edit NAME`` cell of bounded size, with well-formed ids, is ever
    asked for (the front end checks the same): no other cell can be added this way."""
    return (
        _NAME.fullmatch(name) is not None
        and source.startswith(f"%%forge --edit {name}\n")
        and len(source) <= MAX_EDIT_SOURCE
        and (widget_id is None or _WIDGET_ID.fullmatch(widget_id) is not None)
        and (cell_id is None or _CELL_ID.fullmatch(cell_id) is not None)
    )


def _send(targets: list[Any], payload: dict[str, Any]) -> bool:
    """Send ``payload`` on each of ``targets``; whether any took it (a comm that fails
    has gone away and is dropped)."""
    sent = False
    for comm in targets:
        try:
            comm.send(payload)
            sent = True
        except Exception:
            if comm in _comms:
                _comms.remove(comm)
    return sent
