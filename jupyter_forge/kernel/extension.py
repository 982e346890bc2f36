"""``%load_ext jupyter_forge``: register magics and one-line error display. Nothing slow."""

from __future__ import annotations

from typing import Any

from ..core.errors import ForgeCancelled, ForgeError
from .progress import ShownInCell

_loaded: dict[int, Any] = {}


def _show_forge_error(
    shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    """A ForgeError is advice, not a crash, and ForgeCancelled is the person's own
    interrupt: show one line, not a traceback.

    The cell still fails (``error_in_exec`` is set by IPython), so Run All stops.
    A :class:`ShownInCell` failure is already the cell's state line: printing it again
    would leave a line no later state can replace.
    """
    line = f"\x1b[31m{etype.__name__}\x1b[0m: {value}"
    if not isinstance(value, ShownInCell):
        shell._showtraceback(etype, value, [line])
    return [line]


def _keep_prompts_in_forge_cells(transform: Any) -> Any:
    """IPython strips ``>>>`` prompts before magics see a cell; ``%%forge`` samples need them."""

    def keep(lines: list[str]) -> Any:
        if lines and lines[0].lstrip().startswith("%%forge"):
            return lines
        return transform(lines)

    keep.forge_wrapped = transform  # type: ignore[attr-defined]
    keep.has_side_effects = getattr(transform, "has_side_effects", False)  # type: ignore[attr-defined]
    return keep


def _patch_prompt_strippers(shell: Any, on: bool) -> None:
    from IPython.core.inputtransformer2 import PromptStripper

    manager = getattr(shell, "input_transformer_manager", None)
    cleanup = getattr(manager, "cleanup_transforms", None)
    if not isinstance(cleanup, list):
        return
    for index, transform in enumerate(cleanup):
        original = getattr(transform, "forge_wrapped", transform)
        if isinstance(original, PromptStripper):
            cleanup[index] = _keep_prompts_in_forge_cells(original) if on else original


def load(shell: Any) -> None:
    from .magics import ForgeMagics
    from .session import KernelSession

    if id(shell) in _loaded:
        return
    session = KernelSession.for_shell(shell)  # the one per shell, shared by every command
    magics = ForgeMagics(shell, session)
    shell.register_magics(magics)
    _patch_prompt_strippers(shell, True)
    shell.set_custom_exc((ForgeError, ForgeCancelled), _show_forge_error)
    _loaded[id(shell)] = magics
    from . import comm, hook

    hook.restore(shell, session.forge)  # `%forge hook on` is remembered across kernels
    comm.register(shell)  # the Forge Tools panel's comm target


def unload(shell: Any) -> None:
    magics = _loaded.pop(id(shell), None)
    if magics is not None:
        magics.session.close()  # flush call counts, stop the flush thread, drop the Forge
        from . import comm, hook

        hook.uninstall(shell)
        comm.unregister(shell)
        shell.set_custom_exc((), None)
        _patch_prompt_strippers(shell, False)
        shell.magics_manager.registry.pop("ForgeMagics", None)
        for kind in ("line", "cell"):
            shell.magics_manager.magics[kind].pop("forge", None)
    _stop_sandbox_pool()


def _stop_sandbox_pool() -> None:
    """The warm pool belongs to this kernel's use of forge: unloading stops its workers.

    Only if it was ever imported (``%load_ext`` alone never starts it); the next
    validation starts a fresh one lazily. Kernel shutdown stops it via ``atexit``.
    """
    import sys

    pool = sys.modules.get("jupyter_forge.sandbox.pool")
    if pool is not None:
        pool.shutdown_default()


def magics_for(shell: Any) -> Any:
    """The ForgeMagics instance of a shell (tests, the panel's comm target later)."""
    return _loaded.get(id(shell))
