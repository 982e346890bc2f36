"""Composed tools: a new tool that calls tools the library already has.

``%%forge weekly_total --compose parse_money`` asks the model for a function that
*calls* ``parse_money`` instead of rewriting it. Three things follow from that:

- the prompt shows the dependencies' signatures and docstrings (not their code:
  a small model shown code copies it);
- validation runs the candidate with the dependencies defined, each in a module
  namespace of its own exactly as the kernel will install them (their helpers
  and imports never clash with the candidate's);
- the library records the direct dependencies (``depends``) so loading the tool
  loads them first. Only the direct ones: each dependency records its own.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .defs import bound_names, function_def
from .errors import LibraryError, SpecError
from .record import ToolRecord
from .spec import check_tool_name


def parse_names(text: str | Iterable[str] | None) -> list[str]:
    """``"a,b, c"`` (or repeated options) -> ``["a", "b", "c"]``: checked, in order, once."""
    if text is None:
        return []
    parts = [text] if isinstance(text, str) else list(text)
    names: list[str] = []
    for part in parts:
        for raw in part.split(","):
            name = raw.strip()
            if not name:
                continue
            try:
                check_tool_name(name, allow_builtin=True)
            except SpecError:
                raise SpecError(
                    f"--compose {name}: not a tool name: list existing tools separated by commas, "
                    "e.g. --compose parse_money,summarize"
                ) from None
            if name not in names:
                names.append(name)
    return names


def dependency_order(
    roots: Sequence[ToolRecord], find: Callable[[str], ToolRecord]
) -> list[ToolRecord]:
    """``roots`` and everything they depend on, dependencies before dependents, each once.

    ``find`` resolves a name (``LibrarySet.find``); a missing dependency or a cycle
    is a one-line :class:`LibraryError` naming it.
    """
    ordered: list[ToolRecord] = []
    done: set[str] = set()

    def visit(record: ToolRecord, path: tuple[str, ...]) -> None:
        if record.name in done:
            return
        if record.name in path:
            cycle = " -> ".join([*path[path.index(record.name) :], record.name])
            raise LibraryError(
                f"tools depend on each other in a cycle ({cycle}): re-forge one of them "
                "without --compose"
            )
        for dep in getattr(record, "depends", []) or []:
            try:
                child = find(dep)
            except LibraryError:
                raise LibraryError(
                    f"`{record.name}` depends on `{dep}`, which is in no library: "
                    f"%forge import it, or re-forge `{record.name}`"
                ) from None
            visit(child, (*path, record.name))
        done.add(record.name)
        ordered.append(record)

    for root in roots:
        visit(root, ())
    return ordered


def check_composable(name: str, roots: Sequence[ToolRecord], closure: Sequence[ToolRecord]) -> None:
    """A tool cannot call itself through its dependencies (that would be a cycle on save)."""
    if any(r.name == name for r in roots):
        raise SpecError(f"--compose {name}: a tool cannot compose itself; list other tools")
    if any(r.name == name for r in closure):
        via = ", ".join(r.name for r in roots)
        raise SpecError(
            f"--compose {via}: they already depend on `{name}`, so `{name}` cannot call them"
        )


def untrusted(records: Iterable[ToolRecord]) -> list[str]:
    return [r.name for r in records if not r.trusted]


def docstring(code: str, name: str) -> str:
    """The docstring of function ``name`` in ``code`` ("" if none or unparsable)."""
    node = function_def(code, name)
    return (ast.get_docstring(node) or "").strip() if node is not None else ""


MAX_DOC_LINES = 12


def describe(records: Sequence[ToolRecord]) -> str:
    """The prompt block: what each dependency is called with, returns and does."""
    if not records:
        return ""
    lines = [
        "These functions already exist and are available under these names; call them "
        "(do not import, copy or redefine them):"
    ]
    for record in records:
        signature = record.signature or f"{record.name}(...)"
        lines.append(f"- `{signature}`")
        doc = (docstring(record.code, record.name) or record.description).splitlines()
        if len(doc) > MAX_DOC_LINES:  # small local models have small contexts
            doc = [*doc[:MAX_DOC_LINES], "..."]
        lines += [f"    {line}".rstrip() for line in doc]
    return "\n".join(lines)


_LOADER = """

# -- dependencies (%%forge --compose): each in a module of its own, as in the kernel --
def __forge_dependency__(name, code, needs):
    import linecache
    import types

    filename = f"<forge:{name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    module = types.ModuleType(f"forge_tools.{name}")
    module.__dict__.update(needs)
    exec(compile(code, filename, "exec"), module.__dict__)
    return module.__dict__[name]


__forge_dependencies__ = {}
"""


def sandbox_code(candidate: str, closure: Sequence[ToolRecord], direct: Sequence[str]) -> str:
    """What the sandbox runs for a composed candidate: its code, then its dependencies.

    The dependencies come *after* the candidate so its line numbers (in tracebacks
    the model repairs from) stay its own; functions look names up when called, so
    that order is enough. A name the candidate defines itself wins, as it does in
    the kernel (see :class:`~jupyter_forge.kernel.registry.ToolRegistry`).
    """
    if not closure:
        return candidate
    lines = [candidate.rstrip("\n"), _LOADER]
    for record in closure:
        needs = ", ".join(f"{d!r}: __forge_dependencies__[{d!r}]" for d in record.depends)
        lines.append(
            f"__forge_dependencies__[{record.name!r}] = __forge_dependency__("
            f"{record.name!r}, {record.code!r}, {{{needs}}})"
        )
    for name in direct:
        lines.append(f"globals().setdefault({name!r}, __forge_dependencies__[{name!r}])")
    return "\n".join(lines) + "\n"


def uses(code: str, names: Iterable[str]) -> list[str]:
    """Which of ``names`` the code refers to without defining them itself (its real
    dependencies: a name it redefines is its own, and one it never mentions is not needed)."""
    names = list(names)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    defined = {name for node in tree.body for name in bound_names(node)}
    loaded = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    return [n for n in names if n in loaded and n not in defined]


@dataclass(frozen=True)
class Composition:
    """The tools a new tool may call (``direct``) and all they need, dependencies first."""

    direct: tuple[ToolRecord, ...]
    closure: tuple[ToolRecord, ...]

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.direct]

    def prompt(self) -> str:
        return describe(self.direct)

    def sandbox_code(self, candidate: str) -> str:
        return sandbox_code(candidate, self.closure, self.names)

    def depends(self, code: str) -> list[str]:
        """What to record for approved ``code``: the direct dependencies it really uses."""
        return uses(code, self.names)


def composition(
    name: str, direct: Sequence[ToolRecord], find: Callable[[str], ToolRecord]
) -> Composition:
    """Resolve and check what ``name`` may call (a missing dependency or a cycle is an error)."""
    closure = dependency_order(direct, find)
    check_composable(name, direct, closure)
    return Composition(tuple(direct), tuple(closure))


def standalone_code(record: ToolRecord, find: Callable[[str], ToolRecord]) -> str:
    """``record``'s code with everything it calls, to run it alone in a sandbox.

    For callers that run a stored tool outside the kernel (the MCP server, the
    CLI): ``call_tool(standalone_code(record, libs.find), record.name, args)``.
    Raises a one-line :class:`LibraryError` when a dependency is missing or not
    trusted here (an untrusted tool is never run, not even as a dependency).
    """
    closure = dependency_order([record], find)
    blocked = untrusted(closure[:-1])
    if blocked:
        raise LibraryError(
            f"`{record.name}` calls {', '.join(f'`{b}`' for b in blocked)}, not trusted on this "
            f"machine: review with %forge load {' '.join(blocked)} first"
        )
    return sandbox_code(record.code, closure[:-1], record.depends)


def checkable_code(record: ToolRecord, find: Callable[[str], ToolRecord]) -> str:
    """``record``'s code with everything it calls, trusted or not: only for sandbox checks
    (whether a found tool passes a request's samples), never to run it for real."""
    return sandbox_code(record.code, dependency_order([record], find)[:-1], record.depends)


def resolve_compose(
    raw: str | Iterable[str] | None,
    name: str,
    find: Callable[[str], ToolRecord],
    *,
    how_to_review: Callable[[list[str]], str],
) -> tuple[list[ToolRecord], list[str]]:
    """The trusted tools ``--compose`` names for a new tool ``name``, and warnings.

    One rule for the kernel and the CLI (only the review hint differs): each name
    must be in the libraries, the tool may not compose itself, and every tool in
    the chain must be trusted here. Deprecated ones are allowed with a warning.
    """
    names = parse_names(raw)
    if not names:
        return [], []
    records = []
    for dep in names:
        try:
            records.append(find(dep))
        except LibraryError:
            raise SpecError(
                f"--compose {dep}: no tool `{dep}` in the libraries: check the name with "
                "%forge list or %forge search"
            ) from None
    warnings = [
        f"--compose `{r.name}` is deprecated ({r.deprecated.get('reason') or 'no reason given'})"
        for r in records
        if r.deprecated
    ]
    composition(name, records, find)  # a tool composing itself, a cycle: refused here
    blocked = untrusted(dependency_order(records, find))
    if blocked:
        raise SpecError(
            f"--compose: {', '.join(f'`{b}`' for b in blocked)} not trusted on this "
            f"machine: {how_to_review(blocked)}"
        )
    return records, warnings
