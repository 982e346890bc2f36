"""Inputs the request's own words name: a tool must at least run on each of them.

Why: people list the formats a tool must take ("readings such as '98.6F', '37 °C' or
'310.15 K'") and give one sample. Code bent to that sample often raises on the other
formats, and a small model asked for checks often leaves them out: on the DS benchmark
such tools passed their sample and every check, a green mark on a wrong tool. Calling
the tool on each input the words quote costs no model call. Only "it does not raise" is
checked: what it should return is for the person's samples and the checks from the
words. Like those checks, these never block approval; a tool that raises on one is
marked doubtful, and repairs are told which input raised.

What counts as a named input, kept narrow so a correct tool is rarely doubted:

- a quoted string ('...' or "...") in a sentence that says nothing of errors (a quoted
  string near "raises", "invalid", "unknown"... is more likely an input that must fail);
- the person's samples call the tool with a string literal first: the quoted input takes
  its place, the other arguments stay as that sample has them;
- not part of another input (a fragment such as '+1' in "with a leading '+1'" is part
  of the sample's '+1 555 123 4567', not an input of its own), not much shorter than the
  sample's own string, and not an input a sample already runs; two characters are
  enough for an input of its own ('2h' beside a sample's '1h 30m');
- not a format template: without digits when the sample's input has some
  ('YYYY-MM-DD', 'HH:MM', or an output such as 'morning');
- not shaped like the sample's expected output unless shaped like its input too
  ('FY2025-Q1' in "a label like 'FY2025-Q1'" is what the tool returns, not what it
  takes; a date is both for a tool from dates to dates).
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Sequence

from .checks import Check
from .spec import ForgeSpec, Sample

MAX_NAMED_INPUTS = 8
MAX_INPUT_CHARS = 80
MIN_INPUT_CHARS = 2

# A quote that is no apostrophe: not preceded or followed by a letter ("isn't", "what's").
_QUOTED = re.compile(
    rf"(?<![\w'])'([^'\n]{{1,{MAX_INPUT_CHARS}}})'(?![\w'])"
    rf"|(?<![\w\"])\"([^\"\n]{{1,{MAX_INPUT_CHARS}}})\"(?![\w\"])"
)
_ERROR_WORDS = re.compile(
    r"\b(rais\w*|error\w*|exception\w*|invalid|reject\w*|refus\w*|fail\w*|unknown|"
    r"unrecogni\w*|unsupported|malformed|bad|wrong|illegal|forbidden)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n+")


def _string_calls(spec: ForgeSpec) -> list[tuple[str, list[str]]]:
    """(the string passed first, the source of the other arguments) of every sample call
    ``name("...", ...)``, in order."""
    calls: list[tuple[str, list[str]]] = []
    for sample in spec.samples:
        try:
            tree = ast.parse(sample.source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == spec.name
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and not any(isinstance(a, ast.Starred) for a in node.args)
            ):
                continue
            rest = [ast.unparse(a) for a in node.args[1:]]
            rest += [ast.unparse(k) for k in node.keywords]
            calls.append((node.args[0].value, rest))
    return calls


def _shape(text: str) -> str:
    """Digits as 9, letters as a, runs collapsed: 'FY2025-Q1' and 'FY2026-Q3' alike."""
    marked = re.sub(r"[^\W\d_]", "a", re.sub(r"\d", "9", text))
    return re.sub(r"(.)\1+", r"\1", marked)


def _outputs(spec: ForgeSpec) -> set[str]:
    """The shapes of the string results the samples expect."""
    shapes: set[str] = set()
    for sample in spec.samples:
        values: list[object] = []
        if sample.kind == "example" and sample.expected:
            with contextlib.suppress(SyntaxError, ValueError, MemoryError, RecursionError):
                values.append(ast.literal_eval(sample.expected.strip()))
        try:
            tree = ast.parse(sample.source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            tree = None
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.Eq):
                values += [c.value for c in node.comparators if isinstance(c, ast.Constant)]
        shapes |= {_shape(v) for v in values if isinstance(v, str)}
    return shapes


def _sentences(request: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(request) if s.strip()]


def named_input_checks(spec: ForgeSpec, already: Sequence[Check] = ()) -> list[Check]:
    """One "it runs" check per input the request's words quote (see the module doc)."""
    calls = _string_calls(spec)
    if not calls:
        return []
    own, rest = calls[0]
    shortest = max(MIN_INPUT_CHARS, len(own) // 3)
    written = {" ".join(c.text.split()) for c in already}
    checks: list[Check] = []
    seen = {text for text, _ in calls}  # inputs a sample already runs
    outputs = _outputs(spec)
    needs_digits = any(c.isdigit() for c in own)
    for sentence in _sentences(spec.request):
        if _ERROR_WORDS.search(sentence):
            continue
        for match in _QUOTED.finditer(sentence):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            if text in seen or len(text.strip()) < shortest:
                continue
            if any(text in other for other in seen):
                continue  # a fragment of an input, not one: '+1' of '+1 555 123 4567'
            if needs_digits and not any(c.isdigit() for c in text):
                continue  # a template ('YYYY-MM-DD') or a word the tool returns
            if _shape(text) in outputs and _shape(text) != _shape(own):
                continue  # shaped like what the samples expect back: an output
            seen.add(text)
            source = f"{spec.name}({', '.join([repr(text), *rest])})"
            if source in written:
                continue
            sample = Sample(source=source, kind="code", origin="words")
            rule = f"your words name {text!r} as an input"
            checks.append(Check(text=source, sample=sample, rule=rule))
            if len(checks) >= MAX_NAMED_INPUTS:
                return checks
    return checks
