"""Checks from the request's own words, written without seeing any code.

Why: people write a sentence or two and one sample; code bent to that sample can
break a rule the words state (an error case, an edge case, a second format) and
still pass. A separate model call sees only the request and the samples, never a
candidate, and writes one executable check per stated rule. Such checks may be
wrong (small models write wrong expectations), so they choose between candidates,
steer repairs and are shown apart from the person's samples; they never block
approval on their own.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .check_fault import failed_in_own_code
from .checks import Check, code_text, parse_checks
from .prompt import Message, is_stub, variable_lines
from .spec import ForgeSpec, Sample
from .validation import ValidationReport
from .variables import VariableInfo

CHECKS_SYSTEM = (
    "You are a careful Python tester. You never write the function itself: you write "
    "tests of what a request says, in one ```python block. Before each test, a comment "
    "quoting the exact words of the request it checks; then one `assert` line with the "
    "exact expected value, or a `raises(SomeError, function_name, arguments...)` line when "
    "the request says that input must raise. Test only what the request says in words: "
    "its edge cases, its errors, its other input formats. Use inputs different from the "
    "given examples. No prose, no function definitions."
)

VARIABLES_HEADER = (
    "Variables in the user's session that the request and examples use "
    "(build small ones like them in your tests):"
)

# One worked exchange (few-shot): small models follow a shown answer far better than a
# described one. Its task is no benchmark task (a test holds that) and its values belong
# to another task, so copying them fails visibly.
EXAMPLE_REQUEST = (
    "Write the tests for `bmi`. The request:\n"
    "Body-mass index from a weight in kg and a height in metres, or in centimetres when "
    "it is above 3, rounded to 1 decimal. None in either gives None; a height of zero or "
    "less raises ValueError.\n\n"
    "The user's own examples (already tested; do not repeat them):\n"
    ">>> bmi(70, 1.75)\n22.9\n\n"
    "Now write the tests: for each rule the request states in words, a comment quoting "
    "it, then its test line."
)
EXAMPLE_ANSWER = (
    "```python\n"
    '# "or in centimetres when it is above 3"\n'
    "assert bmi(70, 175) == 22.9\n"
    '# "rounded to 1 decimal"\n'
    "assert bmi(80, 1.8) == 24.7\n"
    '# "None in either gives None"\n'
    "assert bmi(None, 1.8) is None\n"
    '# "a height of zero or less raises ValueError"\n'
    "raises(ValueError, bmi, 70, 0)\n"
    "```"
)


def check_messages(spec: ForgeSpec, variables: Sequence[VariableInfo] = ()) -> list[Message]:
    """The request for checks: the person's words, samples and variables, never a candidate.

    ``variables`` outlines the notebook values the samples use (a table's columns), so
    tests build inputs of the same kind instead of guessing one (a dict for a DataFrame).
    """
    kind = "code to complete" if is_stub(spec.request, spec.name) else "request"
    parts = [
        f"Write the tests for `{spec.name}`. The {kind}:",
        spec.request.strip(),
    ]
    if spec.samples:
        parts += ["", "The user's own examples (already tested; do not repeat them):"]
        parts += [sample.as_doctest() for sample in spec.samples]
    if variables:
        parts += ["", VARIABLES_HEADER, *variable_lines(variables)]
    parts += [
        "",
        f"Now write the tests: for each rule the {kind} states in words, a comment quoting "
        "it, then its test line.",
    ]
    return [
        {"role": "system", "content": CHECKS_SYSTEM},
        {"role": "user", "content": EXAMPLE_REQUEST},
        {"role": "assistant", "content": EXAMPLE_ANSWER},
        {"role": "user", "content": "\n".join(parts)},
    ]


def _normal(text: str) -> str:
    return " ".join(text.split())


def _as_assert(sample: Sample) -> str:
    """A ``>>>`` sample as the assert a tester would write for it (to spot copies)."""
    if sample.kind == "example" and sample.expected:
        return _normal(f"assert {sample.source} == {sample.expected.strip()}")
    return _normal(sample.source)


_WORD = re.compile(r"[a-z0-9]+")
MAX_SKIPPED = 20  # one-line reasons kept for the reviewer
GROUNDED = 0.7  # share of a quote's words that must be the request's own


def _quotes(code: str) -> dict[int, str]:
    """Line index of each statement → the comment right above it (the quoted rule)."""
    quotes: dict[int, str] = {}
    comment: list[str] = []
    for index, line in enumerate(code.split("\n")):
        stripped = line.strip()
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip().strip("\"'“”` "))
        elif stripped and not line[:1].isspace():
            if comment:
                quotes[index] = " ".join(comment)
            comment = []
    return quotes


def grounded(quote: str, request: str) -> bool:
    """Whether ``quote`` is the request's own words (so its check tests a stated rule)."""
    words = _WORD.findall(quote.lower())
    if not words:
        return False
    own = set(_WORD.findall(request.lower()))
    return sum(w in own for w in words) >= GROUNDED * len(words)


def checks_from_reply(reply: str, spec: ForgeSpec) -> tuple[list[Check], list[str]]:
    """The checks in the model's answer that test a rule the request states.

    Each check must follow a comment quoting the request's words (the prompt asks for
    it): small models otherwise invent rules ("raises ValueError on []") that would
    steer selection toward wrong code. Copies of the person's own samples are dropped.
    """
    checks, skipped = parse_checks(reply, spec.name, origin="words")
    own = {_as_assert(s) for s in spec.samples} | {_normal(s.source) for s in spec.samples}
    lines = [line.strip() for line in code_text(reply).split("\n")]
    quotes = _quotes(code_text(reply))
    kept: list[Check] = []
    at = 0
    for check in checks:
        first, quote = check.text.split("\n")[0].strip(), ""
        # The quote may stand above its setup (``import re``) or above the check itself.
        for start in (line.strip() for line in check.text.split("\n") if line[:1].strip()):
            index = next((i for i in range(at, len(lines)) if lines[i] == start), None)
            if index is not None:
                quote, at = quote or quotes.get(index, ""), index + 1
        if _normal(check.text) in own:
            continue
        if not grounded(quote, spec.request):
            why = f"quotes {quote!r}, not the request's words" if quote else "quotes no rule"
            skipped.append(f"`{_normal(first)[:80]}`: {why}")
            continue
        kept.append(replace(check, rule=quote))
    kept = _without_contradictions(kept, spec.name, skipped)
    if len(skipped) > MAX_SKIPPED:  # a flood of junk is summarised, not listed
        skipped[MAX_SKIPPED:] = [f"… and {len(skipped) - MAX_SKIPPED} more pieces skipped"]
    return kept, skipped


def _claim(text: str, name: str) -> tuple[str, str] | None:
    """(the call a check makes, what it expects of it), for spotting contradictions."""
    try:
        return _claim_of(ast.parse(text).body[-1])
    except (SyntaxError, IndexError, ValueError, MemoryError, RecursionError):
        return None  # a check too deeply nested to unparse contradicts nothing we can tell


def _claim_of(node: ast.stmt) -> tuple[str, str] | None:
    if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
        test = node.test
        if isinstance(test.left, ast.Call) and len(test.ops) == 1:
            right = ast.Compare(left=ast.Constant(0), ops=test.ops, comparators=test.comparators)
            return ast.unparse(test.left), ast.unparse(right)[1:].strip()
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        if len(call.args) >= 2:
            invoked = ast.Call(func=call.args[1], args=call.args[2:], keywords=call.keywords)
            return ast.unparse(invoked), f"raises {ast.unparse(call.args[0])}"
    if isinstance(node, ast.With) and len(node.body) == 1 and isinstance(node.body[0], ast.Expr):
        ctx = node.items[0].context_expr
        if isinstance(ctx, ast.Call) and ctx.args:
            return ast.unparse(node.body[0].value), f"raises {ast.unparse(ctx.args[0])}"
    return None


def _without_contradictions(checks: list[Check], name: str, skipped: list[str]) -> list[Check]:
    """Drop checks that expect different things of the same call: at most one is right,
    and nothing says which (small models write both ``f([]) == []`` and ``raises(f, [])``)."""
    claims: dict[str, set[str]] = {}
    for check in checks:
        claim = _claim(check.text, name)
        if claim is not None:
            claims.setdefault(claim[0], set()).add(claim[1])
    kept: list[Check] = []
    for check in checks:
        claim = _claim(check.text, name)
        if claim is not None and len(claims[claim[0]]) > 1:
            skipped.append(
                f"`{_normal(check.text)[:80]}`: contradicts another check of `{claim[0]}`"
            )
            continue
        kept.append(check)
    return kept


@dataclass
class WordChecks:
    """The checks a forge got from the words, and what could not be used (one line each)."""

    checks: list[Check] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str | None = None  # the model call failed: the forge goes on without checks
    seconds: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    # The model's raw answer: kept for benchmarks that ask why a call gave no checks;
    # left out of ``to_json`` so the product's output stays what the person reads.
    reply: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "checks": [c.to_json() for c in self.checks],
            "skipped": list(self.skipped),
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


def passed_count(report: ValidationReport | None) -> int:
    """How many checks a candidate passed (0 when it could not be run)."""
    if report is None or report.load_error:
        return 0
    return sum(r.passed for r in report.results)


def checks_summary(report: ValidationReport | None, total: int) -> str:
    """The line the reviewer sees, apart from the samples: "checks from your words: 3/4 pass"."""
    return f"checks from your words: {passed_count(report)}/{total} pass"


def failure_lines(checks: Sequence[Check], report: ValidationReport) -> list[str]:
    """Failing checks for a repair prompt: the check as written and what happened.

    A check that broke in its own code is left out: it says nothing about the tool, and
    a repair told of it bends a right tool toward the check's wrong guess.
    """
    lines: list[str] = []
    if report.load_error:
        return lines
    for check, result in zip(checks, report.results, strict=False):
        if result.passed or failed_in_own_code(result):
            continue
        lines.append(f"Check `{' '.join(check.text.split())}` failed: {result.error}")
    return lines
