"""What one forge produced: every attempt, the final candidate, timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .spec import ForgeSpec
from .validation import ValidationReport


@dataclass
class Attempt:
    """One model answer and what became of it (kept for review and provenance)."""

    number: int
    reply: str
    code: str | None
    problems: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    report: ValidationReport | None = None
    llm_seconds: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @property
    def passed(self) -> bool:
        return (
            self.code is not None and not self.problems and bool(self.report and self.report.passed)
        )

    def summary(self) -> str:
        if self.problems:
            return "; ".join(self.problems)
        if self.report is not None:
            return self.report.summary()
        return "not validated"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "code": self.code,
            "problems": list(self.problems),
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

    @property
    def passed(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].passed and self.code is not None

    @property
    def last(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    def add_time(self, stage: str, seconds: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def status_line(self) -> str:
        tries = len(self.attempts)
        word = "attempt" if tries == 1 else "attempts"
        if self.passed:
            checked = self.report.summary() if self.report else "validated"
            return f"`{self.spec.name}` passed ({checked}) after {tries} {word} with {self.model}"
        reason = self.error or (self.last.summary() if self.last else "no answer")
        return f"`{self.spec.name}` did not pass after {tries} {word} with {self.model}: {reason}"
