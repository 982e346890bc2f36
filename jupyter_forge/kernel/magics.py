"""``%%forge NAME`` and ``%forge SUBCOMMAND``: the notebook face of :class:`Forge`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import HTML, display

from ..config import forge_config
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
from ..core.variables import sample_free_names
from ..forge import Forge
from . import comm, render
from .agent_view import ask_command, run_agent_cell
from .approval import ApprovalWidget
from .loading import LoadingCommands
from .options import HELP, parse_cell_line, split_line
from .progress import CellProgress, ShownInCell
from .registry import ToolRegistry
from .tracking import Tracker
from .views import Note, Table

MAX_STATE_REASON = 200  # characters of a failing edit's reason in its cell's one line


def _composed(opts: Any) -> list[ToolRecord]:
    """The ``--compose`` tools resolved for this forge (none for callers without them)."""
    return list(getattr(opts, "compose_records", None) or [])


class _WidgetProgress:
    """Progress for background regenerations: the widget's status line and token stream."""

    def __init__(self, widget: ApprovalWidget) -> None:
        self.widget = widget

    def stage(self, name: str, message: str) -> None:
        self.widget.say(message)

    def token(self, text: str) -> None:
        self.widget.stream(text)


@magics_class
class ForgeMagics(LoadingCommands, Magics):
    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        # jupyter_forge_config.py under the IPython config (which wins where both set a value).
        self.forge = Forge(parent=shell, config=forge_config(shell.config, log=shell.log))
        if self.forge not in shell.configurables:
            shell.configurables.append(self.forge)
        self.registry = ToolRegistry(tracker=Tracker.for_shell(shell, self.forge))
        self.pending: dict[str, ApprovalWidget] = {}

    @property
    def user_ns(self) -> dict[str, Any]:
        assert self.shell is not None
        ns: dict[str, Any] = self.shell.user_ns
        return ns

    # -- dispatch ------------------------------------------------------------------

    @line_cell_magic("forge")  # type: ignore[arg-type]
    def forge_magic(self, line: str, cell: str | None = None) -> Any:
        """Forge a tool (cell magic) or manage the tool library (line magic). See %forge help."""
        if cell is None:
            return self._line(line)
        return self._cell(line, cell)

    # -- %%forge ----------------------------------------------------------------------

    def _parent(self) -> dict[str, Any]:
        """The message the kernel is handling now (an execute request, a widget's click)."""
        kernel = getattr(self.shell, "kernel", None)
        try:
            parent = kernel.get_parent() if kernel is not None else {}
        except Exception:
            parent = {}
        return parent if isinstance(parent, dict) else {}

    def _cell_id(self) -> str | None:
        """The id of the cell being run, when the front end says (JupyterLab does)."""
        metadata = self._parent().get("metadata")
        cell_id = metadata.get("cellId") if isinstance(metadata, dict) else None
        return cell_id if isinstance(cell_id, str) else None

    def _session(self) -> str | None:
        """The front end session whose message is being handled (whose click it is)."""
        header = self._parent().get("header")
        session = header.get("session") if isinstance(header, dict) else None
        return session if isinstance(session, str) else None

    def _front_end_samples(self, name: str) -> list[Sample]:
        """Cells tagged ``forge-sample``/``forge-sample:NAME`` that the front end attached."""
        parent = self._parent()
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
        samples: list[Sample] = []
        for var in names:
            if var not in self.user_ns:
                raise SpecError(
                    f"--samples {var}: no variable `{var}` in the kernel: define it as a list of sample strings first"
                )
            value = self.user_ns[var]
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)):
                raise SpecError(
                    f"--samples {var}: `{var}` is a {type(value).__name__}; it must be a list of sample strings"
                )
            samples.extend(parse_sample_strings(items, origin=f"variable {var}"))
        return samples

    def _check_conflict(self, name: str, replace: bool) -> None:
        if replace or name not in self.user_ns or self.registry.is_current(name, self.user_ns):
            return
        kind = type(self.user_ns[name]).__name__
        raise SpecError(
            f"`{name}` already exists in this kernel (a {kind}): pick another tool name, or pass "
            "--replace to overwrite it"
        )

    def _cell(self, line: str, cell: str) -> None:
        opts = parse_cell_line(line)
        if opts.agent:  # the cell body is a task for the agent, not a tool request
            return run_agent_cell(self, opts, cell)
        if opts.edit:  # the cell body is new code for an open widget
            return self._edit_cell(opts.name, cell)
        name = check_tool_name(opts.name, allow_builtin=opts.replace)
        self._check_conflict(name, opts.replace)
        spec = parse_cell(name, cell, first_line=2)  # under the %%forge line
        extra = merge_samples(
            spec.samples, self._variable_samples(opts.samples), self._front_end_samples(name)
        )
        spec = ForgeSpec(spec.name, spec.request, extra)
        opts.compose_records = self._compose_records(opts.compose, name)  # trusted records
        self._check_template(opts.template)
        if opts.library and not opts.no_persist:
            # Fail before spending model time if the library cannot be written.
            self._library(opts.library).ensure_root()
        try:  # the reuse check runs candidates in the sandbox: it can take a while
            if not opts.new and self.forge.reuse_check and self._offer_existing(spec, opts):
                return
        except KeyboardInterrupt:
            raise ForgeCancelled(CANCELLED) from None
        mode = opts.approve or self.forge.approve
        progress = CellProgress()
        try:
            result = self.forge.create(
                spec,
                model=opts.model,
                attempts=opts.attempts,
                namespace=self.user_ns,
                progress=progress,
                temperature=opts.temperature,
                compose=_composed(opts),
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
        self.audit(
            "create", name, model=result.model, outcome=result.status_line(), library=opts.library
        )
        stepped_back = auto_approve.refusal(result) if result.passed else None
        if mode == "auto" and stepped_back is None:
            self._auto_approve(result, opts)
            return
        widget = self.approval_widget(result, opts, state=progress)
        self.pending[name] = widget
        display(widget)
        failure = None
        if mode == "auto" and stepped_back is not None:
            # A person must decide; a headless run must not go on as if the tool existed.
            failure = (
                f"auto-approve stepped back for `{name}`: {stepped_back}; review it in the "
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

    def _edit_cell(self, name: str, code: str) -> None:
        """``%%forge --edit NAME``: the widget of NAME validates ``code`` as its Edit → Save
        does and shows the outcome; this cell keeps one line saying how it went."""
        name = check_tool_name(name, allow_builtin=True)
        widget = self.pending.get(name)
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

    def _offer_existing(self, spec: ForgeSpec, opts: Any) -> bool:
        """Retrieval before creation: reuse a tool that already does what is asked."""
        record = self.forge.existing_tool(
            spec,
            library=opts.library,
            namespace=self.user_ns,
            compose=[r.name for r in _composed(opts)],
        )
        if record is None:
            return False
        calls = self._usage(self.forge.open_libraries(opts.library)).get(record.name)
        used = f"used {calls.calls} time(s)" if calls and calls.calls else "not used yet"
        about = f"`{record.name}` (v{record.version}, {used}, {record.location} library): {record.description.rstrip('.')}"
        again = (
            f"To forge `{spec.name}` anyway, run the cell again with `%%forge {spec.name} --new`."
        )
        if spec.samples:
            again = f"It passes this cell's {len(spec.samples)} sample(s) in the sandbox. {again}"
        if record.trusted:
            self.install_record(record)
            self.audit(
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

    def _auto_approve(self, result: ForgeResult, opts: Any) -> None:
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
        message = self.approve(result, opts, how="auto")
        why = "--approve auto" if opts.approve == "auto" else self.forge.origin("approve")
        display(
            Note(
                f"{message} (auto-approved because of {why}: its samples and the checks from its words passed in the sandbox)"
            )
        )

    def approve(self, result: ForgeResult, opts: Any, *, how: str) -> str:
        """Save first (so a failure changes nothing), then define in the kernel."""
        assert result.code is not None
        name = result.spec.name
        version, where = 1, "not saved (--no-persist)"
        path: str | None = None
        composed = self.forge.composition(name, _composed(opts))
        depends = composed.depends(result.code) if composed else []
        for dep in depends:  # what it calls must be in the kernel first
            if dep not in self.registry:
                self.install_record(self._libraries().find(dep))
        if not opts.no_persist:
            kernel_names = [
                n
                for n in sample_free_names(s.source for s in result.spec.samples)
                if n in self.user_ns
            ]
            duplicates = self._near_duplicates(result, opts)
            record = self.forge.save(
                result,
                library=opts.library,
                approved_how=how,
                kernel_names=kernel_names,
                depends=depends,
            )
            version, path = record.version, str(record.path)
            where = f"saved to {path}" + duplicates
        self.registry.install(
            self.user_ns,
            name=name,
            code=result.code,
            schema=result.schema,
            version=version,
            path=path,
            model=result.model,
            depends=depends,
        )
        self.pending.pop(name, None)
        comm.notify_tools_changed()
        calls = f" It calls {', '.join(depends)}." if depends else ""
        users = self.registry.dependents(name)
        if users:
            calls += f" Loaded tools that call it now use this version: {', '.join(users)}."
        return f"Approved: `{name}` v{version} is defined in the kernel and {where}.{calls}"

    def _near_duplicates(self, result: ForgeResult, opts: Any) -> str:
        """A note when the new tool looks like one the library already has."""
        from ..core.schema import signature_text
        from ..core.search import near_duplicates

        try:
            entries = self.forge.open_libraries(opts.library).entries()
            signature = signature_text(result.code or "", result.spec.name)
        except Exception:
            return ""
        similar = [e.name for e in near_duplicates(result.spec.name, signature, entries)][:3]
        if not similar:
            return ""
        return f" (it looks like existing tool(s) {', '.join(similar)}: consider %forge deprecate on one of them)"

    def _destination(self, opts: Any, name: str) -> str:
        """Where Approve puts the tool, shown in the widget's header (and which version:
        re-forging a saved name makes its next version, and the person should know)."""
        if opts.no_persist:
            return "forged · Approve defines it in this kernel only (--no-persist)"
        library = self.forge.open_library(opts.library)
        current = library.current_version(name)
        if current is not None:
            return (
                f"forged · Approve saves it as v{current + 1} of `{name}` "
                f"(v{current} kept in its history) to {library.root}"
            )
        return f"forged · Approve saves it to {library.root}"

    def approval_widget(
        self, result: ForgeResult, opts: Any, state: CellProgress | None = None
    ) -> ApprovalWidget:
        holder: dict[str, ApprovalWidget] = {}
        cell_id = self._cell_id()  # the forge cell: "Edit in a cell" adds its cell below it

        def regenerate(previous: ForgeResult) -> ForgeResult:
            return self.forge.regenerate(
                previous,
                model=opts.model,
                attempts=opts.attempts,
                namespace=self.user_ns,
                progress=_WidgetProgress(holder["widget"]),
                compose=_composed(opts),
                template=opts.template,
            )

        def reject(r: ForgeResult) -> str:
            self.audit("reject", r.spec.name, model=r.model, library=opts.library)
            self.pending.pop(r.spec.name, None)
            return f"Rejected: `{r.spec.name}` was not defined or saved."

        def edit(r: ForgeResult, code: str) -> ForgeResult:
            checked = self.forge.revalidate(
                r, code, namespace=self.user_ns, compose=_composed(opts)
            )
            self.audit(
                "edit",
                r.spec.name,
                model=r.model,
                outcome=checked.status_line(),
                library=opts.library,
            )
            return checked

        def revert(r: ForgeResult) -> ForgeResult:
            reverted = self.forge.revert(r)
            shown = reverted.shown
            self.audit(
                "revert",
                r.spec.name,
                model=r.model,
                outcome=reverted.status_line(),
                library=opts.library,
                detail=f"back to attempt {shown.number}" if shown is not None else "",
            )
            return reverted

        def edit_in_cell(text: str, answered: Callable[[str | None], None]) -> bool:
            widget = holder["widget"]
            return comm.request_edit_cell(
                text,
                name=widget.result.spec.name,
                answered=answered,
                widget_id=widget.model_id,
                cell_id=cell_id,
                session=self._session(),  # the click's front end
            )

        widget = ApprovalWidget(
            result,
            on_approve=lambda r: self.approve(r, opts, how="widget"),
            on_reject=reject,
            on_regenerate=regenerate,
            on_edit=edit,
            on_edit_in_cell=edit_in_cell,
            on_revert=revert,
            on_accept_check=lambda r, index: self.forge.accept_check(
                r, index, namespace=self.user_ns, compose=_composed(opts)
            ),
            on_drop_check=self.forge.drop_check,
            layers=result.report.layers if result.report else [],
            title=self._destination(opts, result.spec.name),
            on_state=state.settle if state is not None else None,
        )
        holder["widget"] = widget
        return widget

    # -- %forge SUBCOMMAND ---------------------------------------------------------

    def _line(self, line: str) -> Any:
        words = split_line(line)
        command, args = (words[0], words[1:]) if words else ("help", [])
        handler = getattr(self, f"_cmd_{command.replace('-', '_')}", None)
        if handler is None:
            raise SpecError(f"unknown command `%forge {command}`: see `%forge help`")
        return handler(args)

    def _cmd_help(self, args: list[str]) -> None:
        print(HELP)

    def _cmd_config(self, args: list[str]) -> Table:
        rows = [
            [trait, repr(getattr(self.forge, trait))]
            for trait in sorted(self.forge.class_traits(config=True))
        ]
        return Table(
            ["setting", "value"],
            rows,
            title="Forge settings (change with %config Forge.NAME = value)",
        )

    def _cmd_sandbox(self, args: list[str]) -> Table:
        from ..sandbox import active_layers, missing_layers

        rows = [[layer, "active"] for layer in active_layers()] + [
            [layer, "missing"] for layer in missing_layers()
        ]
        return Table(["isolation layer", "status"], rows, title="Validation sandbox")

    def _cmd_hook(self, args: list[str]) -> Note:
        """``%forge hook on|off|status|draft``: see :mod:`.hook`."""
        from . import hook

        assert self.shell is not None
        return Note(hook.command(self.shell, self.forge, args))

    def _cmd_ask(self, args: list[str]) -> None:
        """``%forge ask "TASK"`` / ``%forge ask --continue``: see :mod:`.agent_view`."""
        ask_command(self, args)
