"""Probe values: edge cases of a type, built from values (never from sample text).

Why apart from :mod:`.probes`: which values are worth trying for a ``str``, a list of
numbers or a DataFrame is a policy of its own; :mod:`.probes` decides where they go
in a call.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .probe_shapes import FRAMES, KNOWN, SEQUENCES, Shape

_ACCENTS = str.maketrans("aeiouAEIOU", "áéíóüÁÉÍÓÜ")
_UNICODE = "Ünïcödé"
# A value the request quotes: 'km', "$1,234.50", `csv`; a quote must open and close
# outside a word, so the apostrophes of "Monday's and Tuesday's" quote nothing.
_QUOTED = re.compile(r"(?<!\w)(['\"`])([^'\"`\n]{1,40})\1(?!\w)")
MAX_NAMED = 4  # values from the words per parameter: the words' own examples come first


@dataclass(frozen=True)
class SampleArg:
    """A sample argument that may be reused: a literal's value, or a plain variable name."""

    value: object = None
    var: str | None = None


def reusable(node: ast.expr) -> SampleArg | None:
    """Only literals and plain names are reused; anything else in a sample is not copied."""
    if isinstance(node, ast.Name):
        if node.id.startswith("__") or not node.id.isidentifier():
            return None
        return SampleArg(var=node.id)
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    try:
        value_ast(value)
    except (ValueError, RecursionError):
        return None
    return SampleArg(value=value)


def value_ast(value: object, depth: int = 0) -> ast.expr:
    """An expression for a literal value, built from the value (never from sample text)."""
    if depth > 50:
        raise ValueError("too deeply nested")
    if isinstance(value, float) and math.isnan(value):
        nan: list[ast.expr] = [ast.Constant("nan")]
        return ast.Call(func=ast.Name(id="float", ctx=ast.Load()), args=nan, keywords=[])
    if value is None or value is Ellipsis or isinstance(value, (int, float, complex, str, bytes)):
        return ast.Constant(value)
    if isinstance(value, list):
        return ast.List(elts=[value_ast(v, depth + 1) for v in value], ctx=ast.Load())
    if isinstance(value, tuple):
        return ast.Tuple(elts=[value_ast(v, depth + 1) for v in value], ctx=ast.Load())
    if isinstance(value, (set, frozenset)):
        items = [value_ast(v, depth + 1) for v in value]
        if not items:
            return ast.Call(func=ast.Name(id="set", ctx=ast.Load()), args=[], keywords=[])
        return ast.Set(elts=sorted(items, key=ast.unparse))
    if isinstance(value, dict):
        return ast.Dict(
            keys=[value_ast(k, depth + 1) for k in value],
            values=[value_ast(v, depth + 1) for v in value.values()],
        )
    raise ValueError(f"not a literal: {type(value).__name__}")


def container_ast(kind: str, items: Sequence[object]) -> ast.expr:
    if kind == "tuple":
        return value_ast(tuple(items))
    if kind == "set":
        if not items:
            return value_ast(set())
        return ast.Set(elts=[value_ast(item) for item in items])
    return value_ast(list(items))


def plain_value(shape: Shape | None) -> object:
    """A plain, unremarkable value of a type (for arguments no sample shows)."""
    kind = shape.kind if shape else "unknown"
    plain: dict[str, object] = {
        "str": "abc",
        "bytes": b"abc",
        "bool": False,
        "int": 1,
        "float": 1.5,
        "dict": {"a": 1},
    }
    if kind in SEQUENCES:
        item = plain_value(shape.elem if shape else None)
        return (item,) if kind == "tuple" else [item]  # a set is built by container_ast
    return plain.get(kind)


def plain_ast(shape: Shape | None, pandas: str | None) -> ast.expr:
    if shape is not None and shape.kind in SEQUENCES:
        return container_ast(shape.kind, [plain_value(shape.elem)])
    if shape is not None and shape.kind in FRAMES and pandas:
        data = value_ast({"a": [1, 2]} if shape.kind == "DataFrame" else [1, 2])
        return ast.Call(func=attr_ast(pandas, shape.kind), args=[data], keywords=[])
    return value_ast(plain_value(shape))


def attr_ast(dotted: str, attr: str) -> ast.expr:
    node: ast.expr = ast.Name(id=dotted.split(".")[0], ctx=ast.Load())
    for part in [*dotted.split(".")[1:], attr]:
        node = ast.Attribute(value=node, attr=part, ctx=ast.Load())
    return node


def frame_variants(var: str, kind: str | None) -> list[tuple[ast.expr, str]]:
    empty = ast.Subscript(
        value=attr_ast(var, "iloc"),
        slice=ast.Slice(lower=ast.Constant(0), upper=ast.Constant(0)),
        ctx=ast.Load(),
    )
    head = ast.Call(func=attr_ast(var, "head"), args=[ast.Constant(1)], keywords=[])
    if kind == "Series":
        return [(empty, "empty Series"), (head, "one value")]
    if kind == "DataFrame":
        return [(empty, "empty DataFrame, same columns"), (head, "one row")]
    return [(empty, "empty DataFrame, same columns")]


def typed_variants(shape: Shape, sample: object, pandas: str | None) -> list[tuple[ast.expr, str]]:
    """Edge values of a type; ``sample`` is the sample's literal of that parameter, if any."""
    out: list[tuple[object, str]] = []
    kind = shape.kind
    if kind == "str":
        text = sample if isinstance(sample, str) else None
        out += [("", "empty string"), ("   ", "blank string")]
        accented = text.translate(_ACCENTS) if text else ""
        if text and accented != text:
            out.append((accented, "accented letters"))
        else:
            out.append((_UNICODE, "unicode text"))
        if text and text.strip():
            out.append((f"  {text}  ", "surrounding whitespace"))
        if text and text.upper() != text:
            out.append((text.upper(), "upper-cased"))
        if text and text.strip():
            out.append((f"{text} It's re-used 3 times!", "apostrophes, hyphens and digits"))
        words = text.split() if text else []
        if len(words) > 1:
            out.append((words[0], "one word"))  # "a single word gives (word, '')"
    elif kind == "bytes":
        out.append((b"", "empty bytes"))
    elif kind == "bool":
        out.append((not bool(sample), "the other flag"))
    elif kind in ("int", "float"):
        number = sample if isinstance(sample, (int, float)) and not isinstance(sample, bool) else 0
        zero: object = 0.0 if kind == "float" else 0
        negative: object = -abs(number) if number else (-1.0 if kind == "float" else -1)
        if kind == "float" and isinstance(negative, int):
            negative = float(negative)
        out += [(zero, "zero"), (negative, "negative number")]
        if kind == "float":
            out.append((math.nan, "NaN"))
        elif isinstance(number, int) and 0 < number <= 1000:
            # Past the input's size: a limit the text already fits, more rows than a group has.
            out.append((number * 10, "larger number"))
    elif kind == "dict":
        out.append(({}, "empty dict"))
        if isinstance(sample, dict) and sample:
            first = next(iter(sample))
            out.append(({k: v for k, v in sample.items() if k != first}, "missing key"))
    built = [(value_ast(value), why) for value, why in out]
    if kind in SEQUENCES:
        items = list(sample) if isinstance(sample, (list, tuple, set, frozenset)) else []
        plain = plain_value(shape.elem)
        first = items[0] if items else (1 if plain is None else plain)
        elem_is_str = (shape.elem is not None and shape.elem.kind == "str") or (
            bool(items) and all(isinstance(item, str) for item in items)
        )
        built += [
            (container_ast(kind, []), f"empty {kind}"),
            (container_ast(kind, [first]), "one element"),
            (container_ast(kind, [first, None] if items else [None]), f"{kind} containing None"),
        ]
        if elem_is_str:
            blank = [first, ""] if items else [""]
            built.append((container_ast(kind, blank), "blank string element"))
        built += [(container_ast(kind, found), why) for found, why in _like_sample(kind, items)]
    if kind in FRAMES and pandas:
        what = "empty DataFrame, no columns" if kind == "DataFrame" else "empty Series"
        keywords = [] if kind == "DataFrame" else [ast.keyword("dtype", ast.Name("float"))]
        built.append((ast.Call(func=attr_ast(pandas, kind), args=[], keywords=keywords), what))
    return built


def named_values(words: str) -> list[str]:
    """The values a request quotes, in order, once each: "units 'm', 'km', 'mi' and
    'ft'", "e.g. '$19.99' is 1999". Only ever used as string constants in a probe."""
    found: list[str] = []
    for match in _QUOTED.finditer(words):
        value = match.group(2)
        if value.strip() and value not in found:
            found.append(value)
    return found


def named_variants(shape: Shape | None, sample: object, words: str) -> list[tuple[ast.expr, str]]:
    """The values the words quote, for a parameter the sample gives a text (each in
    place of the sample's) or a list of texts (all together).

    Why first among the probes: a request that names its inputs ("units 'm', 'km', 'mi'
    and 'ft'", "'0.1' is 10") says what matters, and one sample tries only one of them.
    Two candidates that agree on the sample can disagree there (a wrong km-to-ft factor),
    and a reviewer sees the tool on the words' own examples.
    """
    if shape is None or not words:
        return []
    if shape.kind == "str" and isinstance(sample, str):
        return [(value_ast(v), "named in your words") for v in _like(named_values(words), [sample])]
    texts = [i for i in sample if isinstance(i, str)] if isinstance(sample, (list, tuple)) else []
    if shape.kind in ("list", "tuple") and texts:
        values = _like(named_values(words), texts)
        if values:
            return [(container_ast(shape.kind, list(values)), "the values your words name")]
    return []


def _like(named: list[str], sampled: list[str]) -> list[str]:
    """The named values that could stand where the sample's do: with digits when the
    sample's text has digits, without when not ('YYYY-MM-DD' names a format, not a
    date), and not the sample's own."""
    digits = any(ch.isdigit() for text in sampled for ch in text)
    like = [v for v in named if any(ch.isdigit() for ch in v) == digits]
    return [v for v in like if v not in sampled][:MAX_NAMED]


def variants(
    shape: Shape | None,
    arg: SampleArg | None,
    variables: Mapping[str, str] | None,
    pandas: str | None,
    words: str = "",
) -> list[tuple[ast.expr, str]]:
    """Probe values for one parameter: the values the request quotes first, then the
    edge cases of its type (``words``: the request)."""
    out: list[tuple[ast.expr, str]] = []
    if arg is None or arg.var is None:
        out += named_variants(shape, arg.value if arg else None, words)
    if arg is not None and arg.var is not None:
        known = shape is not None and shape.kind != "unknown"
        kind = shape.kind if shape is not None and known else None
        if kind is None and variables is not None:
            kind = variables.get(arg.var)
            if kind not in KNOWN:
                kind = None
            elif kind not in FRAMES:
                shape = Shape(kind, None, shape.optional if shape else False)
        if kind in FRAMES or (kind is None and variables is None):
            out += frame_variants(arg.var, kind)
        elif shape is not None and shape.kind in KNOWN:
            out += typed_variants(shape, None, pandas)
    elif shape is not None and shape.kind in KNOWN:
        out += typed_variants(shape, arg.value if arg else None, pandas)
    none = (ast.Constant(None), "None")
    if shape is not None and shape.optional:
        out.insert(min(1, len(out)), none)
    elif not out:
        out.append(none)
    return out


def _like_sample(kind: str, items: Sequence[object]) -> list[tuple[list[object], str]]:
    """Inputs like the sample's, changed in a way the words often settle but one
    sample does not: order, equal values, decimals, key order.

    Why: edge cases tell how a tool fails; these tell two tools that both pass the
    sample apart (MBR-exec agreement, :mod:`jupyter_forge.core.result`), and show a
    reviewer what the tool does with input that is only a little different.
    """
    out: list[tuple[list[object], str]] = []
    if kind == "set" or len(items) < 2:
        return out
    flipped = list(reversed(items))
    if flipped != list(items):
        out.append((flipped, "reversed order"))
    numbers = [i for i in items if isinstance(i, (int, float)) and not isinstance(i, bool)]
    if len(numbers) == len(items):
        equal = round(float(numbers[0]) + 0.1, 6)
        out.append(([equal] * max(3, len(items)), "all values equal (decimals)"))
    records = [i for i in items if isinstance(i, dict)]
    if len(records) == len(items) and any(len(r) > 1 for r in records):
        keyed: list[object] = [dict(reversed(list(r.items()))) for r in records]
        out.append((keyed, "keys in another order"))
    return out
