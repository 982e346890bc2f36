"""How often each tool is really called: counters in a small SQLite file per library.

Why: self-made tools are rarely reused (TroVE, LATM follow-ups), so the library
needs evidence to keep or retire a tool. Kernels count calls in memory and merge
batches here now and then; several kernels (and colleagues sharing a library)
write to the same file, so it is SQLite in WAL mode with short ``BEGIN
IMMEDIATE`` transactions, a busy timeout and UPSERTs that add to the counters.
Usage data is a nice-to-have: nothing here may ever raise into user code.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

USAGE_FILE = ".forge_usage.sqlite"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS usage (
    tool TEXT NOT NULL,
    version INTEGER NOT NULL,
    session TEXT NOT NULL,
    notebook TEXT NOT NULL,
    calls INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    first_used REAL NOT NULL,
    last_used REAL NOT NULL,
    PRIMARY KEY (tool, version, session, notebook)
)
"""

_UPSERT = """
INSERT INTO usage (tool, version, session, notebook, calls, failures, first_used, last_used)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tool, version, session, notebook) DO UPDATE SET
    calls = calls + excluded.calls,
    failures = failures + excluded.failures,
    first_used = MIN(first_used, excluded.first_used),
    last_used = MAX(last_used, excluded.last_used)
"""


@dataclass(frozen=True)
class UsageKey:
    """Who used which tool: counters are kept per tool version, kernel session and notebook."""

    tool: str
    version: int
    session: str = ""
    notebook: str = ""


@dataclass
class Counts:
    """Calls and failures (calls that raised) seen between ``first_used`` and ``last_used``."""

    calls: int = 0
    failures: int = 0
    first_used: float = 0.0  # Unix time, seconds
    last_used: float = 0.0

    def merge(self, other: Counts) -> None:
        """Add ``other`` in place (a batch that could not be written joins the next one)."""
        if not self.calls and not self.failures:
            self.first_used, self.last_used = other.first_used, other.last_used
        else:
            self.first_used = min(self.first_used, other.first_used)
            self.last_used = max(self.last_used, other.last_used)
        self.calls += other.calls
        self.failures += other.failures


Batch = Mapping[UsageKey, Counts]


def merge_batches(into: dict[UsageKey, Counts], batch: Batch) -> None:
    """Add ``batch`` to ``into`` (copies the counts, never aliases them)."""
    for key, counts in batch.items():
        if key in into:
            into[key].merge(counts)
        else:
            into[key] = Counts(counts.calls, counts.failures, counts.first_used, counts.last_used)


def _utc(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=timezone.utc)


@dataclass
class ToolStats:
    """Everything recorded about one tool in one library."""

    name: str
    calls: int = 0
    failures: int = 0
    first_used: datetime | None = None
    last_used: datetime | None = None
    sessions: int = 0  # distinct kernel sessions that called it
    notebooks: int = 0  # distinct notebooks that called it ("" = unknown is not counted)
    versions: dict[int, int] = field(default_factory=dict)  # version -> calls

    @property
    def failure_rate(self) -> float:
        return self.failures / self.calls if self.calls else 0.0


class UsageStore:
    """The usage counters of one library (``<library>/.forge_usage.sqlite``).

    ``record`` and ``stats`` never raise: problems land in ``errors`` (newest
    last), like :attr:`Library.errors`, so a broken file cannot break a notebook.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self.errors: list[str] = []

    @classmethod
    def for_library(cls, root: str | os.PathLike[str]) -> UsageStore:
        return cls(Path(root).expanduser() / USAGE_FILE)

    def __repr__(self) -> str:
        return f"UsageStore({str(self.path)!r})"

    def _note(self, doing: str, exc: BaseException) -> None:
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            advice = "the file is damaged: delete it to start counting afresh"
        else:
            advice = "counts stay in memory and are offered again at the next flush"
        self.errors.append(
            f"usage data {self.path} could not be {doing} ({type(exc).__name__}: {exc}): {advice}"
        )
        del self.errors[:-20]  # a note per failed flush: keep the list bounded

    def _connect(self, *, readonly: bool) -> sqlite3.Connection:
        if readonly:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        else:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.isolation_level = None  # explicit, short transactions only
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # WAL + NORMAL: never corrupts; a power cut may drop the last flush (counters only).
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """WAL (readers never block the writer) and the table, once per file."""
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # e.g. a network filesystem: rollback journal still works
            self.errors.append(f"usage data {self.path}: WAL unavailable, using {mode} journal")
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def record(self, batch: Batch) -> bool:
        """Add ``batch`` to the stored counters in one transaction.

        Returns False (and notes why) when it could not be written; the caller
        keeps the batch and offers it again with the next one. A missing library
        folder is not created here: usage data never brings a library into being.
        """
        rows = [
            (
                k.tool,
                k.version,
                k.session,
                k.notebook,
                c.calls,
                c.failures,
                c.first_used,
                c.last_used,
            )
            for k, c in batch.items()
            if c.calls or c.failures
        ]
        if not rows:
            return True
        if not self.path.parent.is_dir():
            self._note("written", FileNotFoundError(f"no library folder {self.path.parent}"))
            return False
        try:
            conn = self._connect(readonly=False)
        except (sqlite3.Error, OSError) as exc:
            self._note("opened", exc)
            return False
        try:
            self._prepare(conn)
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(_UPSERT, rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return True
        except (sqlite3.Error, OSError) as exc:
            self._note("written", exc)
            return False
        finally:
            conn.close()

    def _rows(self) -> list[tuple[Any, ...]]:
        if not self.path.exists():
            return []  # nothing recorded yet: not an error
        try:
            conn = self._connect(readonly=True)
        except (sqlite3.Error, OSError) as exc:
            self._note("read", exc)
            return []
        try:
            return conn.execute(
                "SELECT tool, version, session, notebook, calls, failures, first_used, last_used "
                "FROM usage"
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []  # created by a writer that has not committed its table yet
            self._note("read", exc)
            return []
        except (sqlite3.Error, OSError) as exc:
            self._note("read", exc)
            return []
        finally:
            conn.close()

    def stats(self) -> dict[str, ToolStats]:
        """Per-tool totals; empty (with a note in ``errors``) when the file is unreadable."""
        totals: dict[str, ToolStats] = {}
        sessions: dict[str, set[str]] = {}
        notebooks: dict[str, set[str]] = {}
        first: dict[str, float] = {}
        last: dict[str, float] = {}
        for (
            tool,
            version,
            session,
            notebook,
            calls,
            failures,
            first_used,
            last_used,
        ) in self._rows():
            stats = totals.setdefault(tool, ToolStats(tool))
            stats.calls += calls
            stats.failures += failures
            stats.versions[version] = stats.versions.get(version, 0) + calls
            sessions.setdefault(tool, set()).add(session)
            if notebook:
                notebooks.setdefault(tool, set()).add(notebook)
            first[tool] = min(first.get(tool, first_used), first_used)
            last[tool] = max(last.get(tool, last_used), last_used)
        for tool, stats in totals.items():
            stats.sessions = len(sessions.get(tool, ()))
            stats.notebooks = len(notebooks.get(tool, ()))
            stats.first_used, stats.last_used = _utc(first[tool]), _utc(last[tool])
        return totals


# -- across libraries ----------------------------------------------------------------


class _Located(Protocol):
    """A tool and where it lives (a ToolRecord, or a light catalog entry)."""

    @property
    def name(self) -> str: ...
    @property
    def path(self) -> Path: ...


class _ToolLike(_Located, Protocol):
    """What retirement needs of a tool (a :class:`~jupyter_forge.core.library.ToolRecord`)."""

    @property
    def created(self) -> str: ...
    @property
    def updated(self) -> str: ...


def stats_for(tools: Iterable[_Located]) -> tuple[dict[str, ToolStats], list[str]]:
    """Usage of each of ``tools``, read from the store of the folder it lives in.

    For a :class:`LibrarySet` (project, user, shared): each tool's counts come
    from its own library, so a shadowed namesake elsewhere is not mixed in.
    Returns the stats by name and the stores' error notes.
    """
    by_library: dict[Path, list[str]] = {}
    for tool in tools:
        by_library.setdefault(Path(tool.path).parent, []).append(tool.name)
    found: dict[str, ToolStats] = {}
    errors: list[str] = []
    for library, names in by_library.items():
        store = UsageStore.for_library(library)
        stats = store.stats()
        errors.extend(store.errors)
        found.update({name: stats[name] for name in names if name in stats})
    return found, errors


# -- retirement ----------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    name: str
    reason: str


def parse_time(text: str) -> datetime | None:
    """A library timestamp (``2026-11-25T23:05:33+0000``, or ISO 8601) as aware UTC."""
    if not text:
        return None
    for parse in (
        lambda t: datetime.strptime(t, "%Y-%m-%dT%H:%M:%S%z"),
        datetime.fromisoformat,
    ):
        try:
            value = parse(text)
        except ValueError:
            continue
        if value.tzinfo is None:
            value = value.astimezone()  # written in local time without an offset
        return value.astimezone(timezone.utc)
    return None


def _days(delta_seconds: float) -> int:
    return int(delta_seconds // 86400)


def retirement_suggestions(
    stats: Mapping[str, ToolStats],
    tools: Iterable[_ToolLike],
    *,
    idle_days: float = 30,
    max_failure_rate: float = 0.5,
    min_calls: int = 5,
    now: datetime | None = None,
) -> list[Suggestion]:
    """Tools worth deprecating: idle for ``idle_days``, or failing too often.

    Idle is measured from the latest of last use, creation and last update (a
    tool re-forged yesterday gets its ``idle_days`` too). A failure rate counts
    only after ``min_calls`` calls, so one early mistake does not condemn a tool.
    Tools already deprecated are skipped. One suggestion per tool, reasons
    joined with "; ", in the order of ``tools``.
    """
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    suggestions = []
    for tool in tools:
        if getattr(tool, "deprecated", None):
            continue
        usage = stats.get(tool.name)
        reasons = []
        if usage is not None and usage.calls >= min_calls and usage.failure_rate > max_failure_rate:
            reasons.append(
                f"fails often: {usage.failures} of {usage.calls} calls raised "
                f"({usage.failure_rate:.0%})"
            )
        used = usage.last_used if usage is not None and usage.calls else None
        made = [t for t in (parse_time(tool.created), parse_time(tool.updated)) if t is not None]
        latest = max([*made, *([used] if used else [])], default=None)
        if latest is not None:
            idle = (moment - latest).total_seconds()
            if idle >= idle_days * 86400:
                if used is None:
                    reasons.append(f"never called in the {_days(idle)} days since it was saved")
                elif used >= latest:
                    reasons.append(f"not called for {_days(idle)} days (last used {used:%Y-%m-%d})")
                else:
                    reasons.append(
                        f"not called in the {_days(idle)} days since its latest version was saved"
                    )
        if reasons:
            suggestions.append(Suggestion(tool.name, "; ".join(reasons)))
    return suggestions
