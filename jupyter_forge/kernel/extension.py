"""``%load_ext jupyter_forge``: register magics and one-line error display. Nothing slow."""

from __future__ import annotations

from typing import Any

from ..core.errors import ForgeError

_loaded: dict[int, Any] = {}


def _show_forge_error(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
    """A ForgeError is advice, not a crash: show its one line, not a traceback.

    The cell still fails (``error_in_exec`` is set by IPython), so Run All stops.
    """
    line = f"\x1b[31m{etype.__name__}\x1b[0m: {value}"
    shell._showtraceback(etype, value, [line])
    return [line]


def load(shell: Any) -> None:
    from .magics import ForgeMagics

    if id(shell) in _loaded:
        return
    magics = ForgeMagics(shell)
    shell.register_magics(magics)
    shell.set_custom_exc((ForgeError,), _show_forge_error)
    _loaded[id(shell)] = magics


def unload(shell: Any) -> None:
    magics = _loaded.pop(id(shell), None)
    if magics is not None:
        shell.set_custom_exc((), None)
        shell.magics_manager.registry.pop("ForgeMagics", None)


def magics_for(shell: Any) -> Any:
    """The ForgeMagics instance of a shell (tests, the panel's comm target later)."""
    return _loaded.get(id(shell))
