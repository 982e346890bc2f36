"""One read model of a library tool: what every front end shows about it.

Why: the panel's REST API, ``jupyter-forge list --json``, ``%forge list`` and the
MCP server each turned a :class:`ToolRecord` into a status on their own, and they had
drifted (an empty ``deprecated`` mapping was deprecated for one and not for
another; MCP hid a tool both deprecated and untrusted as untrusted). :class:`ToolView`
is the one answer, including which tools are served to other agents and why the rest
are not; front ends pick their keys from it. It holds no code, so a listing of
10,000 tools can keep one per tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .defs import function_def

if TYPE_CHECKING:
    from .record import ToolRecord
    from .usage import ToolStats

Status = Literal["approved", "untrusted", "deprecated"]

UNTRUSTED_REASON = "not trusted on this machine (review it with %forge load)"


def deprecation(record: ToolRecord) -> dict[str, Any] | None:
    """The deprecation mapping (by, at, reason), or None; an empty one is no deprecation,
    as for search (core/catalog.py reads ``bool(deprecated)``)."""
    value = record.deprecated
    return dict(value) if isinstance(value, dict) and value else None


def status_of(trusted: bool, deprecated: dict[str, Any] | None) -> Status:
    """Deprecated wins (hidden from search and prompts), then whether it is trusted here."""
    if deprecated is not None:
        return "deprecated"
    return "approved" if trusted else "untrusted"


def tool_status(record: ToolRecord) -> Status:
    return status_of(record.trusted, deprecation(record))


def schema_summary(schema: object) -> str:
    """The description a stored OpenAI-format schema gives (its docstring summary), or ""."""
    function = schema.get("function") if isinstance(schema, dict) else None
    text = function.get("description") if isinstance(function, dict) else None
    return str(text) if text else ""


def call_params(code: str, name: str) -> list[str]:
    """Parameters a call must pass (no default): what "Insert call" writes between the parens."""
    node = function_def(code, name)
    if node is None:
        return []
    args = node.args
    positional = args.posonlyargs + args.args
    required = positional[: len(positional) - len(args.defaults)]
    params = [a.arg for a in required]
    params += [
        f"{a.arg}={a.arg}"
        for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is None
    ]
    return params


@dataclass(frozen=True, slots=True)
class ToolView:
    """A tool as listed: identity, status and the call it needs; no code, no history."""

    name: str
    version: int
    description: str
    signature: str
    trusted: bool
    deprecated: dict[str, Any] | None
    library: str
    path: Path
    params: tuple[str, ...]
    model: str = ""
    updated: str = ""
    summary: str = ""  # the schema's description: what an agent is told the tool does

    @classmethod
    def of(cls, record: ToolRecord) -> ToolView:
        return cls(
            name=record.name,
            version=record.version,
            description=record.description,
            signature=record.signature,
            trusted=record.trusted,
            deprecated=deprecation(record),
            library=record.location,
            path=record.path,
            params=tuple(call_params(record.code, record.name)),
            model=record.model,
            updated=record.updated,
            summary=schema_summary(record.schema),
        )

    @property
    def status(self) -> Status:
        return status_of(self.trusted, self.deprecated)

    @property
    def hidden_reason(self) -> str | None:
        """Why other agents (MCP) are not served it, or None: only approved tools are.
        Follows the status: a tool both deprecated and untrusted is hidden as deprecated."""
        status = self.status
        if status == "approved":
            return None
        if status == "untrusted":
            return UNTRUSTED_REASON
        reason = (self.deprecated or {}).get("reason")
        return f"deprecated ({reason})" if reason else "deprecated"

    @property
    def agent_description(self) -> str:
        """What an agent reads about the tool: the schema's summary, else whatever names it."""
        return self.summary or self.description or self.signature or self.name

    @property
    def headline(self) -> str:
        """The first line of the description (what a one-line listing shows)."""
        lines = self.description.strip().splitlines()
        return lines[0] if lines else ""

    def to_json(self) -> dict[str, Any]:
        """The shape a listing serves (the panel's ``IToolSummary`` minus where it is served)."""
        return {
            "name": self.name,
            "description": self.headline,
            "version": self.version,
            "status": self.status,
            "trusted": self.trusted,
            "deprecated": self.deprecated,
            "library": self.library,
            "signature": self.signature,
            "params": list(self.params),
            "updated": self.updated,
        }


def history_json(record: ToolRecord) -> list[dict[str, Any]]:
    """The archived versions (oldest first, the current one left out), as core.history reads them."""
    return [
        {
            "version": v.version,
            "updated": v.updated,
            "model": v.model,
            "request": v.request,
            "passed": v.passed,
            "code": v.code,
        }
        for v in record.versions().versions
        if not v.current
    ]


def detail_json(record: ToolRecord) -> dict[str, Any]:
    """Everything a reviewer reads about one tool, beyond :meth:`ToolView.to_json`."""
    return {
        "full_description": record.description,
        "code": record.code,
        "request": record.request,
        "model": record.model,
        "model_id": record.model_id,
        "samples": [{"kind": s.kind, "text": s.as_doctest()} for s in record.samples],
        "validation": record.validation,
        "requirements": list(record.requirements),
        "findings": list(record.findings),
        "created": record.created,
        "approved": record.approved,
        "history": history_json(record),
    }


def stats_json(stats: ToolStats) -> dict[str, Any]:
    """Usage counters of one tool (core.usage) as JSON: times in ISO 8601, versions as keys."""

    def when(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "calls": stats.calls,
        "failures": stats.failures,
        "failure_rate": round(stats.failure_rate, 4),
        "sessions": stats.sessions,
        "notebooks": stats.notebooks,
        "first_used": when(stats.first_used),
        "last_used": when(stats.last_used),
        "versions": {str(k): v for k, v in sorted(stats.versions.items())},
    }
