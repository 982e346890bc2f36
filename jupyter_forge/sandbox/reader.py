"""Follow the worker's reports against deadlines, and explain how it ended.

Everything the worker sends is untrusted: each line must be a JSON object in
the expected order (locked, ready, loaded, one per sample, done). Anything else, an
oversized line, silence past a deadline, or a closed channel, becomes a
timeout or crash verdict for the sample in progress; never a pass, never an
exception in the host (except :class:`SandboxError` when the worker could not
even start).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import IO, Any

from ..core.errors import SandboxError
from ..core.validation import RawSampleRun, truncate
from .attempts import OUTCOMES
from .limits import Limits

MAX_ATTEMPTED = 30  # attempts kept (the worker sends at most as many; it may lie)
DIAG_TAIL = 4000  # bytes of the worker's fd 2 kept to explain a crash
EXIT_GRACE = 2.0  # seconds to let a worker that closed its channel finish dying

_SIGNAL_HINTS = {
    "SIGSEGV": "segmentation fault",
    "SIGKILL": "killed, e.g. out of memory",
    "SIGXCPU": "CPU time limit exceeded",
    "SIGABRT": "aborted",
    "SIGBUS": "bus error",
}


def with_outcome(what: str, outcome: object) -> str:
    """``what`` with the worker's outcome appended, if it is one of the known words.

    The worker may lie (the candidate shares its process), so free text never shows;
    a lie can only change which known outcome is shown, never hide the attempt.
    """
    return f"{what}: {outcome}" if isinstance(outcome, str) and outcome in OUTCOMES else what


@dataclass
class Outcome:
    """What the worker's reports established, ready for ``judge_all``."""

    raws: list[RawSampleRun] = field(default_factory=list)
    load_error: str | None = None
    load_traceback: str | None = None
    attempted: list[str] = field(default_factory=list)  # what the candidate tried (attempts.py)


class _ProtocolError(Exception):
    """The worker sent something that is not a well-formed, in-order report."""


class Reader:
    """Follows the worker's reports, enforcing deadlines; never reaps the process.

    Not reaping keeps the process group id reserved until the caller's ``killpg``.
    """

    def __init__(
        self, proc: subprocess.Popen[bytes], fd: int, diag: IO[bytes], n: int, limits: Limits
    ) -> None:
        self.proc, self.fd, self.diag, self.n, self.limits = proc, fd, diag, n, limits
        self.max_line = 8 * limits.max_output + 1_000_000
        self.outcome = Outcome()
        self.locked = self.ready = self.loaded = self.finished = False
        self.next_index = 0
        self.signal_exit_codes = False  # exit codes above 128 mean "killed by signal - 128"

    def run(self) -> Outcome:
        os.set_blocking(self.fd, False)
        buffer = bytearray()
        deadline = time.monotonic() + self.limits.load_timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.fd, selectors.EVENT_READ)
            while not self.finished:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._on_timeout()
                    break
                if not selector.select(remaining):
                    continue
                try:
                    chunk = os.read(self.fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not chunk:
                    self._on_eof(deadline)
                    break
                buffer += chunk
                try:
                    if self._drain(buffer):
                        deadline = time.monotonic() + (
                            self.limits.timeout if self.loaded else self.limits.load_timeout
                        )
                except _ProtocolError as exc:
                    self._on_death(f"the sandbox sent a malformed report ({exc})")
                    break
        return self.outcome

    def _drain(self, buffer: bytearray) -> bool:
        """Handle every complete line in ``buffer``; True if a sample or the load finished."""
        progressed = False
        while not self.finished:
            end = buffer.find(b"\n")
            if end < 0:
                if len(buffer) > self.max_line:
                    raise _ProtocolError(f"a line over {self.max_line} bytes")
                return progressed
            line = bytes(buffer[:end])
            del buffer[: end + 1]
            progressed = self._handle(line) or progressed
        return progressed

    def _handle(self, line: bytes) -> bool:
        try:
            event: Any = json.loads(line)
        except (ValueError, RecursionError):
            raise _ProtocolError("not JSON") from None
        if not isinstance(event, dict):
            raise _ProtocolError("not a JSON object")
        kind = event.get("event")
        if kind == "locked" and not self.locked and not self.ready:
            self.locked = True  # lockdown done; a warm pool consumes this line itself
            return False
        if kind == "ready" and not self.ready:
            self.ready = True
            return False
        if kind == "fatal" and not self.ready:
            raise SandboxError(f"the sandbox worker failed: {truncate(str(event.get('message')))}")
        if not self.ready:
            raise _ProtocolError(f"unexpected {truncate(str(kind), 40)!r} before start-up")
        if kind == "attempt":  # any time while the candidate runs; never progress
            what = truncate(" ".join(str(event.get("what") or "tried something").split()), 300)
            attempted = self.outcome.attempted
            known = any(a == what or a.startswith(f"{what}: ") for a in attempted)
            if len(attempted) < MAX_ATTEMPTED and not known:
                attempted.append(with_outcome(what, event.get("outcome")))
            return False
        if kind == "outcome":  # what became of an earlier attempt, seen after its sample
            what = truncate(" ".join(str(event.get("what")).split()), 300)
            attempted = self.outcome.attempted
            if what in attempted:
                attempted[attempted.index(what)] = with_outcome(what, event.get("outcome"))
            return False
        if kind == "loaded" and not self.loaded:
            if event.get("status") == "ok":
                self.loaded = True
            else:
                error = str(event.get("load_error") or "the code could not be loaded")
                self.outcome.load_error = truncate(error.strip().split("\n")[0], 500)
                tb = event.get("traceback")
                self.outcome.load_traceback = None if tb is None else truncate(str(tb))
                self.finished = True
            return True
        if kind == "sample" and self.loaded and self.next_index < self.n:
            if event.get("index") != self.next_index or event.get("status") not in ("ok", "error"):
                raise _ProtocolError("a sample report out of order or with a bad status")
            try:
                self.outcome.raws.append(RawSampleRun.from_json(event))
            except (KeyError, TypeError, ValueError) as exc:
                raise _ProtocolError(f"a bad sample report: {exc}") from None
            self.next_index += 1
            return True
        if kind == "done" and self.loaded and self.next_index == self.n:
            self.finished = True
            return True
        raise _ProtocolError(f"unexpected event {truncate(str(kind), 40)!r}")

    def _on_timeout(self) -> None:
        if not self.ready:
            raise SandboxError(
                f"the sandbox worker did not start within {self.limits.load_timeout:g} s"
            )
        if not self.loaded:
            self.outcome.load_error = (
                f"loading the code timed out after {self.limits.load_timeout:g} s "
                "(the sandbox killed it)"
            )
        elif self.next_index < self.n:
            self.outcome.raws.append(
                RawSampleRun(index=self.next_index, status="timeout", seconds=self.limits.timeout)
            )

    def _on_eof(self, deadline: float) -> None:
        """The channel closed before "done": the worker died (or shut its channel)."""
        if self.loaded and self.next_index >= self.n:
            return
        status = self._exit_status(min(deadline, time.monotonic() + EXIT_GRACE))
        if not self.ready:
            raise SandboxError(
                f"the sandbox worker exited before it started ({status}): {self._diag_tail()}"
            )
        self._on_death(f"the sandbox process died ({status})")

    def _on_death(self, message: str) -> None:
        if not self.loaded:
            self.outcome.load_error = message.replace("died", "died while loading the code", 1)
            self.outcome.load_traceback = self._diag_tail() or None
        elif self.next_index < self.n:
            self.outcome.raws.append(
                RawSampleRun(
                    index=self.next_index,
                    status="crashed",
                    exc_message=message,
                    traceback=self._diag_tail() or None,
                )
            )

    def _exit_status(self, until: float) -> str:
        """How the worker ended, read without reaping it (so its group id stays ours)."""
        if not hasattr(os, "waitid"):  # e.g. macOS: reap it and accept a tiny pgid-reuse risk
            try:
                code = self.proc.wait(max(0.0, until - time.monotonic()))
            except subprocess.TimeoutExpired:
                return "it closed its result channel, so the host killed it"
            return f"exit code {code}" if code >= 0 else self._signal_text(-code)
        while True:
            try:
                info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return "exit status unknown"
            if info is not None and info.si_pid:
                if info.si_code == os.CLD_EXITED:
                    if self.signal_exit_codes and 128 < info.si_status < 128 + 65:
                        return self._signal_text(info.si_status - 128)
                    return f"exit code {info.si_status}"
                return self._signal_text(info.si_status)
            if time.monotonic() >= until:
                return "it closed its result channel, so the host killed it"
            time.sleep(0.005)

    @staticmethod
    def _signal_text(number: int) -> str:
        try:
            name = signal.Signals(number).name
        except ValueError:
            return f"signal {number}"
        hint = _SIGNAL_HINTS.get(name)
        return f"signal {name}: {hint}" if hint else f"signal {name}"

    def _diag_tail(self) -> str:
        """The end of what the worker wrote to fd 2 (e.g. faulthandler's stack)."""
        try:
            size = self.diag.seek(0, os.SEEK_END)
            self.diag.seek(max(0, size - DIAG_TAIL))
            text = self.diag.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""
        return truncate(text)
