"""Hostile tool notebooks against every reader: how many commands end in a traceback?

Why: issue 15's target is "10,000 generated notebooks, 0 tracebacks from any
command". The test suite fuzzes 300 per run; this runs the same Hypothesis
strategies (:mod:`jupyter_forge.testing.metadata_strategies`) at scale.

Notebooks are drawn from a real saved tool notebook (with a history entry) whose
``jupyter_forge`` metadata has fields dropped, replaced by any JSON (NaN, 10**40,
lone surrogates), nested 200 deep, or made huge. Most are signed with a throwaway
notary, so the trusted paths (MCP serving) run too. They are written in batches
of ``--batch`` into a temp library folder, and each batch is read by:

- core: ``LibrarySet.tools()`` and the ``list`` lines/JSON rows, ``Library.get``
  of every file (``%forge load``), versions and diff, the catalog (cold, then
  warm from its cache file), ``ToolIndex`` search and ``best_match``,
  ``LibrarySet.index()``, ``stats_for`` and ``retirement_suggestions``, import's
  ``_is_tool_notebook``;
- MCP: ``list_library``, ``ToolServer.tools()`` and ``lookup`` of every file;
- the server extension: its cached listing (``core.tool_listing``: views, errors,
  search) and ``get_tool`` of every file with its detail JSON (history included);
- the CLI, in subprocesses, on ``--cli-sample`` notebooks of each batch:
  ``jupyter-forge list --json``, ``search``, ``stats``.

A traceback is any exception escaping one of these calls (a reader's documented
one-line refusal -- LibraryError, LookupError -- is not), or a CLI run that exits
non-zero or prints ``Traceback``. Error messages that span lines are counted too.

    .venv/bin/python -m benchmarks metadata-fuzz               # 10,000 notebooks
    .venv/bin/python -m benchmarks metadata-fuzz --n 500 --out /tmp/fuzz.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from jupyter_forge import __version__
from jupyter_forge.core.catalog import Catalog, read_catalog
from jupyter_forge.core.errors import ForgeError
from jupyter_forge.core.libraries import LibrarySet
from jupyter_forge.core.library import Library
from jupyter_forge.core.search import ToolIndex
from jupyter_forge.core.sharing import _is_tool_notebook
from jupyter_forge.core.signatures import notary as _notary
from jupyter_forge.core.tool_listing import ToolListing
from jupyter_forge.core.tool_meta import notebook_problem
from jupyter_forge.core.tool_view import detail_json
from jupyter_forge.core.usage import retirement_suggestions, stats_for
from jupyter_forge.mcp_server import ToolServer, describe_listing, list_library
from jupyter_forge.sandbox.limits import Limits
from jupyter_forge.server.libraries import get_tool
from jupyter_forge.testing.metadata_strategies import base_notebook, hostile_notebooks

from ._common import RESULTS, git_commit, machine_info, versions

ROOT = Path(__file__).parent.parent
QUERY = "add two numbers"
EXPECTED = (ForgeError, LookupError)  # one-line refusals the readers document
KEEP_EXAMPLES = 5  # traceback texts kept in the results file


@dataclass
class Counts:
    """Calls of one command, and how many ended badly."""

    runs: int = 0
    tracebacks: int = 0
    multi_line_errors: int = 0
    seconds: float = 0.0


@dataclass
class Tally:
    """Every command's counts, plus the first few tracebacks as text."""

    commands: dict[str, Counts] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def run(self, command: str, func: Callable[[], Any]) -> Any:
        """``func()``; an exception that is not a one-line refusal counts as a traceback."""
        counts = self.commands.setdefault(command, Counts())
        counts.runs += 1
        started = time.perf_counter()
        try:
            return func()
        except EXPECTED as exc:
            self.message(command, str(exc))
        except Exception:
            self.traceback(command, traceback.format_exc())
        finally:
            counts.seconds += time.perf_counter() - started
        return None

    def message(self, command: str, text: str) -> None:
        """A message shown to the user must be one line (a skipped notebook is named in it)."""
        if "\n" in text.strip():
            self.commands.setdefault(command, Counts()).multi_line_errors += 1

    def traceback(self, command: str, text: str) -> None:
        self.commands.setdefault(command, Counts()).tracebacks += 1
        if len(self.examples) < KEEP_EXAMPLES:
            self.examples.append(f"{command}: {text[-1500:]}")


def cli_command() -> list[str]:
    """The installed ``jupyter-forge`` script next to this Python, else ``-m``."""
    script = Path(sys.executable).with_name("jupyter-forge")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jupyter_forge.cli"]


def cli_env(work: Path) -> dict[str, str]:
    """This checkout's package, the throwaway notary, an empty user library and cache."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["JUPYTER_DATA_DIR"] = str(work / "notary")
    env["JUPYTER_FORGE_USER_LIBRARY"] = str(work / "user-library")
    env["JUPYTER_FORGE_CACHE"] = str(work / "cli-cache")
    env.pop("JUPYTER_FORGE_API_BASE", None)
    return env


def run_cli(tally: Tally, command: str, args: list[str], work: Path) -> None:
    """One CLI run: a non-zero exit or a ``Traceback`` on stderr is a traceback."""
    counts = tally.commands.setdefault(command, Counts())
    counts.runs += 1
    started = time.perf_counter()
    proc = subprocess.run(
        [*cli_command(), *args],
        env=cli_env(work),
        cwd=work,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    counts.seconds += time.perf_counter() - started
    if proc.returncode != 0 or "Traceback" in proc.stderr:
        tally.traceback(command, f"exit {proc.returncode}\n{proc.stderr}")
        return
    if "--json" in args:
        try:
            json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            tally.traceback(command, f"stdout is not JSON: {proc.stdout[-500:]}")
    for line in proc.stderr.splitlines():  # each skipped notebook: one line naming it
        if not line.startswith(("  skipped: ", "  note: ")):
            counts.multi_line_errors += 1


def list_rows(libs: LibrarySet) -> list[str]:
    """What ``jupyter-forge list`` prints and its ``--json`` rows, for every record."""
    records = libs.tools()
    out = []
    for r in records:
        line = f"  {r.name:24} v{r.version:<3} {r.description[:60]}"
        line.encode("utf-8")  # printing it must not fail either
        out.append(line)
        row = {"name": r.name, "version": r.version, "description": r.description}
        row.update({"signature": r.signature, "trusted": r.trusted, "model": r.model})
        row.update({"updated": r.updated, "deprecated": r.deprecated is not None})
        out.append(json.dumps(row))
    out.append(json.dumps({"errors": libs.errors}))
    return out


def use_record(tally: Tally, library: Library, name: str) -> None:
    """``%forge load`` / ``show`` / ``history`` / ``diff`` of one file."""
    record = library.get(name)
    f"{record.name} v{record.version} {record.signature} {record.request} {record.code}".encode()
    for sample in record.samples:
        sample.as_doctest()
    versions_ = record.versions()
    for version in versions_.versions:
        f"v{version.version:<3} {version.updated:24} {version.model:28} {version.note}".encode()
    tally.run("core.diff", versions_.diff)


def read_batch(tally: Tally, folder: Path, work: Path, notary_dir: Path) -> None:
    """Every in-process reader over one batch folder."""
    notary = str(notary_dir)
    stems = sorted(p.stem for p in folder.glob("*.ipynb"))
    libs = LibrarySet.default(folder, user="", notary_dir=notary)
    library = libs.primary
    for line in tally.run("core.list", lambda: list_rows(libs)) or []:
        if line.startswith("{") and '"errors"' in line:
            for error in json.loads(line)["errors"]:
                tally.message("core.list", error)
    for name in stems:
        tally.run("core.load", lambda name=name: use_record(tally, library, name))
        tally.run(
            "import.is_tool_notebook", lambda name=name: _is_tool_notebook(folder / f"{name}.ipynb")
        )

    cache = work / "cache" / folder.name

    def catalog_search() -> None:
        entries = read_catalog(folder, cache_dir=cache).entries()
        warm = Catalog(folder, cache).refresh()  # a new kernel: entries from the cache file
        if len(warm) != len(entries):
            raise RuntimeError(f"warm catalog has {len(warm)} entries, cold {len(entries)}")
        index = ToolIndex(entries)
        for hit in index.search(QUERY, k=20, include_deprecated=True):
            f"{hit.name:24} v{hit.entry.version:<3} {hit.confidence:4.0%}".encode()
        index.best_match(QUERY)

    tally.run("core.search", catalog_search)
    tally.run("core.index", lambda: libs.index().search(QUERY, k=10))

    def stats() -> None:
        records = libs.tools()
        found, _ = stats_for(records)
        retirement_suggestions(found, records, idle_days=30)

    tally.run("core.stats", stats)

    server = ToolServer(Library(folder, notary_dir=notary), limits=Limits())
    tally.run("mcp.list", lambda: list(describe_listing(list_library(server.library), folder)))
    tally.run("mcp.tools", server.tools)
    for name in stems:
        tally.run("mcp.lookup", lambda name=name: server.lookup(name))

    def listing() -> None:
        found = ToolListing(libs, cache_dir=work / "cache" / f"listing-{folder.name}").refresh()
        for error in found.errors:
            tally.message("server.listing", error)
        json.dumps([view.to_json() for view in found.views])
        found.index().search(QUERY, k=max(len(found.entries), 1), include_deprecated=True)

    def detail(name: str) -> None:
        json.dumps(detail_json(get_tool(libs, name, None)), default=str)

    tally.run("server.listing", listing)
    for name in stems:
        tally.run("server.get_tool", lambda name=name: detail(name))


def run_benchmark(n: int, batch: int, cli_sample: int, seed_: int) -> dict[str, Any]:
    commit = git_commit()  # before the run: files changed meanwhile are not what ran
    tally = Tally()
    problems = {"named": 0, "well_formed": 0, "signed": 0, "unsignable": 0}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="metadata-fuzz-") as tmp:
        work = Path(tmp)
        (work / "user-library").mkdir()
        notary_dir = work / "notary"
        notary = _notary(str(notary_dir))
        base = base_notebook(work / "base")
        pending: list[dict[str, Any]] = []
        batches = [0]

        def flush() -> None:
            import nbformat

            folder = work / f"batch{batches[0]:03d}"
            folder.mkdir()
            for i, notebook in enumerate(pending):
                index = batches[0] * batch + i
                try:
                    notary.sign(nbformat.from_dict(notebook))
                    problems["signed"] += 1
                except Exception:  # the notary cannot hash it: it stays untrusted
                    problems["unsignable"] += 1
                text = json.dumps(notebook)
                (folder / f"t{index:05d}.ipynb").write_text(text, encoding="utf-8")
                named = notebook_problem(json.loads(text)) is not None
                problems["named" if named else "well_formed"] += 1
            read_batch(tally, folder, work, notary_dir)
            if cli_sample:
                sample = work / f"cli{batches[0]:03d}"
                sample.mkdir()
                for path in sorted(folder.glob("*.ipynb"))[:cli_sample]:
                    shutil.copy(path, sample / path.name)
                lib = ["--library", str(sample)]
                run_cli(tally, "cli.list --json", ["list", "--json", *lib], work)
                run_cli(tally, "cli.search", ["search", *QUERY.split(), *lib], work)
                run_cli(tally, "cli.stats", ["stats", *lib], work)
                shutil.rmtree(sample)
            shutil.rmtree(folder)
            pending.clear()
            batches[0] += 1
            done = problems["named"] + problems["well_formed"]
            tracebacks = sum(c.tracebacks for c in tally.commands.values())
            elapsed = time.perf_counter() - started
            print(f"{done:>6} notebooks  {tracebacks} tracebacks  {elapsed:7.1f} s", flush=True)

        @seed(seed_)
        @settings(
            max_examples=n,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def generate(data: st.DataObject) -> None:
            pending.append(data.draw(hostile_notebooks(base)))
            if len(pending) >= batch:
                flush()

        generate()
        if pending:
            flush()
    commands = {
        name: vars(c) | {"seconds": round(c.seconds, 2)} for name, c in tally.commands.items()
    }
    return {
        "benchmark": "metadata_fuzz",
        "command": f"python -m benchmarks metadata-fuzz --n {n} --batch {batch} "
        f"--cli-sample {cli_sample} --seed {seed_}",
        "n": problems["named"] + problems["well_formed"],
        "tracebacks": sum(c.tracebacks for c in tally.commands.values()),
        "multi_line_errors": sum(c.multi_line_errors for c in tally.commands.values()),
        "notebooks": problems,
        "commands": commands,
        "examples": tally.examples,
        "seconds": round(time.perf_counter() - started, 1),
        "jupyter_forge": __version__,
        "commit": commit,
        "machine": machine_info(),
        "versions": versions("hypothesis", "nbformat"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks metadata-fuzz", description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="notebooks to generate")
    parser.add_argument("--batch", type=int, default=500, help="notebooks per library folder")
    parser.add_argument(
        "--cli-sample", type=int, default=25, help="notebooks per batch given to the CLI"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--note", default="", help="e.g. that the machine was busy")
    parser.add_argument("--out", type=Path, default=RESULTS / "metadata_fuzz.json")
    args = parser.parse_args(argv)
    result = run_benchmark(args.n, args.batch, args.cli_sample, args.seed)
    if args.note:
        result["note"] = args.note
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{result['n']} notebooks, {result['tracebacks']} tracebacks, "
        f"{result['multi_line_errors']} multi-line messages, {result['seconds']} s -> {args.out}"
    )
    return 1 if result["tracebacks"] else 0


if __name__ == "__main__":
    sys.exit(main())
