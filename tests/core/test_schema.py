"""Function-calling schemas from source, built from the AST without running anything."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from jupyter_forge.core.schema import annotation_schema, function_schema, signature_text


def ann(text: str) -> dict[str, Any]:
    return annotation_schema(ast.parse(text, mode="eval").body)


def params(code: str, name: str = "f") -> dict[str, Any]:
    schema = function_schema(code, name)
    parameters: dict[str, Any] = schema["function"]["parameters"]
    return parameters


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        ("int", {"type": "integer"}),
        ("float", {"type": "number"}),
        ("str", {"type": "string"}),
        ("bool", {"type": "boolean"}),
        ("None", {"type": "null"}),
        ("list", {"type": "array"}),
        ("dict", {"type": "object"}),
        ("list[int]", {"type": "array", "items": {"type": "integer"}}),
        ("typing.List[str]", {"type": "array", "items": {"type": "string"}}),
        ("set[str]", {"type": "array", "uniqueItems": True, "items": {"type": "string"}}),
        ("dict[str, float]", {"type": "object", "additionalProperties": {"type": "number"}}),
        ("Optional[int]", {"anyOf": [{"type": "integer"}, {"type": "null"}]}),
        ("typing.Optional[str]", {"anyOf": [{"type": "string"}, {"type": "null"}]}),
        ("Union[int, str]", {"anyOf": [{"type": "integer"}, {"type": "string"}]}),
        (
            "int | str | None",
            {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]},
        ),
        ("'list[int]'", {"type": "array", "items": {"type": "integer"}}),  # string annotation
        ("Literal['a', 'b', 3]", {"enum": ["a", "b", 3]}),
        ("tuple[int, ...]", {"type": "array", "items": {"type": "integer"}}),
        (
            "tuple[int, str]",
            {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]},
        ),
        (
            "list[dict[str, int]]",
            {
                "type": "array",
                "items": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        ),
        ("pd.DataFrame", {}),  # unknown: anything
        ("Optional[pd.DataFrame]", {}),  # a union with "anything" is anything
        ("'not valid('", {}),
    ],
)
def test_annotation_schemas(annotation: str, schema: dict[str, Any]) -> None:
    assert ann(annotation) == schema


def test_full_function_schema_with_google_docstring() -> None:
    code = '''
from typing import Literal, Optional, Union

def convert(
    amount: float,
    currency: Literal["EUR", "USD"],
    rates: dict[str, float],
    note: Optional[str] = None,
    *,
    rounding: int = 2,
    tags: list[int],
) -> Union[float, None]:
    """Convert an amount between currencies.

    Uses the given rate table.

    Args:
        amount: how much money
        currency (str): target currency code
        rates: table of rates,
            keyed by code: "EUR" and so on
        note: free text
        rounding: decimals to keep

    Returns:
        float: the converted amount
    """
    return amount
'''
    schema = function_schema(code, "convert")
    assert schema["type"] == "function"
    function = schema["function"]
    assert function["name"] == "convert"
    assert function["description"] == "Convert an amount between currencies."
    p = function["parameters"]
    assert p["type"] == "object"
    assert p["properties"] == {
        "amount": {"type": "number", "description": "how much money"},
        "currency": {"enum": ["EUR", "USD"], "description": "target currency code"},
        "rates": {
            "type": "object",
            "additionalProperties": {"type": "number"},
            "description": "table of rates,",
        },
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "free text"},
        "rounding": {"type": "integer", "description": "decimals to keep"},
        "tags": {"type": "array", "items": {"type": "integer"}},
    }
    # Defaults make parameters optional; a keyword-only one without default is required.
    assert p["required"] == ["amount", "currency", "rates", "tags"]


def test_continuation_line_with_colon_is_not_a_parameter() -> None:
    code = '''
def f(a: int, b: int) -> int:
    """Sum.

    Args:
        a: first value, see
            b: this line only continues a's description
        b: second value
    """
'''
    # The real `b` comes after the indented continuation; the continuation must not win
    # even if the order were reversed.
    reversed_code = code.replace(
        "        a: first value, see\n            b: this line only continues a's description\n"
        "        b: second value\n",
        "        b: second value\n        a: first value, see\n"
        "            b: this line only continues a's description\n",
    )
    for source in (code, reversed_code):
        props = params(source)["properties"]
        assert props["b"]["description"] == "second value"
        assert props["a"]["description"] == "first value, see"


def test_sphinx_docstring_descriptions() -> None:
    code = '''
def g(x: int, y: str = "a") -> str:
    """Repeat a string.

    :param x: how many times
    :param str y: the text
    :returns: the repeated text
    """
    return y * x
'''
    schema = function_schema(code, "g")
    assert schema["function"]["description"] == "Repeat a string."
    props = schema["function"]["parameters"]["properties"]
    assert props == {
        "x": {"type": "integer", "description": "how many times"},
        "y": {"type": "string", "description": "the text"},
    }
    assert schema["function"]["parameters"]["required"] == ["x"]


def test_no_docstring_and_no_hints() -> None:
    schema = function_schema("def f(a, b=1):\n    return a\n", "f")
    assert schema["function"]["description"] == ""
    assert schema["function"]["parameters"] == {
        "type": "object",
        "properties": {"a": {}, "b": {}},
        "required": ["a"],
    }


def test_positional_only_and_self_skipped() -> None:
    code = "def f(self, a: int, /, b: str = 'x') -> None:\n    '''Doc.'''\n"
    p = params(code)
    assert list(p["properties"]) == ["a", "b"]
    assert p["required"] == ["a"]


def test_last_definition_wins_and_async_is_allowed() -> None:
    code = "def f(a: int) -> int: ...\nasync def f(b: str) -> str:\n    '''Second.'''\n"
    schema = function_schema(code, "f")
    assert list(schema["function"]["parameters"]["properties"]) == ["b"]
    assert schema["function"]["description"] == "Second."


def test_never_executes_the_code(tmp_path: Any) -> None:
    marker = tmp_path / "ran"
    code = (
        f"open({str(marker)!r}, 'w').write('x')\n"
        "raise SystemExit('module-level code must not run')\n"
        "def f(a: int) -> int:\n"
        "    '''Fine.'''\n"
        "    return a\n"
    )
    schema = function_schema(code, "f")
    assert schema["function"]["parameters"]["properties"] == {"a": {"type": "integer"}}
    assert signature_text(code, "f") == "f(a: int) -> int"
    assert not marker.exists()


def test_missing_function_raises_value_error() -> None:
    with pytest.raises(ValueError, match="no function named 'g'"):
        function_schema("def f() -> None: ...\n", "g")


def test_nested_function_is_not_found() -> None:
    with pytest.raises(ValueError):
        function_schema("def outer() -> None:\n    def f(a: int) -> int: ...\n", "f")


def test_signature_text() -> None:
    code = (
        "def f(a: int, b: str = 'x', *args: int, c: bool = False, **kw: str) -> float:\n    ...\n"
    )
    assert signature_text(code, "f") == (
        "f(a: int, b: str='x', *args: int, c: bool=False, **kw: str) -> float"
    )
    assert signature_text("def f(a):\n    pass\n", "f") == "f(a)"
    assert signature_text("def f(a):\n    pass\n", "g") == "g(...)"


def test_a_string_annotation_nested_too_deeply_is_not_a_crash() -> None:
    # A model answer passes its samples with this (string annotations are never evaluated);
    # reading it on the host must not raise MemoryError/RecursionError.
    code = f'def add(a: "{"-" * 200_000}1", b: int) -> int:\n    """Add."""\n    return a + b\n'
    schema = function_schema(code, "add")
    assert schema["function"]["name"] == "add"
