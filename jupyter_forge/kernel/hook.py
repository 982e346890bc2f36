"""The NameError hook: a cell calls a function nobody wrote yet, so offer to forge it.

``clean_prices(df.price)`` fails with ``NameError: name 'clean_prices' is not
defined``. With the hook on, under the traceback appears "Forge
`clean_prices`?", the call with its arguments' types and shapes, and a ready
``%%forge clean_prices`` cell whose sample is the failing call; ``%forge hook
draft`` puts that cell in place of the cell it is run from (IPython's
``set_next_input``, as ``%load`` does). A widget button cannot do that: a click
arrives as a comm message, which has no reply to carry the new-cell payload.

Promises, each tested:

* the original exception and its traceback are untouched: the hook only runs
  in IPython's ``post_run_cell`` event, after the traceback was shown, never
  raises, and never changes the result;
* it costs nothing when no NameError happens: when off it is not registered at
  all; when on, a cell without a NameError costs one attribute read and one
  type comparison (measured in the final report);
* arguments are evaluated from the live namespace only when they are plain
  names or attribute access, through IPython's guarded evaluator (the one tab
  completion uses: no calls, no properties, no custom ``__getattr__``), and
  shown as types and shapes (:func:`..core.variables.describe_variables`),
  never as data;
* a name close to an existing one (``pritn``) is a typo, not a missing tool:
  no offer.

Off by default. ``%forge hook on|off`` also writes ``{"hook": true|false}`` to
``jupyter_forge.json`` in the Jupyter config dir (``$JUPYTER_CONFIG_DIR``, else
``~/.jupyter``); :func:`restore` (called when the extension loads) applies it,
unless ``c.Forge.hook`` is set in the IPython config or ``jupyter_forge_config.py``,
which wins.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import SpecError
from ..core.files import write_atomic
from ..core.variables import describe_variables
from .arguments import HOOK_USAGE, HookArgs

SETTINGS_NAME = "jupyter_forge.json"
TYPO_CUTOFF = 0.8  # difflib ratio above which a missing name is taken for a typo


# -- the remembered setting ----------------------------------------------------------


def settings_path() -> Path:
    from jupyter_core.paths import jupyter_config_dir

    return Path(jupyter_config_dir()) / SETTINGS_NAME


def read_settings() -> dict[str, Any]:
    """The settings file, or {} if it is missing or unreadable (never fatal)."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_setting(key: str, value: Any) -> Path:
    """Update one key, keeping the others; atomic, so a crash never leaves half a file."""

    path = settings_path()
    data = read_settings()
    data[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, indent=2), mode=None)
    except OSError as exc:
        raise SpecError(
            f"could not remember the setting in {path} ({exc.strerror}): it applies to this "
            "kernel only; fix the folder's permissions or set c.Forge.hook in ipython_config.py"
        ) from None
    return path


# -- reading the failing cell ----------------------------------------------------------


@dataclass
class Argument:
    source: str
    description: str
    plain: bool  # a name, attribute access or literal: usable in a sample as it is
    evaluated: bool = True  # the description says what the value is


@dataclass
class Offer:
    """What the hook shows under a NameError, and the cell ``%forge hook draft`` writes."""

    name: str
    call: str
    arguments: list[Argument] = field(default_factory=list)

    @property
    def cell(self) -> str:
        lines = [f"%%forge {self.name}", f"TODO: say in plain words what {self.name} should do."]
        described = [a for a in self.arguments if a.evaluated]
        if described:
            where = "; ".join(f"{a.source} is {a.description}" for a in described)
            lines.append(f"It is called as {self.call}, where {where}.")
        if all(a.plain for a in self.arguments):
            lines.append(f">>> {self.call}")  # must run without raising; add the expected output
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        items = "".join(
            f"<li><code>{html.escape(a.source)}</code>: {html.escape(a.description)}</li>"
            for a in self.arguments
        )
        return (
            "<div class='jupyter-forge-hook'>"
            f"<p><b>Forge <code>{html.escape(self.name)}</code>?</b> It is not defined; "
            f"this cell calls it as <code>{html.escape(self.call)}</code>.</p>"
            + (f"<ul>{items}</ul>" if items else "")
            + "<p>Run <code>%forge hook draft</code> in a new cell to turn it into this cell, "
            "then say what the function should do and run it:</p>"
            f"<pre>{html.escape(self.cell)}</pre></div>"
        )

    def __repr__(self) -> str:
        args = "".join(f"\n  {a.source}: {a.description}" for a in self.arguments)
        return (
            f"Forge `{self.name}`? It is not defined; this cell calls it as {self.call}.{args}\n"
            f"Run `%forge hook draft` in a new cell to turn it into:\n\n{self.cell}"
        )


def first_call(tree: ast.AST, name: str) -> ast.Call | None:
    """The first (in source order) call of the bare name ``name``."""
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]
    return min(calls, key=lambda c: (c.lineno, c.col_offset)) if calls else None


def _is_access_chain(expr: ast.expr) -> bool:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


def _guarded_value(source: str, namespace: dict[str, Any]) -> Any:
    """Evaluate a name/attribute chain the way IPython's completer does (no calls, no properties)."""
    from IPython.core.guarded_eval import EvaluationContext, guarded_eval

    context = EvaluationContext(locals=namespace, globals=namespace, evaluation="limited")
    return guarded_eval(source, context)


def describe_argument(expr: ast.expr, namespace: dict[str, Any]) -> Argument:
    source = ast.unparse(expr)
    try:
        value = ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    else:
        return Argument(source, _describe_value(value) or type(value).__name__, True)
    if not _is_access_chain(expr):
        return Argument(source, "not evaluated (only names and attribute access are)", False, False)
    try:
        value = _guarded_value(source, namespace)
    except BaseException:  # a refusal (GuardRejection), a missing name, anything: no value
        return Argument(source, "not evaluated (not a plain value here)", True, False)
    return Argument(source, _describe_value(value), True)


def _describe_value(value: Any) -> str:
    infos = describe_variables(["value"], {"value": value})
    if infos:
        return infos[0].description
    kind = type(value)
    return f"a {kind.__module__}.{kind.__qualname__}".replace("a builtins.", "a ")


def looks_like_typo(name: str, namespace: dict[str, Any]) -> bool:
    import difflib

    candidates = [n for n in namespace if not n.startswith("_")] + dir(builtins)
    return bool(difflib.get_close_matches(name, candidates, n=1, cutoff=TYPO_CUTOFF))


def build_offer(name: str, cell: str, namespace: dict[str, Any]) -> Offer | None:
    """The offer for ``name`` missing in ``cell``, or None if the cell does not call it."""
    if not name.isidentifier() or name in namespace or hasattr(builtins, name):
        return None
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return None
    call = first_call(tree, name)
    if call is None or looks_like_typo(name, namespace):
        return None
    arguments = [describe_argument(arg, namespace) for arg in call.args]
    for keyword in call.keywords:
        described = describe_argument(keyword.value, namespace)
        if keyword.arg is None:
            described.source, described.plain = f"**{described.source}", False
        else:
            described.source = f"{keyword.arg}={described.source}"
        arguments.append(described)
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            arguments[call.args.index(arg)].plain = False
    return Offer(name=name, call=ast.unparse(call), arguments=arguments)


# -- the hook in a shell -------------------------------------------------------------------


class NameErrorHook:
    """One shell's hook: registered in ``post_run_cell`` only while on."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.active = False
        self.offers: dict[str, Offer] = {}
        self.last: Offer | None = None

    def install(self) -> None:
        if not self.active:
            self.shell.events.register("post_run_cell", self.post_run_cell)
            self.active = True

    def uninstall(self) -> None:
        if self.active:
            with contextlib.suppress(ValueError):
                self.shell.events.unregister("post_run_cell", self.post_run_cell)
            self.active = False

    def post_run_cell(self, result: Any) -> None:
        error = result.error_in_exec
        if error is None or type(error) is not NameError:
            return  # the whole cost of a cell without a NameError
        with contextlib.suppress(Exception):  # never an error of its own in the cell
            self._offer(result, error)

    def _offer(self, result: Any, error: NameError) -> None:
        from IPython.display import display

        name = getattr(error, "name", None)
        raw = getattr(getattr(result, "info", None), "raw_cell", None)
        if not isinstance(name, str) or not isinstance(raw, str):
            return
        try:
            cell = self.shell.transform_cell(raw)
        except Exception:
            cell = raw
        offer = build_offer(name, cell, self.shell.user_ns)
        if offer is None:
            return
        self.offers[name] = offer
        self.last = offer
        display(offer)

    def draft(self, name: str | None = None) -> Offer:
        offer = self.offers.get(name) if name else self.last
        if offer is None:
            what = f"for `{name}` " if name else ""
            raise SpecError(
                f"no forge offer {what}yet: with `%forge hook on`, run a cell that calls the "
                "missing function, then `%forge hook draft`"
            )
        self.shell.set_next_input(offer.cell, replace=True)
        return offer


_hooks: dict[int, NameErrorHook] = {}


def hook_for(shell: Any) -> NameErrorHook:
    hook = _hooks.get(id(shell))
    if hook is None or hook.shell is not shell:
        hook = _hooks[id(shell)] = NameErrorHook(shell)
    return hook


def uninstall(shell: Any) -> None:
    """Unregister the hook (``%unload_ext jupyter_forge``)."""
    hook = _hooks.pop(id(shell), None)
    if hook is not None:
        hook.uninstall()


def _follow_trait(shell: Any, forge: Any) -> None:
    """``%config Forge.hook = True`` turns it on too (observers added once per Forge)."""
    if getattr(forge, "_forge_hook_observed", False):
        return

    def changed(change: Any) -> None:
        hook = hook_for(shell)
        hook.install() if change["new"] else hook.uninstall()

    forge.observe(changed, names="hook")
    forge._forge_hook_observed = True


def configured(forge: Any) -> bool:
    """``c.Forge.hook`` is set in a config file (IPython's or jupyter_forge_config)."""
    config = getattr(forge, "config", None)
    section = config.get("Forge", {}) if config is not None else {}
    return "hook" in section


def restore(shell: Any, forge: Any) -> bool:
    """At extension load: on if ``c.Forge.hook`` says so, else if the settings file does."""
    if not configured(forge):
        remembered = read_settings().get("hook")
        if isinstance(remembered, bool):
            forge.hook = remembered
    _follow_trait(shell, forge)
    on = bool(forge.hook)
    hook = hook_for(shell)
    hook.install() if on else hook.uninstall()
    return on


def command(shell: Any, forge: Any, args: HookArgs) -> str:
    """``%forge hook [on|off|status|draft [NAME]]`` (parsed by :func:`.arguments.parse_hook`);
    returns the line to show."""
    _follow_trait(shell, forge)
    hook = hook_for(shell)
    if args.action in ("on", "off"):
        forge.hook = args.action == "on"
        hook.install() if forge.hook else hook.uninstall()
        path = write_setting("hook", forge.hook)
        if forge.hook:
            return (
                "The NameError hook is on: a cell that calls a missing function gets an offer to "
                f"forge it. Remembered in {path}: kernels that load jupyter_forge start with it on "
                "(`%forge hook off` to stop)."
            )
        return f"The NameError hook is off, and remembered off in {path}."
    if args.action == "status":
        remembered = read_settings().get("hook")
        saved = "not set (off)" if remembered is None else ("on" if remembered else "off")
        source = " (c.Forge.hook in the config wins)" if configured(forge) else ""
        return (
            f"The NameError hook is {'on' if hook.active else 'off'} in this kernel; "
            f"remembered setting: {saved} in {settings_path()}{source}."
        )
    if args.action == "draft":
        offer = hook.draft(args.name)
        return (
            f"The %%forge {offer.name} cell replaces this one: describe the function, then run it."
        )
    raise SpecError(HOOK_USAGE)
