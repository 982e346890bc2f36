"""One answer to "which def NAME does this code mean": the last, as Python binds it."""

from __future__ import annotations

import ast

from jupyter_forge.core.compose import docstring
from jupyter_forge.core.defs import bound_names, function_def, parse_quietly
from jupyter_forge.core.schema import function_schema, signature_text
from jupyter_forge.core.tool_view import call_params

TWICE = (
    'def f(a):\n    """First."""\n    return a\n\n'
    'def f(a: int, b: int = 2, *, c: int) -> int:\n    """Second."""\n    return a + b + c\n'
)


def test_the_last_definition_is_the_one_the_module_binds() -> None:
    node = function_def(TWICE, "f")
    assert node is not None and ast.get_docstring(node) == "Second."
    namespace: dict[str, object] = {}
    exec(TWICE, namespace)
    assert namespace["f"].__doc__ == "Second."  # type: ignore[attr-defined]


def test_every_reader_describes_the_function_the_kernel_will_run() -> None:
    assert signature_text(TWICE, "f") == "f(a: int, b: int=2, *, c: int) -> int"
    assert docstring(TWICE, "f") == "Second."
    assert function_schema(TWICE, "f")["function"]["description"] == "Second."
    assert call_params(TWICE, "f") == ["a", "c=c"]


def test_absent_or_unparsable_is_none() -> None:
    assert function_def("def g():\n    pass\n", "f") is None
    assert function_def("def f(:", "f") is None
    assert parse_quietly("(" * 200_000) is None  # too deep: no crash
    assert function_def("async def f():\n    pass\n", "f") is not None


def test_the_names_each_top_level_statement_binds() -> None:
    code = (
        "import os.path\n"
        "from math import sqrt as root, pi\n"
        "def f(): pass\n"
        "class C: pass\n"
        "A, (B, C2) = 1, (2, 3)\n"
        "LIMIT: int = 3\n"
        "print(f)\n"
    )
    tree = ast.parse(code)
    assert [bound_names(node) for node in tree.body] == [
        {"os"},
        {"root", "pi"},
        {"f"},
        {"C"},
        {"A", "B", "C2"},
        {"LIMIT"},
        set(),
    ]
