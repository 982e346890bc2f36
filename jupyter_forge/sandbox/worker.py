"""The sandbox child: locks itself down, loads the candidate, runs samples, reports JSON.

The host runs this file *by path* (``python -s -B worker.py RESULT_FD PLAN``) so
it never imports ``jupyter_forge`` (whose ``__init__`` may pull in heavy
modules). Stdlib only, and only modules that cost next to nothing to import
(``subprocess`` aside, loaded on purpose, see :func:`main`; and ``ast``, which
rewrites a sample's ``assert a == b`` to report both sides):
the job arrives as ``marshal`` (trusted, host to worker), reports leave as JSON
written by :func:`to_json_line` (so ``json``/``re`` are never imported), and
``traceback``/``linecache``/``pickle`` load only when needed.

Order matters: the OS lockdown (a trusted plan read first from stdin: pid-1
shim, rlimits, then Landlock, uid/capability drop and seccomp from the sibling
``lockdown.py``) is complete before the job (the candidate's code) is read. Reports go to a dedicated pipe (``RESULT_FD``), one JSON
object per line; fd 0 becomes ``/dev/null``, fd 1/2 were pointed by the host at
``/dev/null`` and a capped diagnostics file, and ``sys.stdout``/``sys.stderr``
are in-memory captures with a size cap. Nothing here decides pass/fail: the
host judges the reports. Code running in this process *could* forge its own
reports, which is why isolation comes from the OS layers around it.

One file of over 400 lines on purpose: run by path, it cannot import the
package, and each sibling it reads (``lockdown.py``, ``attempts.py``) is read before
the lockdown hides its folder; a split would add reads on the path every job takes.
"""

from __future__ import annotations

import ast  # ~7 ms: asserts in samples are rewritten to report their operands
import faulthandler
import io
import marshal
import os
import resource
import sys
import time

# Run as ``python -s -B worker.py`` (not -I: it would ignore the host's PYTHONHASHSEED), so
# Python put this file's folder first on sys.path; nothing is imported from it that way.
if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

TYPE_CHECKING = False  # mypy treats this name as True; importing typing costs ~2 ms
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

CANDIDATE_MODULE = "forge_candidate"
CANDIDATE_FILE = "<forge candidate>"
MAX_FIELD = 20_000  # characters of a repr, message or traceback sent back

# JSON string escapes: quote, backslash and control characters (RFC 8259, section 7).
_ESCAPES = {i: f"\\u{i:04x}" for i in range(32)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\"})

# Bound early so a candidate that monkeypatches os/str cannot casually reroute reports.
_write = os.write
_perf = time.perf_counter
_translate = str.translate
_SOURCES: dict[str, str] = {}  # filename -> source, put into linecache only for tracebacks


class Capture(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    encoding = "utf-8"
    errors = "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self.limit - self.size
        if room > 0:
            piece = text[:room]
            self.parts.append(piece)
            self.size += len(piece)
            self.dropped += len(text) - len(piece)
        else:
            self.dropped += len(text)
        return len(text)

    def take(self) -> str:
        """Return what was written since the last call, with a note if some was dropped."""
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n... [{self.dropped} more characters of output dropped]"
        self.parts, self.size, self.dropped = [], 0, 0
        return text


def _count_user_tasks(uid: int) -> int | None:
    """Tasks (processes and threads) of this uid: what RLIMIT_NPROC counts against.

    ``None`` without ``/proc``: then the limit is skipped rather than guessed.
    """
    total = 0
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return None
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            total += int(fields[17])  # num_threads (field 20 of stat)
        except (OSError, IndexError, ValueError):
            continue
    return total


def parse_plan(text: str) -> list[tuple[str, int, int]]:
    """``RLIMIT_AS:soft:hard,RLIMIT_CPU:soft:hard,...`` (see ``limits.format_plan``)."""
    plan = []
    for item in text.split(","):
        name, soft, hard = item.split(":")
        plan.append((name, int(soft), int(hard)))
    return plan


def apply_rlimits(plan: list[tuple[str, int, int]], uid: int) -> None:
    """Lower this process's limits; never raise a limit the parent already lowered."""
    for name, soft, hard in plan:
        which = getattr(resource, name)
        if name == "RLIMIT_NPROC":  # relative to what the (target) uid already runs
            base = _count_user_tasks(uid)
            if base is None:
                continue
            soft, hard = base + soft, base + hard
        _, cur_hard = resource.getrlimit(which)
        if cur_hard != resource.RLIM_INFINITY:
            hard = min(hard, cur_hard)
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))


def ignore_sigxfsz() -> None:
    """Past RLIMIT_FSIZE, writes fail with EFBIG instead of killing the worker.

    Uses the C module ``_signal``: the ``signal`` wrapper imports ``enum`` (~3 ms).
    """
    try:
        sig = __import__("_signal")
    except ImportError:
        sig = __import__("signal")
    sig.signal(sig.SIGXFSZ, sig.SIG_IGN)


def clip(text: str, limit: int = MAX_FIELD) -> str:
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more]"


def safe_str(value: object) -> str:
    try:
        return str(value)
    except BaseException:
        return f"<str() of {type(value).__name__} failed>"


def format_tb(exc: BaseException, *, frames: bool = True) -> str:
    """The traceback without this worker's own frame (``frames=False``: the error alone)."""
    try:
        import linecache  # lazily: runs where everything passes never need them
        import traceback

        for filename, source in _SOURCES.items():
            lines = source.splitlines(True)
            linecache.cache[filename] = (len(source), None, lines, filename)

        tb = exc.__traceback__.tb_next if frames and exc.__traceback__ else None
        return clip("".join(traceback.format_exception(type(exc), exc, tb)))
    except BaseException:
        return f"{type(exc).__name__}: {safe_str(exc)}"


def _json_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value) if value == value and abs(value) != float("inf") else "0.0"
    return '"' + _translate(str.__str__(value) if isinstance(value, str) else "?", _ESCAPES) + '"'


def to_json_line(event: dict[str, Any]) -> bytes:
    """One JSON object on one line, for a flat dict of str/int/float/bool/None values.

    Non-ASCII text stays UTF-8; a lone surrogate (unencodable) becomes ``\\udXXX``
    through ``backslashreplace``, which is exactly JSON's escape for it.
    """
    body = ",".join(f"{_json_value(str(key))}:{_json_value(value)}" for key, value in event.items())
    return ("{" + body + "}\n").encode("utf-8", "backslashreplace")


def send(fd: int, event: dict[str, Any]) -> None:
    """Write one report line; if the channel is gone there is nobody left to tell."""
    data = memoryview(to_json_line(event))
    try:
        while data:
            data = data[_write(fd, data) :]
    except OSError:
        os._exit(3)


def remember_source(filename: str, source: str) -> None:
    """Keep source so tracebacks can show the candidate's and samples' lines."""
    _SOURCES[filename] = source


def load(code: str, name: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Exec the candidate as module ``forge_candidate``; return (namespace, report)."""
    remember_source(CANDIDATE_FILE, code)
    try:
        compiled = compile(code, CANDIDATE_FILE, "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        error = f"{type(exc).__name__}: {exc.msg}{where}"
        report = {"status": "error", "load_error": error, "traceback": format_tb(exc, frames=False)}
        return None, report
    except BaseException as exc:
        error = f"{type(exc).__name__}: {safe_str(exc)}"
        return None, {"status": "error", "load_error": error, "traceback": None}
    module = type(sys)(CANDIDATE_MODULE)
    sys.modules[CANDIDATE_MODULE] = module
    try:
        exec(compiled, module.__dict__)
    except BaseException as exc:
        error = f"{type(exc).__name__}: {safe_str(exc)}"
        return None, {"status": "error", "load_error": error, "traceback": format_tb(exc)}
    namespace = module.__dict__
    if name not in namespace:
        return None, {"status": "error", "load_error": f"the code defines no function `{name}`"}
    if not callable(namespace[name]):
        kind = type(namespace[name]).__name__
        error = f"`{name}` is a {kind}, not a function"
        return None, {"status": "error", "load_error": error}
    return namespace, {"status": "ok"}


def unpickle_inputs(inputs: dict[str, bytes]) -> tuple[dict[str, Any], str | None]:
    """Inputs were pickled by the trusted host; unpickling happens only in here."""
    values: dict[str, Any] = {}
    if inputs:
        import pickle
    for key, blob in inputs.items():
        try:
            values[key] = pickle.loads(blob)
        except BaseException as exc:
            return values, (
                f"could not unpickle the input `{key}` in the sandbox: "
                f"{type(exc).__name__}: {safe_str(exc)}"
            )
    return values, None


_PLAIN_MAX_ITEMS = MAX_FIELD // 3  # more items than this repr to more than MAX_FIELD


def _plain(value: object, depth: int = 0) -> tuple[object, bool]:
    """``value`` with numpy scalars as Python numbers (``np.float64(0.25)`` -> ``0.25``).

    Why: numpy 2 reprs its scalars as ``np.float64(0.25)``, which fails a sample
    written ``0.25`` although the value is right. Only exact list/tuple/dict
    containers are walked; the flag says whether anything changed.
    """
    kind = type(value)
    if depth > 20:
        return value, False
    if kind in (list, tuple, dict) and len(value) > _PLAIN_MAX_ITEMS:  # type: ignore[arg-type]
        return value, False  # its repr is clipped anyway, so no sample could match it
    if kind in (list, tuple):
        items = [_plain(item, depth + 1) for item in value]  # type: ignore[attr-defined]
        if any(changed for _, changed in items):
            plain = [item for item, _ in items]
            return (plain if kind is list else tuple(plain)), True
        return value, False
    if kind is dict:
        pairs = [(_plain(k, depth + 1), _plain(v, depth + 1)) for k, v in value.items()]  # type: ignore[attr-defined]
        if any(k[1] or v[1] for k, v in pairs):
            return {k[0]: v[0] for k, v in pairs}, True
        return value, False
    if getattr(kind, "__module__", None) == "numpy" and getattr(value, "shape", None) == ():
        item = value.item()  # type: ignore[attr-defined]
        if type(item) in (bool, int, float, complex, str):
            return item, True
    return value, False


_ATOMS = {bool: "bool", int: "int", float: "float", complex: "complex", str: "str", bytes: "bytes"}


def _type_of(value: object, depth: int = 0) -> str:
    """A builtin type description of ``value`` (``list[int | str]``); ``?`` if not builtin.

    Exact types only (a subclass of list is not a list here), at most 50 items per
    container and 3 levels deep, so describing never runs the candidate's code.
    """
    kind = type(value)
    if value is None:
        return "None"
    if kind in _ATOMS:
        return _ATOMS[kind]
    if depth >= 3:
        return "?"
    if kind is list or kind is set or kind is frozenset:
        items = sorted({_type_of(v, depth + 1) for v in list(value)[:50]})  # type: ignore[call-overload]
        return f"{kind.__name__}[{' | '.join(items)}]" if items else kind.__name__
    if kind is tuple:
        elems = [_type_of(v, depth + 1) for v in value[:50]]  # type: ignore[index]
        if not elems:
            return "tuple[()]"
        if len(elems) <= 6:
            return f"tuple[{', '.join(elems)}]"
        return f"tuple[{' | '.join(sorted(set(elems)))}, ...]"
    if kind is dict:
        pairs: list[Any] = list(dict.items(value))[:50]  # type: ignore[arg-type]
        if not pairs:
            return "dict"
        keys = " | ".join(sorted({_type_of(k, depth + 1) for k, _ in pairs}))
        values = " | ".join(sorted({_type_of(v, depth + 1) for _, v in pairs}))
        return f"dict[{keys}, {values}]"
    return "?"


def observe_calls(fn: Any, calls: list[str]) -> Any:
    """``fn`` wrapped to record the types of each call's arguments and result in ``calls``.

    Used only in an observing run (``job["observe"]``), never in the run that decides
    pass/fail, so the wrapper cannot change a verdict.
    """
    code = getattr(fn, "__code__", None)
    names = code.co_varnames[: code.co_argcount] if code is not None else ()

    def observed(*args: Any, **kwargs: Any) -> Any:
        try:
            fields = [f"{n}={_type_of(v)}" for n, v in zip(names, args, strict=False)]
            fields += [f"{k}={_type_of(v)}" for k, v in kwargs.items()]
        except Exception:
            fields = ["?=?"]
        result = fn(*args, **kwargs)
        try:
            returned = _type_of(result)
        except Exception:
            returned = "?"
        calls.append(";".join([*fields, f"return={returned}"]))
        return result

    for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
        try:  # noqa: SIM105 (the worker imports nothing it can do without, contextlib included)
            setattr(observed, attribute, getattr(fn, attribute))
        except Exception:
            pass
    observed.__wrapped__ = fn  # type: ignore[attr-defined]
    return observed


def run_sample(index: int, source: str, namespace: dict[str, Any], out: Capture) -> dict[str, Any]:
    """Eval (expression) or exec (statements) one sample in the shared namespace."""
    filename = f"<sample {index}>"
    remember_source(filename, source)
    out.take()
    report: dict[str, Any] = {"event": "sample", "index": index, "status": "ok", "value_repr": None}
    start = _perf()
    stage = "run"
    try:
        try:
            compiled = compile(source, filename, "eval", dont_inherit=True)
        except SyntaxError:
            compiled = compile(
                _keeping_operands(source, filename), filename, "exec", dont_inherit=True
            )
        namespace.pop(KEPT, None)
        value = eval(compiled, namespace)
        if value is not None:
            stage = "repr"
            report["value_repr"] = clip(repr(value))
            try:
                plain, changed = _plain(value)
                if changed:
                    report["plain_repr"] = clip(repr(plain))
            except Exception:  # a courtesy form: its failure is not the sample's
                pass
    except BaseException as exc:
        message = safe_str(exc)
        if stage == "repr":
            message = f"{message} (raised by repr() of the result)"
        elif isinstance(exc, AssertionError) and not message:
            message = _explain(namespace.pop(KEPT, None))
        report.update(
            status="error",
            exc_type=type(exc).__name__,
            exc_message=clip(message),
            traceback=format_tb(exc),
        )
    report["seconds"] = _perf() - start
    report["stdout"] = clip(out.take(), out.limit + 200)
    return report


KEPT = "__forge_operands__"  # where a rewritten ``assert a == b`` keeps a and b
_OPERATORS = {"Eq": "==", "NotEq": "!=", "Lt": "<", "LtE": "<=", "Gt": ">", "GtE": ">="}
_OPERATORS.update({"In": "in", "NotIn": "not in", "Is": "is", "IsNot": "is not"})


def _keeping_operands(source: str, filename: str) -> Any:
    """``source`` as an AST whose top-level ``assert a OP b`` keep a and b for the report.

    Why: "AssertionError" alone tells neither a person nor a repair what the function
    returned. Like pytest's rewriting, the operands are evaluated once, in order, and
    kept (``__forge_operands__ = (a, b); assert __forge_operands__[0] OP ...[1]``), so
    a failure can say what each side was without calling the function again.
    """
    tree = ast.parse(source, filename, "exec")  # a SyntaxError names the sample
    body: list[Any] = []
    for node in tree.body:
        body.append(node)
        test = node.test if isinstance(node, ast.Assert) and node.msg is None else None
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            continue
        op = _OPERATORS.get(type(test.ops[0]).__name__)
        if op is None:
            continue
        # The side that computes something is what the function "gave" (either order).
        actual = 1 if _is_literal(test.left) and not _is_literal(test.comparators[0]) else 0
        said = clip(
            " ".join(
                (
                    ast.get_source_segment(source, [test.left, test.comparators[0]][actual]) or ""
                ).split()
            ),
            200,
        )
        keep = ast.Assign(
            targets=[ast.Name(KEPT, ast.Store())],
            value=ast.Tuple(
                [
                    test.left,
                    test.comparators[0],
                    *(ast.Constant(v) for v in (said, actual, op)),
                ],
                ast.Load(),
            ),
        )
        sides = [
            ast.Subscript(ast.Name(KEPT, ast.Load()), ast.Constant(i), ast.Load()) for i in (0, 1)
        ]
        check = ast.Assert(ast.Compare(sides[0], test.ops, [sides[1]]), None)
        body[-1:] = [ast.copy_location(keep, node), ast.copy_location(check, node)]
    tree.body = body
    return ast.fix_missing_locations(tree)


def _is_literal(node: Any) -> bool:
    """Whether ``node`` computes nothing (constants, and lists/dicts/... of them)."""
    return not any(
        isinstance(n, (ast.Call, ast.Name, ast.Attribute, ast.Subscript)) for n in ast.walk(node)
    )


def _explain(kept: object) -> str:
    """What the failed comparison saw: "f(x) gave 3, expected 4" (empty if unknown)."""
    if not (isinstance(kept, tuple) and len(kept) == 5):
        return ""
    left, right, said, actual, op = kept
    try:
        # One line: the host keeps an error's first line (a 2-D array's repr has several).
        texts = [" ".join(part.strip() for part in repr(x).splitlines()) for x in (left, right)]
    except BaseException:  # a repr that fails leaves the plain AssertionError
        return ""
    texts = [clip(text, 300) for text in texts]
    if op == "==" and said:
        return f"{said} gave {texts[actual]}, expected {texts[1 - actual]}"
    return f"{texts[0]} {op} {texts[1]} is false"


def _import_lockdown() -> Any:
    """``lockdown.py`` sits next to this file; import it by path, then hide the directory."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    try:
        return __import__("lockdown")
    finally:
        sys.path.remove(here)


def _read_attempts() -> tuple[str, str]:
    """``attempts.py`` next to this file, read before the lockdown hides this folder."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attempts.py")
    with open(path, encoding="utf-8") as handle:
        return path, handle.read()


def _install_attempts(
    path: str, source: str, fd: int, setup: dict[str, Any]
) -> tuple[list[bool], Callable[[], None]]:
    """Exec ``attempts.py`` (kept out of ``sys.modules``) and add its audit hook.

    Returns the recording switch and ``settle``, which reports the outcomes seen after
    a sample (call it before the sample's report, so the host has them in order).
    """
    namespace: dict[str, Any] = {"__name__": "forge_attempts", "__file__": path}
    exec(compile(source, path, "exec", dont_inherit=True), namespace)
    abi = setup.get("landlock")
    layers = {
        "seccomp": bool(setup.get("seccomp")),
        "landlock_abi": abi,
        **(
            {"writable": list(setup.get("read_write", []))}
            if isinstance(abi, int) and abi > 0
            else {}
        ),
    }

    def attempted(text: str, outcome: str | None) -> None:
        send(fd, {"event": "attempt", "what": text, **({"outcome": outcome} if outcome else {})})

    switch, outcomes = namespace["install"](frozenset({CANDIDATE_FILE}), attempted, layers)

    def settle() -> None:
        for text, outcome in outcomes.settle():
            send(fd, {"event": "outcome", "what": text, "outcome": outcome})

    return switch, settle


def lock_down(fd: int, setup: dict[str, Any], plan: list[tuple[str, int, int]]) -> None:
    """Apply the host's plan: pid-1 shim, rlimits, then ``lockdown.apply_layers``.

    Any failure is fatal: the host already reports these layers as active.
    """
    uid = int(setup.get("uid", -1))
    keys = ("init_shim", "landlock", "seccomp", "drop_caps")
    ld = _import_lockdown() if uid >= 0 or any(setup.get(k) for k in keys) else None
    if ld is not None and setup.get("init_shim") and os.getpid() == 1:
        ld.become_init_shim((fd, 0), lifeline=fd)
    apply_rlimits(plan, os.getuid() if uid < 0 else uid)
    ignore_sigxfsz()
    faulthandler.enable(file=2)  # a segfault leaves a Python stack in the diagnostics file
    if ld is not None:
        ld.apply_layers(setup)


def main(argv: list[str]) -> None:
    fd = int(argv[1])
    os.set_inheritable(fd, False)  # the candidate's own subprocesses never get the channel
    stdin = sys.stdin.buffer
    attempts, setup = _locked_down(fd, stdin, argv)
    code, name, samples, max_output, inputs, observe = _read_job(fd, stdin)
    try:  # the audit hook goes in before any candidate code runs (see attempts.py)
        recording, settle = _install_attempts(*attempts, fd, setup)
    except BaseException as exc:
        send(fd, {"event": "fatal", "message": f"no recorder: {type(exc).__name__}: {exc}"})
        os._exit(70)
    send(fd, {"event": "ready"})
    out = Capture(max_output)
    sys.stdout = out
    sys.stderr = Capture(max_output)
    recording[0] = True
    module_ns, report = load(code, name)
    recording[0] = False
    settle()
    values: dict[str, Any] = {}
    if module_ns is not None:
        values, input_error = unpickle_inputs(inputs)
        if input_error:
            module_ns, report = None, {"status": "error", "load_error": input_error}
    report.update(event="loaded", stdout=clip(out.take(), max_output + 200))
    send(fd, report)
    if module_ns is None:
        os._exit(0)
    namespace = dict(module_ns)
    namespace.update(values)
    namespace[name] = module_ns[name]  # an input never shadows the function under test
    _run_samples(fd, samples, namespace, name, out, recording, settle, observe)
    send(fd, {"event": "done"})
    os._exit(0)  # skip atexit handlers and non-daemon threads the candidate left behind


def _locked_down(fd: int, stdin: Any, argv: list[str]) -> tuple[tuple[str, str], dict[str, Any]]:
    """Read the setup and apply every lockdown layer (exit 71 if any fails). Returns what
    the attempt recorder needs (read before the lockdown hides its source) and the setup."""
    try:
        attempts = _read_attempts()
        # A kernel has subprocess loaded, so code there reaches Popen through
        # object.__subclasses__() without importing anything. Loaded here too (before the
        # job, so a warm pool pays it ahead), that route reaches the audit hook as "tried
        # to start a process" instead of finding nothing to call.
        import subprocess  # noqa: F401

        setup = marshal.load(stdin)
        lock_down(fd, setup, parse_plan(argv[2]))
    except BaseException as exc:
        send(fd, {"event": "fatal", "message": f"lockdown failed: {type(exc).__name__}: {exc}"})
        os._exit(71)
    send(fd, {"event": "locked"})  # lets a warm pool know this worker is ready for a job
    return attempts, setup


def _read_job(fd: int, stdin: Any) -> tuple[str, str, list[str], int, dict[str, bytes], bool]:
    """The job from the host (exit 70 if it is malformed): code, name, samples, output
    limit, pickled inputs, whether to observe call types. Stdin is closed after it."""
    try:
        job = marshal.loads(stdin.read())
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        sys.path[:0] = [str(p) for p in job.get("prepend_path", [])]
        sys.path.extend(str(p) for p in job.get("append_path", []))
        code, name = str(job["code"]), str(job["name"])
        samples = [str(s) for s in job["samples"]]
        max_output = int(job["max_output"])
        inputs = {str(k): bytes(v) for k, v in job.get("inputs", {}).items()}
    except BaseException as exc:
        send(fd, {"event": "fatal", "message": f"bad job: {type(exc).__name__}: {exc}"})
        os._exit(70)
    return code, name, samples, max_output, inputs, bool(job.get("observe"))


def _run_samples(
    fd: int,
    samples: list[str],
    namespace: dict[str, Any],
    name: str,
    out: Capture,
    recording: list[bool],
    settle: Any,
    observe: bool,
) -> None:
    """Each sample, recorded while it runs, its report sent as soon as it ends."""
    calls: list[str] = []
    if observe and callable(namespace[name]):
        namespace[name] = observe_calls(namespace[name], calls)
    for index, source in enumerate(samples):
        recording[0] = True
        report = run_sample(index, source, namespace, out)
        recording[0] = False
        settle()
        if calls:
            report["observed"] = clip("\n".join(calls[:20]))
            calls.clear()
        send(fd, report)


if __name__ == "__main__":
    main(sys.argv)
