"""The cached listing: a re-list reads in full only what changed, and trust follows the notary."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_kit import CODE_V1, CODE_V2, save

from jupyter_forge.core.libraries import LibrarySet
from jupyter_forge.core.library import Library
from jupyter_forge.core.record import ToolRecord
from jupyter_forge.core.tool_listing import ToolListing
from jupyter_forge.core.tool_view import ToolView, detail_json, tool_status


@pytest.fixture
def notary(tmp_path: Path) -> str:
    return str(tmp_path / "notary")


def fill(root: Path, notary: str, name: str, code: str = CODE_V1) -> None:
    save(Library(root, notary_dir=notary), code.replace("def add", f"def {name}"), name=name)


def listing_of(tmp_path: Path, notary: str) -> ToolListing:
    libraries = LibrarySet.default(
        tmp_path / "project", user="", shared=[tmp_path / "shared"], notary_dir=notary
    )
    return ToolListing(libraries, cache_dir=tmp_path / "cache")


def test_a_relist_reads_only_the_changed_notebooks(tmp_path: Path, notary: str) -> None:
    for name in ("add", "mul", "neg"):
        fill(tmp_path / "project", notary, name)
    listing = listing_of(tmp_path, notary)
    first = listing.refresh()
    assert [v.name for v in first.views] == ["add", "mul", "neg"]
    assert listing.stats["read"] == 3
    assert listing.refresh() is first and listing.stats == {"read": 0, "cached": 3, "removed": 0}
    fill(tmp_path / "project", notary, "mul", CODE_V2)
    second = listing.refresh()
    assert listing.stats["read"] == 1 and second.version == first.version + 1
    assert {v.name: v.version for v in second.views}["mul"] == 2
    (tmp_path / "project" / "neg.ipynb").unlink()
    assert [v.name for v in listing.refresh().views] == ["add", "mul"]
    assert listing.stats["removed"] == 1


def test_first_library_wins_and_broken_notebooks_are_named(tmp_path: Path, notary: str) -> None:
    fill(tmp_path / "project", notary, "add")
    fill(tmp_path / "shared", notary, "add", CODE_V2)
    fill(tmp_path / "shared", notary, "team")
    (tmp_path / "project" / "broken.ipynb").write_text("{", encoding="utf-8")
    listing = listing_of(tmp_path, notary).refresh()
    assert [(v.name, v.library) for v in listing.views] == [("add", "project"), ("team", "shared")]
    assert [e.name for e in listing.entries] == ["add", "team"]
    assert len(listing.errors) == 1 and "broken.ipynb" in listing.errors[0]
    assert [h.name for h in listing.index().search("team", k=5)] == ["team"]


def test_a_tool_trusted_in_a_kernel_is_seen_without_a_file_change(
    tmp_path: Path, notary: str
) -> None:
    fill(tmp_path / "project", notary, "add")
    path = tmp_path / "project" / "add.ipynb"
    path.write_text(path.read_text().replace("Add two numbers.", "Add two numbers!"))
    listing = listing_of(tmp_path, notary)
    assert [v.status for v in listing.refresh().views] == ["untrusted"]
    Library(tmp_path / "project", notary_dir=notary).trust("add")  # the notary db, not the file
    assert [v.status for v in listing.refresh().views] == ["approved"]


def test_one_status_and_shape_for_every_front_end(tmp_path: Path, notary: str) -> None:
    record = save(Library(tmp_path / "lib", notary_dir=notary))
    view = ToolView.of(record)
    assert view.status == tool_status(record) == "approved"
    assert view.to_json()["params"] == ["a", "b"] and view.headline == "Add two numbers."
    assert detail_json(record)["history"] == []
    emptied = ToolRecord(**{**record.__dict__, "deprecated": {}})
    assert tool_status(emptied) == "approved" and ToolView.of(emptied).deprecated is None
    gone = ToolRecord(**{**record.__dict__, "deprecated": {"reason": "r"}, "trusted": False})
    assert tool_status(gone) == "deprecated" and ToolView.of(gone).to_json()["deprecated"] == {
        "reason": "r"
    }


def test_which_tools_other_agents_are_served_follows_the_status(
    tmp_path: Path, notary: str
) -> None:
    """MCP serves only approved tools; the reason for hiding one is the status's own."""
    record = save(Library(tmp_path / "lib", notary_dir=notary))
    assert ToolView.of(record).hidden_reason is None
    untrusted = ToolRecord(**{**record.__dict__, "trusted": False})
    assert ToolView.of(untrusted).hidden_reason == (
        "not trusted on this machine (review it with %forge load)"
    )
    deprecated = ToolRecord(**{**record.__dict__, "deprecated": {"reason": "use mul"}})
    assert ToolView.of(deprecated).hidden_reason == "deprecated (use mul)"
    no_reason = ToolRecord(**{**record.__dict__, "deprecated": {"by": "me", "reason": ""}})
    assert ToolView.of(no_reason).hidden_reason == "deprecated"
    emptied = ToolRecord(**{**record.__dict__, "deprecated": {}})
    assert ToolView.of(emptied).hidden_reason is None  # an empty mapping is no deprecation
    # Both deprecated and untrusted: the status is "deprecated", and so is the reason
    # (MCP used to say "not trusted" here, unlike every other front end).
    both = ToolRecord(**{**untrusted.__dict__, "deprecated": {"reason": "use mul"}})
    view = ToolView.of(both)
    assert view.status == "deprecated" and view.hidden_reason == "deprecated (use mul)"


def test_an_agent_reads_the_schema_summary_else_what_names_the_tool(
    tmp_path: Path, notary: str
) -> None:
    record = save(
        Library(tmp_path / "lib", notary_dir=notary),
        schema={"function": {"description": "Sum of a and b."}},
    )
    assert ToolView.of(record).agent_description == "Sum of a and b."
    assert ToolView.of(record).headline == "Add two numbers."  # listings keep the description
    for schema in (None, {}, {"function": "add"}, {"function": {"description": ""}}):
        plain = ToolRecord(**{**record.__dict__, "schema": schema})
        assert ToolView.of(plain).agent_description == "Add two numbers."
    bare = ToolRecord(**{**record.__dict__, "schema": None, "description": ""})
    assert ToolView.of(bare).agent_description == "add(a: int, b: int) -> int"
    nameless = ToolRecord(**{**bare.__dict__, "signature": ""})
    assert ToolView.of(nameless).agent_description == "add"
