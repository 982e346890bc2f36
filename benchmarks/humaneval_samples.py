"""HumanEval docstring examples as forge samples (``>>>`` doctests and prose arrows).

Why: the forge may only see what a user would give it, i.e. the examples the
problem's own docstring states; parsing them is its own concern, tested on real
prompts in tests/benchmarks, and kept apart from the run driver.
"""

from __future__ import annotations

import ast
import doctest
import io
import re
import textwrap
import tokenize

from jupyter_forge.core.spec import Sample

# What HumanEval prose puts between a call and its result: `==>`, `=>`, `->`, `➞`, `→`,
# `==`, `=`, `returns`, `should return`, optionally after a `#` (`f(x)  # returns 3`).
_ARROW = re.compile(r"\s*(?:#\s*)?(?:==>|=>|->|➞|→|==|=|should\s+return|returns?)\s*")
# JSON-style booleans in prose results (`is_simple_power(1, 4) => true`).
_JSON_BOOL = re.compile(r"\b(true|false)\b")
# `For lst = [1,2,3] the output should be 14`, `For s = "ab", c = "a", the result should be 'b'`.
_FOR_FORM = re.compile(
    r"^\s*For\s+(?P<args>.+?)\s*,?\s+the\s+(?:output|result)\s+should\s+be\s+(?P<want>.+)$"
)
_INPUT = re.compile(r"^\s*Input\s*:\s*(?P<args>\S.*)$")
_OUTPUT = re.compile(r"^\s*Output\s*:\s*(?P<want>\S.*)$")


def entry_function(prompt: str, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The entry point's def (the prompt is a function with only a docstring)."""
    try:
        module = ast.parse(prompt + "\n    pass\n")
    except SyntaxError:
        try:
            module = ast.parse(prompt)
        except SyntaxError:
            return None
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def function_docstring(prompt: str, name: str) -> str:
    """The entry point's docstring ("" when the prompt does not parse)."""
    node = entry_function(prompt, name)
    return (ast.get_docstring(node) or "") if node is not None else ""


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
    or parenthesised remark; prose after it (``19 - 5 - 6 = 8``) means no literal.

    ``true``/``false`` are read as Python's booleans: the docstring's own spelling."""
    ok, value = _python_literal(text)
    if ok or not _JSON_BOOL.search(text):
        return ok, value
    return _python_literal(_python_booleans(text))


def _python_booleans(text: str) -> str:
    """``true``/``false`` names (not inside strings) spelled as Python's booleans."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    names = {"true": "True", "false": "False"}
    return tokenize.untokenize(
        (t.type, names.get(t.string, t.string) if t.type == tokenize.NAME else t.string)
        for t in tokens
    )


def _python_literal(text: str) -> tuple[bool, object]:
    for end in range(len(text), 0, -1):
        head, rest = text[:end].strip(), text[end:].strip()
        if not head:
            break
        if rest and not (rest == "." or rest.startswith(("#", "("))):
            continue
        if head.endswith(".") and len(head) > 1:
            # `should return 16.` ends a sentence: the literal is 16, not 16.0.
            ok, value = _python_literal(head[:-1])
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


def parameters(prompt: str, name: str) -> list[str]:
    """The positional parameter names of ``name`` in the prompt (empty if it does not parse)."""
    node = entry_function(prompt, name)
    return [a.arg for a in [*node.args.posonlyargs, *node.args.args]] if node is not None else []


def _call_from_arguments(text: str, name: str, params: list[str]) -> str | None:
    """``arr = [1, 2], k = 3`` (named like the parameters) or ``[1, 2]`` (one parameter)
    as the call ``name([1, 2], 3)``; anything else (prose, unknown names) is None."""
    try:
        node = ast.parse(f"_({text.strip().rstrip(',')})", mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call):
        return None
    if any(k.arg is None for k in node.keywords):
        return None  # `**x`
    try:
        values = {str(k.arg): ast.literal_eval(k.value) for k in node.keywords}
        positional = [ast.literal_eval(a) for a in node.args]
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if positional and not values and len(positional) == len(params) == 1:
        ordered = positional
    elif values and not positional and sorted(values) == sorted(params):
        ordered = [values[p] for p in params]
    else:
        return None
    return f"{name}({', '.join(repr(v) for v in ordered)})"


def named_input_examples(docstring: str, name: str, params: list[str]) -> list[Sample]:
    """``For x = ... the output should be y`` and ``Input: x = ...`` / ``Output: y`` examples.

    Only when the names are exactly the function's parameters (or the function has
    one parameter and the input is one literal): ``For N = 1000, the sum ... is 1``
    and inputs spread over several lines are skipped rather than guessed.
    """
    samples: list[Sample] = []
    lines = docstring.split("\n")
    for index, line in enumerate(lines):
        args = want = None
        found = _FOR_FORM.match(line)
        if found:
            args, want = found.group("args"), found.group("want")
        else:
            given = _INPUT.match(line)
            following = lines[index + 1] if index + 1 < len(lines) else ""
            result = _OUTPUT.match(following)
            if given and result:
                args, want = given.group("args"), result.group("want")
        if args is None or want is None:
            continue
        call = _call_from_arguments(args, name, params)
        ok, value = _leading_literal(want)
        if call is not None and ok:
            samples.append(
                Sample(source=call, kind="example", expected=repr(value) + "\n", origin="doc")
            )
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
    named = named_input_examples(docstring, name, parameters(prompt, name))
    for sample in [*doctest_examples(docstring, name), *prose_examples(docstring, name), *named]:
        if sample.source not in seen:
            seen.add(sample.source)
            out.append(_none_as_assert(sample))
    return out


def _none_as_assert(sample: Sample) -> Sample:
    """``f(x) ➞ None`` as ``assert f(x) is None``: a None result prints nothing, so a
    doctest-style ``None`` could never match (the docstring means the value)."""
    if sample.kind != "example" or (sample.expected or "").strip() != "None":
        return sample
    try:
        ast.parse(sample.source, mode="eval")
    except SyntaxError:
        return sample
    return Sample(source=f"assert ({sample.source}) is None", kind="assert", origin=sample.origin)
