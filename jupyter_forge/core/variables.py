"""Describe live kernel variables for the prompt: names, types, shapes, never data.

Users ask for functions *about their data* ("clean the price column of df"). The
model writes better code when it knows ``df`` is a DataFrame with a ``price``
column of dtype object; it must not see the rows. Duck-typed so the core does
not import pandas or numpy.
"""

from __future__ import annotations

import ast
import io
import keyword
import pickle
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .errors import SpecError

_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_MAX_COLUMNS = 40


@dataclass(frozen=True)
class VariableInfo:
    name: str
    description: str


def _type_name(value: Any) -> str:
    kind = type(value)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _capped(items: Iterable[str], total: int) -> str:
    """The first ``_MAX_COLUMNS`` items, and how many more there are."""
    shown = ", ".join(list(items)[:_MAX_COLUMNS])
    return shown + (f", ... {total - _MAX_COLUMNS} more" if total > _MAX_COLUMNS else "")


def _describe(value: Any) -> str:
    type_name = _type_name(value)
    columns = getattr(value, "columns", None)
    dtypes = getattr(value, "dtypes", None)
    shape = getattr(value, "shape", None)
    if columns is not None and dtypes is not None and shape is not None:
        try:
            pairs = (f"{col!r}: {dtype}" for col, dtype in list(dtypes.items())[:_MAX_COLUMNS])
            listed = _capped(pairs, len(columns))
            return f"{type_name} with shape {tuple(shape)}, columns {{{listed}}}"
        except Exception:
            return f"{type_name} with shape {tuple(shape)}"
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        name = getattr(value, "name", None)
        named = f", name {name!r}" if isinstance(name, str) else ""
        return f"{type_name} with shape {tuple(shape)}, dtype {dtype}{named}"
    if isinstance(value, (bool, int, float, complex)):
        return type_name
    if isinstance(value, (str, bytes)):
        return f"{type_name} of length {len(value)}"
    if isinstance(value, Mapping):
        keys = list(value.keys())[:10]
        key_text = ", ".join(repr(k) for k in keys if isinstance(k, (str, int)))
        return (
            f"{type_name} with {len(value)} keys ({key_text}{', ...' if len(value) > 10 else ''})"
        )
    if isinstance(value, (list, tuple, set, frozenset)):
        element_types = sorted({type(item).__name__ for item in list(value)[:50]})
        inner = f" of {'/'.join(element_types)}" if element_types else ""
        return f"{type_name} of {len(value)} items{inner}"
    return type_name


def mentioned_names(texts: Iterable[str]) -> list[str]:
    """Identifiers that appear in the request or samples, in first-seen order."""
    seen: list[str] = []
    for text in texts:
        for match in _IDENT.findall(text):
            if match not in seen and not keyword.iskeyword(match):
                seen.append(match)
    return seen


def _outline(value: Any) -> str | None:
    """A table's type and column names only: what a sample's bare argument is, without
    dtypes and shape (a model told ``'ts': object`` insists on strings; it copies the
    shape into the docstring). None for anything else: a list or a string a sample reads
    is described by the sample itself, and telling more changed answers that were right."""
    typed = _type_name(value)
    columns = getattr(value, "columns", None)
    if columns is not None and getattr(value, "dtypes", None) is not None:
        names = (repr(c) for c in list(columns)[:_MAX_COLUMNS])
        return f"{typed} with columns {_capped(names, len(columns))}"
    if getattr(value, "shape", None) is not None and getattr(value, "dtype", None) is not None:
        name = getattr(value, "name", None)
        return f"{typed} named {name!r}" if isinstance(name, str) else typed
    return None


def describe_variables(
    texts: Iterable[str],
    namespace: Mapping[str, Any],
    *,
    exclude: Iterable[str] = (),
    outline: bool = False,
) -> list[VariableInfo]:
    """Describe the data variables of ``namespace`` that the texts mention (``outline``:
    only tables, by their columns' names)."""
    skip = set(exclude)
    infos = []
    for name in mentioned_names(texts):
        if name in skip or name.startswith("_") or name not in namespace:
            continue
        value = namespace[name]
        if isinstance(value, (ModuleType, type)) or callable(value):
            continue
        description = _outline(value) if outline else _describe(value)
        if description is not None:
            infos.append(VariableInfo(name=name, description=description))
    return infos


class _FreeNames(ast.NodeVisitor):
    """Names read before the samples assign them, visiting in execution order."""

    def __init__(self) -> None:
        self.loaded: list[str] = []
        self.stored: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.stored.add(node.id)
        elif node.id not in self.stored and node.id not in self.loaded:
            self.loaded.append(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        # `df = df.dropna()` reads the kernel's `df` before rebinding it.
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.visit_Name(ast.Name(id=node.target.id, ctx=ast.Load()))
        self.visit(node.target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self.visit(node.target)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.visit(node.iter)
        self.visit(node.target)
        for condition in node.ifs:
            self.visit(condition)

    def _visit_comp(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        for generator in node.generators:
            self.visit(generator)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _visit_comp


def sample_free_names(sources: Iterable[str]) -> list[str]:
    """Names the samples read before assigning them: candidates for kernel inputs."""
    visitor = _FreeNames()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        visitor.visit(tree)
    return list(visitor.loaded)


def pickle_inputs(
    names: Iterable[str], namespace: Mapping[str, Any], *, exclude: Iterable[str] = ()
) -> dict[str, bytes]:
    """Pickle the kernel variables the samples use, to send them *into* the sandbox."""
    skip = set(exclude)
    out: dict[str, bytes] = {}
    for name in names:
        if name in skip or name not in namespace:
            continue
        value = namespace[name]
        if isinstance(value, ModuleType) or callable(value):
            continue
        buffer = io.BytesIO()
        try:
            pickle.dump(value, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise SpecError(
                f"a sample uses the variable `{name}`, which cannot be sent to the sandbox "
                f"({type(exc).__name__}: {exc}): build it inside the sample instead"
            ) from None
        out[name] = buffer.getvalue()
    return out
