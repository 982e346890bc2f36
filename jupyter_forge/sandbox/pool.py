"""A warm pool of pre-started, already locked-down, single-use sandbox workers.

The worker applies its whole lockdown (namespaces, rlimits, Landlock, seccomp)
*before* it reads its job from stdin, so it can be started ahead of time: a
job then costs only sending the code and reading the reports. Each worker
still runs exactly one job in its own fresh scratch dir and is killed after
it (see :class:`.runner.Worker`); a replacement starts on a daemon thread,
never in the caller's way.

Limits are applied when a worker starts, so a pool serves one ``Limits`` value
(and one read-only path list); a job with other limits starts cold. The
module-level default pool is created lazily (by the first validation, never
by ``%load_ext``), follows the limits of the latest request, and is shut down
by ``%unload_ext jupyter_forge`` and at interpreter exit (a kernel shutdown).
Should the host die without that (SIGKILL), idle workers still exit: their
stdin hits EOF, which is a bad job; and a busy one's pid-1 shim sees the result
pipe lose its only reader and takes the namespace down (``lockdown.become_init_shim``).

``JUPYTER_FORGE_SANDBOX_POOL=0`` turns the pool off (see :data:`DEFAULT_ON`),
``JUPYTER_FORGE_SANDBOX_POOL_SIZE`` sets its size (default 2; 0 turns it off).
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Sequence

from ..core.environment import SANDBOX_POOL, SANDBOX_POOL_SIZE, from_env
from ..core.errors import SandboxError
from .layers import detect
from .limits import Limits
from .runner import Worker

DEFAULT_SIZE = 2
# On unless JUPYTER_FORGE_SANDBOX_POOL=0.
DEFAULT_ON = True
MAX_START_FAILURES = 3  # in a row; then the pool stops trying and jobs start cold
SWEEP_SECONDS = 0.5  # how often idle workers are checked for having died


def enabled_by_env() -> bool:
    value = from_env(SANDBOX_POOL)
    on = DEFAULT_ON if value is None else value != "0"
    return on and size_from_env() > 0


def size_from_env() -> int:
    try:
        return max(0, int(from_env(SANDBOX_POOL_SIZE) or DEFAULT_SIZE))
    except ValueError:
        return DEFAULT_SIZE


class WorkerPool:
    """Keeps ``size`` workers for ``limits`` (and read-only ``extra`` paths) started.

    Thread-safe. :meth:`take` hands out a live, locked-down worker nobody used (or
    None); the caller must ``run`` or ``close`` it.
    """

    def __init__(
        self, size: int = DEFAULT_SIZE, limits: Limits | None = None, extra: Sequence[str] = ()
    ) -> None:
        self.size = size
        self.limits = limits if limits is not None else Limits()
        self.extra = tuple(extra)
        self.detected = detect()
        self._idle: list[Worker] = []
        self._starting = 0
        self._failures = 0
        self._closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._refill, name="forge-sandbox-pool", daemon=True)
        self._thread.start()

    def matches(self, limits: Limits, extra: Sequence[str]) -> bool:
        """Same limits, paths and detected layers as this pool's workers were started with."""
        return limits == self.limits and tuple(extra) == self.extra and self.detected == detect()

    @property
    def broken(self) -> bool:
        """Workers keep failing to start or lock down: the pool gave up (jobs go cold)."""
        return self._failures >= MAX_START_FAILURES

    def take(self) -> Worker | None:
        """A ready worker, or None if none is ready right now (never waits for one)."""
        dead: list[Worker] = []
        found: Worker | None = None
        with self._cond:
            while self._idle and found is None:
                worker = self._idle.pop(0)
                # A worker started under other detected layers (changed since) is never used.
                if worker.detected == self.detected == detect() and worker.idle_and_alive():
                    found = worker
                else:
                    dead.append(worker)
            self._cond.notify_all()
        for worker in dead:
            worker.close()
        return found

    def idle_pids(self) -> list[int]:
        """Host pids of the idle workers' leaders (for tests and diagnostics)."""
        with self._cond:
            return [w.proc.pid for w in self._idle if w.proc is not None]

    def wait_full(self, timeout: float) -> bool:
        """Block until ``size`` workers are idle and locked down (tests, benchmarks)."""
        with self._cond:
            return (
                self._cond.wait_for(
                    lambda: len(self._idle) >= self.size or self._closed or self.broken, timeout
                )
                and len(self._idle) >= self.size
            )

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop refilling, kill idle workers' process groups and remove their scratch dirs."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for worker in idle:
            worker.close()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _sweep(self) -> list[Worker]:
        """Drop idle workers that died (caller holds the lock; close them outside it)."""
        dead = [w for w in self._idle if not w.idle_and_alive()]
        if dead:
            self._idle = [w for w in self._idle if w not in dead]
        return dead

    def _refill(self) -> None:
        while True:
            with self._cond:
                dead = self._sweep()
                stop = self._closed or self.broken
                start = not stop and len(self._idle) + self._starting < self.size
                if start:
                    self._starting += 1
                elif not stop and not dead:
                    self._cond.wait(SWEEP_SECONDS)
            for worker in dead:
                worker.close()
            if stop:
                return
            if start:
                self._start_one()

    def _start_one(self) -> None:
        worker: Worker | None = None
        try:
            worker = Worker(self.limits, self.extra)
            ok = worker.wait_locked(self.limits.load_timeout)
        except (SandboxError, OSError):
            ok = False
        with self._cond:
            self._starting -= 1
            same_layers = worker is not None and worker.detected == self.detected
            keep = ok and same_layers and not self._closed
            if keep and worker is not None:
                self._idle.append(worker)
                self._failures = 0
            elif same_layers and not self._closed:
                self._failures += 1
            self._cond.notify_all()
        if not keep and worker is not None:
            worker.close()


_lock = threading.Lock()
_default: WorkerPool | None = None
_atexit_registered = False


def default_pool() -> WorkerPool | None:
    """The current module-level pool, if one was started."""
    return _default


def take_worker(limits: Limits, extra: Sequence[str]) -> Worker | None:
    """A warm worker for this job from the default pool, or None (then start cold).

    The default pool starts on first use and follows the latest request's limits:
    a request with other limits gets None now and a pool for its limits next time.
    """
    global _default, _atexit_registered
    old: WorkerPool | None = None
    with _lock:
        pool = _default
        if pool is None or not pool.matches(limits, extra):
            size = size_from_env()
            if size <= 0:
                return None
            old, pool = pool, WorkerPool(size, limits, extra)
            _default = pool
            if not _atexit_registered:
                atexit.register(shutdown_default)
                _atexit_registered = True
            fresh = old is None
        else:
            fresh = False
    if old is not None:
        old.shutdown(timeout=0)
    if pool.broken:
        return None
    if fresh:  # the very first job: don't wait ~a start-up for the pool; start cold
        return None
    return pool.take()


def shutdown_default() -> None:
    """Shut the default pool down (at interpreter exit, or to reset it)."""
    global _default
    with _lock:
        pool, _default = _default, None
    if pool is not None:
        pool.shutdown()
