"""When approval without a person must step back.

Why one place: the kernel's ``--approve auto``, the agent's ``--approve auto`` and the
CLI's ``--yes`` approve without anyone reading the code, so they must agree on what
they may approve. Only a clean tool the evidence calls right qualifies:

- it passes its samples and every check from the request's words (a doubtful one
  breaks a rule the words state, by a check that may itself be wrong);
- its code tried nothing while it ran in the sandbox (``report.attempted``): a write,
  a connection, a process, code from strings. The sandbox blocked it, but the same
  act succeeds in the kernel, and a candidate can swallow the error and still pass;
- it does nothing merely by being defined (:mod:`.definition`): approval execs it;
- it has no risky static finding (:func:`.findings.risky_findings`): code can act
  differently in the sandbox than in the kernel, so what it *could* reach counts too.

Requests carry untrusted text (column names, a CSV header, an agent's task), so a
prompt-injected model answer must never get past here without a person.
"""

from __future__ import annotations

from .definition import definition_effects
from .findings import risky_findings
from .result import ForgeResult

_NEEDS_A_PERSON = "which a person must read"


def _first(items: list[str], limit: int = 120) -> str:
    """The first item, clipped, plus how many more: a reason stays one line."""
    first = " ".join(items[0].split())
    first = first if len(first) <= limit else first[: limit - 1] + "…"
    return first + (f" (and {len(items) - 1} more)" if len(items) > 1 else "")


def attempted(result: ForgeResult) -> list[str]:
    """What the shown candidate tried in the sandbox: on its samples and on the checks."""
    shown = result.shown
    found: list[str] = []
    for report in (shown.report, shown.checks_report) if shown is not None else ():
        found += [a for a in (report.attempted if report else []) if a not in found]
    return found


def refusal(result: ForgeResult) -> str | None:
    """Why ``result`` may not be approved without a person (None: it may)."""
    if not result.passed:
        return "it did not pass its samples"
    tried = attempted(result)
    if tried:
        return f"in the sandbox it {_first(tried)}, {_NEEDS_A_PERSON}"
    code = result.code or ""
    effects = definition_effects(code)
    if effects:
        return f"it runs code when defined ({_first(effects)}), {_NEEDS_A_PERSON}"
    risky = risky_findings(code)
    if risky:
        return f"it can reach outside the function ({_first(risky)}), {_NEEDS_A_PERSON}"
    if result.disputed is not None:
        return (
            "another candidate that passes its samples answers differently "
            f"({result.disputed.first_difference()}), which a person must decide"
        )
    if result.doubt == "uncorroborated":
        return (
            f"{result.why_unconfirmed()}: code found after failed answers needs a person "
            "when no second answer confirms it"
        )
    if result.doubt == "checks":
        return "it passes its samples but breaks checks from your words, which a person must read"
    return None
