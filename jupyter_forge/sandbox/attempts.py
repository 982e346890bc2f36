"""Worker side: record what the candidate's own code tries, with a PEP 578 audit hook.

Why: the OS layers block a write or a connection during validation, but a candidate
that catches its own ``PermissionError`` still passes its samples, and in the kernel
the same act succeeds. So the worker records the attempt itself and reports it; the
host refuses approval without a person for any candidate that tried something.

Loaded by path from ``worker.py`` (stdlib only) and never put in ``sys.modules``.
An audit hook cannot be removed from Python. Each attempt is sent to the host the
moment it happens, so code that later finds the recorder (through ``gc``, itself an
attempt) cannot take back what was already reported.

Attribution, so the worker's own machinery and library internals never count:

- nothing is recorded unless ``recording`` is on (the worker turns it on around
  loading the candidate and around each sample);
- *acts* on the world (processes, sockets, ``ctypes``, changing files, opening a
  file for writing) count when a frame of the candidate's code is on the stack and
  no import is in progress above it (importing pandas may load C libraries);
- *reaches* (``compile``/``exec`` of strings, imports of risky modules, reading a
  file outside the scratch dir and Python's own folders, frames, ``gc``, restricted
  attributes) count only when the candidate's code does them itself.

What became of an act is reported too ("...: denied (seccomp)"), because the reviewer
should know the sandbox stopped it, not that it was harmless. A hook runs before the
act and cannot see its result, so an outcome is stated only where it is known: a
process or socket under the seccomp filter, a path outside Landlock's writable
folders; and for a path the sandbox could change (its scratch folder, or no
Landlock), by comparing the path before the act with after the sample ("went
through" or "no change seen"). Anything else carries no outcome.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

# Functions the forge itself adds to a candidate's file (core/compose.py's loader).
_FORGE_LOADERS = frozenset({"__forge_dependency__"})
MAX_ATTEMPTS = 30  # distinct attempts reported per run; the candidate may flood
MAX_TEXT = 200  # characters of a path or argument in one attempt

_ACTS = {
    "subprocess.Popen": "start a process",
    "os.system": "run a shell command",
    "os.exec": "replace the process (exec)",
    "os.fork": "fork the process",
    "os.forkpty": "fork the process",
    "os.posix_spawn": "start a process",
    "os.spawn": "start a process",
    "os.startfile": "start a program",
    "os.kill": "send a signal",
    "os.killpg": "send a signal",
    "socket.__new__": "open a socket",
    "socket.connect": "connect to",
    "socket.bind": "listen on",
    "socket.sendto": "send to",
    "socket.sendmsg": "send to",
    "socket.getaddrinfo": "look up the host",
    "socket.gethostbyname": "look up the host",
    "ctypes.dlopen": "load the C library",
    "ctypes.dlsym": "look up the C symbol",
    "ctypes.call_function": "call a C function",
    "ctypes.cdata": "reach raw memory",
    "ctypes.addressof": "reach raw memory",
    "ctypes.string_at": "read raw memory",
    "ctypes.wstring_at": "read raw memory",
    "os.remove": "delete",
    "os.rename": "rename",
    "os.rmdir": "remove the folder",
    "os.mkdir": "create the folder",
    "os.chmod": "change permissions of",
    "os.chown": "change the owner of",
    "os.symlink": "create a link",
    "os.link": "create a link",
    "os.truncate": "truncate",
    "os.utime": "change times of",
    "os.setxattr": "change extended attributes of",
    "os.removexattr": "change extended attributes of",
    "os.putenv": "change the environment",
    "os.unsetenv": "change the environment",
    "os.chdir": "change directory to",
    "shutil.rmtree": "delete the tree",
    "shutil.copyfile": "copy a file to",
    "shutil.move": "move",
    "webbrowser.open": "open a browser at",
    "urllib.Request": "fetch",
    "http.client.connect": "connect to",
    "ftplib.connect": "connect to",
    "smtplib.connect": "connect to",
    "resource.setrlimit": "change resource limits",
    "sys.addaudithook": "install an audit hook",
    "sys.settrace": "trace the interpreter",
    "sys.setprofile": "profile the interpreter",
    "sys.unraisablehook": "replace a system hook",
    "sys.excepthook": "replace a system hook",
    "gc.get_objects": "walk every object (gc)",
    "gc.get_referrers": "walk object references (gc)",
    "gc.get_referents": "walk object references (gc)",
}
_REACHES = {
    "compile": "compile a string as code",
    "exec": "run a code object",
    "marshal.loads": "load a code object",
    "code.__new__": "build a code object",
    "function.__new__": "build a function",
    "pickle.find_class": "unpickle",
    "sys._getframe": "reach interpreter frames",
    "sys._current_frames": "reach interpreter frames",
    "object.__getattr__": "reach the restricted attribute",
    "object.__setattr__": "change the attribute",
    "object.__delattr__": "delete the attribute",
    "builtins.input": "read input",
    "import": "import",
}
_RISKY_IMPORTS = frozenset(
    {
        "os", "subprocess", "socket", "ctypes", "_ctypes", "marshal", "pickle", "shutil",
        "importlib", "multiprocessing", "signal", "pty", "webbrowser", "antigravity",
        "urllib", "http", "ftplib", "smtplib", "requests", "httpx", "builtins", "gc",
        "inspect", "code", "codeop", "runpy", "_posixsubprocess", "posix", "nt", "sys",
        "_thread", "threading", "asyncio", "ssl", "select", "mmap", "fcntl", "resource",
    }
)  # fmt: skip
_DETAIL = {  # which audit argument names the target (default: the first)
    "subprocess.Popen": 1,
    "socket.connect": 1,
    "socket.bind": 1,
    "socket.sendto": 1,
    "socket.sendmsg": 1,
    "http.client.connect": 1,
}
_PROCESS_ACTS = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn",
     "os.spawn"}
)  # fmt: skip
_METADATA_ACTS = frozenset({"os.chmod", "os.chown", "os.utime", "os.setxattr", "os.removexattr"})
_SOCKET_ACTS = frozenset(
    {"socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}
)
_PATH_ACTS = {  # acts on a path, and which audit argument is the path changed
    "os.remove": 0, "os.rmdir": 0, "os.rename": 0, "os.truncate": 0, "os.mkdir": 0,
    "os.chmod": 0, "os.chown": 0, "os.utime": 0, "os.setxattr": 0, "os.removexattr": 0,
    "os.symlink": 1, "os.link": 1,
    "shutil.rmtree": 0, "shutil.copyfile": 1, "shutil.move": 0,
}  # fmt: skip
# Outcome words the host accepts (sandbox/reader.py); nothing else from a worker shows.
DENIED_SECCOMP = "denied (seccomp)"
DENIED_LANDLOCK = "denied (Landlock)"
WENT_THROUGH = "went through"
WENT_THROUGH_SCRATCH = "went through (in the sandbox's scratch folder)"
NO_CHANGE = "no change seen"
OUTCOMES = frozenset(
    {DENIED_SECCOMP, DENIED_LANDLOCK, WENT_THROUGH, WENT_THROUGH_SCRATCH, NO_CHANGE}
)
_WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_IMPORTLIB = "<frozen importlib"


def _text(value: object) -> str:
    """A short, safe rendering: never calls the candidate's ``__repr__``/``__str__``."""
    if isinstance(value, str):
        text = str.__str__(value)
    elif isinstance(value, (bytes, bytearray)):
        text = bytes(value[: MAX_TEXT * 4]).decode("utf-8", "replace")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = (int if isinstance(value, int) else float).__repr__(value)
    elif isinstance(value, (tuple, list)) and value:
        text = " ".join(_text(item) for item in list(value)[:4])
    else:
        text = type(value).__name__
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def _path_of(event: str, args: tuple[object, ...]) -> str | None:
    """The path an act changes, if a plain string names it (never the candidate's objects)."""
    if event == "open":
        index = 0
    elif event in _PATH_ACTS:
        index = _PATH_ACTS[event]
    else:
        return None
    value = args[index] if len(args) > index else None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    return str.__str__(value) if isinstance(value, str) else None


def _snapshot(path: str) -> tuple[int, ...] | None:
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    return (st.st_mode, st.st_ino, st.st_size, st.st_mtime_ns, st.st_uid, st.st_gid)


class Outcomes:
    """What became of each act: known at once from the layers, or seen after the sample."""

    def __init__(self, layers: dict[str, object]) -> None:
        self.seccomp = bool(layers.get("seccomp"))
        writable = layers.get("writable")  # None: no Landlock, any path may change
        self.writable = (
            None if not isinstance(writable, list) else [os.path.abspath(str(p)) for p in writable]
        )
        abi = layers.get("landlock_abi")
        self.landlock_truncate = isinstance(abi, int) and abi >= 3
        self.scratch = os.path.join(os.getcwd(), "")
        self.pending: list[tuple[str, str, tuple[int, ...] | None]] = []

    def _writable(self, where: str) -> bool:
        assert self.writable is not None
        return any(where == w or where.startswith(os.path.join(w, "")) for w in self.writable)

    def at_once(self, event: str, args: tuple[object, ...], text: str) -> str | None:
        """The outcome known now, or None (then maybe one is settled after the sample)."""
        if event in _PROCESS_ACTS or event in _SOCKET_ACTS or event in _METADATA_ACTS:
            if self.seccomp:
                return DENIED_SECCOMP  # sandbox/seccomp.py denies each of these calls
            if event not in _METADATA_ACTS:
                return None
        path = _path_of(event, args)
        if path is None or (event == "open" and not text.endswith("for writing")):
            return None
        where = os.path.abspath(path)
        landlock_guards = event not in _METADATA_ACTS and (
            event != "os.truncate" or self.landlock_truncate
        )  # Landlock rules are about creating, writing and removing, not metadata
        if self.writable is not None and landlock_guards and not self._writable(where):
            return DENIED_LANDLOCK
        self.pending.append((text, where, _snapshot(where)))
        return None

    def settle(self) -> list[tuple[str, str]]:
        """(attempt, outcome) for each act on a path the sandbox let change."""
        settled = []
        for text, where, before in self.pending:
            if _snapshot(where) == before:
                settled.append((text, NO_CHANGE))
            elif where.startswith(self.scratch):
                settled.append((text, WENT_THROUGH_SCRATCH))
            else:
                settled.append((text, WENT_THROUGH))
        self.pending.clear()
        return settled


def _allowed_reads() -> tuple[str, ...]:
    """Reads that never count: the scratch folder, Python's own folders, system state."""
    roots = [os.getcwd(), sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path]
    return (
        *(os.path.join(os.path.abspath(root), "") for root in roots if root),
        *("/proc/", "/sys/", "/dev/", "/usr/share/zoneinfo/", "/etc/localtime"),
    )


def _whose(frame: object, candidate_files: frozenset[str]) -> tuple[bool, bool]:
    """(a candidate frame is on the stack, the candidate itself acted).

    A module body being imported above the candidate (``_load_unlocked``) is the
    module's doing, not the candidate's: its own ``import`` is recorded instead.
    """
    nearest = True
    while frame is not None:
        code = frame.f_code  # type: ignore[attr-defined]
        if code.co_filename in candidate_files and code.co_name in _FORGE_LOADERS:
            # The forge's own loader of --compose dependencies, appended to the
            # candidate's file: its compile/exec are ours. (A candidate naming a
            # function so is a risky static finding, see core/findings.py.)
            nearest = False
        elif code.co_filename in candidate_files:
            return True, nearest
        if not code.co_filename.startswith(_IMPORTLIB):
            nearest = False
        elif code.co_name == "_load_unlocked":
            return False, False
        frame = frame.f_back  # type: ignore[attr-defined]
    return False, False


def _describe_open(
    args: tuple[object, ...], direct: bool, allowed_reads: tuple[str, ...]
) -> str | None:
    """A file opened for writing (an act), or read outside the allowed folders (a reach)."""
    path, mode, flags = [*args, None, None, None][:3]
    writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
        isinstance(flags, int) and bool(flags & _WRITE)
    )
    target = _text(path)
    if writes:
        return f"tried to open {target} for writing"
    if not direct or isinstance(path, int):
        return None
    where = os.path.abspath(target) if isinstance(path, str) else target
    if where.startswith(allowed_reads) or where == "/etc/localtime":
        return None
    return f"tried to read {target} (outside the scratch folder)"


def _describe_act(event: str, args: tuple[object, ...], scratch: str) -> str | None:
    if event == "os.mkdir" and _text(args[:1]).startswith(scratch):
        return None  # a folder in the scratch dir changes nothing outside
    index = _DETAIL.get(event, 0)
    detail = "" if event == "socket.__new__" else _text(args[index : index + 1])
    return f"tried to {_ACTS[event]} {detail}".rstrip()


def _describe_reach(event: str, args: tuple[object, ...]) -> str | None:
    if event == "import":
        module = _text(args[:1])
        if module.split(".")[0] not in _RISKY_IMPORTS:
            return None
        return f"tried to import {module}"
    if event in ("object.__getattr__", "object.__setattr__", "object.__delattr__"):
        return f"tried to {_REACHES[event]} {_text(args[1:2])} of a {type(args[0]).__name__}"
    return f"tried to {_REACHES[event]}"


def _describe(
    event: str,
    args: tuple[object, ...],
    direct: bool,
    allowed_reads: tuple[str, ...],
    scratch: str,
) -> str | None:
    """The attempt as one line for the reviewer, or None when it does not count."""
    if event == "open":
        return _describe_open(args, direct, allowed_reads)
    if event in _ACTS:
        return _describe_act(event, args, scratch)
    if not direct:
        return None
    return _describe_reach(event, args)


def install(
    candidate_files: frozenset[str],
    send: Callable[[str, str | None], None],
    layers: dict[str, object] | None = None,
) -> tuple[list[bool], Outcomes]:
    """Add the audit hook; returns the switch (``switch[0] = True`` records) and outcomes.

    ``candidate_files``: the code filenames that are the candidate's own.
    ``send``: called once per distinct attempt (with its outcome if known at once), at
    most ``MAX_ATTEMPTS`` times. ``layers``: ``seccomp`` (bool), ``writable`` (the
    folders Landlock lets change, absent without Landlock), ``landlock_abi``.
    Call ``Outcomes.settle`` after each sample for the outcomes seen afterwards.
    """
    outcomes = Outcomes(layers or {})
    switch = [False]
    busy = [False]
    seen: set[str] = set()
    allowed_reads = _allowed_reads()
    getframe = sys._getframe
    scratch = os.path.join(os.getcwd(), "")

    def hook(event: str, args: tuple[object, ...]) -> None:
        if not switch[0] or busy[0]:
            return
        if event != "open" and event not in _ACTS and event not in _REACHES:
            return
        busy[0] = True
        try:
            on_stack, direct = _whose(getframe(1), candidate_files)
            if on_stack:
                text = _describe(event, args, direct, allowed_reads, scratch)
                if text is not None and text not in seen and len(seen) < MAX_ATTEMPTS:
                    seen.add(text)
                    send(text, outcomes.at_once(event, args, text))
        except BaseException:
            pass  # the recorder must never change what the code does
        finally:
            busy[0] = False

    sys.addaudithook(hook)
    return switch, outcomes
