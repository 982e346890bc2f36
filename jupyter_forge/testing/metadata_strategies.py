"""Hypothesis strategies for hostile tool-notebook metadata (wrong types, huge, deep, unicode).

Why here and not under ``tests/``: the fuzz test (300 examples per run) and
``python -m benchmarks metadata-fuzz`` (10,000) must draw from one generator, or
the benchmark's "0 tracebacks" would say nothing about what the test checks.
Needs Hypothesis (a dev dependency); nothing in the package imports this module.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

SCALARS: st.SearchStrategy[Any] = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)  # any unicode, surrogates included
)
JSON: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
FIELDS = [
    "format", "name", "version", "description", "signature", "request", "model", "model_id",
    "samples", "schema", "validation", "requirements", "findings", "created", "updated",
    "approved", "deprecated", "depends", "history",
]  # fmt: skip
ACTIONS = ["drop", "junk", "deep", "huge", "history"]

_CODE_V1 = 'def add(a: int, b: int) -> int:\n    """Add two numbers."""\n    return a + b\n'
_CODE_V2 = "def add(a, b):\n    return b + a\n"


def deep(depth: int) -> Any:
    """``{"k": [{"k": [... "x"]}]}`` nested ``depth`` times (past every sane reader's limit)."""
    value: Any = "x"
    for _ in range(depth):
        value = {"k": [value]}
    return value


def base_notebook(root: Path) -> dict[str, Any]:
    """A real tool notebook saved twice through the library, so it carries a history entry."""
    from ..core.library import Library
    from ..core.spec import Sample

    library = Library(root / "tools", notary_dir=str(root / "notary"))
    record = None
    for code in (_CODE_V1, _CODE_V2):
        record = library.save(
            name="add",
            code=code,
            description="Add two numbers.",
            signature="add(a: int, b: int) -> int",
            request="Add two numbers.",
            model="openai/scripted",
            samples=[
                Sample("add(1, 2)", "example", "3\n"),
                Sample("assert add(2, 2) == 4", "assert"),
            ],
            schema={
                "type": "function",
                "function": {"name": "add", "description": "Add two numbers.", "parameters": {}},
            },
            validation={"passed": True, "results": []},
            requirements=["numpy"],
            findings=["line 1: imports os (operating system access)"],
            approved_how="test",
        )
    assert record is not None
    data: dict[str, Any] = json.loads(record.path.read_text(encoding="utf-8"))
    return data


@st.composite
def hostile_notebooks(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """A saved notebook with some fields removed, replaced by junk, or nested deep."""
    notebook = copy.deepcopy(base)
    meta = notebook["metadata"]["jupyter_forge"]
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=5, unique=True)):
        action = draw(st.sampled_from(ACTIONS))
        if action == "drop":
            meta.pop(key, None)
        elif action == "junk":
            meta[key] = draw(JSON)
        elif action == "deep":
            meta[key] = deep(draw(st.integers(min_value=1, max_value=200)))
        elif action == "huge":
            meta[key] = draw(st.sampled_from([10**20, -1, 0, 1e308, "x" * 100_000, [0] * 20_000]))
        elif (
            isinstance(meta.get("history"), list)
            and meta["history"]
            and isinstance(meta["history"][0], dict)
        ):
            meta["history"][0][draw(st.sampled_from(["version", "code", "samples"]))] = draw(JSON)
    if draw(st.booleans()):
        notebook["metadata"]["jupyter_forge"] = draw(JSON) if draw(st.booleans()) else meta
    return notebook
