"""A tool as a notebook that runs top to bottom in plain Jupyter, and read back.

The notebook is the tool's source of truth: a markdown cell for people, the
approved code, and the samples as asserts, so anyone can re-run and re-check it.
Reading one back (:func:`read_tool_notebook`, :func:`tool_record`) names what is
wrong with a damaged or hostile file in one line instead of raising a traceback.
Only core/library.py imports this module, and only when it reads or writes a
notebook: nbformat takes over a second to import.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import nbformat
from nbformat import NotebookNode

from .errors import LibraryError
from .record import ToolRecord
from .spec import Sample
from .tool_meta import notebook_problem

TOOL_ROLE = "tool"
SAMPLES_ROLE = "samples"
DOC_ROLE = "doc"


def _is_literal(text: str) -> bool:
    try:
        ast.literal_eval(text.strip())
        return True
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def _is_expression(source: str) -> bool:
    try:
        ast.parse(source, mode="eval")
        return True
    except SyntaxError:
        return False


def sample_as_assert(sample: Sample) -> str:
    """A sample as a plain ``assert`` line (doctest output becomes a comparison)."""
    if sample.kind != "example" or sample.expected is None:
        return sample.source
    expected = sample.expected.strip()
    if not _is_expression(sample.source):
        return "\n".join(
            [
                "# checked in the sandbox by its printed output:",
                *("# " + line for line in sample.as_doctest().split("\n")),
            ]
        )
    if _is_literal(expected):
        return f"assert ({sample.source}) == {expected}"
    return f"assert repr({sample.source}) == {expected!r}"


def samples_cell_source(
    name: str, samples: Sequence[Sample], kernel_names: Sequence[str] = ()
) -> str:
    """The samples cell: asserts, with samples that need kernel variables commented out."""
    if not samples:
        return f"# `{name}` was forged without samples.\nprint('no samples to check')"
    lines = [f"# Samples `{name}` was validated against. Run this cell to check it again."]
    needs_kernel = set(kernel_names)
    defined: set[str] = {name}
    for sample in samples:
        text = sample_as_assert(sample)
        try:
            tree = ast.parse(sample.source)
            loads = {
                n.id
                for n in ast.walk(tree)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            }
            stores = {
                n.id
                for n in ast.walk(tree)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
        except SyntaxError:
            loads, stores = set(), set()
        missing = sorted(
            n for n in loads if n in needs_kernel and n not in defined and not hasattr(builtins, n)
        )
        if missing:
            names = ", ".join(f"`{m}`" for m in missing)
            lines.append(f"# needs the kernel variable(s) {names}:")
            lines.extend("# " + line for line in text.split("\n"))
        else:
            lines.append(text)
        defined |= stores
    lines.append(f"print('all samples of {name} pass')")
    return "\n".join(lines)


def _edited_lines(metadata: dict[str, Any]) -> list[str]:
    """The markdown that says a person, not the model, wrote the saved code."""
    approved = metadata.get("approved")
    edited = approved.get("edited") if isinstance(approved, dict) else None
    if not isinstance(edited, dict):
        return []
    who = str(edited.get("by") or "a person")
    start = edited.get("from_attempt")
    source = f" from the model's attempt {start}" if isinstance(start, int) else ""
    lines = [f"The code below was edited by **{who}**{source} before approval."]
    diff = edited.get("diff")
    if isinstance(diff, str) and diff.strip():
        lines += ["", "```diff", diff.rstrip("\n"), "```"]
    return [*lines, ""]


def build_tool_notebook(
    *,
    name: str,
    code: str,
    description: str,
    signature: str,
    samples: Sequence[Sample],
    metadata: dict[str, Any],
    kernel_names: Sequence[str] = (),
) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["jupyter_forge"] = metadata
    version = metadata.get("version", 1)
    request = str(metadata.get("request", "")).strip()
    doc = [
        f"# `{name}` (v{version})",
        "",
        description or "(no description)",
        "",
        f"```python\n{signature}\n```",
        "",
        f"Forged by jupyter_forge with `{metadata.get('model', '?')}` from the request:",
        "",
        *("> " + line for line in request.split("\n")),
        "",
        *_edited_lines(metadata),
        f"Use it: `%forge load` this library in a kernel, or run this notebook and call `{name}(...)`.",
    ]
    nb.cells.append(
        nbformat.v4.new_markdown_cell(
            "\n".join(doc), metadata={"jupyter_forge": {"role": DOC_ROLE}}
        )
    )
    nb.cells.append(
        nbformat.v4.new_code_cell(
            code.rstrip("\n"),
            metadata={"jupyter_forge": {"role": TOOL_ROLE}, "tags": ["forge-tool"]},
        )
    )
    nb.cells.append(
        nbformat.v4.new_code_cell(
            samples_cell_source(name, samples, kernel_names),
            metadata={"jupyter_forge": {"role": SAMPLES_ROLE}, "tags": ["forge-samples"]},
        )
    )
    return cast(NotebookNode, nb)


def tool_code(nb: NotebookNode) -> str | None:
    """The approved code: the cell marked as the tool (first code cell as a fallback).

    Cells are read defensively: a shared notebook may hold anything in them.
    """
    cells = nb.get("cells")
    code_cells = [
        c
        for c in (cells if isinstance(cells, list) else [])
        if isinstance(c, dict) and c.get("cell_type") == "code" and isinstance(c.get("source"), str)
    ]  # nbformat.read joins a source stored as a list of lines
    for cell in code_cells:
        meta = cell.get("metadata")
        forge = meta.get("jupyter_forge") if isinstance(meta, dict) else None
        if isinstance(forge, dict) and forge.get("role") == TOOL_ROLE:
            return str(cell["source"])
    return str(code_cells[0]["source"]) if code_cells else None


def read_tool_notebook(path: Path) -> NotebookNode:
    """The notebook at ``path`` if it is a jupyter_forge tool notebook, else a LibraryError."""
    try:
        with path.open(encoding="utf-8") as handle:
            nb = nbformat.read(handle, as_version=4)
    except FileNotFoundError:
        raise LibraryError(f"no tool notebook at {path}: check the name with %forge list") from None
    except PermissionError:
        raise LibraryError(f"cannot read {path} (permission denied): fix its permissions") from None
    except Exception as exc:
        raise LibraryError(
            f"{path} is not a readable notebook ({type(exc).__name__}): restore it from "
            "version control or remove it"
        ) from None
    metadata = nb.get("metadata")
    if not isinstance(metadata, dict) or "jupyter_forge" not in metadata:
        raise LibraryError(
            f"{path} is not a jupyter_forge tool notebook (no jupyter_forge metadata)"
        )
    return cast("NotebookNode", nb)


def tool_record(
    path: Path, nb: NotebookNode, *, trusted: Callable[[NotebookNode], bool], location: str
) -> ToolRecord:
    """The record a tool notebook holds; ``trusted`` (the notary's check) runs only on a
    notebook that passed every other check."""
    problem = notebook_problem(nb)
    if problem is not None:  # hostile or damaged: named and skipped, never a traceback
        raise LibraryError(f"{path} is skipped: {problem}")
    meta = dict(nb.metadata["jupyter_forge"])
    code = tool_code(nb)
    if not code:
        raise LibraryError(f"{path} has no tool code cell: restore it or remove it")
    try:
        samples = [Sample.from_json(s) for s in meta.get("samples", [])]
    except Exception:
        samples = []
    return ToolRecord(
        name=str(meta.get("name") or path.stem),
        version=int(meta.get("version", 1)),
        code=code,
        path=path,
        description=str(meta.get("description", "")),
        signature=str(meta.get("signature", "")),
        request=str(meta.get("request", "")),
        model=str(meta.get("model", "")),
        model_id=str(meta.get("model_id", "")),
        samples=samples,
        schema=meta.get("schema"),
        validation=meta.get("validation"),
        requirements=list(meta.get("requirements", [])),
        findings=list(meta.get("findings", [])),
        created=str(meta.get("created", "")),
        updated=str(meta.get("updated", "")),
        approved=meta.get("approved"),
        trusted=trusted(nb),
        deprecated=meta.get("deprecated") if isinstance(meta.get("deprecated"), dict) else None,
        history=[h for h in meta.get("history", []) if isinstance(h, dict)],
        location=location,
        depends=[str(d) for d in meta.get("depends") or [] if isinstance(d, str)],
    )
