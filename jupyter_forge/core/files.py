"""Where re-creatable data lives, and writing a file so that no reader and no crash
ever sees half of it.

Why one place: tool notebooks, the catalog cache, exported modules, settings, the
server's state and the assembled model are all written this way, and each copy had
drifted (one forgot the fsync, another left its temp file behind on an error); the
cache folder rule was written twice. Standard library only: the local-model code
imports it and must stay cheap.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from .environment import CACHE, from_env

CACHE_ENV = CACHE.name


def cache_dir() -> Path:
    """Persistent, re-creatable data (assembled models, catalog caches), safe to delete:
    `$JUPYTER_FORGE_CACHE`, else the XDG cache dir, never the notebook folder."""
    explicit = from_env(CACHE)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "jupyter_forge"


def write_atomic(
    path: Path,
    content: str | bytes | Callable[[IO[Any]], None],
    *,
    binary: bool = False,
    mode: int | None = 0o644,
    durable: bool = True,
) -> None:
    """Write ``content`` (or let ``content(handle)`` write) to a temp file beside ``path``,
    then rename it over ``path``.

    ``mode``: the file's permissions (None keeps the temp file's private 0o600, for
    state that is nobody else's business). ``durable``: fsync before the rename (off
    for caches that are rebuilt when lost). Raises what the writer or the OS raised;
    the temp file never stays behind and ``path`` is untouched on any failure.
    """
    is_bytes = binary or isinstance(content, bytes)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        handle: IO[Any] = os.fdopen(fd, "wb") if is_bytes else os.fdopen(fd, "w", encoding="utf-8")
        with handle:
            if callable(content):
                content(handle)
            else:
                handle.write(content)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
