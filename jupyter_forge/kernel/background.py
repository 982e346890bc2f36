"""One slow job at a time, off the kernel's thread, for a widget's buttons.

The kernel cannot see a click while a cell runs, and a click handler that blocked
would freeze every widget; so slow work (a regeneration, a sandbox run, pip) runs on
a thread, and the widget refuses new work until it is done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Worker:
    """A busy flag that one job holds from claim to release, and the thread it runs on."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.started = 0  # jobs started on a thread so far (0: everything ran in place)

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def claim(self) -> bool:
        """Mark the widget busy, unless it already is (then False: refuse the new work)."""
        return self._lock.acquire(blocking=False)

    def release(self) -> None:
        self._lock.release()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Busy for the ``with`` block (after waiting for a job that holds it)."""
        with self._lock:
            yield

    def start(self, work: Callable[[], None]) -> None:
        """Run ``work`` on a new daemon thread; it must :meth:`release` what was claimed."""
        self._thread = threading.Thread(target=work, name=self._name, daemon=True)
        self.started += 1
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the last job started has finished (or ``timeout`` seconds)."""
        if self._thread is not None:
            self._thread.join(timeout)
