"""Which isolation layers protect a validation run, and which are still missing.

Shown to the user next to every verdict, so that nobody mistakes "it passed in
the sandbox" for more than the sandbox actually guarantees. Keep both lists
honest: when a layer is added to the runner, move it from one list to the other.
"""

from __future__ import annotations

from .limits import enforces_nproc


def active_layers() -> list[str]:
    """Human-readable names of the layers in force for every run on this machine."""
    rlimits = ["AS", "CPU", "FSIZE", "NOFILE", "CORE"]
    if enforces_nproc():
        rlimits.append("NPROC")
    layers = [
        "separate process",
        "empty environment",
        "isolated mode (-I)",
        "scratch dir cwd",
        f"rlimits ({', '.join(rlimits)})",
        "wall-clock SIGKILL",
        "JSON-only results (nothing from the sandbox is unpickled)",
    ]
    if enforces_nproc():
        layers.append("non-root uid (the kernel's own user, not a separate one)")
    return layers


def missing_layers() -> list[str]:
    """Layers not implemented yet: what a hostile candidate could still do."""
    missing = [
        "network namespace",
        "PID namespace",
        "Landlock filesystem allowlist",
        "seccomp syscall filter",
    ]
    if not enforces_nproc():
        missing.append(
            "non-root uid (running as root: RLIMIT_NPROC is ignored, no fork-bomb limit)"
        )
    return missing
