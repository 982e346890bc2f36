"""Network, PID and IPC namespaces for the worker, through util-linux ``unshare``.

Why ``unshare(1)`` and not ``os.unshare``: we support Python 3.11, and a new
PID namespace only applies to children, so something must fork anyway;
``unshare --fork --kill-child`` does both, and when the host SIGKILLs it (on a
timeout) the kernel's death signal takes the namespace's init, and with it
every process the candidate started, down. A fresh network namespace has only
a loopback interface that is down: no network at all. Detected once by trying.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

FLAGS = ("--net", "--pid", "--ipc", "--fork", "--kill-child")


@functools.cache
def unshare_prefix() -> tuple[str, ...] | None:
    """The argv prefix that runs a command in new namespaces, or None if that fails here."""
    binary = shutil.which("unshare", path="/usr/bin:/bin:/usr/sbin:/sbin")
    if binary is None:
        return None
    user = () if os.geteuid() == 0 else ("--user", "--map-root-user")
    prefix = (binary, *user, *FLAGS, "--")
    try:
        result = subprocess.run(
            [*prefix, "/bin/sh", "-c", "exit 0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return prefix if result.returncode == 0 else None


def in_user_namespace() -> bool:
    """True when the worker runs in its own user namespace (the host is not root)."""
    prefix = unshare_prefix()
    return prefix is not None and "--user" in prefix
