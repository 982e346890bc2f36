"""The validation protocol: what a sandbox worker reports, and how the host judges it.

The worker only *reports* what happened (JSON: reprs, captured output, exception
text). Pass/fail is decided here, on the host, so a candidate cannot declare its
own success. Expected output of ``>>>`` samples that is a Python literal is compared
as a value, so ``1234.50`` matches ``1234.5``, yet a string's inner spaces, a dict's
key order and ``True`` against ``1`` still count (what the person wrote is what they
will see printed); other output is compared with the stdlib's
:class:`doctest.OutputChecker`.
"""

from __future__ import annotations

import ast
import doctest
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .spec import Sample

MAX_TEXT = 2000


def truncate(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"... [{len(text) - limit} more characters]"


@dataclass
class RawSampleRun:
    """What the worker says happened when one sample ran (untrusted input)."""

    index: int
    status: str  # "ok" | "error" | "timeout" | "not_run" | "crashed"
    value_repr: str | None = None
    plain_repr: str | None = None  # the value with numpy scalars as Python numbers
    observed: str | None = None  # calls seen in an observing run: "x=list[int];return=int" lines
    stdout: str = ""
    exc_type: str | None = None
    exc_message: str | None = None
    traceback: str | None = None
    seconds: float = 0.0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RawSampleRun:
        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else truncate(str(value))

        return cls(
            index=int(data["index"]),
            status=str(data.get("status", "error")),
            value_repr=text("value_repr"),
            plain_repr=text("plain_repr"),
            observed=text("observed"),
            stdout=text("stdout") or "",
            exc_type=text("exc_type"),
            exc_message=text("exc_message"),
            traceback=text("traceback"),
            seconds=float(data.get("seconds", 0.0)),
        )


@dataclass
class SampleResult:
    """The host's verdict on one sample, kept for the widget, repair prompt and notebook."""

    source: str
    kind: str
    expected: str | None
    passed: bool
    got: str | None = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SampleResult:
        return cls(
            source=str(data.get("source", "")),
            kind=str(data.get("kind", "code")),
            expected=data.get("expected"),
            passed=bool(data.get("passed")),
            got=data.get("got"),
            error=data.get("error"),
            traceback=data.get("traceback"),
            seconds=float(data.get("seconds", 0.0)),
        )


@dataclass
class ValidationReport:
    """Everything one validation run found out."""

    passed: bool
    results: list[SampleResult] = field(default_factory=list)
    load_error: str | None = None
    load_traceback: str | None = None
    seconds: float = 0.0
    layers: list[str] = field(default_factory=list)
    observed: list[str] = field(default_factory=list)  # see RawSampleRun.observed; not stored
    # What the candidate's own code tried while it ran (sandbox/attempts.py), e.g.
    # "tried to open /x for writing": blocked or not, approval without a person refuses it.
    attempted: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[SampleResult]:
        return [r for r in self.results if not r.passed]

    def summary(self) -> str:
        if self.load_error:
            return f"could not load: {self.load_error}"
        if not self.results:
            return "loads; no samples to check"
        ok = sum(r.passed for r in self.results)
        return f"{ok}/{len(self.results)} samples passed"

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "results": [r.to_json() for r in self.results],
            "load_error": self.load_error,
            "load_traceback": self.load_traceback,
            "seconds": self.seconds,
            "layers": list(self.layers),
            "attempted": list(self.attempted),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ValidationReport:
        return cls(
            passed=bool(data.get("passed")),
            results=[SampleResult.from_json(r) for r in data.get("results", [])],
            load_error=data.get("load_error"),
            load_traceback=data.get("load_traceback"),
            seconds=float(data.get("seconds", 0.0)),
            layers=list(data.get("layers", [])),
            attempted=[str(a) for a in data.get("attempted") or [] if isinstance(a, str)],
        )


def _literal(text: str) -> tuple[bool, object]:
    try:
        return True, ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def outputs_match(expected: str, got: str) -> bool:
    """Literal equality (``1234.50`` == ``1234.5``) for literals, else doctest's comparison."""
    return _compared(expected, got) == "match"


Verdict = Literal["match", "order", "differ"]


def _compared(expected: str, got: str) -> Verdict:
    """One of "match", "order" (equal values, a dict's keys in another order), "differ".

    Two literals compare as values: doctest's NORMALIZE_WHITESPACE would also squash the
    spaces *inside* a string, passing ``'a  b'`` where the person wrote ``'a b'`` (the
    very bug of a whitespace cleaner). Anything else (a DataFrame, printed text)
    compares as doctest compares it.
    """
    ok_want, value_want = _literal(expected)
    ok_got, value_got = _literal(got)
    if ok_want and ok_got:
        try:
            return _printed_alike(value_want, value_got) if value_want == value_got else "differ"
        except Exception:
            return "differ"
    checker = doctest.OutputChecker()
    want = expected if expected.endswith("\n") else expected + "\n"
    have = got if got.endswith("\n") else got + "\n"
    # Doctest accepts ``True`` for ``1`` by default (a Python 2.2 legacy); a count that
    # comes out as a bool is another answer.
    flags = doctest.NORMALIZE_WHITESPACE | doctest.DONT_ACCEPT_TRUE_FOR_1
    return "match" if checker.check_output(want, have, flags) else "differ"


def _printed_alike(a: object, b: object, depth: int = 0) -> Verdict:
    """For two ``==`` values: "differ" where a bool stands for a number, "order" where a
    dict lists its keys in another order, else "match".

    Why: ``True == 1``, so ``==`` passes ``True`` where the person wrote a count of 1
    (``df[col].isna().any()`` for "how many are missing"); and ``==`` ignores key order,
    which the person wrote and will see printed ("most common first"), as doctest's own
    text comparison does. A set's order is Python's, never the person's.
    """
    if depth > 20:
        return "match"
    if isinstance(a, bool) or isinstance(b, bool):
        return "match" if type(a) is type(b) else "differ"
    if isinstance(a, (set, frozenset)) and isinstance(b, (set, frozenset)):
        bools = [sum(isinstance(x, bool) for x in side) for side in (a, b)]
        return "match" if bools[0] == bools[1] else "differ"
    in_order, pairs = True, list[tuple[object, object]]()
    if isinstance(a, dict) and isinstance(b, dict):
        in_order, pairs = list(a) == list(b), [(a[k], b[k]) for k in a]
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        pairs = list(zip(a, b, strict=False))
    inner = {_printed_alike(x, y, depth + 1) for x, y in pairs}
    if "differ" in inner:
        return "differ"
    return "match" if in_order and "order" not in inner else "order"


_ORDER_HINT = (
    "the same items in another order (the order the sample shows is part of the answer;"
    " if the order does not matter, write the sample as `assert ... == ...`)"
)


def _one_line(raw: RawSampleRun) -> str:
    if raw.status == "timeout":
        return "timed out (the sandbox killed it)"
    if raw.status == "not_run":
        return "not run: an earlier sample or the code itself failed"
    if raw.status == "crashed":
        return raw.exc_message or "the sandbox process died while running this sample"
    name = raw.exc_type or "Error"
    message = (raw.exc_message or "").strip().split("\n")[0]
    return f"{name}: {message}" if message else name


def judge(sample: Sample, raw: RawSampleRun) -> SampleResult:
    """Decide pass/fail for one sample from the worker's report."""
    got: str | None = raw.stdout
    if raw.value_repr is not None:
        got = (raw.stdout or "") + raw.value_repr
    result = SampleResult(
        source=sample.source,
        kind=sample.kind,
        expected=sample.expected,
        passed=False,
        got=got,
        seconds=raw.seconds,
    )
    if raw.status != "ok":
        result.error = _one_line(raw)
        result.traceback = raw.traceback
        return result
    if sample.kind == "example" and sample.expected is not None:
        verdict = _compared(sample.expected, got or "")
        if verdict != "match" and raw.plain_repr is not None:  # numpy scalars as numbers
            plain = _compared(sample.expected, (raw.stdout or "") + raw.plain_repr)
            verdict = plain if plain != "differ" else verdict
        result.passed = verdict == "match"
        if not result.passed:
            result.error = f"expected {sample.expected.strip()!s} but got {(got or '').strip()!s}"
            if verdict == "order":
                result.error += f": {_ORDER_HINT}"
        return result
    result.passed = True
    return result


def judge_all(
    samples: Sequence[Sample],
    raws: Sequence[RawSampleRun],
    *,
    load_error: str | None = None,
    load_traceback: str | None = None,
    seconds: float = 0.0,
    layers: Sequence[str] = (),
    attempted: Sequence[str] = (),
) -> ValidationReport:
    """Combine per-sample verdicts; a sample the worker never reported counts as failed."""
    by_index = {raw.index: raw for raw in raws}
    results = []
    for index, sample in enumerate(samples):
        raw = by_index.get(index) or RawSampleRun(index=index, status="not_run")
        results.append(judge(sample, raw))
    passed = load_error is None and all(r.passed for r in results)
    return ValidationReport(
        passed=passed,
        results=results,
        load_error=load_error,
        load_traceback=load_traceback,
        seconds=seconds,
        layers=list(layers),
        observed=[line for raw in raws for line in (raw.observed or "").split("\n") if line],
        attempted=list(attempted),
    )
