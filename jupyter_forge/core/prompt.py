"""The messages we send the model: first ask, and repair after a failure.

Kept short and concrete because the default model is a small (1.5B) local one: one
function, typed, documented, in one code block, no example calls.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Sequence

from .defs import function_def
from .extract import Extraction
from .spec import ForgeSpec
from .validation import ValidationReport
from .variables import VariableInfo

Message = dict[str, str]

SYSTEM = (
    "You are an expert Python programmer who writes small, reliable library functions. "
    "Answer with exactly one ```python code block containing the needed imports and the "
    "requested function (plus small helper functions if needed). The function must have "
    "type hints on every parameter and the return value, and a docstring. Do not include "
    "example usage, tests, print statements or explanations outside the code block.\n\n"
    "For example, for a function named `count_words`:\n"
    "```python\n"
    "import re\n\n\n"
    "def count_words(text: str) -> int:\n"
    '    """Count the words in ``text``."""\n'
    '    return len(re.findall(r"\\w+", text))\n'
    "```"
)


RULES = (
    "Handle every case the task states in words (edge cases, errors to raise, other input "
    "formats), not only the examples."
)


def stub_function(request: str, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The ``def name`` the request declares when it is Python code (a stub), else None."""
    return function_def(textwrap.dedent(request).strip("\n"), name)


def is_stub(request: str, name: str) -> bool:
    """Whether the request is Python code that declares ``name`` (a stub to complete).

    Why: people paste a signature and docstring as often as they write prose, and a
    small model completes code shown as code far better than code quoted as a task
    (0.5B on HumanEval: see the README's benchmark section).
    """
    return stub_function(request, name) is not None


def variable_lines(variables: Sequence[VariableInfo]) -> list[str]:
    """One line per kernel variable, as both the code and the checks requests show them."""
    return [f"- `{v.name}`: {v.description}" for v in variables]


def build_messages(
    spec: ForgeSpec, variables: Sequence[VariableInfo] = (), context: str = ""
) -> list[Message]:
    """The first request for a tool; ``context`` (dependencies, template guidance) follows the task."""
    request = spec.request.strip()
    if is_stub(spec.request, spec.name):
        code = textwrap.dedent(spec.request).strip("\n")
        parts = [
            f"Write a Python function named `{spec.name}`. Complete this code: keep its "
            "signature and docstring, write the body.",
            "```python",
            code,
            "```",
        ]
    else:
        parts = [f"Write a Python function named `{spec.name}`.", "", "Task:", request, "", RULES]
    if spec.samples:
        parts += ["", "It must pass these checks:"]
        parts += [sample.as_doctest() for sample in spec.samples]
    if variables:
        parts += ["", "For context, variables in the user's session that the task mentions:"]
        parts += variable_lines(variables)
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "\n".join(parts)},
    ]
    return with_context(messages, context)


WORD_CHECKS_HEAD = (
    "Checks written from the task's words (if one disagrees with the task, follow the task):"
)
_RAISES_LEGEND = "(`raises(E, f, x)`: `f(x)` must raise `E`; a bare call must not raise.)"


def with_word_checks(messages: Sequence[Message], checks: Sequence[str]) -> list[Message]:
    """``messages`` with the checks from the words after the samples of the last user message.

    Why: the first answer otherwise sees only the samples, and small models write to the
    samples; the rules stated in words (errors to raise, edge cases) reached the model
    only in repairs. They are model-written and may be wrong, so they are marked as
    subordinate to the task. Idempotent, like :func:`with_context`.
    """
    if not checks or not messages or messages[-1]["role"] != "user":
        return list(messages)
    content = messages[-1]["content"]
    if WORD_CHECKS_HEAD in content:
        return list(messages)
    lines = [WORD_CHECKS_HEAD, *checks]
    if any(not text.startswith("assert") for text in checks):
        lines.append(_RAISES_LEGEND)
    block = "\n".join(lines)
    at = content.find(_VARIABLES_MARK)
    at = at if at >= 0 else len(content)
    content = f"{content[:at]}\n\n{block}{content[at:]}"
    return [*messages[:-1], {"role": "user", "content": content}]


CONTEXT_MARK = "\n\nIt must pass these checks:"


def with_context(messages: Sequence[Message], context: str) -> list[Message]:
    """``messages`` with ``context`` right after the task in the last user message.

    Works on first requests and repairs alike (a repair repeats the first ask), so
    the repair loop needs no knowledge of it. Idempotent: a block already there is
    not added twice.
    """
    block = context.strip()
    if not block or not messages or messages[-1]["role"] != "user":
        return list(messages)
    content = messages[-1]["content"]
    if block in content:
        return list(messages)
    cut = [
        i
        for i in (
            content.find(m) for m in (CONTEXT_MARK, _VARIABLES_MARK, _FAILED_MARK, _RETRY_MARK)
        )
        if i >= 0
    ]
    at = min(cut) if cut else len(content)
    content = f"{content[:at]}\n\n{block}{content[at:]}"
    return [*messages[:-1], {"role": "user", "content": content}]


_VARIABLES_MARK = "\n\nFor context, variables in the user's session"
_FAILED_MARK = "\n\nA previous attempt was wrong:"
_RETRY_MARK = "\n\nAn earlier answer was not accepted:"


def report_failure_lines(report: ValidationReport) -> list[str]:
    """What failed, one line each (with a traceback tail), for a prompt."""
    if report.load_error:
        lines = [f"The code failed to load: {report.load_error}"]
        if report.load_traceback:
            lines.append(_tail(report.load_traceback))
        return lines
    lines = []
    for result in report.failures:
        lines.append(f"Check `{result.source.splitlines()[0]}` failed: {result.error}")
        if (result.traceback and result.kind != "example") or result.traceback:
            lines.append(_tail(result.traceback))
    return lines


def _tail(traceback: str, lines: int = 8) -> str:
    return "\n".join(traceback.strip().split("\n")[-lines:])


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def _without_addresses(lines: Sequence[str]) -> list[str]:
    """Failure lines as the model sees them: "<generator object f at 0x7f4f629d4040>"
    loses its address, which tells the model nothing and differs on every run (so the
    same failure would ask differently each time)."""
    return [_ADDRESS.sub(">", line) for line in lines]


def repair_messages(
    base: Sequence[Message],
    reply: str,
    name: str,
    *,
    extraction: Extraction | None = None,
    report: ValidationReport | None = None,
    show_code: bool = False,
    extra: Sequence[str] = (),
) -> list[Message]:
    """Ask again with what went wrong (CREATOR-style: rectify from the traceback).

    The failed answer is *not* replayed as an assistant turn: small models copy
    their previous answer verbatim, even when sampling. The failures go into the
    user message instead, so the next attempt is a fresh try that knows the traps.
    """
    problems: list[str] = []
    if extraction is not None:
        problems += extraction.problems + extraction.notes
    if report is not None and not report.passed:
        problems += report_failure_lines(report)
    problems += extra
    problems = _without_addresses(problems)
    first_ask = base[-1]["content"] if base else ""
    parts = [first_ask, "", "A previous attempt was wrong:"]
    if show_code and extraction is not None and extraction.code:
        parts += ["```python", extraction.code.rstrip(), "```"]
    parts += [*problems, "", f"Write a corrected `{name}` that passes every check."]
    return [*base[:-1], {"role": "user", "content": "\n".join(parts).lstrip("\n")}]


def polish_messages(
    base: Sequence[Message], code: str, name: str, notes: Sequence[str]
) -> list[Message]:
    """Ask for the missing hints/docstring of code that already works, changing nothing else."""
    first_ask = base[-1]["content"] if base else ""
    parts = [
        first_ask,
        "",
        "This version passes every check, but it is incomplete:",
        "```python",
        code.rstrip(),
        "```",
        *notes,
        "",
        f"Answer with the same `{name}`, adding only what is missing "
        "(type hints, a short docstring). Do not change what the code does.",
    ]
    return [*base[:-1], {"role": "user", "content": "\n".join(parts).lstrip("\n")}]


def retry_messages(
    base: Sequence[Message], name: str, code: str | None, lines: Sequence[str]
) -> list[Message]:
    """The first ask of a regeneration: the code shown last, what was wrong (``lines``),
    and a request for a different answer (without it a small model repeats itself).

    Takes the two pieces of a :class:`.retry.Retry` it shows, not the Retry itself, so
    the prompts need nothing from the loop that uses them.
    """
    first_ask = base[-1]["content"] if base else ""
    parts = [first_ask, "", "An earlier answer was not accepted:"]
    if code:
        parts += ["```python", code.rstrip(), "```"]
    parts += [
        *_without_addresses(lines),
        "",
        f"Write a different `{name}` that fixes this and passes every check.",
    ]
    return [*base[:-1], {"role": "user", "content": "\n".join(parts).lstrip("\n")}]
