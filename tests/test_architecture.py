"""The package keeps its layers (docs/architecture.md) and has no import cycle.

The layers are the import-linter contracts in pyproject.toml; cycles are found with
grimp, the graph import-linter uses. Both count imports inside functions and under
``TYPE_CHECKING``: a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import grimp

import jupyter_forge

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "jupyter_forge"
_LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def test_the_package_under_test_is_this_checkout() -> None:
    """Worktrees share a venv: the graph must be this checkout's, not the installed one's."""
    assert Path(jupyter_forge.__file__).resolve().parent == ROOT / PACKAGE, (
        f"jupyter_forge is imported from {jupyter_forge.__file__}: run with PYTHONPATH={ROOT}"
    )


def test_every_import_contract_is_kept() -> None:
    """``lint-imports`` on pyproject.toml, as a person would run it from the repository root."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", _LINT, "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    counts = re.search(r"Contracts: (\d+) kept, (\d+) broken", report)
    assert counts is not None, report
    assert int(counts[1]) > 0 and counts[2] == "0", report


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected component of more than one module, each sorted."""
    modules = {m for m in graph.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")}
    upstream = {m: graph.find_upstream_modules(m) for m in modules}
    cycles = {
        frozenset({m} | {other for other in upstream[m] if m in upstream.get(other, ())})
        for m in modules
    }
    return sorted(sorted(cycle) for cycle in cycles if len(cycle) > 1)


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    """The imports inside one cycle, with their lines, so a failure says what to move."""
    lines = [" <-> ".join(cycle)]
    for importer in cycle:
        for imported in cycle:
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(
                    f"  {importer}:{detail['line_number']} {detail['line_contents'].strip()}"
                )
    return "\n".join(lines)


def test_no_import_cycle_among_the_package_modules() -> None:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(describe(graph, c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above would see one: a graph with a two-module cycle and a chain."""
    graph = grimp.ImportGraph()
    for name in (PACKAGE, f"{PACKAGE}.a", f"{PACKAGE}.b", f"{PACKAGE}.c"):
        graph.add_module(name)
    graph.add_import(importer=f"{PACKAGE}.a", imported=f"{PACKAGE}.b")
    graph.add_import(importer=f"{PACKAGE}.b", imported=f"{PACKAGE}.a")
    graph.add_import(importer=f"{PACKAGE}.c", imported=f"{PACKAGE}.a")
    assert import_cycles(graph) == [[f"{PACKAGE}.a", f"{PACKAGE}.b"]]
