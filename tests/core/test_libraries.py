"""Project, user and shared libraries searched in order; writes only where allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_kit import CODE_V1, CODE_V2, one_line, save

from jupyter_forge.core.errors import LibraryError
from jupyter_forge.core.libraries import LibraryLocation, LibrarySet, user_library_dir
from jupyter_forge.core.library import Library


@pytest.fixture
def roots(tmp_path: Path) -> dict[str, Path]:
    return {k: tmp_path / k for k in ("project", "user", "shared")}


def make_set(roots: dict[str, Path], tmp_path: Path) -> LibrarySet:
    return LibrarySet.default(
        roots["project"],
        user=roots["user"],
        shared=[roots["shared"]],
        notary_dir=str(tmp_path / "notary"),
    )


def fill(root: Path, tmp_path: Path, name: str, code: str = CODE_V1) -> None:
    save(
        Library(root, notary_dir=str(tmp_path / "notary")),
        code.replace("def add", f"def {name}"),
        name=name,
    )


def test_first_library_wins_and_shadowing_is_reported(
    roots: dict[str, Path], tmp_path: Path
) -> None:
    fill(roots["shared"], tmp_path, "team_tool")
    fill(roots["shared"], tmp_path, "add", CODE_V2)
    fill(roots["user"], tmp_path, "mine")
    fill(roots["project"], tmp_path, "add")
    libs = make_set(roots, tmp_path)
    records = {r.name: r for r in libs.tools()}
    assert sorted(records) == ["add", "mine", "team_tool"]
    assert records["add"].location == "project" and records["add"].code == CODE_V1.rstrip("\n")
    assert records["mine"].location == "user"
    assert records["team_tool"].location == "shared"
    assert [(s.name, s.by) for s in libs.shadowed] == [("add", "project")]
    assert libs.find("team_tool").path.parent == roots["shared"]


def test_new_tools_go_to_the_project_and_shared_ones_are_read_only(
    roots: dict[str, Path], tmp_path: Path
) -> None:
    fill(roots["shared"], tmp_path, "team_tool")
    libs = make_set(roots, tmp_path)
    assert libs.primary.root == roots["project"]
    with pytest.raises(LibraryError) as info:
        libs.writable_library_of("team_tool")
    assert "read-only shared library" in one_line(info.value) and "%forge import" in str(info.value)
    shared = libs.library_of("team_tool")
    with pytest.raises(LibraryError, match="read-only here"):
        save(shared)
    assert sorted(p.name for p in roots["shared"].iterdir() if not p.name.startswith(".")) == [
        "team_tool.ipynb"
    ]


def test_unknown_name_lists_where_it_looked(roots: dict[str, Path], tmp_path: Path) -> None:
    libs = make_set(roots, tmp_path)
    with pytest.raises(LibraryError) as info:
        libs.find("nothing_here")
    message = one_line(info.value)
    assert str(roots["project"]) in message and str(roots["shared"]) in message


def test_errors_of_every_library_are_collected(roots: dict[str, Path], tmp_path: Path) -> None:
    fill(roots["project"], tmp_path, "ok_tool")
    roots["shared"].mkdir()
    (roots["shared"] / "bad.ipynb").write_text("{", encoding="utf-8")
    libs = make_set(roots, tmp_path)
    assert [r.name for r in libs.tools()] == ["ok_tool"]
    assert len(libs.errors) == 1 and "bad.ipynb" in libs.errors[0]


def test_duplicate_locations_collapse_and_user_can_be_disabled(tmp_path: Path) -> None:
    libs = LibrarySet.default(tmp_path / "p", user="", shared=[tmp_path / "p"])
    assert [lib.label for lib in libs.libraries] == ["project"]
    only_shared = LibrarySet([LibraryLocation(tmp_path / "s", "shared", writable=False)])
    with pytest.raises(LibraryError, match="every configured library is read-only"):
        _ = only_shared.primary


def test_user_library_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JUPYTER_FORGE_USER_LIBRARY", str(tmp_path / "explicit"))
    assert user_library_dir() == tmp_path / "explicit"
    monkeypatch.delenv("JUPYTER_FORGE_USER_LIBRARY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert user_library_dir() == tmp_path / "jupyter_forge" / "tools"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert str(user_library_dir()).endswith(".local/share/jupyter_forge/tools")


def test_a_library_not_made_yet_is_not_an_error(roots: dict[str, Path], tmp_path: Path) -> None:
    fill(roots["project"], tmp_path, "ok_tool")
    libs = make_set(roots, tmp_path)  # user and shared folders do not exist
    assert [e.name for e in libs.entries()] == ["ok_tool"]
    assert libs.errors == []
    assert [h.name for h in libs.index().search("add two numbers")] == ["ok_tool"]


def test_each_shared_library_has_its_own_label(tmp_path: Path) -> None:
    libs = LibrarySet.default(tmp_path / "p", user="", shared=[tmp_path / "a", tmp_path / "b"])
    assert [lib.label for lib in libs.libraries] == ["project", "shared", "shared2"]
