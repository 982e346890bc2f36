"""One writer at a time per library folder: an advisory lock file, held only while writing.

Two kernels saving to the same library would otherwise both read version N and
both write N+1, losing one version's history. ``fcntl.flock`` is released by the
kernel when a process dies, so a killed writer never leaves the library locked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LibraryError

LOCK_NAME = ".forge.lock"


@contextmanager
def library_lock(root: Path, *, timeout: float = 30.0) -> Iterator[None]:
    """Hold the library's write lock; a one-line error if another writer holds it too long."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: atomic renames still protect each file
        yield
        return
    path = root / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LibraryError(
            f"cannot open the lock file {path} ({exc.strerror}): check the library folder's permissions"
        ) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LibraryError(
                        f"another process has been writing to {root} for over {timeout:.0f} s: "
                        "try again when it is done"
                    ) from None
                time.sleep(0.005)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
