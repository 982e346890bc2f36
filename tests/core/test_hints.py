"""Type hints written from the types the samples saw (core/hints.py).

Why: the observations come from the sandbox worker, i.e. from untrusted code, and
the result is written into code a person approves; the grammar, the merging and
the text edit are each pinned here.
"""

from __future__ import annotations

import pytest

from jupyter_forge.core.hints import (
    add_hints,
    default_types,
    infer,
    merge_observations,
    missing_hints,
    parse_type,
    render,
)


@pytest.mark.parametrize(
    "text",
    [
        "int",
        "list[int | str]",
        "dict[str, list[float]]",
        "tuple[int, str]",
        "tuple[int, ...]",
        "set[bytes] | None",
        "tuple[()]",
    ],
)
def test_builtin_types_round_trip(text: str) -> None:
    assert render(parse_type(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "?",
        "__import__('os').system('x')",
        "os.PathLike",
        "list[int](1)",
        "int; import os",
        "MyClass",
        "list[int, str]",
        "Callable[[int], int]",
        "lambda: 1",
    ],
)
def test_anything_off_the_grammar_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_type(text)


def test_observations_merge_into_one_hint_per_name() -> None:
    calls = [
        "lst=list[int];k=int;return=int",
        "lst=list[float];k=bool;return=None",
        "lst=list;return=int",  # an empty list says nothing about its items
    ]
    assert merge_observations(calls) == {"lst": "list[float]", "k": "int", "return": "int | None"}


def test_tuples_and_dicts_merge_item_by_item() -> None:
    calls = [
        "t=tuple[int, str];d=dict[str, int];return=tuple[int, int]",
        "t=tuple[int, bytes];d=dict;return=tuple[int, int, int]",
    ]
    assert merge_observations(calls) == {
        "t": "tuple[int, bytes | str]",
        "d": "dict[str, int]",
        "return": "tuple[int, ...]",
    }


def test_a_name_with_an_unreadable_observation_gets_no_hint() -> None:
    calls = ["x=int;y=int;return=int", "x=?;y=__import__('os');return=int"]
    assert merge_observations(calls) == {"return": "int"}


def test_too_many_alternatives_is_no_hint() -> None:
    assert merge_observations(["v=int", "v=str", "v=bytes", "v=list[int]"]) == {}
    assert merge_observations(["v=int", "v=str", "v=None"]) == {"v": "int | str | None"}


def test_hints_go_where_they_are_missing_and_nowhere_else() -> None:
    code = (
        "import math\n\n\n"
        "def search(lst, k=3, *, flag = False, name: str = 'x'):  # keep this comment\n"
        '    """Find things."""\n'
        "    return None\n"
    )
    hinted = add_hints(
        code,
        "search",
        {"lst": "list[int]", "k": "int", "flag": "bool", "name": "int", "return": "int | None"},
    )
    assert hinted == (
        "import math\n\n\n"
        "def search(lst: list[int], k: int = 3, *, flag: bool = False, name: str = 'x') "
        "-> int | None:  # keep this comment\n"
        '    """Find things."""\n'
        "    return None\n"
    )
    assert missing_hints(hinted, "search") == ([], False)


def test_multi_line_signatures_and_non_ascii_names() -> None:
    code = "def größe(\n    wörter,\n    n: int,\n):\n    return len(wörter) * n\n"
    assert add_hints(code, "größe", {"wörter": "list[str]", "return": "int"}) == (
        "def größe(\n    wörter: list[str],\n    n: int,\n) -> int:\n    return len(wörter) * n\n"
    )


def test_an_existing_return_hint_and_default_parentheses_are_left_alone() -> None:
    code = "def f(x=(1, 2)) -> tuple[int, int]:\n    return x\n"
    assert add_hints(code, "f", {"x": "tuple[int, int]", "return": "list"}) == (
        "def f(x: tuple[int, int] = (1, 2)) -> tuple[int, int]:\n    return x\n"
    )


def test_infer_is_none_when_nothing_is_missing_or_nothing_was_seen() -> None:
    typed = "def f(x: int) -> int:\n    return x\n"
    assert infer(typed, "f", ["x=int;return=int"]) is None
    untyped = "def f(x):\n    return x\n"
    assert infer(untyped, "f", []) is None
    assert infer(untyped, "g", ["x=int;return=int"]) is None  # another function
    assert infer(untyped, "f", ["x=int;return=int"]) == "def f(x: int) -> int:\n    return x\n"


def test_a_literal_default_gives_its_parameter_a_hint() -> None:
    # Samples rarely pass the optional arguments: the default is the only evidence.
    code = (
        "def flat(d: dict, sep='.', *, depth=2, strict=False, name=None) -> dict:\n    return d\n"
    )
    assert infer(code, "flat", []) == (
        "def flat(d: dict, sep: str = '.', *, depth: int = 2, strict: bool = False, name=None)"
        " -> dict:\n    return d\n"
    )


def test_a_hint_covers_both_the_calls_and_the_default() -> None:
    code = "def scale(x, k=0.5):\n    return x * k\n"
    assert infer(code, "scale", ["x=int;k=int;return=float"]) == (
        "def scale(x: int, k: float = 0.5) -> float:\n    return x * k\n"
    )
    assert infer(code, "scale", ["x=int;k=str;return=str"]) == (
        "def scale(x: int, k: float | str = 0.5) -> str:\n    return x * k\n"
    )


def test_computed_and_none_defaults_say_nothing() -> None:
    code = "def f(a=None, b=len('x'), c=-1, d=(1, 2)):\n    return a\n"
    assert default_types(code, "f") == {}
    assert infer(code, "f", []) is None
