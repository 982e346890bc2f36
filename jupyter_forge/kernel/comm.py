"""The ``jupyter_forge`` comm target: the Forge Tools panel's line into the kernel.

Two things travel on it. The kernel tells open panels ``{"event": "tools_changed"}``
after a tool is approved, saved or removed, so they refresh at once instead of at
the next poll. The front end sends ``{"event": "sample_cells", "name": NAME,
"cells": [{source, tags}]}`` just before it executes a ``%%forge NAME`` cell: comm
messages and execute requests share the shell channel, so the cells arrive first,
and ``%%forge`` takes them (JupyterLab 4 gives extensions no hook to add metadata
to the execute request itself).

Everything here is a no-op without a front end (plain IPython, tests, nbclient).
"""

from __future__ import annotations

import contextlib
from typing import Any

TARGET = "jupyter_forge"
MAX_CELLS = 200
MAX_SOURCE = 20_000

_comms: list[Any] = []
_sample_cells: dict[str, list[dict[str, Any]]] = {}
_registered: dict[int, Any] = {}


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


def _on_open(comm: Any, open_msg: dict[str, Any]) -> None:
    _comms.append(comm)
    comm.on_msg(_on_msg)

    def closed(msg: dict[str, Any]) -> None:
        if comm in _comms:
            _comms.remove(comm)

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
    _sample_cells.clear()


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
