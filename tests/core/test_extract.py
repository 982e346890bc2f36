"""Extraction: keep imports, defs and UPPER_CASE constants from a model's reply; report the rest."""

from __future__ import annotations

import ast

from jupyter_forge.core.extract import extract_function

GOOD_BODY = 'def f(x: int) -> int:\n    """Double ``x``."""\n    return x * 2\n'


def fenced(body: str, lang: str = "python") -> str:
    return f"```{lang}\n{body}```"


def top_level(code: str) -> list[str]:
    """The kinds/names of the top-level statements in ``code``."""
    out = []
    for node in ast.parse(code).body:
        name = getattr(node, "name", None)
        out.append(f"{type(node).__name__}:{name}" if name else type(node).__name__)
    return out


def test_clean_reply() -> None:
    result = extract_function(fenced(GOOD_BODY), "f")
    assert result.ok
    assert result.code == GOOD_BODY
    assert result.problems == []
    assert result.dropped == []
    assert result.functions == ["f"]


def test_prose_around_code_and_example_calls_are_dropped() -> None:
    reply = (
        "Sure! Here is the function you asked for:\n\n"
        "```python\n"
        "import re\n\n"
        "def f(x: int) -> int:\n"
        '    """Double ``x``."""\n'
        "    return x * 2\n\n"
        "print(f(2))\n"
        "result = f(3)\n"
        "f(4)\n"
        "```\n\n"
        "This doubles the number. Let me know if you need anything else!"
    )
    result = extract_function(reply, "f")
    assert result.ok
    assert result.code is not None
    assert top_level(result.code) == ["Import", "FunctionDef:f"]
    assert "print" not in result.code
    assert "result" not in result.code
    assert "Sure" not in result.code and "Let me know" not in result.code
    assert result.dropped == ["print(f(2))", "result = f(3)", "f(4)"]


def test_unfenced_reply_with_trailing_prose() -> None:
    reply = "Here you go:\n" + GOOD_BODY + "\nprint(f(1))\nThat is all, enjoy."
    result = extract_function(reply, "f")
    assert result.ok
    assert result.code == GOOD_BODY
    assert result.dropped == ["print(f(1))"]


def test_main_guard_is_dropped() -> None:
    reply = fenced(GOOD_BODY + '\nif __name__ == "__main__":\n    print(f(2))\n')
    result = extract_function(reply, "f")
    assert result.ok
    assert result.code == GOOD_BODY
    assert result.dropped == ['if __name__ == "__main__":']


def test_an_import_below_the_function_moves_above_it_so_the_tool_loads() -> None:
    # The example usage goes, its import stays: below the def, the signature's
    # ``pd.DataFrame`` would be evaluated before ``pd`` exists.
    reply = fenced(
        "def f(df: pd.DataFrame) -> pd.DataFrame:\n"
        '    """Copy ``df``."""\n'
        "    return df.copy()\n\n"
        "# Example usage:\n"
        "import pandas as pd\n"
        "from math import isclose\n"
        "df = pd.DataFrame({'a': [1]})\n"
        "print(f(df))\n"
    )
    result = extract_function(reply, "f")
    assert result.ok and result.code is not None
    assert top_level(result.code) == ["Import", "ImportFrom", "FunctionDef:f"]
    assert result.code.startswith("import pandas as pd\nfrom math import isclose\n\n\ndef f(")
    assert result.dropped == ["df = pd.DataFrame({'a': [1]})", "print(f(df))"]
    namespace: dict[str, object] = {}
    exec(compile(result.code, "<tool>", "exec"), namespace)  # loads: pd is bound in time
    assert callable(namespace["f"])


def test_an_import_a_definition_shadows_keeps_its_place() -> None:
    # Moving ``from os.path import join`` above ``def join`` would change which one wins.
    body = (
        "def join(a: str, b: str) -> str:\n"
        '    """Join with a dash."""\n'
        "    return a + '-' + b\n\n"
        "from os.path import join\n"
        "import re\n\n"
        "def f(x: str) -> str:\n"
        '    """Squash spaces."""\n'
        "    return re.sub(' +', ' ', x)\n"
    )
    result = extract_function(fenced(body), "f")
    assert result.ok and result.code is not None
    assert top_level(result.code) == ["Import", "FunctionDef:join", "ImportFrom", "FunctionDef:f"]


def test_upper_case_constants_kept_lower_case_assignments_dropped() -> None:
    body = (
        "RATE = 2\n"
        "LIMIT: int = 10\n"
        "A = B = 3\n"
        "rate = 5\n"
        "counter: int = 0\n"
        "def f(x: int) -> int:\n"
        '    """Scale."""\n'
        "    return min(x * RATE, LIMIT)\n"
    )
    result = extract_function(fenced(body), "f")
    assert result.ok
    assert result.code is not None
    assert top_level(result.code) == ["Assign", "AnnAssign", "Assign", "FunctionDef:f"]
    assert "RATE = 2" in result.code and "LIMIT: int = 10" in result.code
    assert "rate = 5" not in result.code
    assert result.dropped == ["rate = 5", "counter: int = 0"]


def test_two_code_blocks_keep_the_helper_from_the_other_block() -> None:
    reply = (
        "First a helper:\n"
        + fenced('def helper(x: int) -> int:\n    """Help."""\n    return x + 1\n')
        + "\nThen the function:\n"
        + fenced('def f(x: int) -> int:\n    """Use the helper."""\n    return helper(x)\n')
    )
    result = extract_function(reply, "f")
    assert result.ok
    assert result.functions == ["helper", "f"]
    namespace: dict[str, object] = {}
    exec(compile(result.code or "", "<kept>", "exec"), namespace)
    assert namespace["f"](1) == 2  # type: ignore[operator]


def test_two_blocks_defining_the_same_function_keep_one() -> None:
    first = 'def f(x: int) -> int:\n    """First."""\n    return x\n'
    second = 'def f(x: int) -> int:\n    """Second."""\n    return x + 1\n'
    result = extract_function(fenced(first) + "\nOr shorter:\n" + fenced(second), "f")
    assert result.ok
    assert result.code is not None
    assert result.code.count("def f(") == 1


def test_non_python_block_is_ignored() -> None:
    reply = fenced("pip install something\n", "bash") + "\n" + fenced(GOOD_BODY)
    result = extract_function(reply, "f")
    assert result.ok
    assert result.code == GOOD_BODY


def test_wrong_function_name_is_a_problem() -> None:
    result = extract_function(fenced(GOOD_BODY.replace("def f", "def g")), "f")
    assert not result.ok
    assert result.code is not None  # kept so the reviewer/repair prompt can show it
    assert result.functions == ["g"]
    assert result.problems == ["the code defines `g` but not `f`: the function must be named `f`"]


def test_helper_kept_alongside_requested_function() -> None:
    body = (
        "def _clean(s):\n"
        "    return s.strip()\n\n"
        "def f(s: str) -> str:\n"
        '    """Strip and upper-case."""\n'
        "    return _clean(s).upper()\n"
    )
    result = extract_function(fenced(body), "f")
    # Helpers need no hints/docstring: only the requested function is checked.
    assert result.complete
    assert result.functions == ["_clean", "f"]
    assert result.code is not None and "def _clean(s):" in result.code


def test_missing_hints_and_docstring_are_notes_not_problems() -> None:
    result = extract_function(fenced("def f(x, y: int, *args, **kw):\n    return x\n"), "f")
    # The code can still be the tool (and be validated); it is just not complete.
    assert result.ok
    assert not result.complete
    assert result.code is not None
    assert result.problems == []
    assert result.notes == [
        "parameter(s) `x`, `args`, `kw` of `f` have no type hint",
        "`f` has no return type hint (add `-> ...`)",
        "`f` has no docstring",
    ]


def test_async_def_is_a_problem() -> None:
    result = extract_function(fenced(GOOD_BODY.replace("def f", "async def f")), "f")
    assert not result.ok
    assert result.problems == ["`f` must be a plain `def`, not `async def`"]


def test_syntax_error_is_reported_with_line() -> None:
    result = extract_function(fenced("def f(x: int) -> int\n    return x\n"), "f")
    assert not result.ok
    assert result.code is None
    assert len(result.problems) == 1
    assert result.problems[0].startswith("the code has a syntax error")
    assert "(line 1)" in result.problems[0]


def test_syntax_error_in_unfenced_code() -> None:
    result = extract_function("def f(x: int) -> int\n    return x\n", "f")
    assert result.code is None
    assert "syntax error" in result.problems[0]


def test_no_code_at_all() -> None:
    result = extract_function("I am sorry, I cannot help with that.", "f")
    assert not result.ok
    assert result.code is None
    assert result.problems == [
        "the reply contains no Python function: answer with one ```python block defining `f`"
    ]


def test_code_without_a_function() -> None:
    result = extract_function(fenced("import os\nX = 1\nprint(X)\n"), "f")
    assert result.code is None
    assert "no Python function" in result.problems[0]


def test_decorators_are_kept() -> None:
    body = (
        "import functools\n\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def f(x: int) -> int:\n"
        '    """Cached."""\n'
        "    return x\n"
    )
    result = extract_function(fenced(body), "f")
    assert result.ok
    assert result.code is not None
    assert "@functools.lru_cache(maxsize=None)\ndef f(x: int) -> int:" in result.code
    func = ast.parse(result.code).body[-1]
    assert isinstance(func, ast.FunctionDef) and len(func.decorator_list) == 1


def test_classes_and_from_imports_kept() -> None:
    body = (
        "from dataclasses import dataclass\n"
        "import math\n\n"
        "@dataclass\n"
        "class Point:\n"
        "    x: float\n\n"
        "def f(p: Point) -> float:\n"
        '    """Norm."""\n'
        "    return math.hypot(p.x, 0)\n"
    )
    result = extract_function(fenced(body), "f")
    assert result.ok
    assert result.code is not None
    assert top_level(result.code) == ["ImportFrom", "Import", "ClassDef:Point", "FunctionDef:f"]
    # Consecutive imports stay together; definitions are separated by two blank lines.
    assert result.code.startswith("from dataclasses import dataclass\nimport math\n\n\n@dataclass")


def test_unclosed_fence_still_extracts() -> None:
    result = extract_function("```python\n" + GOOD_BODY, "f")
    assert result.ok
    assert result.code == GOOD_BODY


def test_missing_typing_imports_are_added() -> None:
    reply = (
        "```python\ndef top(xs: List[int], k: Optional[int] = None) -> Tuple[int, ...]:\n"
        '    """Largest values."""\n    return tuple(sorted(xs)[-(k or 1):])\n```'
    )
    extraction = extract_function(reply, "top")
    assert extraction.ok
    assert extraction.code is not None
    assert extraction.code.startswith("from typing import List, Optional, Tuple\n")
    compile(extraction.code, "<t>", "exec")


def test_present_typing_imports_are_left_alone() -> None:
    reply = (
        "```python\nfrom typing import List\n\n\ndef f(xs: List[int]) -> int:\n"
        '    """Sum."""\n    return sum(xs)\n```'
    )
    extraction = extract_function(reply, "f")
    assert extraction.code is not None
    assert extraction.code.count("from typing import") == 1
    assert "import typing" not in extraction.code


TESTS_IN_REPLY = '''```python
def f(x: int) -> int:
    """Twice ``x``, via a helper named like a test."""
    return check(x) * 2


def check(x: int) -> int:
    return x


def check_all() -> None:
    assert f(1) == 3


def test_f():
    assert f(1) == 2


def main():
    test_f()  # a test only another dropped test calls goes too
    print(f(2))


if __name__ == "__main__":
    main()
```'''


def test_test_functions_nothing_calls_are_dropped_and_reported() -> None:
    extraction = extract_function(TESTS_IN_REPLY, "f")
    assert extraction.ok and extraction.code is not None
    namespace: dict[str, object] = {}
    exec(extraction.code, namespace)  # trusted test code
    assert {"f", "check"} <= set(namespace)
    assert not {"check_all", "test_f", "main"} & set(namespace)
    assert extraction.dropped == [
        'if __name__ == "__main__":',
        "def check_all() -> None:",
        "def test_f():",
        "def main():",
    ]


def test_a_tool_named_like_a_test_is_kept() -> None:
    reply = (
        '```python\ndef check(x: int) -> bool:\n    """Is ``x`` positive."""\n    return x > 0\n```'
    )
    extraction = extract_function(reply, "check")
    assert extraction.complete and extraction.dropped == []


def test_typing_import_goes_after_future_import() -> None:
    reply = (
        "```python\nfrom __future__ import annotations\n\n"
        "def first(xs: List[int]) -> Optional[int]:\n"
        '    """First item."""\n    return xs[0] if xs else None\n```'
    )
    code = extract_function(reply, "first").code
    assert code is not None
    assert code.startswith(
        "from __future__ import annotations\nfrom typing import List, Optional\n"
    )
    compile(code, "<tool>", "exec")
