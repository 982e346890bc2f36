"""Keep-alive: how long an idle local model server stays, and what one that left says about why.

Like Ollama's: a server exits after keep-alive seconds with nothing asked of it
(0: when the forge that used it ends, -1: never), so the RAM goes back to the
user. The server itself keeps time (:mod:`.serve`) and records its activity in a
file next to its state; this module reads the setting and that record.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields

from ..core.environment import MODEL_KEEP_ALIVE, from_env
from ..core.errors import ModelError
from .local_models import LocalModelSpec
from .serve import FALLBACK_KEEP_ALIVE  # stdlib-only at import, like this module
from .server_process import Progress, pid_alive, runtime_file

DEFAULT_KEEP_ALIVE = 300.0  # like Ollama: 5 minutes idle, then the RAM goes back to the user
KEEP_ALIVE_ENV = MODEL_KEEP_ALIVE.name

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def parse_keep_alive(text: str) -> float:
    """Seconds from "300", "30s", "5m", "1h", "0" or "-1" (Ollama's spelling); ValueError else."""
    value = text.strip().lower()
    scale = _UNITS.get(value[-1:], 0.0)
    number = float(value[:-1] if scale else value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"not a duration: {text!r}")
    seconds = number * (scale or 1.0)
    return -1.0 if seconds < 0 else seconds


def keep_alive_from_env() -> float:
    """``$JUPYTER_FORGE_MODEL_KEEP_ALIVE``, else :data:`DEFAULT_KEEP_ALIVE`."""
    raw = from_env(MODEL_KEEP_ALIVE)
    if raw is None:
        return DEFAULT_KEEP_ALIVE
    try:
        return parse_keep_alive(raw)
    except ValueError:
        raise ModelError(
            f"{KEEP_ALIVE_ENV}={raw!r} is not a duration: use seconds (300), 5m, 1h, "
            "0 (stop after each forge) or -1 (never stop)"
        ) from None


def describe_keep_alive(seconds: float) -> str:
    if seconds < 0:
        return "never stops on its own"
    if seconds == 0:
        return "stops after each forge"
    return f"stops after {duration(seconds)} idle"


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@dataclass(frozen=True)
class ServerActivity:
    """What a server records about itself (see :mod:`.serve`): idle time, load, why it exited."""

    pid: int
    keep_alive: float
    last_activity: float
    in_flight: int
    requests: int
    exited: str | None  # None while running; "idle", "released" or "stopped" once it left

    @property
    def idle_seconds(self) -> float:
        return max(0.0, time.time() - self.last_activity)


def activity(spec: LocalModelSpec) -> ServerActivity | None:
    """The activity the server for `spec` last recorded (also after it exited), if any."""
    try:
        data = json.loads(runtime_file(spec, ".activity.json").read_text())
        return ServerActivity(**{f.name: data[f.name] for f in fields(ServerActivity)})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def left_on_its_own(last: ServerActivity) -> bool:
    """Whether the recorded server exited by keep-alive (idle or released), not by a person."""
    return last.exited in ("idle", "released") and not pid_alive(last.pid)


def say_why_gone(spec: LocalModelSpec, say: Progress) -> None:
    """Before a restart, say that the server left on its own (keep-alive), if it did."""
    last = activity(spec)
    if last is None or not left_on_its_own(last):
        return
    if last.exited == "idle":
        say(
            f"local model server was idle-stopped (nothing asked of it for "
            f"{duration(last.keep_alive or FALLBACK_KEEP_ALIVE)}); starting it again…"
        )
    else:
        say(
            "local model server was stopped after the last forge (keep-alive 0); starting it again…"
        )
