"""Tracker: counting wrappers around tools, flushed to the library's usage database."""

from __future__ import annotations

import asyncio
import inspect
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_helpers import Kernel

from jupyter_forge.core.library import Library
from jupyter_forge.core.usage import USAGE_FILE, UsageStore
from jupyter_forge.kernel.registry import ToolRegistry
from jupyter_forge.kernel.tracking import Tracker

CODE = '''import math


def area(radius: float) -> float:
    """Area of a circle."""
    if radius < 0:
        raise ValueError("negative radius")
    return math.pi * radius ** 2
'''


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    t = Tracker(flush_seconds=3600, register_atexit=False)
    yield t
    t.close()


@pytest.fixture
def registry(tracker: Tracker) -> Iterator[ToolRegistry]:
    reg = ToolRegistry(tracker=tracker)
    yield reg
    for name in list(reg.tools):
        sys.modules.pop(f"forge_tools.{name}", None)


def install(registry: ToolRegistry, library: Path, version: int = 1) -> Any:
    ns: dict[str, Any] = {}
    registry.install(
        ns, name="area", code=CODE, schema=None, version=version, path=str(library / "area.ipynb")
    )
    return ns["area"]


def test_calls_and_failures_are_counted(
    registry: ToolRegistry, tracker: Tracker, tmp_path: Path
) -> None:
    area = install(registry, tmp_path)
    for radius in (1.0, 2.0, 3.0):
        area(radius)
    with pytest.raises(ValueError):
        area(-1)
    with pytest.raises(TypeError):
        area()  # a wrong call is a failed call too
    assert tracker.counts("area") == (5, 2)
    assert tracker.counts("other") == (0, 0)


def test_the_same_exception_is_raised_with_the_tools_traceback(
    registry: ToolRegistry, tmp_path: Path
) -> None:
    area = install(registry, tmp_path)
    tool = registry.get("area")
    assert tool is not None
    with pytest.raises(ValueError) as bare:
        tool.function(-1)
    with pytest.raises(ValueError) as wrapped:
        area(-1)

    assert type(wrapped.value) is ValueError and wrapped.value.args == ("negative radius",)
    assert wrapped.value.__cause__ is None and wrapped.value.__context__ is None
    bare_text = traceback.format_exception(bare.value)
    wrapped_text = traceback.format_exception(wrapped.value)
    # Same frames as the bare call, plus exactly one (the wrapper's) in between.
    assert len(wrapped_text) == len(bare_text) + 1
    assert wrapped_text[-2:] == bare_text[-2:]
    assert 'File "<forge:area v1>", line 7, in area' in wrapped_text[-2]
    assert 'raise ValueError("negative radius")' in wrapped_text[-2]


def test_exception_identity_is_kept(registry: ToolRegistry, tmp_path: Path) -> None:
    ns: dict[str, Any] = {}
    code = "SENTINEL = KeyError('k')\n\ndef boom() -> None:\n    raise SENTINEL\n"
    registry.install(ns, name="boom", code=code, schema=None, path=str(tmp_path / "boom.ipynb"))
    with pytest.raises(KeyError) as info:
        ns["boom"]()
    assert info.value is sys.modules["forge_tools.boom"].SENTINEL


def test_the_wrapper_looks_like_the_tool(registry: ToolRegistry, tmp_path: Path) -> None:
    area = install(registry, tmp_path)
    tool = registry.get("area")
    assert tool is not None and tool.tracked
    assert area is not tool.function and area is tool.installed
    assert area.__wrapped__ is tool.function
    assert area.__name__ == "area" and area.__doc__ == "Area of a circle."
    assert area.__module__ == "forge_tools.area"
    assert inspect.signature(area) == inspect.signature(tool.function)
    assert list(inspect.signature(area).parameters) == ["radius"]
    assert inspect.getsource(area).startswith("def area(radius: float) -> float:")


def test_async_tools_stay_coroutine_functions(
    registry: ToolRegistry, tracker: Tracker, tmp_path: Path
) -> None:
    ns: dict[str, Any] = {}
    code = "async def later(x: int) -> int:\n    if x < 0:\n        raise ValueError(x)\n    return x\n"
    registry.install(ns, name="later", code=code, schema=None, path=str(tmp_path / "later.ipynb"))
    assert inspect.iscoroutinefunction(ns["later"])
    assert asyncio.run(ns["later"](2)) == 2
    with pytest.raises(ValueError):
        asyncio.run(ns["later"](-2))
    assert tracker.counts("later") == (2, 1)


def test_is_current_and_remove_see_the_wrapper(registry: ToolRegistry, tmp_path: Path) -> None:
    ns: dict[str, Any] = {}
    registry.install(ns, name="area", code=CODE, schema=None, path=str(tmp_path / "area.ipynb"))
    assert registry.is_current("area", ns)
    assert registry.remove("area", ns)
    assert "area" not in ns


def test_untracked_installs_get_the_bare_function(tmp_path: Path) -> None:
    switch = {"on": False}
    tracker = Tracker(enabled=lambda: switch["on"], register_atexit=False)
    registry = ToolRegistry(tracker=tracker)
    ns: dict[str, Any] = {}
    tool = registry.install(ns, name="area", code=CODE, schema=None, path=str(tmp_path / "a.ipynb"))
    assert ns["area"] is tool.function and not tool.tracked
    # Not saved (--no-persist): no library to store usage in, so not wrapped either.
    switch["on"] = True
    tool = registry.install(ns, name="area", code=CODE, schema=None)
    assert ns["area"] is tool.function and not tool.tracked
    tool = registry.install(ns, name="area", code=CODE, schema=None, path=str(tmp_path / "a.ipynb"))
    assert ns["area"] is not tool.function and tool.tracked
    assert registry.close()
    sys.modules.pop("forge_tools.area", None)


def test_flush_writes_only_what_is_new_to_each_library(
    registry: ToolRegistry, tracker: Tracker, tmp_path: Path
) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    tracker.notebook = ""
    first = install(registry, tmp_path / "one", version=1)
    second = install(registry, tmp_path / "two", version=4)
    first(1)
    first(2)
    with pytest.raises(ValueError):
        second(-1)
    assert not (tmp_path / "one" / USAGE_FILE).exists()  # calls never touch the disk

    assert tracker.flush()
    first(3)
    assert tracker.flush()
    assert tracker.flush()  # nothing new: nothing written

    one = UsageStore.for_library(tmp_path / "one").stats()["area"]
    two = UsageStore.for_library(tmp_path / "two").stats()["area"]
    assert (one.calls, one.failures, one.versions, one.sessions) == (3, 0, {1: 3}, 1)
    assert (two.calls, two.failures, two.versions) == (1, 1, {4: 1})
    rows = sqlite3.connect(tmp_path / "one" / USAGE_FILE).execute("SELECT session FROM usage")
    assert {r[0] for r in rows} == {tracker.session}


def test_the_timer_thread_flushes_on_its_own(tmp_path: Path) -> None:
    tracker = Tracker(flush_seconds=0.05, register_atexit=False)
    registry = ToolRegistry(tracker=tracker)
    area = install(registry, tmp_path)
    area(1)
    area(2)
    store = UsageStore.for_library(tmp_path)
    deadline = time.monotonic() + 10
    while "area" not in store.stats() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert store.stats()["area"].calls == 2
    tracker.close()
    sys.modules.pop("forge_tools.area", None)


def test_a_failed_flush_is_kept_and_retried(
    registry: ToolRegistry, tracker: Tracker, tmp_path: Path
) -> None:
    library = tmp_path / "not-yet"
    area = install(registry, library)
    area(1)
    assert tracker.flush() is False  # no library folder (yet): kept, never raised
    assert any("no library folder" in e for e in tracker.errors)
    area(2)
    with pytest.raises(ValueError):
        area(-3)
    library.mkdir()
    assert tracker.flush() is True
    stats = UsageStore.for_library(library).stats()["area"]
    assert (stats.calls, stats.failures) == (3, 1)


def test_a_corrupt_database_never_reaches_the_caller(
    registry: ToolRegistry, tracker: Tracker, tmp_path: Path
) -> None:
    (tmp_path / USAGE_FILE).write_bytes(b"garbage" * 1000)
    area = install(registry, tmp_path)
    assert area(1) > 0
    assert tracker.flush() is False
    assert tracker.close() is False  # still pending; still no exception


EXIT_SCRIPT = textwrap.dedent(
    """
    import sys
    from jupyter_forge.kernel.registry import ToolRegistry
    from jupyter_forge.kernel.tracking import Tracker

    registry = ToolRegistry(tracker=Tracker(flush_seconds=3600, notebook="exit.ipynb"))
    ns = {}
    registry.install(ns, name="twice", code="def twice(x):\\n    return 2 * x\\n",
                     schema=None, version=2, path=sys.argv[1] + "/twice.ipynb")
    for i in range(7):
        ns["twice"](i)
    try:
        ns["twice"]()
    except TypeError:
        pass
    """
)


def test_counts_are_flushed_when_the_interpreter_exits(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", EXIT_SCRIPT, str(tmp_path)], check=True, timeout=60)
    stats = UsageStore.for_library(tmp_path).stats()["twice"]
    assert (stats.calls, stats.failures, stats.versions, stats.notebooks) == (8, 1, {2: 8}, 1)


# -- in IPython ---------------------------------------------------------------------


def save_tool(library: Path, name: str, code: str, notary_dir: str | None = None) -> None:
    Library(library, notary_dir=notary_dir).save(
        name=name,
        code=code,
        description="test tool",
        signature="",
        request="test tool",
        model="scripted",
        samples=[],
        schema=None,
        validation={"passed": True},
    )


def test_loaded_tools_are_tracked_in_the_shell(kernel: Kernel) -> None:
    save_tool(kernel.library, "area", CODE)
    kernel.ns["__session__"] = str(kernel.tmp_path / "analysis.ipynb")
    kernel.ok("%forge load area")
    tool = kernel.magics.registry.get("area")
    assert tool.tracked and kernel.ns["area"] is tool.installed
    assert kernel.magics.registry.is_current("area", kernel.ns)
    kernel.ok("area(1); area(2)")
    result, captured = kernel.run("area(-1)")
    assert isinstance(result.error_in_exec, ValueError)
    # IPython hides the wrapper's frame (__tracebackhide__); the tool's line is shown.
    assert 'raise ValueError("negative radius")' in captured.stdout
    assert "tracking.py" not in captured.stdout

    assert kernel.magics.registry.close()
    stats = UsageStore.for_library(kernel.library).stats()["area"]
    assert (stats.calls, stats.failures, stats.notebooks) == (3, 1, 1)
    del kernel.ns["__session__"]


def test_track_calls_false_installs_the_bare_function(kernel: Kernel) -> None:
    save_tool(kernel.library, "area", CODE)
    kernel.ok("%config Forge.track_calls = False")
    kernel.ok("%forge load area")
    tool = kernel.magics.registry.get("area")
    assert not tool.tracked and kernel.ns["area"] is tool.function
    kernel.ok("area(1)")
    kernel.magics.registry.close()
    assert not (kernel.library / USAGE_FILE).exists()


# -- in a real ipykernel --------------------------------------------------------------


class Live:
    def __init__(self, kc: Any) -> None:
        self.kc = kc

    def execute(self, code: str, timeout: float = 60) -> dict[str, Any]:
        msg_id = self.kc.execute(code)
        deadline = time.monotonic() + timeout
        while True:
            reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                content: dict[str, Any] = reply["content"]
                return content

    def ok(self, code: str) -> None:
        reply = self.execute(code)
        assert reply["status"] == "ok", reply

    def value(self, expression: str) -> str:
        msg_id = self.kc.execute(expression)
        while True:
            msg = self.kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_result":
                return str(msg["content"]["data"]["text/plain"])


@pytest.mark.timeout(120)
def test_a_real_kernel_stores_its_counts_at_shutdown(tmp_path: Path) -> None:
    from jupyter_client.manager import start_new_kernel

    data_dir = tmp_path / "jupyter-data"
    library = tmp_path / "lib"
    notebook = str(tmp_path / "analysis.ipynb")
    save_tool(library, "area", CODE, notary_dir=str(data_dir))
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_FORGE_APPROVE"}
    env.update(JUPYTER_DATA_DIR=str(data_dir), JPY_SESSION_NAME=notebook)
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60, env=env, cwd=str(tmp_path))
    try:
        live = Live(kc)
        live.ok("%load_ext jupyter_forge")
        live.ok(f"%config Forge.library = '{library}'")
        live.ok("%config Forge.usage_flush_seconds = 3600.0")  # only the shutdown flush counts
        live.ok("%forge load area")
        saved = (library / "area.ipynb").stat().st_mtime_ns
        session = live.value("get_ipython().kernel.session.session").strip("'")
        live.ok("area(1.0)")
        live.ok("area(2.0)")
        reply = live.execute("area(-1.0)")
        assert (reply["status"], reply["ename"]) == ("error", "ValueError")
        assert not any("tracking.py" in line for line in reply["traceback"])
        assert UsageStore.for_library(library).stats() == {}  # nothing written per call
        assert (library / "area.ipynb").stat().st_mtime_ns == saved  # the notebook never
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)  # a clean shutdown request, as JupyterLab sends

    store = UsageStore.for_library(library)
    stats = store.stats()
    assert store.errors == []
    assert (stats["area"].calls, stats["area"].failures) == (3, 1)
    rows = sqlite3.connect(store.path).execute("SELECT session, notebook FROM usage").fetchall()
    assert rows == [(session, notebook)]
