"""Kernel variables: described by type and shape for the prompt, pickled only into the sandbox."""

from __future__ import annotations

import pickle
import threading
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jupyter_forge.core.errors import SpecError
from jupyter_forge.core.variables import (
    VariableInfo,
    describe_variables,
    mentioned_names,
    pickle_inputs,
    sample_free_names,
)

SECRET = "ACCOUNT-4242-SECRET"


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "price": ["$1.50", SECRET, "(2.00)"],
            "qty": [1, 2, 3],
            "ratio": [0.5, 1.25, 9.75],
        }
    )


def describe(value: Any, name: str = "v") -> str:
    infos = describe_variables([name], {name: value})
    assert len(infos) == 1
    return infos[0].description


def test_dataframe_has_columns_dtypes_shape_but_no_values(df: pd.DataFrame) -> None:
    text = describe(df, "df")
    assert text.startswith("pandas.DataFrame with shape (3, 3), columns {")
    assert "'price': " in text
    assert "'qty': int64" in text
    assert "'ratio': float64" in text
    # No cell values, not even the first row.
    for value in (SECRET, "$1.50", "(2.00)", "1.25", "9.75"):
        assert value not in text


def test_wide_dataframe_columns_are_capped() -> None:
    wide = pd.DataFrame({f"c{i}": [i] for i in range(45)})
    text = describe(wide)
    assert "shape (1, 45)" in text
    assert "'c39': int64" in text
    assert "'c40'" not in text
    assert "... 5 more" in text


def test_series_describes_dtype_and_name(df: pd.DataFrame) -> None:
    text = describe(df["qty"])
    assert text == "pandas.Series with shape (3,), dtype int64, name 'qty'"


def outline(value: Any, name: str = "v") -> str | None:
    infos = describe_variables([name], {name: value}, outline=True)
    assert len(infos) <= 1
    return infos[0].description if infos else None


def test_an_outline_gives_a_tables_column_names_only(df: pd.DataFrame) -> None:
    """A sample's bare argument: its type and columns, no dtypes, shape or values."""
    assert outline(df) == "pandas.DataFrame with columns 'price', 'qty', 'ratio'"
    assert outline(df["qty"]) == "pandas.Series named 'qty'"
    assert outline(np.arange(3)) == "numpy.ndarray"
    assert outline([1, 2]) is None and outline("abc") is None  # not tables: left out
    wide = outline(pd.DataFrame({f"c{i}": [i] for i in range(45)}))
    assert "'c39'" in wide and "'c40'" not in wide and wide.endswith("... 5 more")


def test_numpy_array() -> None:
    arr = np.arange(12, dtype="float32").reshape(3, 4)
    assert describe(arr) == "numpy.ndarray with shape (3, 4), dtype float32"


def test_builtin_values() -> None:
    assert describe([1, "a", 2.0]) == "list of 3 items of float/int/str"
    assert describe([]) == "list of 0 items"
    assert describe((1, 2)) == "tuple of 2 items of int"
    assert describe({"a": 1, "b": 2}) == "dict with 2 keys ('a', 'b')"
    assert describe({i: i for i in range(12)}).endswith(", ...)")
    assert describe("hello") == "str of length 5"
    assert describe(b"xy") == "bytes of length 2"
    assert describe(3) == "int"
    assert describe(2.5) == "float"
    assert describe(True) == "bool"


def test_list_description_has_no_values() -> None:
    text = describe([SECRET, "other"])
    assert SECRET not in text
    assert text == "list of 2 items of str"


def test_only_mentioned_data_variables_are_described(df: pd.DataFrame) -> None:
    namespace = {
        "df": df,
        "unused": [1, 2],
        "pd": pd,  # module
        "helper": len,  # callable
        "Klass": int,  # type
        "_private": 1,
        "target": 1,
    }
    infos = describe_variables(
        ["Clean df with pd and helper, Klass, _private, target, missing"],
        namespace,
        exclude=["target"],
    )
    assert [i.name for i in infos] == ["df"]
    assert isinstance(infos[0], VariableInfo)


def test_mentioned_names_in_order_without_keywords() -> None:
    assert mentioned_names(["if x in y: return df", "df z", "for"]) == ["x", "y", "df", "z"]


def test_sample_free_names() -> None:
    sources = [
        "x = clean(df)\nassert x == expected",
        "for i in range(3): z = i",
        "assert z > 0",
        "not valid python (",
    ]
    # `x`, `i`, `z` are assigned by the samples; the rest must come from outside.
    assert sample_free_names(sources) == ["clean", "df", "expected", "range"]


def test_sample_free_names_read_before_rebinding_is_free() -> None:
    # `df = df.dropna()` reads the kernel's df: it must be sent to the sandbox.
    assert sample_free_names(["df = df.dropna()\nassert f(df) == 3"]) == ["df", "f"]
    assert sample_free_names(["total += 1"]) == ["total"]
    assert sample_free_names(["y = f(a)", "a = 2"]) == ["f", "a"]
    assert sample_free_names(["(n := f(m)) and n"]) == ["f", "m"]


def test_sample_free_names_comprehension_variables_are_not_free() -> None:
    assert sample_free_names(["assert f([y for y in xs if y])"]) == ["f", "xs"]
    assert sample_free_names(["{k: v for k, v in d.items()}"]) == ["d"]


def test_pickle_inputs_sends_data_not_modules_or_functions(df: pd.DataFrame) -> None:
    namespace = {"df": df, "pd": pd, "f": print, "clean": len, "n": 3}
    blobs = pickle_inputs(["df", "pd", "f", "clean", "n", "absent"], namespace, exclude=["clean"])
    assert set(blobs) == {"df", "n"}
    restored = pickle.loads(blobs["df"])
    pd.testing.assert_frame_equal(restored, df)
    assert pickle.loads(blobs["n"]) == 3


def test_unpicklable_variable_is_a_one_line_spec_error() -> None:
    namespace = {"lock": threading.Lock()}
    with pytest.raises(SpecError) as info:
        pickle_inputs(sample_free_names(["assert f(lock)"]), namespace)
    message = str(info.value)
    assert "\n" not in message
    assert "`lock`" in message
    assert "cannot be sent to the sandbox" in message
    assert "TypeError" in message


def test_unpicklable_but_unused_variable_is_fine() -> None:
    namespace = {"lock": threading.Lock(), "n": 1}
    assert set(pickle_inputs(["n"], namespace)) == {"n"}
