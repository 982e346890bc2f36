"""ToolRegistry: approved code exec'd into its own module, with source and schema."""

from __future__ import annotations

import inspect
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_forge.kernel.registry import ToolRegistry

CODE = '''import math


def area(radius: float) -> float:
    """Area of a circle."""
    if radius < 0:
        raise ValueError("negative radius")
    return math.pi * radius ** 2
'''
SCHEMA = {"type": "function", "function": {"name": "area", "description": "Area of a circle."}}


@pytest.fixture
def registry() -> Iterator[ToolRegistry]:
    reg = ToolRegistry()
    yield reg
    for name in list(reg.tools):
        sys.modules.pop(f"forge_tools.{name}", None)


def test_install_binds_the_function_without_leaking_its_imports(registry: ToolRegistry) -> None:
    ns: dict[str, object] = {}
    tool = registry.install(ns, name="area", code=CODE, schema=SCHEMA, version=3, path="/x.ipynb")

    assert set(ns) == {"area"}  # `math` stays inside the tool's module
    assert ns["area"] is tool.function
    assert tool.function(1.0) == pytest.approx(3.14159, rel=1e-4)
    assert tool.function.__module__ == "forge_tools.area"
    assert sys.modules["forge_tools.area"].math is sys.modules["math"]
    assert "area" in registry and registry.get("area") is tool
    assert (tool.version, tool.path, tool.code) == (3, "/x.ipynb", CODE)


def test_source_and_tracebacks_show_the_real_code(registry: ToolRegistry) -> None:
    ns: dict[str, object] = {}
    registry.install(ns, name="area", code=CODE, schema=None, version=2)
    function = ns["area"]

    assert inspect.getsource(function).startswith("def area(radius: float) -> float:")
    with pytest.raises(ValueError) as info:
        function(-1)  # type: ignore[operator]
    text = "".join(traceback.format_exception(info.value))
    assert 'File "<forge:area v2>"' in text
    assert 'raise ValueError("negative radius")' in text


def test_is_current_tracks_rebinding(registry: ToolRegistry) -> None:
    ns: dict[str, object] = {}
    registry.install(ns, name="area", code=CODE, schema=None)
    assert registry.is_current("area", ns)
    ns["area"] = 5
    assert not registry.is_current("area", ns)
    assert not registry.is_current("missing", ns)


def test_remove_undefines_only_our_function(registry: ToolRegistry) -> None:
    ns: dict[str, object] = {}
    registry.install(ns, name="area", code=CODE, schema=None)
    assert registry.remove("area", ns)
    assert "area" not in ns and "area" not in registry
    assert "forge_tools.area" not in sys.modules
    assert not registry.remove("area", ns)

    registry.install(ns, name="area", code=CODE, schema=None)
    ns["area"] = "user value"
    assert registry.remove("area", ns)
    assert ns["area"] == "user value"


def test_schemas_lists_tools_that_have_one(registry: ToolRegistry) -> None:
    ns: dict[str, object] = {}
    registry.install(ns, name="area", code=CODE, schema=SCHEMA)
    registry.install(
        ns, name="twice", code="def twice(x: int) -> int:\n    return 2 * x\n", schema=None
    )
    assert registry.schemas() == [SCHEMA]


def test_reinstall_replaces_the_version(registry: ToolRegistry) -> None:
    ns: dict[str, object] = {}
    registry.install(ns, name="area", code=CODE, schema=None, version=1)
    first = ns["area"]
    registry.install(ns, name="area", code=CODE.replace("math.pi", "3"), schema=None, version=2)
    assert ns["area"] is not first
    assert ns["area"](1.0) == 3  # type: ignore[operator]
    assert registry.get("area").version == 2  # type: ignore[union-attr]


def test_code_without_the_function_is_refused(registry: ToolRegistry) -> None:
    ns: dict[str, object] = {}
    with pytest.raises(RuntimeError, match="defines no callable `area`"):
        registry.install(ns, name="area", code="area = 3\n", schema=None)
    assert "area" not in ns and "area" not in registry


def test_without_a_tracker_the_namespace_holds_the_bare_function(registry: ToolRegistry) -> None:
    ns: dict[str, object] = {}
    tool = registry.install(ns, name="area", code=CODE, schema=None, path="/lib/area.ipynb")
    assert tool.installed is tool.function and not tool.tracked
    assert registry.close()  # nothing to flush


def test_remove_leaves_a_rebound_name_when_tracked(tmp_path: Path) -> None:
    from jupyter_forge.kernel.tracking import Tracker

    registry = ToolRegistry(tracker=Tracker(flush_seconds=3600, register_atexit=False))
    ns: dict[str, object] = {}
    tool = registry.install(ns, name="area", code=CODE, schema=None, path=str(tmp_path / "a.ipynb"))
    assert tool.tracked and registry.is_current("area", ns)
    ns["area"] = tool.function  # the bare function is not what we installed
    assert not registry.is_current("area", ns)
    assert registry.remove("area", ns)
    assert ns["area"] is tool.function
    assert registry.close()
