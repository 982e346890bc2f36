"""What a ``jupyter-forge`` command shows and asks on the terminal: sample lines, yes/no.

Shared by the tool commands (:mod:`.cli`) and the library commands
(:mod:`.library`), which both print sample runs and ask before they save or trust.
"""

from __future__ import annotations

import sys
from typing import Any


def ask(question: str) -> bool:
    """Ask a yes/no question; no terminal on stdin (a script, CI) is always "no"."""
    if not sys.stdin.isatty():
        return False
    return input(question).strip().lower() in ("y", "yes")


def print_samples(results: list[Any]) -> None:
    """One ``PASS``/``FAIL`` line per sample run, with the error of a failure."""
    for r in results:
        mark = "PASS" if r.passed else "FAIL"
        extra = f"  ({r.error})" if r.error else ""
        print(f"  {mark}  {r.source.splitlines()[0]}{extra}")
