"""``validate``: one job in the sandbox, on a warm worker or a cold one, then judged.

The job is built here and goes to a worker of the warm pool (:mod:`.pool`) when one
matches, else to a freshly started one (:class:`.runner.Worker`); the worker's raw
reports are judged against the samples (:func:`..core.validation.judge_all`). Kept
apart from the worker process so that the pool, which hands out workers, and the
runner, which is one, both sit below it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..core.errors import SandboxError
from ..core.hash_order import across_seeds
from ..core.spec import Sample
from ..core.validation import ValidationReport, judge_all
from .layers import active_layers, check_policy, detect, unreadable_by, user_site
from .limits import Limits
from .pool import enabled_by_env, take_worker
from .reader import Outcome
from .runner import Worker

DEFAULT_LIMITS = Limits()


def validate(
    code: str,
    name: str,
    samples: Sequence[Sample],
    *,
    inputs: Mapping[str, bytes] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    extra_sys_path: Sequence[str] = (),
    pool: bool | None = None,
    observe: bool = False,
) -> ValidationReport:
    """Run ``code``'s function ``name`` against ``samples`` in a fresh sandbox process.

    ``inputs`` are host-pickled values (e.g. a DataFrame a sample uses), unpickled
    only inside the worker. Raises :class:`SandboxError` only if the sandbox
    cannot run at all; everything the candidate does wrong is in the report.

    ``pool``: take a pre-started, locked-down worker from the warm pool (see
    :mod:`.pool`) when one matches ``limits``; ``None`` follows the
    ``JUPYTER_FORGE_SANDBOX_POOL`` environment variable. Any pool problem falls
    back to a cold start.

    ``observe``: also record the argument and result types of each call of ``name``
    (``report.observed``, for :mod:`..core.hints`); a separate run, since the
    recording wrapper must never be part of the run that decides pass/fail.
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
        "observe": observe,
    }
    extra = [*prepend, *append]
    _check_readable(prepend)
    outcome = _run_pooled(job, extra, len(samples), limits) if _use_pool(pool) else None
    if outcome is None:
        outcome = _run(job, extra, len(samples), limits)
    return judge_all(
        samples,
        outcome.raws,
        load_error=outcome.load_error,
        load_traceback=outcome.load_traceback,
        seconds=time.perf_counter() - start,
        layers=active_layers(),
        attempted=outcome.attempted,
    )


def validate_every_seed(
    code: str,
    name: str,
    samples: Sequence[Sample],
    *,
    inputs: Mapping[str, bytes] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ValidationReport:
    """:func:`validate`, and again under the other hash seeds when the code builds a set
    (:func:`..core.hash_order.across_seeds`): what the product and the benchmarks judge by."""

    def run(seed: int) -> ValidationReport:
        return validate(code, name, samples, inputs=inputs, limits=replace(limits, hash_seed=seed))

    return across_seeds(run, code, samples)


def _use_pool(pool: bool | None) -> bool:
    if pool is not None:
        return pool
    return enabled_by_env()


def _run_pooled(
    job: dict[str, object], extra: list[str], n_samples: int, limits: Limits
) -> Outcome | None:
    """Run on a warm worker; None (run it cold) if the pool has none or it failed to start.

    A :class:`SandboxError` comes only before the worker's "ready" (it had not yet
    looked at the job's code), so retrying cold never runs the candidate twice.
    """
    worker = take_worker(limits, extra)
    if worker is None:
        return None
    try:
        return worker.run(job, n_samples)
    except SandboxError:
        return None


def _user_site() -> list[str]:
    """``-I`` drops user site-packages; keep them if the host (the kernel) uses them."""
    return user_site()


def _check_readable(paths: Sequence[str]) -> None:
    """A worker that dropped to another uid cannot import from folders only root can read.

    Say so before running, rather than let the candidate fail with a puzzling
    ``No module named ...``.
    """
    uid = detect().drop_to
    if uid is None or not paths:
        return
    blocker = unreadable_by(uid, paths)
    if blocker is not None:
        raise SandboxError(
            f"the sandbox runs as uid {uid}, which cannot read {blocker} (on its sys.path): "
            "make that folder and its parents readable by others (chmod o+rx) or move the code"
        )


def _run(job: dict[str, object], extra: list[str], n_samples: int, limits: Limits) -> Outcome:
    """Cold start: a new worker for this one job."""
    return Worker(limits, extra).run(job, n_samples)
