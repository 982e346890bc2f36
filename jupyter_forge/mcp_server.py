"""``jupyter-forge mcp``: serve a library's approved tools to other agents over MCP (stdio).

Desktop assistants and IDEs speak the Model Context Protocol; serving the
library over it lets them use what the notebook made. The rules are the
notebook's own:

* only tools whose notebook signature is valid on this machine (trusted, i.e.
  approved here) and that are not deprecated are listed or callable, as
  :class:`.core.tool_view.ToolView` rules for every front end (its status, its
  reason for hiding a tool, the description an agent reads); trust is checked
  again on every call, so a notebook edited after the listing is refused, not run;
* every call runs in the validation sandbox (:func:`.sandbox.call.call_tool`): a
  fresh locked-down worker with the tool's code, no network, writes only to its
  scratch dir, the wall-clock timeout enforced by the host; arguments travel as
  JSON, the result comes back as JSON (or a truncated repr);
* a tool that raises is an MCP tool error (``isError``) with its one-line message.

The library is re-read on every ``tools/list`` (tools approved in the notebook
appear without a restart). Trust uses nbformat's notary database, by default in
the Jupyter data dir (``$JUPYTER_DATA_DIR``, else ``~/.local/share/jupyter``);
``--notary-dir`` points elsewhere. Logs go to stderr: stdout is the protocol.
The library and the per-call limits are the ``Forge`` settings
(``jupyter_forge_config.py``, ``--Forge.NAME=VALUE``), unless ``--library`` or
``--timeout`` say otherwise.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, TextIO

from .core.errors import ForgeError, LibraryError
from .core.library import Library, ToolRecord
from .core.tool_view import ToolView
from .sandbox.limits import Limits

SERVER_NAME = "jupyter-forge"
MAX_CONCURRENT_CALLS = 2  # sandbox workers at once; the machine runs a kernel too


class Served(NamedTuple):
    """A tool served: its view (name, description) and its record (code, schema)."""

    view: ToolView
    record: ToolRecord


@dataclass(frozen=True)
class Listing:
    """The tools a library serves, and the ones it hides (with why), as ToolView says."""

    served: list[Served]
    hidden: list[tuple[str, str]]


def list_library(library: Library) -> Listing:
    served: list[Served] = []
    hidden: list[tuple[str, str]] = []
    for record in library.tools():
        view = ToolView.of(record)
        reason = view.hidden_reason
        if reason is None:
            served.append(Served(view, record))
        else:
            hidden.append((view.name, reason))
    hidden.extend(("?", error) for error in library.errors)
    return Listing(served, hidden)


def input_schema(record: ToolRecord) -> dict[str, Any]:
    """The stored OpenAI-format parameters as an MCP input schema (an object at the root)."""
    function = (record.schema or {}).get("function") if isinstance(record.schema, dict) else None
    params = function.get("parameters") if isinstance(function, dict) else None
    if not isinstance(params, dict) or not params:
        try:
            from .core.schema import function_schema

            params = function_schema(record.code, record.name)["function"]["parameters"]
        except Exception:
            params = {}
    schema = dict(params) if isinstance(params, dict) else {}
    schema.setdefault("type", "object")
    if schema["type"] == "object":
        schema.setdefault("properties", {})
    return schema


def argument_problem(schema: dict[str, Any], arguments: dict[str, Any]) -> str | None:
    """One line if ``arguments`` break the tool's JSON schema (checked before any sandbox)."""
    try:
        import jsonschema  # type: ignore[import-untyped]
    except ImportError:  # the SDK depends on it; without it the tool's own TypeError still speaks
        return None
    try:
        jsonschema.validate(arguments, schema)
    except jsonschema.ValidationError as exc:
        where = ".".join(str(p) for p in exc.absolute_path)
        return f"invalid arguments{f' at {where}' if where else ''}: {exc.message}"
    except jsonschema.SchemaError:
        return None  # a schema jsonschema cannot read: let the tool judge its arguments
    return None


class ToolServer:
    """The MCP handlers over one library; ``serve`` runs them on stdio."""

    def __init__(self, library: Library, *, limits: Limits, log: TextIO = sys.stderr) -> None:
        self.library, self.limits, self.log = library, limits, log

    def say(self, message: str) -> None:
        print(f"jupyter-forge mcp: {message}", file=self.log, flush=True)

    def tools(self) -> list[Any]:
        import mcp.types as types

        return [
            types.Tool(
                name=view.name,
                description=view.agent_description,
                input_schema=input_schema(record),
            )
            for view, record in list_library(self.library).served
        ]

    def lookup(self, name: str) -> tuple[ToolRecord | None, str]:
        """The tool, freshly read and trust-checked now, or None and why not."""
        try:
            record = self.library.get(name)
        except (LibraryError, ForgeError):
            return None, f"unknown tool `{name}`: list the tools again"
        reason = ToolView.of(record).hidden_reason
        if reason is not None:
            return None, f"tool `{name}` is not served: {reason}"
        return record, ""

    def call(self, name: str, arguments: dict[str, Any]) -> tuple[bool, str, Any]:
        """(ok, text, structured value or None): blocking, run off the event loop."""
        from .core.compose import standalone_code
        from .sandbox.call import call_tool

        record, why = self.lookup(name)
        if record is None:
            return False, why, None
        problem = argument_problem(input_schema(record), arguments)
        if problem:
            return False, problem, None
        try:
            # A composed tool runs with the trusted tools it calls, each in its own namespace.
            code = standalone_code(record, self.library.get) if record.depends else record.code
        except LibraryError as exc:
            return False, str(exc), None
        started = time.perf_counter()
        result = call_tool(code, record.name, arguments, limits=self.limits)
        took = (time.perf_counter() - started) * 1000
        self.say(f"{name}: {'ok' if result.ok else result.error} ({took:.0f} ms)")
        value = {"result": result.value} if result.ok and result.is_json else None
        return result.ok, result.as_text(), value

    def build(self) -> Any:
        import anyio
        import mcp.types as types
        from mcp.server.context import ServerRequestContext
        from mcp.server.lowlevel import Server

        from ._version import __version__

        limiter = anyio.CapacityLimiter(MAX_CONCURRENT_CALLS)

        async def on_list_tools(
            ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
        ) -> types.ListToolsResult:
            tools = await anyio.to_thread.run_sync(self.tools)
            return types.ListToolsResult(tools=tools)

        async def on_call_tool(
            ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
        ) -> types.CallToolResult:
            arguments = dict(params.arguments or {})
            ok, text, value = await anyio.to_thread.run_sync(
                self.call, params.name, arguments, limiter=limiter
            )
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=text)],
                structured_content=value,
                is_error=not ok,
            )

        return Server(
            SERVER_NAME,
            version=__version__,
            instructions="Tools forged and approved in Jupyter notebooks; each call runs in a sandbox.",
            on_list_tools=on_list_tools,
            on_call_tool=on_call_tool,
        )

    def serve(self) -> None:
        import anyio
        from mcp.server.stdio import stdio_server

        server = self.build()

        async def main() -> None:
            async with stdio_server() as (read_stream, write_stream):
                await server.run(read_stream, write_stream, server.create_initialization_options())

        anyio.run(main)


def describe_listing(listing: Listing, root: object) -> Iterable[str]:
    names = ", ".join(view.name for view, _ in listing.served) or "none"
    yield f"serving {len(listing.served)} tool(s) from {root}: {names}"
    for name, reason in listing.hidden:
        yield f"hidden {name}: {reason}"


def run(library: Library, *, limits: Limits) -> int:
    """Entry point of ``jupyter-forge mcp`` (after argument parsing)."""
    server = ToolServer(library, limits=limits)
    if not library.root.is_dir():
        raise LibraryError(f"no library folder at {library.root}: pass --library DIR")
    for line in describe_listing(list_library(library), library.root):
        server.say(line)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve()
    return 0
