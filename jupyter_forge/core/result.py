"""What one forge produced: every attempt, the final candidate, timings.

Also the person's verdict on one of its checks from the words (accept it as a
sample, or drop it): bookkeeping on the result, so it lives with the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .attempt import Attempt, clip
from .check_fault import held_against
from .checks import Check
from .disagreement import SecondOpinion
from .errors import SpecError
from .probes import ProbeResult
from .spec import ForgeSpec, merge_samples
from .templates import INPUT_UNCHANGED
from .validation import ValidationReport
from .word_checks import WordChecks, checks_summary, passed_count

Verdict = Literal["passed", "doubtful", "failed"]
# Why a passing tool is doubtful (:attr:`ForgeResult.doubt`).
Doubt = Literal["checks", "disputed", "uncorroborated"]


def _numbers(noun: str, numbers: list[int]) -> str:
    """ "attempt 3", "attempts 1, 2" """
    return f"{noun}{'s' if len(numbers) != 1 else ''} {', '.join(map(str, numbers))}"


@dataclass(frozen=True)
class Kept:
    """The last passing version a person saw, kept when an edit replaces it.

    Why: an edit that fails must not cost the person the version that worked; Revert
    brings it back as it was shown (its attempt, hence its code and sample results, and
    its edge-case preview, which is not stored on the attempt).
    """

    attempt: int  # its index in ``ForgeResult.attempts``
    preview: tuple[ProbeResult, ...] = ()


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
    kept: Kept | None = None  # the last passing version shown, while an edit replaces it
    # Another candidate passing the same evidence, compared with the chosen one on probes.
    second_opinion: SecondOpinion | None = None
    # Second opinions were asked: a candidate that came out of failed answers stays green
    # only when another answer agrees with it (:attr:`uncorroborated`).
    corroborate: bool = False
    unasked: str | None = None  # why no second answer came (its model call failed)

    @property
    def passed(self) -> bool:
        return self.shown is not None and self.shown.passed and self.code is not None

    @property
    def doubtful(self) -> bool:
        """Passes the samples but breaks checks from the request's own words, or another
        candidate passing the samples behaves differently (:attr:`disputed`).

        Why: a green mark must mean a correct tool. Code bent to one sample that breaks a
        stated rule is the worst outcome this product can have, and these are the only
        signs of it; they may be wrong themselves, so this warns (amber) and never
        blocks approval.
        """
        return self.doubt is not None

    @property
    def doubt(self) -> Doubt | None:
        """Why a passing tool is doubtful: it breaks checks from the words, another green
        candidate answers differently, or it came out of failures and nothing agreed."""
        if not self.passed:
            return None
        report = self.checks_report
        if report is not None and not report.passed:
            return "checks"
        if self.disputed is not None:
            return "disputed"
        return "uncorroborated" if self.uncorroborated else None

    def found_late(self, attempt: Attempt) -> bool:
        """Whether ``attempt`` came out of failed answers: a repair, a fresh answer after
        a failed repair, or a polish of code found so.

        Why: code repaired until it passes one sample can fit the sample and miss the
        words (DS benchmark, 1.5B model: 2 of the 4 greens found this way were wrong,
        against 2 of the 7 first answers), so such a green needs a witness.
        """
        if attempt.kind in ("repair", "fresh", "second"):
            return True
        return attempt.kind == "polish" and any(
            not earlier.green
            for earlier in self.attempts
            if earlier.number < attempt.number and earlier.kind != "second"
        )

    @property
    def uncorroborated(self) -> bool:
        """Passes, came out of failures (:meth:`found_late`), and no second answer that
        passes everything agreed with it on probes (only when second opinions are on)."""
        shown = self.shown
        if not (self.corroborate and self.passed and shown is not None):
            return False
        if not self.found_late(shown):
            return False
        opinion = self.second_opinion
        return not (opinion is not None and self.is_shown(opinion.shown) and opinion.corroborates)

    def is_shown(self, number: int) -> bool:
        """Whether attempt ``number`` is the code under review: itself, or its code run
        again on more samples (an accepted check); never a person's edit of it."""
        shown = self.shown
        if shown is None:
            return False
        return shown.number == number or (shown.kind != "edit" and shown.edited_from == number)

    def why_unconfirmed(self) -> str:
        """What kept a late candidate from corroboration, in the person's words."""
        shown = self.shown
        if shown is None:
            return ""
        failed = [
            a.number
            for a in self.attempts
            if a.number < shown.number and a.kind not in ("second", "edit") and not a.green
        ]
        came = (
            f"attempt {shown.number} came after {_numbers('attempt', failed)} failed"
            if failed
            else f"attempt {shown.number} repairs code that failed before"
        )
        seconds = [a for a in self.attempts if a.kind == "second" and a is not shown]
        if not seconds and self.unasked:
            return f"{came}, and no second answer came ({clip(self.unasked)})"
        if not seconds:
            return f"{came}, and no attempt was left to ask for a second answer"
        repeated = all(a.report is None and a.code for a in seconds)
        how = "repeated earlier code" if repeated else "did not pass"
        return f"{came}, and the second answer ({_numbers('attempt', [a.number for a in seconds])}) {how}"

    @property
    def disputed(self) -> SecondOpinion | None:
        """The second opinion, when it answered differently from the candidate shown (an
        edit or another version is not disputed by it)."""
        shown, found = self.shown, self.second_opinion
        if found is None or shown is None or not self.is_shown(found.shown):
            return None
        return found if found.comparison.differences else None

    @property
    def verdict(self) -> Verdict:
        """ "passed" (samples and every check from the words), "doubtful" or "failed"."""
        if not self.passed:
            return "failed"
        return "doubtful" if self.doubtful else "passed"

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
        """How many other passing candidates behave the same on the checks and the probes
        (CodeT / MBR-exec consensus: independent candidates that agree are more likely
        right); see :meth:`Attempt.agrees_with`."""
        return sum(
            1 for other in self.attempts if other is not attempt and attempt.agrees_with(other)
        )

    def tied_for_best(self) -> list[Attempt]:
        """The passing candidates of the best :meth:`~Attempt.merit` when there are two or
        more: agreement will decide between them."""
        passing = [a for a in self.attempts if a.passed]
        if len(passing) < 2:
            return []
        top = max(a.merit() for a in passing)
        tied = [a for a in passing if a.merit() == top]
        return tied if len(tied) > 1 else []

    def choose_best(self) -> Attempt | None:
        if not self.attempts:
            return None
        best = max(
            range(len(self.attempts)),
            key=lambda i: self.attempts[i].rank(self.agreement(self.attempts[i])),
        )
        self.chosen, self.chosen_among = best, len(self.attempts)
        return self.attempts[best]

    def why_not_later(self) -> str | None:
        """Why the shown candidate beat the answers after it, from the rank that decided
        (None when none came after it): "attempt 3 passed fewer checks from your words"."""
        shown = self.shown
        later = [a for a in self.attempts if shown is not None and a.number > shown.number]
        if shown is None or not later:
            return None
        ranks = {a.number: a.rank(self.agreement(a)) for a in [shown, *later]}
        best = max(later, key=lambda a: ranks[a.number])
        decided = next(
            i
            for i, (mine, theirs) in enumerate(
                zip(ranks[shown.number], ranks[best.number], strict=True)
            )
            if mine != theirs
        )
        who = (
            f"attempt {best.number}"
            if len(later) == 1
            else f"the best later one, attempt {best.number},"
        )
        return f"{who} {Attempt.LOST_BECAUSE[decided]}"

    def add_time(self, stage: str, seconds: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def first_failure(self) -> str | None:
        """Which sample the shown candidate failed, and how (so a failed forge says what
        to look at, not only a count)."""
        shown = self.shown
        report = shown.report if shown is not None else None
        if report is None or report.load_error or not report.failures:
            return None
        failure = report.failures[0]
        source = failure.source.strip().split("\n")[0]
        return f"`{source}` failed: {failure.error or 'failed'}"

    def evidence(self) -> str:
        """ "its samples (checks from your words: 3/3 pass)": what the shown code passed."""
        words = self.checks_line()
        return f"its samples ({words})" if words else "its samples"

    def status_line(self) -> str:
        tries = len(self.attempts)
        word = "attempt" if tries == 1 else "attempts"
        shown = self.shown
        disputed, doubt = self.disputed, self.doubt
        if doubt == "disputed" and disputed is not None:
            evidence = self.evidence()
            return (
                f"`{self.spec.name}` passes {evidence} after {tries} {word} with "
                f"{self.model}, but {_witness(disputed)} answers "
                f"differently: {disputed.first_difference()}. Decide which the words mean, "
                "add it as a sample and regenerate, or approve if this one is right"
            )
        if doubt == "uncorroborated":
            evidence = self.evidence()
            return (
                f"`{self.spec.name}` passes {evidence} after {tries} {word} with "
                f"{self.model}, but {self.why_unconfirmed()}: code repaired until it passes "
                "a sample can fit the sample and miss the words. Read the edge-case preview "
                "before approving, or add a sample for a rule the words state and regenerate"
            )
        if doubt == "checks" and shown is not None and self.word_checks is not None:
            checks = self.word_checks.checks
            report = self.checks_report
            outcomes = report.results if report else []
            broken = [c.text for c, o in zip(checks, outcomes, strict=False) if not o.passed]
            held = [c.text for c, h in zip(checks, held_against(report), strict=False) if h]
            count = len(checks) - passed_count(report)
            first = " ".join((held or broken)[0].split()) if broken else "the checks did not load"
            own = len(broken) - len(held) if report is not None and not report.load_error else 0
            mine = f" ({own} of them in the check's own code: probably wrong)" if own else ""
            return (
                f"`{self.spec.name}` passes its samples but breaks {count} of {len(checks)} "
                f"check(s) from your words{mine} after {tries} {word} with {self.model}: "
                f"`{first}`. Read the checks and the edge-case preview before approving; if a "
                "check is wrong, drop it; if it is right, accept it as a sample and regenerate"
            )
        if self.passed and shown is not None and shown.kind == "edit":
            checked = self.report.summary() if self.report else "validated"
            words = self.checks_line()
            checked += f"; {words}" if words else ""
            source = f" of attempt {shown.edited_from}" if shown.edited_from else ""
            return f"`{self.spec.name}` passed ({checked}) as you edited it (your edit{source})"
        if self.passed and shown is not None:
            checked = self.report.summary() if self.report else "validated"
            words = self.checks_line()
            checked += f"; {words}" if words else ""
            line = f"`{self.spec.name}` passed ({checked}) after {tries} {word} with {self.model}"
            opinion, last = self.second_opinion, self.attempts[-1]
            if opinion is not None and self.is_shown(opinion.shown) and opinion.agrees:
                line += f"; attempt {opinion.other} agrees on {opinion.comparison.probes} probes"
                if not opinion.other_green:
                    line += " (it passes your samples, not every check from your words)"
            elif last.kind == "second" and opinion is None and last is not shown:
                how = "repeated it" if last.report is None and last.code else "did not pass"
                line += f"; a second answer (attempt {last.number}) {how}: no comparison"
            elif shown.number != tries and (opinion is None or opinion.other != tries):
                line += f" (attempt {shown.number} is shown: {self.why_not_later()})"
            if shown.hinted:
                line += f"; type hints from the sample runs: {', '.join(shown.hinted)}"
            return line + (f"; still missing: {'; '.join(shown.notes)}" if shown.notes else "")
        reason = self.error or (shown.summary() if shown else "no answer")
        failed = self.first_failure()
        if failed and not self.error:
            reason += f"; {failed}"
        return f"`{self.spec.name}` did not pass after {tries} {word} with {self.model}: {reason}"


# -- the person's verdict on one check: accept it as a sample, or drop it ------------------


def _checks_for(result: ForgeResult, index: int, verb: str) -> list[Check]:
    """The result's checks, once ``index`` (0-based) is known to name one (else a
    one-line :class:`SpecError`: a front end may send anything)."""
    checks = result.word_checks.checks if result.word_checks is not None else []
    if not checks:
        raise SpecError(f"`{result.spec.name}` has no checks from your words to {verb}")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(checks):
        raise SpecError(
            f"no check {index!r} to {verb}: `{result.spec.name}` has {len(checks)} check(s) "
            f"from your words, numbered 0 to {len(checks) - 1}"
        )
    return checks


def drop_check(result: ForgeResult, index: int) -> Check:
    """Remove check ``index`` from ``result`` and from every attempt's run of the checks.

    Pure bookkeeping (nothing runs): the remaining results keep lining up with the
    remaining checks, so summaries, ranks and the display stay right.
    """
    check = _checks_for(result, index, "drop").pop(index)
    seen: set[int] = set()
    for attempt in result.attempts:
        report = attempt.checks_report
        if report is None or id(report) in seen:
            continue
        seen.add(id(report))
        if index < len(report.results):
            del report.results[index]
        report.passed = report.load_error is None and all(r.passed for r in report.results)
    return check


def accepted_spec(result: ForgeResult, index: int) -> ForgeSpec:
    """The spec once check ``index`` is one of the person's samples (nothing changes yet).

    The check's runnable sample joins the samples with origin ``"words"``, so a
    saved tool tells which samples the person wrote and which they accepted.
    """
    check = _checks_for(result, index, "accept")[index]
    sample = replace(check.sample, origin="words")
    if check.sample.origin == INPUT_UNCHANGED:  # before the samples that may change the table
        return replace(result.spec, samples=merge_samples([sample], result.spec.samples))
    return replace(result.spec, samples=merge_samples(result.spec.samples, [sample]))


def accept_check(result: ForgeResult, index: int) -> ForgeSpec:
    """Make check ``index`` one of the person's own samples: it leaves the checks
    and joins ``result.spec.samples``, so it is validated and saved with the tool
    like any sample. Nothing runs here: the caller validates the code against the
    new samples (``Forge.accept_check`` does). Returns the new spec."""
    spec = accepted_spec(result, index)
    drop_check(result, index)
    result.spec = spec
    return spec


def _witness(opinion: SecondOpinion) -> str:
    """Who disagrees, by the evidence it passed."""
    if opinion.other_green:
        return "another candidate that passes them too"
    return "another candidate that passes your samples (not every check from your words)"
