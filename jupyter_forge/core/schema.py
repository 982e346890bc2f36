"""Function-calling JSON schema (OpenAI/litellm ``tools`` format) from source.

Built from the AST, never by importing or running the code, so a schema exists
for a tool before anyone approved it.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from .defs import function_def

_SIMPLE: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "complex": {"type": "string"},
    "str": {"type": "string"},
    "bool": {"type": "boolean"},
    "bytes": {"type": "string"},
    "None": {"type": "null"},
    "NoneType": {"type": "null"},
    "list": {"type": "array"},
    "List": {"type": "array"},
    "Sequence": {"type": "array"},
    "Iterable": {"type": "array"},
    "tuple": {"type": "array"},
    "Tuple": {"type": "array"},
    "set": {"type": "array", "uniqueItems": True},
    "Set": {"type": "array", "uniqueItems": True},
    "frozenset": {"type": "array", "uniqueItems": True},
    "dict": {"type": "object"},
    "Dict": {"type": "object"},
    "Mapping": {"type": "object"},
}
_ARG_LINE = re.compile(r"^\s*(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def _annotation_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def annotation_schema(node: ast.expr | None) -> dict[str, Any]:
    """JSON schema for a type annotation; unknown types become ``{}`` (anything)."""
    if node is None:
        return {}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return annotation_schema(ast.parse(node.value, mode="eval").body)
        except (SyntaxError, ValueError, MemoryError, RecursionError):  # hostile text
            return {}
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([node.left, node.right])
    if isinstance(node, ast.Subscript):
        outer = _annotation_name(node.value)
        inner = node.slice
        args = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if outer == "Optional":
            return _union([args[0], ast.Constant(value=None)])
        if outer == "Union":
            return _union(args)
        if outer == "Literal":
            values = [a.value for a in args if isinstance(a, ast.Constant)]
            return {"enum": values}
        if outer in ("list", "List", "Sequence", "Iterable", "set", "Set", "frozenset"):
            schema = dict(_SIMPLE.get(outer, {"type": "array"}))
            schema["items"] = annotation_schema(args[0])
            return schema
        if outer in ("tuple", "Tuple"):
            if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
                return {"type": "array", "items": annotation_schema(args[0])}
            return {"type": "array", "prefixItems": [annotation_schema(a) for a in args]}
        if outer in ("dict", "Dict", "Mapping") and len(args) == 2:
            return {"type": "object", "additionalProperties": annotation_schema(args[1])}
        return dict(_SIMPLE.get(outer, {}))
    return dict(_SIMPLE.get(_annotation_name(node), {}))


def _union(members: list[ast.expr]) -> dict[str, Any]:
    flat: list[ast.expr] = []
    for member in members:
        if isinstance(member, ast.BinOp) and isinstance(member.op, ast.BitOr):
            flat.extend([member.left, member.right])
        else:
            flat.append(member)
    schemas = [annotation_schema(m) for m in flat]
    if any(not s for s in schemas):
        return {}
    return {"anyOf": schemas}


def _docstring_parts(doc: str) -> tuple[str, dict[str, str]]:
    """Summary paragraph and per-argument descriptions (Google or Sphinx style)."""
    lines = doc.strip().split("\n")
    summary: list[str] = []
    for line in lines:
        if not line.strip():
            break
        summary.append(line.strip())
    params: dict[str, str] = {}
    in_args = False
    arg_indent: int | None = None
    for line in lines:
        stripped = line.strip()
        sphinx = re.match(r":param\s+(?:\w+\s+)?(\w+):\s*(.*)", stripped)
        if sphinx:
            params[sphinx.group(1)] = sphinx.group(2)
            continue
        if stripped.lower() in ("args:", "arguments:", "parameters:", "params:"):
            in_args = True
            arg_indent = None
            continue
        if in_args:
            if not stripped or (stripped.endswith(":") and " " not in stripped):
                in_args = False  # a blank line or the next section ends Args
                continue
            indent = len(line) - len(line.lstrip())
            if arg_indent is None:
                arg_indent = indent
            match = _ARG_LINE.match(line)
            if match and indent <= arg_indent:  # deeper lines continue a description
                params[match.group(1).lstrip("*")] = match.group(2).strip()
    return " ".join(summary), params


def function_schema(code: str, name: str) -> dict[str, Any]:
    """The ``tools`` entry for function ``name`` defined in ``code``."""
    func = function_def(ast.parse(code), name)
    if func is None:
        raise ValueError(f"no function named {name!r} in the code")
    summary, arg_docs = _docstring_parts(ast.get_docstring(func) or "")
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults_start = len(positional) - len(args.defaults)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for index, arg in enumerate(positional):
        if arg.arg in ("self", "cls"):
            continue
        prop = annotation_schema(arg.annotation)
        if arg.arg in arg_docs:
            prop["description"] = arg_docs[arg.arg]
        properties[arg.arg] = prop
        if index < defaults_start:
            required.append(arg.arg)
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=False):
        prop = annotation_schema(arg.annotation)
        if arg.arg in arg_docs:
            prop["description"] = arg_docs[arg.arg]
        properties[arg.arg] = prop
        if default is None:
            required.append(arg.arg)
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": summary,
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


def signature_text(code: str, name: str) -> str:
    """``name(a: int, b: str = 'x') -> float`` as written in the source."""
    node = function_def(ast.parse(code), name)
    if node is None:
        return f"{name}(...)"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"{name}({ast.unparse(node.args)}){returns}"
