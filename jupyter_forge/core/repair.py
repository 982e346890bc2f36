"""The generate → extract → validate → repair loop, independent of any model or sandbox.

The model and the sandbox come in as callables, so the loop is testable with a
scripted model and reusable from the kernel, the CLI and benchmarks alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .checks import Check
from .definition import definition_effects
from .errors import ModelReplyError
from .extract import Extraction, extract_function
from .findings import static_findings, third_party_imports
from .hints import infer, missing_hints
from .prompt import (
    Message,
    build_messages,
    polish_messages,
    repair_messages,
    report_failure_lines,
    retry_messages,
)
from .result import Attempt, ForgeResult
from .schema import function_schema
from .spec import ForgeSpec, Sample
from .validation import ValidationReport
from .variables import VariableInfo
from .word_checks import WordChecks, failure_lines


@dataclass
class Reply:
    text: str
    seconds: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class Progress(Protocol):
    """Where the loop reports what it is doing (status line, streamed tokens)."""

    def stage(self, name: str, message: str) -> None: ...

    def token(self, text: str) -> None: ...


class NullProgress:
    def stage(self, name: str, message: str) -> None:
        pass

    def token(self, text: str) -> None:
        pass


VERBS = {
    "first": "asking",
    "repair": "repairing with",
    "fresh": "starting over with",
    "polish": "polishing with",
}

# Sample-passing candidates after which failing checks stop the search (they are then
# more likely wrong than all of the candidates).
GIVE_UP_ON_CHECKS = 3


@dataclass(frozen=True)
class Retry:
    """What a regeneration knows from the forge the person asked to redo.

    Why: asked again with the same prompt, a small model answers with the same code (a
    person clicking Regenerate saw exactly that). So the first ask shows the earlier
    code and what was wrong with it, answers identical to code already shown are
    named as such and never shown as new, and the checks from the words (which
    depend on the words only) are reused instead of asked for again.
    """

    code: str | None  # the code the person saw last
    lines: tuple[str, ...]  # what was wrong with it, one line each
    seen: tuple[str, ...] = ()  # every code the person was shown before
    word_checks: WordChecks | None = None


def retry_from(previous: ForgeResult) -> Retry:
    """How to redo ``previous``: its shown code, what was wrong with it, all it showed."""
    shown = previous.shown
    lines: list[str] = []
    if shown is not None:
        if shown.problems:
            lines += shown.problems
        elif shown.report is not None and not shown.report.passed:
            lines += report_failure_lines(shown.report)
        elif shown.checks_report is not None and previous.word_checks is not None:
            lines += failure_lines(previous.word_checks.checks, shown.checks_report)
    if not lines:
        lines = ["The person asked for another version of it."]
    return Retry(
        code=shown.code if shown is not None else None,
        lines=tuple(lines),
        seen=tuple(a.code for a in previous.attempts if a.code),
        word_checks=previous.word_checks,
    )


def code_key(code: str) -> str:
    """Code compared by what it does as written: comments and layout do not count."""
    import ast

    try:
        return ast.dump(ast.parse(code))
    except (SyntaxError, ValueError):
        return " ".join(code.split())


Generate = Callable[[Sequence[Message], int, Callable[[str], None]], Reply]
Validate = Callable[[str], ValidationReport]
RunChecks = Callable[[str, Sequence[Sample]], ValidationReport]
MakeChecks = Callable[[], WordChecks]
FixImports = Callable[[str], tuple[str, list[str]]]
Behave = Callable[[str], tuple[str, ...]]


def _fixed(extraction: Extraction, fix: FixImports | None) -> tuple[Extraction, list[str]]:
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


def forge_loop(
    spec: ForgeSpec,
    *,
    model_name: str,
    generate: Generate,
    validate: Validate,
    attempts: int = 5,
    variables: Sequence[VariableInfo] = (),
    progress: Progress | None = None,
    observe: Validate | None = None,
    make_checks: MakeChecks | None = None,
    run_checks: RunChecks | None = None,
    fix_imports: FixImports | None = None,
    behave: Behave | None = None,
    retry: Retry | None = None,
) -> ForgeResult:
    """Ask, check, and feed failures back until a candidate passes or the budget is spent.

    ``observe``: a sandbox run that also records the types each sample call saw;
    with it, missing type hints of passing code come from the samples
    (:mod:`.hints`) instead of another model request.

    ``make_checks``/``run_checks``: checks from the request's words (asked for once,
    before any code) and a sandbox run of them. A candidate that passes the samples
    but fails some of them is not final: the budget goes on a repair told which
    checks failed, then on fresh candidates, and the one passing the samples and
    the most checks is shown (ties: the one most others agree with). They never
    make a forge fail: a wrong check only costs attempts.

    ``fix_imports``: deterministic fixes applied to every candidate before it is
    run (a missing ``import re``), at no model cost; listed for the reviewer.

    ``behave``: code -> its outcome on each edge-case probe, to settle ties (:func:`settle_ties`).

    ``retry``: this forge redoes an earlier one (:class:`Retry`): the first ask shows
    the earlier code and its failures, and an answer identical to code already shown
    is marked as such, not validated again, and followed by a fresh answer.
    """
    sink = progress or NullProgress()
    result = ForgeResult(spec=spec, model=model_name)
    started = time.perf_counter()
    base = build_messages(spec, variables)
    result.add_time("prompt", time.perf_counter() - started)
    checks: list[Check] = []
    if retry is not None and retry.word_checks is not None and run_checks is not None:
        result.word_checks = retry.word_checks  # they depend on the words only
        checks = list(result.word_checks.checks)
    elif make_checks is not None and run_checks is not None:
        sink.stage("checks", f"asking {model_name} for checks of the rules your words state…")
        tick = time.perf_counter()
        result.word_checks = make_checks()
        result.add_time("checks", time.perf_counter() - tick)
        checks = list(result.word_checks.checks)
        if result.word_checks.error:
            sink.stage("checks", f"no checks from your words: {result.word_checks.error}")
    messages: list[Message] = list(base)
    kind = "first"
    seen = {code_key(code) for code in retry.seen} if retry is not None else set()
    passing_keys: set[str] = set()  # candidates of this forge that passed the samples
    repeats_passing = 0  # answers that repeated one of them
    if retry is not None:
        messages, kind = retry_messages(base, spec.name, retry.code, retry.lines), "repair"
    polishing: Attempt | None = None  # the working candidate the last request asked to polish
    for number in range(1, max(1, attempts) + 1):
        where = f"attempt {number}/{attempts}"
        sink.stage("llm", f"{where}: {VERBS[kind]} {model_name}…")
        try:
            reply = generate(messages, number, sink.token)
        except ModelReplyError as exc:
            # A broken-off or empty answer costs an attempt; the budget decides, not the glitch.
            result.attempts.append(
                Attempt(number=number, reply="", code=None, problems=[str(exc)], kind=kind)
            )
            sink.stage("repair", f"{where} failed: {exc}")
            kind = "fresh" if kind == "repair" else kind
            messages = list(base) if kind == "fresh" else messages
            continue
        result.add_time("llm", reply.seconds)
        tick = time.perf_counter()
        extraction, fixes = _fixed(extract_function(reply.text, spec.name), fix_imports)
        result.add_time("extract", time.perf_counter() - tick)
        attempt = Attempt(
            number=number,
            reply=reply.text,
            code=extraction.code,
            problems=list(extraction.problems),
            notes=list(extraction.notes),
            dropped=list(extraction.dropped),
            llm_seconds=reply.seconds,
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
            kind=kind,
            fixes=fixes,
        )
        result.attempts.append(attempt)
        report: ValidationReport | None = None
        if extraction.code is not None and kind != "polish":
            key = code_key(extraction.code)
            if key in seen:
                attempt.problems.append(
                    "the same code as an answer shown before (not shown as new)"
                )
                sink.stage("repair", f"{where}: the same code as before; asking for a fresh answer")
                messages, kind = list(base), "fresh"
                if key in passing_keys:
                    repeats_passing += 1  # the model insists: it counts for giving way on checks
                    if checks and len(passing_keys) + repeats_passing >= GIVE_UP_ON_CHECKS:
                        break
                continue
            seen.add(key)
        if extraction.code is not None:
            # Validate even when hints/docstring are missing: one repair can fix both.
            running = f"running {len(spec.samples)} sample(s) in the sandbox…"
            sink.stage("validate", f"{where}: {running}")
            tick = time.perf_counter()
            report = validate(extraction.code)
            result.add_time("validate", time.perf_counter() - tick)
            attempt.report = report
        if attempt.passed and attempt.notes and observe is not None:
            tick = time.perf_counter()
            hint_from_samples(attempt, spec.name, observe, validate)
            result.add_time("hints", time.perf_counter() - tick)
        failing_checks = check_words(result, attempt, run_checks, sink, where)
        if attempt.passed and not attempt.notes and not failing_checks:
            break
        if attempt.passed and not spec.samples and not failing_checks:
            # Nothing could tell whether a polished rewrite still works (one measured
            # polish dropped a helper the code needed): keep it, with its notes.
            break
        if polishing is not None and not (
            attempt.passed and len(attempt.notes) < len(polishing.notes)
        ):
            # A polish that added nothing (small models often return the same code) will
            # not add it next time either: keep the working code, with its notes.
            break
        if attempt.passed and extraction.code is not None:
            passing_keys.add(code_key(extraction.code))  # as answered (before hints were added)
        passing = [a for a in result.attempts if a.passed]
        if checks and len(passing) + repeats_passing >= GIVE_UP_ON_CHECKS:
            # Several candidates pass the samples and none passes every check: the checks
            # (written by a model too) are likely wrong; more attempts would not settle it.
            break
        if attempt.passed and failing_checks:
            failed = f"{len(failing_checks)} check(s) from your words failed"
            sink.stage("repair", f"{where} passed the samples but {failed}")
        elif attempt.passed:
            sink.stage("repair", f"{where} passed but {attempt.summary()}")
        else:
            sink.stage("repair", f"{where} failed: {attempt.summary()}")
        best = result.choose_best() or attempt
        best_fails_checks = bool(best.checks_report and failure_lines(checks, best.checks_report))
        if best.passed and not best_fails_checks:
            # Working code only lacks hints/docstring: show it and ask for just those,
            # so the model edits rather than rewrites (a rewrite may break it).
            messages = polish_messages(base, best.code or "", spec.name, best.notes)
            polishing, kind = best, "polish"
        elif kind == "first" and attempt.passed and failing_checks:
            # Passes the samples, breaks a stated rule: repair from the failing checks
            # (the rules, not only the sample: repairing toward one sample bends code to it).
            messages = repair_messages(
                base,
                reply.text,
                spec.name,
                extraction=extraction,
                report=None,
                extra=failing_checks,
                show_code=True,
            )
            kind = "repair"
        elif kind in ("repair", "fresh") and (spec.samples or checks):
            # A repair that failed too is usually stuck on one wrong idea: start over
            # with fresh (sampled) answers to the first ask. Those are not repaired: on
            # HumanEval a repair of a fresh answer passed the samples half as often as
            # another fresh answer, and mostly by bending to the samples (README).
            messages, kind = list(base), "fresh"
        else:
            # Only the latest failure goes back: small local models have small contexts.
            # Its code is not shown: shown its code, the 1.5B model answers with the same
            # code (seen on the DS benchmark), so failures go back, not code.
            messages = repair_messages(
                base, reply.text, spec.name, extraction=extraction, report=report
            )
            kind = "repair"
    settle_ties(result, behave)
    shown = result.choose_best()
    if shown is not None and shown.code is not None:
        finish(result, shown.code)
        result.report = shown.report
    sink.stage("done", result.status_line())
    return result
