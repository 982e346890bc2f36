"""The tools in reach as ToolView objects, kept current for about a stat per notebook.

Why: a panel polls the list every few seconds. Reading every notebook in full
(nbformat, trust check) on each poll costs seconds at 10,000 tools. The cached
catalog (core/catalog.py) already knows which notebooks changed (mtime, size,
inode); only those are read in full, once, for their trust and call parameters.
A notebook that was not trusted is checked again when the notary database
changes (someone reviewed it in a kernel). Thread-safe: a server refreshes it
off its event loop while other requests read the last :class:`Listing`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import CatalogEntry, read_catalog
from .errors import ForgeError
from .library import Library
from .tool_view import ToolView

if TYPE_CHECKING:
    from .libraries import LibrarySet
    from .search import ToolIndex

Stamp = tuple[int, int] | None


def stamp(path: Path | None) -> Stamp:
    """(mtime_ns, size) of a file, None when it is missing: enough to notice a change."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@dataclass
class Listing:
    """One consistent picture: first library wins a name, libraries in order, then by file.

    ``version`` goes up whenever the views or errors changed, so a caller can keep
    what it derived (a JSON body, a search index) until then.
    """

    views: list[ToolView]
    entries: list[CatalogEntry]
    errors: list[str]
    version: int
    _index: ToolIndex | None = field(default=None, repr=False)

    def index(self) -> ToolIndex:
        """A core.search index of these tools, built on first use (0.3 s at 10,000 tools)."""
        if self._index is None:
            from .search import ToolIndex

            self._index = ToolIndex(self.entries)
        return self._index


@dataclass
class _Read:
    entry: CatalogEntry  # the catalog's object: a new one means the file changed
    view: ToolView | None
    error: str | None


class ToolListing:
    """The views of a :class:`LibrarySet`, refreshed on demand; reads only what changed."""

    def __init__(self, libraries: LibrarySet, *, cache_dir: Path | None = None) -> None:
        self.libraries = libraries
        self.cache_dir = cache_dir
        self.stats: dict[str, int] = {}
        self._lock = threading.Lock()
        self._read: dict[str, _Read] = {}
        self._trust_stamp: Stamp = None
        self._last: Listing | None = None

    def refresh(self) -> Listing:
        """Re-list every library (a stat per notebook) and read in full what changed."""
        with self._lock:
            return self._refresh()

    def _trust_db(self) -> Path | None:
        try:
            return self.libraries.libraries[0].trust_store()
        except Exception:  # no notary (unreadable data dir): every tool reads as untrusted
            return None

    def _refresh(self) -> Listing:
        trust_stamp = stamp(self._trust_db())
        trust_changed = trust_stamp != self._trust_stamp
        self._trust_stamp = trust_stamp
        self.stats = {"read": 0, "cached": 0, "removed": 0}
        views: list[ToolView] = []
        entries: list[CatalogEntry] = []
        errors: list[str] = []
        names: set[str] = set()
        live: set[str] = set()
        for library in self.libraries.libraries:
            if not library.root.is_dir():
                continue  # a library not made yet holds no tools (its describe() says so)
            catalog = read_catalog(library.root, cache_dir=self.cache_dir)
            errors.extend(catalog.errors)
            found = catalog.entries()
            live.update(e.location for e in found)
            try:
                self._read_changed(library, found, trust_changed)
            except (ForgeError, OSError, sqlite3.Error) as exc:
                errors.append(f"{library.label} library {library.root}: {exc}")
                continue
            for entry in found:
                read = self._read[entry.location]
                if read.error is not None:
                    errors.append(read.error)
                elif read.view is not None and read.view.name not in names:
                    names.add(read.view.name)
                    views.append(read.view)
                    entries.append(entry)
        for location in [k for k in self._read if k not in live]:
            del self._read[location]
            self.stats["removed"] += 1
        last = self._last
        changed = (
            last is None
            or self.stats["read"] > 0
            or self.stats["removed"] > 0
            or errors != last.errors
            or len(views) != len(last.views)
        )
        if last is not None and not changed:
            return last
        self._last = Listing(views, entries, errors, 1 if last is None else last.version + 1)
        return self._last

    def _read_changed(
        self, library: Library, found: list[CatalogEntry], trust_changed: bool
    ) -> None:
        """Read in full the notebooks whose catalog entry is new, and the untrusted ones
        when the notary changed; the rest keep their view."""
        stale: list[CatalogEntry] = []
        for entry in found:
            read = self._read.get(entry.location)
            changed = read is None or read.entry is not entry
            untrusted = read is not None and read.view is not None and not read.view.trusted
            if changed or (trust_changed and untrusted):
                stale.append(entry)
            else:
                self.stats["cached"] += 1
        if not stale:
            return
        records = library.read(entry.path for entry in stale)
        for entry in stale:
            item = records[entry.path]
            if isinstance(item, ForgeError):
                self._read[entry.location] = _Read(entry, None, str(item))
            else:
                self._read[entry.location] = _Read(entry, ToolView.of(item), None)
        self.stats["read"] += len(stale)
