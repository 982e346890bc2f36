"""Worker-side OS lockdown: pid-1 shim, Landlock, uid drop and seccomp, via raw syscalls.

Loaded by path from ``worker.py`` (so stdlib only, and ``ctypes`` is the one
non-trivial import). The host decides *what* to apply (see ``layers.py``) and
hands the worker a trusted plan; this module only *applies* it and raises
``OSError`` if any step fails, so the worker can refuse to run rather than
silently run with fewer layers than the host reports.
"""

from __future__ import annotations

import ctypes
import os

# x86_64 and aarch64 share these numbers (the generic syscall table).
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

# Landlock filesystem rights (uapi/linux/landlock.h).
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_TRUNCATE = 1 << 14
FS_IOCTL_DEV = 1 << 15
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
READ_ONLY = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR

_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long
_prctl = _libc.prctl
_prctl.restype = ctypes.c_int


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def landlock_abi() -> int:
    """The Landlock ABI version this kernel offers (0: none)."""
    result = _syscall(
        ctypes.c_long(SYS_LANDLOCK_CREATE_RULESET),
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION),
    )
    return max(int(result), 0)


def handled_fs(abi: int) -> int:
    """Every filesystem right this ABI can restrict (all of them get denied unless allowed)."""
    rights = (1 << 13) - 1  # ABI 1: EXECUTE .. MAKE_SYM
    if abi >= 2:
        rights |= 1 << 13  # REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def no_new_privs() -> None:
    """Needed by Landlock and seccomp for a process without CAP_SYS_ADMIN; irreversible."""
    _check(_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")


def apply_landlock(abi: int, read_only: list[str], read_write: list[str]) -> None:
    """Deny every filesystem right except read/exec on ``read_only`` and all on ``read_write``.

    From ABI 4 TCP bind/connect are denied too, and from ABI 6 signals and
    abstract unix sockets cannot leave the sandbox. Paths that do not exist
    are skipped (the host lists candidates generously).
    """
    fs = handled_fs(abi)
    attr = _RulesetAttr(fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0, 0)
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = _check(
        _syscall(
            ctypes.c_long(SYS_LANDLOCK_CREATE_RULESET),
            ctypes.byref(attr),
            ctypes.c_size_t(size),
            ctypes.c_uint32(0),
        ),
        "landlock_create_ruleset",
    )
    try:
        for paths, rights in ((read_only, READ_ONLY), (read_write, fs)):
            for path in paths:
                _add_path_rule(ruleset, path, rights & fs)
        _check(
            _syscall(ctypes.c_long(SYS_LANDLOCK_RESTRICT_SELF), ctypes.c_int(ruleset), 0),
            "landlock_restrict_self",
        )
    finally:
        os.close(ruleset)


def _add_path_rule(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS  # directory-only rights on a file are EINVAL
        rule = _PathBeneath(rights, fd)
        _check(
            _syscall(
                ctypes.c_long(SYS_LANDLOCK_ADD_RULE),
                ctypes.c_int(ruleset),
                ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                ctypes.byref(rule),
                ctypes.c_uint32(0),
            ),
            f"landlock_add_rule({path})",
        )
    finally:
        os.close(fd)


def drop_uid(uid: int, gid: int) -> None:
    """Become an unprivileged user for good (root ignores RLIMIT_NPROC and file modes)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError(f"could not drop to uid {uid}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_capabilities() -> None:
    """Keep uid 0 but give up every capability (when a uid drop is impossible).

    Without capabilities, root is limited to file-owner rights (Landlock
    still applies), cannot raise hard limits, kill others, or use raw I/O.
    With no-new-privs and exec denied, nothing can give them back.
    """
    for cap in range(64):
        if (
            _prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 and ctypes.get_errno() != 22
        ):  # EINVAL: no such cap
            _check(-1, f"prctl(CAPBSET_DROP, {cap})")
    machine = os.uname().machine
    number = {"x86_64": 126, "aarch64": 91}.get(machine)
    if number is None:
        raise OSError(f"capset: unknown syscall number on {machine}")
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_syscall(ctypes.c_long(number), ctypes.byref(header), ctypes.byref(data)), "capset")


def apply_seccomp(program: bytes) -> None:
    """Install a classic-BPF seccomp filter compiled on the host by libseccomp."""
    if not program or len(program) % 8:
        raise OSError("seccomp: the filter program is malformed")
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    _check(
        _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
        "prctl(SET_SECCOMP)",
    )


def apply_layers(setup: dict[str, object]) -> None:
    """In order: no-new-privs, Landlock, uid drop (or capability drop), seccomp last.

    Seccomp comes last because it denies calls the earlier steps make.
    """
    no_new_privs()
    abi = setup.get("landlock")
    if isinstance(abi, int) and abi > 0:
        read_only, read_write = setup["read_only"], setup["read_write"]
        assert isinstance(read_only, list) and isinstance(read_write, list)
        apply_landlock(abi, [str(p) for p in read_only], [str(p) for p in read_write])
    uid = setup.get("uid", -1)
    if isinstance(uid, int) and uid >= 0:
        drop_uid(uid, uid)
    elif setup.get("drop_caps"):
        drop_capabilities()
    program = setup.get("seccomp")
    if isinstance(program, bytes) and program:
        apply_seccomp(program)


def become_init_shim(close_fds: tuple[int, ...], lifeline: int = -1) -> None:
    """As pid 1 of a new PID namespace, fork: the child goes on as the worker.

    Pid 1 of a namespace ignores signals it has no handler for (SIGXCPU,
    SIGTERM, even a candidate's ``kill``), which would change how limits bite.
    So the first process stays behind as a minimal init: it reaps orphans and
    exits with the worker's status (``128 + signal`` for a signal death), and
    when it exits the kernel kills everything left in the namespace.

    ``lifeline`` is the write end of the result pipe, whose only reader is the
    host: when the host dies (a kernel killed mid-validation), the pipe reports
    POLLERR and the shim exits, taking the worker (and whatever it was doing,
    e.g. sleeping forever) with it. Nothing in the namespace outlives its host.
    """
    pid = os.fork()
    if pid == 0:
        return
    for fd in close_fds:
        if fd != lifeline:
            os.close(fd)
    import select

    poller = select.poll()
    try:
        child_fd = os.pidfd_open(pid)
        poller.register(child_fd, select.POLLIN)
        tick = 1000  # ms; only orphans (no seccomp) are reaped on this tick
    except (AttributeError, OSError):
        tick = 20  # no pidfd: poll for the worker's exit
    if lifeline >= 0:
        poller.register(lifeline, 0)  # POLLERR/POLLHUP are always reported
    while True:
        for fd, events in poller.poll(tick):
            if fd == lifeline and events & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
                os._exit(137)  # the host is gone: nobody will ever read a report
        while True:
            try:
                child, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                os._exit(70)
            if child == 0:
                break
            if child == pid:
                if os.WIFSIGNALED(status):
                    os._exit(128 + os.WTERMSIG(status))
                os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
