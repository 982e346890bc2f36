"""A tool's versions: the current one plus the archived ones kept in its notebook.

Each archived version keeps what is needed to understand or restore it: code,
request, model, samples and validation. ``reviewed`` says whether the notebook
holding it was trusted when it was archived, so a rollback can never turn code
nobody reviewed here into a trusted tool.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from .errors import LibraryError
from .spec import Sample


@dataclass(frozen=True)
class Version:
    version: int
    code: str
    request: str = ""
    model: str = ""
    updated: str = ""
    samples: tuple[Sample, ...] = ()
    validation: dict[str, Any] | None = None
    approved: dict[str, Any] | None = None
    reviewed: bool = True
    note: str = ""
    current: bool = False

    @property
    def passed(self) -> bool | None:
        if self.validation is None:
            return None
        value = self.validation.get("passed")
        return bool(value) if value is not None else None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "code": self.code,
            "request": self.request,
            "model": self.model,
            "updated": self.updated,
            "samples": [s.to_json() for s in self.samples],
            "validation": self.validation,
            "approved": self.approved,
            "reviewed": self.reviewed,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, reviewed: bool = True) -> Version:
        try:
            samples = tuple(Sample.from_json(s) for s in data.get("samples") or [])
        except Exception:
            samples = ()
        validation = data.get("validation")
        if validation is None and data.get("validation_passed") is not None:
            # Format of the first release: only the verdict was archived.
            validation = {"passed": bool(data["validation_passed"])}
        return cls(
            version=int(data.get("version") or 0),
            code=str(data.get("code") or ""),
            request=str(data.get("request") or ""),
            model=str(data.get("model") or ""),
            updated=str(data.get("updated") or ""),
            samples=samples,
            validation=validation if isinstance(validation, dict) else None,
            approved=data.get("approved") if isinstance(data.get("approved"), dict) else None,
            reviewed=bool(data.get("reviewed", True)) and reviewed,
            note=str(data.get("note") or ""),
        )


@dataclass
class History:
    """All versions of one tool, oldest first, the current one last."""

    name: str
    versions: list[Version] = field(default_factory=list)

    def get(self, version: int) -> Version:
        for item in self.versions:
            if item.version == version:
                return item
        known = ", ".join(f"v{v.version}" for v in self.versions) or "none"
        raise LibraryError(
            f"`{self.name}` has no version v{version} (it has {known}): see %forge history {self.name}"
        )

    @property
    def current(self) -> Version:
        return self.versions[-1]

    def diff(self, old: int | None = None, new: int | None = None) -> str:
        """Unified diff of two versions' code (default: the previous one against the current)."""
        if len(self.versions) < 2 and old is None:
            raise LibraryError(f"`{self.name}` has only one version: nothing to compare")
        new_version = self.get(new) if new is not None else self.current
        if old is not None:
            old_version = self.get(old)
        else:
            earlier = [v for v in self.versions if v.version < new_version.version]
            if not earlier:
                raise LibraryError(f"`{self.name}` has no version before v{new_version.version}")
            old_version = earlier[-1]
        lines = difflib.unified_diff(
            old_version.code.splitlines(keepends=True),
            new_version.code.splitlines(keepends=True),
            fromfile=f"{self.name} v{old_version.version}",
            tofile=f"{self.name} v{new_version.version}",
        )
        text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        return text or f"v{old_version.version} and v{new_version.version} have the same code\n"


def parse_version(text: str) -> int:
    """``v3`` or ``3`` → 3, with a one-line error for anything else."""
    raw = text.strip().lower().removeprefix("v")
    if not raw.isdigit() or int(raw) < 1:
        raise LibraryError(f"`{text}` is not a version: write it as v3 or 3")
    return int(raw)
