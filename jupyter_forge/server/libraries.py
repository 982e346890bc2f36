"""Which tool libraries the Forge Tools panel can see, and reading them without writing.

The server reads the same notebooks the kernel writes, so the panel works with no
kernel running. Every path it serves is confined to these configured folders: a
request names a library by label and a tool by a Python identifier, never a path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from traitlets import Float, List, Unicode
from traitlets.config import Configurable

from ..core.defs import function_def
from ..core.errors import ForgeError
from ..core.library import Library, ToolRecord
from ..core.spec import check_tool_name
from ..core.tool_meta import notebook_problem

if TYPE_CHECKING:
    from ..forge import Forge

# Deprecated ForgeTools trait -> the Forge trait that replaces it.
DEPRECATED = {
    "project_library": "library",
    "user_library": "user_library",
    "shared_libraries": "shared_libraries",
}


class ForgeTools(Configurable):
    """Settings only the server extension has (``c.ForgeTools.NAME``); which libraries it
    reads are the ``Forge`` settings every front end shares."""

    poll_seconds = Float(
        4.0,
        help="How often the panel re-reads the list (0: never; kernel events still refresh it).",
    ).tag(config=True)
    project_library = Unicode(
        None,
        allow_none=True,
        help="Deprecated: use `Forge.library` (relative to the server's root_dir here). "
        "When set, it still wins.",
    ).tag(config=True)
    user_library = Unicode(
        None,
        allow_none=True,
        help="Deprecated: use `Forge.user_library`. When set to a folder, it still wins; "
        "empty keeps its old meaning: `Forge.user_library` decides.",
    ).tag(config=True)
    shared_libraries = List(
        Unicode(),
        default_value=None,
        allow_none=True,
        help="Deprecated: use `Forge.shared_libraries`. When set, it still wins.",
    ).tag(config=True)

    def deprecations(self) -> list[str]:
        """One warning per deprecated setting that is set (the server logs them)."""
        return [
            f"c.ForgeTools.{old} is deprecated: set c.Forge.{new} instead "
            "(jupyter_forge_config.py is read by the kernel, the command line and this "
            "server alike)"
            for old, new in DEPRECATED.items()
            if getattr(self, old) is not None
        ]

    def folders(self, forge: Forge) -> tuple[str, str | None, list[str]]:
        """(project, user or None, shared): ``forge``'s settings, unless a deprecated
        ForgeTools one is set."""
        project = forge.library if self.project_library is None else self.project_library
        user = self.user_library or forge.user_library
        shared = forge.shared_libraries if self.shared_libraries is None else self.shared_libraries
        return project, user, list(shared)


@dataclass(frozen=True)
class Place:
    """One library in reach: a label the front end uses, and its folder."""

    label: str
    root: Path
    writable: bool = True

    def library(self) -> Library:
        return Library(self.root, label=self.label, writable=self.writable)

    def describe(self) -> dict[str, Any]:
        exists = self.root.is_dir()
        return {
            "label": self.label,
            "path": str(self.root),
            "exists": exists,
            "message": "" if exists else f"{self.root} does not exist (yet): no tools there",
        }


def places(config: ForgeTools, root_dir: str | os.PathLike[str], forge: Forge) -> list[Place]:
    """Project, user, then shared libraries; the first holding a name wins, like the kernel.

    The folders are ``forge``'s (``Forge.library``, relative to the server's root, as a
    kernel started there sees it; ``Forge.user_library``, empty: none; then
    ``Forge.shared_libraries``).
    """
    root = Path(root_dir).expanduser()
    project, user, shared = config.folders(forge)
    found = [Place("project", (root / Path(project).expanduser()))]
    if user is None:  # a Forge built in Python may say None: the default folder
        from ..core.libraries import user_library_dir

        found.append(Place("user", user_library_dir()))
    elif user:
        found.append(Place("user", Path(user).expanduser()))
    for index, folder in enumerate(shared):
        label = "shared" if index == 0 else f"shared{index + 1}"
        found.append(Place(label, Path(folder).expanduser(), writable=False))
    unique: list[Place] = []
    for place in found:
        if all(place.root.resolve() != seen.root.resolve() for seen in unique):
            unique.append(place)
    return unique


def find_place(all_places: list[Place], label: str) -> Place:
    for place in all_places:
        if place.label == label:
            return place
    raise LookupError(f"no library labelled {label!r}: use one of the labels GET tools returns")


def confined_path(place: Place, name: str) -> Path:
    """The notebook of ``name`` in ``place``, refusing anything that resolves outside it."""
    check_tool_name(name, allow_builtin=True)
    path = place.root / f"{name}.ipynb"
    resolved = path.resolve()
    if not resolved.is_relative_to(place.root.resolve()):
        raise LookupError(f"{name} is not inside the {place.label} library")
    return path


def status_of(record: ToolRecord) -> str:
    if getattr(record, "deprecated", None):
        return "deprecated"
    return "approved" if record.trusted else "untrusted"


def call_params(code: str, name: str) -> list[str]:
    """Parameters a call must pass (no default): what "Insert call" writes between the parens."""
    node = function_def(code, name)
    if node is None:
        return []
    args = node.args
    positional = args.posonlyargs + args.args
    required = positional[: len(positional) - len(args.defaults)]
    params = [a.arg for a in required]
    params += [
        f"{a.arg}={a.arg}"
        for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is None
    ]
    return params


def relative_to_root(path: Path, root_dir: str | os.PathLike[str]) -> str | None:
    """The notebook's path for the docmanager, or None when it is outside the server root."""
    try:
        return path.resolve().relative_to(Path(root_dir).resolve()).as_posix()
    except ValueError:
        return None


def summary(record: ToolRecord, place: Place, root_dir: str, calls: int | None) -> dict[str, Any]:
    lines = record.description.strip().splitlines()
    return {
        "name": record.name,
        "description": lines[0] if lines else "",
        "version": record.version,
        "status": status_of(record),
        "trusted": record.trusted,
        "deprecated": getattr(record, "deprecated", None),
        "calls": calls,
        "library": place.label,
        "library_path": str(place.root),
        "notebook": relative_to_root(record.path, root_dir),
        "signature": record.signature,
        "params": call_params(record.code, record.name),
        "updated": record.updated,
    }


def read_history(path: Path) -> list[dict[str, Any]]:
    """Archived versions as stored in the notebook (read only; newest last)."""
    import nbformat

    try:
        with path.open(encoding="utf-8") as handle:
            nb = nbformat.read(handle, as_version=4)
    except Exception:
        return []
    if notebook_problem(nb) is not None:  # the tool list already names it as skipped
        return []
    history = nb.metadata["jupyter_forge"].get("history", [])
    out = []
    for item in history if isinstance(history, list) else []:
        if not isinstance(item, dict):
            continue
        validation = item.get("validation")
        passed = (
            validation.get("passed")
            if isinstance(validation, dict)
            else item.get("validation_passed")
        )
        out.append(
            {
                "version": item.get("version"),
                "updated": item.get("updated"),
                "model": item.get("model"),
                "request": item.get("request"),
                "passed": passed,
                "code": item.get("code"),
            }
        )
    return out


def detail(
    record: ToolRecord, place: Place, root_dir: str, stats: dict[str, Any] | None
) -> dict[str, Any]:
    calls = stats.get("calls") if stats else None
    data = summary(record, place, root_dir, calls if isinstance(calls, int) else None)
    data.update(
        {
            "full_description": record.description,
            "code": record.code,
            "request": record.request,
            "model": record.model,
            "model_id": record.model_id,
            "samples": [{"kind": s.kind, "text": s.as_doctest()} for s in record.samples],
            "validation": record.validation,
            "requirements": list(record.requirements),
            "findings": list(record.findings),
            "created": record.created,
            "approved": record.approved,
            "history": read_history(record.path),
            "stats": stats,
        }
    )
    return data


def list_tools(all_places: list[Place]) -> tuple[list[tuple[ToolRecord, Place]], list[str]]:
    """Every tool in reach, first library wins a name; unreadable notebooks go to errors."""
    seen: set[str] = set()
    found: list[tuple[ToolRecord, Place]] = []
    errors: list[str] = []
    for place in all_places:
        library = place.library()
        try:
            records = library.tools()
        except (ForgeError, OSError) as exc:
            errors.append(f"{place.label} library {place.root}: {exc}")
            continue
        errors.extend(library.errors)
        for record in records:
            if record.name not in seen:
                seen.add(record.name)
                found.append((record, place))
    return found, errors


def get_tool(all_places: list[Place], name: str, label: str | None) -> tuple[ToolRecord, Place]:
    """One tool, from the named library or the first that has it (LookupError if none)."""
    candidates = [find_place(all_places, label)] if label else all_places
    for place in candidates:
        path = confined_path(place, name)
        if path.is_file():
            return place.library().get(name), place
    raise LookupError(f"no tool `{name}` in the libraries in reach")
