"""The tool library: atomic writes, versions and history, trust by signature, errors as one line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from library_kit import CODE_V1, CODE_V2, SAMPLES, SCHEMA, one_line, save

from jupyter_forge.core.errors import LibraryError, SpecError
from jupyter_forge.core.library import FORMAT_VERSION, Library
from jupyter_forge.core.notebook import TOOL_ROLE
from jupyter_forge.core.spec import Sample


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(tmp_path / "tools", notary_dir=str(tmp_path / "notary"))


def test_save_writes_a_valid_v4_notebook_with_metadata(library: Library) -> None:
    record = save(library)
    assert record.path == library.root / "add.ipynb"
    assert record.path.is_file()
    assert record.version == 1
    assert record.trusted
    nb = nbformat.read(record.path, as_version=4)
    nbformat.validate(nb)
    meta = nb.metadata["jupyter_forge"]
    assert meta["format"] == FORMAT_VERSION
    assert meta["name"] == "add"
    assert meta["version"] == 1
    assert meta["model"] == "openai/scripted"
    assert meta["request"] == "Add two numbers."
    assert meta["signature"] == "add(a: int, b: int) -> int"
    assert meta["schema"] == SCHEMA
    assert meta["validation"] == {"passed": True, "results": []}
    assert meta["requirements"] == ["numpy"]
    assert meta["findings"] == ["line 1: imports os (operating system access)"]
    assert meta["samples"] == [s.to_json() for s in SAMPLES]
    assert meta["created"] and meta["updated"]
    assert meta["approved"]["how"] == "test"
    assert meta["approved"]["by"]
    assert meta["history"] == []
    tool_cells = [
        c for c in nb.cells if c.metadata.get("jupyter_forge", {}).get("role") == TOOL_ROLE
    ]
    assert [c.source for c in tool_cells] == [CODE_V1.rstrip("\n")]
    # Plain JSON on disk, readable without nbformat.
    assert json.loads(record.path.read_text(encoding="utf-8"))["nbformat"] == 4


def test_get_round_trips_the_record(library: Library) -> None:
    saved = save(library)
    got = library.get("add")
    assert got.name == "add"
    assert got.version == 1
    assert got.code == CODE_V1.rstrip("\n")
    assert got.samples == SAMPLES
    assert got.schema == SCHEMA
    assert got.signature == saved.signature
    assert got.requirements == ["numpy"]
    assert got.trusted
    assert library.exists("add")
    assert not library.exists("other")


def test_atomic_write_leaves_no_temp_files(library: Library) -> None:
    save(library)
    save(library, CODE_V2)
    assert sorted(p.name for p in library.root.iterdir()) == [
        ".forge.lock",
        ".forge_audit.jsonl",
        "add.ipynb",
    ]


def test_failed_write_leaves_old_version_and_no_temp_file(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    save(library)
    before = (library.root / "add.ipynb").read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(LibraryError) as info:
        save(library, CODE_V2)
    message = one_line(info.value)
    assert "No space left on device" in message
    assert "nothing was changed" in message
    monkeypatch.undo()
    assert (library.root / "add.ipynb").read_bytes() == before
    assert not list(library.root.glob("*.tmp"))
    assert library.get("add").version == 1


def test_resave_bumps_version_and_keeps_history(library: Library) -> None:
    first = save(library)
    second = save(library, CODE_V2, model="other-model")
    assert second.version == 2
    assert second.created == first.created
    third = save(library, CODE_V1)
    assert third.version == 3
    nb = nbformat.read(third.path, as_version=4)
    history = nb.metadata["jupyter_forge"]["history"]
    assert [h["version"] for h in history] == [1, 2]
    assert history[0]["code"] == CODE_V1.rstrip("\n")
    assert history[1]["code"] == CODE_V2.rstrip("\n")
    assert history[1]["model"] == "other-model"
    assert history[0]["validation"]["passed"] is True
    assert library.get("add").version == 3


def test_signature_trusted_after_save_and_not_after_tampering(library: Library) -> None:
    record = save(library)
    assert library.get("add").trusted
    # Someone edits the approved code on disk.
    nb = nbformat.read(record.path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("jupyter_forge", {}).get("role") == TOOL_ROLE:
            cell.source = cell.source.replace(
                "return a + b", "import os; os.system('id'); return a + b"
            )
    nbformat.write(nb, record.path)
    tampered = library.get("add")
    assert not tampered.trusted
    assert "os.system" in tampered.code
    # A person reviews it and trusts it explicitly.
    assert library.trust("add").trusted
    assert library.get("add").trusted


def test_signature_is_per_machine_notary(library: Library, tmp_path: Path) -> None:
    save(library)
    elsewhere = Library(library.root, notary_dir=str(tmp_path / "other-notary"))
    assert not elsewhere.get("add").trusted


def test_tools_lists_records_and_reports_corrupt_ones(library: Library) -> None:
    save(library, name="add")
    save(library, name="mul", code=CODE_V1.replace("def add", "def mul"))
    (library.root / "broken.ipynb").write_text("{ not json", encoding="utf-8")
    plain = nbformat.v4.new_notebook()
    nbformat.write(plain, library.root / "plain.ipynb")
    (library.root / ".hidden.ipynb").write_text("junk", encoding="utf-8")
    (library.root / "notes.txt").write_text("not a notebook", encoding="utf-8")
    records = library.tools()
    assert [r.name for r in records] == ["add", "mul"]
    assert len(library.errors) == 2
    assert any("broken.ipynb is not a readable notebook" in e for e in library.errors)
    assert any("plain.ipynb is not a jupyter_forge tool notebook" in e for e in library.errors)
    for error in library.errors:
        one_line(LibraryError(error))
    assert [r.name for r in library] == ["add", "mul"]


def test_get_corrupt_or_missing_is_a_one_line_library_error(library: Library) -> None:
    with pytest.raises(LibraryError) as info:
        library.get("missing")
    assert "no tool notebook" in one_line(info.value)
    library.root.mkdir(parents=True)
    (library.root / "bad.ipynb").write_text("{", encoding="utf-8")
    with pytest.raises(LibraryError) as info:
        library.get("bad")
    assert "not a readable notebook" in one_line(info.value)


def test_notebook_without_tool_cell_is_an_error(library: Library) -> None:
    library.root.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["jupyter_forge"] = {"name": "empty"}
    nbformat.write(nb, library.root / "empty.ipynb")
    with pytest.raises(LibraryError, match="has no tool code cell"):
        library.get("empty")


def test_saving_over_a_corrupt_notebook_keeps_it_aside(library: Library) -> None:
    library.root.mkdir(parents=True)
    (library.root / "add.ipynb").write_text("garbage", encoding="utf-8")
    record = save(library)
    assert record.version == 1
    backups = [p for p in library.root.iterdir() if ".corrupt-" in p.name]
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == "garbage"
    assert library.get("add").code == CODE_V1.rstrip("\n")


def test_missing_library_folder_lists_nothing(tmp_path: Path) -> None:
    library = Library(tmp_path / "nowhere")
    assert library.tools() == []
    assert library.errors == []


def test_unwritable_library_path_is_a_one_line_error_and_writes_nothing(tmp_path: Path) -> None:
    # A FILE where the folder should be: mkdir fails even for root.
    blocker = tmp_path / "tools"
    blocker.write_text("I am a file", encoding="utf-8")
    for root in (blocker, blocker / "nested"):
        library = Library(root, notary_dir=str(tmp_path / "notary"))
        with pytest.raises(LibraryError) as info:
            save(library)
        message = one_line(info.value)
        assert "cannot create the library folder" in message
        assert "--library" in message
    assert blocker.read_text(encoding="utf-8") == "I am a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tools"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_library_folder(tmp_path: Path) -> None:
    root = tmp_path / "tools"
    root.mkdir()
    root.chmod(0o555)
    try:
        with pytest.raises(LibraryError) as info:
            save(Library(root, notary_dir=str(tmp_path / "notary")))
        assert "read-only" in one_line(info.value)
        assert list(root.iterdir()) == []
    finally:
        root.chmod(0o755)


def test_remove(library: Library) -> None:
    record = save(library)
    assert library.remove("add") == record.path
    assert not record.path.exists()
    assert library.tools() == []
    with pytest.raises(LibraryError) as info:
        library.remove("add")
    assert "no tool `add`" in one_line(info.value)


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "class"])
def test_bad_names_never_reach_the_filesystem(library: Library, name: str) -> None:
    with pytest.raises(SpecError):
        library.path_for(name)
    with pytest.raises(SpecError):
        save(library, name=name)
    assert not library.root.exists()


def test_builtin_names_are_allowed_as_files(library: Library) -> None:
    assert library.path_for("sum") == library.root / "sum.ipynb"


def test_kernel_names_comment_out_samples_needing_them(library: Library) -> None:
    samples = [Sample("assert add(df, 1) == 2", "assert"), *SAMPLES]
    record = save(library, samples=samples, kernel_names=["df"])
    nb = nbformat.read(record.path, as_version=4)
    checks = nb.cells[2].source
    assert "# needs the kernel variable(s) `df`:" in checks
    assert "# assert add(df, 1) == 2" in checks
    # The stored samples still hold every sample, uncommented.
    assert library.get("add").samples == samples


def test_reading_refreshes_last_seen_so_the_notary_never_culls_used_tools(
    library: Library, tmp_path: Path
) -> None:
    import sqlite3
    import time

    save(library)
    db = sqlite3.connect(tmp_path / "notary" / "nbsignatures.db")
    (before,) = db.execute("SELECT max(last_seen) FROM nbsignatures").fetchone()
    time.sleep(0.05)
    fresh = Library(library.root, notary_dir=str(tmp_path / "notary"))
    assert [r.trusted for r in fresh.tools()] == [True]
    (after,) = db.execute("SELECT max(last_seen) FROM nbsignatures").fetchone()
    assert after > before


def test_one_library_object_can_be_read_from_several_threads(library: Library) -> None:
    import threading

    save(library)
    assert library.get("add").trusted  # opens the notary in this thread
    seen: list[bool] = []
    worker = threading.Thread(target=lambda: seen.append(library.get("add").trusted))
    worker.start()
    worker.join()
    assert seen == [True]


def test_current_version_is_what_the_next_save_builds_on(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    assert lib.current_version("add") is None
    save(lib)
    assert lib.current_version("add") == 1
    save(lib, CODE_V2)
    assert lib.current_version("add") == 2
    lib.path_for("add").write_text("{ not a notebook")
    assert lib.current_version("add") is None  # unreadable: the next save starts at v1
