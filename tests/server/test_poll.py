"""GET tools answers from a kept snapshot, rebuilt off the event loop (server/poll.py)."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import SLUGIFY, save_tool
from test_handlers import get_json, status_of

from jupyter_forge.core.tool_listing import Listing, ToolListing
from jupyter_forge.server import poll


def service_of(jp_serverapp: Any) -> poll.ToolsService:
    service: poll.ToolsService = jp_serverapp.web_app.settings["jupyter_forge_service"]
    return service


async def test_a_slow_scan_holds_up_no_other_request(
    jp_fetch: Any, libraries: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()
    original = ToolListing.refresh

    def slow(self: ToolListing) -> Listing:
        started.set()
        release.wait(60)
        return original(self)

    monkeypatch.setattr(ToolListing, "refresh", slow)
    listing = asyncio.ensure_future(jp_fetch("jupyter-forge", "tools"))
    for _ in range(600):
        if started.is_set():
            break
        await asyncio.sleep(0.05)
    detail = await get_json(jp_fetch, "tools", "slugify")  # answered while the scan waits
    assert detail["name"] == "slugify" and not listing.done()
    release.set()
    assert json.loads((await listing).body)["tools"]


async def test_an_unchanged_list_is_one_etag(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    response = await jp_fetch("jupyter-forge", "tools")
    etag = response.headers["Etag"]
    code, _ = await status_of(jp_fetch, "tools", headers={"If-None-Match": etag})
    assert code == 304
    save_tool(libraries["project"], "slugify", SLUGIFY, "Slugs, v2.")
    response = await jp_fetch("jupyter-forge", "tools", headers={"If-None-Match": etag})
    assert response.code == 200 and response.headers["Etag"] != etag


async def test_changes_show_at_once_or_by_the_next_poll(
    jp_fetch: Any, jp_serverapp: Any, libraries: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(poll, "RACY_NS", 0)  # the fixture's folders were just written
    monkeypatch.setattr(poll, "REVALIDATE_SECONDS", 0.0)
    service = service_of(jp_serverapp)
    statuses = {t["name"]: t["status"] for t in (await get_json(jp_fetch, "tools"))["tools"]}
    assert statuses["slugify"] == "approved"
    assert service.listing.stats["read"] == 3  # the shadowed shared slugify too
    save_tool(libraries["project"], "slugify", SLUGIFY, "Slugs, v2.")  # a new file: at once
    versions = {t["name"]: t["version"] for t in (await get_json(jp_fetch, "tools"))["tools"]}
    assert versions["slugify"] == 2 and service.listing.stats["read"] == 1
    path = libraries["project"] / "slugify.ipynb"
    path.write_text(path.read_text().replace("Slugs, v2.", "Slugs, v2!"))  # same folder mtime
    await get_json(jp_fetch, "tools")  # the kept answer, and a re-list behind it
    assert service._background is not None
    await service._background
    statuses = {t["name"]: t["status"] for t in (await get_json(jp_fetch, "tools"))["tools"]}
    assert statuses["slugify"] == "untrusted"
