"""Definition-time effects: what a tool module runs merely by being exec'd (issue 15)."""

from __future__ import annotations

import pytest

from benchmarks.ds_tasks import all_tasks
from jupyter_forge.core.definition import definition_effects
from jupyter_forge.core.findings import risky_findings

TAIL = "def f(a):\n    return a\n"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "def _h():\n    return 1\nX = _h()\n" + TAIL,
            "line 3: definition-time effect: the module calls _h()",
        ),
        ("X = [print(i) for i in range(2)]\n" + TAIL, "calls print()"),
        ("import re\nX = re.compile(input())\n" + TAIL, "calls input()"),
        ("import numpy as np\nX = np.zeros(3)\n" + TAIL, "calls np.zeros()"),
        ("def d(fn):\n    return fn\n@d\n" + TAIL, "the decorator on `f` runs"),
        ("import atexit\n@atexit.register\n" + TAIL, "the decorator on `f` runs"),
        ("from functools import lru_cache\n@lru_cache(maxsize=print())\n" + TAIL, "decorator"),
        ("class C:\n    x = print('hi')\n" + TAIL, "the body of class `C` calls print()"),
        ("class C:\n    for i in range(3):\n        pass\n" + TAIL, "runs a `For` statement"),
        ("def f(a, b=print('x')):\n    return a\n", "a default argument of `f` calls print()"),
        ("def f(a, *, b=open('/x', 'w')):\n    return a\n", "calls open()"),
        ("def f(a: print('x')):\n    return a\n", "an annotation of `f` calls print()"),
        ("class M(type):\n    pass\nclass C(metaclass=M):\n    pass\n" + TAIL, "metaclass"),
        ("class B:\n    def __init_subclass__(cls):\n        pass\n" + TAIL, "__init_subclass__"),
        ("def frozenset(x):\n    return x\nX = frozenset([1])\n" + TAIL, "calls frozenset()"),
        ("import os\nos.system('x')\n" + TAIL, "runs a `Expr` statement"),
    ],
)
def test_effects_are_found(code: str, expected: str) -> None:
    effects = definition_effects(code)
    assert any(expected in effect for effect in effects), effects


def test_pure_definitions_have_no_effects() -> None:
    code = (
        "from __future__ import annotations\n"
        "import re\n"
        "from dataclasses import dataclass, field\n"
        "from decimal import Decimal\n"
        "from functools import lru_cache\n"
        "PATTERN = re.compile(r'\\d+')\n"
        "UNITS = frozenset({'m', 'km'})\n"
        "LIMIT = Decimal('1.5') * 2\n"
        "NAMES = tuple(sorted_names) if False else ('a',)\n"
        "@dataclass(frozen=True)\n"
        "class P:\n"
        "    '''A point.'''\n"
        "    x: int = 0\n"
        "    tags: list[str] = field(default_factory=list)\n"
        "    @property\n"
        "    def v(self) -> int:\n"
        "        return self.x\n"
        "    @v.setter\n"
        "    def v(self, n: int) -> None:\n"
        "        print(n)\n"
        "    @staticmethod\n"
        "    def s(a: dict[str, int] = {}, b=lambda: print(1)) -> int:\n"
        "        return len(a)\n"
        "@lru_cache(maxsize=None)\n"
        "def f(a: Weird(1) = -1, b=(1, 2)) -> int:\n"  # lazy annotations never run
        "    return a\n"
    )
    assert definition_effects(code) == []


def test_syntax_error_has_no_effects() -> None:
    assert definition_effects("def f(:\n") == []


def test_ds_benchmark_references_are_clean() -> None:
    """No false refusal: every known-clean DS reference has no effect and no risky finding."""
    tasks = all_tasks()
    assert len(tasks) >= 50
    flagged = {t.name: definition_effects(t.reference) + risky_findings(t.reference) for t in tasks}
    assert {name: found for name, found in flagged.items() if found} == {}
