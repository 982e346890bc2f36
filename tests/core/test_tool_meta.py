"""Hostile tool-notebook metadata: named and skipped by every reader, never a traceback."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from library_kit import save

from jupyter_forge.core.catalog import NotToolNotebook, parse_entry
from jupyter_forge.core.errors import LibraryError
from jupyter_forge.core.library import Library
from jupyter_forge.core.sharing import _is_tool_notebook
from jupyter_forge.core.tool_meta import metadata_problem, notebook_problem
from jupyter_forge.core.tool_view import ToolView, detail_json
from jupyter_forge.mcp_server import input_schema
from jupyter_forge.testing.metadata_strategies import base_notebook, deep, hostile_notebooks

FUZZ_EXAMPLES = 300  # benchmarks/metadata_fuzz.py runs 10,000


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real tool notebook, saved twice so it carries a history entry."""
    return base_notebook(tmp_path_factory.mktemp("meta"))


def with_meta(notebook: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(notebook)
    changed["metadata"]["jupyter_forge"].update(changes)
    return changed


def test_a_saved_notebook_passes(good: dict[str, Any]) -> None:
    assert notebook_problem(good) is None
    assert good["metadata"]["jupyter_forge"]["history"]  # the history checks ran on something


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"version": "NaN"}, "`version`"),
        ({"version": True}, "`version`"),
        ({"version": 10**30}, "`version`"),
        ({"name": ["add"]}, "`name`"),
        ({"name": "os.system"}, "`name`"),
        ({"name": "x" * 1000}, "`name`"),
        ({"description": 3}, "`description`"),
        ({"request": "\ud800"}, "`request`"),
        ({"samples": {"source": "1"}}, "`samples`"),
        ({"samples": [{"source": 1}]}, "`samples[0].source`"),
        ({"samples": [{"source": "1", "kind": "eval"}]}, "`samples[0].kind`"),
        ({"findings": [None]}, "`findings[0]`"),
        ({"schema": {"function": "add"}}, "`schema.function`"),
        ({"validation": {"passed": "yes"}}, "`validation.passed`"),
        ({"approved": [1]}, "`approved`"),
        ({"deprecated": {"reason": 7}}, "`deprecated.reason`"),
        ({"history": [{"version": "NaN", "code": ""}]}, "`history[0].version`"),
        ({"history": [{"version": 1}]}, "`history[0].code`"),
        ({"validation": {"x": deep(40)}}, "nested"),
    ],
)
def test_each_bad_field_is_named(good: dict[str, Any], changes: dict[str, Any], field: str) -> None:
    problem = notebook_problem(with_meta(good, **changes))
    assert problem is not None and field in problem and "\n" not in problem


def test_not_an_object_anywhere() -> None:
    assert metadata_problem([]) == "`jupyter_forge` is a list, not an object"
    assert notebook_problem([]) is not None
    assert notebook_problem({"metadata": []}) is not None


def test_version_nan_is_skipped_by_list_and_named_by_load(
    good: dict[str, Any], tmp_path: Path
) -> None:
    """The reported crash: `"version": "NaN"` ended `jupyter-forge list` in a traceback."""
    library = Library(tmp_path / "tools", notary_dir=str(tmp_path / "notary"))
    save(library, name="fine")
    (library.root / "add.ipynb").write_text(json.dumps(with_meta(good, version="NaN")))
    assert [r.name for r in library.tools()] == ["fine"]
    assert len(library.errors) == 1 and "`version`" in library.errors[0]
    with pytest.raises(LibraryError, match="`version`"):
        library.get("add")


# -- fuzzing: the strategies are shared with benchmarks/metadata_fuzz.py -------------


def _use_record(library: Library, path: Path) -> None:
    """What list/show/load/stats/MCP do with a record that was read."""
    record = library._record(path, library._read(path))
    f"{record.name:24} v{record.version:<3} {record.description[:60]}".encode()
    json.dumps(record.meta)
    with contextlib.suppress(LibraryError):  # a one-line answer (e.g. no earlier version)
        record.versions().diff()
    view = ToolView.of(record)
    view.hidden_reason, input_schema(record), view.agent_description  # what MCP serves
    json.dumps([view.to_json(), detail_json(record)])  # the panel's REST views


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_fuzzed_metadata_never_raises_anything_else(
    good: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    notebook = data.draw(hostile_notebooks(good))
    root = tmp_path_factory.mktemp("fuzz")
    path = root / "add.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    problem = notebook_problem(json.loads(path.read_text()))
    library = Library(root, notary_dir=str(root / "notary"))
    try:
        parse_entry(path, path.read_bytes(), 0.0)
    except NotToolNotebook as exc:
        assert problem is not None and "\n" not in str(exc)
    try:
        _is_tool_notebook(path)
    except LibraryError as exc:  # import refuses it with one line
        assert "\n" not in str(exc)
    listed = library.tools()
    if problem is None:
        assert len(listed) == 1 or library.errors  # e.g. no tool code cell left
        if listed:
            _use_record(library, path)
    else:
        assert listed == [] and problem in library.errors[0], (problem, library.errors)
