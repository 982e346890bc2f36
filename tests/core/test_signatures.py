"""Trust through nbformat's notary with the batched store (core/signatures.py).

Why: the store answers trust checks itself, so it must agree with nbformat's own
store on every notebook, and it must not commit per check (that is its reason to be).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary

from jupyter_forge.core.signatures import BatchedSignatureStore, notary


def _notebook(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(text))
    return nb


def test_it_trusts_exactly_what_nbformat_trusts(tmp_path: Path) -> None:
    ours = notary(str(tmp_path / "notary"))
    assert isinstance(ours.store, BatchedSignatureStore)
    signed, unsigned = _notebook("x = 1"), _notebook("x = 2")
    ours.sign(signed)
    plain = NotebookNotary(data_dir=str(tmp_path / "notary"))  # nbformat's own store
    for nb in (signed, unsigned):
        assert ours.check_signature(nb) == plain.check_signature(nb)
    assert ours.check_signature(signed) and not ours.check_signature(unsigned)
    changed = _notebook("x = 1")
    changed.cells[0].source = "x = 'evil'"
    assert not ours.check_signature(changed)


def test_last_seen_is_refreshed_once_per_flush_not_per_check(tmp_path: Path) -> None:
    ours = notary(str(tmp_path / "notary"))
    nb = _notebook("y = 1")
    ours.sign(nb)
    db = sqlite3.connect(tmp_path / "notary" / "nbsignatures.db")
    (before,) = db.execute("SELECT last_seen FROM nbsignatures").fetchone()
    assert ours.check_signature(nb) and ours.check_signature(nb)
    assert db.execute("SELECT last_seen FROM nbsignatures").fetchone() == (before,)
    store = ours.store
    assert isinstance(store, BatchedSignatureStore) and len(store.seen) == 2
    store.flush_seen()
    (after,) = db.execute("SELECT last_seen FROM nbsignatures").fetchone()
    assert after > before and store.seen == []
