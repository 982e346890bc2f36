"""Advisory static findings and third-party import detection."""

from __future__ import annotations

import pytest

from jupyter_forge.core.findings import risky_findings, static_findings, third_party_imports


def test_clean_code_has_no_findings() -> None:
    code = "import math\n\ndef f(x: float) -> float:\n    return math.sqrt(x)\n"
    assert static_findings(code) == []


def test_risky_imports_and_calls_in_source_order() -> None:
    code = (
        "import os\n"  # 1
        "from subprocess import run\n"  # 2
        "import urllib.request\n"  # 3
        "def f(s: str) -> object:\n"  # 4
        "    x = eval(s)\n"  # 5
        "    exec(s)\n"  # 6
        "    __import__('socket')\n"  # 7
        "    setattr(x, 'a', 1)\n"  # 8
        "    return x\n"
    )
    assert static_findings(code) == [
        "line 1: imports os (operating system access)",
        "line 2: imports from subprocess (starts processes)",
        "line 3: imports urllib.request (network access)",
        "line 5: calls eval() (evaluates strings as code)",
        "line 6: calls exec() (executes strings as code)",
        "line 7: calls __import__() (dynamic import)",
        "line 8: calls setattr() (changes attributes dynamically)",
    ]


def test_file_writes_are_found_but_reads_are_not() -> None:
    code = (
        "def f(p) -> None:\n"
        "    open(p).read()\n"  # 2: read, fine
        "    open(p, 'r').read()\n"  # 3: read, fine
        "    open(p, 'w').write('x')\n"  # 4
        "    open(p, mode='a')\n"  # 5
        "    open(p, 'rb+')\n"  # 6
        "    open(p, some_mode)\n"  # 7: unknown mode counts as a write
        "    p.write_text('x')\n"  # 8
    )
    assert static_findings(code) == [
        "line 4: opens a file for writing",
        "line 5: opens a file for writing",
        "line 6: opens a file for writing",
        "line 7: opens a file for writing",
        "line 8: writes a file (write_text)",
    ]


def test_findings_are_deduplicated_per_line() -> None:
    code = "def f(a: str) -> None:\n    eval(a); eval(a)\n"
    assert static_findings(code) == ["line 2: calls eval() (evaluates strings as code)"]


def test_findings_sorted_numerically_not_lexically() -> None:
    code = "\n" * 9 + "import os\n" + "import sys\n"
    code = "import socket\n" + code  # line 1, then lines 11 and 12
    lines = [entry.split(":")[0] for entry in static_findings(code)]
    assert lines == ["line 1", "line 11", "line 12"]


def test_syntax_error_gives_no_findings() -> None:
    assert static_findings("def f(:\n") == []
    assert third_party_imports("def f(:\n") == []


def test_third_party_imports() -> None:
    code = (
        "import os, json\n"
        "import numpy as np\n"
        "import pandas.api.types\n"
        "from sklearn.linear_model import LinearRegression\n"
        "from . import sibling\n"
        "import numpy\n"
        "def f() -> None:\n"
        "    import scipy.stats\n"
    )
    assert third_party_imports(code) == ["numpy", "pandas", "sklearn", "scipy"]


def test_third_party_imports_with_explicit_stdlib() -> None:
    assert third_party_imports("import os\nimport numpy\n", stdlib=frozenset({"numpy"})) == ["os"]


# -- aliases: reaching builtins, globals and open without naming them (issue 15) -------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("(lambda: 0).__globals__['__builtins__']['open']", "reaches `__globals__`"),
        ("getattr(__builtins__, 'op' + 'en')", "getattr() with a computed attribute name"),
        ("getattr(__builtins__, 'op' + 'en')", "reaches `__builtins__`"),
        ("().__class__.__base__.__subclasses__()", "reaches `__subclasses__`"),
        ("().__class__.__base__", "reaches `__base__`"),
        ("f.__code__", "reaches `__code__`"),
        ("sys.modules['os'].__dict__", "reaches `__dict__`"),
        ("getattr(x, '__globals__')", "getattr() reaches `__globals__` by a string"),
        ("vars(x)", "calls vars()"),
        ("locals()", "calls locals()"),
        ("builtins.open('x', 'w')", "reaches open through builtins.open"),
        ("io.open('x')", "reaches open through io.open"),
        ("__builtins__['open']", "reaches `open` by a string key"),
        ("[open][0]('x', 'w')", "refers to open without calling it"),
    ],
)
def test_aliases_are_risky_findings(payload: str, expected: str) -> None:
    code = f"def f(x):\n    return {payload}\n"
    assert any(expected in finding for finding in risky_findings(code)), risky_findings(code)


def test_open_alias_by_assignment() -> None:
    code = "def f(p):\n    o = open\n    return o(p, 'w')\n"
    assert risky_findings(code) == [
        "line 2: refers to open without calling it (an alias hides file access)"
    ]


def test_informational_findings_are_listed_but_not_risky() -> None:
    code = (
        "from pathlib import Path\n"
        "import threading\n"
        "def f(o, p: str) -> str:\n"
        "    setattr(o, 'size', 1)\n"
        "    return Path(p).read_text()\n"
    )
    assert len(static_findings(code)) == 3
    assert risky_findings(code) == []


def test_plain_attributes_and_calls_are_not_findings() -> None:
    code = (
        "def f(df, s: str, o) -> object:\n"
        "    s.replace('a', 'b'); df.rename(columns={}); type(o).__name__; o.__class__.__name__\n"
        "    getattr(o, 'size', None); super().__init__\n"
        "    with open(s) as h:\n"
        "        return h.read()\n"
    )
    assert static_findings(code) == []


def test_naming_the_forges_own_machinery_is_risky() -> None:
    """The sandbox's recorder trusts the forge's --compose loader; a candidate that names
    it (to call it, or to define a look-alike) must not be approved unseen."""
    from jupyter_forge.core.findings import risky_findings

    calls = "def f(x):\n    return __forge_dependency__('g', 'import os', {})\n"
    defines = "def __forge_dependency__(a, b, c):\n    return exec(b)\n\ndef f(x):\n    return x\n"
    for code in (calls, defines):
        assert any(
            "`__forge_dependency__` (the forge's own machinery)" in f for f in risky_findings(code)
        )
    assert risky_findings("def f(x):\n    return x\n") == []
