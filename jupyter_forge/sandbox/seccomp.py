"""The seccomp syscall filter, compiled once on the host by libseccomp (PyPI ``pyseccomp``).

Why compile on the host: importing ``pyseccomp`` costs ~25 ms (it looks up
libraries with ``ctypes.util``), too much for every cold worker. The host builds
the classic-BPF program once and hands the bytes to the worker, which installs
them with one ``prctl`` (see ``lockdown.apply_seccomp``). Default allow; the
denied calls fail with EPERM (a readable ``PermissionError`` in the sample's
report) rather than killing the worker.
"""

from __future__ import annotations

import errno
import functools
import os
import tempfile

CLONE_THREAD = 0x00010000

# Calls with no use in a validation run and a history of escapes or host harm.
DENIED = (
    "execve",
    "execveat",
    "fork",
    "vfork",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "unshare",
    "setns",
    "pivot_root",
    "chroot",
    "bpf",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "keyctl",
    "add_key",
    "request_key",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "init_module",
    "finit_module",
    "delete_module",
    "perf_event_open",
    "userfaultfd",
    "open_by_handle_at",
    "name_to_handle_at",
    "socket",
    "setrlimit",
    "acct",
    "quotactl",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "mknod",
    "mknodat",
    "iopl",
    "ioperm",
    "syslog",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "fanotify_init",
    "kcmp",
    "lookup_dcookie",
    "vhangup",
    # File metadata, which Landlock does not govern: a worker running as the files'
    # owner (root without capabilities) could otherwise chmod or touch any file it can
    # see, /etc included. Validation never needs to change modes, owners or times.
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "utime",
    "utimes",
    "futimesat",
    "utimensat",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
)


@functools.cache
def filter_program() -> bytes | None:
    """The BPF program, or None when libseccomp/pyseccomp is unavailable."""
    try:
        import pyseccomp as seccomp  # type: ignore[import-untyped]
    except (ImportError, OSError):
        return None
    try:
        flt = seccomp.SyscallFilter(seccomp.ALLOW)
        deny = seccomp.ERRNO(errno.EPERM)
        for name in DENIED:
            try:
                flt.add_rule(deny, name)
            except (OSError, ValueError):
                continue  # a call this architecture does not have (e.g. no fork on arm64)
        # New processes: clone without CLONE_THREAD; threads still work.
        flt.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        # clone3 passes its flags in memory, out of BPF's reach: ENOSYS makes libc fall back to clone.
        flt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        # prlimit64 with a new limit is setrlimit; reading limits (new == NULL) stays allowed.
        flt.add_rule(deny, "prlimit64", seccomp.Arg(2, seccomp.NE, 0))
        with tempfile.TemporaryFile() as out:
            flt.export_bpf(out)
            out.flush()
            out.seek(0)
            return out.read()
    except (OSError, ValueError, RuntimeError):
        return None


def kernel_has_seccomp() -> bool:
    """The running kernel supports seccomp filters (``Seccomp:`` in /proc/self/status)."""
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
            return any(line.startswith("Seccomp:") for line in status)
    except OSError:
        return False
