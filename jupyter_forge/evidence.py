"""What the sandbox shows about a candidate beyond its samples: checks, probes, agreement.

Why a module of its own: the forge loop, the widget's preview, an edit's re-check and
the benchmarks all need the same runs (checks from the words with the variables they
name, edge-case probes with one rerun after a hang, outcomes comparable across
candidates). Each function takes ``validate``, the service's one way into the sandbox
(:meth:`jupyter_forge.forge.Forge.validate_code`), so nothing here starts a process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from .core.compose import Composition
from .core.defs import function_def
from .core.disagreement import Compare, Comparison, compared
from .core.errors import SandboxError, SpecError
from .core.probe_shapes import variable_kind
from .core.probes import Probe, ProbeResult, derive_probes
from .core.result import ForgeResult
from .core.spec import ForgeSpec, Sample
from .core.validation import ValidationReport
from .core.variables import pickle_inputs, sample_free_names

__all__ = [
    "Validate",
    "behaviour",
    "compare",
    "free_inputs",
    "preview",
    "run_checks",
    "run_probes",
    "sample_inputs",
]


class Validate(Protocol):
    """The service's sandbox run (``Forge.validate_code``)."""

    def __call__(
        self,
        code: str,
        name: str,
        samples: Sequence[Sample],
        *,
        inputs: Mapping[str, bytes] | None = None,
        composition: Composition | None = None,
        observe: bool = False,
    ) -> ValidationReport: ...


def one_line(text: str, limit: int = 300) -> str:
    line = next((part.strip() for part in text.split("\n") if part.strip()), "")
    return line if len(line) <= limit else line[:limit] + "..."


def sample_inputs(spec: ForgeSpec, namespace: Mapping[str, Any]) -> dict[str, bytes]:
    """The kernel variables the samples read, pickled to travel into the sandbox.

    Raises :class:`SpecError` for one that cannot travel: the person's samples need it.
    """
    names = sample_free_names(s.source for s in spec.samples)
    return pickle_inputs(names, namespace, exclude=[spec.name])


def free_inputs(
    sources: Sequence[str], namespace: Mapping[str, Any], name: str
) -> dict[str, bytes]:
    """The variables ``sources`` read that can travel; one that cannot only makes the
    check or probe naming it fail in the sandbox (they are the model's, not the person's)."""
    inputs: dict[str, bytes] = {}
    for free in sample_free_names(sources):
        try:
            inputs.update(pickle_inputs([free], namespace, exclude=[name]))
        except SpecError:
            continue
    return inputs


def _variable_kinds(spec: ForgeSpec, namespace: Mapping[str, Any]) -> dict[str, str]:
    """What the kernel variables the samples use hold (probes vary them by kind)."""
    used = sample_free_names(s.source for s in spec.samples)
    return {n: variable_kind(namespace[n]) for n in used if n in namespace and n != spec.name}


def _parameters(code: str, name: str) -> tuple[str, ...]:
    """The parameter list of ``def name`` in ``code`` (() when there is none)."""
    node = function_def(code, name)
    if node is None:
        return ()
    args = node.args
    star = [f"*{args.vararg.arg}"] if args.vararg else (["*"] if args.kwonlyargs else [])
    return (
        *(a.arg for a in args.posonlyargs),
        *(["/"] if args.posonlyargs else []),
        *(a.arg for a in args.args),
        *star,
        *(a.arg for a in args.kwonlyargs),
        *([f"**{args.kwarg.arg}"] if args.kwarg else []),
    )


def _outcome(run: ProbeResult) -> str:
    """One probe's outcome, comparable across candidates: the repr, "raises ValueError",
    or why it did not finish ("timed out ...")."""
    if run.error is None:
        return run.got or "None"
    head = run.error.split(":", 1)[0].strip()
    return f"raises {head}" if head.replace(".", "").isidentifier() else head


def run_checks(
    validate: Validate,
    code: str,
    name: str,
    checks: Sequence[Sample],
    namespace: Mapping[str, Any],
    composition: Composition | None = None,
) -> ValidationReport:
    """Checks from the words, in the sandbox like samples (with the variables they name).

    A check that hangs or crashes the sandbox fails alone: the checks after it,
    which never ran, get one more run (as probes do in :func:`run_probes`).
    """
    inputs = free_inputs([c.source for c in checks], namespace, name)
    report = validate(code, name, checks, inputs=inputs, composition=composition)
    rest = [i for i, r in enumerate(report.results) if (r.error or "").startswith("not run")]
    if rest and report.load_error is None:
        todo = [checks[i] for i in rest]
        again = validate(code, name, todo, inputs=inputs, composition=composition)
        if again.load_error is None:
            for i, result in zip(rest, again.results, strict=True):
                report.results[i] = result
            report.passed = all(r.passed for r in report.results)
    return report


def run_probes(
    validate: Validate,
    code: str,
    name: str,
    probes: Sequence[Probe],
    inputs: Mapping[str, bytes],
    composition: Composition | None = None,
) -> list[ProbeResult]:
    """Run ``probes`` on ``code`` in the sandbox: one result each, a one-line ``error``
    when it raised, hung or could not run. Raises :class:`SandboxError` only when the
    sandbox cannot run at all."""
    out = [ProbeResult(call=p.call, why=p.why) for p in probes]
    pending = list(range(len(probes)))
    for _round in range(2):  # a hang kills the sandbox: the probes after it get one rerun
        if not pending:
            break
        samples = [Sample(probes[i].call, "example", None, "probe") for i in pending]
        report = validate(code, name, samples, inputs=inputs, composition=composition)
        if report.load_error is not None:
            for i in pending:
                out[i].error = one_line(f"could not load: {report.load_error}")
            return out
        rest = []
        for i, run in zip(pending, report.results, strict=True):
            if run.error is not None and run.error.startswith("not run"):
                rest.append(i)
            elif run.error is not None:
                out[i].error = one_line(run.error)
            else:
                out[i].got = run.got or "None"  # None is not echoed, like at a prompt
        pending = rest
    for i in pending:
        out[i].error = "not run: earlier probes hung or crashed the sandbox"
    return out


def preview(
    validate: Validate,
    result: ForgeResult,
    namespace: Mapping[str, Any] | None = None,
    composition: Composition | None = None,
) -> list[ProbeResult]:
    """What ``result.code`` does on edge cases nobody wrote a sample for (in the sandbox).

    Probes come from :func:`~jupyter_forge.core.probes.derive_probes`. A probe that
    raises, hangs or cannot run says so in one line in ``error``; [] when there is
    no code or the sandbox cannot run at all.
    """
    if result.code is None:
        return []
    code, name, namespace = result.code, result.spec.name, namespace or {}
    kinds = _variable_kinds(result.spec, namespace)
    probes = derive_probes(
        code, name, result.spec.samples, variables=kinds, words=result.spec.request
    )
    inputs = free_inputs([p.call for p in probes], namespace, name)
    try:
        return run_probes(validate, code, name, probes, inputs, composition)
    except SandboxError:
        return []


# More probes than the preview shows: telling candidates apart (ties, a second opinion)
# looks wider than a person reads.
COMPARE_PROBES = 12


def _wide_probes(code: str, spec: ForgeSpec, kinds: Mapping[str, str]) -> list[Probe]:
    """The probes that tell two candidates apart (ties and second opinions alike)."""
    return derive_probes(
        code, spec.name, spec.samples, limit=COMPARE_PROBES, variables=kinds, words=spec.request
    )


def behaviour(
    validate: Validate,
    spec: ForgeSpec,
    namespace: Mapping[str, Any] | None = None,
    composition: Composition | None = None,
) -> Callable[[str], tuple[str, ...]]:
    """Code -> what it does on edge-case probes, one outcome per probe (the repr it
    returned, or "raises ValueError"): candidates that agree there are more likely
    right (MBR-exec). Probes are derived once, from the first candidate's signature
    and the samples, so candidates are compared on the same calls (derived again only
    for a candidate with another parameter list). () when there are no probes or no
    sandbox."""
    namespace = namespace or {}
    kinds = _variable_kinds(spec, namespace)
    derived: dict[tuple[str, ...], tuple[list[Probe], dict[str, bytes]]] = {}

    def behave(code: str) -> tuple[str, ...]:
        params = _parameters(code, spec.name)
        if params not in derived:
            probes = _wide_probes(code, spec, kinds)
            derived[params] = probes, free_inputs([p.call for p in probes], namespace, spec.name)
        probes, inputs = derived[params]
        if not probes:
            return ()
        try:
            runs = run_probes(validate, code, spec.name, probes, inputs, composition)
        except SandboxError:
            return ()
        return tuple(_outcome(run) for run in runs)

    return behave


def compare(
    validate: Validate,
    spec: ForgeSpec,
    namespace: Mapping[str, Any] | None = None,
    composition: Composition | None = None,
) -> Compare:
    """(shown code, other code) -> how they compare on probes, and where they differ.

    Probes are derived from the shown code's signature and the samples (edge cases
    and inputs like the sample's), run on both in the sandbox; none compared when
    there are no probes or no sandbox (no evidence is no doubt).
    """
    namespace = namespace or {}
    kinds = _variable_kinds(spec, namespace)

    def differ(shown: str, other: str) -> Comparison:
        probes = _wide_probes(shown, spec, kinds)
        if not probes:
            return Comparison(0)
        inputs = free_inputs([p.call for p in probes], namespace, spec.name)
        try:
            mine = run_probes(validate, shown, spec.name, probes, inputs, composition)
            theirs = run_probes(validate, other, spec.name, probes, inputs, composition)
        except SandboxError:
            return Comparison(0)
        return compared(
            [p.call for p in probes], [_outcome(r) for r in mine], [_outcome(r) for r in theirs]
        )

    return differ
