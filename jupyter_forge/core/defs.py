"""Which ``def NAME`` a piece of code means: one answer for every module that asks.

Why: a module can define a name twice, and Python binds the *last* definition. Code
that looked up the first one described a function the kernel would never run (the
signature in the library, the call the panel inserts, the docstring the prompt shows).
"""

from __future__ import annotations

import ast

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def parse_quietly(code: str) -> ast.Module | None:
    """``ast.parse`` that answers None for code that is not Python (or too deep to parse)."""
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def function_def(code: str | ast.Module, name: str) -> FunctionNode | None:
    """The top-level ``def name`` the module binds (the last one), or None."""
    tree = parse_quietly(code) if isinstance(code, str) else code
    if tree is None:
        return None
    found: FunctionNode | None = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node
    return found


def bound_names(node: ast.stmt) -> set[str]:
    """The names a top-level statement binds: a ``def`` or ``class``, an import (``a.b``
    binds ``a``), an assignment's targets; other statements bind none here."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign):
        targets = [node.target]
    else:
        return set()
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
