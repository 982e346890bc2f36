"""HumanEval docstring examples as forge samples (``>>>`` doctests and prose arrows).

Why: the forge may only see what a user would give it, i.e. the examples the
problem's own docstring states; parsing them is its own concern, tested on real
prompts in tests/benchmarks, and kept apart from the run driver.
"""

from __future__ import annotations

import ast
import doctest
import re
import textwrap

from jupyter_forge.core.spec import Sample

# What HumanEval prose puts between a call and its result: `==>`, `=>`, `->`, `==`,
# `=`, `returns`, `should return`, optionally after a `#` (`f(x)  # returns 3`).
_ARROW = re.compile(r"\s*(?:#\s*)?(?:==>|=>|->|==|=|should\s+return|returns?)\s*")


def function_docstring(prompt: str, name: str) -> str:
    """The entry point's docstring (the prompt is a function with only a docstring)."""
    try:
        module = ast.parse(prompt + "\n    pass\n")
    except SyntaxError:
        try:
            module = ast.parse(prompt)
        except SyntaxError:
            return ""
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return ast.get_docstring(node) or ""
    return ""


def _literal_call(text: str, name: str) -> ast.Call | None:
    """``text`` is exactly ``name(<literals>)``."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return None
    if node.func.id != name or node.keywords:
        return None
    try:
        for arg in node.args:
            ast.literal_eval(arg)
    except (ValueError, SyntaxError, TypeError):
        return None  # `is_happy(a)`: prose, not a call we could run
    return node


def _leading_call(text: str, name: str) -> tuple[str, str] | None:
    """Split ``text`` (starting at ``name(``) into the shortest literal call and the rest."""
    for end, char in enumerate(text):
        if char == ")" and _literal_call(text[: end + 1], name) is not None:
            return text[: end + 1], text[end + 1 :]
    return None


def _leading_literal(text: str) -> tuple[bool, object]:
    """A Python literal that is the whole of ``text`` up to a trailing ``.``, ``#``-comment
    or parenthesised remark; prose after it (``19 - 5 - 6 = 8``) means no literal."""
    for end in range(len(text), 0, -1):
        head, rest = text[:end].strip(), text[end:].strip()
        if not head:
            break
        if rest and not (rest == "." or rest.startswith(("#", "("))):
            continue
        if head.endswith(".") and len(head) > 1:
            # `should return 16.` ends a sentence: the literal is 16, not 16.0.
            ok, value = _leading_literal(head[:-1])
            if ok:
                return ok, value
        try:
            return True, ast.literal_eval(head)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return False, None


def prose_examples(docstring: str, name: str) -> list[Sample]:
    """``f(x) ==> y`` / ``f(x) -> y`` / ``f(x) should return y`` lines as samples.

    Only when the left side is a call of ``name`` with literal arguments and the
    right side a Python literal: anything fuzzier (``=> true``, ``is_happy(a)``,
    arithmetic) is skipped rather than guessed.
    """
    call_start = re.compile(rf"(?<![\w.]){re.escape(name)}\(")
    samples: list[Sample] = []
    for line in docstring.split("\n"):
        if line.lstrip().startswith(">>>"):
            continue
        for match in call_start.finditer(line):
            split = _leading_call(line[match.start() :], name)
            if split is None:
                continue
            call, rest = split
            arrow = _ARROW.match(rest)
            if arrow is None:
                continue
            ok, value = _leading_literal(rest[arrow.end() :])
            if ok:
                samples.append(
                    Sample(source=call, kind="example", expected=repr(value) + "\n", origin="doc")
                )
            break
    return samples


def doctest_examples(docstring: str, name: str) -> list[Sample]:
    """``>>>`` examples, parsed by the stdlib's doctest parser (as ``%%forge`` cells are)."""
    parser = doctest.DocTestParser()
    try:
        pieces = parser.parse(docstring)
    except ValueError:
        # One malformed example (a raw newline inside a string literal, HumanEval/51)
        # must not cost the others: parse example by example, skipping the broken ones.
        pieces = []
        for chunk in re.split(r"\n(?=[ \t]*>>>)", docstring):
            try:
                pieces.extend(parser.parse(textwrap.dedent(chunk)))
            except ValueError:
                continue
    samples: list[Sample] = []
    for piece in pieces:
        if not isinstance(piece, doctest.Example):
            continue
        source = piece.source.rstrip("\n")
        try:
            compile(source, "<sample>", "exec")
        except SyntaxError:
            continue
        if piece.exc_msg is not None:
            continue  # expected exceptions: not a form our samples express
        want = piece.want
        samples.append(
            Sample(source=source, kind="example", expected=want, origin="doc")
            if want.strip()
            else Sample(source=source, kind="code", origin="doc")
        )
    return samples


def docstring_samples(prompt: str, name: str) -> list[Sample]:
    """Every example the problem's docstring states, ``>>>`` first, duplicates dropped."""
    docstring = function_docstring(prompt, name)
    seen: set[str] = set()
    out: list[Sample] = []
    for sample in [*doctest_examples(docstring, name), *prose_examples(docstring, name)]:
        if sample.source not in seen:
            seen.add(sample.source)
            out.append(sample)
    return out
