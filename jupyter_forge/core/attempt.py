"""One model answer (or a person's edit) and what became of it in the sandbox.

Why its own module: the loop, the selection and every front end rank and describe
candidates; what a forge as a whole concluded is :mod:`.result`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .check_fault import held_against
from .disagreement import same_outcome
from .validation import ValidationReport
from .word_checks import passed_count


def clip(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass
class Attempt:
    """One model answer and what became of it (kept for review and provenance)."""

    number: int
    reply: str
    code: str | None
    problems: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    report: ValidationReport | None = None
    notes: list[str] = field(default_factory=list)  # missing hints/docstring: never blocking
    llm_seconds: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    # first | repair | fresh (a new answer to the first ask) | polish | edit | second (a
    # fresh answer asked after a green one, to compare them: core/disagreement.py)
    kind: str = "first"
    hinted: list[str] = field(default_factory=list)  # hints written in from sample runs
    fixes: list[str] = field(default_factory=list)  # deterministic fixes (added imports)
    checks_report: ValidationReport | None = None  # the checks from the words, run on it
    # What it did on edge-case probes, one outcome per probe ("[]", "raises ValueError"):
    # only for passing candidates tied for best, to settle the tie by agreement.
    behaviour: tuple[str, ...] = ()
    # A person's edit (kind "edit"): the attempt whose code they edited.
    edited_from: int | None = None

    @property
    def checks_passed(self) -> int:
        return passed_count(self.checks_report) if self.passed else -1

    @property
    def checks_met(self) -> int:
        """Checks from the words not held against it: a check that broke in its own code
        says nothing about the tool (core/check_fault); -1 when it fails its samples."""
        if not self.passed:
            return -1
        report = self.checks_report
        if report is None or report.load_error:
            return 0
        return len(report.results) - sum(held_against(report))

    def outcome_key(self) -> tuple[bool, ...]:
        """Which checks it passed: candidates with the same key behave alike on them."""
        if self.checks_report is None:
            return ()
        return tuple(r.passed for r in self.checks_report.results)

    @property
    def passed(self) -> bool:
        return (
            self.code is not None and not self.problems and bool(self.report and self.report.passed)
        )

    @property
    def samples_passed(self) -> int:
        return sum(r.passed for r in self.report.results) if self.report else 0

    def merit(self) -> tuple[bool, int, bool, int, int]:
        """What it is worth on its own: passing, more checks from the words met,
        complete, closer to passing, fewer notes. Equal merit is a tie."""
        return (
            self.passed,
            self.checks_met,
            self.passed and not self.notes,
            self.samples_passed if self.code is not None and not self.problems else -1,
            -len(self.notes),
        )

    @property
    def green(self) -> bool:
        """Passes the samples and every check from the words that was run on it."""
        report = self.checks_report
        return self.passed and (report is None or report.passed)

    # Why a candidate that ranks lower lost, one phrase per component of :meth:`rank`
    # (keep the two in step): what the reviewer is told about the answers not shown.
    LOST_BECAUSE = (
        "did not pass the samples",
        "passed fewer checks from your words",
        "left more missing (type hints, docstring)",
        "passed fewer samples",
        "left more missing (type hints, docstring)",
        "agrees with fewer of the other answers",
        "is no better, and ties go to the earlier answer",
    )

    def rank(self, agreement: int = 0) -> tuple[bool, int, bool, int, int, int, int]:
        """Better candidates sort higher: by :meth:`merit`, then agreeing with more other
        candidates, then earlier (the first answer is greedy; later ones are sampled, and
        worse on average). Agreement only settles ties: it never outweighs a check."""
        return (*self.merit(), agreement, -self.number)

    def agrees_with(self, other: Attempt) -> bool:
        """Both pass and behave alike: the same check outcomes and, when both were
        probed, the same outcomes on the probes (without checks, only the probes tell).

        Outcomes compare as the second opinion compares them (:func:`.same_outcome`:
        numbers by closeness, any two exceptions alike): two answers that differ only in
        the last digit of a float agree, as a person reading them would say.
        """
        if not (self.passed and other.passed) or self.outcome_key() != other.outcome_key():
            return False
        if self.behaviour and other.behaviour:
            return len(self.behaviour) == len(other.behaviour) and all(
                same_outcome(mine, theirs)
                for mine, theirs in zip(self.behaviour, other.behaviour, strict=True)
            )
        return bool(self.outcome_key())

    def summary(self) -> str:
        if self.problems:
            return "; ".join(self.problems + self.notes)
        if self.report is not None and not self.report.passed:
            return "; ".join([self.report.summary(), *self.notes])
        if self.notes:
            return "; ".join(self.notes)
        if self.report is not None:
            return self.report.summary()
        return "not validated"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "hinted": list(self.hinted),
            "fixes": list(self.fixes),
            "checks_report": self.checks_report.to_json() if self.checks_report else None,
            "behaviour": [clip(outcome) for outcome in self.behaviour],
            "code": self.code,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "dropped": list(self.dropped),
            "edited_from": self.edited_from,
            "report": self.report.to_json() if self.report else None,
            "llm_seconds": round(self.llm_seconds, 4),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }
