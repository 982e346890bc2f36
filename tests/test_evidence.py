"""Checks and probes around the sandbox run (jupyter_forge/evidence.py), with a stand-in run.

Why stand-ins: what these functions add is bookkeeping around ``validate`` (a rerun
for what a hang left unrun, one-line errors, comparable outcomes); the sandbox itself
is tested in tests/sandbox and through ``Forge`` in tests/test_forge_api.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_forge import evidence
from jupyter_forge.core.compose import Composition
from jupyter_forge.core.probes import Probe
from jupyter_forge.core.spec import ForgeSpec, Sample
from jupyter_forge.core.validation import SampleResult, ValidationReport


class HangsOnce:
    """A sandbox where the call ``f(2)`` hangs the first time, killing the calls after it."""

    def __init__(self) -> None:
        self.runs: list[list[str]] = []

    def __call__(
        self,
        code: str,
        name: str,
        samples: Sequence[Sample],
        *,
        inputs: Mapping[str, bytes] | None = None,
        composition: Composition | None = None,
        observe: bool = False,
    ) -> ValidationReport:
        self.runs.append([s.source for s in samples])
        results, dead = [], False
        for sample in samples:
            if dead:
                results.append(
                    SampleResult(sample.source, sample.kind, None, False, error="not run")
                )
            elif sample.source == "f(2)" and len(self.runs) == 1:
                results.append(
                    SampleResult(
                        sample.source, sample.kind, None, False, error="timed out after 1 s"
                    )
                )
                dead = True
            elif sample.source == "f(-1)":
                error = "ValueError: negative\nTraceback ..."
                results.append(SampleResult(sample.source, sample.kind, None, False, error=error))
            else:
                results.append(SampleResult(sample.source, sample.kind, None, True, got="1"))
        return ValidationReport(passed=all(r.passed for r in results), results=results)


def test_probes_after_a_hang_get_one_more_run() -> None:
    run = HangsOnce()
    probes = [Probe("f(1)", "a"), Probe("f(2)", "b"), Probe("f(3)", "c"), Probe("f(-1)", "d")]
    results = evidence.run_probes(run, "code", "f", probes, {})
    assert run.runs == [["f(1)", "f(2)", "f(3)", "f(-1)"], ["f(3)", "f(-1)"]]
    assert [r.got for r in results] == ["1", None, "1", None]
    assert results[1].error == "timed out after 1 s"
    assert results[3].error == "ValueError: negative"  # one line


def test_checks_after_a_hang_get_one_more_run_and_the_verdict_is_recomputed() -> None:
    run = HangsOnce()
    checks = [Sample("f(1)", "assert"), Sample("f(2)", "assert"), Sample("f(3)", "assert")]
    report = evidence.run_checks(run, "code", "f", checks, {})
    assert run.runs[1] == ["f(3)"]
    assert [r.passed for r in report.results] == [True, False, True]
    assert report.passed is False


def test_behaviour_is_comparable_across_candidates() -> None:
    """Outcomes are reprs or "raises X", so two candidates that agree compare equal."""
    spec = ForgeSpec("f", "double a number", (Sample("f(2)", "example", "4\n"),))
    seen: list[Any] = []

    def run(code: str, name: str, samples: Sequence[Sample], **_: Any) -> ValidationReport:
        seen.append(len(samples))
        results = [
            SampleResult(s.source, s.kind, None, True, got="0")
            if "0" in s.source
            else SampleResult(s.source, s.kind, None, False, error="TypeError: bad operand")
            for s in samples
        ]
        return ValidationReport(passed=False, results=results)

    behave = evidence.behaviour(run, spec)
    first = behave("def f(x: int) -> int:\n    return 2 * x\n")
    assert first and behave("def f(x: int) -> int:\n    return x + x\n") == first
    assert all(o == "0" or o == "raises TypeError" for o in first)
