"""``%%forge NAME``: a cell's request and samples become a tool a person approves.

The cell line arrives parsed (:class:`~jupyter_forge.kernel.options.CellOptions`);
everything slow (the reuse check, the model, the sandbox) happens after the
cheap checks, so a typo costs no model time.
"""

from __future__ import annotations

from IPython.display import HTML, display

from ..core import auto_approve
from ..core.errors import CANCELLED, ForgeCancelled, ForgeError, SpecError
from ..core.record import ToolRecord
from ..core.requirements import install_command, missing_requirements
from ..core.result import ForgeResult
from ..core.spec import (
    ForgeSpec,
    Sample,
    check_tool_name,
    merge_samples,
    parse_cell,
    parse_sample_strings,
)
from . import comm, render
from .approving import approval_widget, approve
from .composing import ComposingCommands
from .options import CellOptions
from .progress import CellProgress, ShownInCell
from .session import KernelSession
from .views import Note

MAX_STATE_REASON = 200  # characters of a failing edit's reason in its cell's one line


class ForgeCell:
    """The ``%%forge`` cell magic (not ``--agent``, which the agent view runs)."""

    def __init__(self, session: KernelSession, composing: ComposingCommands) -> None:
        self.session = session
        self.composing = composing

    # -- samples and names --------------------------------------------------------------

    def _front_end_samples(self, name: str) -> list[Sample]:
        """Cells tagged ``forge-sample``/``forge-sample:NAME`` that the front end attached."""
        parent = self.session.parent_message()
        cells = parent.get("metadata", {}).get("jupyter_forge", {}).get("sample_cells", [])
        if not cells:  # JupyterLab's panel sends them over the comm just before this cell
            cells = comm.take_sample_cells(name)
        sources = []
        for cell in cells if isinstance(cells, list) else []:
            tags = cell.get("tags", []) if isinstance(cell, dict) else []
            if "forge-sample" in tags or f"forge-sample:{name}" in tags:
                sources.append(str(cell.get("source", "")))
        return parse_sample_strings(sources, origin="tagged cell")

    def _variable_samples(self, names: list[str]) -> list[Sample]:
        user_ns = self.session.user_ns
        samples: list[Sample] = []
        for var in names:
            if var not in user_ns:
                raise SpecError(
                    f"--samples {var}: no variable `{var}` in the kernel: define it as a list of sample strings first"
                )
            value = user_ns[var]
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)):
                raise SpecError(
                    f"--samples {var}: `{var}` is a {type(value).__name__}; it must be a list of sample strings"
                )
            samples.extend(parse_sample_strings(items, origin=f"variable {var}"))
        return samples

    def _check_conflict(self, name: str, replace: bool) -> None:
        user_ns = self.session.user_ns
        if replace or name not in user_ns or self.session.registry.is_current(name, user_ns):
            return
        kind = type(user_ns[name]).__name__
        raise SpecError(
            f"`{name}` already exists in this kernel (a {kind}): pick another tool name, or pass "
            "--replace to overwrite it"
        )

    # -- forging ------------------------------------------------------------------------

    def run(self, opts: CellOptions, cell: str) -> None:
        """Forge the tool the cell asks for and show it for approval (or auto-approve it)."""
        forge = self.session.forge
        if opts.edit:  # the cell body is new code for an open widget
            return self.edit(opts.name, cell)
        spec, composed = self._checked_spec(opts, cell)
        try:  # the reuse check runs candidates in the sandbox: it can take a while
            if not opts.new and forge.reuse_check and self._offer_existing(spec, opts, composed):
                return
        except KeyboardInterrupt:
            raise ForgeCancelled(CANCELLED) from None
        mode = opts.approve or forge.approve
        progress = CellProgress()
        result = self._create(spec, opts, composed, progress)
        stepped_back = auto_approve.refusal(result) if result.passed else None
        if mode == "auto" and stepped_back is None:
            self._auto_approve(result, opts, composed)
            return
        self._show_for_approval(result, opts, composed, progress)
        failure = None
        if mode == "auto" and stepped_back is not None:
            # A person must decide; a headless run must not go on as if the tool existed.
            failure = (
                f"auto-approve stepped back for `{spec.name}`: {stepped_back}; review it in the "
                "widget below (nothing was defined or saved)"
            )
        elif not result.passed:
            failure = (
                f"{result.status_line()} — edit or regenerate it in the widget below, or change "
                "the request/samples and run the cell again"
            )
        if failure is not None:
            # The cell fails with this one line as its state line; the widget replaces it
            # when the state changes (an edit passes, a person approves or rejects).
            progress.settle(failure, "failed")
            raise ShownInCell(failure)

    def _checked_spec(self, opts: CellOptions, cell: str) -> tuple[ForgeSpec, list[ToolRecord]]:
        """The cheap checks, before any model time: the name, its samples from every
        source, the tools it composes, the template and a writable library."""
        name = check_tool_name(opts.name, allow_builtin=opts.replace)
        self._check_conflict(name, opts.replace)
        spec = parse_cell(name, cell, first_line=2)  # under the %%forge line
        extra = merge_samples(
            spec.samples, self._variable_samples(opts.samples), self._front_end_samples(name)
        )
        spec = ForgeSpec(spec.name, spec.request, extra)
        composed = self.composing.compose_records(opts.compose, name)  # trusted records
        self.composing.check_template(opts.template)
        if opts.library and not opts.no_persist:
            # Fail before spending model time if the library cannot be written.
            self.session.library(opts.library).ensure_root()
        return spec, composed

    def _create(
        self,
        spec: ForgeSpec,
        opts: CellOptions,
        composed: list[ToolRecord],
        progress: CellProgress,
    ) -> ForgeResult:
        """Forge ``spec`` as the cell's options say, under the cell's progress line."""
        session = self.session
        try:
            result = session.forge.create(
                spec,
                model=opts.model,
                attempts=opts.attempts,
                namespace=session.user_ns,
                progress=progress,
                temperature=opts.temperature,
                compose=composed,
                template=opts.template,
            )
        except ForgeError as exc:
            progress.close(f"stopped: {exc}")
            raise
        except KeyboardInterrupt:
            # Before any widget or save: nothing to undo. One line, not httpx's frames.
            progress.close("cancelled")
            raise ForgeCancelled(CANCELLED) from None
        progress.close(result.status_line())
        session.audit(
            "create",
            spec.name,
            model=result.model,
            outcome=result.status_line(),
            library=opts.library,
        )
        return result

    def _show_for_approval(
        self,
        result: ForgeResult,
        opts: CellOptions,
        composed: list[ToolRecord],
        progress: CellProgress,
    ) -> None:
        """The approval widget under the cell; its state line becomes the cell's."""
        widget = approval_widget(self.session, result, opts, composed=composed, state=progress)
        self.session.pending[result.spec.name] = widget
        display(widget)

    def edit(self, name: str, code: str) -> None:
        """``%%forge --edit NAME``: the widget of NAME validates ``code`` as its Edit → Save
        does and shows the outcome; this cell keeps one line saying how it went."""
        name = check_tool_name(name, allow_builtin=True)
        widget = self.session.pending.get(name)
        if widget is None or widget.decision is not None:
            raise SpecError(
                f"no approval widget for `{name}` is open in this kernel (approved, rejected, "
                f"or the kernel restarted): run its `%%forge {name}` cell, then edit from its "
                "widget"
            )
        progress = CellProgress(show_tokens=False)
        progress.stage("edit", f"validating your edit of `{name}` in the sandbox…")
        try:
            result = widget.edit_from_cell(code)
        except ForgeError as exc:
            progress.settle(f"edit not validated: {exc}", "failed")
            raise ShownInCell(f"edit not validated: {exc}") from None
        except KeyboardInterrupt:
            progress.settle("cancelled", "failed")
            raise ForgeCancelled(CANCELLED) from None
        where = f"the widget under `%%forge {name}`"
        if result.passed:
            checked = result.report.summary() if result.report else "validated"
            verdict = (
                "passes its samples but breaks a check from your words"
                if result.doubtful
                else f"passed ({checked})"
            )
            progress.settle(
                f"your edit of `{name}` {verdict}: {where} shows it; approve it there",
                result.verdict,
            )
            return
        shown = result.shown
        reason = shown.summary() if shown is not None else "no code"
        failed = result.first_failure()
        reason = " ".join((f"{reason}; {failed}" if failed else reason).split())
        if len(reason) > MAX_STATE_REASON:
            reason = reason[: MAX_STATE_REASON - 1] + "…"
        back = ", Revert goes back to the last version that passed" if result.kept else ""
        failure = f"your edit of `{name}` did not pass: {reason} — {where} shows it{back}"
        progress.settle(failure, "failed")
        raise ShownInCell(failure)

    def _offer_existing(
        self, spec: ForgeSpec, opts: CellOptions, composed: list[ToolRecord]
    ) -> bool:
        """Retrieval before creation: reuse a tool that already does what is asked."""
        session, forge = self.session, self.session.forge
        record = forge.existing_tool(
            spec,
            library=opts.library,
            namespace=session.user_ns,
            compose=[r.name for r in composed],
        )
        if record is None:
            return False
        calls = session.usage(forge.open_libraries(opts.library)).get(record.name)
        used = f"used {calls.calls} time(s)" if calls and calls.calls else "not used yet"
        about = f"`{record.name}` (v{record.version}, {used}, {record.location} library): {record.description.rstrip('.')}"
        again = (
            f"To forge `{spec.name}` anyway, run the cell again with `%%forge {spec.name} --new`."
        )
        if spec.samples:
            again = f"It passes this cell's {len(spec.samples)} sample(s) in the sandbox. {again}"
        if record.trusted:
            session.install_record(record)
            session.audit(
                "load", record.name, version=record.version, detail=f"reused for {spec.name}"
            )
            display(
                Note(
                    f"An existing tool already does this: {about}. It is now defined in the kernel: call {record.signature or record.name}. {again}",
                    record.code,
                )
            )
        else:
            display(
                Note(
                    f"An existing tool may already do this: {about}. It is not trusted on this machine: review it with `%forge load {record.name}`. {again}"
                )
            )
        return True

    def _auto_approve(
        self, result: ForgeResult, opts: CellOptions, composed: list[ToolRecord]
    ) -> None:
        display(
            HTML(
                render.header(result)
                + (render.highlight(result.code) if result.code else "")
                + render.samples_table(result.report.results if result.report else [])
                + render.notes(result, result.report.layers if result.report else [])
            )
        )
        if not result.passed:
            missing = missing_requirements(result.requirements)
            if missing:
                raise ForgeError(
                    f"{result.status_line()} — it needs {', '.join(missing)}, not installed: run "
                    f"{install_command(missing)} yourself if you trust it, then run the cell again"
                )
            raise ForgeError(
                f"{result.status_line()} — nothing was defined or saved: rephrase the request, fix "
                "the samples, or raise --attempts"
            )
        message = approve(self.session, result, opts, how="auto", composed=composed)
        why = "--approve auto" if opts.approve == "auto" else self.session.forge.origin("approve")
        display(
            Note(
                f"{message} (auto-approved because of {why}: its samples and the checks from its words passed in the sandbox)"
            )
        )
