"""The panel's REST endpoints against a real jupyter_server (pytest-jupyter's jp_fetch)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import SLUGIFY, save_tool
from tornado.httpclient import HTTPClientError

from jupyter_forge.core.library import Library


async def get_json(jp_fetch: Any, *parts: str, **kwargs: Any) -> Any:
    response = await jp_fetch("jupyter-forge", *parts, **kwargs)
    assert response.code == 200
    return json.loads(response.body)


async def status_of(jp_fetch: Any, *parts: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-forge", *parts, **kwargs)
    body = info.value.response.body if info.value.response is not None else b""
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:  # tornado's own HTML 404 for a URL no handler matches
        parsed = {"html": body.decode(errors="replace")}
    return info.value.code, parsed


def snapshot(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file under the folders with its size and mtime (ns)."""
    out = {}
    for folder in folders:
        for dirpath, _, filenames in os.walk(folder):
            for filename in filenames:
                path = Path(dirpath) / filename
                st = path.stat()
                out[str(path)] = (st.st_size, st.st_mtime_ns)
        out[str(folder)] = (0, folder.stat().st_mtime_ns) if folder.exists() else (-1, -1)
    return out


async def test_lists_tools_of_all_libraries_first_wins(
    jp_fetch: Any, libraries: dict[str, Path]
) -> None:
    data = await get_json(jp_fetch, "tools")
    by_name = {t["name"]: t for t in data["tools"]}
    assert sorted(by_name) == ["parse_money", "slugify"]
    slug = by_name["slugify"]
    assert slug["library"] == "project"
    assert slug["description"] == "Turn a title into a URL slug."
    assert slug["version"] == 1
    assert slug["status"] == "approved"
    assert slug["params"] == ["title"]
    assert slug["notebook"] == "forge_tools/slugify.ipynb"
    money = by_name["parse_money"]
    assert money["library"] == "user"
    assert money["params"] == ["text", "currency=currency"]
    assert money["notebook"] is None  # outside the server root: not openable
    assert [lib["label"] for lib in data["libraries"]] == ["project", "user", "shared"]
    assert data["errors"] == []


async def test_search_ranks_and_filters(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    data = await get_json(jp_fetch, "tools", params={"q": "money"})
    assert [t["name"] for t in data["tools"]] == ["parse_money"]
    data = await get_json(jp_fetch, "tools", params={"q": "no-such-thing-xyz"})
    assert data["tools"] == []


async def test_detail_has_code_samples_history(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    save_tool(libraries["project"], "slugify", SLUGIFY.replace('"-"', '"_"'), "Slugs, v2.")
    data = await get_json(jp_fetch, "tools", "slugify")
    assert data["version"] == 2
    assert 'sep: str = "_"' in data["code"]
    assert data["samples"] == [{"kind": "example", "text": ">>> slugify('x')\n'x'"}]
    assert [h["version"] for h in data["history"]] == [1]
    assert '"-"' in data["history"][0]["code"]
    shared = await get_json(jp_fetch, "tools", "slugify", params={"library": "shared"})
    assert shared["library"] == "shared" and shared["version"] == 1


async def test_untrusted_notebook_is_flagged(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    path = libraries["project"] / "slugify.ipynb"
    path.write_text(path.read_text().replace("URL slug", "URL slug!"))  # edited by hand
    data = await get_json(jp_fetch, "tools")
    assert {t["name"]: t["status"] for t in data["tools"]}["slugify"] == "untrusted"


@pytest.mark.parametrize(
    "name",
    ["..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..", "bad-name", "x.ipynb", "1abc", "a%00b", "class"],
)
async def test_odd_names_and_traversal_refused(
    jp_fetch: Any, libraries: dict[str, Path], name: str
) -> None:
    code, body = await status_of(jp_fetch, "tools", name)
    assert code in (400, 404), (code, body)
    code, body = await status_of(
        jp_fetch, "tools", name, "deprecate", method="POST", body=json.dumps({"reason": "x"})
    )
    assert code in (400, 404), (code, body)


async def test_traversal_by_raw_path_refused(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    for raw in ("tools/../../../etc/passwd", "tools/..%2f..%2fetc%2fpasswd"):
        code, _ = await status_of(jp_fetch, *raw.split("/"))
        assert code in (400, 404)


async def test_unknown_library_label_refused(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    code, body = await status_of(jp_fetch, "tools", "slugify", params={"library": "../../etc"})
    assert code == 404 and "no library" in body["message"]


async def test_symlink_out_of_library_refused(
    jp_fetch: Any, libraries: dict[str, Path], tmp_path: Path
) -> None:
    outside = tmp_path / "outside.ipynb"
    outside.write_text((libraries["user"] / "parse_money.ipynb").read_text())
    (libraries["project"] / "sneaky.ipynb").symlink_to(outside)
    code, _ = await status_of(jp_fetch, "tools", "sneaky", params={"library": "project"})
    assert code == 404


async def test_unauthenticated_request_refused(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    for parts in (("tools",), ("tools", "slugify")):
        code, _ = await status_of(jp_fetch, *parts, headers={"Authorization": ""})
        assert code in (401, 403)
    code, _ = await status_of(
        jp_fetch,
        "tools",
        "slugify",
        "deprecate",
        method="POST",
        body="{}",
        headers={"Authorization": ""},
    )
    assert code in (401, 403)
    assert Library(libraries["project"]).get("slugify").trusted


async def test_reading_changes_nothing_on_disk(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    (libraries["project"] / "broken.ipynb").write_text("{ not json")
    before = snapshot(*libraries.values())
    await get_json(jp_fetch, "tools")
    await get_json(jp_fetch, "tools", params={"q": "slug"})
    await get_json(jp_fetch, "tools", "slugify")
    await get_json(jp_fetch, "tools", "parse_money")
    await status_of(jp_fetch, "tools", "broken")
    assert snapshot(*libraries.values()) == before


async def test_corrupt_notebook_listed_in_errors(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    (libraries["project"] / "broken.ipynb").write_text("{ not json")
    data = await get_json(jp_fetch, "tools")
    assert sorted(t["name"] for t in data["tools"]) == ["parse_money", "slugify"]
    assert len(data["errors"]) == 1 and "broken.ipynb" in data["errors"][0]
    code, body = await status_of(jp_fetch, "tools", "broken")
    assert code == 422 and "broken.ipynb" in body["message"]


async def test_vanished_library_gives_empty_list_and_message(
    jp_fetch: Any, libraries: dict[str, Path]
) -> None:
    for folder in libraries.values():
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    data = await get_json(jp_fetch, "tools")
    assert data["tools"] == []
    assert all(
        not lib["exists"] and "does not exist" in lib["message"] for lib in data["libraries"]
    )
    code, _ = await status_of(jp_fetch, "tools", "slugify")
    assert code == 404


@pytest.mark.skipif(not hasattr(Library, "deprecate"), reason="Library.deprecate not there yet")
async def test_deprecate_and_undo(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    response = await jp_fetch(
        "jupyter-forge",
        "tools",
        "slugify",
        "deprecate",
        method="POST",
        body=json.dumps({"reason": "use python-slugify"}),
    )
    data = json.loads(response.body)
    assert data["status"] == "deprecated"
    assert Library(libraries["project"]).get("slugify").deprecated["reason"] == "use python-slugify"  # type: ignore[attr-defined]
    listed = await get_json(jp_fetch, "tools")
    assert {t["name"]: t["status"] for t in listed["tools"]}["slugify"] == "deprecated"
    response = await jp_fetch(
        "jupyter-forge", "tools", "slugify", "deprecate", method="POST", body='{"undo": true}'
    )
    assert json.loads(response.body)["status"] == "approved"


async def test_deprecate_unknown_tool_is_404(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    code, body = await status_of(jp_fetch, "tools", "nope", "deprecate", method="POST", body="{}")
    assert code == 404 and "nope" in body["message"]


async def test_usage_stats_from_the_library(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    from jupyter_forge.core.usage import Counts, UsageKey, UsageStore

    store = UsageStore.for_library(libraries["project"])
    assert store.record({UsageKey("slugify", 1, "s1", "a.ipynb"): Counts(3, 1, 100.0, 200.0)})
    data = await get_json(jp_fetch, "tools")
    calls = {t["name"]: t["calls"] for t in data["tools"]}
    assert calls == {"slugify": 3, "parse_money": None}
    detail = await get_json(jp_fetch, "tools", "slugify")
    assert detail["stats"]["calls"] == 3 and detail["stats"]["failures"] == 1
    assert detail["stats"]["last_used"].startswith("1970-01-01T00:03:20")


async def test_shared_library_is_read_only(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    before = snapshot(libraries["shared"])
    code, body = await status_of(
        jp_fetch,
        "tools",
        "slugify",
        "deprecate",
        method="POST",
        body=json.dumps({"library": "shared", "reason": "x"}),
    )
    assert code == 409 and "read-only" in body["message"]
    assert snapshot(libraries["shared"]) == before
