"""REST endpoints of the Forge Tools panel, under ``<base_url>/jupyter-forge/``.

GET ``tools[?q=]``, GET ``tools/NAME[?library=LABEL]``, POST ``tools/NAME/deprecate``.
All need an authenticated user (jupyter_server's token or cookie); reads never
write; every error is a JSON ``{"message": ...}`` the panel shows as is. The
payloads are described once in ``schema.json``. Every library scan and notebook
read runs in a worker thread: a slow disk or a cold 10,000-tool scan never holds
up another request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from ..core.errors import ForgeError, SpecError
from ..core.libraries import LibrarySet
from ..core.record import ToolRecord
from ..core.tool_view import ToolView, detail_json, stats_json
from ..core.usage import USAGE_FILE, UsageStore
from ..forge import Forge
from .libraries import (
    ForgeTools,
    confined_path,
    find_library,
    get_tool,
    library_set,
    relative_to_root,
)
from .poll import ToolsService

NAMESPACE = "jupyter-forge"


class _Base(APIHandler):
    @property
    def service(self) -> ToolsService:
        service: ToolsService = self.settings["jupyter_forge_service"]
        return service

    def libraries(self) -> LibrarySet:
        """A LibrarySet of this request's own: Library objects are not shared across threads."""
        make: Callable[[], LibrarySet] = self.settings["jupyter_forge_libraries"]
        return make()

    def summary(self, record: ToolRecord, calls: int | None) -> dict[str, Any]:
        """One tool as GET tools lists it (``IToolSummary``)."""
        library = find_library(self.service.libraries, record.location)
        return {
            **ToolView.of(record).to_json(),
            "calls": calls,
            "library_path": str(library.root),
            "notebook": relative_to_root(record.path, self.service.root_dir),
        }

    def fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.finish(json.dumps({"message": message}))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """JSON errors (APIHandler's default), but never a traceback to the browser."""
        self.set_header("Content-Type", "application/json")
        reason = self._reason or "error"
        self.finish(json.dumps({"message": f"{status_code} {reason}"}))


class ToolsHandler(_Base):
    _etag: str | None = None

    @web.authenticated
    async def get(self) -> None:
        snapshot = await self.service.snapshot()
        query = self.get_query_argument("q", "").strip()
        self.set_header("Cache-Control", "no-cache")  # always revalidate: the ETag is cheap
        if query:
            self.finish(await asyncio.to_thread(self.service.search, snapshot, query))
            return
        self._etag = snapshot.etag  # a poll with If-None-Match gets a 304, no body
        self.finish(snapshot.body)

    def compute_etag(self) -> str | None:
        return f'"{self._etag}"' if self._etag else super().compute_etag()


class ToolHandler(_Base):
    @web.authenticated
    async def get(self, name: str) -> None:
        label = self.get_query_argument("library", "") or None
        try:
            data = await asyncio.to_thread(self._detail, name, label)
        except ForgeError as exc:
            # SpecError (bad name) and LibraryError (corrupt notebook) are the user's to fix.
            self.fail(400 if isinstance(exc, SpecError) else 422, str(exc))
            return
        except LookupError as exc:
            self.fail(404, str(exc.args[0]))
            return
        self.finish(json.dumps(data, default=str))

    def _detail(self, name: str, label: str | None) -> dict[str, Any]:
        record = get_tool(self.libraries(), name, label)
        usage = record.path.parent / USAGE_FILE
        stats = UsageStore.for_library(record.path.parent).stats() if usage.is_file() else {}
        found = stats.get(record.name)
        data = self.summary(record, found.calls if found else None)
        data.update(detail_json(record))
        data["stats"] = stats_json(found) if found else None
        return data


class DeprecateHandler(_Base):
    @web.authenticated
    async def post(self, name: str) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            self.fail(400, 'the body must be JSON like {"reason": "..."}')
            return
        body = body if isinstance(body, dict) else {}
        reason = str(body.get("reason", "") or "")
        undo = bool(body.get("undo", False))
        label = str(body.get("library", "") or "") or None
        try:
            data = await asyncio.to_thread(self._deprecate, name, label, reason, undo)
        except ForgeError as exc:
            self.fail(400 if isinstance(exc, SpecError) else 409, str(exc))
            return
        except LookupError as exc:
            self.fail(404, str(exc.args[0]))
            return
        self.service.invalidate()
        self.finish(json.dumps(data, default=str))

    def _deprecate(self, name: str, label: str | None, reason: str, undo: bool) -> dict[str, Any]:
        libraries = self.libraries()
        record = get_tool(libraries, name, label)
        library = find_library(libraries, record.location)
        confined_path(library, record.name)
        updated = (
            library.undeprecate(record.name) if undo else library.deprecate(record.name, reason)
        )
        return self.summary(updated, None)


def setup_handlers(web_app: Any, config: ForgeTools, forge: Forge) -> None:
    """``forge``: the ``Forge`` whose library settings say which folders are served."""
    root_dir = str(web_app.settings["server_root_dir"])

    def libraries() -> LibrarySet:
        return library_set(config, root_dir, forge)

    web_app.settings["jupyter_forge_libraries"] = libraries
    web_app.settings["jupyter_forge_service"] = ToolsService(
        libraries(), root_dir=root_dir, poll_seconds=config.poll_seconds
    )
    base = url_path_join(web_app.settings["base_url"], NAMESPACE)
    name = r"(?P<name>[^/]+)"
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "tools"), ToolsHandler),
            (url_path_join(base, "tools", name), ToolHandler),
            (url_path_join(base, "tools", name, "deprecate"), DeprecateHandler),
        ],
    )


__all__ = ["NAMESPACE", "setup_handlers"]
