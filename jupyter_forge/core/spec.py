"""What the user asked for: a tool name, a request in plain words, and samples.

A ``%%forge`` cell body mixes prose with samples. Samples are doctest-style
``>>>`` examples (parsed with the stdlib's own :class:`doctest.DocTestParser`,
so continuation lines and expected output behave exactly as in doctests) and
``assert`` statements. Everything else is the request.
"""

from __future__ import annotations

import ast
import builtins
import doctest
import keyword
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .errors import SpecError

SampleKind = Literal["example", "assert", "code"]


@dataclass(frozen=True)
class Sample:
    """One check the candidate must pass.

    ``example``: an expression whose repr (or printed output) must match
    ``expected``; ``assert``/``code``: statements that must run without raising.
    """

    source: str
    kind: SampleKind
    expected: str | None = None
    origin: str = "cell"

    def to_json(self) -> dict[str, str | None]:
        return {
            "source": self.source,
            "kind": self.kind,
            "expected": self.expected,
            "origin": self.origin,
        }

    @classmethod
    def from_json(cls, data: dict[str, str | None]) -> Sample:
        kind = data.get("kind") or "code"
        if kind not in ("example", "assert", "code"):
            raise SpecError(f"unknown sample kind {kind!r} in stored samples")
        return cls(
            source=str(data["source"]),
            kind=kind,  # type: ignore[arg-type]
            expected=data.get("expected"),
            origin=str(data.get("origin") or "cell"),
        )

    def as_doctest(self) -> str:
        """The sample as a user would type it (for prompts and display)."""
        if self.kind == "example":
            lines = self.source.rstrip("\n").split("\n")
            text = "\n".join([">>> " + lines[0], *("... " + line for line in lines[1:])])
            if self.expected:
                text += "\n" + self.expected.rstrip("\n")
            return text
        return self.source.rstrip("\n")


@dataclass(frozen=True)
class ForgeSpec:
    """A complete request for one tool."""

    name: str
    request: str
    samples: tuple[Sample, ...] = field(default_factory=tuple)


def check_tool_name(name: str, *, allow_builtin: bool = False) -> str:
    """Refuse names that cannot be a Python function name, with the fix in the message."""
    if not name:
        raise SpecError(
            "a tool name is missing: write `%%forge NAME` with NAME a Python identifier"
        )
    if not name.isidentifier():
        raise SpecError(
            f"`{name}` is not a valid Python function name: use letters, digits and "
            "underscores, not starting with a digit (e.g. parse_money)"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise SpecError(f"`{name}` is a Python keyword: pick another tool name")
    if not allow_builtin and hasattr(builtins, name):
        raise SpecError(
            f"`{name}` would shadow the Python builtin `{name}`: pick another name "
            "(or pass --replace if you really mean to shadow it)"
        )
    return name


def _check_syntax(source: str, where: str) -> None:
    try:
        compile(source, "<sample>", "exec")
    except SyntaxError as exc:
        raise SpecError(
            f"{where} has a syntax error ({exc.msg}): fix that sample line and run the cell again"
        ) from None


def _compiles(source: str) -> bool:
    try:
        compile(source, "<sample>", "exec")
    except SyntaxError:
        return False
    return True


def _split_asserts(text: str, first_line: int) -> tuple[list[Sample], list[str]]:
    """Pull ``assert`` statements (possibly spanning lines) out of prose."""
    samples: list[Sample] = []
    prose: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith(("assert ", "assert(")):
            block = [stripped]
            j = i
            # Grow the statement until it parses (open brackets span lines).
            while True:
                try:
                    ast.parse("\n".join(block))
                    break
                except SyntaxError:
                    if j + 1 >= len(lines) or j - i >= 20:
                        _check_syntax(
                            "\n".join(block[:1]), f"the assert sample on line {first_line + i + 1}"
                        )
                        break
                    j += 1
                    block.append(lines[j])
            samples.append(Sample(source="\n".join(block), kind="assert"))
            i = j + 1
            continue
        prose.append(lines[i])
        i += 1
    return samples, prose


def _cut_want(want: str) -> tuple[str, str]:
    """Doctest's expected output runs to the next blank line; an ``assert`` ends it too."""
    lines = want.split("\n")
    for index, line in enumerate(lines):
        if line.strip().startswith(("assert ", "assert(")):
            return "\n".join(lines[:index]) + ("\n" if index else ""), "\n".join(lines[index:])
    return want, ""


def parse_cell(name: str, body: str, *, origin: str = "cell", first_line: int = 1) -> ForgeSpec:
    """Split a ``%%forge`` cell body into the request and its samples.

    ``first_line``: the line number of the body's first line where the person sees it
    (2 in a notebook cell, under its ``%%forge NAME`` line), so errors name that line.
    """
    samples, prose = parse_samples_and_prose(body, origin=origin, first_line=first_line)
    request = "\n".join(prose).strip()
    if not request:
        raise SpecError(
            f"the request is empty: on the lines after `%%forge {name}`, say in plain words "
            "what the function should do"
        )
    return ForgeSpec(name=name, request=request, samples=tuple(samples))


def parse_samples_and_prose(
    text: str, *, origin: str = "cell", first_line: int = 1
) -> tuple[list[Sample], list[str]]:
    parser = doctest.DocTestParser()
    samples: list[Sample] = []
    prose: list[str] = []
    line_no = first_line - 1  # lines before the current piece, as the person counts them
    try:
        pieces = parser.parse(text)
    except ValueError as exc:
        raise SpecError(f"a >>> sample is malformed ({exc}): fix its indentation") from None
    for piece in pieces:
        if isinstance(piece, doctest.Example):
            where = f"the >>> sample on line {piece.lineno + first_line}"
            _check_syntax(piece.source, where)
            source = piece.source.rstrip("\n")
            want, spill = _cut_want(piece.want)
            if want:
                samples.append(Sample(source=source, kind="example", expected=want, origin=origin))
            else:
                samples.append(Sample(source=source, kind="code", origin=origin))
            line_no = piece.lineno + first_line - 1 + piece.source.count("\n") + want.count("\n")
            if spill:
                found, rest = _split_asserts(spill, line_no)
                samples.extend(Sample(s.source, s.kind, s.expected, origin) for s in found)
                prose.extend(rest)
                line_no += spill.count("\n")
        else:
            found, rest = _split_asserts(piece, line_no)
            samples.extend(Sample(s.source, s.kind, s.expected, origin) for s in found)
            prose.extend(rest)
            line_no += piece.count("\n")
    return samples, prose


def parse_sample_strings(items: Iterable[object], *, origin: str) -> list[Sample]:
    """Samples given as strings (``--samples VAR``) or as tagged cells' sources.

    A string with ``>>>`` examples or ``assert`` lines contributes those; any
    other code is one sample that must run without raising.
    """
    out: list[Sample] = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise SpecError(
                f"sample {index} is a {type(item).__name__}, not a string: give samples as "
                "source strings such as 'assert f(1) == 2' or '>>> f(1)\\n2'"
            )
        found, prose = parse_samples_and_prose(item, origin=origin)
        leftover = "\n".join(prose).strip()
        if found and leftover and ">>>" not in item and _compiles(item.strip()):
            # Setup code plus asserts (`x = f(1)\nassert x == 2`): one sample, kept whole.
            found = [Sample(source=item.strip(), kind="code", origin=origin)]
        if found:
            out.extend(found)
        if leftover and not found:
            _check_syntax(leftover, f"sample {index} ({origin})")
            out.append(Sample(source=leftover, kind="code", origin=origin))
    return out


def merge_samples(*groups: Sequence[Sample]) -> tuple[Sample, ...]:
    """Concatenate sample groups, dropping exact duplicates but keeping order."""
    seen: set[tuple[str, str, str | None]] = set()
    merged: list[Sample] = []
    for group in groups:
        for sample in group:
            key = (sample.source, sample.kind, sample.expected)
            if key not in seen:
                seen.add(key)
                merged.append(sample)
    return tuple(merged)
