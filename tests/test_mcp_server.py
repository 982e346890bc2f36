"""``jupyter-forge mcp`` driven by the official MCP SDK's own client over stdio.

The server is a real subprocess (``python -m jupyter_forge.cli mcp``) serving a
real notebook library signed into a throwaway notary dir (``--notary-dir``);
every call goes through the real sandbox.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import nbformat
import pytest

from jupyter_forge.core.library import Library
from jupyter_forge.core.schema import function_schema
from jupyter_forge.core.spec import Sample
from jupyter_forge.mcp_server import ToolServer, describe_listing, list_library
from jupyter_forge.sandbox.limits import Limits

mcp = pytest.importorskip("mcp")
from mcp import Client, StdioServerParameters  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

TOOLS = {
    "add": 'def add(a: int, b: int) -> int:\n    """Add two integers."""\n    return a + b\n',
    "parse_price": (
        "def parse_price(text: str) -> float:\n"
        '    """Parse a price like "$1,234.50" or "(12.00)" into a float."""\n'
        "    t = text.strip()\n"
        '    if not t or t in "$()":\n'
        '        raise ValueError(f"not a price: {text!r}")\n'
        '    value = float(t.strip("()").lstrip("$").replace(",", ""))\n'
        '    return -value if t.startswith("(") else value\n'
    ),
    "phone_home": (
        "def phone_home(host: str) -> str:\n"
        '    """Open a socket (must fail in the sandbox)."""\n'
        "    import socket\n"
        "    socket.create_connection((host, 80), timeout=2)\n"
        '    return "connected"\n'
    ),
    "drop_file": (
        "def drop_file(path: str) -> str:\n"
        '    """Write a file (outside the scratch dir it must fail)."""\n'
        '    with open(path, "w") as handle:\n'
        '        handle.write("owned")\n'
        '    return "wrote"\n'
    ),
    "old_tool": 'def old_tool() -> int:\n    """Superseded."""\n    return 1\n',
    "spin": 'def spin() -> None:\n    """Never returns."""\n    while True:\n        pass\n',
    "digits": (
        "def digits(n: int) -> set:\n"
        '    """The set of digits of n (not JSON: comes back as its repr)."""\n'
        "    return set(str(n))\n"
    ),
}


def save(library: Library, name: str, code: str) -> None:
    library.save(
        name=name,
        code=code,
        description=code.split('"""')[1],
        signature=f"{name}(...)",
        request=f"make {name}",
        model="openai/scripted",
        samples=[Sample(f"{name}", "code")],
        schema=function_schema(code, name),
        validation={"passed": True, "results": []},
        approved_how="test",
    )


def deprecate(path: Path) -> None:
    """Mark a tool deprecated as the library does (metadata only), keeping its signature valid."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata["jupyter_forge"]["deprecated"] = {"by": "test", "at": "now", "reason": "use add"}
    nbformat.write(nb, path)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "tools", notary_dir=str(tmp_path / "notary"))
    for name, code in TOOLS.items():
        save(lib, name, code)
    deprecate(lib.path_for("old_tool"))
    lib.trust("old_tool")  # re-sign: hidden because deprecated, not because untrusted
    # Signed on another machine / by nobody: never served.
    nb = nbformat.read(lib.path_for("add"), as_version=4)
    nb.metadata["jupyter_forge"]["name"] = "add_copy"
    nbformat.write(nb, lib.root / "add_copy.ipynb")
    return lib


def params(library: Library, timeout: str = "5") -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=[
            "-m",
            "jupyter_forge.cli",
            "mcp",
            "--library",
            str(library.root),
            "--notary-dir",
            str(library._notary_dir),
            "--timeout",
            timeout,
        ],
        cwd=str(ROOT),
        # No jupyter_forge_config.py of the person running the tests (~/.jupyter) applies.
        env={"JUPYTER_CONFIG_DIR": str(library.root.parent / "jupyter-config")},
    )


def with_client(
    library: Library, body: Callable[[Client], Awaitable[None]], timeout: str = "5"
) -> None:
    async def main() -> None:
        server = params(library, timeout)
        async with Client(server, cache=None, read_timeout_seconds=60) as client:
            await body(client)

    anyio.run(main)


def text_of(result: Any) -> str:
    return "".join(block.text for block in result.content if block.type == "text")


def test_list_tools_shows_exactly_the_trusted_non_deprecated_tools(library: Library) -> None:
    async def body(client: Client) -> None:
        listed = await client.list_tools()
        tools = {tool.name: tool for tool in listed.tools}
        assert set(tools) == {"add", "parse_price", "phone_home", "drop_file", "spin", "digits"}
        add = tools["add"]
        assert add.description == "Add two integers."
        stored = function_schema(TOOLS["add"], "add")["function"]["parameters"]
        assert add.input_schema == stored
        assert add.input_schema["properties"]["a"] == {"type": "integer"}
        assert add.input_schema["required"] == ["a", "b"]

    with_client(library, body)


def test_call_tool_returns_the_result_as_json(library: Library) -> None:
    async def body(client: Client) -> None:
        result = await client.call_tool("add", {"a": 2, "b": 40})
        assert not result.is_error
        assert json.loads(text_of(result)) == 42
        assert result.structured_content == {"result": 42}
        price = await client.call_tool("parse_price", {"text": "(1,234.50)"})
        assert not price.is_error and json.loads(text_of(price)) == -1234.5
        digits = await client.call_tool("digits", {"n": 11})
        assert not digits.is_error
        assert text_of(digits) == "{'1'}" and digits.structured_content is None

    with_client(library, body)


def test_a_tool_that_raises_is_an_error_result_with_one_line(library: Library) -> None:
    async def body(client: Client) -> None:
        result = await client.call_tool("parse_price", {"text": "$"})
        assert result.is_error
        assert text_of(result) == "ValueError: not a price: '$'"

    with_client(library, body)


def test_arguments_are_checked_against_the_schema(library: Library) -> None:
    async def body(client: Client) -> None:
        result = await client.call_tool("add", {"a": "two", "b": 1})
        assert result.is_error
        assert text_of(result).startswith("invalid arguments at a:")

    with_client(library, body)


def test_sandbox_blocks_sockets_and_writes_outside_scratch(
    library: Library, tmp_path: Path
) -> None:
    target = tmp_path / "outside.txt"

    async def body(client: Client) -> None:
        net = await client.call_tool("phone_home", {"host": "127.0.0.1"})
        assert net.is_error
        assert text_of(net).startswith(("PermissionError", "OSError", "ConnectionRefusedError"))
        assert "connected" not in text_of(net)
        drop = await client.call_tool("drop_file", {"path": str(target)})
        assert drop.is_error
        assert text_of(drop).startswith("PermissionError")

    with_client(library, body)
    assert not target.exists()


def test_untrusted_deprecated_and_unknown_tools_are_never_called(library: Library) -> None:
    async def body(client: Client) -> None:
        for name, why in (
            ("add_copy", "not trusted"),
            ("old_tool", "deprecated"),
            ("nope", "unknown tool"),
        ):
            result = await client.call_tool(name, {})
            assert result.is_error, name
            assert why in text_of(result), text_of(result)

    with_client(library, body)


def test_a_tampered_tool_disappears_and_cannot_be_called(library: Library) -> None:
    async def body(client: Client) -> None:
        before = {tool.name for tool in (await client.list_tools()).tools}
        assert "add" in before
        # Someone edits the tool's code after it was approved: the signature no longer matches.
        path = library.path_for("add")
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and "def add" in cell.source:
                cell.source = cell.source.replace("return a + b", "return a - b")
        nbformat.write(nb, path)
        result = await client.call_tool("add", {"a": 2, "b": 40})
        assert result.is_error and "not trusted" in text_of(result)
        after = {tool.name for tool in (await client.list_tools()).tools}
        assert after == before - {"add"}

    with_client(library, body)


def test_the_timeout_is_enforced(library: Library) -> None:
    async def body(client: Client) -> None:
        started = anyio.current_time()
        result = await client.call_tool("spin", {})
        assert result.is_error
        assert text_of(result) == "timed out after 1 s (the sandbox killed it)"
        assert anyio.current_time() - started < 15
        assert json.loads(text_of(await client.call_tool("add", {"a": 1, "b": 1}))) == 2

    with_client(library, body, timeout="1")


def test_a_composed_tool_runs_with_the_tools_it_calls(library: Library) -> None:
    code = (
        "def double_price(text: str) -> float:\n"
        '    """Twice the price parsed by parse_price."""\n'
        "    return 2 * parse_price(text)\n"
    )
    library.save(
        name="double_price",
        code=code,
        description="Twice the price parsed by parse_price.",
        signature="double_price(text: str) -> float",
        request="double a price",
        model="openai/scripted",
        samples=[],
        schema=function_schema(code, "double_price"),
        validation={"passed": True, "results": []},
        depends=["parse_price"],
    )

    async def body(client: Client) -> None:
        result = await client.call_tool("double_price", {"text": "$1.50"})
        assert not result.is_error, text_of(result)
        assert result.structured_content == {"result": 3.0}

    with_client(library, body)


def test_the_library_and_limits_come_from_the_forge_config_file(
    library: Library, tmp_path: Path
) -> None:
    """No --library, no --timeout: jupyter_forge_config.py says both, as for every command."""
    config_dir = tmp_path / "jupyter-config"
    config_dir.mkdir()
    (config_dir / "jupyter_forge_config.py").write_text(
        f"c.Forge.library = {str(library.root)!r}\nc.Forge.sample_timeout = 1.0\n",
        encoding="utf-8",
    )
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "jupyter_forge.cli", "mcp", "--notary-dir", str(library._notary_dir)],
        cwd=str(ROOT),
        env={"JUPYTER_CONFIG_DIR": str(config_dir), "JUPYTER_CONFIG_PATH": ""},
    )

    async def main() -> None:
        async with Client(server, cache=None, read_timeout_seconds=60) as client:
            added = await client.call_tool("add", {"a": 2, "b": 40})
            assert not added.is_error and text_of(added) == "42"
            spun = await client.call_tool("spin", {})
            assert text_of(spun) == "timed out after 1 s (the sandbox killed it)"

    anyio.run(main)


def test_hidden_tools_and_why_follow_the_tool_view_status(library: Library) -> None:
    """In-process: the listing the server logs at start and the refusal of a call.

    A tool both deprecated and untrusted is hidden as deprecated, as its status says
    everywhere else (the server used to call it untrusted).
    """
    nb = nbformat.read(library.path_for("old_tool"), as_version=4)
    nb.metadata["jupyter_forge"]["name"] = "old_copy"
    nbformat.write(nb, library.root / "old_copy.ipynb")  # signed by nobody, and deprecated
    listing = list_library(library)
    assert [view.name for view, _ in listing.served] == [
        "add", "digits", "drop_file", "parse_price", "phone_home", "spin"
    ]  # fmt: skip
    assert dict(listing.hidden) == {
        "add_copy": "not trusted on this machine (review it with %forge load)",
        "old_copy": "deprecated (use add)",
        "old_tool": "deprecated (use add)",
    }
    lines = list(describe_listing(listing, library.root))
    assert lines[0] == (
        f"serving 6 tool(s) from {library.root}: add, digits, drop_file, parse_price, "
        "phone_home, spin"
    )
    assert "hidden add_copy: not trusted on this machine (review it with %forge load)" in lines
    server = ToolServer(library, limits=Limits())
    assert server.lookup("old_copy") == (
        None,
        "tool `old_copy` is not served: deprecated (use add)",
    )
    assert server.lookup("add_copy")[1] == (
        "tool `add_copy` is not served: not trusted on this machine (review it with %forge load)"
    )
    record, why = server.lookup("add")
    assert record is not None and record.name == "add" and why == ""
