"""The warm pool: pre-started, locked-down, single-use workers.

Why: the pool keeps processes alive between jobs, so it must never hand out a
used or dead worker, never weaken a layer, and never leave processes behind;
and it exists to make a trivial validation fast, so that is measured too.
"""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_forge.core.spec import Sample
from jupyter_forge.sandbox import Limits, validate
from jupyter_forge.sandbox import pool as pool_mod
from jupyter_forge.sandbox.jobs import _user_site
from jupyter_forge.sandbox.runner import WORKER

ADD = "def add(a, b):\n    return a + b\n"
FAST = Limits(timeout=2.0, load_timeout=5.0)


def example(source: str, expected: str) -> Sample:
    return Sample(source=source, kind="example", expected=expected + "\n")


def code(source: str) -> Sample:
    return Sample(source=source, kind="code")


def worker_pids() -> list[int]:
    """Live processes running the worker script that are ours (by command line and ancestry).

    Ours: descending from this test process, or orphaned (the first ancestor not
    running the worker script is pid 1). Another process's sandbox on the same
    machine (a user's kernel with its own warm pool) is not ours.
    """
    parents: dict[int, int] = {}
    marked: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        if str(WORKER).encode() in cmdline and fields[0] not in ("Z", "X"):
            marked.add(int(entry.name))
    found = []
    for pid in sorted(marked):
        up = parents.get(pid, 0)
        while up in marked:
            up = parents.get(up, 0)
        if up in (os.getpid(), 1, 0):
            found.append(pid)
    return found


@pytest.fixture
def pool() -> Iterator[pool_mod.WorkerPool]:
    """A fresh default pool for FAST limits, full and locked down."""
    pool_mod.shutdown_default()
    assert pool_mod.take_worker(FAST, _user_site()) is None  # the first request starts it
    current = pool_mod.default_pool()
    assert current is not None
    assert current.wait_full(10)
    yield current
    pool_mod.shutdown_default()


def run(src: str, name: str, *samples: Sample, pool: bool = True) -> bool:
    return validate(src, name, list(samples), limits=FAST, pool=pool).passed


def test_warm_job_passes_and_is_faster_than_cold(pool: pool_mod.WorkerPool) -> None:
    def median_ms(use_pool: bool) -> float:
        times = []
        for _ in range(10):
            assert pool.wait_full(10)
            start = time.perf_counter()
            assert run(ADD, "add", example("add(1, 2)", "3"), pool=use_pool)
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    cold, warm = median_ms(False), median_ms(True)
    print(f"cold median {cold:.2f} ms, warm median {warm:.2f} ms")
    assert warm < cold


def test_workers_are_single_use(pool: pool_mod.WorkerPool) -> None:
    writer = "def mark():\n    open('marker', 'w').write('x')\n    global LEAK\n    LEAK = 1\n"
    assert run(writer, "mark", code("mark()"))
    probe = "import os\ndef probe():\n    return os.path.exists('marker'), 'LEAK' in globals()\n"
    for _ in range(3):
        assert pool.wait_full(10)
        assert run(probe, "probe", example("probe()", "(False, False)"))


def test_pool_refills_after_use(pool: pool_mod.WorkerPool) -> None:
    before = set(pool.idle_pids())
    assert run(ADD, "add", example("add(1, 2)", "3"))
    assert pool.wait_full(10)
    after = set(pool.idle_pids())
    assert len(after) == pool.size
    assert len(before - after) == 1  # exactly one worker was used, and it is gone


def test_idle_worker_killed_externally_is_replaced_not_used(pool: pool_mod.WorkerPool) -> None:
    victims = pool.idle_pids()
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.05)
    worker = pool.take()
    try:
        assert worker is None or (worker.proc is not None and worker.proc.pid not in victims)
    finally:
        if worker is not None:
            worker.close()
    assert run(ADD, "add", example("add(1, 2)", "3"))
    assert pool.wait_full(10)
    assert not set(pool.idle_pids()) & set(victims)


def test_concurrent_validates_from_four_threads(pool: pool_mod.WorkerPool) -> None:
    results: list[bool] = []

    def job(i: int) -> None:
        results.append(run(ADD, "add", example(f"add({i}, 1)", str(i + 1))))

    threads = [threading.Thread(target=job, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [True] * 4
    assert pool.wait_full(10)


def test_attacks_still_blocked_through_the_pool(pool: pool_mod.WorkerPool, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7731")
    target = tmp_path / "pwned"
    system = f"import os\ndef go():\n    return os.system('touch {target}')\n"
    report = validate(system, "go", [example("go()", "0")], limits=FAST, pool=True)
    assert not report.passed
    assert not target.exists()
    assert pool.wait_full(10)
    reader = f"def go():\n    return open({str(secret)!r}).read()\n"
    report = validate(reader, "go", [code("go()")], limits=FAST, pool=True)
    assert not report.passed
    assert "TOP-SECRET-7731" not in str(report.to_json())


def test_timeout_gives_a_timeout_verdict_and_the_pool_recovers(
    pool: pool_mod.WorkerPool,
) -> None:
    loop = "def spin():\n    while True:\n        pass\n"
    start = time.monotonic()
    report = validate(loop, "spin", [code("spin()")], limits=FAST, pool=True)
    assert time.monotonic() - start < FAST.timeout + 1.0
    assert report.results[0].error == "timed out (the sandbox killed it)"
    assert pool.wait_full(10)
    assert run(ADD, "add", example("add(1, 2)", "3"))


def test_shutdown_leaves_no_processes(pool: pool_mod.WorkerPool) -> None:
    idle = pool.idle_pids()
    assert idle and set(idle) <= set(worker_pids())
    scratch = [w.scratch for w in pool._idle]
    pool_mod.shutdown_default()
    deadline = time.monotonic() + 5
    while worker_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker_pids() == []
    assert not any(os.path.exists(path) for path in scratch)


def test_mismatched_limits_start_cold(pool: pool_mod.WorkerPool) -> None:
    other = Limits(timeout=3.0, load_timeout=5.0)
    report = validate(ADD, "add", [example("add(1, 2)", "3")], limits=other, pool=True)
    assert report.passed  # ran cold; the default pool now follows the newer limits
    current = pool_mod.default_pool()
    assert current is not None and current is not pool and current.limits == other
    assert pool.idle_pids() == []  # the old pool was shut down


def test_pool_off_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_FORGE_SANDBOX_POOL", "0")
    assert not pool_mod.enabled_by_env()
    monkeypatch.setenv("JUPYTER_FORGE_SANDBOX_POOL", "1")
    assert pool_mod.enabled_by_env()
    monkeypatch.setenv("JUPYTER_FORGE_SANDBOX_POOL_SIZE", "0")
    assert not pool_mod.enabled_by_env()
