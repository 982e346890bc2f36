"""Which tool libraries the Forge Tools panel can see: the kernel's own ``LibrarySet``.

The server reads the same notebooks the kernel writes, through the same core
code, so the panel works with no kernel running. Every path it serves is confined
to these configured folders: a request names a library by label and a tool by a
Python identifier, never a path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from traitlets import Float, List, Unicode
from traitlets.config import Configurable

from ..core.libraries import LibrarySet
from ..core.library import Library
from ..core.record import ToolRecord

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


def library_set(config: ForgeTools, root_dir: str | os.PathLike[str], forge: Forge) -> LibrarySet:
    """Project, user, then shared libraries, as ``Forge.open_libraries`` orders them for a
    kernel started in the server's root (``Forge.library`` is relative to it); the first
    holding a name wins. Deprecated ``ForgeTools`` folders still win when set."""
    project, user, shared = config.folders(forge)
    root = Path(root_dir).expanduser()
    return LibrarySet.default(root / Path(project).expanduser(), user=user, shared=shared)


def describe(library: Library) -> dict[str, Any]:
    """One entry of GET tools' ``libraries``: a folder that does not exist is said, not hidden."""
    exists = library.root.is_dir()
    return {
        "label": library.label,
        "path": str(library.root),
        "exists": exists,
        "message": "" if exists else f"{library.root} does not exist (yet): no tools there",
    }


def find_library(libraries: LibrarySet, label: str) -> Library:
    for library in libraries.libraries:
        if library.label == label:
            return library
    raise LookupError(f"no library labelled {label!r}: use one of the labels GET tools returns")


def confined_path(library: Library, name: str) -> Path:
    """The notebook of ``name`` in ``library``, refusing anything that resolves outside it."""
    path = library.path_for(name)  # a Python identifier, or SpecError
    if not path.resolve().is_relative_to(library.root.resolve()):
        raise LookupError(f"{name} is not inside the {library.label} library")
    return path


def relative_to_root(path: Path, root_dir: str | os.PathLike[str]) -> str | None:
    """The path for the docmanager, or None when it is outside the server root."""
    try:
        return path.resolve().relative_to(Path(root_dir).resolve()).as_posix()
    except ValueError:
        return None


def get_tool(libraries: LibrarySet, name: str, label: str | None) -> ToolRecord:
    """One tool, from the labelled library or the first that has it (LookupError if none)."""
    candidates = [find_library(libraries, label)] if label else libraries.libraries
    for library in candidates:
        if confined_path(library, name).is_file():
            return library.get(name)
    raise LookupError(f"no tool `{name}` in the libraries in reach")
