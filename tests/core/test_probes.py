"""Edge-case probes: derived from annotations and sample calls, never copying sample code."""

from __future__ import annotations

import ast
from collections import Counter

import pandas as pd
import pytest

from jupyter_forge.core.probe_shapes import variable_kind
from jupyter_forge.core.probes import Probe, ProbeResult, derive_probes
from jupyter_forge.core.spec import Sample

CLEAN = "def clean_prices(prices: list[str]) -> list[float]:\n    return []\n"


def samples(*sources: str) -> list[Sample]:
    return [
        Sample(source, "assert" if source.startswith("assert") else "example", None)
        for source in sources
    ]


def calls(probes: list[Probe]) -> list[str]:
    return [p.call for p in probes]


def whys(probes: list[Probe]) -> list[str]:
    return [p.why for p in probes]


def by_why(probes: list[Probe]) -> dict[str, str]:
    return {p.why: p.call for p in probes}


# -- type families -------------------------------------------------------------------------


def test_list_of_str_from_annotation_and_sample() -> None:
    probes = derive_probes(
        CLEAN,
        "clean_prices",
        samples('clean_prices(["$1.50", "(2)"])', 'assert clean_prices(["x"]) == [1.0]'),
    )
    assert by_why(probes) == {
        "empty list": "clean_prices([])",
        "one element": "clean_prices(['$1.50'])",
        "list containing None": "clean_prices(['$1.50', None])",
        "blank string element": "clean_prices(['$1.50', ''])",
        "reversed order": "clean_prices(['(2)', '$1.50'])",
    }


def test_str_probes_vary_the_sample_string() -> None:
    probes = derive_probes(
        "def slug(text: str) -> str:\n    return text\n", "slug", samples("slug('Hello World')")
    )
    assert by_why(probes) == {
        "empty string": "slug('')",
        "blank string": "slug('   ')",
        "accented letters": "slug('Hélló Wórld')",
        "surrounding whitespace": "slug('  Hello World  ')",
        "upper-cased": "slug('HELLO WORLD')",
        "apostrophes, hyphens and digits": 'slug("Hello World It\'s re-used 3 times!")',
        "one word": "slug('Hello')",
    }


def test_str_without_letters_gets_unicode_text() -> None:
    probes = derive_probes("def f(s: str) -> str:\n    return s\n", "f", samples("f('$1.50')"))
    assert by_why(probes)["unicode text"] == "f('Ünïcödé')"
    assert "upper-cased" not in whys(probes)  # '$1.50'.upper() is the same string


def test_numbers_zero_negative_and_nan() -> None:
    code = "def scale(x: float, times: int) -> float:\n    return x * times\n"
    probes = derive_probes(code, "scale", samples("scale(2.5, 3)"))
    assert set(calls(probes)) == {
        "scale(0.0, 3)",
        "scale(-2.5, 3)",
        "scale(float('nan'), 3)",
        "scale(2.5, 0)",
        "scale(2.5, -3)",
        "scale(2.5, 30)",
    }
    assert by_why(probes)["larger number"] == "scale(2.5, 30)"  # past the sample's size
    assert by_why(probes)["NaN"] == "scale(float('nan'), 3)"
    # NaN is built as an expression that evaluates, not as the repr `nan`.
    assert all(ast.parse(call, mode="eval") for call in calls(probes))


def test_int_sample_for_a_float_parameter_still_gets_nan() -> None:
    probes = derive_probes("def f(x: float) -> float:\n    return x\n", "f", samples("f(3)"))
    assert calls(probes) == ["f(0.0)", "f(-3.0)", "f(float('nan'))"]


def test_tuple_and_set_keep_their_container() -> None:
    tup = derive_probes(
        "def f(xs: tuple[int, ...]) -> int:\n    return 0\n", "f", samples("f((4, 5))")
    )
    assert by_why(tup) == {
        "empty tuple": "f(())",
        "one element": "f((4,))",
        "tuple containing None": "f((4, None))",
        "reversed order": "f((5, 4))",
        "all values equal (decimals)": "f((4.1, 4.1, 4.1))",
    }
    st = derive_probes("def f(xs: set[str]) -> int:\n    return 0\n", "f", samples())
    assert by_why(st)["empty set"] == "f(set())"
    assert by_why(st)["blank string element"] == "f({''})"


def test_dict_empty_and_missing_key() -> None:
    probes = derive_probes(
        "def f(row: dict[str, int]) -> int:\n    return 0\n", "f", samples("f({'a': 1, 'b': 2})")
    )
    assert by_why(probes) == {"empty dict": "f({})", "missing key": "f({'b': 2})"}


def test_optional_gets_none() -> None:
    for annotation in ("Optional[str]", "str | None", "Union[None, str]", "'str | None'"):
        code = f"def f(s: {annotation}) -> str:\n    return ''\n"
        probes = derive_probes(code, "f", samples("f('ab')"))
        assert by_why(probes)["None"] == "f(None)", annotation
        assert "empty string" in whys(probes), annotation


def test_none_when_nothing_else_applies() -> None:
    probes = derive_probes("def f(thing):\n    return thing\n", "f", samples("f(object_maker())"))
    assert probes == [Probe("f(None)", "None")]


def test_bool_gets_the_other_flag() -> None:
    probes = derive_probes(
        "def f(x: int, strict: bool) -> int:\n    return x\n", "f", samples("f(1, strict=True)")
    )
    assert by_why(probes)["the other flag"] == "f(1, strict=False)"


# -- notebook variables ----------------------------------------------------------------------


def test_annotated_dataframe_variable_gets_empty_and_one_row() -> None:
    code = (
        "import pandas as pd\n\n"
        "def total(frame: pd.DataFrame, column: str) -> float:\n    return 0.0\n"
    )
    probes = derive_probes(code, "total", samples("total(sales, 'qty')"))
    assert by_why(probes)["empty DataFrame, same columns"] == "total(sales.iloc[0:0], 'qty')"
    assert by_why(probes)["one row"] == "total(sales.head(1), 'qty')"
    assert "total(sales, '')" in calls(probes)  # the other parameter is varied too


def test_annotated_series_variable() -> None:
    probes = derive_probes(
        "def f(s: 'Series') -> float:\n    return 0.0\n", "f", samples("f(prices)")
    )
    assert by_why(probes) == {
        "empty Series": "f(prices.iloc[0:0])",
        "one value": "f(prices.head(1))",
    }


def test_unannotated_variable_gets_only_a_guarded_empty_frame() -> None:
    probes = derive_probes("def f(frame):\n    return 0\n", "f", samples("f(sales)"))
    assert probes == [Probe("f(sales.iloc[0:0])", "empty DataFrame, same columns")]


def test_known_variable_kinds_choose_the_probes() -> None:
    code = "def f(frame, items):\n    return 0\n"
    frame = derive_probes(
        code, "f", samples("f(sales, names)"), variables={"sales": "DataFrame", "names": "list"}
    )
    assert "f(sales.head(1), names)" in calls(frame)
    assert "f(sales, [])" in calls(frame)
    assert not any("names.iloc" in c for c in calls(frame))
    unknown = derive_probes(code, "f", samples("f(sales, names)"), variables={})
    assert not any("iloc" in c for c in calls(unknown))


def test_annotation_only_builds_plain_arguments() -> None:
    code = "def f(name: str, n: int, *, scale: float = 1.0) -> str:\n    return name\n"
    probes = derive_probes(code, "f", [], limit=20)
    assert "f('', 1)" in calls(probes)
    assert "f('abc', 0)" in calls(probes)
    assert "f('abc', 1, scale=float('nan'))" in calls(probes)  # defaulted: by keyword
    assert "f('abc', 1)" not in calls(probes)  # the plain base call is no edge case
    # Required parameters first: the keyword-only default is varied after them.
    with_scale = ["scale=" in c for c in calls(probes)]
    assert with_scale == sorted(with_scale)
    assert with_scale.count(True) == 3


def test_pandas_annotation_without_a_variable_uses_the_codes_import() -> None:
    code = "import pandas as pd\n\ndef f(frame: pd.DataFrame) -> int:\n    return 0\n"
    probes = derive_probes(code, "f", [])
    assert by_why(probes)["empty DataFrame, no columns"] == "f(pd.DataFrame())"


def test_without_a_def_the_sample_call_gives_the_parameters() -> None:
    probes = derive_probes("this is not python(", "g", samples("g('Hi', n=2)"), limit=20)
    assert "g('', n=2)" in calls(probes)
    assert "g('Hi', n=-2)" in calls(probes)


def test_keyword_sample_arguments_stay_keywords() -> None:
    code = "def f(text: str, sep: str = ',') -> list[str]:\n    return []\n"
    probes = derive_probes(code, "f", samples("f('a;b', sep=';')"), limit=20)
    assert "f('a;b', sep='')" in calls(probes)
    assert "f('', sep=';')" in calls(probes)


# -- limits, dedupe, safety ------------------------------------------------------------------


def test_limit_is_spread_over_parameters() -> None:
    code = "def f(a: str, b: str, c: float) -> str:\n    return a\n"
    probes = derive_probes(code, "f", samples("f('x', 'y', 1.5)"), limit=6)
    assert len(probes) == 6
    varied = Counter(
        next(
            i
            for i, (old, new) in enumerate(zip(["'x'", "'y'", "1.5"], _args(p.call), strict=True))
            if old != new
        )
        for p in probes
    )
    assert varied == {0: 2, 1: 2, 2: 2}
    assert derive_probes(code, "f", samples("f('x', 'y', 1.5)"), limit=0) == []
    assert len(derive_probes(code, "f", samples("f('x', 'y', 1.5)"))) == 8


def _args(call: str) -> list[str]:
    node = ast.parse(call, mode="eval").body
    assert isinstance(node, ast.Call)
    return [ast.unparse(a) for a in node.args]


def test_never_a_sample_call_and_no_duplicates() -> None:
    code = "def f(x: int) -> int:\n    return x\n"
    probes = derive_probes(code, "f", samples("f(5)", "assert f(0) == 0"))
    assert calls(probes) == ["f(-5)", "f(50)"]  # zero is a sample already
    every = samples("f(5)", "f(0)", "assert f(-5) == -5", "assert f(50) == 50")
    assert derive_probes(code, "f", every) == []
    lists = derive_probes(CLEAN, "clean_prices", samples("clean_prices(['a'])", "clean_prices([])"))
    assert "clean_prices([])" not in calls(lists)
    assert calls(lists).count("clean_prices(['a'])") == 0  # "one element" is the sample itself
    assert len(set(calls(lists))) == len(lists)


def test_spacing_and_quotes_do_not_hide_a_sample() -> None:
    probes = derive_probes(
        "def f(s: str) -> str:\n    return s\n", "f", samples('f( "x" )', 'f("")')
    )
    assert "f('')" not in calls(probes)


def test_hostile_sample_code_is_never_copied() -> None:
    hostile = "__import__('os').system('x')"
    probes = derive_probes(
        "def f(path: str, n: int) -> str:\n    return path\n",
        "f",
        samples(f"f({hostile}, 3)", f"assert f('a', n={hostile}) == 'a'"),
        limit=20,
    )
    assert probes
    for probe in probes:
        assert "__import__" not in probe.call and "system" not in probe.call
        node = ast.parse(probe.call, mode="eval").body
        # Only literals, the function name and nothing callable but float('nan').
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        assert names <= {"f", "float"}
    # The hostile argument is replaced by a plain value of its type, the literal 3 kept.
    assert "f('', 3)" in calls(probes)


def test_only_plain_names_and_literals_are_reused() -> None:
    probes = derive_probes(
        "def f(frame, label: str):\n    return 0\n",
        "f",
        samples("f(sales[sales.x > 0], f'{secret}')", "f(__builtins__, 'ok')"),
    )
    text = " ".join(calls(probes))
    assert "sales" not in text and "secret" not in text and "__builtins__" not in text
    # None stands in for the unusable frame; the literal 'ok' from the second call is kept.
    assert probes and all(c.startswith("f(None, ") for c in calls(probes))
    assert "f(None, 'OK')" in calls(probes)


def test_unparsable_samples_and_other_functions_are_ignored() -> None:
    probes = derive_probes(
        "def f(x: int) -> int:\n    return x\n",
        "f",
        samples("f(", "g(7)", "len(f)"),
    )
    assert calls(probes) == ["f(0)", "f(-1)"]


def test_bad_name_gives_nothing() -> None:
    assert derive_probes("def f(x: int): pass\n", "f(1); x", samples("f(1)")) == []
    assert derive_probes("", "f", []) == []


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (pd.DataFrame({"a": [1]}), "DataFrame"),
        (pd.Series([1.0]), "Series"),
        ([1], "list"),
        ({"a": 1}, "dict"),
        (True, "bool"),
        (2.5, "float"),
        (frozenset(), "set"),
        (object(), "object"),
    ],
)
def test_variable_kind(value: object, kind: str) -> None:
    assert variable_kind(value) == kind


def test_probe_result_json() -> None:
    assert ProbeResult("f([])", "empty list", got="0").to_json() == {
        "call": "f([])",
        "why": "empty list",
        "got": "0",
        "error": None,
    }


def test_a_string_annotation_nested_too_deeply_is_not_a_crash() -> None:
    code = f'def add(a: "{"-" * 200_000}1", b: int) -> int:\n    """Add."""\n    return a + b\n'
    probes = derive_probes(code, "add", [])
    assert all("add(" in p.call for p in probes)


def test_inputs_like_the_sample_tell_candidates_apart() -> None:
    """Order, equal decimals and key order: what one sample leaves open (and where two
    tools that both pass it differ)."""
    numbers = derive_probes(
        "def z(xs: list[float]) -> list[float]:\n    return xs\n", "z", samples("z([2, 4, 9])")
    )
    assert by_why(numbers)["reversed order"] == "z([9, 4, 2])"
    assert by_why(numbers)["all values equal (decimals)"] == "z([2.1, 2.1, 2.1])"
    records = derive_probes(
        "def f(rows: list[dict]) -> list[dict]:\n    return rows\n",
        "f",
        samples('f([{"a": 1, "b": 2}, {"c": 3}])'),
    )
    found = by_why(records)
    assert found["keys in another order"] == "f([{'b': 2, 'a': 1}, {'c': 3}])"
    assert found["reversed order"] == "f([{'c': 3}, {'a': 1, 'b': 2}])"
    assert "all values equal (decimals)" not in found
    one = derive_probes("def f(xs: list[int]) -> int:\n    return 0\n", "f", samples("f([7])"))
    assert "reversed order" not in by_why(one)  # one element: nothing to reorder


# -- values the request quotes ------------------------------------------------------------

CONVERT = "def convert(value: float, from_unit: str, to_unit: str) -> float:\n    return value\n"
UNITS = "Convert a distance between units 'm', 'km', 'mi' and 'ft'. Unknown units raise."


def test_values_the_words_quote_stand_in_for_the_sample_text() -> None:
    # One sample tries one pair of units; the words name four. Named values come before
    # the type's edge cases, for each text parameter in turn.
    probes = derive_probes(CONVERT, "convert", samples('convert(5, "km", "m")'), words=UNITS)
    named = [p.call for p in probes if p.why == "named in your words"]
    assert named[:2] == ["convert(5, 'm', 'm')", "convert(5, 'km', 'km')"]
    wide = derive_probes(
        CONVERT, "convert", samples('convert(5, "km", "m")'), words=UNITS, limit=12
    )
    assert "convert(5, 'km', 'ft')" in calls(wide)  # the pair a wrong factor shows on
    assert "convert(5, 'km', 'm')" not in calls(wide)  # never the sample itself
    assert derive_probes(CONVERT, "convert", samples('convert(5, "km", "m")')) == [
        p for p in derive_probes(CONVERT, "convert", samples('convert(5, "km", "m")'), words="")
    ]


def test_a_list_of_texts_gets_the_named_values_together() -> None:
    probes = derive_probes(
        CLEAN,
        "clean_prices",
        samples('clean_prices(["$3.10"])'),
        words="Parse prices like '$1,234.50' or '(12.00)' (negative) into floats.",
    )
    assert by_why(probes)["the values your words name"] == "clean_prices(['$1,234.50', '(12.00)'])"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # Format names have no digits where the sample's date has them: not inputs.
        ("Dates look like 'YYYY-MM-DD' or '15/03/2024'.", ["f('15/03/2024')"]),
        # Apostrophes inside words quote nothing.
        ("Monday's and Tuesday's counts; it's '2024-01-02' too", ["f('2024-01-02')"]),
        ("no quotes at all", []),
        ("''  and '   ' are blank", []),
    ],
)
def test_which_quoted_values_are_tried(words: str, expected: list[str]) -> None:
    probes = derive_probes(
        "def f(day: str) -> str:\n    return day\n", "f", samples("f('2024-03-15')"), words=words
    )
    assert [p.call for p in probes if p.why == "named in your words"] == expected


def test_named_values_only_replace_a_sampled_text_and_never_for_a_table_tool() -> None:
    # No sample text for `unit` (a default): the words' values are not tried there.
    probes = derive_probes(
        "def f(value: float, unit: str = 'm') -> float:\n    return value\n",
        "f",
        samples("f(3.0)"),
        words=UNITS,
    )
    assert all(p.why != "named in your words" for p in probes)
    # A tool on a notebook table: quoted words are its columns, not inputs.
    table = derive_probes(
        "def share(frame, by: str) -> float:\n    return 0.0\n",
        "share",
        samples("share(budget, 'dept')"),
        words="Share of 'cost' within each 'dept' as a column 'share'.",
    )
    assert all(p.why != "named in your words" for p in table)


def test_hostile_quoted_words_stay_string_constants() -> None:
    hostile = "__import__('os').system('x')"
    probes = derive_probes(
        "def f(text: str) -> str:\n    return text\n",
        "f",
        samples("f('abc')"),
        words=f'Handle "{hostile}", `);exit()#` and "{"y" * 41}"',
        limit=20,
    )
    for probe in probes:
        node = ast.parse(probe.call, mode="eval").body
        assert isinstance(node, ast.Call) and all(isinstance(a, ast.Constant) for a in node.args)
    # Quotes inside quotes end a value; over 40 characters is no value.
    named = [p.call for p in probes if p.why == "named in your words"]
    assert named == ["f('os')", "f('x')", "f(');exit()#')"]
