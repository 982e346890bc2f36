"""The tool library: a folder of tool notebooks, written atomically, trusted by signature.

One ``NAME.ipynb`` per tool. Saving signs the notebook with nbformat's notary
(an HMAC in the user's Jupyter data dir), so a notebook changed by anyone else,
or written on another machine, is not trusted until a person reviews it here.
"""

from __future__ import annotations

import getpass
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .errors import LibraryError
from .spec import Sample, check_tool_name

if TYPE_CHECKING:
    from nbformat import NotebookNode

# nbformat (with jsonschema) takes over a second to import: it is imported where a
# notebook is actually read or written, so `%load_ext jupyter_forge` stays instant.

FORMAT_VERSION = 1
DEFAULT_LIBRARY = "forge_tools"


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


@dataclass
class ToolRecord:
    """A tool as stored: enough to show, load and re-check it without the model."""

    name: str
    version: int
    code: str
    path: Path
    description: str = ""
    signature: str = ""
    request: str = ""
    model: str = ""
    model_id: str = ""
    samples: list[Sample] = field(default_factory=list)
    schema: dict[str, Any] | None = None
    validation: dict[str, Any] | None = None
    requirements: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    created: str = ""
    updated: str = ""
    approved: dict[str, Any] | None = None
    trusted: bool = False

    @property
    def meta(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "signature": self.signature,
            "request": self.request,
            "model": self.model,
            "model_id": self.model_id,
            "samples": [s.to_json() for s in self.samples],
            "schema": self.schema,
            "validation": self.validation,
            "requirements": list(self.requirements),
            "findings": list(self.findings),
            "created": self.created,
            "updated": self.updated,
            "approved": self.approved,
        }


def _notary(data_dir: str | None = None) -> Any:
    from nbformat.sign import NotebookNotary

    if data_dir:
        # The notary writes its key and database there but never creates the folder
        # (Jupyter's default data dir is created by jupyter_core).
        Path(data_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    return NotebookNotary(data_dir=data_dir) if data_dir else NotebookNotary()


class Library:
    """Read and write the tool notebooks of one folder."""

    def __init__(self, root: str | os.PathLike[str], *, notary_dir: str | None = None) -> None:
        self.root = Path(root).expanduser()
        self._notary_dir = notary_dir
        self.errors: list[str] = []

    def __repr__(self) -> str:
        return f"Library({str(self.root)!r})"

    def path_for(self, name: str) -> Path:
        check_tool_name(name, allow_builtin=True)
        return self.root / f"{name}.ipynb"

    def exists(self, name: str) -> bool:
        return self.path_for(name).is_file()

    # -- reading -------------------------------------------------------------------

    def _read(self, path: Path) -> NotebookNode:
        import nbformat

        try:
            with path.open(encoding="utf-8") as handle:
                nb = nbformat.read(handle, as_version=4)
        except FileNotFoundError:
            raise LibraryError(
                f"no tool notebook at {path}: check the name with %forge list"
            ) from None
        except PermissionError:
            raise LibraryError(
                f"cannot read {path} (permission denied): fix its permissions"
            ) from None
        except Exception as exc:
            raise LibraryError(
                f"{path} is not a readable notebook ({type(exc).__name__}): restore it from "
                "version control or remove it"
            ) from None
        if "jupyter_forge" not in nb.metadata:
            raise LibraryError(
                f"{path} is not a jupyter_forge tool notebook (no jupyter_forge metadata)"
            )
        return cast("NotebookNode", nb)

    def _record(self, path: Path, nb: NotebookNode) -> ToolRecord:
        meta = dict(nb.metadata["jupyter_forge"])
        from .notebook import tool_code

        code = tool_code(nb)
        if not code:
            raise LibraryError(f"{path} has no tool code cell: restore it or remove it")
        try:
            samples = [Sample.from_json(s) for s in meta.get("samples", [])]
        except Exception:
            samples = []
        return ToolRecord(
            name=str(meta.get("name") or path.stem),
            version=int(meta.get("version", 1)),
            code=code,
            path=path,
            description=str(meta.get("description", "")),
            signature=str(meta.get("signature", "")),
            request=str(meta.get("request", "")),
            model=str(meta.get("model", "")),
            model_id=str(meta.get("model_id", "")),
            samples=samples,
            schema=meta.get("schema"),
            validation=meta.get("validation"),
            requirements=list(meta.get("requirements", [])),
            findings=list(meta.get("findings", [])),
            created=str(meta.get("created", "")),
            updated=str(meta.get("updated", "")),
            approved=meta.get("approved"),
            trusted=bool(_notary(self._notary_dir).check_signature(nb)),
        )

    def get(self, name: str) -> ToolRecord:
        path = self.path_for(name)
        return self._record(path, self._read(path))

    def __iter__(self) -> Iterator[ToolRecord]:
        return iter(self.tools())

    def tools(self) -> list[ToolRecord]:
        """Every readable tool; unreadable notebooks are listed in ``errors``, never fatal."""
        self.errors = []
        if not self.root.is_dir():
            return []
        records = []
        for path in sorted(self.root.glob("*.ipynb")):
            if path.name.startswith("."):
                continue
            try:
                records.append(self._record(path, self._read(path)))
            except LibraryError as exc:
                self.errors.append(str(exc))
        return records

    # -- writing -------------------------------------------------------------------

    def _ensure_root(self) -> None:
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

        self._ensure_root()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                nbformat.write(nb, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise LibraryError(
                f"could not write {path} ({exc.strerror}): nothing was changed"
            ) from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

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
    ) -> ToolRecord:
        """Write (or replace, as a new version) the tool notebook, and sign it as reviewed."""
        from .notebook import build_tool_notebook, tool_code

        path = self.path_for(name)
        version, created, history = 1, now_iso(), []
        if path.exists():
            try:
                old_nb = self._read(path)
                old = old_nb.metadata["jupyter_forge"]
                version = int(old.get("version", 0)) + 1
                created = str(old.get("created") or created)
                history = list(old.get("history", []))
                history.append(
                    {
                        "version": old.get("version"),
                        "code": tool_code(old_nb),
                        "model": old.get("model"),
                        "request": old.get("request"),
                        "updated": old.get("updated"),
                        "validation_passed": (old.get("validation") or {}).get("passed"),
                    }
                )
            except LibraryError:
                # A corrupt old notebook is not silently destroyed: keep it aside.
                backup = path.with_suffix(f".corrupt-{int(time.time())}.ipynb.bak")
                os.replace(path, backup)
        record = ToolRecord(
            name=name,
            version=version,
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
            created=created,
            updated=now_iso(),
            approved={"by": _user(), "at": now_iso(), "how": approved_how},
            trusted=True,
        )
        meta = record.meta
        meta["history"] = history
        nb = build_tool_notebook(
            name=name,
            code=code,
            description=description,
            signature=signature,
            samples=samples,
            metadata=meta,
            kernel_names=kernel_names,
        )
        _notary(self._notary_dir).sign(nb)
        self._write_atomic(path, nb)
        return record

    def trust(self, name: str) -> ToolRecord:
        """Mark a reviewed tool notebook as trusted on this machine."""
        path = self.path_for(name)
        nb = self._read(path)
        _notary(self._notary_dir).sign(nb)
        return self._record(path, nb)

    def remove(self, name: str) -> Path:
        path = self.path_for(name)
        if not path.exists():
            raise LibraryError(f"no tool `{name}` in {self.root}: see %forge list")
        try:
            path.unlink()
        except OSError as exc:
            raise LibraryError(f"could not remove {path} ({exc.strerror})") from None
        return path


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
