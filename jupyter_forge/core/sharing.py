"""Sharing tools: copy tool notebooks between libraries, or flatten them into a module.

Copies keep the notebook bytes as they are. Trust does not travel with them:
the signature lives in this machine's notary, so a colleague's copy is untrusted
until they review it, and an imported notebook is untrusted here until we do.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import LibraryError
from .files import write_atomic
from .library import Library
from .locking import library_lock
from .record import ToolRecord
from .spec import check_tool_name
from .tool_meta import notebook_problem


def _is_tool_notebook(path: Path) -> str:
    """The tool name a notebook declares, or a one-line error saying why it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LibraryError(f"{path} is not a readable notebook ({type(exc).__name__})") from None
    problem = notebook_problem(data)
    if problem is not None:
        raise LibraryError(f"{path}: {problem}")
    meta = data["metadata"]["jupyter_forge"]
    if not meta.get("name"):
        raise LibraryError(
            f"{path} is not a jupyter_forge tool notebook (its metadata names no tool)"
        )
    name = str(meta["name"])
    check_tool_name(name, allow_builtin=True)
    if path.stem != name:
        raise LibraryError(f"{path} declares the tool `{name}`: rename the file to {name}.ipynb")
    return name


def _copy_atomic(source: Path, target: Path) -> None:
    try:
        with source.open("rb") as src:
            write_atomic(target, lambda out: shutil.copyfileobj(src, out), binary=True)
    except OSError as exc:
        raise LibraryError(
            f"could not write {target} ({exc.strerror}): nothing was changed"
        ) from None


def export_notebooks(records: Sequence[ToolRecord], dest: str | os.PathLike[str]) -> list[Path]:
    """Copy tool notebooks to ``dest`` (a folder, created if needed)."""
    folder = Path(dest).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(
            f"cannot create {folder} ({exc.strerror}): choose another --to"
        ) from None
    written = []
    with library_lock(folder):  # the folder may be someone's library: write as its writers do
        for record in records:
            target = folder / record.path.name
            if target.resolve() == record.path.resolve():
                raise LibraryError(f"{target} is the tool's own notebook: export to another folder")
            _copy_atomic(record.path, target)
            written.append(target)
    return written


def import_notebooks(
    source: str | os.PathLike[str], library: Library, *, replace: bool = False
) -> list[str]:
    """Copy tool notebooks (a file or every ``*.ipynb`` of a folder) into ``library``.

    Everything is checked before anything is copied, so a bad file imports nothing.
    """
    origin = Path(source).expanduser()
    if origin.is_dir():
        files = sorted(p for p in origin.glob("*.ipynb") if not p.name.startswith("."))
    elif origin.is_file():
        files = [origin]
    else:
        raise LibraryError(
            f"nothing to import at {origin}: give a tool notebook or a folder of them"
        )
    if not files:
        raise LibraryError(f"{origin} holds no .ipynb files to import")
    names = [_is_tool_notebook(path) for path in files]
    library.ensure_root()
    with library_lock(library.root):
        clashes = [n for n in names if library.exists(n)]
        if clashes and not replace:
            raise LibraryError(
                f"{', '.join(clashes)} already in {library.root}: remove them first or pass --replace"
            )
        for path, name in zip(files, names, strict=True):
            _copy_atomic(path, library.path_for(name))
    for name in names:
        library.audit.append("import", name, detail=f"from {origin}")
    return names


def _split_future_imports(code: str) -> tuple[str, set[str]]:
    """``from __future__`` lines must open a module: lift them out of each tool."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code, set()
    lines = code.split("\n")
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            names.update(alias.name for alias in node.names)
            end = node.end_lineno or node.lineno
            for index in range(node.lineno - 1, end):
                lines[index] = ""
    return "\n".join(lines), names


def _top_level_names(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _check_clashes(records: Sequence[ToolRecord]) -> None:
    """Two tools defining the same helper would overwrite each other in one module."""
    owner: dict[str, str] = {}
    for record in records:
        for name in sorted(_top_level_names(record.code)):
            if name in owner and owner[name] != record.name:
                raise LibraryError(
                    f"`{owner[name]}` and `{record.name}` both define `{name}` at top level: "
                    "export them to separate modules"
                )
            owner[name] = record.name


def export_module(
    records: Sequence[ToolRecord],
    target: str | os.PathLike[str],
    *,
    find: Callable[[str], ToolRecord] | None = None,
) -> Path:
    """Write the trusted tools as one plain Python module, importable outside Jupyter.

    With ``find`` (``LibrarySet.find``), tools that composed tools call are
    included too, before their callers, so the module works on its own.
    """
    if find is not None:
        from .compose import dependency_order

        records = dependency_order(records, find)
    _check_exportable(records)
    path = Path(target).expanduser()
    text = _module_text(records)
    try:
        compile(text, str(path), "exec")  # never write a module that does not even parse
    except SyntaxError as exc:
        raise LibraryError(
            f"the exported module would not parse ({exc.msg}, line {exc.lineno})"
        ) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    except OSError as exc:
        raise LibraryError(f"could not write {path} ({exc.strerror})") from None
    return path


def _check_exportable(records: Sequence[ToolRecord]) -> None:
    """Only reviewed tools, at least one, none overwriting another's helpers."""
    _check_clashes(records)
    untrusted = [r.name for r in records if not r.trusted]
    if untrusted:
        raise LibraryError(
            f"not exporting unreviewed tools ({', '.join(untrusted)}): review them with "
            "%forge load first"
        )
    if not records:
        raise LibraryError("no tools to export")


def _module_docstring(records: Sequence[ToolRecord]) -> str:
    """Where each tool comes from and who approved it, so the module can be traced back."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S%z")
    header = [
        '"""Tools made with jupyter_forge and approved by a person; exported for use outside Jupyter.',
        "",
        f"Exported {stamp}. Edit the tool notebooks, not this file: re-export to update it.",
        "",
    ]
    for record in records:
        approved = record.approved or {}
        header.append(
            f"- {record.name} v{record.version}: {record.path} (model {record.model or '?'}, "
            f"approved by {approved.get('by', '?')} at {approved.get('at', '?')})"
        )
    header.append('"""')
    return "\n".join(header)


def _module_text(records: Sequence[ToolRecord]) -> str:
    """The docstring, the tools' ``from __future__`` imports gathered first, then each tool."""
    futures: set[str] = set()
    blocks = []
    for record in records:
        code, found = _split_future_imports(record.code)
        futures |= found
        blocks.append(f"\n\n# --- {record.name} v{record.version} ({record.path.name}) ---\n")
        blocks.append(code.rstrip("\n"))
    body = [_module_docstring(records)]
    if futures:
        body.append(f"from __future__ import {', '.join(sorted(futures))}")
    body += ["", f"__all__ = {[r.name for r in records]!r}", *blocks]
    return "\n".join(body) + "\n"
