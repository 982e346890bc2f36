"""Approved tools living in the kernel: exec'd into their own module, with schemas.

Each tool runs in a module of its own (``forge_tools.NAME``), so its imports do
not leak into the user namespace, and its source is registered with
:mod:`linecache`, so tracebacks and ``inspect.getsource`` show the real code.
With a :class:`~jupyter_forge.kernel.tracking.Tracker`, the namespace gets a thin
counting wrapper instead of the bare function (saved tools only: usage is stored
next to the tool's library).

A composed tool (``%%forge --compose``) finds its dependencies as globals of its
own module: the registry injects the installed callables before exec'ing it, so
its own helpers and imports still never clash with theirs. Binding is *live*:
when a dependency is installed again (re-forged, rolled back, reloaded), every
loaded tool that depends on it is re-pointed at the new version, the way a
notebook user expects a name to mean its latest approved definition (and the
way the reviewer of the new version was told: the approval note names the
dependents). A name the composed tool defines itself is never overwritten.
Removing a dependency (``%forge remove``) leaves loaded dependents with the
version they had. Calls made through a composed tool count as uses of the
dependency (it gets the tracked callable): %forge stats sees them.
"""

from __future__ import annotations

import linecache
import sys
import types
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ForgeError

if TYPE_CHECKING:
    from .tracking import Tracker


@dataclass
class RegisteredTool:
    """``function`` is the tool as exec'd; ``installed`` is what the namespace holds
    (the tracking wrapper, or ``function`` itself when calls are not tracked)."""

    name: str
    function: Callable[..., Any]
    code: str
    schema: dict[str, Any] | None
    version: int = 1
    path: str | None = None
    model: str = ""
    installed: Callable[..., Any] = field(kw_only=True)
    depends: tuple[str, ...] = field(default=(), kw_only=True)
    module: types.ModuleType | None = field(default=None, kw_only=True, repr=False)

    @property
    def tracked(self) -> bool:
        return self.installed is not self.function


@dataclass
class ToolRegistry:
    """Tools approved in this kernel, with their function-calling schemas."""

    tools: dict[str, RegisteredTool] = field(default_factory=dict)
    tracker: Tracker | None = None

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
        return tool is not None and namespace.get(name) is tool.installed

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
        depends: Sequence[str] = (),
    ) -> RegisteredTool:
        """Exec approved ``code`` into a fresh module and bind ``name`` in ``namespace``.

        ``depends``: installed tools the code calls; they must be installed first.
        """
        missing = [d for d in depends if d not in self.tools]
        if missing:
            raise ForgeError(
                f"`{name}` calls {', '.join(f'`{d}`' for d in missing)}, not loaded in this "
                f"kernel: %forge load {' '.join(missing)} first"
            )
        filename = f"<forge:{name} v{version}>"
        module = types.ModuleType(f"forge_tools.{name}")
        module.__file__ = filename
        module.__dict__.update({d: self.tools[d].installed for d in depends})
        lines = code.splitlines(keepends=True)
        linecache.cache[filename] = (len(code), None, lines, filename)
        sys.modules[module.__name__] = module
        exec(compile(code, filename, "exec"), module.__dict__)
        function = module.__dict__.get(name)
        if not callable(function):
            raise RuntimeError(f"the approved code defines no callable `{name}`")
        installed = function
        if path is not None and self.tracker is not None and self.tracker.enabled:
            installed = self.tracker.wrap(
                function, name=name, version=version, library=Path(path).parent
            )
        tool = RegisteredTool(
            name,
            function,
            code,
            schema,
            version,
            path,
            model,
            installed=installed,
            depends=tuple(depends),
            module=module,
        )
        self.tools[name] = tool
        namespace[name] = installed
        self._rebind(name, installed)
        return tool

    def dependents(self, name: str) -> list[str]:
        """Loaded tools that call ``name``."""
        return [t.name for t in self.tools.values() if name in t.depends and t.name != name]

    def _rebind(self, name: str, installed: Callable[..., Any]) -> None:
        """Point loaded dependents at the new ``name`` (live binding, see the module doc)."""
        for dependent in self.dependents(name):
            module = self.tools[dependent].module
            if module is None:
                continue
            current = module.__dict__.get(name)
            if getattr(current, "__module__", None) != module.__name__:
                module.__dict__[name] = installed

    def remove(self, name: str, namespace: MutableMapping[str, Any]) -> bool:
        tool = self.tools.pop(name, None)
        if tool is None:
            return False
        if namespace.get(name) is tool.installed:
            del namespace[name]
        sys.modules.pop(f"forge_tools.{name}", None)
        return True

    def close(self) -> bool:
        """Store pending usage counts and stop the tracker's thread (extension unload)."""
        return self.tracker.close() if self.tracker is not None else True
