"""jupyter_forge: forge typed, tested, human-approved Python tools from plain words.

``%load_ext jupyter_forge`` registers ``%%forge``/``%forge``. Importing this
package stays cheap: litellm, ipywidgets and the sandbox load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .forge import Forge

__all__ = ["Forge", "__version__", "load_ipython_extension", "unload_ipython_extension"]


def __getattr__(name: str) -> Any:
    if name == "Forge":
        from .forge import Forge

        return Forge
    raise AttributeError(f"module 'jupyter_forge' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    from .kernel.extension import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .kernel.extension import unload

    unload(ipython)
