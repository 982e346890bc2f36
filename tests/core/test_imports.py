"""Missing imports added from a fixed table (core/imports.py).

Why: the fix is applied to model code without a model round trip, so each mapping,
each reason *not* to fix, and the exact text edit are pinned here. The realistic
answers are run after the fix: an added import must make the code work, not just
parse. (They are this file's own strings, so exec here runs no model output.)
"""

from __future__ import annotations

import ast
import importlib.util
from typing import Any

import pytest

from jupyter_forge.core.extract import _TYPING_NAMES, add_missing_typing_imports
from jupyter_forge.core.imports import ImportFix, add_missing_imports


def _fix(code: str, *, installed: tuple[str, ...] = ()) -> ImportFix:
    return add_missing_imports(code, available=lambda module: module in installed)


def _run(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(code, "<fixed>", "exec"), namespace)
    return namespace


# --- each mapping family -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("re.sub('a', 'b', s)", "import re"),
        ("math.sqrt(len(s))", "import math"),
        ("json.dumps(s)", "import json"),
        ("statistics.median([1, 2])", "import statistics"),
        ("itertools.chain(s, s)", "import itertools"),
        ("functools.reduce(max, [1, 2])", "import functools"),
        ("collections.Counter(s)", "import collections"),
        ("string.ascii_letters", "import string"),
        ("random.choice(s)", "import random"),
        ("decimal.Decimal('1.5')", "import decimal"),
        ("fractions.Fraction(1, 3)", "import fractions"),
        ("operator.itemgetter(0)", "import operator"),
        ("textwrap.dedent(s)", "import textwrap"),
        ("unicodedata.normalize('NFC', s)", "import unicodedata"),
        ("calendar.isleap(2024)", "import calendar"),
        ("time.time()", "import time"),
        ("csv.reader(s)", "import csv"),
        ("io.StringIO(s)", "import io"),
        ("heapq.nlargest(2, s)", "import heapq"),
        ("bisect.bisect_left(s, 'a')", "import bisect"),
        ("copy.deepcopy(s)", "import copy"),
        ("hashlib.sha256(s.encode()).hexdigest()", "import hashlib"),
        ("uuid.uuid4()", "import uuid"),
        ("zoneinfo.ZoneInfo('UTC')", "import zoneinfo"),
        ("dataclasses.asdict(s)", "import dataclasses"),
        ("enum.Enum", "import enum"),
        ("typing.List[int]", "import typing"),
    ],
)
def test_standard_modules_used_by_name(body: str, line: str) -> None:
    result = _fix(f"def f(s):\n    return {body}\n")
    assert result.added == [line]
    assert result.code == f"{line}\ndef f(s):\n    return {body}\n"


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("Counter(s)", "from collections import Counter"),
        ("defaultdict(list)", "from collections import defaultdict"),
        ("OrderedDict()", "from collections import OrderedDict"),
        ("deque(s, maxlen=2)", "from collections import deque"),
        ("namedtuple('P', 'x y')", "from collections import namedtuple"),
        ("date.today()", "from datetime import date"),
        ("timedelta(days=1)", "from datetime import timedelta"),
        ("timezone.utc", "from datetime import timezone"),
        ("reduce(max, s)", "from functools import reduce"),
        ("partial(max, 0)", "from functools import partial"),
        ("chain.from_iterable(s)", "from itertools import chain"),
        ("groupby(s)", "from itertools import groupby"),
        ("islice(s, 2)", "from itertools import islice"),
        ("accumulate(s)", "from itertools import accumulate"),
        ("product(s, s)", "from itertools import product"),
        ("combinations(s, 2)", "from itertools import combinations"),
        ("permutations(s)", "from itertools import permutations"),
        ("Decimal(s)", "from decimal import Decimal"),
        ("Fraction(1, 3)", "from fractions import Fraction"),
        ("field(default_factory=list)", "from dataclasses import field"),
        ("deepcopy(s)", "from copy import deepcopy"),
        ("Path(s).name", "from pathlib import Path"),
        ("itemgetter(0)", "from operator import itemgetter"),
        ("heappush(s, 1)", "from heapq import heappush"),
    ],
)
def test_well_known_members(body: str, line: str) -> None:
    result = _fix(f"def f(s):\n    return {body}\n")
    assert result.added == [line]


def test_decorators_from_the_table() -> None:
    code = (
        "@dataclass\nclass P:\n    x: int\n\n\n"
        "@lru_cache(maxsize=None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\n\n"
        "@cache\ndef g(n):\n    return n\n"
    )
    result = _fix(code)
    assert result.added == [
        "from dataclasses import dataclass",
        "from functools import cache, lru_cache",
    ]
    namespace = _run(result.code)
    assert namespace["fib"](20) == 6765
    assert namespace["P"](1).x == 1


def test_typing_names_in_annotations_and_aliases() -> None:
    code = (
        "Row = Dict[str, Any]\n\n\n"
        "def f(xs: List[int], k: Optional[int] = None, *a: Union[int, str], **kw: Any)"
        " -> Tuple[int, ...]:\n"
        "    seen: Set[int] = set()\n"
        "    fn: Callable[[int], int] = abs\n"
        "    return tuple(xs)\n\n\n"
        "def g(xs: Iterable[int]) -> Iterator[int]:\n    return iter(xs)\n\n\n"
        "def h(xs: Sequence[int], m: Mapping[str, int]) -> None:\n    return None\n"
    )
    result = _fix(code)
    assert result.added == [
        "from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, "
        "Optional, Sequence, Set, Tuple, Union"
    ]
    assert _run(result.code)["f"]([1, 2]) == (1, 2)


def test_quoted_annotations_count_as_uses() -> None:
    result = _fix('def f(x: "Optional[Dict[str, int]]") -> "List[int]":\n    return []\n')
    assert result.added == ["from typing import Dict, List, Optional"]


def test_subsumes_the_typing_names_extract_knew() -> None:
    for name in sorted(_TYPING_NAMES):
        code = f"def f(x: {name}) -> None:\n    return None\n"
        assert _fix(code).added == [f"from typing import {name}"], name


def test_extract_keeps_its_own_typing_fix() -> None:
    code = "def f(xs: List[int]) -> Optional[int]:\n    return None\n"
    assert add_missing_typing_imports(code) == "from typing import List, Optional\n" + code


# --- datetime: the module or the class, from usage -----------------------------


@pytest.mark.parametrize(
    "body",
    [
        "datetime.date(2020, 1, 1)",
        "datetime.timedelta(days=1)",
        "datetime.datetime.now()",
        "datetime.timezone.utc",
        "datetime.date.today() - datetime.timedelta(days=s)",
    ],
)
def test_datetime_as_the_module(body: str) -> None:
    result = _fix(f"def f(s):\n    return {body}\n")
    assert result.added == ["import datetime"]
    _run(result.code)["f"](1)


@pytest.mark.parametrize(
    "body",
    [
        "datetime(2020, 1, 1)",
        "datetime.strptime('2020-01-02', '%Y-%m-%d')",
        "datetime.now()",
        "datetime.fromisoformat('2020-01-02')",
        "datetime.today().year",
        "isinstance(s, datetime)",
        "datetime.min",
    ],
)
def test_datetime_as_the_class(body: str) -> None:
    result = _fix(f"def f(s):\n    return {body}\n")
    assert result.added == ["from datetime import datetime"]
    _run(result.code)["f"](1)


def test_datetime_class_in_an_annotation() -> None:
    result = _fix("def f(s: str) -> datetime:\n    return datetime.fromisoformat(s)\n")
    assert result.added == ["from datetime import datetime"]


@pytest.mark.parametrize(
    "body",
    [
        "datetime(2020, 1, 1) + datetime.timedelta(days=1)",
        # The class has a .date() method too, but next to datetime(...) it means the module.
        "(datetime(2020, 1, 1), datetime.date(2020, 1, 1))",
        "datetime.now() - datetime.time(1)",
    ],
)
def test_datetime_used_both_ways_is_left_alone(body: str) -> None:
    code = f"def f(s):\n    return {body}\n"
    assert _fix(code) == ImportFix(code=code, added=[])


def test_datetime_module_next_to_members() -> None:
    code = "def f():\n    return date.today() - datetime.timedelta(days=1)\n"
    result = _fix(code)
    assert result.added == ["import datetime", "from datetime import date"]
    _run(result.code)["f"]()


def test_copy_module_or_function() -> None:
    assert _fix("def f(s):\n    return copy(s)\n").added == ["from copy import copy"]
    assert _fix("def f(s):\n    return copy.copy(s)\n").added == ["import copy"]


# --- names the code binds itself are never imported ----------------------------


@pytest.mark.parametrize(
    "code",
    [
        "re = None\ndef f(s):\n    return re.sub('a', 'b', s)\n",
        "def f(re):\n    return re.sub('a', 'b', 'c')\n",
        "def f(*, math):\n    return math.pi\n",
        "def f(*json):\n    return json.dumps\n",
        "def f(**Counter):\n    return Counter(1)\n",
        "g = lambda math: math.pi\n",
        "def f(s):\n    return [re.x for re in s]\n",
        "def f(s):\n    return {Counter: 1 for Counter in s}\n",
        "def f(s):\n    for time in s:\n        print(time.x)\n",
        "def f(s):\n    with open(s) as json:\n        return json.read()\n",
        "def f(s):\n    try:\n        pass\n    except ValueError as re:\n        return re.args\n",
        "def f(s):\n    if (math := s):\n        return math.pi\n",
        "def f(s):\n    global re\n    return re.sub('a', 'b', s)\n",
        "def f(s):\n    match s:\n        case [*Counter]:\n            return Counter(1)\n",
        "def f(s):\n    match s:\n        case {**json}:\n            return json.x\n",
        "def f(s):\n    match s:\n        case str() as deque:\n            return deque(s)\n",
        "class Counter:\n    pass\n\n\ndef f():\n    return Counter()\n",
        "def Counter():\n    return 1\n\n\ndef f():\n    return Counter()\n",
        "import regex as re\ndef f(s):\n    return re.sub('a', 'b', s)\n",
        "from os import path as math\ndef f():\n    return math.pi\n",
        "import os.path\ndef f():\n    return os.sep\n",
        "for deque in []:\n    pass\nx = deque()\n",
        "def f(s):\n    del re\n    return re.sub('a', 'b', s)\n",
        "def f(s):\n    re: int = 1\n    return re.sub\n",
        "def f(s):\n    re, json = s\n    return re.sub, json.dumps\n",
    ],
)
def test_bound_names_are_not_imported(code: str) -> None:
    assert _fix(code) == ImportFix(code=code, added=[])


def test_a_name_bound_in_another_function_is_left_alone() -> None:
    # g's `re` is missing, but f's bare `re` (a parameter) does not fit the module, and
    # every use must fit: prefer missing a fix over adding a wrong one.
    code = "def f(re):\n    return re\n\n\ndef g(s):\n    return re.sub('a', 'b', s)\n"
    assert _fix(code).added == []


def test_an_import_inside_the_function_does_not_bind_its_signature() -> None:
    # Python evaluates the annotations when it defines f, before f's own import runs.
    code = (
        "def f(df: pd.DataFrame) -> pd.DataFrame:\n"
        "    import pandas as pd\n"
        "    return pd.concat([df, df])\n"
    )
    fixed = _fix(code, installed=("pandas",))
    assert fixed.added == ["import pandas as pd"]
    assert fixed.code == "import pandas as pd\n" + code
    assert "f" in _run(fixed.code)


def test_an_import_inside_the_function_covers_its_body() -> None:
    code = "def f(s: str) -> str:\n    import re\n    return re.sub('a', 'b', s)\n"
    assert _fix(code) == ImportFix(code=code, added=[])


def test_module_code_needs_a_module_import() -> None:
    code = "def f():\n    import math\n    return math.pi\n\n\nTAU = 2 * math.pi\n"
    assert _fix(code).added == ["import math"]


@pytest.mark.parametrize(
    "star", ["from mylib import *", "from . import *", "from .typing import *"]
)
def test_a_star_import_outside_the_standard_library_may_bind_anything(star: str) -> None:
    code = f"{star}\n\n\ndef f(s):\n    return re.sub('a', 'b', s)\n"
    assert _fix(code) == ImportFix(code=code, added=[])


def test_a_star_import_from_the_standard_library_binds_only_its_names() -> None:
    # The 1.5B model opens with ``from typing import *``: it cannot bind ``pd``, so the
    # signature's ``pd.DataFrame`` still gets its import (and the tool loads).
    code = (
        "from typing import *\n"
        "import numpy as np\n\n\n"
        "def f(s: pd.Series) -> Optional[pd.Series]:\n"
        "    return s.clip(lower=float(np.min(s)))\n"
    )
    fixed = _fix(code, installed=("pandas", "numpy"))
    assert fixed.added == ["import pandas as pd"]
    assert fixed.code.startswith("import pandas as pd\nfrom typing import *\n")
    if importlib.util.find_spec("pandas") is not None:
        assert callable(_run(fixed.code)["f"])


def test_what_a_standard_library_star_import_binds_is_not_added_again() -> None:
    # ``from math import *`` binds ``sqrt``; ``re`` is still missing.
    code = (
        "from math import *\n\n\n"
        "def f(s: str) -> float:\n"
        "    return sqrt(len(re.sub(' ', '', s)))\n"
    )
    assert _fix(code).added == ["import re"]


def test_builtins_and_unknown_names_are_not_guessed() -> None:
    code = "def f(s):\n    return len(s) + requests.get(s) + yaml.safe_load(s) + mean(s)\n"
    assert _fix(code).added == []


# --- usage that does not fit the import: leave it for the repair ---------------


@pytest.mark.parametrize(
    "code",
    [
        "def f(s):\n    return string.upper()\n",  # a misspelt parameter, not the module
        "def f(s):\n    return math.nosuch(s)\n",
        "def f(s):\n    return json\n",  # a module only makes sense as json.<attr>
        "def f(s):\n    return time()\n",  # time.time? datetime.time? can't tell
        "def f(s):\n    return product.price\n",  # itertools.product has no price
        "def f(s):\n    return sum(product)\n",  # bare lowercase: likely a variable
        "def f(s):\n    return date\n",
        "def f(s):\n    return isinstance(s, reduce)\n",  # reduce is no class
        "def f(s):\n    return reduce[int]\n",
        "def f(s):\n    return pd\n",
    ],
)
def test_uses_that_do_not_fit_are_left_alone(code: str) -> None:
    assert _fix(code, installed=("pandas",)).added == []


def test_one_bad_use_blocks_only_that_name() -> None:
    result = _fix("def f(s):\n    return re.sub('a', 'b', string.upper())\n")
    assert result.added == ["import re"]


def test_classes_in_type_positions() -> None:
    code = (
        "def f(s):\n"
        "    d = defaultdict(deque)\n"
        "    try:\n"
        "        return Decimal(s), isinstance(s, (date, timedelta)), d\n"
        "    except (ValueError, InvalidOperation):\n"
        "        return None\n"
    )
    result = _fix(code)
    assert result.added == [
        "from collections import defaultdict, deque",
        "from datetime import date, timedelta",
        "from decimal import Decimal, InvalidOperation",
    ]
    assert _run(result.code)["f"]("x") is None


# --- pandas / numpy only when installed -----------------------------------------


PANDAS_CODE = "def f(rows):\n    return pd.DataFrame(rows), np.zeros(2)\n"


def test_pandas_and_numpy_when_available() -> None:
    result = _fix(PANDAS_CODE, installed=("pandas", "numpy"))
    assert result.added == ["import numpy as np", "import pandas as pd"]


def test_pandas_and_numpy_not_installed() -> None:
    assert _fix(PANDAS_CODE).added == []
    assert _fix(PANDAS_CODE, installed=("numpy",)).added == ["import numpy as np"]


def test_available_asked_only_about_what_is_used() -> None:
    asked: list[str] = []

    def available(module: str) -> bool:
        asked.append(module)
        return True

    add_missing_imports("def f(s):\n    return pd.Series(s)\n", available=available)
    add_missing_imports("def f(s):\n    return re.sub('a', 'b', s)\n", available=available)
    assert asked == ["pandas"]


def test_default_available_looks_for_the_package() -> None:
    result = add_missing_imports(PANDAS_CODE)
    expected = [
        f"import {module} as {alias}"
        for module, alias in (("numpy", "np"), ("pandas", "pd"))
        if importlib.util.find_spec(module) is not None
    ]
    assert result.added == expected


def test_stdlib_comes_before_pandas() -> None:
    code = "def f(s):\n    return pd.Series(re.findall('a', s), dtype=Any)\n"
    result = _fix(code, installed=("pandas",))
    assert result.added == ["import re", "from typing import Any", "import pandas as pd"]


def test_order_is_stable() -> None:
    code = (
        "def f(s: List[str]) -> Dict[str, int]:\n"
        "    c = Counter(re.findall('a', ''.join(s)))\n"
        "    return dict(c, n=math.floor(1.5), d=json.dumps(sorted(defaultdict(int))))\n"
    )
    expected = [
        "import json",
        "import math",
        "import re",
        "from collections import Counter, defaultdict",
        "from typing import Dict, List",
    ]
    assert _fix(code).added == expected
    assert _fix(code).code == "\n".join(expected) + "\n" + code


# --- placement and the text edit -------------------------------------------------


def test_after_docstring_and_future_imports() -> None:
    code = (
        '"""Module doc\nover two lines."""\n'
        "# a comment\n"
        "from __future__ import annotations\n"
        "from __future__ import division\n"
        "\n"
        "import os\n\n\n"
        "def f(s):\n    return re.sub('a', os.sep, s)\n"
    )
    result = _fix(code)
    head = '"""Module doc\nover two lines."""\n# a comment\nfrom __future__ import annotations\n'
    head += "from __future__ import division\n"
    assert result.code == head + "import re\n" + code[len(head) :]
    _run(result.code)


def test_docstring_only_then_code() -> None:
    code = '"""Doc."""\n\n\ndef f(s):\n    return re.escape(s)\n'
    assert _fix(code).code == '"""Doc."""\nimport re\n\n\ndef f(s):\n    return re.escape(s)\n'


def test_before_decorators_and_leading_comments_at_the_top() -> None:
    code = "# helper\n@lru_cache\ndef f(n):\n    return n\n"
    assert _fix(code).code == "from functools import lru_cache\n" + code


def test_below_shebang_and_coding_line() -> None:
    head = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"
    code = head + "def f(x):\n    return math.sqrt(x)\n"
    assert _fix(code).code == head + "import math\n" + code[len(head) :]


def test_windows_line_ends_are_kept() -> None:
    code = '"""Doc."""\r\ndef f(s):\r\n    return re.escape(s)\r\n'
    assert _fix(code).code == '"""Doc."""\r\nimport re\r\ndef f(s):\r\n    return re.escape(s)\r\n'


def test_code_without_a_final_line_end() -> None:
    code = '"""Doc."""\nx: List[int]'
    assert _fix(code).code == '"""Doc."""\nfrom typing import List\nx: List[int]'


def test_statement_on_the_docstring_line_is_left_alone() -> None:
    code = '"""Doc."""; x = math.pi\n'
    assert _fix(code) == ImportFix(code=code, added=[])


def test_the_rest_is_byte_for_byte_the_same() -> None:
    code = (
        "import os  # keep me\n"
        "\n\n"
        "def f(s):\t# tabs, trailing spaces   \n"
        "    '''Doc \\n with escapes.'''\n"
        "    return re.sub(r'\\s+', ' ', s)  \n"
        "\f\n"
        "x = '''multi\nline'''\n"
    )
    result = _fix(code)
    assert result.added == ["import re"]
    assert result.code == "import re\n" + code


def test_unparseable_code_is_unchanged() -> None:
    for code in ("def f(:\n    return re.sub()\n", "x = re.sub(\n", "a\x00b", ""):
        assert _fix(code) == ImportFix(code=code, added=[])


def test_nothing_to_add_returns_the_same_code() -> None:
    code = "import re\n\n\ndef f(s):\n    return re.sub('a', 'b', s)\n"
    assert _fix(code) == ImportFix(code=code, added=[])


IDEMPOTENCE_CASES = [
    "def f(s: List[str]) -> Counter:\n    return Counter(re.findall('a', ''.join(s)))\n",
    '"""Doc."""\nfrom __future__ import annotations\n\n\ndef f():\n    return datetime.now()\n',
    "def f(rows):\n    return pd.DataFrame(rows).pipe(np.sum)\n",
    "import re\n\n\ndef f(s):\n    return json.dumps(re.findall('a', s))\n",
]


@pytest.mark.parametrize("code", IDEMPOTENCE_CASES)
def test_idempotent(code: str) -> None:
    once = _fix(code, installed=("pandas", "numpy"))
    assert once.added
    twice = _fix(once.code, installed=("pandas", "numpy"))
    assert twice == ImportFix(code=once.code, added=[])
    ast.parse(once.code)


# --- realistic small-model answers, run after the fix ---------------------------


def test_clean_prices_with_re_sub() -> None:
    code = (
        "def clean_prices(prices: List[str]) -> List[float]:\n"
        '    """Strip currency signs and thousands separators, then convert."""\n'
        "    cleaned = []\n"
        "    for p in prices:\n"
        "        p = re.sub(r'[^0-9.]', '', p)\n"
        "        cleaned.append(float(p))\n"
        "    return cleaned\n"
    )
    result = _fix(code)
    assert result.added == ["import re", "from typing import List"]
    assert _run(result.code)["clean_prices"](["$1,200.50", "€3"]) == [1200.5, 3.0]


def test_word_frequencies_with_counter() -> None:
    code = (
        "def top_words(text: str, n: int = 3) -> List[Tuple[str, int]]:\n"
        '    """The n most common words, case-insensitive."""\n'
        "    words = re.findall(r'[a-z]+', text.lower())\n"
        "    counts = Counter(words)\n"
        "    return counts.most_common(n)\n"
    )
    result = _fix(code)
    assert result.added == [
        "import re",
        "from collections import Counter",
        "from typing import List, Tuple",
    ]
    assert _run(result.code)["top_words"]("a b a c a b", 2) == [("a", 3), ("b", 2)]


def test_days_between_with_datetime_class() -> None:
    code = (
        "def days_between(start: str, end: str) -> int:\n"
        '    """Whole days from start to end (YYYY-MM-DD)."""\n'
        "    fmt = '%Y-%m-%d'\n"
        "    d1 = datetime.strptime(start, fmt)\n"
        "    d2 = datetime.strptime(end, fmt)\n"
        "    return abs((d2 - d1).days)\n"
    )
    result = _fix(code)
    assert result.added == ["from datetime import datetime"]
    assert _run(result.code)["days_between"]("2024-01-01", "2024-03-01") == 60


def test_group_by_first_letter_with_defaultdict() -> None:
    code = (
        "def group_words(words: list[str]) -> Dict[str, list[str]]:\n"
        '    """Words grouped by their first letter."""\n'
        "    groups = defaultdict(list)\n"
        "    for w in words:\n"
        "        groups[w[0]].append(w)\n"
        "    return dict(groups)\n"
    )
    result = _fix(code)
    assert result.added == ["from collections import defaultdict", "from typing import Dict"]
    assert _run(result.code)["group_words"](["ant", "bee", "asp"]) == {
        "a": ["ant", "asp"],
        "b": ["bee"],
    }


def test_geometric_mean_with_math_and_reduce() -> None:
    code = (
        "def geometric_mean(xs: List[float]) -> float:\n"
        '    """The n-th root of the product of n values."""\n'
        "    total = reduce(lambda a, b: a * b, xs, 1.0)\n"
        "    return math.pow(total, 1 / len(xs))\n"
    )
    result = _fix(code)
    assert result.added == [
        "import math",
        "from functools import reduce",
        "from typing import List",
    ]
    assert _run(result.code)["geometric_mean"]([2.0, 8.0]) == pytest.approx(4.0)


def test_round_money_with_decimal() -> None:
    code = (
        "def round_money(amount: str) -> Optional[str]:\n"
        '    """Round to cents, half up; None when it is not a number."""\n'
        "    try:\n"
        "        value = Decimal(amount)\n"
        "    except InvalidOperation:\n"
        "        return None\n"
        "    return str(value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP))\n"
    )
    result = _fix(code)
    assert result.added == [
        "from decimal import ROUND_HALF_UP, Decimal, InvalidOperation",
        "from typing import Optional",
    ]
    namespace = _run(result.code)
    assert namespace["round_money"]("2.675") == "2.68"
    assert namespace["round_money"]("abc") is None


def test_partial_imports_are_completed() -> None:
    code = (
        "from collections import Counter\n\n\n"
        "def f(s: str) -> dict[str, int]:\n"
        '    """Counts, with a default of zero."""\n'
        "    d = defaultdict(int, Counter(s))\n"
        "    return dict(d)\n"
    )
    result = _fix(code)
    assert result.added == ["from collections import defaultdict"]
    assert result.code == "from collections import defaultdict\n" + code
    assert _run(result.code)["f"]("aab") == {"a": 2, "b": 1}


def test_pandas_answer_runs_when_pandas_is_installed() -> None:
    pytest.importorskip("pandas")
    code = (
        "def mean_by(rows: list[dict[str, Any]], key: str, value: str) -> dict[str, float]:\n"
        '    """Mean of value per key."""\n'
        "    df = pd.DataFrame(rows)\n"
        "    return df.groupby(key)[value].mean().to_dict()\n"
    )
    result = add_missing_imports(code)  # the real default: pandas is installed here
    assert result.added == ["from typing import Any", "import pandas as pd"]
    rows = [{"k": "a", "v": 1}, {"k": "a", "v": 3}, {"k": "b", "v": 5}]
    assert _run(result.code)["mean_by"](rows, "k", "v") == {"a": 2.0, "b": 5.0}


def test_a_string_annotation_nested_too_deeply_is_not_a_crash() -> None:
    code = f'def add(a: "{"-" * 200_000}1", b: int) -> int:\n    return a + b\n'
    assert add_missing_imports(code).added == []
