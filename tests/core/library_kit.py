"""Shared helpers for the library tests: a sample tool and a one-call save."""

from __future__ import annotations

from typing import Any

from jupyter_forge.core.library import Library, ToolRecord
from jupyter_forge.core.spec import Sample

CODE_V1 = 'def add(a: int, b: int) -> int:\n    """Add two numbers."""\n    return a + b\n'
CODE_V2 = 'def add(a: int, b: int) -> int:\n    """Add two numbers (v2)."""\n    return b + a\n'
SAMPLES = [Sample("add(1, 2)", "example", "3\n"), Sample("assert add(2, 2) == 4", "assert")]
SCHEMA = {
    "type": "function",
    "function": {"name": "add", "description": "Add two numbers.", "parameters": {}},
}


def save(library: Library, code: str = CODE_V1, name: str = "add", **extra: Any) -> ToolRecord:
    kwargs: dict[str, Any] = {
        "name": name,
        "code": code,
        "description": "Add two numbers.",
        "signature": "add(a: int, b: int) -> int",
        "request": "Add two numbers.",
        "model": "openai/scripted",
        "samples": SAMPLES,
        "schema": SCHEMA,
        "validation": {"passed": True, "results": []},
        "requirements": ["numpy"],
        "findings": ["line 1: imports os (operating system access)"],
        "approved_how": "test",
    }
    kwargs.update(extra)
    return library.save(**kwargs)


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text, text
    return text
