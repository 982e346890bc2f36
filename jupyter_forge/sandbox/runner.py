"""Host side of the sandbox: start a locked-down worker, follow its reports, kill it.

No threads and no ``preexec_fn``: it is called from a Jupyter kernel (which is
multithreaded) and from background threads. The worker's reports arrive on a
dedicated pipe read with ``selectors`` against per-sample deadlines (see
:mod:`.reader`); afterwards, and on any deadline, the whole process group gets
SIGKILL. The job goes in as ``marshal``
(host to worker only: the host trusts its own data, and the worker avoids
importing ``json``); reports come back as JSON, are never unpickled, and a
malformed one counts as a crash, never as a pass.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from ..core.errors import SandboxError
from .layers import detect, python_roots
from .limits import Limits, format_plan, rlimit_plan
from .reader import Outcome, Reader

WORKER = Path(__file__).with_name("worker.py")


def _worker_env(scratch: str, hash_seed: int) -> dict[str, str]:
    """Nothing inherited (API keys stay home); one BLAS thread keeps RLIMIT_AS predictable;
    a fixed hash seed makes a verdict repeatable."""
    return {
        "PYTHONHASHSEED": str(hash_seed),
        "HOME": scratch,
        "TMPDIR": scratch,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


# Read-only in the Landlock allowlist besides the interpreter's own directories.
SYSTEM_READ_ONLY = (
    "/usr/lib",
    "/usr/lib64",
    "/lib",
    "/lib64",
    "/usr/local/lib",
    "/usr/share/zoneinfo",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/dev/urandom",
    "/dev/random",
)


def _lockdown_plan(scratch: str, extra: list[str]) -> dict[str, object]:
    """What the worker applies to itself before reading the job (trusted, host-built)."""
    found = detect()
    return {
        "init_shim": found.unshare is not None,
        "landlock": found.landlock_abi,
        "read_only": [*python_roots(), *extra, *SYSTEM_READ_ONLY],
        "read_write": [scratch, "/dev/null"],
        "uid": -1 if found.drop_to is None else found.drop_to,
        "drop_caps": found.drop_caps,
        "seccomp": found.seccomp_program or b"",
    }


class Worker:
    """One started worker: it locks itself down, then waits for its single job on stdin.

    Cold path: ``Worker(limits, extra).run(job, n)``. Warm pool (:mod:`.pool`): start
    it ahead of time, :meth:`wait_locked`, and later :meth:`run` one job. Either way
    the worker gets a fresh scratch dir, runs exactly one job, and :meth:`close`
    kills its process group and removes the scratch dir.
    """

    def __init__(self, limits: Limits, extra: Sequence[str]) -> None:
        if not sys.executable:
            raise SandboxError("cannot start the sandbox: this Python has no sys.executable")
        self.limits, self.extra = limits, tuple(extra)
        self.detected = detect()  # the layers this worker applies (a pool must match them)
        self.scratch = tempfile.mkdtemp(prefix="forge-sandbox-")
        self.diag = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.read_fd = self.stdin_fd = -1
        self.prefix: tuple[str, ...] = ()
        self.proc: subprocess.Popen[bytes] | None = None
        self.closed = False
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        setup = _lockdown_plan(self.scratch, list(self.extra))
        uid = setup["uid"]
        if isinstance(uid, int) and uid >= 0:
            os.chown(self.scratch, uid, uid)
        self.prefix = detect().unshare or ()
        self.read_fd, write_fd = os.pipe()
        plan = format_plan(rlimit_plan(self.limits))
        # -s -B rather than -I, whose -E would ignore PYTHONHASHSEED: the environment is
        # built here whole (no PYTHONPATH, no PYTHONSTARTUP), and the worker drops its own
        # folder from sys.path first thing (what -I's -P does).
        argv = [*self.prefix, sys.executable, "-s", "-B", str(WORKER), str(write_fd), plan]
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self.diag,
                cwd=self.scratch,
                env=_worker_env(self.scratch, self.limits.hash_seed),
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        except OSError as exc:
            raise SandboxError(f"cannot start the sandbox worker: {exc}") from None
        finally:
            os.close(write_fd)
        assert self.proc.stdin is not None
        self.stdin_fd = self.proc.stdin.fileno()
        os.set_blocking(self.stdin_fd, False)
        self._send(marshal.dumps(setup), time.monotonic() + self.limits.load_timeout)

    def _send(self, data: bytes, deadline: float) -> bool:
        """Write to the worker's stdin without ever blocking past ``deadline``."""
        view = memoryview(data)
        with selectors.DefaultSelector() as selector:
            selector.register(self.stdin_fd, selectors.EVENT_WRITE)
            while view:
                try:
                    view = view[os.write(self.stdin_fd, view) :]
                    continue
                except BlockingIOError:
                    pass
                except OSError:  # e.g. EPIPE: it died; the reader will say how
                    return False
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                selector.select(remaining)
        return True

    def wait_locked(self, timeout: float) -> bool:
        """Consume the worker's "locked" line (pool only); False if it failed or is silent."""
        deadline = time.monotonic() + timeout
        line = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self.read_fd, selectors.EVENT_READ)
            while not line.endswith(b"\n") and len(line) < 200:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    return False
                chunk = os.read(self.read_fd, 200 - len(line))
                if not chunk:
                    return False
                line += chunk
        return line == b'{"event":"locked"}\n'

    def idle_and_alive(self) -> bool:
        """Still running and has said nothing since "locked" (pool only)."""
        if self.closed or self.proc is None or self._exited():
            return False
        with selectors.DefaultSelector() as selector:
            selector.register(self.read_fd, selectors.EVENT_READ)
            return not selector.select(0)

    def _exited(self) -> bool:
        """Whether the worker's leader exited, checked without reaping it (pgid stays ours)."""
        assert self.proc is not None
        if not hasattr(os, "waitid"):
            return self.proc.poll() is not None
        try:
            info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return info is not None and info.si_pid != 0

    def run(self, job: dict[str, object], n_samples: int) -> Outcome:
        """Send the one job, follow the reports (see :class:`.Reader`), then :meth:`close`."""
        assert self.proc is not None and not self.closed
        try:
            self._send(marshal.dumps(job), time.monotonic() + self.limits.load_timeout)
            assert self.proc.stdin is not None
            with contextlib.suppress(OSError):
                self.proc.stdin.close()  # EOF ends the worker's read of the job
            reader = Reader(self.proc, self.read_fd, self.diag, n_samples, self.limits)
            reader.signal_exit_codes = bool(self.prefix)  # the pid-1 shim reports 128 + signal
            return reader.run()
        finally:
            self.close()

    def close(self) -> None:
        """Kill the worker's process group, reap it, free its fds and scratch dir."""
        if self.closed:
            return
        self.closed = True
        if self.proc is not None:
            _kill_group(self.proc.pid)
            self.proc.wait()
            if self.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self.proc.stdin.close()
        if self.read_fd >= 0:
            os.close(self.read_fd)
            self.read_fd = -1
        self.diag.close()
        _remove_tree(self.scratch)


def _kill_group(pgid: int) -> None:
    """SIGKILL the worker and anything it spawned (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _remove_tree(path: str) -> None:
    """Remove the scratch dir even if the candidate chmod-ed things inside it."""
    shutil.rmtree(path, ignore_errors=True)
    if os.path.exists(path):
        for root, dirs, _ in os.walk(path):
            for name in dirs:
                with contextlib.suppress(OSError):
                    os.chmod(os.path.join(root, name), 0o700)
        shutil.rmtree(path, ignore_errors=True)
