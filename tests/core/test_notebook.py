"""Tool notebooks: built as valid nbformat v4, and executable top to bottom in a real kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest

from jupyter_forge.core.library import Library
from jupyter_forge.core.notebook import (
    SAMPLES_ROLE,
    TOOL_ROLE,
    build_tool_notebook,
    sample_as_assert,
    samples_cell_source,
    tool_code,
)
from jupyter_forge.core.spec import Sample

CODE = (
    "import re\n\n\n"
    "def clean_prices(values: list[str]) -> list[float]:\n"
    '    """Turn price strings like "$1,234.50" or "(12.00)" into floats."""\n'
    "    out = []\n"
    "    for text in values:\n"
    "        negative = text.startswith('(') and text.endswith(')')\n"
    "        number = float(re.sub(r'[^0-9.]', '', text))\n"
    "        out.append(-number if negative else number)\n"
    "    return out\n"
)
SAMPLES = [
    Sample('clean_prices(["$1.50", "(2)"])', "example", "[1.5, -2.0]\n"),
    Sample('assert clean_prices(["$1,234.50"]) == [1234.5]', "assert"),
    Sample("total = sum(clean_prices(['1', '2']))", "code"),
    Sample("total", "example", "3.0\n"),
]


def meta(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "clean_prices",
        "version": 2,
        "model": "m",
        "request": "Clean.\nPrices.",
    }
    data.update(extra)
    return data


def build(
    samples: list[Sample] = SAMPLES, kernel_names: tuple[str, ...] = ()
) -> nbformat.NotebookNode:
    return build_tool_notebook(
        name="clean_prices",
        code=CODE,
        description="Turn price strings into floats.",
        signature="clean_prices(values: list[str]) -> list[float]",
        samples=samples,
        metadata=meta(),
        kernel_names=kernel_names,
    )


# -- samples as asserts ----------------------------------------------------------------


def test_sample_as_assert_forms() -> None:
    assert (
        sample_as_assert(Sample("f(1)", "example", "[1.5, -2.0]\n"))
        == "assert (f(1)) == [1.5, -2.0]"
    )
    assert (
        sample_as_assert(Sample("f(1)", "example", "Point(x=1)\n"))
        == "assert repr(f(1)) == 'Point(x=1)'"
    )
    assert sample_as_assert(Sample("assert f(1) == 2", "assert")) == "assert f(1) == 2"
    assert sample_as_assert(Sample("x = f(1)", "code")) == "x = f(1)"
    printed = sample_as_assert(Sample("for i in range(2):\n    print(i)", "example", "0\n1\n"))
    assert printed.split("\n") == [
        "# checked in the sandbox by its printed output:",
        "# >>> for i in range(2):",
        "# ...     print(i)",
        "# 0",
        "# 1",
    ]


def test_samples_cell_is_valid_python_and_comments_out_kernel_variables() -> None:
    samples = [Sample("assert f(df) == 3", "assert"), Sample("assert f([1]) == 1", "assert")]
    source = samples_cell_source("f", samples, kernel_names=["df"])
    compile(source, "<samples>", "exec")
    lines = source.split("\n")
    assert "# needs the kernel variable(s) `df`:" in lines
    assert "# assert f(df) == 3" in lines
    assert "assert f([1]) == 1" in lines
    assert lines[-1] == "print('all samples of f pass')"


def test_kernel_variable_assigned_by_an_earlier_sample_is_not_commented() -> None:
    samples = [Sample("df = make()", "code"), Sample("assert f(df) == 3", "assert")]
    source = samples_cell_source("f", samples, kernel_names=["df", "make"])
    assert "# needs the kernel variable(s) `make`:" in source
    assert "\nassert f(df) == 3" in source


def test_no_samples_cell() -> None:
    source = samples_cell_source("f", [])
    assert "without samples" in source
    compile(source, "<samples>", "exec")


# -- notebook structure -------------------------------------------------------------------


def test_built_notebook_is_valid_v4_with_roles_and_metadata() -> None:
    nb = build()
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["jupyter_forge"]["name"] == "clean_prices"
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    doc, tool, checks = nb.cells
    assert doc.source.startswith("# `clean_prices` (v2)")
    assert "> Clean.\n> Prices." in doc.source
    assert "clean_prices(values: list[str]) -> list[float]" in doc.source
    assert tool.metadata["jupyter_forge"]["role"] == TOOL_ROLE
    assert "forge-tool" in tool.metadata["tags"]
    assert tool.source == CODE.rstrip("\n")
    assert checks.metadata["jupyter_forge"]["role"] == SAMPLES_ROLE
    assert 'assert (clean_prices(["$1.50", "(2)"])) == [1.5, -2.0]' in checks.source
    assert tool_code(nb) == CODE.rstrip("\n")


def test_tool_code_falls_back_to_first_code_cell() -> None:
    nb = nbformat.v4.new_notebook()
    assert tool_code(nb) is None
    nb.cells.append(nbformat.v4.new_markdown_cell("hi"))
    nb.cells.append(nbformat.v4.new_code_cell("def f(): pass"))
    nb.cells.append(nbformat.v4.new_code_cell("f()"))
    assert tool_code(nb) == "def f(): pass"


# -- executing a saved tool notebook in a real kernel --------------------------------------


def _execute(path: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def _save(tmp_path: Path, samples: list[Sample]) -> Path:
    library = Library(tmp_path / "lib", notary_dir=str(tmp_path / "notary"))
    record = library.save(
        name="clean_prices",
        code=CODE,
        description="Turn price strings into floats.",
        signature="clean_prices(values: list[str]) -> list[float]",
        request="Clean prices.",
        model="m",
        samples=samples,
        schema=None,
        validation=None,
    )
    return record.path


@pytest.mark.timeout(120)
def test_saved_notebook_runs_top_to_bottom_and_checks_its_samples(tmp_path: Path) -> None:
    nb = _execute(_save(tmp_path, SAMPLES))
    checks = nb.cells[2]
    text = "".join(o.get("text", "") for o in checks.outputs if o.output_type == "stream")
    assert "all samples of clean_prices pass" in text
    assert not [o for o in checks.outputs if o.output_type == "error"]


@pytest.mark.timeout(120)
def test_saved_notebook_fails_when_a_sample_is_wrong(tmp_path: Path) -> None:
    from nbclient.exceptions import CellExecutionError

    wrong = [*SAMPLES[:1], Sample('assert clean_prices(["$1,234.50"]) == [1.0]', "assert")]
    with pytest.raises(CellExecutionError) as info:
        _execute(_save(tmp_path, wrong))
    assert "AssertionError" in str(info.value)
