"""When approval without a person must step back.

Why one place: the kernel's ``--approve auto``, the agent's ``--approve auto`` and the
CLI's ``--yes`` approve without anyone reading the code, so they must agree on what
they may approve. Only a tool the evidence calls right qualifies: it passes its
samples and every check from the request's words. A doubtful one (it breaks a rule
the words state, by a check that may itself be wrong) needs a person to decide.
"""

from __future__ import annotations

from .result import ForgeResult


def refusal(result: ForgeResult) -> str | None:
    """Why ``result`` may not be approved without a person (None: it may)."""
    if not result.passed:
        return "it did not pass its samples"
    if result.doubtful:
        return "it passes its samples but breaks checks from your words, which a person must read"
    return None
