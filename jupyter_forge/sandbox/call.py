"""Call one stored tool with JSON arguments in the validation sandbox; get JSON back.

Serving tools to other agents (the MCP server) means running library code on
arguments someone else chose, so each call gets the same locked-down,
single-use worker as validation (:func:`.jobs.validate`, warm pool included):
nothing here weakens or bypasses it. The call is expressed as samples:

0. defines helpers inside the sandbox;
1. calls the tool with the arguments and encodes the result there as a small
   document (``{"value": ...}`` when it is JSON data, else ``{"repr": ...}``),
   written as a Python literal; it evaluates to the document's length;
2. then ``CHUNKS`` samples each return a slice of that document.

Arguments arrive as JSON, are parsed on the host and written into the call as
a Python literal of plain data (dict, list, str, int, float, bool, None): the
sandbox compiles a literal instead of importing ``json``, which costs a cold
worker ~15-30 ms. The slices exist because the host keeps at most
``MAX_TEXT`` characters of any one report; the ``repr`` of a ``CHUNK``-long
slice of a ``repr`` is at most ``2 * CHUNK + 2``. The host reads slices and the
document with ``ast.literal_eval`` only (never ``eval``, never unpickling),
accepts only plain data, and returns it as JSON.
"""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.errors import SandboxError
from ..core.spec import Sample, check_tool_name
from ..core.validation import MAX_TEXT, SampleResult
from .jobs import validate
from .limits import Limits

CHUNK = 900  # ASCII characters per slice: its repr fits in MAX_TEXT
CHUNKS = 64  # slices per call: results up to CHUNK * CHUNKS characters of JSON come back whole
MAX_RESULT = CHUNK * CHUNKS
MAX_REPR = 4000  # characters of repr() kept for a result JSON cannot express
MAX_ARGUMENTS = 1_000_000  # characters of JSON arguments accepted
assert 2 * CHUNK + 2 < MAX_TEXT

# Runs inside the sandbox (sample 0). Names are dunder-ish so a tool's globals are not shadowed.
_HELPERS = f"""\
def __forge_plain__(__forge_v, __forge_depth=0):
    __forge_t = type(__forge_v)
    if __forge_v is None or __forge_t is bool or __forge_t is int or __forge_t is str:
        return True
    if __forge_t is float:
        return __forge_v - __forge_v == 0.0
    if __forge_depth > 64:
        return False
    if __forge_t is list or __forge_t is tuple:
        return all(__forge_plain__(__forge_x, __forge_depth + 1) for __forge_x in __forge_v)
    if __forge_t is dict:
        return all(
            type(__forge_k) is str and __forge_plain__(__forge_x, __forge_depth + 1)
            for __forge_k, __forge_x in __forge_v.items()
        )
    return False

def __forge_call__(__forge_fn, __forge_args):
    global __forge_doc__
    import io as __forge_io, sys as __forge_sys
    __forge_out, __forge_sys.stdout = __forge_sys.stdout, __forge_io.StringIO()
    try:  # what the tool prints must not mix with the result the host reads
        __forge_value = __forge_fn(**__forge_args)
    finally:
        __forge_printed = __forge_sys.stdout.getvalue() if isinstance(__forge_sys.stdout, __forge_io.StringIO) else ""
        __forge_sys.stdout = __forge_out
    if __forge_plain__(__forge_value):
        __forge_doc = {{"value": __forge_value}}
    else:
        try:
            __forge_text = repr(__forge_value)
            if type(__forge_text) is not str:
                raise TypeError
        except BaseException:
            __forge_text = "<repr() of " + type(__forge_value).__name__ + " failed>"
        __forge_doc = {{
            "repr": __forge_text[:{MAX_REPR}],
            "repr_chars": len(__forge_text),
            "type": type(__forge_value).__module__ + "." + type(__forge_value).__qualname__,
        }}
    if __forge_printed:
        __forge_doc["stdout"] = __forge_printed[:{MAX_REPR}]
    __forge_doc__ = repr(__forge_doc)
    if len(__forge_doc__) > {MAX_RESULT}:
        __forge_doc__ = repr({{
            "repr": __forge_doc__[:{MAX_REPR}],
            "repr_chars": len(__forge_doc__),
            "too_big": True,
        }})
    return len(__forge_doc__)

def __forge_slice__(__forge_index):
    __forge_text = globals().get("__forge_doc__", "")
    return __forge_text[__forge_index * {CHUNK}:(__forge_index + 1) * {CHUNK}]
"""


@dataclass
class CallResult:
    """What one sandboxed call produced, decided on the host.

    ``ok``: the tool returned. Then ``value`` holds its JSON value when
    ``is_json``, else ``text`` is a (possibly truncated) repr. Not ``ok``:
    ``error`` is one line (``ValueError: bad price 'x'``) and ``traceback`` the
    sandbox's traceback when there is one.
    """

    ok: bool
    value: Any = None
    is_json: bool = False
    text: str = ""
    error: str | None = None
    traceback: str | None = None
    stdout: str = ""  # what the tool printed (capped), kept apart from its result
    seconds: float = 0.0

    def as_text(self) -> str:
        """The result as an agent reads it: JSON text, or the repr/error line."""
        if not self.ok:
            return self.error or "the call failed"
        if self.is_json:
            return json.dumps(self.value, ensure_ascii=False)
        return self.text


def call_tool(
    code: str,
    name: str,
    arguments: Mapping[str, Any] | None = None,
    *,
    limits: Limits | None = None,
    pool: bool | None = None,
) -> CallResult:
    """Run ``name(**arguments)`` from ``code`` in a fresh sandbox worker.

    ``arguments`` must be JSON-serialisable (they travel as JSON text and are
    decoded inside the sandbox). ``limits.timeout`` bounds the call's wall-clock
    time. Raises :class:`SandboxError` only when the sandbox cannot run at all.
    """
    check_tool_name(name, allow_builtin=True)
    start = time.perf_counter()
    try:
        args_json = json.dumps(dict(arguments or {}), allow_nan=False)
    except (TypeError, ValueError) as exc:
        return CallResult(ok=False, error=f"the arguments are not JSON ({exc})")
    if len(args_json) > MAX_ARGUMENTS:
        return CallResult(
            ok=False, error=f"the arguments are over {MAX_ARGUMENTS} characters of JSON"
        )
    # Parsed back from JSON text: only plain data, whose repr is a literal of the same value.
    args_literal = repr(json.loads(args_json))
    samples = [
        Sample(_HELPERS, "code", origin="call"),
        Sample(f"__forge_call__({name}, {args_literal})", "code", origin="call"),
        *(Sample(f"__forge_slice__({i})", "code", origin="call") for i in range(CHUNKS)),
    ]
    report = validate(code, name, samples, limits=limits or Limits(), pool=pool)
    seconds = time.perf_counter() - start
    if report.load_error:
        return CallResult(
            ok=False,
            error=f"the tool's code did not load: {report.load_error}",
            traceback=report.load_traceback,
            seconds=seconds,
        )
    results = report.results
    helpers, call = results[0], results[1]
    if not helpers.passed:  # the worker itself misbehaved: never guess a result
        raise SandboxError(f"the sandbox could not prepare the call: {helpers.error}")
    if not call.passed:
        return CallResult(
            ok=False, error=_error_line(call, limits), traceback=call.traceback, seconds=seconds
        )
    return _decode(call, results[2:], seconds)


def _error_line(call: SampleResult, limits: Limits | None) -> str:
    error = call.error or "the call failed"
    if error.startswith("timed out"):
        timeout = (limits or Limits()).timeout
        return f"timed out after {timeout:g} s (the sandbox killed it)"
    return error.split("\n")[0]


def _literal_str(got: str | None) -> str | None:
    """A slice's repr, read back without evaluating anything."""
    if got is None:
        return None
    try:
        value = ast.literal_eval(got.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _decode(call: SampleResult, slices: list[SampleResult], seconds: float) -> CallResult:
    """Join the slices, check the length the call announced, parse the JSON document."""
    size = _literal_int(call.got)
    parts: list[str] = []
    for result in slices:
        part = _literal_str(result.got) if result.passed else None
        if part is None:
            break
        parts.append(part)
    text = "".join(parts)
    if size is None or len(text) != size:
        return CallResult(
            ok=False,
            error="the sandbox returned a malformed result (did the tool print from a thread?)",
            seconds=seconds,
        )
    try:
        document = ast.literal_eval(text)
        if not isinstance(document, dict):
            raise ValueError("not a dict")
        printed = str(document.get("stdout") or "")
        value = _as_json(document["value"]) if "value" in document else None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return CallResult(ok=False, error="the sandbox returned a malformed result")
    if "value" in document:
        return CallResult(ok=True, value=value, is_json=True, stdout=printed, seconds=seconds)
    shown = str(document.get("repr", ""))
    total = document.get("repr_chars")
    if isinstance(total, int) and total > len(shown):
        shown += f"... [{total - len(shown)} more characters]"
    if document.get("too_big"):
        shown = f"(a JSON result over {MAX_RESULT} characters, truncated) " + shown
    return CallResult(ok=True, text=shown, is_json=False, stdout=printed, seconds=seconds)


def _literal_int(got: str | None) -> int | None:
    try:
        value = ast.literal_eval((got or "").strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _as_json(value: Any) -> Any:
    """The literal's value as JSON data (tuples become lists); anything else is refused."""
    return json.loads(json.dumps(value, allow_nan=False))
