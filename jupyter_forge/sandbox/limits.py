"""Resource limits for one sandbox run, and the rlimit plan handed to the worker.

The host never calls ``setrlimit`` itself (that would limit the Jupyter kernel)
and never uses ``preexec_fn`` (unsafe in a multithreaded kernel). Instead it
turns :class:`Limits` into a small plan of ``(name, soft, hard)`` triples that
the worker applies to *itself* first thing, before it reads any candidate code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIB = 1024 * 1024

# Threads a non-root worker may start on top of the processes its uid already
# has (RLIMIT_NPROC counts every process and thread of the real uid).
NPROC_HEADROOM = 32


@dataclass(frozen=True)
class Limits:
    """How much one validation may use; every run gets fresh limits."""

    timeout: float = 10.0  # wall-clock seconds per sample (host SIGKILLs the process group)
    load_timeout: float = 10.0  # wall-clock seconds for starting up and exec'ing the code
    memory_mb: int = 1024  # RLIMIT_AS
    cpu_seconds: int = 30  # RLIMIT_CPU
    file_size_mb: int = 16  # RLIMIT_FSIZE
    open_files: int = 64  # RLIMIT_NOFILE
    max_output: int = 64_000  # bytes of captured stdout/stderr kept per sample
    # The worker's PYTHONHASHSEED: the same code gets the same verdict on every run (a
    # set of strings iterates in an order set by it); a second seed shows code that
    # depends on that order (see ``core.hash_order``).
    hash_seed: int = 0
    # Optional layers (names in ``layers.OPTIONAL_LAYERS``) without which validation refuses to run.
    require: frozenset[str] = field(default_factory=frozenset)


RlimitPlan = list[tuple[str, int, int]]


def enforces_nproc() -> bool:
    """RLIMIT_NPROC means nothing to root; see ``layers.enforces_nproc``."""
    from .layers import enforces_nproc as detected

    return detected()


def rlimit_plan(limits: Limits) -> RlimitPlan:
    """The rlimits the worker must apply to itself, as ``(RLIMIT_name, soft, hard)``.

    CPU gets a hard limit one second above the soft one: SIGXCPU first (kills by
    default), SIGKILL if the candidate caught it. NPROC (non-root only) is
    *relative*: the worker adds it to the number of tasks its uid already runs,
    so a fork bomb stops quickly while a few threads still work.
    """
    plan: RlimitPlan = [
        ("RLIMIT_AS", limits.memory_mb * MIB, limits.memory_mb * MIB),
        ("RLIMIT_CPU", limits.cpu_seconds, limits.cpu_seconds + 1),
        ("RLIMIT_FSIZE", limits.file_size_mb * MIB, limits.file_size_mb * MIB),
        ("RLIMIT_NOFILE", limits.open_files, limits.open_files),
        ("RLIMIT_CORE", 0, 0),
    ]
    if enforces_nproc():
        plan.append(("RLIMIT_NPROC", NPROC_HEADROOM, NPROC_HEADROOM))
    return plan


def format_plan(plan: RlimitPlan) -> str:
    """The plan as one argv word (``RLIMIT_AS:soft:hard,...``): parsed before any import."""
    return ",".join(f"{name}:{soft}:{hard}" for name, soft, hard in plan)
