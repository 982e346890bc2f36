"""Count calls of forged tools in the kernel, and now and then store the counts.

Why: retiring tools by outcome needs to know which ones are really called. A
call only bumps two integers in a closure (well under a microsecond); a daemon
thread merges the counts into the library's :class:`UsageStore` every
``Forge.usage_flush_seconds`` and once more at exit, so no call ever waits on
disk and no notebook is rewritten per call.

IPython 8/9 have no shutdown hook (``shell.hooks`` holds only editor/pager/
clipboard hooks) and ipykernel has no shutdown event: a shutdown request stops
the io loops and the process exits, running :mod:`atexit` handlers, which is
where IPython itself cleans up (``atexit.register(shell.atexit_operations)``).
So the final flush is an atexit handler, plus :meth:`Tracker.close` for an
explicit unload.
"""

from __future__ import annotations

import atexit
import functools
import inspect
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.usage import Counts, UsageKey, UsageStore, merge_batches


@dataclass
class _Counter:
    """One installed tool version: live counters and what has been stored of them.

    Only the wrapper writes ``cell``; only the flush writes ``stored``. Flushing
    the difference (instead of resetting the cell) loses no call that races a flush.
    """

    name: str
    version: int
    library: Path
    cell: list[int] = field(default_factory=lambda: [0, 0])  # calls, failures
    stored: list[int] = field(default_factory=lambda: [0, 0])


def _wrap(function: Callable[..., Any], cell: list[int]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def tracked_async(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True  # IPython hides this frame in tracebacks
            cell[0] += 1
            try:
                return await function(*args, **kwargs)
            except Exception:
                cell[1] += 1
                raise

        return tracked_async

    @functools.wraps(function)
    def tracked(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # IPython hides this frame in tracebacks
        cell[0] += 1
        try:
            return function(*args, **kwargs)
        except Exception:
            cell[1] += 1
            raise

    return tracked


def _setting(value: object) -> Callable[[], Any]:
    return value if callable(value) else (lambda: value)


class Tracker:
    """Wraps tools to count their calls; flushes counts to each tool's library.

    ``enabled``, ``flush_seconds`` and ``notebook`` may be callables, read when
    needed, so ``%config Forge.track_calls = False`` applies to the next install.
    """

    def __init__(
        self,
        *,
        flush_seconds: float | Callable[[], float] = 30.0,
        enabled: bool | Callable[[], bool] = True,
        session: str | None = None,
        notebook: str | Callable[[], str] = "",
        register_atexit: bool = True,
    ) -> None:
        self._flush_seconds = _setting(flush_seconds)
        self._enabled = _setting(enabled)
        self._notebook = _setting(notebook)
        self.session = session or uuid.uuid4().hex
        self.notebook = ""
        self._register_atexit = register_atexit
        self._counters: list[_Counter] = []
        self._pending: dict[Path, dict[UsageKey, Counts]] = {}
        self._stores: dict[Path, UsageStore] = {}
        self._lock = threading.Lock()  # one flush at a time (timer, atexit, close)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_shell(cls, shell: Any, forge: Any) -> Tracker:
        """The tracker of a kernel: its session id, its notebook, ``forge``'s settings."""
        kernel = getattr(shell, "kernel", None)
        session = getattr(getattr(kernel, "session", None), "session", None)

        def notebook() -> str:
            value = getattr(shell, "user_ns", {}).get("__session__")
            return str(value or os.environ.get("JPY_SESSION_NAME", ""))

        return cls(
            flush_seconds=lambda: float(forge.usage_flush_seconds),
            enabled=lambda: bool(forge.track_calls),
            session=str(session) if session else None,
            notebook=notebook,
        )

    @property
    def enabled(self) -> bool:
        return bool(self._enabled())

    def _current_notebook(self) -> str:
        # Remembered: IPython empties the namespace at exit, before our last flush.
        try:
            value = str(self._notebook() or "")
        except Exception:
            value = ""
        if value:
            self.notebook = value
        return self.notebook

    def wrap(
        self,
        function: Callable[..., Any],
        *,
        name: str,
        version: int,
        library: str | os.PathLike[str],
    ) -> Callable[..., Any]:
        """A counting wrapper around ``function`` (``functools.wraps``: same name,
        signature, docstring, ``__wrapped__``; ``inspect.getsource`` still works)."""
        counter = _Counter(name, version, Path(library))
        tracked = _wrap(function, counter.cell)
        self._counters.append(counter)  # atomic; no lock, so a slow flush never delays a load
        self._current_notebook()
        self._start()
        return tracked

    def counts(self, name: str) -> tuple[int, int]:
        """Calls and failures of ``name`` in this kernel so far (stored or not)."""
        found = [c.cell for c in list(self._counters) if c.name == name]
        return sum(c[0] for c in found), sum(c[1] for c in found)

    # -- flushing --------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is not None:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name="forge-usage-flush", daemon=True
        )
        self._thread.start()
        if self._register_atexit:
            atexit.register(self.close)

    def _run(self, stop: threading.Event) -> None:
        while True:
            try:
                seconds = max(0.05, float(self._flush_seconds()))
            except Exception:
                seconds = 30.0
            if stop.wait(seconds):
                return
            self.flush()

    def flush(self) -> bool:
        """Store what was counted since the last flush; True when nothing is left pending.

        A batch that cannot be written stays pending and joins the next flush.
        Never raises.
        """
        with self._lock:
            try:
                return self._flush_locked()
            except Exception:  # usage data must never break the kernel
                return False

    def _flush_locked(self) -> bool:
        now = time.time()
        notebook = self._current_notebook()
        for counter in list(self._counters):
            calls, failures = counter.cell  # one read of both: consistent enough
            delta_calls = calls - counter.stored[0]
            delta_failures = failures - counter.stored[1]
            if delta_calls <= 0 and delta_failures <= 0:
                continue
            counter.stored[:] = [calls, failures]
            key = UsageKey(counter.name, counter.version, self.session, notebook)
            batch = {key: Counts(delta_calls, delta_failures, now, now)}
            merge_batches(self._pending.setdefault(counter.library, {}), batch)
        for library in list(self._pending):
            store = self._stores.get(library)
            if store is None:
                store = self._stores[library] = UsageStore.for_library(library)
            if store.record(self._pending[library]):
                del self._pending[library]
        return not self._pending

    @property
    def errors(self) -> list[str]:
        """Notes from the stores this tracker wrote to (why a flush did not land)."""
        return [e for store in self._stores.values() for e in store.errors]

    def close(self) -> bool:
        """Stop the timer thread and flush one last time. Call on unload; idempotent.

        Tools installed before stay counted: a later :meth:`flush` (or a new
        :meth:`wrap`, which restarts the thread) still stores their calls.
        """
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        if self._register_atexit:
            atexit.unregister(self.close)
        return self.flush()
