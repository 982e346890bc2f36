"""Notebook trust through nbformat's notary, with one commit per library scan.

Why: nbformat's SQLite store refreshes a signature's ``last_seen`` and commits on every
check, one disk sync per notebook, which makes reading a 10,000-tool library take
seconds. ``NotebookNotary.store_factory`` is nbformat's hook for another store; this
one answers each check from the same table and refreshes ``last_seen`` for all the
checked signatures in one transaction (:meth:`BatchedSignatureStore.flush_seen`).
Trust is decided exactly as nbformat decides it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nbformat.sign import NotebookNotary, SQLiteSignatureStore
from traitlets import default

__all__ = ["BatchedSignatureStore", "BatchingNotary", "notary"]


class BatchedSignatureStore(SQLiteSignatureStore):
    """nbformat's store, with ``last_seen`` refreshed once per scan, not per check."""

    def __init__(self, db_file: str, **kwargs: Any) -> None:
        super().__init__(db_file, **kwargs)  # type: ignore[no-untyped-call]
        self.seen: list[tuple[str, str]] = []  # (algorithm, digest) checked and trusted

    def check_signature(self, digest: str, algorithm: str) -> bool:
        if self.db is None:
            return False
        row = self.db.execute(
            "SELECT id FROM nbsignatures WHERE algorithm = ? AND signature = ?",
            (algorithm, digest),
        ).fetchone()
        if row is None:
            return False
        self.seen.append((algorithm, digest))
        return True

    def flush_seen(self) -> None:
        """Refresh ``last_seen`` of the signatures checked since the last flush.

        The store culls the least recently seen signatures when it is full; a tool
        read often must not look unused (it would lose its trust).
        """
        seen, self.seen = self.seen, []
        if not seen or self.db is None:
            return
        when = datetime.now(tz=timezone.utc)
        try:
            self.db.executemany(
                "UPDATE nbsignatures SET last_seen = ? WHERE algorithm = ? AND signature = ?",
                [(when, algorithm, digest) for algorithm, digest in seen],
            )
            self.db.commit()
        except Exception:
            pass  # a busy database only delays the refresh; trust was already decided


class BatchingNotary(NotebookNotary):
    """nbformat's notary, storing signatures in a :class:`BatchedSignatureStore`."""

    @default("store_factory")
    def _batched_store_factory(self) -> Any:
        return lambda: BatchedSignatureStore(self.db_file)


def notary(data_dir: str | None = None) -> NotebookNotary:
    """A notary (Jupyter's data dir unless ``data_dir``) whose store batches ``last_seen``."""
    if data_dir:
        # The notary writes its key and database there but never creates the folder
        # (Jupyter's default data dir is created by jupyter_core).
        Path(data_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    made: NotebookNotary = BatchingNotary(data_dir=data_dir) if data_dir else BatchingNotary()  # type: ignore[no-untyped-call]
    return made
