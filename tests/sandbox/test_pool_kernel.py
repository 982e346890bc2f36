"""The warm pool's life in a real kernel: lazy start, and no orphans when the kernel goes.

Why: the pool keeps locked-down processes alive between jobs. They belong to the
kernel that used forge: nothing may start before the first validation, and
``%unload_ext``, a normal kernel shutdown and even a SIGKILLed kernel (with a
candidate still sleeping in a worker) must leave no worker process behind.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from kernel_driver import KernelDriver

from jupyter_forge.sandbox.runner import WORKER
from jupyter_forge.testing.scripted_llm import ScriptedModel

GOOD = (
    '```python\ndef add(a: int, b: int) -> int:\n    """Add two integers."""\n    return a + b\n```'
)
VALIDATE_ONCE = (
    "from jupyter_forge.core.spec import Sample\n"
    "from jupyter_forge.sandbox import validate\n"
    "print(validate('def f():\\n    return 1\\n', 'f', [Sample('f()', 'code')]).passed)\n"
)
WAIT_FULL = (  # the pool may still be on its way (a validation on another thread)
    "import time as _t\nfrom jupyter_forge.sandbox import pool as _p\n"
    "_end = _t.monotonic() + 30\n"
    "while _p.default_pool() is None and _t.monotonic() < _end:\n    _t.sleep(0.05)\n"
    "print('full', _p.default_pool() is not None and _p.default_pool().wait_full(60))\n"
)


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a live process, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0]


def worker_procs(ancestor: int) -> set[int]:
    """Live (not zombie) processes running the worker script that descend from ``ancestor``."""
    parents: dict[int, int] = {}
    workers: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        info = _stat(pid)
        if info is None:
            continue
        parents[pid] = info[0]
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(WORKER).encode() in cmdline and info[1] not in ("Z", "X"):
            workers.add(pid)
    found = set()
    for pid in workers:
        up = parents.get(pid, 0)
        while up > 1:
            if up == ancestor:
                found.add(pid)
                break
            up = parents.get(up, 0)
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if (info := _stat(pid)) is not None and info[1] not in ("Z", "X")}


def wait_gone(pids: set[int], seconds: float = 15.0) -> set[int]:
    deadline = time.monotonic() + seconds
    while (left := alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def groups(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            out.add(os.getpgid(pid))
        except OSError:
            continue
    return out


def output(run: object) -> str:
    return "".join(run.texts())  # type: ignore[attr-defined]


@pytest.fixture
def scripted() -> Iterator[ScriptedModel]:
    with ScriptedModel([GOOD]) as sm:
        yield sm


@pytest.fixture
def kernel(tmp_path: Path, scripted: ScriptedModel) -> Iterator[tuple[KernelDriver, int]]:
    """A real ipykernel with the extension loaded and the pool on (size 2); yields (driver, pid)."""
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_config.py").write_text(
        f"c.Forge.model = {scripted.model!r}\nc.Forge.api_base = {scripted.api_base!r}\n"
    )
    env = dict(os.environ)
    env.update(
        IPYTHONDIR=str(tmp_path / "ipython"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_FORGE_APPROVE="auto",
        JUPYTER_FORGE_SANDBOX_POOL="1",
        JUPYTER_FORGE_SANDBOX_POOL_SIZE="2",
    )
    driver = KernelDriver(env=env, cwd=str(tmp_path))
    try:
        run = driver.execute("%load_ext jupyter_forge\nimport os\nprint(os.getpid())")
        assert run.ok, run.texts()
        yield driver, int(output(run).split()[-1])
    finally:
        if driver.km.is_alive():
            driver.close()


def test_pool_starts_lazily_and_stops_with_a_kernel_shutdown(
    kernel: tuple[KernelDriver, int],
) -> None:
    driver, pid = kernel
    time.sleep(1.0)  # anything %load_ext started would be running by now
    assert worker_procs(pid) == set()
    run = driver.execute(
        "import sys\npool = sys.modules.get('jupyter_forge.sandbox.pool')\n"
        "print('pool', pool is not None and pool.default_pool() is not None)"
    )
    assert "pool False" in output(run)

    run = driver.execute("%%forge add\nAdd two integers.\n>>> add(2, 3)\n5")
    assert run.ok, run.texts()
    assert "full True" in output(driver.execute(WAIT_FULL))
    workers = worker_procs(pid)
    assert len(groups(workers)) == 2  # the two idle, locked-down workers (the job's one is gone)

    driver.kc.stop_channels()
    driver.km.shutdown_kernel(now=False)  # a shutdown_request, as JupyterLab sends
    assert not driver.km.is_alive()
    assert wait_gone(workers) == set()


def test_unload_ext_stops_the_pool_and_load_ext_starts_nothing(
    kernel: tuple[KernelDriver, int],
) -> None:
    driver, pid = kernel
    assert "True" in output(driver.execute(VALIDATE_ONCE))
    assert "full True" in output(driver.execute(WAIT_FULL))
    workers = worker_procs(pid)
    assert len(groups(workers)) == 2

    assert driver.execute("%unload_ext jupyter_forge").ok
    assert wait_gone(workers) == set()
    assert worker_procs(pid) == set()
    assert "pool False" in output(driver.execute("print('pool', _p.default_pool() is not None)"))

    assert driver.execute("%load_ext jupyter_forge").ok
    time.sleep(1.0)
    assert worker_procs(pid) == set()  # loading again starts nothing either
    assert "True" in output(driver.execute(VALIDATE_ONCE))  # ...until the next validation
    assert "full True" in output(driver.execute(WAIT_FULL))
    assert len(groups(worker_procs(pid))) == 2


def test_a_killed_kernel_leaves_no_worker_even_mid_job(
    kernel: tuple[KernelDriver, int],
) -> None:
    """SIGKILL runs no atexit: idle workers see EOF on stdin, a busy one's init sees its host go."""
    driver, pid = kernel
    busy = (
        "import threading\n"
        "from jupyter_forge.core.spec import Sample\n"
        "from jupyter_forge.sandbox import Limits, validate\n"
        "SLEEPER = 'import time\\n\\ndef f():\\n    time.sleep(1000)\\n'\n"
        "threading.Thread(target=lambda: validate(SLEEPER, 'f', [Sample('f()', 'code')], "
        "limits=Limits(timeout=600)), daemon=True).start()\n"
    )
    assert driver.execute(busy).ok
    assert "full True" in output(driver.execute(WAIT_FULL))
    deadline = time.monotonic() + 30
    while len(groups(worker_procs(pid))) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = worker_procs(pid)
    assert len(groups(workers)) == 3  # the sleeping job's worker and two idle ones

    os.kill(pid, signal.SIGKILL)
    driver.close()
    assert wait_gone(workers) == set()
