"""The Python API: ``Forge`` wires the core loop to a model (litellm) and the sandbox.

It is also the traitlets configurable behind ``c.Forge.model = ...`` in
``jupyter_forge_config.py`` (read by the kernel extension, the ``jupyter-forge``
command, its MCP server and the server extension alike; see :mod:`.config`),
``ipython_config.py`` and ``%config``, so every front end shares one set of settings.
A ``JUPYTER_FORGE_*`` variable only gives its trait a default (:mod:`.core.environment`).

Its settings (each trait with its help text) are :class:`.settings.ForgeSettings`.
Why this module is still over 400 lines: it is the one service every front end calls
(32 methods), each a few lines over the modules that do the work: :mod:`.core.repair`
(the loop), :mod:`.model_calls`, :mod:`.evidence` (checks, probes), :mod:`.review` (a
person's edits and accepted checks), :mod:`.core.library` (storage). Splitting it would
split the one entry point the front ends share.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import evidence, model_calls, review
from .core.compose import Composition, composition
from .core.errors import SpecError
from .core.libraries import LibrarySet
from .core.library import Library, ToolRecord
from .core.probes import Probe, ProbeResult
from .core.prompt import Message, build_messages, with_context
from .core.provenance import edited_by_a_person
from .core.repair import Progress, forge_loop
from .core.result import ForgeResult
from .core.retry import Retry, retry_from
from .core.reuse import bound_to_request, signature_conflict
from .core.schema import function_schema, signature_text
from .core.search import Hit
from .core.spec import ForgeSpec, Sample, check_tool_name
from .core.templates import apply_checks, get_template, guidance
from .core.validation import ValidationReport
from .core.variables import VariableInfo, describe_variables, sample_free_names
from .core.word_checks import WordChecks
from .evidence import sample_inputs
from .llm.models import ResolvedModel
from .settings import ForgeSettings

if TYPE_CHECKING:
    from .sandbox import Limits


def first_line(text: str) -> str:
    for line in text.strip().split("\n"):
        if line.strip():
            return line.strip()
    return ""


def fix_imports(code: str) -> tuple[str, list[str]]:
    """Add the imports a candidate uses but forgot (``re``, ``pd``...), at no model cost."""
    from .core.imports import add_missing_imports

    fixed = add_missing_imports(code)
    return fixed.code, list(fixed.added)


@dataclass(frozen=True)
class ReuseMatch:
    """What search found for a request (``hit``, its ``record``) and why it must not be
    offered instead of forging (``refusal``; None: offer it)."""

    hit: Hit
    record: ToolRecord
    refusal: str | None


@dataclass(frozen=True)
class _Job:
    """One forge's inputs, prepared once (see :meth:`Forge._prepare`)."""

    spec: ForgeSpec
    namespace: Mapping[str, Any]
    composed: Composition | None
    context: str  # prompt context: composed tools' signatures, a template's guidance
    inputs: dict[str, bytes]  # the kernel variables the samples read, pickled
    variables: list[VariableInfo]  # what the request's variables hold, for the prompt

    def validator(self, forge: Forge, *, observe: bool) -> Callable[[str], ValidationReport]:
        """Code -> its samples' report in the sandbox (``observe``: with call types)."""

        def validate(code: str) -> ValidationReport:
            return forge.validate_code(
                code,
                self.spec.name,
                self.spec.samples,
                inputs=self.inputs,
                composition=self.composed,
                observe=observe,
            )

        return validate


# Regenerate asks for a *different* answer: sampled at least this warm (greedy would
# return the code the person just saw).
REGENERATE_TEMPERATURE = 0.7
MIN_LOAD_SECONDS = 10.0


class Forge(ForgeSettings):
    """Make, check and store tools. Settings are traitlets, so Jupyter config applies
    (a misspelt setting is a warning on the host's log: the kernel's, the command's);
    they live in :class:`.settings.ForgeSettings`, ``c.Forge.*`` as before."""

    # -- building blocks ---------------------------------------------------------------

    def resolve(
        self, model: str | None = None, *, progress: Callable[[str], None] | None = None
    ) -> ResolvedModel:
        from .llm.models import resolve_model

        return resolve_model(
            model or self.model,
            aliases=self.aliases,
            api_base=self.api_base,
            progress=progress,
            keep_alive=self.model_keep_alive,
        )

    def open_library(self, path: str | os.PathLike[str] | None = None) -> Library:
        return Library(Path(path or self.library), label="project")

    def open_libraries(self, project: str | os.PathLike[str] | None = None) -> LibrarySet:
        """Every library in reach, in search order (project, user, shared)."""
        return LibrarySet.default(
            project or self.library, user=self.user_library, shared=self.shared_libraries
        )

    def validate_code(
        self,
        code: str,
        name: str,
        samples: Sequence[Sample],
        *,
        inputs: Mapping[str, bytes] | None = None,
        composition: Composition | None = None,
        observe: bool = False,
    ) -> ValidationReport:
        """Run ``samples`` against ``code`` in the sandbox (never in this process).

        Code that builds a set runs under the other hash seeds too (:mod:`.core.hash_order`):
        a sample it passes only by the luck of a set's order fails.
        A composed candidate runs with its dependencies defined next to it
        (:func:`~jupyter_forge.core.compose.sandbox_code`); the code that is shown,
        approved and stored stays the candidate's own.
        """
        from .sandbox import validate, validate_every_seed

        if composition is not None:
            code = composition.sandbox_code(code)
        if observe:  # a recording run decides nothing: once, under the fixed seed
            return validate(code, name, samples, inputs=inputs, limits=self.limits(), observe=True)
        return validate_every_seed(code, name, samples, inputs=inputs, limits=self.limits())

    def limits(self, timeout: float | None = None) -> Limits:
        """The sandbox limits every front end validates and calls tools with.

        ``timeout``: seconds per sample or call (default ``sample_timeout``). Loading
        gets at least 10 s: importing pandas in a cold worker can take longer than a
        short per-sample budget, and a slow import is not the candidate's fault.
        """
        from .sandbox import Limits

        per_sample = self.sample_timeout if timeout is None else timeout
        return Limits(
            timeout=per_sample,
            load_timeout=max(per_sample, MIN_LOAD_SECONDS),
            memory_mb=self.memory_mb,
            require=frozenset(self.sandbox_require),
        )

    def existing_tool(
        self,
        spec: ForgeSpec,
        *,
        library: str | os.PathLike[str] | None = None,
        namespace: Mapping[str, Any] | None = None,
        compose: Sequence[str] = (),
    ) -> ToolRecord | None:
        """A library tool that already does what ``spec`` asks (None: forge a new one).

        Retrieval before creation, the same for every front end (see :meth:`reuse_match`).
        """
        match = self.reuse_match(spec, self.open_libraries(library), namespace, compose)
        return match.record if match is not None and match.refusal is None else None

    def reuse_match(
        self,
        spec: ForgeSpec,
        libs: LibrarySet,
        namespace: Mapping[str, Any] | None = None,
        compose: Sequence[str] = (),
    ) -> ReuseMatch | None:
        """The tool search finds for ``spec`` in ``libs``, and why it must not be offered.

        A tool whose name is forged again is versioned instead, a tool the new one
        composes is no reason to stop, and an offer must fit the request's signature
        and pass its samples in the sandbox (a look-alike is never offered). None:
        search found nothing to consider. Benchmarks score the same decision.
        """
        from .core.compose import checkable_code
        from .core.errors import ForgeError, LibraryError

        try:
            if any(lib.exists(spec.name) for lib in libs.libraries):
                return None  # forging an existing name makes its next version
            hit = libs.index().best_match(spec.request)
        except ForgeError:
            return None
        if hit is None or hit.name in compose:
            return None
        record = libs.find(hit.name)
        try:
            code = checkable_code(record, libs.find)  # a composed tool runs with what it calls
        except LibraryError as exc:  # it calls a tool no library has: it could not run here
            return ReuseMatch(hit, record, f"it cannot run here: {exc}")
        refusal = self.reuse_refusal(spec, hit.name, code, record.signature, namespace)
        return ReuseMatch(hit, record, refusal)

    def reuse_refusal(
        self,
        spec: ForgeSpec,
        tool_name: str,
        code: str,
        signature: str,
        namespace: Mapping[str, Any] | None = None,
    ) -> str | None:
        """Why a tool search found must not be offered for ``spec`` (None: offer it).

        Its code runs only in the sandbox, like any candidate's (see core/reuse.py).
        """
        conflict = signature_conflict(spec, signature)
        if conflict is not None or not spec.samples:
            return conflict
        report = self.validate_code(
            bound_to_request(code, tool_name, spec.name),
            spec.name,
            spec.samples,
            inputs=sample_inputs(spec, namespace or {}),
        )
        return None if report.passed else f"it fails the samples: {report.summary()}"

    def caller(
        self, resolved: ResolvedModel, *, progress: Callable[[str], None] | None = None
    ) -> model_calls.Complete:
        """``complete`` on ``resolved``, restarting a vanished local server once."""
        return model_calls.caller(resolved, lambda name: self.resolve(name, progress=progress))

    def call_settings(self, temperature: float | None = None) -> model_calls.CallSettings:
        return model_calls.CallSettings(
            temperature=self.temperature if temperature is None else temperature,
            repair_temperature=self.repair_temperature,
            max_tokens=self.max_tokens,
            llm_timeout=self.llm_timeout,
        )

    def generator(
        self,
        resolved: ResolvedModel,
        *,
        temperature: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> model_calls.Generate:
        """Code generation on ``resolved`` with this forge's temperatures and budgets."""
        complete = self.caller(resolved, progress=progress)
        return model_calls.generator(complete, self.call_settings(temperature))

    def prompt_variables(self, spec: ForgeSpec, namespace: Mapping[str, Any]) -> list[VariableInfo]:
        """The variables the request names (types, shapes, dtypes), then the tables only
        the samples read, outlined: a sample ``f(sales)`` says nothing of what
        ``sales`` is, and a model not told guesses (a string for a DataFrame); dtypes and
        shape there made the embedded model's tools worse (docs/benchmarks.md). Never data."""
        named = describe_variables([spec.request], namespace, exclude=[spec.name])
        read = sample_free_names(s.source for s in spec.samples)
        skip = [spec.name, *(v.name for v in named)]
        return named + describe_variables(read, namespace, exclude=skip, outline=True)

    def first_messages(
        self, spec: ForgeSpec, namespace: Mapping[str, Any] | None = None
    ) -> list[Message]:
        """The first request ``create`` sends for ``spec`` (no tools composed, no template):
        what a single-shot baseline must send to compare like with like."""
        return build_messages(spec, self.prompt_variables(spec, namespace or {}))

    def checks_maker(
        self,
        spec: ForgeSpec,
        resolved: ResolvedModel,
        on_token: Callable[[str], None],
        progress: Callable[[str], None] | None = None,
        variables: Sequence[VariableInfo] = (),
    ) -> Callable[[], WordChecks]:
        """The separate call for checks from the words: it sees the request, the samples
        and the outline of the variables they use, never a candidate."""
        complete = self.caller(resolved, progress=progress)
        return model_calls.checks_maker(spec, complete, self.call_settings(), on_token, variables)

    def run_checks(
        self,
        code: str,
        name: str,
        checks: Sequence[Sample],
        namespace: Mapping[str, Any],
        composition: Composition | None = None,
    ) -> ValidationReport:
        """Checks from the words, in the sandbox like samples (see :func:`.evidence.run_checks`)."""
        return evidence.run_checks(self.validate_code, code, name, checks, namespace, composition)

    def preview(
        self,
        result: ForgeResult,
        namespace: Mapping[str, Any] | None = None,
        *,
        composition: Composition | None = None,
    ) -> list[ProbeResult]:
        """What ``result.code`` does on edge-case probes (see :func:`.evidence.preview`)."""
        return evidence.preview(self.validate_code, result, namespace, composition)

    def run_probes(
        self,
        code: str,
        name: str,
        probes: Sequence[Probe],
        inputs: Mapping[str, bytes],
        composition: Composition | None = None,
    ) -> list[ProbeResult]:
        """Run ``probes`` on ``code`` in the sandbox (see :func:`.evidence.run_probes`)."""
        return evidence.run_probes(self.validate_code, code, name, probes, inputs, composition)

    def behaviour(
        self,
        spec: ForgeSpec,
        namespace: Mapping[str, Any] | None = None,
        composition: Composition | None = None,
    ) -> Callable[[str], tuple[str, ...]]:
        """Code -> its outcomes on edge-case probes, for MBR-exec agreement
        (see :func:`.evidence.behaviour`)."""
        return evidence.behaviour(self.validate_code, spec, namespace, composition)

    # -- the whole job -----------------------------------------------------------------

    def create(
        self,
        spec: ForgeSpec,
        *,
        model: str | None = None,
        attempts: int | None = None,
        namespace: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
        temperature: float | None = None,
        compose: Sequence[ToolRecord] = (),
        template: str | None = None,
        retry: Retry | None = None,
    ) -> ForgeResult:
        """Generate, validate and repair a tool. Nothing is executed in this process.

        ``compose``: library tools the new one may call (their signatures and
        docstrings go in the prompt; validation runs with them defined).
        ``template``: a template name (see :mod:`.core.templates`) whose guidance
        goes in the prompt and whose checks become extra samples.
        """
        check_tool_name(spec.name, allow_builtin=True)
        budget = attempts if attempts is not None else self.attempts
        if budget < 1:
            raise SpecError(f"--attempts must be at least 1 (got {budget})")
        started = time.perf_counter()
        job = self._prepare(spec, namespace or {}, compose, template)
        prepared = time.perf_counter() - started

        def say(message: str) -> None:
            if progress is not None:
                progress.stage("model", message)

        tick = time.perf_counter()
        resolved = self.resolve(model, progress=say)
        model_seconds = time.perf_counter() - tick
        try:
            result = self._loop(job, resolved, budget, progress, temperature, retry, say)
            if result.code is not None:
                tick = time.perf_counter()
                result.preview = self.preview(result, job.namespace, composition=job.composed)
                result.add_time("preview", time.perf_counter() - tick)
            result.model_id = resolved.litellm_model
            result.add_time("prompt", prepared)
            result.add_time("model_start", model_seconds)
            result.timings["total"] = time.perf_counter() - started
            return result
        finally:
            if self.model_keep_alive == 0:  # "stop after each forge": the server leaves once idle
                from .llm.models import release_local

                release_local(resolved)

    def _loop(
        self,
        job: _Job,
        resolved: ResolvedModel,
        budget: int,
        progress: Progress | None,
        temperature: float | None,
        retry: Retry | None,
        say: Callable[[str], None],
    ) -> ForgeResult:
        """The forge loop with this service's model calls and sandbox runs plugged in."""
        generate = self.generator(resolved, temperature=temperature, progress=say)
        on_token = progress.token if progress else lambda _t: None
        return forge_loop(
            job.spec,
            model_name=resolved.name,
            generate=lambda messages, attempt, on_token: generate(
                with_context(messages, job.context), attempt, on_token
            ),
            validate=job.validator(self, observe=False),
            attempts=budget,
            variables=job.variables,
            progress=progress,
            observe=job.validator(self, observe=True),
            make_checks=(
                self.checks_maker(job.spec, resolved, on_token, say, job.variables)
                if self.word_checks
                else None
            ),
            run_checks=lambda code, checks: self.run_checks(
                code, job.spec.name, checks, job.namespace, job.composed
            ),
            fix_imports=fix_imports,
            behave=self.behaviour(job.spec, job.namespace, job.composed),
            retry=retry,
            compare=(
                evidence.compare(self.validate_code, job.spec, job.namespace, job.composed)
                if self.second_opinion
                else None
            ),
            checks_in_prompt=self.word_checks_in_prompt,
            repairs=self.repairs,
        )

    def _prepare(
        self,
        spec: ForgeSpec,
        namespace: Mapping[str, Any],
        compose: Sequence[ToolRecord],
        template: str | None,
    ) -> _Job:
        """What one forge works with: the spec with a template's checks, what it may
        call, the prompt's extra context, and the kernel variables it needs."""
        composed = self.composition(spec.name, compose)
        context = [composed.prompt()] if composed else []
        if template:
            chosen = get_template(template, self.template_libraries())
            spec = apply_checks(spec, chosen, namespace.keys())
            context.append(guidance(chosen))
        return _Job(
            spec=spec,
            namespace=namespace,
            composed=composed,
            context="\n\n".join(c for c in context if c),
            inputs=sample_inputs(spec, namespace),
            variables=self.prompt_variables(spec, namespace),
        )

    def regenerate(
        self,
        previous: ForgeResult,
        *,
        model: str | None = None,
        attempts: int | None = None,
        namespace: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
        compose: Sequence[ToolRecord] = (),
        template: str | None = None,
    ) -> ForgeResult:
        """Forge ``previous`` again for a different answer (the widget's Regenerate).

        The model sees the code shown last and what was wrong with it, answers are
        sampled, code already shown is never offered as new, and the checks from the
        words are reused (see :class:`~.core.retry.Retry`).
        """
        return self.create(
            previous.spec,
            model=model,
            attempts=attempts,
            namespace=namespace,
            progress=progress,
            temperature=max(self.repair_temperature, REGENERATE_TEMPERATURE),
            compose=compose,
            template=template,
            retry=retry_from(previous),
        )

    def composition(self, name: str, compose: Sequence[ToolRecord]) -> Composition | None:
        """What a tool named ``name`` may call, resolved through the libraries (None: nothing)."""
        if not compose:
            return None
        return composition(name, compose, self.open_libraries().find)

    def template_libraries(self) -> list[Path]:
        """Folders whose ``templates/`` hold user templates, first wins."""
        return [lib.root for lib in self.open_libraries().libraries]

    def revalidate(
        self,
        result: ForgeResult,
        code: str,
        *,
        namespace: Mapping[str, Any] | None = None,
        compose: Sequence[ToolRecord] = (),
    ) -> ForgeResult:
        """Check hand-edited code the same way (the widget's Edit → Save, a
        ``%%forge --edit`` cell). A passing version it replaces is kept for :meth:`revert`."""
        composed = self.composition(result.spec.name, compose)
        return review.revalidate(self.validate_code, result, code, namespace, composed)

    def revert(self, result: ForgeResult) -> ForgeResult:
        """Show the last passing version again after an edit that failed (the widget's
        Revert): nothing runs, the kept version comes back as it was validated."""
        from .core.revert import revert

        revert(result)
        return result

    def save(
        self,
        result: ForgeResult,
        *,
        library: str | os.PathLike[str] | None = None,
        approved_how: str = "widget",
        kernel_names: Sequence[str] = (),
        depends: Sequence[str] = (),
    ) -> ToolRecord:
        """Store an approved result as a signed tool notebook (``depends``: tools it calls)."""
        if result.code is None:
            raise SpecError(f"`{result.spec.name}` has no code to save")
        tick = time.perf_counter()
        code = result.code
        name = result.spec.name
        schema = result.schema or function_schema(code, name)
        record = self.open_library(library).save(
            edited=edited_by_a_person(result),
            name=name,
            code=code,
            description=schema["function"]["description"] or first_line(result.spec.request),
            signature=signature_text(code, name),
            request=result.spec.request,
            model=result.model,
            model_id=result.model_id,
            samples=result.spec.samples,
            schema=schema,
            validation=result.report.to_json() if result.report else None,
            requirements=result.requirements,
            findings=result.findings,
            approved_how=approved_how,
            kernel_names=kernel_names,
            depends=depends,
        )
        result.add_time("save", time.perf_counter() - tick)
        return record

    # -- the person's verdict on a check from the words ---------------------------------

    def accept_check(
        self,
        result: ForgeResult,
        index: int,
        *,
        namespace: Mapping[str, Any] | None = None,
        compose: Sequence[ToolRecord] = (),
    ) -> ForgeResult:
        """Make check ``index`` from the words one of the person's samples ("Accept as sample").

        It moves into ``result.spec.samples`` (origin ``"words"``, so it is saved with
        the tool and known to come from there), and the shown code is validated again
        against all the samples in the sandbox, as :meth:`revalidate` does; the saved
        validation covers it. Code that fails it no longer passes (it is the person's
        sample now, so Approve is off). If anything fails on the way, ``result`` is left
        as it was.
        """
        composed = self.composition(result.spec.name, compose)
        return review.accept(self.validate_code, result, index, namespace, composed)

    def drop_check(self, result: ForgeResult, index: int) -> ForgeResult:
        """Forget check ``index`` from the words ("Drop"): bookkeeping only, nothing runs."""
        from .core.result import drop_check

        drop_check(result, index)
        return result
