"""Type hints from the values the samples actually passed, instead of a model round trip.

Why: most requests written as stubs (``def search(lst):``) have no hints, and
asking a small model to add them costs a generation and sometimes breaks code
that worked. The sandbox already runs the samples; one extra run records the
types each call saw (as MonkeyType does from live traffic), and the hints are
written into the signature mechanically. The reviewer sees them like any code.

The observations come from the sandbox worker, i.e. from untrusted code: they
are parsed against a small grammar of builtin types and re-rendered, never
pasted, so nothing but ``int``, ``list[str]``, ``dict[str, int] | None`` and the
like can reach the signature.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterable, Mapping, Sequence

from .defs import function_def

# An atom is one alternative of a union: ("int",), ("list", elem), ("dict", key, value),
# ("tuple", (elem, ...)), ("tuple...", elem); elem/key/value are types or None (empty).
Atom = tuple[object, ...]
Type = frozenset[Atom]

SCALARS = frozenset({"None", "bool", "int", "float", "complex", "str", "bytes"})
CONTAINERS = frozenset({"list", "set", "frozenset", "dict", "tuple"})
MAX_ALTERNATIVES = 3  # beyond this a hint says less than no hint


def parse_type(text: str) -> Type:
    """A worker's type description as a type; ValueError for anything off the grammar."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not a type: {text[:60]!r}") from exc
    return _from_node(node, 0)


def _from_node(node: ast.expr, depth: int) -> Type:
    if depth > 6:
        raise ValueError("type nested too deeply")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _from_node(node.left, depth + 1) | _from_node(node.right, depth + 1)
    if isinstance(node, ast.Constant) and node.value is None:
        return frozenset({("None",)})
    if isinstance(node, ast.Name) and node.id in SCALARS:
        return frozenset({(node.id,)})
    if isinstance(node, ast.Name) and node.id in CONTAINERS:
        empty: Atom = ("dict", None, None) if node.id == "dict" else (node.id, None)
        return frozenset({("tuple", ()) if node.id == "tuple" else empty})
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        kind, inner = node.value.id, node.slice
        parts = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if kind in ("list", "set", "frozenset") and len(parts) == 1:
            return frozenset({(kind, _from_node(parts[0], depth + 1))})
        if kind == "dict" and len(parts) == 2:
            key, value = (_from_node(p, depth + 1) for p in parts)
            return frozenset({("dict", key, value)})
        if kind == "tuple":
            if len(parts) == 2 and isinstance(parts[1], ast.Constant) and parts[1].value is ...:
                return frozenset({("tuple...", _from_node(parts[0], depth + 1))})
            return frozenset({("tuple", tuple(_from_node(p, depth + 1) for p in parts))})
    raise ValueError(f"not a builtin type: {ast.dump(node)[:60]}")


def _join(a: Type | None, b: Type | None) -> Type | None:
    if a is None:
        return b
    if b is None:
        return a
    return simplify(a | b)


def simplify(t: Type) -> Type:
    """Fold same-constructor alternatives and the numeric tower (bool < int < float).

    Tuples of one length merge item by item; of several lengths they become
    ``tuple[X, ...]``; an empty tuple next to others adds nothing.
    """
    tuples = [a for a in t if a[0] in ("tuple", "tuple...")]
    lengths = {len(a[1]) for a in tuples if a[0] == "tuple" and a[1]}  # type: ignore[arg-type]
    if len(lengths) > 1 or (lengths and any(a[0] == "tuple..." for a in tuples)):
        t = frozenset(
            ("tuple...", _union_all(a[1])) if a[0] == "tuple" and a[1] else a  # type: ignore[arg-type]
            for a in t
        )
    folded: dict[object, Atom] = {}
    for atom in t:
        key: object = ("tuple", len(atom[1])) if atom[0] == "tuple" else atom[0]  # type: ignore[arg-type]
        old = folded.get(key)
        folded[key] = atom if old is None else _fold(old, atom)
    if ("tuple", 0) in folded and len(
        [k for k in folded if k == "tuple..." or (isinstance(k, tuple) and k[0] == "tuple")]
    ) > 1:
        del folded[("tuple", 0)]  # () next to (1, 2): the other tuple type says more
    names = {k for k in folded if isinstance(k, str)}
    if "float" in names and "int" in names:
        del folded["int"]
    if "bool" in names and ("int" in names or "float" in names):
        del folded["bool"]
    return frozenset(folded.values())


def _union_all(items: Iterable[Type]) -> Type | None:
    out: Type | None = None
    for item in items:
        out = _join(out, item)
    return out


def _fold(old: Atom, new: Atom) -> Atom:
    kind = old[0]
    if kind in ("list", "set", "frozenset", "tuple..."):
        return (kind, _join(old[1], new[1]))  # type: ignore[arg-type]
    if kind == "dict":
        return ("dict", _join(old[1], new[1]), _join(old[2], new[2]))  # type: ignore[arg-type]
    if kind == "tuple":
        pairs = zip(old[1], new[1], strict=True)  # type: ignore[call-overload]
        return ("tuple", tuple(_join(a, b) for a, b in pairs))
    return old


def render(t: Type) -> str | None:
    """The hint for ``t`` (None when it has too many alternatives to be worth writing)."""
    if len(t) > MAX_ALTERNATIVES or not t:
        return None
    parts: list[str] = []
    for atom in sorted(t, key=lambda a: (a[0] == "None", repr(a))):
        text = _render_atom(atom)
        if text is None:
            return None
        parts.append(text)
    return " | ".join(parts)


def _render_atom(atom: Atom) -> str | None:
    kind = atom[0]
    if kind in SCALARS:
        return str(kind)
    inner: list[str | None]
    if kind in ("list", "set", "frozenset", "tuple..."):
        elem = atom[1]
        if elem is None:
            return "tuple" if kind == "tuple..." else str(kind)
        inner = [render(elem)]  # type: ignore[arg-type]
        if kind == "tuple...":
            return None if inner[0] is None else f"tuple[{inner[0]}, ...]"
    elif kind == "dict":
        if atom[1] is None:
            return "dict"
        inner = [render(atom[1]), render(atom[2])]  # type: ignore[arg-type]
    elif kind == "tuple":
        if not atom[1]:
            return "tuple[()]"
        inner = [render(e) for e in atom[1]]  # type: ignore[attr-defined]
    else:
        return None
    if any(i is None for i in inner):
        return None
    return f"{kind}[{', '.join(i for i in inner if i is not None)}]"


def merge_observations(calls: Iterable[str]) -> dict[str, str]:
    """Per parameter (and ``return``), the hint that covers every observed call.

    A call is ``"x=list[int];k=int;return=bool"``; a name whose description does
    not parse (``?`` for a value the worker could not describe) gets no hint.
    """
    seen: dict[str, Type | None] = {}
    broken: set[str] = set()
    for call in calls:
        for field in call.split(";"):
            name, sep, text = field.partition("=")
            if not sep or not name.isidentifier():
                continue
            try:
                seen[name] = _join(seen.get(name), parse_type(text))
            except ValueError:
                broken.add(name)
    hints: dict[str, str] = {}
    for name, t in seen.items():
        hint = render(t) if t is not None and name not in broken else None
        if hint is not None:
            hints[name] = hint
    return hints


def missing_hints(code: str, name: str) -> tuple[list[str], bool]:
    """The parameters of ``name`` without a hint, and whether its return hint is missing."""
    func = _function(code, name)
    if func is None:
        return [], False
    args = func.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return [a.arg for a in every if a.annotation is None], func.returns is None


def _function(code: str, name: str) -> ast.FunctionDef | None:
    node = function_def(code, name)
    return node if isinstance(node, ast.FunctionDef) else None


def add_hints(code: str, name: str, hints: Mapping[str, str]) -> str:
    """``code`` with ``hints`` written into ``name``'s signature where it has none.

    Only parameters without a hint and a missing return hint are touched;
    everything else, comments and formatting included, stays as it was.
    """
    func = _function(code, name)
    if func is None:
        return code
    lines = code.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(row: int, byte_col: int) -> int:
        line = lines[row - 1]
        return starts[row - 1] + len(line.encode("utf-8")[:byte_col].decode("utf-8"))

    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    args = func.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        hint = hints.get(arg.arg)
        if arg.annotation is not None or hint is None or arg.end_col_offset is None:
            continue
        at = offset(arg.lineno, arg.end_col_offset)
        rest = code[at:]
        stripped = rest.lstrip(" ")
        if stripped.startswith("=") and not stripped.startswith("=="):
            # `x=1` becomes `x: int = 1` (PEP 8 spacing for annotated defaults).
            after = stripped[1:]
            gap = len(rest) - len(stripped) + 1 + (len(after) - len(after.lstrip(" ")))
            edits.append((at, at + gap, f": {hint} = "))
        else:
            edits.append((at, at, f": {hint}"))
    returns = hints.get("return")
    if func.returns is None and returns is not None:
        close = _closing_paren(code, offset(func.lineno, func.col_offset))
        if close is not None:
            edits.append((close + 1, close + 1, f" -> {returns}"))
    for start, end, text in sorted(edits, reverse=True):
        code = code[:start] + text + code[end:]
    return code


def _closing_paren(code: str, def_start: int) -> int | None:
    """The offset of the ``)`` that closes the parameter list of the def at ``def_start``."""
    local = code[def_start:]
    row_starts = [0]
    for line in local.splitlines(keepends=True):
        row_starts.append(row_starts[-1] + len(line))
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(local).readline):
            if tok.type == tokenize.OP and tok.string in "()":
                depth += 1 if tok.string == "(" else -1
                if depth == 0:
                    return def_start + row_starts[tok.start[0] - 1] + tok.start[1]
    except (tokenize.TokenError, SyntaxError):
        return None
    return None


_LITERAL_TYPES = (str, int, float, bool, bytes)


def default_types(code: str, name: str) -> dict[str, Type]:
    """What each parameter's literal default says of its type (``sep='.'``: str).

    Why: samples rarely pass the optional arguments, so their calls show no type for
    them, and asking the model to add one hint costs a whole generation. ``None`` and
    computed defaults say nothing.
    """
    func = _function(code, name)
    if func is None:
        return {}
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    return {
        arg.arg: frozenset({(type(default.value).__name__,)})
        for arg, default in pairs
        if isinstance(default, ast.Constant) and type(default.value) in _LITERAL_TYPES
    }


def suggest(code: str, name: str, calls: Sequence[str]) -> dict[str, str]:
    """The hints ``name`` lacks that ``calls`` (and literal defaults) show ("return" for
    the return type). A parameter both passed and defaulted gets a hint covering both."""
    params, needs_return = missing_hints(code, name)
    if not params and not needs_return:
        return {}
    hints = merge_observations(calls)
    defaults = default_types(code, name)
    wanted: dict[str, str] = {}
    for param in params:
        seen = parse_type(hints[param]) if param in hints else None
        hint = render(t) if (t := _join(seen, defaults.get(param))) is not None else None
        if hint is not None:
            wanted[param] = hint
    if needs_return and "return" in hints:
        wanted["return"] = hints["return"]
    return wanted


def infer(code: str, name: str, calls: Sequence[str]) -> str | None:
    """``code`` with the hints it lacks, as far as ``calls`` show them (None: nothing to add)."""
    wanted = suggest(code, name, calls)
    if not wanted:
        return None
    hinted = add_hints(code, name, wanted)
    return hinted if hinted != code else None
