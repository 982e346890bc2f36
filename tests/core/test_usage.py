"""UsageStore: call counters in SQLite, shared by kernels; retirement suggestions."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from jupyter_forge.core.library import ToolRecord
from jupyter_forge.core.usage import (
    USAGE_FILE,
    Counts,
    ToolStats,
    UsageKey,
    UsageStore,
    parse_time,
    retirement_suggestions,
    stats_for,
)

T0 = 1_764_000_000.0  # 2025-11-24T16:00:00Z


def test_record_and_stats_aggregate_per_tool(tmp_path: Path) -> None:
    store = UsageStore.for_library(tmp_path)
    assert store.path == tmp_path / USAGE_FILE
    assert store.record(
        {
            UsageKey("area", 1, "s1", "a.ipynb"): Counts(3, 1, T0, T0 + 10),
            UsageKey("area", 2, "s2", "b.ipynb"): Counts(5, 0, T0 + 5, T0 + 50),
            UsageKey("area", 2, "s3", ""): Counts(2, 2, T0 + 1, T0 + 2),
            UsageKey("slug", 1, "s1", "a.ipynb"): Counts(1, 0, T0 + 7, T0 + 7),
        }
    )

    stats = store.stats()

    assert set(stats) == {"area", "slug"}
    area = stats["area"]
    assert (area.calls, area.failures) == (10, 3)
    assert area.failure_rate == pytest.approx(0.3)
    assert area.versions == {1: 3, 2: 7}
    assert area.sessions == 3
    assert area.notebooks == 2  # "" (unknown notebook) is not a notebook
    assert area.first_used == datetime.fromtimestamp(T0, tz=timezone.utc)
    assert area.last_used == datetime.fromtimestamp(T0 + 50, tz=timezone.utc)
    assert (stats["slug"].calls, stats["slug"].sessions, stats["slug"].notebooks) == (1, 1, 1)
    assert store.errors == []


def test_batches_add_up_with_upsert(tmp_path: Path) -> None:
    store = UsageStore.for_library(tmp_path)
    key = UsageKey("area", 1, "s1", "a.ipynb")
    assert store.record({key: Counts(2, 1, T0 + 100, T0 + 100)})
    assert store.record({key: Counts(3, 0, T0, T0 + 5)})
    assert store.record({key: Counts(0, 0, T0 - 100, T0 + 900)})  # empty counts: ignored

    (row,) = sqlite3.connect(store.path).execute("SELECT * FROM usage").fetchall()
    assert row == ("area", 1, "s1", "a.ipynb", 5, 1, T0, T0 + 100)


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    store = UsageStore.for_library(tmp_path)
    assert store.record({UsageKey("area", 1): Counts(1, 0, T0, T0)})
    mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from jupyter_forge.core.usage import Counts, UsageKey, UsageStore

    library, session, batches, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    store = UsageStore.for_library(library)
    while not go.exists():
        time.sleep(0.001)
    retries = 0
    for i in range(batches):
        batch = {
            UsageKey("shared", 1, "common", "nb.ipynb"): Counts(1, i % 2, time.time(), time.time()),
            UsageKey("mine", 1, session, ""): Counts(2, 0, time.time(), time.time()),
        }
        while not store.record(batch):  # what the tracker does: keep it, offer it again
            retries += 1
            time.sleep(0.01)
    print(retries)
    """
)


def test_two_processes_writing_hundreds_of_batches_lose_no_counts(tmp_path: Path) -> None:
    go = tmp_path / "go"
    batches = 300
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), name, str(batches), str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("p1", "p2")
    ]
    time.sleep(0.5)  # both imported and waiting
    go.touch()
    outputs = [w.communicate(timeout=120)[0] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outputs

    store = UsageStore.for_library(tmp_path)
    stats = store.stats()
    assert store.errors == []
    assert stats["shared"].calls == 2 * batches
    assert stats["shared"].failures == batches  # every other batch carried one failure
    assert stats["mine"].calls == 2 * 2 * batches
    assert stats["mine"].sessions == 2
    rows = sqlite3.connect(store.path).execute("SELECT COUNT(*) FROM usage").fetchone()[0]
    assert rows == 3  # the shared key was merged, never duplicated


def test_a_missing_database_is_empty_and_never_created_by_reading(tmp_path: Path) -> None:
    store = UsageStore.for_library(tmp_path / "lib")
    assert store.stats() == {}
    assert store.errors == []
    assert not (tmp_path / "lib").exists()


def test_writing_never_creates_the_library_folder(tmp_path: Path) -> None:
    store = UsageStore.for_library(tmp_path / "gone")
    assert store.record({UsageKey("area", 1): Counts(1, 0, T0, T0)}) is False
    assert not (tmp_path / "gone").exists()
    assert "no library folder" in store.errors[-1] and "next flush" in store.errors[-1]


def test_a_corrupt_database_gives_empty_stats_and_a_note_never_an_exception(
    tmp_path: Path,
) -> None:
    path = tmp_path / USAGE_FILE
    path.write_bytes(b"this is not SQLite, it is a notebook someone renamed\n" * 200)
    store = UsageStore(path)

    assert store.stats() == {}
    assert len(store.errors) == 1
    assert str(path) in store.errors[0] and "delete it" in store.errors[0]

    assert store.record({UsageKey("area", 1): Counts(1, 0, T0, T0)}) is False
    assert len(store.errors) == 2
    assert path.read_bytes().startswith(b"this is not SQLite")  # never overwritten


def test_a_database_without_our_table_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / USAGE_FILE
    sqlite3.connect(path).execute("CREATE TABLE other (x)").connection.commit()
    store = UsageStore(path)
    assert store.stats() == {}
    assert store.errors == []


def test_counts_merge_keeps_the_time_span() -> None:
    counts = Counts()
    counts.merge(Counts(2, 1, T0 + 10, T0 + 20))
    counts.merge(Counts(1, 0, T0, T0 + 5))
    assert counts == Counts(3, 1, T0, T0 + 20)


# -- retirement -----------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def tool(name: str, created_days_ago: float, updated_days_ago: float | None = None) -> ToolRecord:
    def stamp(days: float) -> str:
        return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S%z")

    updated = created_days_ago if updated_days_ago is None else updated_days_ago
    return ToolRecord(
        name=name,
        version=1,
        code=f"def {name}():\n    pass\n",
        path=Path(f"/lib/{name}.ipynb"),
        created=stamp(created_days_ago),
        updated=stamp(updated),
    )


def used(name: str, calls: int, failures: int = 0, days_ago: float = 1) -> ToolStats:
    when = NOW - timedelta(days=days_ago)
    return ToolStats(name, calls, failures, when - timedelta(days=1), when, 1, 1, {1: calls})


def test_retirement_suggestions_idle_and_failing_tools() -> None:
    tools = [
        tool("never_used", 40),
        tool("new_and_unused", 3),
        tool("used_lately", 100),
        tool("abandoned", 100),
        tool("refreshed", 100, updated_days_ago=2),  # old, unused, but a new version yesterday
        tool("flaky", 10),
        tool("one_bad_start", 10),
        tool("bad_and_idle", 90),
    ]
    stats = {
        "used_lately": used("used_lately", 50, days_ago=2),
        "abandoned": used("abandoned", 12, days_ago=45),
        "flaky": used("flaky", 10, failures=6),
        "one_bad_start": used("one_bad_start", 4, failures=3),  # below min_calls
        "bad_and_idle": used("bad_and_idle", 8, failures=8, days_ago=60),
    }

    found = retirement_suggestions(stats, tools, now=NOW)

    assert [s.name for s in found] == ["never_used", "abandoned", "flaky", "bad_and_idle"]
    reasons = {s.name: s.reason for s in found}
    assert reasons["never_used"] == "never called in the 40 days since it was saved"
    assert reasons["abandoned"] == "not called for 45 days (last used 2026-04-17)"
    assert reasons["flaky"] == "fails often: 6 of 10 calls raised (60%)"
    assert reasons["bad_and_idle"] == (
        "fails often: 8 of 8 calls raised (100%); not called for 60 days (last used 2026-04-02)"
    )


def test_retirement_thresholds_are_parameters() -> None:
    tools = [tool("a", 10), tool("b", 10)]
    stats = {"b": used("b", 4, failures=2, days_ago=8)}
    assert retirement_suggestions(stats, tools, now=NOW) == []
    found = retirement_suggestions(
        stats, tools, idle_days=7, max_failure_rate=0.4, min_calls=4, now=NOW
    )
    assert [(s.name, s.reason) for s in found] == [
        ("a", "never called in the 10 days since it was saved"),
        (
            "b",
            "fails often: 2 of 4 calls raised (50%); not called for 8 days (last used 2026-05-24)",
        ),
    ]


def test_a_used_tool_whose_new_version_is_idle_says_so() -> None:
    found = retirement_suggestions(
        {"t": used("t", 3, days_ago=80)}, [tool("t", 100, updated_days_ago=50)], now=NOW
    )
    assert [s.reason for s in found] == [
        "not called in the 50 days since its latest version was saved"
    ]


def test_deprecated_tools_and_unknown_dates_are_skipped() -> None:
    gone = tool("gone", 400)
    gone.deprecated = {"by": "ana", "at": "2026-01-01T00:00:00+0000", "reason": "replaced"}  # type: ignore[attr-defined]
    undated = tool("undated", 400)
    undated.created = undated.updated = "sometime"
    assert retirement_suggestions({}, [gone, undated], now=NOW) == []


def test_parse_time_reads_library_and_iso_stamps() -> None:
    assert parse_time("2026-06-01T14:00:00+0200") == NOW
    assert parse_time("2026-06-01T12:00:00+00:00") == NOW
    assert parse_time("") is None and parse_time("yesterday") is None


def test_stats_for_reads_each_tool_from_its_own_library(tmp_path: Path) -> None:
    project, user = tmp_path / "project", tmp_path / "user"
    project.mkdir()
    user.mkdir()
    UsageStore.for_library(project).record({UsageKey("area", 1): Counts(4, 1, T0, T0)})
    UsageStore.for_library(user).record(
        {UsageKey("area", 1): Counts(100, 0, T0, T0), UsageKey("slug", 2): Counts(7, 0, T0, T0)}
    )
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / USAGE_FILE).write_bytes(b"junk" * 500)
    tools = [
        ToolRecord("area", 1, "", project / "area.ipynb"),  # shadows user/area.ipynb
        ToolRecord("slug", 2, "", user / "slug.ipynb"),
        ToolRecord("idle", 1, "", user / "idle.ipynb"),
        ToolRecord("lost", 1, "", tmp_path / "broken" / "lost.ipynb"),
    ]

    stats, errors = stats_for(tools)

    assert {name: s.calls for name, s in stats.items()} == {"area": 4, "slug": 7}
    assert len(errors) == 1 and "broken" in errors[0]
