"""A person's review of a forge result: their edit re-checked, Revert, a check accepted.

Why apart from the forge loop: these run after the model is done, on the person's
word, and must leave the result whole if anything fails on the way. They reach the
sandbox only through the service's one run (``validate``, :class:`.evidence.Validate`).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from . import evidence
from .core.attempt import Attempt
from .core.compose import Composition
from .core.extract import extract_function
from .core.repair import finish
from .core.result import ForgeResult, accept_check, accepted_spec
from .core.revert import keep_passing
from .evidence import Validate, sample_inputs

__all__ = ["accept", "revalidate"]


def revalidate(
    validate: Validate,
    result: ForgeResult,
    code: str,
    namespace: Mapping[str, Any] | None,
    composed: Composition | None,
) -> ForgeResult:
    """Check hand-edited code the way generated code is checked (samples, then the
    checks from the words, then the preview). A passing version it replaces is kept
    for Revert (:mod:`.core.revert`)."""
    keep_passing(result)
    spec = result.spec
    extraction = extract_function(f"```python\n{code}\n```", spec.name)
    before = result.shown
    attempt = Attempt(
        number=len(result.attempts) + 1,
        reply=code,
        code=extraction.code,
        problems=extraction.problems,
        notes=extraction.notes,
        kind="edit",
        # An edit of an edit still names the model's attempt it started from.
        edited_from=(before.edited_from or before.number) if before is not None else None,
    )
    result.attempts.append(attempt)
    if extraction.code is not None:
        inputs = sample_inputs(spec, namespace or {})
        tick = time.perf_counter()
        attempt.report = validate(
            extraction.code, spec.name, spec.samples, inputs=inputs, composition=composed
        )
        result.add_time("validate", time.perf_counter() - tick)
    checks = result.word_checks.checks if result.word_checks else []
    if attempt.passed and checks:
        # The edited version is judged like a generated one: its checks line must be true.
        attempt.checks_report = evidence.run_checks(
            validate,
            attempt.code or "",
            spec.name,
            [c.sample for c in checks],
            namespace or {},
            composed,
        )
    if extraction.code is not None:
        finish(result, extraction.code)
        result.report = attempt.report
        result.preview = evidence.preview(validate, result, namespace, composed)
    return result


def accept(
    validate: Validate,
    result: ForgeResult,
    index: int,
    namespace: Mapping[str, Any] | None,
    composed: Composition | None,
) -> ForgeResult:
    """Make check ``index`` from the words one of the person's samples, then validate
    the shown code again against all of them; ``result`` is left as it was on failure."""
    # A variable the check names that cannot travel to the sandbox: refused up front.
    sample_inputs(accepted_spec(result, index), namespace or {})
    before = copy.deepcopy(result)
    shown = result.shown
    try:
        accept_check(result, index)
        code = result.code
        if code is None:
            return result  # nothing to validate: the sample is there for the next try
        revalidate(validate, result, code, namespace, composed)
    except BaseException:
        vars(result).update(vars(before))
        raise
    # The samples changed: a version kept for Revert passed the old ones only.
    result.kept = None
    checked = result.last
    if shown is not None and checked is not None and checked is not shown:
        # The same code as before: what was fixed, hinted and checked on it still holds.
        checked.fixes, checked.hinted = list(shown.fixes), list(shown.hinted)
        checked.kind = shown.kind  # re-validated, not edited: provenance stays the model's
        if shown.checks_report is not None and checked.code == shown.code:
            checked.checks_report = replace(
                shown.checks_report, results=list(shown.checks_report.results)
            )
    return result
