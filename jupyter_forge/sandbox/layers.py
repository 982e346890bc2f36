"""Which isolation layers protect a validation run, and which are missing, detected here.

Shown to the user next to every verdict, so that nobody mistakes "it passed in
the sandbox" for more than the sandbox actually guarantees. Each optional
layer is detected once (by trying it, cached) and the worker refuses to run if
a layer the host planned fails to apply, so these lists never overstate.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from . import lockdown, namespaces, seccomp

NOBODY = 65534

# Names a policy can require (``Limits.require``).
NET_NS = "network namespace"
PID_NS = "PID namespace"
IPC_NS = "IPC namespace"
NON_ROOT = "non-root uid"
LANDLOCK = "Landlock filesystem allowlist"
SECCOMP = "seccomp syscall filter"
NO_CAPS = "no capabilities"
OPTIONAL_LAYERS = frozenset({NET_NS, PID_NS, IPC_NS, NON_ROOT, NO_CAPS, LANDLOCK, SECCOMP})


@dataclass(frozen=True)
class Detected:
    """What this machine offers; ``reasons`` explains every layer that is missing."""

    unshare: tuple[str, ...] | None
    drop_to: int | None  # uid (and gid) the worker becomes, when the host is root
    landlock_abi: int
    seccomp_program: bytes | None
    reasons: dict[str, str]
    drop_caps: bool = False  # root that cannot drop its uid gives up its capabilities instead


@functools.cache
def detect() -> Detected:
    """Probe each optional layer once per process."""
    reasons: dict[str, str] = {}
    prefix = namespaces.unshare_prefix()
    if prefix is None:
        for name in (NET_NS, PID_NS, IPC_NS):
            reasons[name] = "util-linux `unshare` is missing or namespaces are not allowed"
    drop_to: int | None = None
    if os.geteuid() == 0 and not namespaces.in_user_namespace():
        blocker = _unreadable_by(NOBODY, user_site())
        if blocker is None:
            drop_to = NOBODY
        else:
            reasons[NON_ROOT] = f"running as root, and uid {NOBODY} cannot read {blocker}"
    abi = _landlock_abi()
    if abi < 1:
        reasons[LANDLOCK] = "the kernel has no Landlock (Linux 5.13+ with landlock enabled)"
    program = seccomp.filter_program() if seccomp.kernel_has_seccomp() else None
    if program is None:
        reasons[SECCOMP] = "no kernel seccomp, or the pyseccomp/libseccomp package is missing"
    # uid 0 in the worker: root host that cannot drop its uid, or root of a user namespace.
    as_root = drop_to is None and (os.geteuid() == 0 or namespaces.in_user_namespace())
    drop_caps = as_root and os.uname().machine in _CAPSET
    if as_root and not drop_caps:
        reasons[NO_CAPS] = "running as root on an architecture without a known capset number"
    return Detected(prefix, drop_to, abi, program, reasons, drop_caps)


_CAPSET = ("x86_64", "aarch64")


def _landlock_abi() -> int:
    try:
        return lockdown.landlock_abi()
    except (OSError, AttributeError):
        return 0


def python_roots() -> list[str]:
    """Where the interpreter, its stdlib and site-packages live (read-only in the sandbox)."""
    import site

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.update(site.getsitepackages())
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    roots.add(os.path.dirname(os.__file__))
    return sorted(r for r in roots if r)


def user_site() -> list[str]:
    """``-I`` drops user site-packages; the worker gets them back if the host uses them."""
    import site

    path = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    return [path] if path and path in sys.path else []


def _unreadable_by(uid: int, extra: Sequence[str] = ()) -> str | None:
    """The first interpreter path another uid could not reach (a 0700 home, say), or None.

    Includes the user site-packages the worker is given: packages installed with
    ``pip install --user`` must stay importable, so a uid that cannot read them is
    not used (the worker then keeps uid 0 without capabilities).
    """
    return unreadable_by(uid, [*python_roots(), os.path.dirname(os.path.abspath(__file__)), *extra])


def unreadable_by(uid: int, roots: Sequence[str]) -> str | None:
    """The first of ``roots`` (or a parent folder) that ``uid`` cannot list or enter, or None."""
    for root in roots:
        path = os.path.realpath(root)
        while True:
            try:
                info = os.stat(path)
            except OSError:
                break
            need = stat.S_IXOTH | (stat.S_IROTH if path == os.path.realpath(root) else 0)
            if info.st_uid != uid and info.st_mode & need != need:
                return path
            parent = os.path.dirname(path)
            if parent == path:
                break
            path = parent
    return None


def uid_drop() -> int | None:
    """The uid the worker drops to (host is root and it is usable), else None."""
    return detect().drop_to


def enforces_nproc() -> bool:
    """RLIMIT_NPROC means nothing to root (the kernel skips the check), so only non-root uses it."""
    return os.geteuid() != 0 or uid_drop() is not None or namespaces.in_user_namespace()


def missing_reasons() -> dict[str, str]:
    """Each missing optional layer with why it is missing here."""
    found = detect()
    reasons = dict(found.reasons)
    if os.geteuid() != 0:
        reasons.pop(NON_ROOT, None)
    return reasons


def active_layers() -> list[str]:
    """Human-readable names of the layers in force for every run on this machine."""
    found = detect()
    rlimits = ["AS", "CPU", "FSIZE", "NOFILE", "CORE"]
    if enforces_nproc():
        rlimits.append("NPROC")
    layers = [
        "separate process",
        "empty environment",
        "isolated mode (-I)",
        "scratch dir cwd",
        f"rlimits ({', '.join(rlimits)})",
        "wall-clock SIGKILL",
        "JSON-only results (nothing from the sandbox is unpickled)",
    ]
    if found.unshare is not None:
        layers += [f"{NET_NS} (no interfaces up)", PID_NS, IPC_NS]
    if found.drop_to is not None:
        layers.append(f"{NON_ROOT} ({found.drop_to})")
    elif os.geteuid() != 0:
        layers.append(f"{NON_ROOT} (the kernel's own user, not a separate one)")
    if found.drop_caps:
        layers.append(f"{NO_CAPS} (the worker's uid 0 gives up every capability)")
    elif NO_CAPS not in found.reasons:
        layers.append(f"{NO_CAPS} (an unprivileged uid)")
    if found.landlock_abi >= 1:
        layers.append(f"{LANDLOCK} (ABI {found.landlock_abi})")
    if found.seccomp_program is not None:
        layers.append(SECCOMP)
    return layers


def missing_layers() -> list[str]:
    """Layers not in force here: what a hostile candidate could still do, and why."""
    out = []
    for name, why in sorted(missing_reasons().items()):
        if name == NON_ROOT:
            why += " (RLIMIT_NPROC is ignored for root)"
        out.append(f"{name}: {why}")
    return out


def active_names() -> frozenset[str]:
    """The optional layers in force, by their policy names."""
    return OPTIONAL_LAYERS - missing_reasons().keys()


def check_policy(require: frozenset[str]) -> None:
    """Refuse (``SandboxError``, one line) when a layer the policy requires is missing."""
    from ..core.errors import SandboxError

    unknown = sorted(require - OPTIONAL_LAYERS)
    if unknown:
        known = ", ".join(sorted(OPTIONAL_LAYERS))
        raise SandboxError(
            f"unknown sandbox layer(s) in the policy: {', '.join(unknown)} (known: {known})"
        )
    reasons = missing_reasons()
    lacking = sorted(require & reasons.keys())
    if lacking:
        why = "; ".join(f"{name}: {reasons[name]}" for name in lacking)
        raise SandboxError(
            f"the sandbox policy requires {', '.join(lacking)} but this machine lacks it: {why}"
        )
