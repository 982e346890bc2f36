"""Add the imports a model forgot, from a fixed table, without a model round trip.

Why: small models write ``re.sub``, ``Counter(...)``, ``List[int]`` or ``pd.DataFrame``
and leave out the import; the code then fails when it loads or on its first call, and
a repair round costs a generation (and sometimes breaks code that worked). The fix is
mechanical, and the reviewer sees the added lines like any other code.

A name is fixed only when it is in the table (core/import_table.py), some scope looks
it up as a global that the module never binds, and every use of it fits what the import would give it
(``re.sub`` exists in :mod:`re`; ``datetime.now()`` is the class, ``datetime.timedelta``
the module). Any doubt leaves the code as it is: a missed fix costs one repair round, a
wrong one turns a plain ``NameError`` into a misleading error. This module reads the
code and writes the lines; the table and the rule for a fix are import_table's.
"""

from __future__ import annotations

import ast
import builtins
import re
import symtable
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .import_table import KNOWN_NAMES, Use, installed, resolve, star_names


@dataclass(frozen=True)
class ImportFix:
    """The code with the added import lines, and those lines (empty: code unchanged)."""

    code: str
    added: list[str]


_TYPE_TAKERS = frozenset({"isinstance", "issubclass"})
_LINE_END = re.compile(r"\r\n|\r|\n")
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=]")


def _star_bound(tree: ast.Module) -> set[str] | None:
    """The names the module's ``from m import *`` lines bind; None when one may bind
    anything (a module outside the table, a relative import), so nothing is known
    missing."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)):
            continue
        names = star_names(node.module) if node.module and not node.level else None
        if names is None:
            return None
        bound |= names
    return bound


def _global_names(code: str) -> tuple[set[str], set[str]] | None:
    """(names the module binds, names some scope looks up as globals).

    Why scopes, not "bound anywhere": small models put ``import pandas as pd`` inside
    the function and ``pd.DataFrame`` in its signature, which Python evaluates at
    module level, so the code fails to load. :mod:`symtable` is the compiler's own
    scope analysis. A name declared ``global`` somewhere counts as bound (that scope
    manages it). None when the compiler refuses the code.
    """
    try:
        top = symtable.symtable(code, "<tool>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    bound = {
        sym.get_name()
        for sym in top.get_symbols()
        if sym.is_assigned() or sym.is_imported() or sym.is_namespace()
    }
    needed: set[str] = set()
    tables = [top]
    while tables:
        table = tables.pop()
        tables.extend(table.get_children())
        for sym in table.get_symbols():
            if sym.is_declared_global():
                bound.add(sym.get_name())
            elif sym.is_referenced() and (table is top or sym.is_global()):
                needed.add(sym.get_name())
    return bound, needed


def _annotations(tree: ast.AST) -> list[ast.expr]:
    """The annotation expressions: parameters, returns and annotated assignments."""
    notes: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            notes.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
            notes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            notes.append(node.annotation)
    return notes


def _string_annotations(notes: Iterable[ast.expr]) -> list[ast.expr]:
    """Quoted annotations (``-> "List[int]"``) parsed, so their names count as uses too."""
    parsed: list[ast.expr] = []
    for note in notes:
        for node in ast.walk(note):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:
                    parsed.append(ast.parse(node.value.strip(), mode="eval").body)
                except (SyntaxError, ValueError, MemoryError, RecursionError):
                    continue
    return parsed


def _is_type_position(node: ast.expr, parents: dict[ast.AST, ast.AST]) -> bool:
    """``isinstance(x, T)``, ``except T``, ``defaultdict(T)``, ``default_factory=T``."""
    parent = parents.get(node)
    if isinstance(parent, ast.Tuple):  # isinstance(x, (A, B)) / except (A, B)
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.ExceptHandler):
        return parent.type is node
    if isinstance(parent, ast.keyword):
        return parent.arg == "default_factory"
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name):
        if parent.func.id in _TYPE_TAKERS:
            return len(parent.args) == 2 and parent.args[1] is node
        return parent.func.id == "defaultdict" and bool(parent.args) and parent.args[0] is node
    return False


def _uses(tree: ast.AST, names: set[str], in_annotation: bool) -> dict[str, list[Use]]:
    """How each of ``names`` is loaded in ``tree``."""
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    noted = {id(n) for note in _annotations(tree) for n in ast.walk(note)}
    uses: dict[str, list[Use]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names):
            continue
        parent = parents.get(node)
        use: Use = ("bare", "")
        if isinstance(parent, ast.Attribute) and parent.value is node:
            use = ("attr", parent.attr)
        elif isinstance(parent, ast.Call) and parent.func is node:
            use = ("call", "")
        elif isinstance(parent, ast.Subscript) and parent.value is node:
            use = ("subscript", "")
        elif isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and any(
            d is node for d in parent.decorator_list
        ):
            use = ("decorator", "")
        elif in_annotation or id(node) in noted:
            use = ("annotation", "")
        elif _is_type_position(node, parents):
            use = ("type", "")
        uses.setdefault(node.id, []).append(use)
    return uses


def _isort_key(name: str) -> tuple[int, str]:
    """isort's (and ruff's) order within one import: CONSTANTS, Classes, functions."""
    return (0 if name.isupper() and len(name) > 1 else 1 if name[0].isupper() else 2, name)


def _import_lines(fixes: list[tuple[str, str]]) -> list[str]:
    """Standard library ``import`` lines, then its ``from`` lines, then numpy/pandas."""
    plain = sorted(f"import {target}" for kind, target in fixes if kind == "import")
    grouped: dict[str, list[str]] = {}
    for kind, target in fixes:
        if kind.startswith("from "):
            grouped.setdefault(kind[len("from ") :], []).append(target)
    froms = [
        f"from {m} import {', '.join(sorted(grouped[m], key=_isort_key))}" for m in sorted(grouped)
    ]
    aliases = sorted(f"import {target}" for kind, target in fixes if kind == "alias")
    return plain + froms + aliases


def _insertion_line(code: str, tree: ast.Module) -> int | None:
    """How many lines stay above the imports: docstring, ``__future__``, shebang, coding.

    None when the first real statement shares a line with them (``'''doc'''; x = 1``):
    no line boundary to insert at, so no fix.
    """
    body = tree.body
    index, after = 0, 0
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        index, after = 1, first.end_lineno or first.lineno
    while index < len(body):
        node = body[index]
        if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            break
        index, after = index + 1, node.end_lineno or node.lineno
    if index < len(body):
        node = body[index]
        decorators = getattr(node, "decorator_list", [])
        start = min([node.lineno, *(d.lineno for d in decorators)])
        if start <= after:
            return None
    if after == 0:
        lines = _LINE_END.split(code, maxsplit=2)[:2]
        if lines and (lines[0].startswith("#!") or _CODING.match(lines[0])):
            after = 1
            if len(lines) > 1 and _CODING.match(lines[1]):
                after = 2
    return after


def add_missing_imports(code: str, *, available: Callable[[str], bool] | None = None) -> ImportFix:
    """Add the imports from the fixed table that ``code`` uses but never binds.

    ``available(module)`` says whether numpy/pandas may be imported (default: whether
    they are installed). Code that does not parse comes back unchanged; everything
    but the inserted lines stays byte-for-byte the same, and a second run adds nothing.
    """
    unchanged = ImportFix(code=code, added=[])
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return unchanged
    star_bound = _star_bound(tree)
    names = None if star_bound is None else _global_names(code)
    if star_bound is None or names is None:
        return unchanged
    module_bound, looked_up = names
    module_bound |= star_bound
    unbound = set(KNOWN_NAMES) - set(vars(builtins)) - module_bound
    uses = _uses(tree, unbound & looked_up, in_annotation=False)
    # Quoted annotations are read at module level too (typing.get_type_hints), but the
    # compiler never sees the names inside them: only a module binding satisfies them.
    for quoted in _string_annotations(_annotations(tree)):
        for name, more in _uses(quoted, unbound, in_annotation=True).items():
            uses.setdefault(name, []).extend(more)
    check = available or installed
    fixes = [fix for name in sorted(uses) if (fix := resolve(name, uses[name], check))]
    if not fixes:
        return unchanged
    after = _insertion_line(code, tree)
    if after is None:
        return unchanged
    newline = match.group() if (match := _LINE_END.search(code)) else "\n"
    added = _import_lines(fixes)
    # A used name lives in a statement starting below line ``after``, so that line exists.
    offset = [0, *(m.end() for m in _LINE_END.finditer(code))][after]
    block = "".join(line + newline for line in added)
    return ImportFix(code=code[:offset] + block + code[offset:], added=added)
