"""Host side of the sandbox: start a locked-down worker, follow it, judge its reports.

No threads and no ``preexec_fn``: it is called from a Jupyter kernel (which is
multithreaded) and from background threads. The worker's reports arrive on a
dedicated pipe read with ``selectors`` against per-sample deadlines (see
:mod:`.reader`); afterwards, and on any deadline, the whole process group gets
SIGKILL. The job goes in as ``marshal``
(host to worker only: the host trusts its own data, and the worker avoids
importing ``json``); reports come back as JSON, are never unpickled, and a
malformed one counts as a crash, never as a pass.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..core.errors import SandboxError
from ..core.spec import Sample
from ..core.validation import ValidationReport, judge_all
from .layers import active_layers, check_policy, detect, python_roots
from .limits import Limits, format_plan, rlimit_plan
from .reader import Outcome, Reader

WORKER = Path(__file__).with_name("worker.py")
DEFAULT_LIMITS = Limits()


def validate(
    code: str,
    name: str,
    samples: Sequence[Sample],
    *,
    inputs: Mapping[str, bytes] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    extra_sys_path: Sequence[str] = (),
) -> ValidationReport:
    """Run ``code``'s function ``name`` against ``samples`` in a fresh sandbox process.

    ``inputs`` are host-pickled values (e.g. a DataFrame a sample uses), unpickled
    only inside the worker. Raises :class:`SandboxError` only if the sandbox
    cannot run at all; everything the candidate does wrong is in the report.
    """
    check_policy(limits.require)
    start = time.perf_counter()
    prepend, append = [str(p) for p in extra_sys_path], _user_site()
    job: dict[str, object] = {
        "code": code,
        "name": name,
        "samples": [sample.source for sample in samples],
        "inputs": {str(key): bytes(blob) for key, blob in (inputs or {}).items()},
        "prepend_path": prepend,
        "append_path": append,
        "max_output": limits.max_output,
    }
    outcome = _run(job, [*prepend, *append], len(samples), limits)
    return judge_all(
        samples,
        outcome.raws,
        load_error=outcome.load_error,
        load_traceback=outcome.load_traceback,
        seconds=time.perf_counter() - start,
        layers=active_layers(),
    )


def _user_site() -> list[str]:
    """``-I`` drops user site-packages; keep them if the host (the kernel) uses them."""
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    return [user_site] if user_site and user_site in sys.path else []


def _worker_env(scratch: str) -> dict[str, str]:
    """Nothing inherited (API keys stay home); one BLAS thread keeps RLIMIT_AS predictable."""
    return {
        "HOME": scratch,
        "TMPDIR": scratch,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


# Read-only in the Landlock allowlist besides the interpreter's own directories.
SYSTEM_READ_ONLY = (
    "/usr/lib",
    "/usr/lib64",
    "/lib",
    "/lib64",
    "/usr/local/lib",
    "/usr/share/zoneinfo",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/dev/urandom",
    "/dev/random",
)


def _lockdown_plan(scratch: str, extra: list[str]) -> dict[str, object]:
    """What the worker applies to itself before reading the job (trusted, host-built)."""
    found = detect()
    return {
        "init_shim": found.unshare is not None,
        "landlock": found.landlock_abi,
        "read_only": [*python_roots(), *extra, *SYSTEM_READ_ONLY],
        "read_write": [scratch, "/dev/null"],
        "uid": -1 if found.drop_to is None else found.drop_to,
        "drop_caps": found.drop_caps,
        "seccomp": found.seccomp_program or b"",
    }


def _run(job: dict[str, object], extra: list[str], n_samples: int, limits: Limits) -> Outcome:
    if not sys.executable:
        raise SandboxError("cannot start the sandbox: this Python has no sys.executable")
    scratch = tempfile.mkdtemp(prefix="forge-sandbox-")
    try:
        setup = _lockdown_plan(scratch, extra)
        uid = setup["uid"]
        if isinstance(uid, int) and uid >= 0:
            os.chown(scratch, uid, uid)
        prefix = detect().unshare or ()
        with tempfile.TemporaryFile() as job_file, tempfile.TemporaryFile() as diag:
            job_file.write(marshal.dumps(setup) + marshal.dumps(job))
            job_file.seek(0)
            read_fd, write_fd = os.pipe()
            plan = format_plan(rlimit_plan(limits))
            worker = [sys.executable, "-I", "-B", str(WORKER), str(write_fd), plan]
            argv = [*prefix, *worker]
            try:
                proc = subprocess.Popen(
                    argv,
                    stdin=job_file,
                    stdout=subprocess.DEVNULL,
                    stderr=diag,
                    cwd=scratch,
                    env=_worker_env(scratch),
                    pass_fds=(write_fd,),
                    start_new_session=True,
                )
            except OSError as exc:
                os.close(read_fd)
                raise SandboxError(f"cannot start the sandbox worker: {exc}") from None
            finally:
                os.close(write_fd)
            try:
                reader = Reader(proc, read_fd, diag, n_samples, limits)
                reader.signal_exit_codes = bool(prefix)  # the pid-1 shim reports 128 + signal
                return reader.run()
            finally:
                _kill_group(proc.pid)
                proc.wait()
                os.close(read_fd)
    finally:
        _remove_tree(scratch)


def _kill_group(pgid: int) -> None:
    """SIGKILL the worker and anything it spawned (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _remove_tree(path: str) -> None:
    """Remove the scratch dir even if the candidate chmod-ed things inside it."""
    shutil.rmtree(path, ignore_errors=True)
    if os.path.exists(path):
        for root, dirs, _ in os.walk(path):
            for name in dirs:
                with contextlib.suppress(OSError):
                    os.chmod(os.path.join(root, name), 0o700)
        shutil.rmtree(path, ignore_errors=True)
