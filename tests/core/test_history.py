"""Versions, diff, rollback and deprecation of a tool, on real signed notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from library_kit import CODE_V1, CODE_V2, one_line, save

from jupyter_forge.core.errors import LibraryError
from jupyter_forge.core.history import parse_version
from jupyter_forge.core.library import Library

CODE_V3 = (
    'def add(a: int, b: int) -> int:\n    """Add two numbers (v3)."""\n    return sum((a, b))\n'
)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(tmp_path / "tools", notary_dir=str(tmp_path / "notary"))


def tamper(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_history_lists_every_version_with_what_made_it(library: Library) -> None:
    save(library, CODE_V1, request="first ask", model="m1")
    save(library, CODE_V2, request="second ask", model="m2")
    save(library, CODE_V3, request="third ask", model="m3")
    history = library.history("add")
    assert [v.version for v in history.versions] == [1, 2, 3]
    assert [v.model for v in history.versions] == ["m1", "m2", "m3"]
    assert [v.request for v in history.versions] == ["first ask", "second ask", "third ask"]
    assert history.current.current and history.current.code == CODE_V3.rstrip("\n")
    assert history.get(1).code == CODE_V1.rstrip("\n")
    assert history.get(1).samples and history.get(1).passed is True
    assert all(v.reviewed for v in history.versions)


def test_diff_defaults_to_previous_and_accepts_two_versions(library: Library) -> None:
    save(library, CODE_V1)
    save(library, CODE_V2)
    save(library, CODE_V3)
    history = library.history("add")
    latest = history.diff()
    assert latest.startswith("--- add v2\n+++ add v3\n")
    assert "-    return b + a" in latest and "+    return sum((a, b))" in latest
    first_to_second = history.diff(1, 2)
    assert "-    return a + b" in first_to_second and "+    return b + a" in first_to_second
    assert "same code" in history.diff(2, 2)
    with pytest.raises(LibraryError) as info:
        history.diff(1, 9)
    assert "has no version v9 (it has v1, v2, v3)" in one_line(info.value)


def test_diff_of_a_single_version_is_a_clear_error(library: Library) -> None:
    save(library)
    with pytest.raises(LibraryError, match="only one version"):
        library.history("add").diff()


def test_rollback_restores_old_code_as_a_new_trusted_version(library: Library) -> None:
    save(library, CODE_V1, request="first ask")
    save(library, CODE_V2, request="second ask")
    restored = library.rollback("add", 1)
    assert restored.version == 3
    assert restored.code == CODE_V1.rstrip("\n")
    assert restored.request == "first ask"
    again = library.get("add")
    assert again.trusted and again.version == 3 and again.code == CODE_V1.rstrip("\n")
    assert [v.version for v in again.versions().versions] == [1, 2, 3]
    actions = [(e.action, e.version) for e in library.audit.entries("add")]
    assert ("rollback", 3) in actions


def test_rollback_refuses_current_unknown_and_untrusted(library: Library) -> None:
    save(library, CODE_V1)
    record = save(library, CODE_V2)
    with pytest.raises(LibraryError, match="already the current version"):
        library.rollback("add", 2)
    with pytest.raises(LibraryError, match="no version v7"):
        library.rollback("add", 7)
    # Someone edits an archived version in the notebook: the notebook is no longer trusted,
    # so nothing in its history can be restored without review.
    tamper(record.path, "return a + b", "return a - b")
    with pytest.raises(LibraryError) as info:
        library.rollback("add", 1)
    assert "not trusted on this machine" in one_line(info.value)
    assert library.get("add").version == 2


def test_history_from_an_unreviewed_notebook_stays_unreviewed(library: Library) -> None:
    record = save(library, CODE_V1)
    tamper(record.path, "return a + b", "return a * b")  # v1 is now code nobody approved
    save(library, CODE_V2)  # a person approves v2 over the tampered notebook
    history = library.history("add")
    assert library.get("add").trusted
    assert history.get(1).reviewed is False and "a * b" in history.get(1).code
    with pytest.raises(LibraryError) as info:
        library.rollback("add", 1)
    assert "nobody reviewed here" in one_line(info.value)


def test_deprecate_keeps_trust_and_undeprecate_clears_it(library: Library) -> None:
    save(library)
    record = library.deprecate("add", "use add_many")
    assert record.deprecated is not None and record.deprecated["reason"] == "use add_many"
    assert record.trusted and library.get("add").trusted
    assert library.get("add").version == 1  # not a new version of the code
    assert library.undeprecate("add").deprecated is None


def test_deprecating_an_untrusted_tool_does_not_make_it_trusted(library: Library) -> None:
    record = save(library)
    tamper(record.path, "return a + b", "return a - b")
    assert not library.get("add").trusted
    library.deprecate("add", "odd")
    after = library.get("add")
    assert after.deprecated is not None
    assert not after.trusted


def test_audit_log_records_who_did_what(library: Library) -> None:
    save(library, model="m1")
    save(library, CODE_V2, model="m2")
    library.deprecate("add", "old")
    library.remove("add")
    entries = list(library.audit.entries())
    assert [(e.action, e.tool, e.version) for e in entries] == [
        ("approve", "add", 1),
        ("approve", "add", 2),
        ("deprecate", "add", 1 + 1),
        ("remove", "add", None),
    ]
    assert entries[0].model == "m1" and entries[0].user and entries[0].at
    lines = library.audit.path.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["tool"] == "add" for line in lines)


def test_audit_log_skips_hand_edited_lines_and_never_fails_the_action(library: Library) -> None:
    save(library)
    with library.audit.path.open("a", encoding="utf-8") as handle:
        handle.write("not json\n")
    library.audit.append("load", "add", version=1)
    assert [e.action for e in library.audit.entries()] == ["approve", "load"]


@pytest.mark.parametrize("text,expected", [("v3", 3), ("3", 3), (" V12 ", 12)])
def test_parse_version(text: str, expected: int) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize("text", ["", "v", "v0", "-1", "three", "v1.2"])
def test_parse_version_rejects(text: str) -> None:
    with pytest.raises(LibraryError, match="is not a version"):
        parse_version(text)


def test_old_format_history_is_still_read(library: Library) -> None:
    record = save(library, CODE_V1)
    save(library, CODE_V2)
    data = json.loads(record.path.read_text(encoding="utf-8"))
    entry = data["metadata"]["jupyter_forge"]["history"][0]
    legacy = {
        "version": 1,
        "code": entry["code"],
        "model": "old",
        "request": "r",
        "updated": "",
        "validation_passed": True,
    }
    from jupyter_forge.core.history import Version

    version = Version.from_json(legacy)
    assert version.passed is True and version.samples == () and version.reviewed
    assert CODE_V1.rstrip("\n") == version.code
