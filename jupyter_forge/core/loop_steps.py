"""The loop's steps on one candidate: fixes, hints, checks from the words, ties, finish.

Why apart from :mod:`.repair`: the loop decides *what to ask next*; these steps only
gather evidence about a candidate or fill in what the reviewer sees. Each takes the
model-free callables the loop was given (``validate``, ``run``, ``behave``), so they
are testable and reusable on their own (:mod:`jupyter_forge.review` finishes edits
with :func:`finish`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from .attempt import Attempt
from .definition import definition_effects
from .extract import Extraction, extract_function
from .findings import static_findings, third_party_imports
from .hints import infer, missing_hints
from .result import ForgeResult
from .schema import function_schema
from .spec import Sample
from .validation import ValidationReport
from .word_checks import failure_lines


class Progress(Protocol):
    """Where the loop reports what it is doing (status line, streamed tokens)."""

    def stage(self, name: str, message: str) -> None: ...

    def token(self, text: str) -> None: ...


class NullProgress:
    def stage(self, name: str, message: str) -> None:
        pass

    def token(self, text: str) -> None:
        pass


Validate = Callable[[str], ValidationReport]
RunChecks = Callable[[str, Sequence[Sample]], ValidationReport]
FixImports = Callable[[str], tuple[str, list[str]]]
Behave = Callable[[str], tuple[str, ...]]


def fixed(extraction: Extraction, fix: FixImports | None) -> tuple[Extraction, list[str]]:
    """The extraction with deterministic fixes (missing imports) applied, and what was added."""
    if fix is None or extraction.code is None:
        return extraction, []
    code, added = fix(extraction.code)
    if not added:
        return extraction, []
    return replace(extraction, code=code), [f"added `{line}`" for line in added]


def finish(result: ForgeResult, code: str) -> None:
    """Fill in what the reviewer sees besides the code: schema, findings, needs."""
    started = time.perf_counter()
    result.code = code
    result.findings = static_findings(code) + definition_effects(code)
    result.requirements = third_party_imports(code)
    try:
        result.schema = function_schema(code, result.spec.name)
    except (ValueError, SyntaxError):
        result.schema = None
    result.add_time("static", time.perf_counter() - started)


def hint_from_samples(attempt: Attempt, name: str, observe: Validate, validate: Validate) -> None:
    """Write the hints passing code lacks from the types its samples saw, if that keeps
    it passing (the attempt is changed in place: same answer, typed)."""
    code = attempt.code or ""
    params, needs_return = missing_hints(code, name)
    if not params and not needs_return:
        return
    hinted = infer(code, name, observe(code).observed)
    if hinted is None:
        return
    extraction = extract_function(f"```python\n{hinted}\n```", name)
    if extraction.code is None or extraction.problems:
        return
    report = validate(extraction.code)
    if not report.passed:
        return  # a hint that breaks loading (an odd name clash): keep the code as it was
    still, still_return = missing_hints(extraction.code, name)
    attempt.hinted = [f"`{p}`" for p in params if p not in still]
    if needs_return and not still_return:
        attempt.hinted.append("the return type")
    attempt.code, attempt.notes, attempt.report = extraction.code, list(extraction.notes), report


def check_words(
    result: ForgeResult, attempt: Attempt, run: RunChecks | None, sink: Progress, where: str
) -> list[str]:
    """Run the checks from the words on a candidate passing the samples; the failing
    ones as lines for a repair prompt."""
    checks = result.word_checks.checks if result.word_checks is not None else []
    if attempt.passed and checks and run is not None:
        sink.stage("checks", f"{where}: running {len(checks)} check(s) from your words…")
        tick = time.perf_counter()
        attempt.checks_report = run(attempt.code or "", [c.sample for c in checks])
        result.add_time("checks", time.perf_counter() - tick)
    return failure_lines(checks, attempt.checks_report) if attempt.checks_report else []


def settle_ties(result: ForgeResult, behave: Behave | None) -> None:
    """Probe the passing candidates tied for best (same checks passed, complete...) so
    agreement on probe outputs settles the tie (MBR-exec); a lone best costs no run."""
    if behave is None or not (tied := result.tied_for_best()):
        return
    tick = time.perf_counter()
    for attempt in tied:
        attempt.behaviour = behave(attempt.code or "")
    result.add_time("behaviour", time.perf_counter() - tick)
