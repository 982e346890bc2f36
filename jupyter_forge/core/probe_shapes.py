"""What a parameter takes, read from its annotation or from a sample's literal.

Why apart from :mod:`.probes`: reading ``list[str] | None`` or ``Optional[pd.DataFrame]``
is its own small grammar; the probes only need the answer (:class:`Shape`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

FRAMES = ("DataFrame", "Series")
SEQUENCES = ("list", "tuple", "set")
KNOWN = ("str", "bytes", "bool", "int", "float", *SEQUENCES, "dict", *FRAMES)
ANNOTATION_KINDS = {
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


@dataclass(frozen=True)
class Shape:
    """What a parameter takes, as far as annotations and samples tell."""

    kind: str  # one of KNOWN, or "unknown"
    elem: Shape | None = None  # element type of a list/tuple/set
    optional: bool = False


# Kinds by Python type, most specific first (bool before int); dict counts as a scalar
# shape here: its probes never look inside it.
SCALARS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("bool", (bool,)),
    ("int", (int,)),
    ("float", (float,)),
    ("str", (str,)),
    ("bytes", (bytes,)),
    ("dict", (dict,)),
)
CONTAINERS: tuple[tuple[str, tuple[type, ...]], ...] = (
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
    for kind, types in (*SCALARS, *CONTAINERS):
        if isinstance(value, types):
            return kind
    return type(value).__name__


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _union(members: Sequence[ast.expr]) -> Shape | None:
    shapes = [annotation_shape(m) for m in members]
    optional = any(s is not None and s.kind == "none" for s in shapes)
    for shape in shapes:
        if shape is not None and shape.kind != "none":
            return Shape(shape.kind, shape.elem, optional or shape.optional)
    return Shape("unknown", optional=True) if optional else None


def _flatten_or(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_flatten_or(node.left), *_flatten_or(node.right)]
    return [node]


def annotation_shape(node: ast.expr | None, depth: int = 0) -> Shape | None:
    """Read an annotation (``list[str] | None``, ``Optional[pd.DataFrame]``, ``"Series"``)."""
    if node is None or depth > 10:
        return None
    if isinstance(node, ast.Constant):
        if node.value is None:
            return Shape("none")
        if isinstance(node.value, str):
            try:
                return annotation_shape(ast.parse(node.value, mode="eval").body, depth + 1)
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                return None
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union(_flatten_or(node))
    if isinstance(node, ast.Subscript):
        base = _last_name(node.value)
        items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Optional" and items:
            inner = annotation_shape(items[0], depth + 1)
            return Shape(inner.kind, inner.elem, True) if inner else Shape("unknown", None, True)
        if base == "Union":
            return _union(items)
        if base == "Annotated" and items:
            return annotation_shape(items[0], depth + 1)
        kind = ANNOTATION_KINDS.get(base or "")
        if kind in SEQUENCES and items:
            return Shape(kind, annotation_shape(items[0], depth + 1))
        return Shape(kind) if kind else None
    kind = ANNOTATION_KINDS.get(_last_name(node) or "")
    if kind is None and isinstance(node, ast.Name) and node.id == "None":
        return Shape("none")
    return Shape(kind) if kind else None


def value_shape(value: object) -> Shape | None:
    if value is None:
        return None
    for kind, types in SCALARS:
        if isinstance(value, types):
            return Shape(kind)
    if isinstance(value, (list, tuple, set, frozenset)):
        kind = "set" if isinstance(value, (set, frozenset)) else type(value).__name__
        items = [item for item in value if item is not None]
        kinds = {type(item) for item in items}
        elem = value_shape(items[0]) if len(kinds) == 1 else None
        return Shape(kind, elem)
    return None


def merge_shapes(annotation: Shape | None, sample: Shape | None, optional: bool) -> Shape | None:
    """The annotation wins; the sample fills in what it leaves open (element types)."""
    shape = annotation
    if shape is None or shape.kind == "unknown":
        base = sample or shape
        if base is None:
            return Shape("unknown", optional=True) if optional else None
        shape = Shape(base.kind, base.elem, (shape.optional if shape else False) or base.optional)
    elif sample is not None and shape.kind in SEQUENCES and sample.kind in SEQUENCES:
        # `Sequence[str]` given a tuple: probe with tuples, typed by whichever says more.
        shape = Shape(sample.kind, shape.elem or sample.elem, shape.optional)
    return Shape(shape.kind, shape.elem, shape.optional or optional)
