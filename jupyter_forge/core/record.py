"""A tool as stored in the library, independent of how it is stored."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .history import History, Version
from .spec import Sample

FORMAT_VERSION = 1


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


@dataclass
class ToolRecord:
    """A tool as stored: enough to show, load and re-check it without the model."""

    name: str
    version: int
    code: str
    path: Path
    description: str = ""
    signature: str = ""
    request: str = ""
    model: str = ""
    model_id: str = ""
    samples: list[Sample] = field(default_factory=list)
    schema: dict[str, Any] | None = None
    validation: dict[str, Any] | None = None
    requirements: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    created: str = ""
    updated: str = ""
    approved: dict[str, Any] | None = None
    trusted: bool = False
    deprecated: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    location: str = ""
    depends: list[str] = field(default_factory=list)  # direct dependencies (%%forge --compose)

    @property
    def meta(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "signature": self.signature,
            "request": self.request,
            "model": self.model,
            "model_id": self.model_id,
            "samples": [s.to_json() for s in self.samples],
            "schema": self.schema,
            "validation": self.validation,
            "requirements": list(self.requirements),
            "findings": list(self.findings),
            "created": self.created,
            "updated": self.updated,
            "approved": self.approved,
            "deprecated": self.deprecated,
            "depends": list(self.depends),
        }

    def versions(self) -> History:
        """Archived versions (marked unreviewed when this notebook is untrusted) plus this one."""
        archived = [Version.from_json(h, reviewed=self.trusted) for h in self.history]
        current = Version(
            version=self.version,
            code=self.code,
            request=self.request,
            model=self.model,
            updated=self.updated,
            samples=tuple(self.samples),
            validation=self.validation,
            approved=self.approved,
            reviewed=self.trusted,
            current=True,
        )
        return History(self.name, [*archived, current])
