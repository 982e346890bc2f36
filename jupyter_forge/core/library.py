"""The tool library: a folder of tool notebooks, written atomically, trusted by signature.

One ``NAME.ipynb`` per tool. Saving signs the notebook with nbformat's notary
(an HMAC in the user's Jupyter data dir), so a notebook changed by anyone else,
or written on another machine, is not trusted until a person reviews it here.
Every write holds the library's lock (two kernels never lose a version) and is
recorded in its audit log. The notebook format itself (how a tool is written as a
notebook and read back into a :class:`ToolRecord`) is core/notebook.py's.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .audit import AuditLog, current_user
from .errors import LibraryError
from .files import write_atomic
from .history import History
from .locking import library_lock
from .record import FORMAT_VERSION, ToolRecord, now_iso
from .spec import Sample, check_tool_name

if TYPE_CHECKING:
    from nbformat import NotebookNode
    from nbformat.sign import NotebookNotary

# nbformat (with jsonschema) takes over a second to import: it is imported where a
# notebook is actually read or written, so `%load_ext jupyter_forge` stays instant.

__all__ = ["DEFAULT_LIBRARY", "FORMAT_VERSION", "Library", "ToolRecord", "now_iso"]

DEFAULT_LIBRARY = "forge_tools"


class Library:
    """Read and write the tool notebooks of one folder."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        notary_dir: str | None = None,
        label: str = "",
        writable: bool = True,
    ) -> None:
        self.root = Path(root).expanduser()
        self._notary_dir = notary_dir
        self.label = label
        self.writable = writable
        self.errors: list[str] = []
        self.audit = AuditLog(self.root)
        self._notary_obj: tuple[int, NotebookNotary] | None = None

    def _notary(self) -> NotebookNotary:
        """One notary per Library and thread: opening the key and database is not free,
        and an SQLite connection may only be used by the thread that opened it."""
        from . import signatures  # imports nbformat (see above)

        thread = threading.get_ident()
        if self._notary_obj is None or self._notary_obj[0] != thread:
            self._notary_obj = (thread, signatures.notary(self._notary_dir))
        return self._notary_obj[1]

    def _is_signed(self, nb: NotebookNode) -> bool:
        """nbformat's trust check (its ``last_seen`` refresh waits for :meth:`_touch_seen`)."""
        return bool(self._notary().check_signature(nb))

    def _touch_seen(self) -> None:
        """Refresh ``last_seen`` of the signatures checked, in one transaction."""
        flush = getattr(self._notary().store, "flush_seen", None)  # a BatchedSignatureStore
        if flush is not None:
            flush()

    def __repr__(self) -> str:
        return f"Library({str(self.root)!r})"

    def path_for(self, name: str) -> Path:
        check_tool_name(name, allow_builtin=True)
        return self.root / f"{name}.ipynb"

    def exists(self, name: str) -> bool:
        return self.path_for(name).is_file()

    def current_version(self, name: str) -> int | None:
        """The saved version of ``name`` (None: not saved here, or unreadable: saving
        then starts over at v1 and keeps the broken file aside)."""
        if not self.exists(name):
            return None
        try:
            return self.get(name).version
        except LibraryError:
            return None

    # -- reading -------------------------------------------------------------------

    def _read(self, path: Path) -> NotebookNode:
        from .notebook import read_tool_notebook  # imports nbformat (see above)

        return read_tool_notebook(path)

    def _record(self, path: Path, nb: NotebookNode) -> ToolRecord:
        from .notebook import tool_record

        return tool_record(path, nb, trusted=self._is_signed, location=self.label)

    def get(self, name: str) -> ToolRecord:
        path = self.path_for(name)
        record = self._record(path, self._read(path))
        self._touch_seen()
        return record

    def __iter__(self) -> Iterator[ToolRecord]:
        return iter(self.tools())

    def tools(self) -> list[ToolRecord]:
        """Every readable tool; unreadable notebooks are listed in ``errors``, never fatal."""
        self.errors = []
        if not self.root.is_dir():
            return []
        found = self.read(
            p for p in sorted(self.root.glob("*.ipynb")) if not p.name.startswith(".")
        )
        self.errors = [str(item) for item in found.values() if isinstance(item, LibraryError)]
        return [item for item in found.values() if isinstance(item, ToolRecord)]

    def read(self, paths: Iterable[Path]) -> dict[Path, ToolRecord | LibraryError]:
        """Each notebook as a record, or the error saying why it is skipped; one trust
        refresh for all (a cached listing re-reads only the notebooks that changed)."""
        found: dict[Path, ToolRecord | LibraryError] = {}
        for path in paths:
            try:
                found[path] = self._record(path, self._read(path))
            except LibraryError as exc:
                found[path] = exc
        self._touch_seen()
        return found

    def trust_store(self) -> Path | None:
        """The notary database trust is looked up in: when it changes, a tool may be trusted."""
        db = getattr(self._notary(), "db_file", None)
        return Path(db) if isinstance(db, str) and db != ":memory:" else None

    # -- writing -------------------------------------------------------------------

    def ensure_root(self) -> None:
        if not self.writable:
            raise LibraryError(
                f"the {self.label or 'shared'} library {self.root} is read-only here: save to your "
                "project library instead (--library or Forge.library)"
            )
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(
                f"cannot create the library folder {self.root} ({exc.strerror}): choose another "
                "with --library or Forge.library"
            ) from None
        if not os.access(self.root, os.W_OK):
            raise LibraryError(
                f"the library folder {self.root} is read-only: choose another with --library or "
                "Forge.library, or fix its permissions"
            )

    def _write_atomic(self, path: Path, nb: NotebookNode) -> None:
        """Temp file in the same folder, fsync, rename: a crash never leaves half a tool."""
        import nbformat

        self.ensure_root()
        try:
            write_atomic(path, lambda handle: nbformat.write(nb, handle))
        except OSError as exc:
            raise LibraryError(
                f"could not write {path} ({exc.strerror}): nothing was changed"
            ) from None

    def _drop_stale_temps(self, name: str) -> None:
        """Temp files of writers killed mid-write: every writer holds the lock, so none is live."""
        for stale in self.root.glob(".*.tmp"):
            stale.unlink(missing_ok=True)

    def save(
        self,
        *,
        name: str,
        code: str,
        description: str,
        signature: str,
        request: str,
        model: str,
        samples: Sequence[Sample],
        model_id: str = "",
        schema: dict[str, Any] | None,
        validation: dict[str, Any] | None,
        requirements: Sequence[str] = (),
        findings: Sequence[str] = (),
        approved_how: str = "widget",
        kernel_names: Sequence[str] = (),
        note: str = "",
        depends: Sequence[str] = (),
        edited: dict[str, Any] | None = None,
    ) -> ToolRecord:
        """Write (or replace, as a new version) the tool notebook, and sign it as reviewed."""
        path = self.path_for(name)
        self.ensure_root()
        with library_lock(self.root):
            self._drop_stale_temps(name)
            previous = self._previous(path)
            record = ToolRecord(
                name=name,
                version=previous.version + 1,
                code=code,
                path=path,
                description=description,
                signature=signature,
                request=request,
                model=model,
                model_id=model_id,
                samples=list(samples),
                schema=schema,
                validation=validation,
                requirements=list(requirements),
                findings=list(findings),
                created=previous.created,
                updated=now_iso(),
                approved=_approval(approved_how, edited),
                trusted=True,
                history=previous.history,
                location=self.label,
                depends=list(depends),
            )
            self._write_signed(record, note=note, kernel_names=kernel_names)
        detail = note or f"approved by {approved_how}"
        self.audit.append("approve", name, version=record.version, model=model, detail=detail)
        return record

    def _previous(self, path: Path) -> _Previous:
        """What the notebook being replaced passes on to the new version.

        A corrupt old notebook is not silently destroyed: it is kept aside, and the
        new one starts over at v1.
        """
        created = now_iso()
        if not path.exists():
            return _Previous(0, created, [])
        try:
            old = self._record(path, self._read(path))
        except LibraryError:
            os.replace(path, path.with_suffix(f".corrupt-{int(time.time())}.ipynb.bak"))
            return _Previous(0, created, [])
        history = [v.to_json() for v in old.versions().versions]
        return _Previous(old.version, old.created or created, history)

    def _write_signed(self, record: ToolRecord, *, note: str, kernel_names: Sequence[str]) -> None:
        """The notebook of ``record``, signed as reviewed here and written atomically."""
        from .notebook import build_tool_notebook

        meta = record.meta
        meta["history"] = record.history
        if note:
            meta["note"] = note
        nb = build_tool_notebook(
            name=record.name,
            code=record.code,
            description=record.description,
            signature=record.signature,
            samples=record.samples,
            metadata=meta,
            kernel_names=kernel_names,
        )
        self._notary().sign(nb)
        self._write_atomic(record.path, nb)

    def _rewrite_metadata(self, name: str, change: dict[str, Any]) -> ToolRecord:
        """Change metadata only; re-sign only what was trusted, so trust is never laundered."""
        path = self.path_for(name)
        self.ensure_root()
        with library_lock(self.root):
            nb = self._read(path)
            was_trusted = self._is_signed(nb)
            nb.metadata["jupyter_forge"].update(change)
            if was_trusted:
                self._notary().sign(nb)
            self._write_atomic(path, nb)
            return self._record(path, nb)

    def deprecate(self, name: str, reason: str = "") -> ToolRecord:
        """Hide a tool from search and prompts; it stays loadable by name, with a warning."""
        deprecated = {"by": current_user(), "at": now_iso(), "reason": reason}
        record = self._rewrite_metadata(name, {"deprecated": deprecated})
        self.audit.append("deprecate", name, version=record.version, detail=reason)
        return record

    def undeprecate(self, name: str) -> ToolRecord:
        record = self._rewrite_metadata(name, {"deprecated": None})
        self.audit.append("undeprecate", name, version=record.version)
        return record

    def history(self, name: str) -> History:
        return self.get(name).versions()

    def rollback(self, name: str, version: int, *, approved_how: str = "rollback") -> ToolRecord:
        """Restore an earlier version as a new one; only versions reviewed on this machine."""
        from .schema import function_schema, signature_text

        current = self.get(name)
        if not current.trusted:
            raise LibraryError(
                f"{current.path} is not trusted on this machine, so neither is its history: "
                f"review it with %forge load {name} first"
            )
        old = current.versions().get(version)
        if old.current:
            raise LibraryError(f"v{version} is already the current version of `{name}`")
        if not old.reviewed:
            raise LibraryError(
                f"v{version} of `{name}` was archived from a notebook nobody reviewed here: "
                "it cannot be restored without review (copy its code into a %%forge edit instead)"
            )
        try:
            schema: dict[str, Any] | None = function_schema(old.code, name)
            signature = signature_text(old.code, name)
        except Exception:
            schema, signature = current.schema, current.signature
        description = (schema or {}).get("function", {}).get("description") or current.description
        record = self.save(
            name=name,
            code=old.code,
            description=str(description),
            signature=signature,
            request=old.request,
            model=old.model,
            samples=old.samples,
            schema=schema,
            validation=old.validation,
            requirements=current.requirements,
            findings=current.findings,
            approved_how=approved_how,
            note=f"rollback to v{version}",
            depends=current.depends,
        )
        self.audit.append("rollback", name, version=record.version, detail=f"restored v{version}")
        return record

    def trust(self, name: str) -> ToolRecord:
        """Mark a reviewed tool notebook as trusted on this machine."""
        path = self.path_for(name)
        with library_lock(self.root) if self.writable else _nothing():
            nb = self._read(path)
            self._notary().sign(nb)
            record = self._record(path, nb)
        if self.writable:
            self.audit.append("trust", name, version=record.version, model=record.model)
        return record

    def remove(self, name: str) -> Path:
        path = self.path_for(name)
        self.ensure_root()
        with library_lock(self.root):
            if not path.exists():
                raise LibraryError(f"no tool `{name}` in {self.root}: see %forge list")
            try:
                path.unlink()
            except OSError as exc:
                raise LibraryError(f"could not remove {path} ({exc.strerror})") from None
        self.audit.append("remove", name)
        return path


class _Previous(NamedTuple):
    """The saved version a new one replaces (0: none), when the tool was first made, and
    the versions so far."""

    version: int
    created: str
    history: list[dict[str, Any]]


def _approval(how: str, edited: dict[str, Any] | None) -> dict[str, Any]:
    """Who approved a save, when and how; a person's edit of the model's answer goes with
    it (core/provenance.py)."""
    approval: dict[str, Any] = {"by": current_user(), "at": now_iso(), "how": how}
    if edited:
        approval["edited"] = edited
    return approval


@contextmanager
def _nothing() -> Iterator[None]:
    yield
