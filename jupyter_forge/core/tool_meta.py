"""Is a tool notebook's ``jupyter_forge`` metadata well formed? One place decides.

Why: a notebook is data anyone can edit or share, so every field is hostile until
checked. Every reader (the library, the catalog and search, import, the server's
history view) asks :func:`notebook_problem` first and skips a notebook that fails,
naming the field, instead of letting ``int("NaN")`` or a list where a dict belongs
end a command in a traceback. Typed checks rather than a JSON schema: no import
cost on the hot ``list`` path, and one readable message per field.
"""

from __future__ import annotations

from typing import Any

from .errors import SpecError
from .spec import check_tool_name

MAX_VERSION = 1_000_000  # far beyond any real history, small enough for every formatter
MAX_NAME = 100  # characters of a tool name: it is printed in every listing
MAX_ITEMS = 10_000  # samples, findings, history entries...
MAX_DEPTH = 32  # nesting of the free-form objects (schema, validation, approved)
_TEXT_FIELDS = ("description", "signature", "request", "model", "model_id", "created", "updated")
_OBJECT_FIELDS = ("schema", "validation", "approved", "deprecated")
_LIST_FIELDS = ("requirements", "findings", "depends")
_SAMPLE_KINDS = ("example", "assert", "code")


class _Bad(Exception):
    """A field is wrong; the message names it."""


def _kind(value: object) -> str:
    """The JSON name of a value's type (a NotebookNode is an object, not a class name)."""
    if value is None:
        return "null"
    for kind, name in ((bool, "true/false"), (int, "a number"), (float, "a number")):
        if isinstance(value, kind):
            return name
    return (
        "text" if isinstance(value, str) else "a list" if isinstance(value, list) else "an object"
    )


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _Bad(f"`{where}` is {_kind(value)}, not text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Bad(f"`{where}` is not valid Unicode (a lone surrogate)") from None
    return value


def _whole(value: object, where: str, low: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"`{where}` is {_kind(value)}, not a whole number")
    if not low <= value <= MAX_VERSION:
        raise _Bad(f"`{where}` is out of range ({low}..{MAX_VERSION})")


def _items(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Bad(f"`{where}` is {_kind(value)}, not a list")
    if len(value) > MAX_ITEMS:
        raise _Bad(f"`{where}` has more than {MAX_ITEMS} items")
    return value


def _object(value: object, where: str) -> dict[str, Any] | None:
    """A free-form JSON object (or null), shallow enough for every consumer."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Bad(f"`{where}` is {_kind(value)}, not an object")
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _Bad(f"`{where}` is nested deeper than {MAX_DEPTH} levels")
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        if isinstance(node, dict) and not all(isinstance(k, str) for k in node):
            raise _Bad(f"`{where}` has a key that is not text")
        if isinstance(node, str):
            _text(node, where)
        stack.extend((child, depth + 1) for child in children)
    return value


def _samples(value: object, where: str) -> None:
    for i, sample in enumerate(_items(value, where)):
        at = f"{where}[{i}]"
        if not isinstance(sample, dict):
            raise _Bad(f"`{at}` is {_kind(sample)}, not an object")
        _text(sample.get("source"), f"{at}.source")
        if sample.get("kind") not in (None, *_SAMPLE_KINDS):
            raise _Bad(f"`{at}.kind` is not one of {', '.join(_SAMPLE_KINDS)}")
        for key in ("expected", "origin"):
            if sample.get(key) is not None:
                _text(sample[key], f"{at}.{key}")


def _validation(value: object, where: str) -> None:
    validation = _object(value, where)
    if validation is not None and not isinstance(validation.get("passed", False), bool):
        raise _Bad(f"`{where}.passed` is not true or false")


def _schema(value: object) -> None:
    """The OpenAI-format function schema: readers index ``["function"]`` directly."""
    schema = _object(value, "schema")
    if schema is None:
        return
    function = schema.get("function")
    if not isinstance(function, dict):
        raise _Bad("`schema.function` is not an object")
    for key in ("name", "description"):
        if function.get(key) is not None:
            _text(function[key], f"schema.function.{key}")
    if function.get("parameters") is not None:
        _object(function["parameters"], "schema.function.parameters")


def _history_entry(entry: object, where: str) -> None:
    if not isinstance(entry, dict):
        raise _Bad(f"`{where}` is {_kind(entry)}, not an object")
    _whole(entry.get("version"), f"{where}.version")
    _text(entry.get("code"), f"{where}.code")
    for key in ("request", "model", "updated", "note"):
        if entry.get(key) is not None:
            _text(entry[key], f"{where}.{key}")
    if entry.get("samples") is not None:
        _samples(entry["samples"], f"{where}.samples")
    _validation(entry.get("validation"), f"{where}.validation")
    _object(entry.get("approved"), f"{where}.approved")
    for key in ("reviewed", "validation_passed"):
        if entry.get(key) is not None and not isinstance(entry[key], bool):
            raise _Bad(f"`{where}.{key}` is not true or false")


def _check(meta: dict[str, Any]) -> None:
    if "name" in meta:
        try:
            if len(check_tool_name(_text(meta["name"], "name"), allow_builtin=True)) > MAX_NAME:
                raise _Bad(f"`name` is longer than {MAX_NAME} characters")
        except SpecError:
            raise _Bad("`name` is not a valid tool name") from None
    if "version" in meta:
        _whole(meta["version"], "version")
    if "format" in meta:
        _whole(meta["format"], "format")
    for key in _TEXT_FIELDS:
        if key in meta:
            _text(meta[key], key)
    for key in _OBJECT_FIELDS:
        _object(meta.get(key), key)
    _validation(meta.get("validation"), "validation")
    _schema(meta.get("schema"))
    deprecated = meta.get("deprecated")
    if isinstance(deprecated, dict) and deprecated.get("reason") is not None:
        _text(deprecated["reason"], "deprecated.reason")
    for key in _LIST_FIELDS:
        for i, item in enumerate(_items(meta.get(key, []), key)):
            _text(item, f"{key}[{i}]")
    _samples(meta.get("samples", []), "samples")
    for i, entry in enumerate(_items(meta.get("history", []), "history")):
        _history_entry(entry, f"history[{i}]")


def metadata_problem(meta: object) -> str | None:
    """What is wrong with a ``jupyter_forge`` metadata object, naming the field (None: fine)."""
    if not isinstance(meta, dict):
        return f"`jupyter_forge` is {_kind(meta)}, not an object"
    try:
        _check(meta)
    except _Bad as exc:
        return f"bad jupyter_forge metadata: {exc}"
    return None


def notebook_problem(notebook: object) -> str | None:
    """:func:`metadata_problem` for a whole notebook (parsed JSON or a NotebookNode)."""
    if not isinstance(notebook, dict):
        return "not a notebook (top level is not an object)"
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict) or "jupyter_forge" not in metadata:
        return "not a jupyter_forge tool notebook (no jupyter_forge metadata)"
    return metadata_problem(metadata["jupyter_forge"])
