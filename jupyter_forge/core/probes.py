"""Edge-case probes: what the chosen tool does on inputs nobody wrote a sample for.

Why: a reviewer who sees only code and green samples cannot tell whether the tool
handles an empty list, a blank string, a NaN or an empty DataFrame the way the
words say. Probes are derived from the parameter types and the sample calls, run
in the sandbox like samples, and shown as a behaviour preview: what it returns or
raises, not whether that is right.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .defs import function_def
from .spec import Sample


@dataclass(frozen=True)
class Probe:
    """One edge-case call: the expression and why it is interesting (``"empty list"``)."""

    call: str
    why: str


@dataclass
class ProbeResult:
    """What the tool did on one probe (from the sandbox; ``got`` is a repr)."""

    call: str
    why: str
    got: str | None = None
    error: str | None = None  # "ValueError: ..." when it raised, or why it did not run

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# -- deriving probes -----------------------------------------------------------------------

_FRAMES = ("DataFrame", "Series")
_SEQUENCES = ("list", "tuple", "set")
_KNOWN = ("str", "bytes", "bool", "int", "float", *_SEQUENCES, "dict", *_FRAMES)
_ANNOTATION_KINDS = {
    "str": "str",
    "bytes": "bytes",
    "bool": "bool",
    "int": "int",
    "float": "float",
    "list": "list",
    "List": "list",
    "Sequence": "list",
    "MutableSequence": "list",
    "Iterable": "list",
    "Collection": "list",
    "tuple": "tuple",
    "Tuple": "tuple",
    "set": "set",
    "Set": "set",
    "frozenset": "set",
    "FrozenSet": "set",
    "AbstractSet": "set",
    "MutableSet": "set",
    "dict": "dict",
    "Dict": "dict",
    "Mapping": "dict",
    "MutableMapping": "dict",
    "DataFrame": "DataFrame",
    "Series": "Series",
}
_ACCENTS = str.maketrans("aeiouAEIOU", "áéíóüÁÉÍÓÜ")
_UNICODE = "Ünïcödé"


@dataclass(frozen=True)
class _Shape:
    """What a parameter takes, as far as annotations and samples tell."""

    kind: str  # one of _KNOWN, or "unknown"
    elem: _Shape | None = None  # element type of a list/tuple/set
    optional: bool = False


@dataclass(frozen=True)
class _Arg:
    """A sample argument that may be reused: a literal's value, or a plain variable name."""

    value: object = None
    var: str | None = None


@dataclass
class _Param:
    key: str  # the parameter name (or "#0", "#1"... when the def is unknown)
    positional: bool  # may be passed by position
    keyword: bool  # may be passed by keyword
    has_default: bool
    shape: _Shape | None = None
    default_none: bool = False


@dataclass
class _Slot:
    """One argument of the base call."""

    key: str
    positional: bool
    expr: ast.expr


# Kinds by Python type, most specific first (bool before int); dict counts as a scalar
# shape here: its probes never look inside it.
_SCALARS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("bool", (bool,)),
    ("int", (int,)),
    ("float", (float,)),
    ("str", (str,)),
    ("bytes", (bytes,)),
    ("dict", (dict,)),
)
_CONTAINERS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("list", (list,)),
    ("tuple", (tuple,)),
    ("set", (set, frozenset)),
)


def variable_kind(value: object) -> str:
    """The kind of a notebook variable as ``derive_probes(variables=...)`` takes it.

    Duck-typed (the core does not import pandas): ``"DataFrame"``, ``"Series"``, a
    builtin type name, or the value's type name.
    """
    try:
        if hasattr(value, "iloc") and hasattr(value, "head"):
            return "DataFrame" if hasattr(value, "columns") else "Series"
    except Exception:  # a property that raises: not a frame, whatever it is
        pass
    for kind, types in (*_SCALARS, *_CONTAINERS):
        if isinstance(value, types):
            return kind
    return type(value).__name__


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _union(members: Sequence[ast.expr]) -> _Shape | None:
    shapes = [_annotation_shape(m) for m in members]
    optional = any(s is not None and s.kind == "none" for s in shapes)
    for shape in shapes:
        if shape is not None and shape.kind != "none":
            return _Shape(shape.kind, shape.elem, optional or shape.optional)
    return _Shape("unknown", optional=True) if optional else None


def _flatten_or(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_flatten_or(node.left), *_flatten_or(node.right)]
    return [node]


def _annotation_shape(node: ast.expr | None, depth: int = 0) -> _Shape | None:
    """Read an annotation (``list[str] | None``, ``Optional[pd.DataFrame]``, ``"Series"``)."""
    if node is None or depth > 10:
        return None
    if isinstance(node, ast.Constant):
        if node.value is None:
            return _Shape("none")
        if isinstance(node.value, str):
            try:
                return _annotation_shape(ast.parse(node.value, mode="eval").body, depth + 1)
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                return None
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union(_flatten_or(node))
    if isinstance(node, ast.Subscript):
        base = _last_name(node.value)
        items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Optional" and items:
            inner = _annotation_shape(items[0], depth + 1)
            return _Shape(inner.kind, inner.elem, True) if inner else _Shape("unknown", None, True)
        if base == "Union":
            return _union(items)
        if base == "Annotated" and items:
            return _annotation_shape(items[0], depth + 1)
        kind = _ANNOTATION_KINDS.get(base or "")
        if kind in _SEQUENCES and items:
            return _Shape(kind, _annotation_shape(items[0], depth + 1))
        return _Shape(kind) if kind else None
    kind = _ANNOTATION_KINDS.get(_last_name(node) or "")
    if kind is None and isinstance(node, ast.Name) and node.id == "None":
        return _Shape("none")
    return _Shape(kind) if kind else None


def _value_shape(value: object) -> _Shape | None:
    if value is None:
        return None
    for kind, types in _SCALARS:
        if isinstance(value, types):
            return _Shape(kind)
    if isinstance(value, (list, tuple, set, frozenset)):
        kind = "set" if isinstance(value, (set, frozenset)) else type(value).__name__
        items = [item for item in value if item is not None]
        kinds = {type(item) for item in items}
        elem = _value_shape(items[0]) if len(kinds) == 1 else None
        return _Shape(kind, elem)
    return None


def _merge(annotation: _Shape | None, sample: _Shape | None, optional: bool) -> _Shape | None:
    """The annotation wins; the sample fills in what it leaves open (element types)."""
    shape = annotation
    if shape is None or shape.kind == "unknown":
        base = sample or shape
        if base is None:
            return _Shape("unknown", optional=True) if optional else None
        shape = _Shape(base.kind, base.elem, (shape.optional if shape else False) or base.optional)
    elif sample is not None and shape.kind in _SEQUENCES and sample.kind in _SEQUENCES:
        # `Sequence[str]` given a tuple: probe with tuples, typed by whichever says more.
        shape = _Shape(sample.kind, shape.elem or sample.elem, shape.optional)
    return _Shape(shape.kind, shape.elem, shape.optional or optional)


def _reusable(node: ast.expr) -> _Arg | None:
    """Only literals and plain names are reused; anything else in a sample is not copied."""
    if isinstance(node, ast.Name):
        if node.id.startswith("__") or not node.id.isidentifier():
            return None
        return _Arg(var=node.id)
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    try:
        _value_ast(value)
    except (ValueError, RecursionError):
        return None
    return _Arg(value=value)


def _value_ast(value: object, depth: int = 0) -> ast.expr:
    """An expression for a literal value, built from the value (never from sample text)."""
    if depth > 50:
        raise ValueError("too deeply nested")
    if isinstance(value, float) and math.isnan(value):
        nan: list[ast.expr] = [ast.Constant("nan")]
        return ast.Call(func=ast.Name(id="float", ctx=ast.Load()), args=nan, keywords=[])
    if value is None or value is Ellipsis or isinstance(value, (int, float, complex, str, bytes)):
        return ast.Constant(value)
    if isinstance(value, list):
        return ast.List(elts=[_value_ast(v, depth + 1) for v in value], ctx=ast.Load())
    if isinstance(value, tuple):
        return ast.Tuple(elts=[_value_ast(v, depth + 1) for v in value], ctx=ast.Load())
    if isinstance(value, (set, frozenset)):
        items = [_value_ast(v, depth + 1) for v in value]
        if not items:
            return ast.Call(func=ast.Name(id="set", ctx=ast.Load()), args=[], keywords=[])
        return ast.Set(elts=sorted(items, key=ast.unparse))
    if isinstance(value, dict):
        return ast.Dict(
            keys=[_value_ast(k, depth + 1) for k in value],
            values=[_value_ast(v, depth + 1) for v in value.values()],
        )
    raise ValueError(f"not a literal: {type(value).__name__}")


def _container(kind: str, items: Sequence[object]) -> ast.expr:
    if kind == "tuple":
        return _value_ast(tuple(items))
    if kind == "set":
        if not items:
            return _value_ast(set())
        return ast.Set(elts=[_value_ast(item) for item in items])
    return _value_ast(list(items))


def _plain(shape: _Shape | None) -> object:
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
    if kind in _SEQUENCES:
        item = _plain(shape.elem if shape else None)
        return (item,) if kind == "tuple" else [item]  # a set is built by _container
    return plain.get(kind)


def _plain_ast(shape: _Shape | None, pandas: str | None) -> ast.expr:
    if shape is not None and shape.kind in _SEQUENCES:
        return _container(shape.kind, [_plain(shape.elem)])
    if shape is not None and shape.kind in _FRAMES and pandas:
        data = _value_ast({"a": [1, 2]} if shape.kind == "DataFrame" else [1, 2])
        return ast.Call(func=_attr(pandas, shape.kind), args=[data], keywords=[])
    return _value_ast(_plain(shape))


def _attr(dotted: str, attr: str) -> ast.expr:
    node: ast.expr = ast.Name(id=dotted.split(".")[0], ctx=ast.Load())
    for part in [*dotted.split(".")[1:], attr]:
        node = ast.Attribute(value=node, attr=part, ctx=ast.Load())
    return node


def _frame_variants(var: str, kind: str | None) -> list[tuple[ast.expr, str]]:
    empty = ast.Subscript(
        value=_attr(var, "iloc"),
        slice=ast.Slice(lower=ast.Constant(0), upper=ast.Constant(0)),
        ctx=ast.Load(),
    )
    head = ast.Call(func=_attr(var, "head"), args=[ast.Constant(1)], keywords=[])
    if kind == "Series":
        return [(empty, "empty Series"), (head, "one value")]
    if kind == "DataFrame":
        return [(empty, "empty DataFrame, same columns"), (head, "one row")]
    return [(empty, "empty DataFrame, same columns")]


def _typed_variants(
    shape: _Shape, sample: object, pandas: str | None
) -> list[tuple[ast.expr, str]]:
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
    elif kind == "dict":
        out.append(({}, "empty dict"))
        if isinstance(sample, dict) and sample:
            first = next(iter(sample))
            out.append(({k: v for k, v in sample.items() if k != first}, "missing key"))
    built = [(_value_ast(value), why) for value, why in out]
    if kind in _SEQUENCES:
        items = list(sample) if isinstance(sample, (list, tuple, set, frozenset)) else []
        plain = _plain(shape.elem)
        first = items[0] if items else (1 if plain is None else plain)
        elem_is_str = (shape.elem is not None and shape.elem.kind == "str") or (
            bool(items) and all(isinstance(item, str) for item in items)
        )
        built += [
            (_container(kind, []), f"empty {kind}"),
            (_container(kind, [first]), "one element"),
            (_container(kind, [first, None] if items else [None]), f"{kind} containing None"),
        ]
        if elem_is_str:
            blank = [first, ""] if items else [""]
            built.append((_container(kind, blank), "blank string element"))
    if kind in _FRAMES and pandas:
        what = "empty DataFrame, no columns" if kind == "DataFrame" else "empty Series"
        keywords = [] if kind == "DataFrame" else [ast.keyword("dtype", ast.Name("float"))]
        built.append((ast.Call(func=_attr(pandas, kind), args=[], keywords=keywords), what))
    return built


def _variants(
    shape: _Shape | None, arg: _Arg | None, variables: Mapping[str, str] | None, pandas: str | None
) -> list[tuple[ast.expr, str]]:
    out: list[tuple[ast.expr, str]] = []
    if arg is not None and arg.var is not None:
        known = shape is not None and shape.kind != "unknown"
        kind = shape.kind if shape is not None and known else None
        if kind is None and variables is not None:
            kind = variables.get(arg.var)
            if kind not in _KNOWN:
                kind = None
            elif kind not in _FRAMES:
                shape = _Shape(kind, None, shape.optional if shape else False)
        if kind in _FRAMES or (kind is None and variables is None):
            out += _frame_variants(arg.var, kind)
        elif shape is not None and shape.kind in _KNOWN:
            out += _typed_variants(shape, None, pandas)
    elif shape is not None and shape.kind in _KNOWN:
        out += _typed_variants(shape, arg.value if arg else None, pandas)
    none = (ast.Constant(None), "None")
    if shape is not None and shape.optional:
        out.insert(min(1, len(out)), none)
    elif not out:
        out.append(none)
    return out


def _pandas_alias(tree: ast.Module) -> str | None:
    """The module-level name the code binds pandas to (``pd``), if any."""
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "pandas":
                    return alias.asname or "pandas"
    return None


def _params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[_Param]:
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    params = []
    for index, arg in enumerate(positional):
        default = args.defaults[index - first_default] if index >= first_default else None
        params.append(
            _Param(
                key=arg.arg,
                positional=True,
                keyword=index >= len(args.posonlyargs),
                has_default=default is not None,
                shape=_annotation_shape(arg.annotation),
                default_none=isinstance(default, ast.Constant) and default.value is None,
            )
        )
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(
            _Param(
                key=arg.arg,
                positional=False,
                keyword=True,
                has_default=kw_default is not None,
                shape=_annotation_shape(arg.annotation),
                default_none=isinstance(kw_default, ast.Constant) and kw_default.value is None,
            )
        )
    if params and func.args.args and params[0].key in ("self", "cls"):
        params = params[1:]
    return params


def _sample_calls(name: str, samples: Sequence[Sample]) -> list[ast.Call]:
    """Every ``name(...)`` call in the samples, in source order."""
    calls: list[ast.Call] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
            calls.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for sample in samples:
        try:
            tree = ast.parse(sample.source)
        except (SyntaxError, ValueError):
            continue
        try:
            visit(tree)
        except RecursionError:
            continue
    return calls


def _bind(call: ast.Call, params: list[_Param]) -> dict[str, tuple[bool, ast.expr]] | None:
    """Parameter key -> (passed by position, argument node); None for a call using * or **."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return None
    positional = [p for p in params if p.positional]
    bound: dict[str, tuple[bool, ast.expr]] = {}
    for index, node in enumerate(call.args):
        if index >= len(positional):
            return None  # more than the def takes (or *args): not a call to build on
        bound[positional[index].key] = (True, node)
    names = {p.key for p in params if p.keyword}
    for keyword in call.keywords:
        if keyword.arg not in names or keyword.arg in bound:
            return None
        bound[keyword.arg] = (False, keyword.value)
    return bound


def _canonical(expr: ast.expr) -> str:
    """Compare calls as Python reads them: ``f(-1)`` == ``f( -1 )``, keyword order aside."""
    tree = ast.parse(ast.unparse(expr), mode="eval")
    if isinstance(tree.body, ast.Call):
        tree.body.keywords.sort(key=lambda k: k.arg or "")
    return ast.dump(tree)


def derive_probes(
    code: str,
    name: str,
    samples: Sequence[Sample],
    *,
    limit: int = 8,
    variables: Mapping[str, str] | None = None,
) -> list[Probe]:
    """Edge-case calls of ``name``: one parameter varied at a time, the rest as sampled.

    Types come from the annotations of ``def name`` in ``code`` and from the
    literal arguments of the sample calls; a sample argument that is a plain name
    is a notebook variable. ``variables`` (name -> :func:`variable_kind`) tells what
    those variables hold; without it an unannotated one is probed as if it were a
    DataFrame (the sandbox reports an error if it is not). Only literal values and
    plain names from the samples are reused, rebuilt from their values: any other
    sample text never reaches a probe. Never a sample call; at most ``limit``.
    """
    if limit <= 0 or not name.isidentifier():
        return []
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        tree = ast.Module(body=[], type_ignores=[])
    pandas = _pandas_alias(tree)
    func = function_def(tree, name)
    calls = _sample_calls(name, samples)
    if func is not None:
        params = _params(func)
    else:  # no def to read: take the parameters from the first sample call
        first = next((c for c in calls if _bind(c, _call_params(c)) is not None), None)
        params = _call_params(first) if first is not None else []
    if not params:
        return []
    bindings = [b for b in (_bind(c, params) for c in calls) if b is not None]
    # The first reusable argument of each parameter across the sample calls.
    seen_arg: dict[str, _Arg] = {}
    for bound in bindings:
        for key, (_, node) in bound.items():
            if key not in seen_arg:
                arg = _reusable(node)
                if arg is not None:
                    seen_arg[key] = arg
    shapes: dict[str, _Shape | None] = {}
    for param in params:
        arg = seen_arg.get(param.key)
        from_sample = _value_shape(arg.value) if arg is not None and arg.var is None else None
        shapes[param.key] = _merge(param.shape, from_sample, param.default_none)
    # The base call: the first sample call's arguments, or plain defaults.
    first_bound = bindings[0] if bindings else None
    slots: list[_Slot] = []
    for param in params:
        if first_bound is not None:
            if param.key not in first_bound:
                continue
            by_position = first_bound[param.key][0]
        elif param.has_default:
            continue
        else:
            by_position = param.positional
        arg = seen_arg.get(param.key)
        if arg is None:
            expr = _plain_ast(shapes[param.key], pandas)
        elif arg.var is not None:
            expr = ast.Name(id=arg.var, ctx=ast.Load())
        else:
            expr = _value_ast(arg.value)
        slots.append(_Slot(param.key, by_position, expr))
    in_base = {slot.key for slot in slots}
    primary: list[list[tuple[ast.expr, str, str]]] = []
    secondary: list[list[tuple[ast.expr, str, str]]] = []
    for param in params:
        if param.key not in in_base and not param.keyword:
            continue  # a positional-only parameter after the passed ones: cannot vary alone
        found = _variants(shapes[param.key], seen_arg.get(param.key), variables, pandas)
        group = primary if param.key in in_base else secondary
        group.append([(expr, why, param.key) for expr, why in found])
    # The base call is no edge case (with samples, it is the first sample call), unless
    # it passes None for want of anything better: then that is the "None" probe.
    base = _canonical(_build(name, slots, "", ast.Constant(None), vary=False))
    taken: set[str] = set()
    for call in calls:
        try:
            taken.add(_canonical(call))
        except (SyntaxError, ValueError, RecursionError):
            continue
    probes: list[Probe] = []
    for group in (primary, secondary):
        queues = [list(variants) for variants in group]
        while any(queues) and len(probes) < limit:
            for queue in queues:
                while queue and len(probes) < limit:
                    expr, why, key = queue.pop(0)
                    call = _build(name, slots, key, expr)
                    canonical = _canonical(call)
                    if canonical in taken or (canonical == base and why != "None"):
                        continue
                    taken.add(canonical)
                    probes.append(Probe(call=ast.unparse(call), why=why))
                    break
    return probes


def _call_params(call: ast.Call) -> list[_Param]:
    """Parameters as a call without a def shows them: positions, then keywords."""
    params = [
        _Param(key=f"#{index}", positional=True, keyword=False, has_default=False)
        for index, _ in enumerate(call.args)
    ]
    params += [
        _Param(key=k.arg, positional=False, keyword=True, has_default=False)
        for k in call.keywords
        if k.arg is not None
    ]
    return params


def _build(
    name: str, slots: Sequence[_Slot], key: str, expr: ast.expr, *, vary: bool = True
) -> ast.Call:
    """The base call with parameter ``key`` set to ``expr`` (``vary=False``: the base call)."""
    args: list[ast.expr] = []
    keywords: list[ast.keyword] = []
    replaced = False
    for slot in slots:
        value = expr if slot.key == key else slot.expr
        replaced = replaced or slot.key == key
        if slot.positional:
            args.append(value)
        else:
            keywords.append(ast.keyword(arg=slot.key, value=value))
    if vary and not replaced:
        keywords.append(ast.keyword(arg=key, value=expr))
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=args, keywords=keywords)
