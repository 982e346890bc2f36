"""A second opinion: two candidates that both pass everything, compared on probes.

Why: a candidate that passes the person's samples and every check from the words is
shown green, yet one sample and a few model-written checks leave much of what the
words say untested (measured on the DS benchmark: a third of the green tools there
were wrong). Another candidate that passes the person's samples and still answers
differently on an input like the sample's shows the reviewer exactly where the
words were not pinned down: a doubt worth reading, with the input to decide on. The
other need not pass the checks from the words (they are a small model's guesses):
on the DS benchmark's recorded runs, comparing with any sample-passing answer caught
2 of 3 false greens for 1 of 4 right greens turned amber. Agreement is no proof, so it
never turns anything green on its own, and corroborates only an answer that also
passes every check.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_SHOWN_DIFFERENCES = 5  # kept and shown; the first goes in the status line
_NON_LITERAL = re.compile(r"(?<![\w'\"])-?(?:nan|inf)(?![\w'\"])")


@dataclass(frozen=True)
class Difference:
    """One probe on which the two candidates answered differently (reprs, or "raises X")."""

    call: str
    shown: str
    other: str

    def to_json(self) -> dict[str, str]:
        return {"call": self.call, "shown": self.shown, "other": self.other}


@dataclass(frozen=True)
class Comparison:
    """Two candidates run on the same ``probes`` probes; where they answered differently."""

    probes: int
    differences: tuple[Difference, ...] = ()


# Code of the shown candidate, code of the other -> how they compare (in the sandbox).
Compare = Callable[[str, str], Comparison]


@dataclass(frozen=True)
class SecondOpinion:
    """Attempt ``shown`` (under review, passing everything) and attempt ``other`` (passing
    the samples, and every check from the words when ``other_green``); ``comparison``
    is how they compare on probes."""

    shown: int
    other: int
    comparison: Comparison
    other_green: bool = True

    @property
    def agrees(self) -> bool:
        return self.comparison.probes > 0 and not self.comparison.differences

    @property
    def corroborates(self) -> bool:
        """Agrees, and the other passes the same evidence: a witness for a late green."""
        return self.agrees and self.other_green

    def first_difference(self) -> str:
        """The status line's example: "`f('')` raises ValueError here, gives 0 in attempt 5"."""
        first = self.comparison.differences[0]
        shown, other = _outcome(first.shown), _outcome(first.other)
        return f"`{first.call}` {shown} here, {other} in attempt {self.other}"

    def to_json(self) -> dict[str, Any]:
        return {
            "shown": self.shown,
            "other": self.other,
            "probes": self.comparison.probes,
            "other_green": self.other_green,
            "differences": [d.to_json() for d in self.comparison.differences],
        }


def _outcome(outcome: str) -> str:
    """An outcome as a verb phrase: "raises ValueError" as it is, a value as "gives 0"."""
    return outcome if outcome.startswith("raises ") else f"gives {outcome}"


def compared(calls: Sequence[str], shown: Sequence[str], other: Sequence[str]) -> Comparison:
    """Probes where two candidates' outcomes differ in a way a person would care about.

    Two different exceptions are not a difference (the words rarely say which error a
    broken input raises), and numbers compare as numbers (``0.30000000000000004`` is
    ``0.3``), so a doubt is raised only by a real difference in behaviour.
    """
    found = [
        Difference(call, mine, theirs)
        for call, mine, theirs in zip(calls, shown, other, strict=False)
        if not same_outcome(mine, theirs)
    ]
    return Comparison(min(len(calls), len(shown), len(other)), tuple(found[:_SHOWN_DIFFERENCES]))


def same_outcome(a: str, b: str) -> bool:
    if a == b or (a.startswith("raises ") and b.startswith("raises ")):
        return True
    if a.startswith("not run") or b.startswith("not run"):
        return True  # an earlier probe hung: no evidence either way
    try:
        left, right = literal_value(a), literal_value(b)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False  # not both literals (a DataFrame's repr...): the text decided
    return same_value(left, right)


def literal_value(text: str) -> object:
    """A repr as a value; ``nan``/``inf`` (not literals) as marker strings, so they
    compare equal to themselves and unequal to any number."""
    return ast.literal_eval(_NON_LITERAL.sub(lambda m: repr(f"<{m.group(0)}>"), text))


def same_value(a: object, b: object, depth: int = 0) -> bool:
    """Equal as a person reads them: numbers by closeness, dicts with their key order,
    a bool never as a number."""
    if depth > 20:
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b  # ``True`` prints apart from ``1``
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if type(a) is not type(b) or len(a) != len(b):
            return False
        return all(same_value(x, y, depth + 1) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):  # key order is behaviour too: it shows in every printout
            return False
        return all(same_value(a[k], b[k], depth + 1) for k in a)
    return a == b
