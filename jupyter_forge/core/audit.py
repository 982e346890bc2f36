"""The library's audit log: who did what to which tool, one JSON object per line.

Appended, never rewritten, so a reviewer can reconstruct how a tool came to be
trusted. A line is written with one ``write`` on an ``O_APPEND`` descriptor, so
concurrent kernels interleave whole lines, never halves.
"""

from __future__ import annotations

import getpass
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

AUDIT_NAME = ".forge_audit.jsonl"
ACTIONS = frozenset(
    {
        "create",
        "approve",
        "reject",
        "edit",
        "revert",
        "load",
        "remove",
        "deprecate",
        "undeprecate",
        "rollback",
        "trust",
        "import",
        "export",
    }
)


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


@dataclass(frozen=True)
class AuditEntry:
    at: str
    user: str
    action: str
    tool: str
    version: int | None = None
    model: str = ""
    outcome: str = "ok"
    detail: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditEntry:
        version = data.get("version")
        return cls(
            at=str(data.get("at", "")),
            user=str(data.get("user", "")),
            action=str(data.get("action", "")),
            tool=str(data.get("tool", "")),
            version=int(version) if isinstance(version, int) else None,
            model=str(data.get("model", "")),
            outcome=str(data.get("outcome", "")),
            detail=str(data.get("detail", "")),
        )


class AuditLog:
    """Append-only log in the library folder."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / AUDIT_NAME
        self.last_error: str | None = None

    def append(
        self,
        action: str,
        tool: str,
        *,
        version: int | None = None,
        model: str = "",
        outcome: str = "ok",
        detail: str = "",
    ) -> AuditEntry:
        """Record an action; a log that cannot be written never fails the action itself.

        The library folder is not created for a log line: a forge that saved
        nothing leaves no trace on disk but leaves one in an existing library.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        entry = AuditEntry(
            at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            user=current_user(),
            action=action,
            tool=tool,
            version=version,
            model=model,
            outcome=outcome,
            detail=detail[:500],
        )
        line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
        if not self.path.parent.is_dir():
            self.last_error = f"no library folder {self.path.parent} yet: nothing logged"
            return entry
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
            self.last_error = None
        except OSError as exc:
            self.last_error = f"could not append to the audit log {self.path} ({exc.strerror})"
        return entry

    def entries(self, tool: str | None = None) -> Iterator[AuditEntry]:
        """Entries in order; unreadable lines (hand edits) are skipped."""
        try:
            handle = self.path.open(encoding="utf-8")
        except OSError:
            return
        with handle:
            for line in handle:
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if isinstance(data, dict) and (tool is None or data.get("tool") == tool):
                    yield AuditEntry.from_json(data)
