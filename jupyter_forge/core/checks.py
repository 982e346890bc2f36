"""Executable checks written as text: ``assert`` lines and "must raise" checks.

Checks come from untrusted text (a model's answer to "write a check per rule the
request states", or a benchmark's hidden tests), so they are parsed strictly:
each top-level piece must be an ``assert`` statement, a ``raises(Exc, f, *args)``
call or a ``with pytest.raises(Exc):`` block that calls the tool, optionally after
a few plain setup statements (imports, assignments). Anything else is reported in
one line and skipped. A parsed check becomes a self-contained
:class:`~.spec.Sample` (the "must raise" forms are rewritten to ``try``/``except``,
so no helper and no pytest is needed); it only ever runs in the sandbox.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from .spec import Sample

MAX_CHECK_CHARS = 1500
MAX_CHECKS = 16

_FENCE = re.compile(r"```[ \t]*(?:python|py|python3)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)
_SETUP = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # as ast splits lines
# What reading hostile text can raise besides SyntaxError: null bytes (ValueError), and
# nesting too deep for the parser or ast.unparse (MemoryError, RecursionError).
UNREADABLE = (SyntaxError, ValueError, MemoryError, RecursionError)


@dataclass(frozen=True)
class Check:
    """One check: the text as written (shown to people) and the sample that runs it."""

    text: str
    sample: Sample
    rule: str = ""  # the words of the request it checks, when the writer quoted them

    def to_json(self) -> dict[str, str | None]:
        return {"text": self.text, "rule": self.rule, **self.sample.to_json()}


def code_text(text: str) -> str:
    """The code in ``text``: its fenced blocks when it has any, else all of it."""
    blocks = _FENCE.findall(text)
    return "\n".join(blocks) if blocks else text


def _segment(lines: list[str], node: ast.stmt) -> str:
    """``ast.get_source_segment`` on lines split once (it splits the whole source per
    call: quadratic, minutes for a 10,000-line answer)."""
    start, end = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    stop = node.end_col_offset
    if start == end:
        return lines[start].encode()[node.col_offset : stop].decode()
    first = lines[start].encode()[node.col_offset :].decode()
    return first + "".join(lines[start + 1 : end]) + lines[end].encode()[:stop].decode()


def _not_python(exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        return f"not Python ({exc.msg})"
    if isinstance(exc, ValueError):
        return f"not Python ({' '.join(str(exc).split())})"
    return "not Python (nested too deeply to read)"


def _chunks(code: str) -> list[tuple[str, str | None]]:
    """Top-level pieces of ``code`` as (source, why it does not parse or None).

    Parsed whole when possible; otherwise piece by piece (a top-level line and its
    indented continuation), so one broken line costs only itself.
    """
    code = textwrap.dedent(code)
    try:
        tree: ast.Module | None = ast.parse(code)
    except UNREADABLE:
        tree = None
    if tree is not None:
        lines = _LINE.findall(code)
        return [(_segment(lines, node), None) for node in tree.body]
    pieces: list[list[str]] = []
    for line in code.split("\n"):
        starts = line[:1] not in (" ", "\t", ")", "]", "}") and line.strip() != ""
        if starts or not pieces:
            pieces.append([line])
        else:
            pieces[-1].append(line)
    out: list[tuple[str, str | None]] = []
    for lines in pieces:
        source = "\n".join(lines).strip("\n")
        if not source.strip() or source.lstrip().startswith("#"):
            continue
        try:
            piece = ast.parse(source)
        except UNREADABLE as exc:
            out.append((source, _not_python(exc)))
            continue
        out.extend((ast.get_source_segment(source, n) or ast.unparse(n), None) for n in piece.body)
    return out


def _calls_tool(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _raises_target(node: ast.expr) -> bool:
    """An exception given as a name, ``module.Name`` or a tuple of those."""
    if isinstance(node, ast.Tuple):
        return bool(node.elts) and all(_raises_target(e) for e in node.elts)
    return isinstance(node, (ast.Name, ast.Attribute))


def _must_raise(exc: ast.expr, body: str, shown: str) -> str:
    """``body`` must raise ``exc``: plain ``try``/``except``, runnable anywhere."""
    message = f"expected {ast.unparse(exc)} from: {shown}"
    return (
        "try:\n"
        + textwrap.indent(body, "    ")
        + f"\nexcept {ast.unparse(exc)}:\n    pass\nelse:\n"
        + f"    raise AssertionError({message!r})"
    )


def _raises_call(node: ast.stmt) -> ast.Call | None:
    """``raises(Exc, f, ...)`` (also ``pytest.raises(Exc, f, ...)``) as a statement."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return None
    call = node.value
    func = call.func
    named = (isinstance(func, ast.Name) and func.id == "raises") or (
        isinstance(func, ast.Attribute) and func.attr == "raises"
    )
    return call if named and len(call.args) >= 2 else None


def _raises_with(node: ast.stmt) -> ast.expr | None:
    """The exception of ``with pytest.raises(Exc):`` / ``with raises(Exc):``, else None."""
    if not isinstance(node, ast.With) or len(node.items) != 1:
        return None
    ctx = node.items[0].context_expr
    if not (isinstance(ctx, ast.Call) and ctx.args):
        return None
    func = ctx.func
    named = (isinstance(func, ast.Name) and func.id == "raises") or (
        isinstance(func, ast.Attribute) and func.attr == "raises"
    )
    return ctx.args[0] if named else None


def _as_check(node: ast.stmt, source: str, name: str) -> tuple[str | None, str | None]:
    """(runnable source, None) for a check statement, or (None, why not)."""
    if isinstance(node, ast.Assert):
        return _identity_as_equality(node) or source, None
    call = _raises_call(node)
    if call is not None:
        exc, func, args = call.args[0], call.args[1], call.args[2:]
        if not _raises_target(exc):
            return None, "the exception in raises(...) is not a name"
        invoked = ast.Call(func=func, args=list(args), keywords=list(call.keywords))
        text = ast.unparse(invoked)
        return _must_raise(exc, text, text), None
    exc_node = _raises_with(node)
    if exc_node is not None and isinstance(node, ast.With):
        if not _raises_target(exc_node):
            return None, "the exception in pytest.raises(...) is not a name"
        body = "\n".join(ast.unparse(stmt) for stmt in node.body)
        return _must_raise(exc_node, body, body.replace("\n", "; ")), None
    return (
        None,
        "not a check (write `assert ...`, `raises(Error, f, ...)` or `with pytest.raises(Error):`)",
    )


def _imports_pytest(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "pytest" for alias in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pytest"


def _identity_as_equality(node: ast.Assert) -> str | None:
    """``f(x) is []`` (always false: a new list is never the same object) as ``== []``,
    which is what its writer meant; None when the assert has no such comparison."""
    changed = False
    for compare in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
        ops: list[ast.cmpop] = []
        for op, right in zip(compare.ops, compare.comparators, strict=True):
            literal = isinstance(right, (ast.List, ast.Dict, ast.Tuple, ast.Set)) or (
                isinstance(right, ast.Constant)
                and right.value is not None
                and not isinstance(right.value, bool)
                and right.value is not Ellipsis
            )
            if literal and isinstance(op, (ast.Is, ast.IsNot)):
                ops.append(ast.Eq() if isinstance(op, ast.Is) else ast.NotEq())
                changed = True
            else:
                ops.append(op)
        compare.ops = ops
    return ast.unparse(node) if changed else None


def _one_line(source: str, limit: int = 80) -> str:
    line = " ".join(source.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def parse_checks(text: str, name: str, *, origin: str = "words") -> tuple[list[Check], list[str]]:
    """The checks in ``text`` that call ``name``, and one line per piece skipped.

    Setup statements (imports, assignments) are kept with the check that follows
    them; a ``>>>`` example would be a sample, not a check, and is skipped.
    """
    checks: list[Check] = []
    skipped: list[str] = []
    setup: list[str] = []
    for source, error in _chunks(code_text(text)):
        if error is not None:
            skipped.append(f"`{_one_line(source)}`: {error}")
            continue
        node = ast.parse(source).body[0]
        if isinstance(node, _SETUP):
            if not _imports_pytest(node):  # the raises forms are rewritten: no pytest needed
                setup.append(source)
            continue
        try:
            runnable, why = _as_check(node, source, name)
        except (MemoryError, RecursionError):
            runnable, why = None, "nested too deeply to read"
        if runnable is None:
            skipped.append(f"`{_one_line(source)}`: {why}")
            continue
        if not _calls_tool(node, name):
            skipped.append(f"`{_one_line(source)}`: does not call `{name}`")
            setup.clear()
            continue
        shown = "\n".join([*setup, source])
        runnable = "\n".join([*setup, runnable])
        setup.clear()
        if len(runnable) > MAX_CHECK_CHARS:
            skipped.append(f"`{_one_line(source)}`: longer than {MAX_CHECK_CHARS} characters")
            continue
        if any(c.text == shown for c in checks):
            continue
        if len(checks) >= MAX_CHECKS:
            skipped.append(f"`{_one_line(source)}`: more than {MAX_CHECKS} checks")
            continue
        checks.append(Check(text=shown, sample=Sample(source=runnable, kind="code", origin=origin)))
    return checks, skipped
