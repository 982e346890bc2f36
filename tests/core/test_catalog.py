"""The catalog: a read-only, cached listing of real tool notebooks written by Library.save."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jupyter_forge.core.catalog import Catalog, CatalogEntry, default_cache_dir, read_catalog
from jupyter_forge.core.library import Library
from jupyter_forge.core.spec import Sample

TOOLS = {
    "add": ("def add(a: int, b: int) -> int:\n    return a + b\n", "Add two numbers."),
    "slugify": (
        "def slugify(title: str) -> str:\n    return '-'.join(title.lower().split())\n",
        "Turn a title into a URL slug.",
    ),
    "median": (
        "def median(values: list[float]) -> float:\n    return sorted(values)[len(values) // 2]\n",
        "Median of a list of numbers.",
    ),
}


def save_tool(library: Library, name: str) -> None:
    code, description = TOOLS[name]
    library.save(
        name=name,
        code=code,
        description=description,
        signature=f"{name}(...)",
        request=f"Please write {name}.",
        model="openai/scripted",
        samples=[Sample(f"{name}(1, 2)", "example", "3\n"), Sample("assert True", "assert")],
        schema=None,
        validation={"passed": True},
    )


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "tools", notary_dir=str(tmp_path / "notary"))
    for name in TOOLS:
        save_tool(lib, name)
    return lib


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file in the folder with its mtime and size: reading must change none of it."""
    return {
        p.name: (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
    }


def edit_metadata(path: Path, **changes: object) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["jupyter_forge"].update(changes)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def test_lists_saved_tools_with_their_metadata(library: Library, cache: Path) -> None:
    entries = Catalog(library.root, cache).refresh()
    assert [e.name for e in entries] == ["add", "median", "slugify"]
    add = entries[0]
    assert isinstance(add, CatalogEntry)
    assert add.version == 1
    assert add.description == "Add two numbers."
    assert add.request == "Please write add."
    assert add.signature == "add(...)"
    assert add.samples == ["add(1, 2)", "assert True"]
    assert add.deprecated is False and add.deprecated_reason == ""
    assert add.path == library.root / "add.ipynb"
    assert add.mtime == pytest.approx((library.root / "add.ipynb").stat().st_mtime)
    # agrees with the full nbformat read
    assert [(r.name, r.version, r.description) for r in library.tools()] == [
        (e.name, e.version, e.description) for e in entries
    ]


def test_deprecated_flag_and_reason(library: Library, cache: Path) -> None:
    edit_metadata(
        library.root / "median.ipynb",
        deprecated={"by": "ann", "at": "2026-01-01", "reason": "use statistics.median"},
    )
    catalog = Catalog(library.root, cache)
    median = next(e for e in catalog.refresh() if e.name == "median")
    assert median.deprecated is True
    assert median.deprecated_reason == "use statistics.median"
    assert [e.name for e in catalog.entries(include_deprecated=False)] == ["add", "slugify"]


def test_reading_writes_nothing_in_the_library_folder(library: Library, cache: Path) -> None:
    before = snapshot(library.root)
    catalog = Catalog(library.root, cache)
    catalog.refresh()
    catalog.refresh()
    Catalog(library.root, cache).refresh()
    assert snapshot(library.root) == before
    assert catalog.cache_file.is_file()
    assert library.root not in catalog.cache_file.parents


def test_warm_listing_comes_from_the_cache_file(library: Library, cache: Path) -> None:
    cold = Catalog(library.root, cache)
    cold.refresh()
    assert cold.stats == {"parsed": 3, "cached": 0, "removed": 0}
    warm = Catalog(library.root, cache)  # a new kernel: nothing in memory
    assert [e.name for e in warm.refresh()] == ["add", "median", "slugify"]
    assert warm.stats == {"parsed": 0, "cached": 3, "removed": 0}
    assert warm.generation == 1
    warm.refresh()
    assert warm.stats["parsed"] == 0
    assert warm.generation == 1  # nothing changed: an index built from it is still good


def test_changed_file_is_read_again(library: Library, cache: Path) -> None:
    Catalog(library.root, cache).refresh()
    edit_metadata(library.root / "add.ipynb", description="Add two integers, changed by hand.")
    catalog = Catalog(library.root, cache)
    entries = catalog.refresh()
    assert catalog.stats["parsed"] == 1
    assert entries[0].description == "Add two integers, changed by hand."
    edit_metadata(library.root / "add.ipynb", description="Changed again.")
    assert catalog.refresh()[0].description == "Changed again."
    assert catalog.generation == 2


def test_same_size_rewrite_is_noticed_by_its_mtime(library: Library, cache: Path) -> None:
    catalog = Catalog(library.root, cache)
    catalog.refresh()
    path = library.root / "slugify.ipynb"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("Turn a title into a URL slug.", "Turn a title into a URL SLUG.")
    assert len(changed) == len(text)
    st = path.stat()
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    entry = next(e for e in catalog.refresh() if e.name == "slugify")
    assert entry.description == "Turn a title into a URL SLUG."
    assert catalog.stats["parsed"] == 1


def test_removed_and_added_files(library: Library, cache: Path) -> None:
    catalog = Catalog(library.root, cache)
    catalog.refresh()
    library.remove("median")
    assert [e.name for e in catalog.refresh()] == ["add", "slugify"]
    assert catalog.stats["removed"] == 1
    assert [e.name for e in Catalog(library.root, cache).refresh()] == ["add", "slugify"]
    save_tool(library, "median")
    assert [e.name for e in catalog.refresh()] == ["add", "median", "slugify"]


def test_corrupt_and_foreign_notebooks_are_named_and_skipped(library: Library, cache: Path) -> None:
    (library.root / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (library.root / "plain.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        encoding="utf-8",
    )
    (library.root / "listy.ipynb").write_text("[1, 2]", encoding="utf-8")
    edit_metadata(library.root / "add.ipynb", version="two")
    (library.root / ".add.tmp.ipynb").write_text("{", encoding="utf-8")  # a temp file: ignored
    catalog = Catalog(library.root, cache)
    assert [e.name for e in catalog.refresh()] == ["median", "slugify"]
    errors = "\n".join(catalog.errors)
    assert len(catalog.errors) == 4
    for name in ("broken.ipynb", "plain.ipynb", "listy.ipynb", "add.ipynb"):
        assert name in errors
    assert "not valid JSON" in errors and "no jupyter_forge metadata" in errors
    # errors survive the cache, and a fixed file comes back
    again = Catalog(library.root, cache)
    again.refresh()
    assert again.errors == catalog.errors
    edit_metadata(library.root / "add.ipynb", version=3)
    assert "add" in [e.name for e in again.refresh()]
    assert len(again.errors) == 3


def test_vanished_folder_gives_an_empty_catalog_and_a_clear_error(
    library: Library, cache: Path, tmp_path: Path
) -> None:
    missing = Catalog(tmp_path / "nowhere", cache)
    assert missing.refresh() == []
    assert len(missing.errors) == 1 and "does not exist" in missing.errors[0]
    catalog = Catalog(library.root, cache)
    assert len(catalog.refresh()) == 3
    for path in library.root.iterdir():
        path.unlink()
    library.root.rmdir()
    generation = catalog.generation
    assert catalog.refresh() == []
    assert "does not exist" in catalog.errors[0]
    assert catalog.generation == generation + 1
    assert not library.root.exists()  # reading did not re-create it


def test_damaged_or_unwritable_cache_only_costs_a_cold_read(library: Library, cache: Path) -> None:
    catalog = Catalog(library.root, cache)
    catalog.refresh()
    catalog.cache_file.write_text("{ not json", encoding="utf-8")
    again = Catalog(library.root, cache)
    assert len(again.refresh()) == 3
    assert again.stats["parsed"] == 3
    blocked = cache / "blocked"
    blocked.write_text("a file where the cache dir should be", encoding="utf-8")
    nocache = Catalog(library.root, blocked)
    assert len(nocache.refresh()) == 3 and nocache.errors == []


def test_cache_dir_follows_the_environment(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_FORGE_CACHE", str(tmp_path / "envcache"))
    assert default_cache_dir() == tmp_path / "envcache"
    catalog = read_catalog(library.root)
    assert catalog.cache_file.is_file()
    assert tmp_path / "envcache" in catalog.cache_file.parents
    assert catalog.get("add") is not None and catalog.get("nope") is None
    monkeypatch.delenv("JUPYTER_FORGE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "jupyter_forge"


def test_no_cache_mode_writes_no_cache_file(library: Library, cache: Path) -> None:
    catalog = Catalog(library.root, cache, use_cache=False)
    assert len(catalog.refresh()) == 3
    assert not cache.exists()


def test_read_catalog_keeps_one_catalog_per_folder(library: Library, cache: Path) -> None:
    first = read_catalog(library.root, cache_dir=cache)
    again = read_catalog(library.root, cache_dir=cache)
    assert again is first
    assert again.stats == {"parsed": 0, "cached": 3, "removed": 0}
    assert again.generation == 1
    library.remove("add")
    assert [e.name for e in read_catalog(library.root, cache_dir=cache).entries()] == [
        "median",
        "slugify",
    ]
    assert first.generation == 2


def test_entries_returns_the_last_listing_and_refresh_relists(
    library: Library, cache: Path
) -> None:
    catalog = Catalog(library.root, cache)
    assert len(catalog.entries()) == 3  # never listed: lists now
    library.remove("add")
    assert len(catalog.entries()) == 3  # the last listing, no disk access
    assert len(catalog.refresh()) == 2
    assert len(catalog.entries()) == 2
