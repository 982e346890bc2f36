"""A fast, read-only listing of a tool library folder, for search and panels at 10,000 tools.

`Library.tools()` reads every notebook with nbformat (schema validation, signature
check): right for loading a tool, far too slow for listing thousands of them. The
catalog reads only each notebook's ``jupyter_forge`` metadata with the plain json
module and remembers what it parsed in the user's cache dir, keyed by file name,
mtime, size and inode, so a warm listing costs one ``stat`` per file. It never
writes inside the library folder: reading a colleague's shared library changes
nothing on disk. A broken notebook is named in ``errors`` and skipped, never raised.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .files import cache_dir, write_atomic
from .tool_meta import notebook_problem

CACHE_FORMAT = 2
default_cache_dir = cache_dir  # re-creatable data, safe to delete (core/files.py)


@dataclass(slots=True)
class CatalogEntry:
    """What search and a panel need about one tool; no code, no trust check.

    Slotted and holding the path as a string: 10,000 of these stay in a kernel.
    """

    name: str
    version: int
    description: str
    signature: str
    request: str
    samples: list[str]
    deprecated: bool
    deprecated_reason: str
    location: str
    mtime: float
    updated: str = ""
    model: str = ""

    @property
    def path(self) -> Path:
        return Path(self.location)

    def to_json(self) -> list[Any]:
        return [getattr(self, name) for name in _FIELDS]

    @classmethod
    def from_json(cls, data: list[Any]) -> CatalogEntry:
        return cls(*data)


_FIELDS = [f.name for f in fields(CatalogEntry)]


class NotToolNotebook(ValueError):
    """The file is not a jupyter_forge tool notebook we can list (message says why)."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def parse_entry(path: Path, raw: bytes, mtime: float) -> CatalogEntry:
    """One notebook's metadata as an entry; raises NotToolNotebook with a one-line reason."""
    try:
        nb = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotToolNotebook(f"not valid JSON ({type(exc).__name__})") from None
    problem = notebook_problem(nb)
    if problem is not None:
        raise NotToolNotebook(problem)
    forge = nb["metadata"]["jupyter_forge"]
    version = int(forge.get("version", 1))
    samples: list[str] = []
    raw_samples = forge.get("samples")
    if isinstance(raw_samples, list):
        for sample in raw_samples:
            if isinstance(sample, dict) and isinstance(sample.get("source"), str):
                samples.append(sample["source"])
    deprecated = forge.get("deprecated")
    return CatalogEntry(
        name=_text(forge.get("name")) or path.stem,
        version=version,
        description=_text(forge.get("description")),
        signature=_text(forge.get("signature")),
        request=_text(forge.get("request")),
        samples=samples,
        deprecated=bool(deprecated),
        deprecated_reason=_text(deprecated.get("reason")) if isinstance(deprecated, dict) else "",
        location=str(path),
        mtime=mtime,
        updated=_text(forge.get("updated")),
        model=_text(forge.get("model")),
    )


@dataclass
class _Cached:
    key: list[int]
    entry: CatalogEntry | None
    error: str | None


@dataclass
class Catalog:
    """The tools of one library folder, re-read only where files changed.

    ``refresh()`` (or ``entries()``) re-lists the folder: new or changed files
    (mtime, size or inode differ) are parsed, removed ones dropped, the rest come
    from memory or the on-disk cache. ``use_cache=False`` skips the disk cache.
    ``generation`` goes up whenever the listed entries changed, so a search index
    built from them is rebuilt only then.
    """

    root: Path
    cache_dir: Path | None = None
    use_cache: bool = True
    errors: list[str] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    generation: int = 0
    _known: dict[str, _Cached] = field(default_factory=dict, repr=False)
    _entries: list[CatalogEntry] = field(default_factory=list, repr=False)
    _loaded: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).expanduser()

    # -- the on-disk cache ---------------------------------------------------------

    @property
    def cache_file(self) -> Path:
        """One JSON file per library folder, named by a hash of its absolute path."""
        base = self.cache_dir if self.cache_dir is not None else default_cache_dir()
        digest = hashlib.sha256(str(self.root.absolute()).encode()).hexdigest()[:20]
        return Path(base) / "catalog" / f"{digest}.json"

    def _load_cache(self) -> None:
        self._loaded = True
        if not self.use_cache:
            return
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
            if (
                data.get("format") != CACHE_FORMAT
                or data.get("fields") != _FIELDS
                or data.get("root") != str(self.root.absolute())
            ):
                return
            for fname, item in data["files"].items():
                entry = item.get("entry")
                self._known[fname] = _Cached(
                    key=list(item["key"]),
                    entry=CatalogEntry.from_json(entry) if entry else None,
                    error=item.get("error"),
                )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._known.clear()  # a missing or damaged cache only costs a cold read

    def _save_cache(self) -> None:
        """Atomic replace; a read-only or full cache dir just means no cache next time."""
        if not self.use_cache:
            return
        target = self.cache_file
        files = {
            fname: {
                "key": c.key,
                "entry": c.entry.to_json() if c.entry else None,
                "error": c.error,
            }
            for fname, c in self._known.items()
        }
        data = {
            "format": CACHE_FORMAT,
            "fields": _FIELDS,
            "root": str(self.root.absolute()),
            "files": files,
        }
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(data, separators=(",", ":"))  # C encoder: 5x dump()
            write_atomic(target, text, mode=None, durable=False)  # a cache: rebuilt when lost
        except OSError:
            pass

    # -- listing -------------------------------------------------------------------

    def _scan(self) -> Iterator[tuple[str, os.stat_result]]:
        with os.scandir(self.root) as it:
            for item in it:
                if item.name.startswith(".") or not item.name.endswith(".ipynb"):
                    continue
                try:
                    if item.is_file():
                        yield item.name, item.stat()
                except OSError:
                    continue  # vanished between listing and stat

    def refresh(self) -> list[CatalogEntry]:
        """Re-list the folder; returns the entries sorted by name (errors in ``errors``)."""
        if not self._loaded:
            self._load_cache()
        self.errors = []
        self.stats = {"parsed": 0, "cached": 0, "removed": 0}
        if not self.root.is_dir():
            what = "is not a folder" if self.root.exists() else "does not exist"
            self.errors.append(
                f"the library folder {self.root} {what} (moved or deleted?): "
                "point Forge.library or --library at an existing folder"
            )
            return self._set_entries([], changed=bool(self._entries))
        try:
            listing = dict(self._scan())
        except OSError as exc:
            self.errors.append(f"cannot list the library folder {self.root} ({exc.strerror})")
            return self._set_entries([], changed=bool(self._entries))
        changed = False
        for fname in [f for f in self._known if f not in listing]:
            del self._known[fname]
            self.stats["removed"] += 1
            changed = True
        for fname, st in listing.items():
            key = [st.st_mtime_ns, st.st_size, st.st_ino]
            cached = self._known.get(fname)
            if cached is not None and cached.key == key:
                self.stats["cached"] += 1
                continue
            self._known[fname] = self._parse(fname, key, st.st_mtime)
            self.stats["parsed"] += 1
            changed = True
        entries: list[CatalogEntry] = []
        for fname in sorted(self._known):
            cached = self._known[fname]
            if cached.entry is not None:
                entries.append(cached.entry)
            else:
                self.errors.append(f"{fname}: {cached.error}")
        if changed:
            self._save_cache()
        return self._set_entries(entries, changed=changed or self.generation == 0)

    def _set_entries(self, entries: list[CatalogEntry], *, changed: bool) -> list[CatalogEntry]:
        if changed:
            self.generation += 1
        self._entries = entries
        return entries

    def _parse(self, fname: str, key: list[int], mtime: float) -> _Cached:
        path = self.root / fname
        try:
            raw = path.read_bytes()
            entry = parse_entry(path, raw, mtime)
        except NotToolNotebook as exc:
            return _Cached(key, None, f"{exc}: restore it from version control or remove it")
        except OSError as exc:
            return _Cached(key, None, f"cannot be read ({exc.strerror}): fix its permissions")
        return _Cached(key, entry, None)

    def entries(self, *, include_deprecated: bool = True) -> list[CatalogEntry]:
        """The last listing (listing the folder first if it never was); ``refresh()`` re-lists."""
        found = self._entries if self.generation else self.refresh()
        return found if include_deprecated else [e for e in found if not e.deprecated]

    def get(self, name: str) -> CatalogEntry | None:
        """The entry named ``name`` from the last refresh."""
        return next((e for e in self._entries if e.name == name), None)


def read_catalog(
    root: str | os.PathLike[str], *, cache_dir: str | os.PathLike[str] | None = None
) -> Catalog:
    """The catalog of ``root``, just refreshed; ``.entries()`` then costs nothing.

    The same Catalog object is kept per folder in this process, so calling this
    again only stats the files (55 ms at 10,000 tools) instead of reloading the
    cache file, and ``generation`` tells whether anything changed since.
    """
    key = (str(Path(root).expanduser().absolute()), None if cache_dir is None else str(cache_dir))
    catalog = _OPEN.get(key)
    if catalog is None:
        catalog = Catalog(Path(root), Path(cache_dir) if cache_dir is not None else None)
        _OPEN[key] = catalog
    catalog.refresh()
    return catalog


_OPEN: dict[tuple[str, str | None], Catalog] = {}
