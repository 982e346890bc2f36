"""REST endpoints of the Forge Tools panel, under ``<base_url>/jupyter-forge/``.

GET ``tools[?q=]``, GET ``tools/NAME[?library=LABEL]``, POST ``tools/NAME/deprecate``.
All need an authenticated user (jupyter_server's token or cookie); reads never
write; every error is a JSON ``{"message": ...}`` the panel shows as is.
"""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from ..core.errors import ForgeError, SpecError
from ..core.usage import USAGE_FILE, UsageStore
from ..forge import Forge
from .libraries import (
    ForgeTools,
    Place,
    confined_path,
    detail,
    find_place,
    get_tool,
    list_tools,
    places,
    summary,
)

NAMESPACE = "jupyter-forge"


def _rank(query: str, items: list[tuple[Any, Place]]) -> list[tuple[Any, Place]]:
    """Fallback ranking by words in name, description and request (core.search replaces it)."""
    words = [w for w in re.findall(r"\w+", query.lower()) if w]
    if not words:
        return items
    scored = []
    for record, place in items:
        name, description = record.name.lower(), record.description.lower()
        request = record.request.lower()
        score = 0
        for word in words:
            score += 3 * (word in name) + 2 * (word in description) + (word in request)
        if score:
            scored.append((score, record.name, record, place))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(record, place) for _, _, record, place in scored]


def _search(query: str, items: list[tuple[Any, Place]]) -> list[tuple[Any, Place]]:
    """``%forge search``'s ranking (core.search) when it is there, else the word fallback."""
    try:
        search = importlib.import_module("jupyter_forge.core.search")
        index = search.ToolIndex([record for record, _ in items])
        by_name = {record.name: (record, place) for record, place in items}
        ranked = []
        for hit in index.search(query, k=max(len(items), 1), include_deprecated=True):
            record = getattr(hit, "record", hit)
            name = getattr(hit, "name", None) or getattr(record, "name", None)
            if isinstance(name, str) and name in by_name and by_name[name] not in ranked:
                ranked.append(by_name[name])
        return ranked
    except Exception:
        return _rank(query, items)


def _stats_json(stats: Any) -> dict[str, Any]:
    def when(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "calls": stats.calls,
        "failures": stats.failures,
        "failure_rate": round(stats.failure_rate, 4),
        "sessions": stats.sessions,
        "notebooks": stats.notebooks,
        "first_used": when(stats.first_used),
        "last_used": when(stats.last_used),
        "versions": {str(k): v for k, v in sorted(stats.versions.items())},
    }


def _stats(place: Place) -> dict[str, dict[str, Any]]:
    """Usage per tool of one library (core.usage, read only); empty when none recorded."""
    if not (place.root / USAGE_FILE).is_file():
        return {}
    try:
        stats = UsageStore.for_library(place.root).stats()
        return {name: _stats_json(value) for name, value in stats.items()}
    except Exception:
        return {}


class _Base(APIHandler):
    @property
    def forge_places(self) -> list[Place]:
        config: ForgeTools = self.settings["jupyter_forge_config"]
        return places(config, self.settings["server_root_dir"], self.settings["jupyter_forge"])

    @property
    def root_dir(self) -> str:
        return str(self.settings["server_root_dir"])

    def fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.finish(json.dumps({"message": message}))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """JSON errors (APIHandler's default), but never a traceback to the browser."""
        self.set_header("Content-Type", "application/json")
        reason = self._reason or "error"
        self.finish(json.dumps({"message": f"{status_code} {reason}"}))


class ToolsHandler(_Base):
    @web.authenticated
    def get(self) -> None:
        all_places = self.forge_places
        items, errors = list_tools(all_places)
        query = self.get_query_argument("q", "").strip()
        if query:
            items = _search(query, items)
        stats = {p.label: _stats(p) for p in all_places}
        tools = []
        for record, place in items:
            calls = stats[place.label].get(record.name, {}).get("calls")
            tools.append(
                summary(record, place, self.root_dir, calls if isinstance(calls, int) else None)
            )
        self.finish(
            json.dumps(
                {
                    "tools": tools,
                    "errors": errors,
                    "libraries": [p.describe() for p in all_places],
                    "query": query,
                    "poll_seconds": self.settings["jupyter_forge_config"].poll_seconds,
                }
            )
        )


class ToolHandler(_Base):
    @web.authenticated
    def get(self, name: str) -> None:
        label = self.get_query_argument("library", "") or None
        try:
            record, place = get_tool(self.forge_places, name, label)
        except ForgeError as exc:
            # SpecError (bad name) and LibraryError (corrupt notebook) are the user's to fix.
            self.fail(400 if isinstance(exc, SpecError) else 422, str(exc))
            return
        except LookupError as exc:
            self.fail(404, str(exc.args[0]))
            return
        stats = _stats(place).get(record.name)
        self.finish(json.dumps(detail(record, place, self.root_dir, stats), default=str))


class DeprecateHandler(_Base):
    @web.authenticated
    def post(self, name: str) -> None:
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
            record, place = get_tool(self.forge_places, name, label)
            confined_path(place, record.name)
            library = place.library()
            action = getattr(library, "undeprecate" if undo else "deprecate", None)
            if action is None:
                self.fail(501, "this jupyter_forge has no deprecation yet: upgrade it")
                return
            updated = action(record.name) if undo else action(record.name, reason)
        except ForgeError as exc:
            self.fail(400 if isinstance(exc, SpecError) else 409, str(exc))
            return
        except LookupError as exc:
            self.fail(404, str(exc.args[0]))
            return
        self.finish(json.dumps(summary(updated, place, self.root_dir, None), default=str))


def setup_handlers(web_app: Any, config: ForgeTools, forge: Forge) -> None:
    """``forge``: the ``Forge`` whose library settings say which folders are served."""
    web_app.settings["jupyter_forge_config"] = config
    web_app.settings["jupyter_forge"] = forge
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


__all__ = ["NAMESPACE", "find_place", "setup_handlers"]
