"""Advisory static findings and third-party import detection."""

from __future__ import annotations

from jupyter_forge.core.findings import static_findings, third_party_imports


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
