"""Atomic writes: a reader or a crash never sees half a file, and no temp file stays."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

import pytest

from jupyter_forge.core.files import write_atomic


def test_text_bytes_and_writers_land_whole_with_the_asked_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_atomic(target, '{"a": 1}')
    assert target.read_text() == '{"a": 1}' and target.stat().st_mode & 0o777 == 0o644
    write_atomic(target, b"\x00\x01", mode=None)
    assert target.read_bytes() == b"\x00\x01" and target.stat().st_mode & 0o777 == 0o600
    write_atomic(target, lambda handle: handle.write("from a writer"), durable=False)
    assert target.read_text() == "from a writer"
    assert os.listdir(tmp_path) == ["a.json"]


def test_a_failing_writer_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "tool.ipynb"
    target.write_text("old")

    def half(handle: IO[Any]) -> None:
        handle.write("half of the new")
        raise RuntimeError("the writer died")

    with pytest.raises(RuntimeError, match="the writer died"):
        write_atomic(target, half)
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["tool.ipynb"]


def test_an_unwritable_folder_raises_oserror_and_changes_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_atomic(tmp_path / "missing" / "x.txt", "x")
    assert os.listdir(tmp_path) == []
