"""The generate → extract → validate → repair loop, independent of any model or sandbox.

The model and the sandbox come in as callables, so the loop is testable with a
scripted model and reusable from the kernel, the CLI and benchmarks alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .attempt import Attempt
from .checks import Check
from .disagreement import Compare, SecondOpinion
from .errors import ModelError, ModelReplyError
from .extract import Extraction, extract_function
from .loop_steps import (
    Behave,
    FixImports,
    NullProgress,
    Progress,
    RunChecks,
    Validate,
    check_words,
    finish,
    fixed,
    hint_from_samples,
    settle_ties,
)
from .prompt import (
    Message,
    build_messages,
    polish_messages,
    repair_messages,
    retry_messages,
    with_word_checks,
)
from .result import ForgeResult
from .retry import Retry, code_key, retry_from
from .spec import ForgeSpec
from .validation import ValidationReport
from .variables import VariableInfo
from .word_checks import WordChecks, failure_lines

# Retry, code_key and retry_from live in .retry, the per-candidate steps in .loop_steps;
# importable from here as before.
__all__ = [
    "GIVE_UP_ON_CHECKS",
    "NullProgress",
    "Progress",
    "Reply",
    "Retry",
    "code_key",
    "finish",
    "forge_loop",
    "retry_from",
]


@dataclass
class Reply:
    text: str
    seconds: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


VERBS = {
    "first": "asking",
    "repair": "repairing with",
    "fresh": "starting over with",
    "polish": "polishing with",
}

# Sample-passing candidates after which failing checks stop the search (they are then
# more likely wrong than all of the candidates).
GIVE_UP_ON_CHECKS = 3


Generate = Callable[[Sequence[Message], int, Callable[[str], None]], Reply]
MakeChecks = Callable[[], WordChecks]


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
    compare: Compare | None = None,
    checks_in_prompt: bool = False,
    repairs: bool = True,
) -> ForgeResult:
    """Ask, check, and feed failures back until a candidate passes or the budget is spent.

    - ``observe``: a sandbox run that records the types each sample saw, so missing
      hints of passing code come from the samples (:mod:`.hints`), not another request.
    - ``make_checks``/``run_checks``: checks from the words, asked once (when an answer
      first passes the samples; :meth:`_Loop.ask_for_checks`), and their sandbox run.
      Passing the samples but failing some is not final: a repair told which failed, then
      fresh candidates; the one passing the most is shown (ties: agreement). A wrong
      check only costs attempts, never the forge.
    - ``fix_imports``: deterministic fixes before a candidate runs (a missing ``import re``).
    - ``behave``: code -> outcomes on edge-case probes, to settle ties (:func:`settle_ties`).
    - ``compare``: with it, a candidate passing everything with budget left gets a second
      opinion (one fresh candidate); two green ones that differ make it doubtful
      (:mod:`.disagreement`).
    - ``checks_in_prompt``: the checks from the words go into every ask after the
      samples (:func:`.prompt.with_word_checks`), not only into repairs.
    - ``repairs``: off, a failed answer is never repaired: every later ask is a fresh
      (sampled) answer to the first ask (an experiment, measured in the DS benchmark).
    - ``retry``: redo an earlier forge (:class:`Retry`): the first ask shows its code and
      failures; an answer repeating shown code is not validated again.
    """
    loop = _Loop(spec, model_name, progress or NullProgress(), variables, retry)
    loop.result.corroborate = compare is not None
    loop.repairs = repairs
    loop.ask_for_checks(make_checks, run_checks, in_prompt=checks_in_prompt)
    for number in range(1, max(1, attempts) + 1):
        where = f"attempt {number}/{attempts}"
        loop.sink.stage("llm", f"{where}: {VERBS[loop.kind]} {model_name}…")
        try:
            reply = generate(loop.messages, number, loop.sink.token)
        except ModelReplyError as exc:
            loop.broken_answer(number, where, exc)
            continue
        attempt, extraction = loop.record(number, reply, fix_imports)
        repeat = loop.repeat(attempt, where)
        if repeat == "stop":
            break
        if repeat == "again":
            continue
        report = loop.judge(attempt, where, validate, observe)
        loop.checks_for(attempt)
        failing = check_words(loop.result, attempt, run_checks, loop.sink, where)
        if loop.done(attempt, extraction, failing):
            if compare is not None:
                loop.second_opinions(
                    number + 1, attempts, generate, validate, run_checks, fix_imports
                )
            break
        loop.next_request(attempt, reply, extraction, report, failing, where)
    return loop.finish(behave, compare)


class _Loop:
    """The state one forge carries between attempts, and the decisions taken on it.

    Why a class: the loop's policy (when to stop, what to ask next) reads and changes
    this state in several places; named steps keep each decision readable on its own.
    """

    def __init__(
        self,
        spec: ForgeSpec,
        model_name: str,
        sink: Progress,
        variables: Sequence[VariableInfo],
        retry: Retry | None,
    ) -> None:
        self.spec, self.model_name, self.sink, self.retry = spec, model_name, sink, retry
        self.result = ForgeResult(spec=spec, model=model_name)
        started = time.perf_counter()
        self.base = build_messages(spec, variables)
        self.result.add_time("prompt", time.perf_counter() - started)
        self.checks: list[Check] = []
        self.messages: list[Message] = list(self.base)
        self.kind = "first"
        self.seen = {code_key(code) for code in retry.seen} if retry is not None else set()
        self.passing_keys: set[str] = set()  # candidates of this forge that passed the samples
        self.repeats_passing = 0  # answers that repeated one of them
        self.polishing: Attempt | None = None  # the working candidate asked to be polished
        self.second: Attempt | None = None  # the second opinion, once asked
        self.pending_checks: MakeChecks | None = None  # asked when an answer passes the samples
        self.repairs = True  # False: fresh answers instead of repairs (forge_loop(repairs=))
        if retry is not None:
            self.messages = retry_messages(self.base, spec.name, retry.code, retry.lines)
            self.kind = "repair"

    def ask_for_checks(
        self, make: MakeChecks | None, run: RunChecks | None, *, in_prompt: bool = False
    ) -> None:
        """Checks from the words, asked once (a redo reuses the earlier ones). With samples,
        only once an answer passes them (:meth:`checks_for`): the checks judge only
        answers that pass the samples, so a forge where none does never needs them (on
        the DS benchmark, 20 of 60 forges, a median 18 s each). The call still sees only
        the request and the samples. ``in_prompt``: asked first, since every ask shows
        them."""
        result, retry = self.result, self.retry
        if retry is not None and retry.word_checks is not None and run is not None:
            result.word_checks = retry.word_checks  # they depend on the words only
        elif make is not None and run is not None:
            if self.spec.samples and not in_prompt:
                self.pending_checks = make
                return
            self.make_checks(make)
        self.checks = list(result.word_checks.checks) if result.word_checks else []
        if in_prompt and self.checks:
            self.base = with_word_checks(self.base, [c.text for c in self.checks])
            retry = self.retry
            self.messages = (
                list(self.base)
                if retry is None
                else retry_messages(self.base, self.spec.name, retry.code, retry.lines)
            )

    def checks_for(self, attempt: Attempt) -> None:
        """Ask for the checks from the words when the first answer passes the samples."""
        make = self.pending_checks
        if make is None or not attempt.passed:
            return
        self.pending_checks = None
        self.make_checks(make)
        words = self.result.word_checks
        self.checks = list(words.checks) if words else []

    def make_checks(self, make: MakeChecks) -> None:
        what = "checks of the rules your words state"
        self.sink.stage("checks", f"asking {self.model_name} for {what}…")
        tick = time.perf_counter()
        words = self.result.word_checks = make()
        self.result.add_time("checks", time.perf_counter() - tick)
        if words.error:
            self.sink.stage("checks", f"no checks from your words: {words.error}")

    def broken_answer(self, number: int, where: str, exc: ModelReplyError) -> None:
        """A broken-off or empty answer costs an attempt; the budget decides, not the glitch."""
        self.result.attempts.append(
            Attempt(number=number, reply="", code=None, problems=[str(exc)], kind=self.kind)
        )
        self.sink.stage("repair", f"{where} failed: {exc}")
        if self.kind == "repair":
            self.kind = "fresh"
        if self.kind == "fresh":
            self.messages = list(self.base)

    def record(
        self, number: int, reply: Reply, fix_imports: FixImports | None
    ) -> tuple[Attempt, Extraction]:
        """The answer as an attempt: its code extracted and deterministically fixed."""
        self.result.add_time("llm", reply.seconds)
        tick = time.perf_counter()
        extraction, fixes = fixed(extract_function(reply.text, self.spec.name), fix_imports)
        self.result.add_time("extract", time.perf_counter() - tick)
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
            kind=self.kind,
            fixes=fixes,
        )
        self.result.attempts.append(attempt)
        return attempt, extraction

    def repeat(self, attempt: Attempt, where: str) -> str | None:
        """Code already tried is not run again: "again" asks for a fresh answer, "stop"
        ends the search (the model keeps repeating code that passed the samples while
        failing checks); None: new code, go on."""
        if attempt.code is None or self.kind == "polish":
            return None
        key = code_key(attempt.code)
        if key not in self.seen:
            self.seen.add(key)
            return None
        attempt.problems.append("the same code as an answer shown before (not shown as new)")
        self.sink.stage("repair", f"{where}: the same code as before; asking for a fresh answer")
        self.messages, self.kind = list(self.base), "fresh"
        if key in self.passing_keys:
            self.repeats_passing += 1  # the model insists: it counts for giving way on checks
            if self.checks and len(self.passing_keys) + self.repeats_passing >= GIVE_UP_ON_CHECKS:
                return "stop"
        return "again"

    def judge(
        self, attempt: Attempt, where: str, validate: Validate, observe: Validate | None
    ) -> ValidationReport | None:
        """Run the samples (even when hints are missing: one repair can fix both), then
        write missing hints of passing code from the types its samples saw. Returns the
        samples' report on the code as answered."""
        if attempt.code is None:
            return None
        running = f"running {len(self.spec.samples)} sample(s) in the sandbox…"
        self.sink.stage("validate", f"{where}: {running}")
        tick = time.perf_counter()
        report = attempt.report = validate(attempt.code)
        self.result.add_time("validate", time.perf_counter() - tick)
        if attempt.passed and attempt.notes and observe is not None:
            tick = time.perf_counter()
            hint_from_samples(attempt, self.spec.name, observe, validate)
            self.result.add_time("hints", time.perf_counter() - tick)
        return report

    def done(self, attempt: Attempt, extraction: Extraction, failing: list[str]) -> bool:
        """Whether to stop after ``attempt`` (it also counts a passing one as seen)."""
        if attempt.passed and not failing and (not attempt.notes or not self.spec.samples):
            # Complete; or nothing could tell whether a polished rewrite still works (one
            # measured polish dropped a helper the code needed): keep it, with its notes.
            return True
        polishing = self.polishing
        if polishing is not None and not (
            attempt.passed and len(attempt.notes) < len(polishing.notes)
        ):
            # A polish that added nothing (small models often return the same code) will
            # not add it next time either: keep the working code, with its notes.
            return True
        if attempt.passed and extraction.code is not None:
            self.passing_keys.add(code_key(extraction.code))  # as answered (before hints)
        # Several candidates pass the samples and none passes every check: the checks
        # (written by a model too) are likely wrong; more attempts would not settle it.
        passing = sum(1 for a in self.result.attempts if a.passed)
        return bool(self.checks) and passing + self.repeats_passing >= GIVE_UP_ON_CHECKS

    def next_request(
        self,
        attempt: Attempt,
        reply: Reply,
        extraction: Extraction,
        report: ValidationReport | None,
        failing: list[str],
        where: str,
    ) -> None:
        """Say how ``attempt`` went and choose what to ask next: polish, repair or start over."""
        if attempt.passed and failing:
            failed = f"{len(failing)} check(s) from your words failed"
            self.sink.stage("repair", f"{where} passed the samples but {failed}")
        elif attempt.passed:
            self.sink.stage("repair", f"{where} passed but {attempt.summary()}")
        else:
            self.sink.stage("repair", f"{where} failed: {attempt.summary()}")
        base, name = self.base, self.spec.name
        best = self.result.choose_best() or attempt
        best_fails_checks = bool(
            best.checks_report and failure_lines(self.checks, best.checks_report)
        )
        if best.passed and not best_fails_checks:
            # Working code only lacks hints/docstring: show it and ask for just those,
            # so the model edits rather than rewrites (a rewrite may break it).
            self.messages = polish_messages(base, best.code or "", name, best.notes)
            self.polishing, self.kind = best, "polish"
        elif not self.repairs:
            self.messages, self.kind = list(base), "fresh"
        elif self.kind == "first" and attempt.passed and failing:
            # Passes the samples, breaks a stated rule: repair from the failing checks
            # (the rules, not only the sample: repairing toward one sample bends code to it).
            self.messages = repair_messages(
                base,
                reply.text,
                name,
                extraction=extraction,
                report=None,
                extra=failing,
                show_code=True,
            )
            self.kind = "repair"
        elif self.kind in ("repair", "fresh") and (self.spec.samples or self.checks):
            # A repair that failed too is usually stuck on one wrong idea: start over
            # with fresh (sampled) answers to the first ask. Those are not repaired: on
            # HumanEval a repair of a fresh answer passed the samples half as often as
            # another fresh answer, and mostly by bending to the samples (README).
            self.messages, self.kind = list(base), "fresh"
        else:
            # Only the latest failure goes back: small local models have small contexts.
            # Its code is not shown: shown its code, the 1.5B model answers with the same
            # code (seen on the DS benchmark), so failures go back, not code.
            self.messages = repair_messages(
                base, reply.text, name, extraction=extraction, report=report
            )
            self.kind = "repair"

    def first_green(self, besides: Attempt) -> Attempt | None:
        return next((a for a in self.result.attempts if a.green and a is not besides), None)

    def second_opinions(
        self,
        first: int,
        attempts: int,
        generate: Generate,
        validate: Validate,
        run_checks: RunChecks | None,
        fix_imports: FixImports | None,
    ) -> None:
        """Fresh candidates after the best one passed everything (compared in
        :meth:`finish`). One, when the best is a first answer; while budget lasts and none
        passes, more when it came out of failures (:meth:`ForgeResult.found_late`): such
        a green stays green only if one agrees."""
        for number in range(first, attempts + 1):
            best = self.result.choose_best()
            if best is None or not best.green:
                return
            if number > first and not self.result.found_late(best):
                return
            answer = self.second_opinion(
                number, attempts, generate, validate, run_checks, fix_imports
            )
            if answer is None or answer.green:
                return

    def second_opinion(
        self,
        number: int,
        attempts: int,
        generate: Generate,
        validate: Validate,
        run_checks: RunChecks | None,
        fix_imports: FixImports | None,
    ) -> Attempt | None:
        """One fresh candidate, not hinted or repaired: evidence more than a proposal.
        None when the model call failed (optional evidence never costs the tool)."""
        where = f"attempt {number}/{attempts}"
        self.sink.stage("llm", f"{where}: a second opinion from {self.model_name}…")
        try:
            reply = generate(list(self.base), number, self.sink.token)
        except ModelError as exc:
            self.sink.stage("repair", f"{where}: no second opinion: {exc}")
            self.result.unasked = f"the model call failed: {exc}"
            return None
        self.kind = "second"
        attempt, _ = self.record(number, reply, fix_imports)
        if attempt.code is None or code_key(attempt.code) in self.seen:
            attempt.problems.append("the same code as an answer shown before")
            return attempt
        self.seen.add(code_key(attempt.code))
        self.judge(attempt, where, validate, None)
        check_words(self.result, attempt, run_checks, self.sink, where)
        self.second = attempt
        return attempt

    def finish(self, behave: Behave | None, compare: Compare | None = None) -> ForgeResult:
        """Choose the candidate to show (ties settled by agreement on probes) and fill in
        what the reviewer sees besides its code."""
        result = self.result
        settle_ties(result, behave)
        shown = result.choose_best()
        second = self.second
        if compare is not None and shown is not None and second is not None:
            other = second if shown is not second else self.first_green(second)
            if shown.green and other is not None and other.passed:
                self.sink.stage("behaviour", "comparing two candidates on probes…")
                tick = time.perf_counter()
                comparison = compare(shown.code or "", other.code or "")
                result.add_time("second_opinion", time.perf_counter() - tick)
                result.second_opinion = SecondOpinion(
                    shown.number, other.number, comparison, other_green=other.green
                )
        if shown is not None and shown.code is not None:
            finish(result, shown.code)
            result.report = shown.report
        self.sink.stage("done", result.status_line())
        return result
