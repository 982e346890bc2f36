"""Approved tools living in the kernel: exec'd into their own module, with schemas.

Each tool runs in a module of its own (``forge_tools.NAME``), so its imports do
not leak into the user namespace, and its source is registered with
:mod:`linecache`, so tracebacks and ``inspect.getsource`` show the real code.
"""

from __future__ import annotations

import linecache
import sys
import types
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RegisteredTool:
    name: str
    function: Callable[..., Any]
    code: str
    schema: dict[str, Any] | None
    version: int = 1
    path: str | None = None
    model: str = ""


@dataclass
class ToolRegistry:
    """Tools approved in this kernel, with their function-calling schemas."""

    tools: dict[str, RegisteredTool] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.tools

    def get(self, name: str) -> RegisteredTool | None:
        return self.tools.get(name)

    def schemas(self) -> list[dict[str, Any]]:
        """The ``tools=`` argument for litellm/OpenAI function calling."""
        return [t.schema for t in self.tools.values() if t.schema]

    def is_current(self, name: str, namespace: MutableMapping[str, Any]) -> bool:
        """Whether ``namespace[name]`` is still the tool we installed (not user-rebound)."""
        tool = self.tools.get(name)
        return tool is not None and namespace.get(name) is tool.function

    def install(
        self,
        namespace: MutableMapping[str, Any],
        *,
        name: str,
        code: str,
        schema: dict[str, Any] | None,
        version: int = 1,
        path: str | None = None,
        model: str = "",
    ) -> RegisteredTool:
        """Exec approved ``code`` into a fresh module and bind ``name`` in ``namespace``."""
        filename = f"<forge:{name} v{version}>"
        module = types.ModuleType(f"forge_tools.{name}")
        module.__file__ = filename
        lines = code.splitlines(keepends=True)
        linecache.cache[filename] = (len(code), None, lines, filename)
        sys.modules[module.__name__] = module
        exec(compile(code, filename, "exec"), module.__dict__)
        function = module.__dict__.get(name)
        if not callable(function):
            raise RuntimeError(f"the approved code defines no callable `{name}`")
        tool = RegisteredTool(name, function, code, schema, version, path, model)
        self.tools[name] = tool
        namespace[name] = function
        return tool

    def remove(self, name: str, namespace: MutableMapping[str, Any]) -> bool:
        tool = self.tools.pop(name, None)
        if tool is None:
            return False
        if namespace.get(name) is tool.function:
            del namespace[name]
        sys.modules.pop(f"forge_tools.{name}", None)
        return True
