"""Shared bits of the benchmarks: what machine and versions produced a result file.

Why: a number without its machine, model and package versions cannot be compared
with the next run, so every results JSON carries them.
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from jupyter_forge.core.spec import Sample
from jupyter_forge.core.validation import ValidationReport
from jupyter_forge.sandbox import Limits, validate_every_seed

RESULTS = Path(__file__).parent / "results"


def machine_info() -> dict[str, object]:
    """Python, OS and CPU count (benchmarks here are CPU-bound on the local model)."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def versions(*packages: str) -> dict[str, str | None]:
    """Installed versions of ``packages`` (``None`` when not installed)."""
    found: dict[str, str | None] = {}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def slug(text: str) -> str:
    """A model string as a file-name part (``openai/x:y`` → ``openai_x_y``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "model"


def git_commit() -> str | None:
    """The commit the benchmark ran from (with ``+dirty`` when the tree had changes)."""
    import subprocess

    root = Path(__file__).parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def validate_hidden(
    code: str,
    name: str,
    samples: Sequence[Sample],
    limits: Limits,
    inputs: Mapping[str, bytes] | None = None,
) -> ValidationReport:
    """A benchmark's hidden checks, judged as the product judges samples: code that builds
    a set must pass under every hash seed, so "correct" never means "right by a set's
    order in this process"."""
    return validate_every_seed(code, name, samples, inputs=inputs, limits=limits)
