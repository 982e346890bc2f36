"""The libraries in reach: the project's, the user's, and shared read-only ones, in order.

A name resolves to the first library that has it, like ``PATH``: a project can
override a team tool without editing the shared folder. New tools are always
saved to the first writable library (the project's, unless configured).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import CatalogEntry, read_catalog
from .environment import USER_LIBRARY, from_env
from .errors import LibraryError
from .library import DEFAULT_LIBRARY, Library
from .record import ToolRecord
from .spec import check_tool_name

if TYPE_CHECKING:
    from .search import ToolIndex

# Indexes by content key: a kernel searching the same unchanged library rebuilds nothing.
_INDEX_CACHE: dict[tuple[tuple[str, float], ...], ToolIndex] = {}


def user_library_dir() -> Path:
    """``$JUPYTER_FORGE_USER_LIBRARY``, else ``~/.local/share/jupyter_forge/tools`` (XDG)."""
    explicit = from_env(USER_LIBRARY)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return Path(base) / "jupyter_forge" / "tools"


@dataclass(frozen=True)
class LibraryLocation:
    root: Path
    label: str
    writable: bool = True


@dataclass(frozen=True)
class Shadowed:
    """A tool hidden by a library earlier in the order (shown so nobody is surprised)."""

    name: str
    hidden: str
    by: str


class LibrarySet:
    """Ordered libraries; read through all of them, write to the first writable one."""

    def __init__(self, locations: Sequence[LibraryLocation], *, notary_dir: str | None = None):
        unique: list[LibraryLocation] = []
        seen: set[Path] = set()
        for location in locations:
            key = Path(os.path.abspath(location.root.expanduser()))
            if key not in seen:
                seen.add(key)
                unique.append(location)
        if not unique:
            raise LibraryError("no tool library configured: set Forge.library")
        self.locations = unique
        self.libraries = [
            Library(loc.root, notary_dir=notary_dir, label=loc.label, writable=loc.writable)
            for loc in unique
        ]
        self.errors: list[str] = []
        self.shadowed: list[Shadowed] = []

    @classmethod
    def default(
        cls,
        project: str | os.PathLike[str] = DEFAULT_LIBRARY,
        *,
        user: str | os.PathLike[str] | None = None,
        shared: Sequence[str | os.PathLike[str]] = (),
        notary_dir: str | None = None,
    ) -> LibrarySet:
        """Project, then user (``None``: the default folder, ``""``: none), then shared."""
        locations = [LibraryLocation(Path(project), "project")]
        user_root = user_library_dir() if user is None else (Path(user) if str(user) else None)
        if user_root is not None:
            locations.append(LibraryLocation(user_root, "user"))
        locations.extend(  # labels name one library each: shared, shared2, ...
            LibraryLocation(Path(s), f"shared{i + 1 if i else ''}", writable=False)
            for i, s in enumerate(shared)
        )
        return cls(locations, notary_dir=notary_dir)

    def __repr__(self) -> str:
        inner = ", ".join(f"{lib.label}={str(lib.root)!r}" for lib in self.libraries)
        return f"LibrarySet({inner})"

    @property
    def primary(self) -> Library:
        """Where new tools go: the first writable library."""
        for library in self.libraries:
            if library.writable:
                return library
        raise LibraryError(
            "every configured library is read-only: set Forge.library to a folder you can write"
        )

    def tools(self) -> list[ToolRecord]:
        """Every readable tool, first library wins; unreadable ones are listed in ``errors``."""
        self.errors, self.shadowed = [], []
        found: dict[str, ToolRecord] = {}
        for library in self.libraries:
            for record in library.tools():
                if record.name in found:
                    self.shadowed.append(
                        Shadowed(record.name, str(record.path), found[record.name].location)
                    )
                    continue
                found[record.name] = record
            self.errors.extend(library.errors)
        return sorted(found.values(), key=lambda r: r.name)

    def library_of(self, name: str) -> Library:
        """The library that holds ``name`` (first in order), with a one-line error if none."""
        check_tool_name(name, allow_builtin=True)
        for library in self.libraries:
            if library.exists(name):
                return library
        where = ", ".join(str(lib.root) for lib in self.libraries)
        raise LibraryError(f"no tool `{name}` in {where}: see %forge list or %forge search")

    def find(self, name: str) -> ToolRecord:
        return self.library_of(name).get(name)

    def writable_library_of(self, name: str) -> Library:
        """The library to change ``name`` in; shared tools are copied, never edited in place."""
        library = self.library_of(name)
        if not library.writable:
            raise LibraryError(
                f"`{name}` lives in the read-only shared library {library.root}: "
                f"%forge import {library.path_for(name)} to make a project copy first"
            )
        return library

    # -- search ----------------------------------------------------------------------

    def entries(self) -> list[CatalogEntry]:
        """Light catalog entries (no code, no trust check) of every library, first wins."""
        found: dict[str, CatalogEntry] = {}
        self.errors = []
        for library in self.libraries:
            if not library.root.is_dir():
                continue  # a library not made yet (the user's, usually) holds no tools
            catalog = read_catalog(library.root)
            self.errors.extend(catalog.errors)
            for entry in catalog.entries():
                found.setdefault(entry.name, entry)
        return sorted(found.values(), key=lambda e: e.name)

    def index(self) -> ToolIndex:
        """A search index of :meth:`entries`, reused while no tool notebook changed."""
        from .search import ToolIndex

        entries = self.entries()
        key = tuple((str(e.path), e.mtime) for e in entries)
        index = _INDEX_CACHE.get(key)
        if index is None:
            _INDEX_CACHE.clear()
            index = _INDEX_CACHE[key] = ToolIndex(entries)
        return index
