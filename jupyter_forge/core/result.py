"""What one forge produced: every attempt, the final candidate, timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .probes import ProbeResult
from .spec import ForgeSpec
from .validation import ValidationReport
from .word_checks import WordChecks, checks_summary, passed_count


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
    kind: str = "first"  # first | repair | fresh (a new answer to the first ask) | polish | edit
    hinted: list[str] = field(default_factory=list)  # hints written in from sample runs
    fixes: list[str] = field(default_factory=list)  # deterministic fixes (added imports)
    checks_report: ValidationReport | None = None  # the checks from the words, run on it

    @property
    def checks_passed(self) -> int:
        return passed_count(self.checks_report) if self.passed else -1

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

    def rank(self, agreement: int = 0) -> tuple[bool, int, bool, int, int, int, int]:
        """Better candidates sort higher: passing, more checks from the words passed,
        complete, closer to passing, agreeing with more other candidates, earlier (the
        first answer is greedy; later ones are sampled, and worse on average)."""
        return (
            self.passed,
            self.checks_passed,
            self.passed and not self.notes,
            self.samples_passed if self.code is not None and not self.problems else -1,
            -len(self.notes),
            agreement,
            -self.number,
        )

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
            "code": self.code,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "dropped": list(self.dropped),
            "report": self.report.to_json() if self.report else None,
            "llm_seconds": round(self.llm_seconds, 4),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


@dataclass
class ForgeResult:
    """The outcome handed to the approval step (widget, CLI prompt or auto-approve)."""

    spec: ForgeSpec
    model: str  # what the user asked for (an alias, `local`, a litellm string)
    model_id: str = ""  # what it resolved to, for provenance (e.g. openai/qwen2.5-coder-0.5b)
    attempts: list[Attempt] = field(default_factory=list)
    code: str | None = None
    report: ValidationReport | None = None
    schema: dict[str, Any] | None = None
    findings: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    chosen: int | None = None  # index of the attempt shown for review (None: the last)
    chosen_among: int = 0  # how many attempts there were when it was chosen
    word_checks: WordChecks | None = None  # checks from the request's words (None: not asked)
    preview: list[ProbeResult] = field(default_factory=list)  # edge-case probes (core/probes.py)

    @property
    def passed(self) -> bool:
        return self.shown is not None and self.shown.passed and self.code is not None

    @property
    def last(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def shown(self) -> Attempt | None:
        """The candidate under review: a repair that broke passing code never replaces it.

        An attempt appended later (a person's edit, a re-validation after an install)
        is what they review next, so it is shown whatever its rank.
        """
        if self.chosen is not None and self.chosen_among == len(self.attempts):
            return self.attempts[self.chosen]
        return self.last

    @property
    def checks_report(self) -> ValidationReport | None:
        """The checks from the words, run on the candidate under review."""
        shown = self.shown
        return shown.checks_report if shown is not None else None

    def checks_line(self) -> str | None:
        """ "checks from your words: 3/4 pass" for the shown candidate (None: no checks)."""
        if self.word_checks is None or not self.word_checks.checks or self.shown is None:
            return None
        return checks_summary(self.checks_report, len(self.word_checks.checks))

    def agreement(self, attempt: Attempt) -> int:
        """How many other passing candidates behave the same on the checks (CodeT-style
        consensus: independent candidates that agree are more likely right)."""
        key = attempt.outcome_key()
        if not attempt.passed or not key:
            return 0
        return sum(
            1
            for other in self.attempts
            if other is not attempt and other.passed and other.outcome_key() == key
        )

    def choose_best(self) -> Attempt | None:
        if not self.attempts:
            return None
        best = max(
            range(len(self.attempts)),
            key=lambda i: self.attempts[i].rank(self.agreement(self.attempts[i])),
        )
        self.chosen, self.chosen_among = best, len(self.attempts)
        return self.attempts[best]

    def add_time(self, stage: str, seconds: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def status_line(self) -> str:
        tries = len(self.attempts)
        word = "attempt" if tries == 1 else "attempts"
        shown = self.shown
        if self.passed and shown is not None:
            checked = self.report.summary() if self.report else "validated"
            words = self.checks_line()
            checked += f"; {words}" if words else ""
            line = f"`{self.spec.name}` passed ({checked}) after {tries} {word} with {self.model}"
            if shown.number != tries:
                line += f" (attempt {shown.number} is shown: later ones did worse)"
            if shown.hinted:
                line += f"; type hints from the sample runs: {', '.join(shown.hinted)}"
            return line + (f"; still missing: {'; '.join(shown.notes)}" if shown.notes else "")
        reason = self.error or (shown.summary() if shown else "no answer")
        return f"`{self.spec.name}` did not pass after {tries} {word} with {self.model}: {reason}"
