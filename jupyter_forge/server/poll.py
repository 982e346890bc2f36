"""What GET tools answers, kept ready off the event loop.

Why: the panel polls every few seconds. At 10,000 tools a re-list stats every
notebook (~35 ms) and the answer is ~4.5 MB of JSON (~40 ms to encode); done on
each poll, on the event loop, it stalled every other request of the server.
Here the listing (core.tool_listing over the kernel's own ``LibrarySet``) and the
encoded answer are rebuilt in a worker thread, one rebuild at a time, and:

* a poll first stats each library folder and its usage file. When none changed
  and none was modified within the last second (a second change in the same clock
  tick would not show in the folder's mtime), the last answer is served at once,
  and a re-list runs in the background when that answer is over a second old:
  a notebook edited in place (its folder unchanged) or a tool trusted in a kernel
  shows at the next poll;
* otherwise (a tool saved, deprecated or removed: the folder changed) the poll
  waits for the re-list, which reads in full only the notebooks that changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, replace
from typing import Any

from ..core.libraries import LibrarySet
from ..core.tool_listing import Listing, Stamp, ToolListing, stamp
from ..core.tool_view import ToolView
from ..core.usage import USAGE_FILE, UsageStore
from .libraries import describe, relative_to_root

RACY_NS = 1_000_000_000  # a folder modified this recently may change again unseen
REVALIDATE_SECONDS = 1.0  # an answer older than this is re-listed behind the next poll

log = logging.getLogger(__name__)


def folder_stamps(libraries: LibrarySet) -> tuple[Stamp, ...]:
    """(mtime_ns, inode) of each library folder, and its usage file and WAL (kernels count
    calls there without touching the folder); None where missing."""
    found: list[Stamp] = []
    for library in libraries.libraries:
        try:
            st = os.stat(library.root)
            found.append((st.st_mtime_ns, st.st_ino))
        except OSError:
            found.append(None)
        usage = library.root / USAGE_FILE
        found += [stamp(usage), stamp(usage.with_name(f"{USAGE_FILE}-wal"))]
    return tuple(found)


@dataclass(frozen=True)
class Snapshot:
    """One answer of GET tools: the listing, its rows, and the encoded body with its ETag."""

    listing: Listing
    calls: dict[str, dict[str, int]]
    libraries: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    by_name: dict[str, int]
    body: bytes
    etag: str
    stamps: tuple[Stamp, ...]
    taken: float
    racy: bool


class ToolsService:
    """The GET tools answers of one server: the last snapshot, and how to refresh it."""

    def __init__(self, libraries: LibrarySet, *, root_dir: str, poll_seconds: float) -> None:
        self.libraries = libraries
        self.listing = ToolListing(libraries)
        self.root_dir = root_dir
        self.poll_seconds = poll_seconds
        self._snapshot: Snapshot | None = None
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[Snapshot] | None = None
        self._dirty = False
        self._usage: dict[str, tuple[tuple[Stamp, Stamp], dict[str, int]]] = {}
        self._bases: dict[int, tuple[ToolView, dict[str, Any]]] = {}

    def invalidate(self) -> None:
        """This server changed a tool: the next poll re-lists, whatever the folder says."""
        self._dirty = True

    async def snapshot(self) -> Snapshot:
        """The current answer: the last one when nothing visible changed, else a fresh one."""
        current = self._snapshot
        if current is not None and not self._dirty and not current.racy:
            stamps = await asyncio.to_thread(folder_stamps, self.libraries)
            if stamps == current.stamps:
                if time.monotonic() - current.taken > REVALIDATE_SECONDS:
                    self._revalidate()
                return current
        return await self._refresh()

    def _revalidate(self) -> None:
        if self._background is None or self._background.done():
            self._background = asyncio.ensure_future(self._refresh())
            self._background.add_done_callback(_log_failure)

    async def _refresh(self) -> Snapshot:
        async with self._lock:
            self._dirty = False
            self._snapshot = await asyncio.to_thread(self._build, self._snapshot)
            return self._snapshot

    # -- in a worker thread ------------------------------------------------------------

    def _build(self, previous: Snapshot | None) -> Snapshot:
        stamps = folder_stamps(self.libraries)
        now = time.time_ns()
        racy = any(s is not None and now - s[0] < RACY_NS for s in stamps)
        listing = self.listing.refresh()
        calls = self._calls()
        libraries = [describe(library) for library in self.libraries.libraries]
        if (
            previous is not None
            and previous.listing is listing
            and previous.calls == calls
            and previous.libraries == libraries
        ):
            return replace(previous, stamps=stamps, taken=time.monotonic(), racy=racy)
        rows = self._rows(listing, calls)
        body = self.encode(listing, libraries, rows, "")
        return Snapshot(
            listing=listing,
            calls=calls,
            libraries=libraries,
            rows=rows,
            by_name={row["name"]: i for i, row in enumerate(rows)},
            body=body,
            etag=hashlib.sha1(body).hexdigest(),
            stamps=stamps,
            taken=time.monotonic(),
            racy=racy,
        )

    def encode(
        self, listing: Listing, libraries: list[dict[str, Any]], rows: list[Any], query: str
    ) -> bytes:
        """The GET tools answer (schema: server/schema.json, ``IToolList``)."""
        answer = {
            "tools": rows,
            "errors": listing.errors,
            "libraries": libraries,
            "query": query,
            "poll_seconds": self.poll_seconds,
        }
        return json.dumps(answer, separators=(",", ":")).encode()

    def search(self, snapshot: Snapshot, query: str) -> bytes:
        """GET tools?q=: core.search's ranking over the same tools, deprecated ones included."""
        listing = snapshot.listing
        hits = listing.index().search(
            query, k=max(len(listing.entries), 1), include_deprecated=True
        )
        rows = [snapshot.rows[snapshot.by_name[h.name]] for h in hits if h.name in snapshot.by_name]
        return self.encode(listing, snapshot.libraries, rows, query)

    def _rows(self, listing: Listing, calls: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
        """A row per tool; what depends only on the view is kept while the view lives."""
        roots = {library.label: str(library.root) for library in self.libraries.libraries}
        bases: dict[int, tuple[ToolView, dict[str, Any]]] = {}
        rows = []
        for view in listing.views:
            known = self._bases.get(id(view))
            if known is None or known[0] is not view:
                base = view.to_json()
                base["library_path"] = roots.get(view.library, "")
                base["notebook"] = relative_to_root(view.path, self.root_dir)
                known = (view, base)
            bases[id(view)] = known
            rows.append({**known[1], "calls": calls.get(view.library, {}).get(view.name)})
        self._bases = bases
        return rows

    def _calls(self) -> dict[str, dict[str, int]]:
        """Calls per tool of each library (core.usage), re-read only when its file changed."""
        found: dict[str, dict[str, int]] = {}
        for library in self.libraries.libraries:
            usage = library.root / USAGE_FILE
            key = (stamp(usage), stamp(usage.with_name(f"{USAGE_FILE}-wal")))
            cached = self._usage.get(library.label)
            if cached is None or cached[0] != key:
                stats = UsageStore.for_library(library.root).stats() if key[0] else {}
                cached = self._usage[library.label] = (key, {n: s.calls for n, s in stats.items()})
            found[library.label] = cached[1]
        return found


def _log_failure(task: asyncio.Task[Snapshot]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("jupyter_forge: re-listing the tool libraries failed", exc_info=task.exception())
