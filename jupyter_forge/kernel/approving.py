"""Approving a forged tool: the widget a person decides in, and what Approve does.

Shared by ``%%forge`` and the agent (whose new tools go through the same widget
and the same save-then-define), so it takes the session, not the magics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.record import ToolRecord
from ..core.result import ForgeResult
from ..core.variables import sample_free_names
from . import comm
from .approval import ApprovalWidget
from .options import CellOptions
from .progress import CellProgress
from .session import KernelSession


class WidgetProgress:
    """Progress for background regenerations: the widget's status line and token stream."""

    def __init__(self, widget: ApprovalWidget) -> None:
        self.widget = widget

    def stage(self, name: str, message: str) -> None:
        self.widget.say(message)

    def token(self, text: str) -> None:
        self.widget.stream(text)


def approve(
    session: KernelSession,
    result: ForgeResult,
    opts: CellOptions,
    *,
    how: str,
    composed: Sequence[ToolRecord] = (),
) -> str:
    """Save first (so a failure changes nothing), then define in the kernel."""
    assert result.code is not None
    forge, registry = session.forge, session.registry
    name = result.spec.name
    version, where = 1, "not saved (--no-persist)"
    path: str | None = None
    composition = forge.composition(name, list(composed))
    depends = composition.depends(result.code) if composition else []
    for dep in depends:  # what it calls must be in the kernel first
        if dep not in registry:
            session.install_record(session.libraries().find(dep))
    if not opts.no_persist:
        kernel_names = [
            n
            for n in sample_free_names(s.source for s in result.spec.samples)
            if n in session.user_ns
        ]
        duplicates = _near_duplicates(session, result, opts)
        record = forge.save(
            result,
            library=opts.library,
            approved_how=how,
            kernel_names=kernel_names,
            depends=depends,
        )
        version, path = record.version, str(record.path)
        where = f"saved to {path}" + duplicates
    registry.install(
        session.user_ns,
        name=name,
        code=result.code,
        schema=result.schema,
        version=version,
        path=path,
        model=result.model,
        depends=depends,
    )
    session.pending.pop(name, None)
    comm.notify_tools_changed()
    calls = f" It calls {', '.join(depends)}." if depends else ""
    users = registry.dependents(name)
    if users:
        calls += f" Loaded tools that call it now use this version: {', '.join(users)}."
    return f"Approved: `{name}` v{version} is defined in the kernel and {where}.{calls}"


def _near_duplicates(session: KernelSession, result: ForgeResult, opts: CellOptions) -> str:
    """A note when the new tool looks like one the library already has."""
    from ..core.schema import signature_text
    from ..core.search import near_duplicates

    try:
        entries = session.forge.open_libraries(opts.library).entries()
        signature = signature_text(result.code or "", result.spec.name)
    except Exception:
        return ""
    similar = [e.name for e in near_duplicates(result.spec.name, signature, entries)][:3]
    if not similar:
        return ""
    return f" (it looks like existing tool(s) {', '.join(similar)}: consider %forge deprecate on one of them)"


def _destination(session: KernelSession, opts: CellOptions, name: str) -> str:
    """Where Approve puts the tool, shown in the widget's header (and which version:
    re-forging a saved name makes its next version, and the person should know)."""
    if opts.no_persist:
        return "forged · Approve defines it in this kernel only (--no-persist)"
    library = session.forge.open_library(opts.library)
    current = library.current_version(name)
    if current is not None:
        return (
            f"forged · Approve saves it as v{current + 1} of `{name}` "
            f"(v{current} kept in its history) to {library.root}"
        )
    return f"forged · Approve saves it to {library.root}"


class ToolActions:
    """What the approval widget's buttons do for one forged tool: the Forge calls, each
    noted in the session's audit log, with the cell's options."""

    def __init__(
        self, session: KernelSession, opts: CellOptions, compose: Sequence[ToolRecord]
    ) -> None:
        self.session, self.forge, self.opts = session, session.forge, opts
        self.compose = list(compose)
        self.cell_id = session.cell_id()  # the forge cell: "Edit in a cell" adds its cell below it
        self.widget: ApprovalWidget | None = None  # set once made: it shows their progress

    def _widget(self) -> ApprovalWidget:
        assert self.widget is not None, "ToolActions.widget is set when the widget is made"
        return self.widget

    def approve(self, result: ForgeResult) -> str:
        return approve(self.session, result, self.opts, how="widget", composed=self.compose)

    def regenerate(self, previous: ForgeResult) -> ForgeResult:
        return self.forge.regenerate(
            previous,
            model=self.opts.model,
            attempts=self.opts.attempts,
            namespace=self.session.user_ns,
            progress=WidgetProgress(self._widget()),
            compose=self.compose,
            template=self.opts.template,
        )

    def reject(self, result: ForgeResult) -> str:
        name = result.spec.name
        self.session.audit("reject", name, model=result.model, library=self.opts.library)
        self.session.pending.pop(name, None)
        return f"Rejected: `{name}` was not defined or saved."

    def edit(self, result: ForgeResult, code: str) -> ForgeResult:
        checked = self.forge.revalidate(
            result, code, namespace=self.session.user_ns, compose=self.compose
        )
        self.session.audit(
            "edit",
            result.spec.name,
            model=result.model,
            outcome=checked.status_line(),
            library=self.opts.library,
        )
        return checked

    def revert(self, result: ForgeResult) -> ForgeResult:
        reverted = self.forge.revert(result)
        shown = reverted.shown
        self.session.audit(
            "revert",
            result.spec.name,
            model=result.model,
            outcome=reverted.status_line(),
            library=self.opts.library,
            detail=f"back to attempt {shown.number}" if shown is not None else "",
        )
        return reverted

    def edit_in_cell(self, text: str, answered: Callable[[str | None], None]) -> bool:
        widget = self._widget()
        return comm.request_edit_cell(
            text,
            name=widget.result.spec.name,
            answered=answered,
            widget_id=widget.model_id,
            cell_id=self.cell_id,
            session=self.session.front_end_session(),  # the click's front end
        )

    def accept_check(self, result: ForgeResult, index: int) -> ForgeResult:
        return self.forge.accept_check(
            result, index, namespace=self.session.user_ns, compose=self.compose
        )


def approval_widget(
    session: KernelSession,
    result: ForgeResult,
    opts: CellOptions,
    *,
    composed: Sequence[ToolRecord] = (),
    state: CellProgress | None = None,
) -> ApprovalWidget:
    """The widget for ``result``; its buttons regenerate, edit and audit as ``opts`` say."""
    actions = ToolActions(session, opts, composed)
    widget = ApprovalWidget(
        result,
        on_approve=actions.approve,
        on_reject=actions.reject,
        on_regenerate=actions.regenerate,
        on_edit=actions.edit,
        on_edit_in_cell=actions.edit_in_cell,
        on_revert=actions.revert,
        on_accept_check=actions.accept_check,
        on_drop_check=session.forge.drop_check,
        layers=result.report.layers if result.report else [],
        title=_destination(session, opts, result.spec.name),
        on_state=state.settle if state is not None else None,
    )
    actions.widget = widget
    return widget
