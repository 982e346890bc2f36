"""``%%forge --agent`` / ``%forge ask``: the agent loop in the notebook.

Each tool call is shown as it happens. Tools run only if approved (already in
the kernel, or trusted in a library and loaded on demand); calls whose code
touches files, network, processes or the OS ask first. A tool the agent asks
for is forged by the normal pipeline and shown in the normal approval widget:
the agent cannot approve it, so the run pauses there (the kernel cannot see a
click while the cell runs) and goes on when the person re-runs the cell or types
``%forge ask --continue``. Only ``--approve auto``, chosen by the user, lets it
continue without a person.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any, Protocol

from IPython.display import HTML, display

from ..agent_runtime import model_chat, offer_tools
from ..core import agent, auto_approve, tool_calls
from ..core.agent import (
    MAKE_TOOL,
    MAKE_TOOL_SCHEMA,
    AgentRun,
    Outcome,
    results_so_far,
)
from ..core.errors import AGENT_CANCELLED, ForgeCancelled, ForgeError, SpecError
from ..core.findings import static_findings
from ..core.result import ForgeResult
from ..core.spec import ForgeSpec, check_tool_name, parse_sample_strings
from ..core.tool_calls import ToolCall
from . import render
from .agent_widgets import CONTINUE_HINT, Answer, CallLine, ConfirmWidget
from .approving import approval_widget, approve
from .options import AskOptions, CellOptions
from .progress import CellProgress
from .session import AgentState, KernelSession
from .views import Note


class HasAgent(Protocol):
    """Whatever holds a shell's agent state: its session, or the magics that show it."""

    @property
    def agent(self) -> AgentState: ...


def session_for(holder: HasAgent) -> AgentState:
    """The agent state of a shell (tests look at its run and what it waits for)."""
    return holder.agent


class AgentDriver:
    """Runs one agent session in a kernel: executes calls, shows them, pauses for people."""

    def __init__(self, kernel: KernelSession, opts: AskOptions) -> None:
        self.kernel, self.forge, self.opts = kernel, kernel.forge, opts
        self.session = kernel.agent
        self.mode = opts.approve or self.forge.approve
        self.lines: dict[str, Any] = {}
        self.progress: CellProgress | None = None

    # -- entry points ------------------------------------------------------------------

    def start(self, task: str) -> None:
        libs = self.forge.open_libraries(self.opts.library)
        offer = offer_tools(libs, task, self.forge.agent_top_k)
        run = agent.start(task, [*offer.schemas, MAKE_TOOL_SCHEMA])
        self.session.run, self.session.opts, self.session.offer = run, self.opts, offer
        self.session.waiting = None
        names = ", ".join(offer.records) or "none matched"
        display(Note(f"Agent task: {run.task}\nTools offered: {names}, plus {MAKE_TOOL}."))
        self._drive(run, self.opts.max_steps or self.forge.agent_max_steps)

    def resume(self) -> None:
        run = self.session.run
        if run is None or run.status == "answered":
            raise ForgeError(
                'there is no unfinished agent run to continue: start one with %forge ask "TASK" or %%forge --agent'
            )
        budget = self.opts.max_steps or self.forge.agent_max_steps
        if run.status == "paused":
            outcome = self._decision(run)
            agent.resume(run, outcome)
            display(CallLine(run.log[-1].call, outcome.summary or outcome.content, outcome.ok))
        self._drive(run, run.steps + budget)

    # -- the loop ----------------------------------------------------------------------

    def _drive(self, run: AgentRun, max_steps: int) -> None:
        name = self.opts.model or self.forge.user_model or self.forge.model
        self.progress = CellProgress(show_tokens=False)
        try:
            resolved = self.forge.resolve(name, progress=lambda m: self._stage(m))
            chat = model_chat(
                resolved,
                temperature=self.forge.temperature,
                max_tokens=self.forge.max_tokens,
                timeout=self.forge.llm_timeout,
            )
            agent.drive(
                run, chat=chat, execute=self._execute, max_steps=max_steps, on_event=self._event
            )
        except ForgeError as exc:
            run.status = "failed" if run.status == "running" else run.status
            self._close(f"agent stopped: {exc}")
            raise
        except KeyboardInterrupt:
            # The person's own stop: one line, no HTTP traceback; the run can go on.
            run.status = "cancelled"
            self._close("agent cancelled: `%forge ask --continue` goes on from here")
            raise ForgeCancelled(AGENT_CANCELLED) from None
        self._finish(run, max_steps)

    def _stage(self, message: str) -> None:
        if self.progress is not None:
            self.progress.stage("agent", message)

    def _close(self, message: str) -> None:
        if self.progress is not None:
            self.progress.close(message)
            self.progress = None

    def _event(self, kind: str, data: Any) -> None:
        if kind == "thinking":
            model = self.opts.model or self.forge.user_model or self.forge.model
            self._stage(f"agent step {data}: asking `{model}` what to do next…")
        elif kind == "call":
            call: ToolCall = data
            self.lines[call.id] = display(CallLine(call), display_id=True)
        elif kind == "result":
            call, outcome = data
            handle = self.lines.get(call.id)
            if handle is not None:
                handle.update(CallLine(call, outcome.summary or outcome.content, outcome.ok))

    def _finish(self, run: AgentRun, max_steps: int) -> None:
        calls = len(run.log)
        if run.status == "answered":
            self._close(f"agent answered after {run.steps} model turn(s) and {calls} tool call(s)")
            display(Answer(run.answer))
        elif run.status == "paused":
            self._close(f"agent paused after {run.steps} model turn(s): waiting for you")
            display(
                Note(
                    f"The agent is waiting for you: {run.waiting}. The agent cannot approve or confirm anything itself; decide in the widget above, then {CONTINUE_HINT}."
                )
            )
        elif run.status == "max_steps":
            self._close(f"agent stopped: {run.steps} model turns without a final answer")
            raise ForgeError(
                f"the agent used its {max_steps} model turns without a final answer: `%forge ask --continue` gives it more, or raise %config Forge.agent_max_steps, or split the task"
            )

    # -- executing one call --------------------------------------------------------------

    def _execute(self, call: ToolCall) -> Outcome:
        if call.error:
            return Outcome(f"error: {call.error}", summary=call.error, ok=False)
        if call.name == MAKE_TOOL:
            return self._make_tool(call)
        function, findings, problem = self._resolve(call.name)
        if problem is not None:
            return Outcome(problem, summary=problem, ok=False)
        effects = agent.side_effects(findings)
        if effects:
            if self.mode == "auto":
                text = f"refused: `{call.name}` has side effects ({'; '.join(effects[:3])}) and nobody is here to confirm it in --approve auto mode; run the task interactively to confirm, or call the tool yourself"
                return Outcome(text, summary=text, ok=False)
            widget = ConfirmWidget(call, effects, lambda c: self._call(function, c))
            self.session.waiting = widget
            display(widget)
            return Outcome("", pause=f"confirm the call {call.signature()} (it has side effects)")
        return self._call(function, call)

    def _call(self, function: Any, call: ToolCall) -> Outcome:
        try:
            value = function(**call.arguments)
        except Exception as exc:
            text = f"error: {type(exc).__name__}: {exc}"
            return Outcome(text, summary=tool_calls.short_repr_text(text, 160), ok=False)
        return Outcome(tool_calls.result_for_model(value), summary=tool_calls.short_repr(value))

    def _resolve(self, name: str) -> tuple[Any, list[str], str | None]:
        """The approved callable for ``name``, its findings, or why it cannot run."""
        registry, ns = self.kernel.registry, self.kernel.user_ns
        tool = registry.get(name)
        record = self.session.offer.records.get(name)
        if tool is None:
            try:
                record = self.forge.open_libraries(self.opts.library).find(name)
            except ForgeError:
                known = ", ".join(self.session.run.tool_names if self.session.run else [])
                text = f"no tool `{name}` exists yet: create it first with {MAKE_TOOL} (tool_name, request, samples), or use one of {known}"
                return None, [], text
            if record.deprecated:
                return None, [], f"`{name}` is deprecated: use another tool or {MAKE_TOOL}"
            if not record.trusted:
                text = f"`{name}` is not trusted on this machine: a person must review it first (%forge load {name}); use another tool or {MAKE_TOOL}"
                display(
                    Note(
                        f"The agent wanted `{name}`, which needs your review before it can run: %forge load {name}"
                    )
                )
                return None, [], text
            self.kernel.install_record(record)
            self.kernel.audit("load", name, version=record.version, detail="loaded for the agent")
            tool = registry.get(name)
            assert tool is not None
        findings = list(record.findings) if record is not None else []
        findings += [f for f in static_findings(tool.code) if f not in findings]
        function = ns[name] if registry.is_current(name, ns) else tool.installed
        return function, findings, None

    # -- making a tool -------------------------------------------------------------------

    def _forge_opts(self) -> CellOptions:
        """Options as ``%%forge NAME`` would have them (new options keep their defaults)."""
        return CellOptions(
            model=self.forge.maker_model or self.forge.model,
            library=self.opts.library,
            no_persist=self.opts.no_persist,
        )

    def _make_tool(self, call: ToolCall) -> Outcome:
        """``make_tool``: forge the tool the agent asks for; a person approves it, unless
        ``--approve auto`` and nothing makes auto-approval step back."""
        try:
            spec = self._tool_spec(call.arguments)
        except SpecError as exc:
            return Outcome(f"error: {exc}", summary=str(exc), ok=False)
        name = spec.name
        libs = self.forge.open_libraries(self.opts.library)
        if name in self.kernel.user_ns or any(lib.exists(name) for lib in libs.libraries):
            text = (
                f"error: `{name}` already exists: call it, or make the new tool under another name"
            )
            return Outcome(text, summary=text, ok=False)
        opts = self._forge_opts()
        result = self._create(spec, opts)
        stepped_back = auto_approve.refusal(result) if result.passed else None
        if self.mode != "auto" or stepped_back is not None:
            if self.mode == "auto":
                display(Note(f"auto-approve stepped back for `{name}`: {stepped_back}"))
            return self._wait_for_approval(result, opts)
        return self._auto_approve(result, opts)

    def _tool_spec(self, args: dict[str, Any]) -> ForgeSpec:
        """The spec a ``make_tool`` call asks for, filled in from the task where the call
        leaves something out; :class:`SpecError` when it cannot be made whole."""
        run = self.session.run
        raw = args.get("samples") or []
        sources = [str(x) for x in ([raw] if isinstance(raw, str) else list(raw))]
        known = run.tool_names if run else []
        given = args.get("tool_name") or args.get("name") or args.get("function_name")
        given = given or tool_calls.tool_name_from_samples(sources, known)
        if not given:
            raise SpecError(
                "make_tool needs the new function's `tool_name` (snake_case) and samples that call it"
            )
        name = check_tool_name(str(given))
        task = run.task if run else ""
        # A call with only a name: the person's own words and samples from the task.
        request = str(args.get("request") or "").strip() or (
            tool_calls.request_from_task(task, name) or ""
        )
        sources = sources or tool_calls.samples_from_task(task, name)
        if not request:
            raise SpecError("make_tool needs a `request` saying what the function does")
        samples = parse_sample_strings(sources, origin="agent")
        if not any(name in s.source for s in samples):
            raise SpecError(
                f"make_tool needs samples that call `{name}`, e.g. 'assert {name}(...) == ...'"
            )
        return ForgeSpec(name, request, tuple(samples))

    def _create(self, spec: ForgeSpec, opts: CellOptions) -> ForgeResult:
        """Forge ``spec`` with its own progress line, and note it in the audit log."""
        progress = CellProgress()
        try:
            result = self.forge.create(
                spec, model=opts.model, namespace=self.kernel.user_ns, progress=progress
            )
        except ForgeError as exc:
            progress.close(f"stopped: {exc}")
            raise
        progress.close(result.status_line())
        self.kernel.audit(
            "create",
            spec.name,
            model=result.model,
            outcome=result.status_line(),
            library=opts.library,
            detail="made for the agent",
        )
        return result

    def _wait_for_approval(self, result: ForgeResult, opts: CellOptions) -> Outcome:
        """Show the normal approval widget and pause the run: the agent cannot approve."""
        name = result.spec.name
        widget = approval_widget(self.kernel, result, opts)
        self.kernel.pending[name] = widget
        self.session.waiting = widget
        display(widget)
        return Outcome("", pause=f"approve or reject the new tool `{name}`")

    def _auto_approve(self, result: ForgeResult, opts: CellOptions) -> Outcome:
        """``--approve auto``: show what was forged, and define it if it passed."""
        name = result.spec.name
        display(
            HTML(
                render.header(result)
                + (render.highlight(result.code) if result.code else "")
                + render.samples_table(result.report.results if result.report else [])
            )
        )
        if not result.passed:
            text = f"make_tool failed: {result.status_line()}; `{name}` was not defined. Try a clearer request or simpler samples, or answer without it."
            return Outcome(text, summary=result.status_line(), ok=False)
        message = approve(self.kernel, result, opts, how="auto")
        display(
            Note(
                f"{message} (auto-approved because of --approve auto: its samples and the checks from its words passed in the sandbox)"
            )
        )
        return self._made(name)

    def _made(self, name: str) -> Outcome:
        tool = self.kernel.registry.get(name)
        assert tool is not None and self.session.run is not None
        if tool.schema:
            self.session.run.add_tool(tool.schema)
        from ..core.schema import signature_text

        signature = signature_text(tool.code, name)
        text = (
            f"`{name}` was made, passed its samples and was approved by the user. "
            f"{results_so_far(self.session.run)}Call it now on the task's values "
            f"({name}{signature.removeprefix(name)})."
        )
        return Outcome(text, summary=f"approved: {name} is now available")

    def _decision(self, run: AgentRun) -> Outcome:
        waiting = self.session.waiting
        if waiting is None or waiting.decision is None:
            raise ForgeError(
                f"the agent is still waiting: {run.waiting} in the widget above, then {CONTINUE_HINT}"
            )
        if isinstance(waiting, ConfirmWidget):
            assert waiting.outcome is not None
            return waiting.outcome
        name = waiting.result.spec.name
        if waiting.decision == "approved" and self.kernel.registry.get(name) is not None:
            return self._made(name)
        text = f"The user rejected the new tool `{name}`: it was not defined. Do not make it again; answer with what you have and say what is missing."
        return Outcome(text, summary=f"rejected: {name} was not defined", ok=False)


def run_agent_cell(kernel: KernelSession, opts: CellOptions, cell: str) -> None:
    """``%%forge --agent``: the cell body is the task; re-running a paused task continues it."""
    if opts.name:
        raise SpecError(
            "%%forge --agent takes no tool name: the cell body is the task in plain words"
        )
    _run(kernel, AskOptions.from_cell(opts), cell.strip(), resume=False)


def ask_command(kernel: KernelSession, opts: AskOptions) -> None:
    """``%forge ask "TASK"`` or ``%forge ask --continue`` (checked by :func:`.options.parse_ask`)."""
    _run(kernel, opts, " ".join(opts.task).strip(), resume=opts.resume)


def _run(kernel: KernelSession, opts: AskOptions, task: str, *, resume: bool) -> None:
    state = kernel.agent
    run = state.run
    same = (
        run is not None
        and run.status in ("paused", "max_steps", "failed", "cancelled")
        and run.task == task
    )
    if resume or same:
        saved = state.opts or opts
        # What this line sets wins; what it leaves out comes from the run being continued.
        merged = replace(saved, **{k: v for k, v in asdict(opts).items() if v})
        if same and not resume:
            display(
                Note(
                    "Continuing the unfinished agent run for this task (change the task text to start over)."
                )
            )
        AgentDriver(kernel, merged).resume()
        return
    AgentDriver(kernel, opts).start(task)
