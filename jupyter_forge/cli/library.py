"""``jupyter-forge`` commands that manage the libraries (the CLI face of ``%forge``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..core.errors import LibraryError
from ..core.history import parse_version
from ..core.libraries import LibrarySet
from ..core.sharing import export_module, export_notebooks, import_notebooks
from ..core.spec import ForgeSpec, check_tool_name
from ..core.tool_view import ToolView
from .app import forge_from_args
from .terminal import ask, print_samples


def _forge_of(args: argparse.Namespace) -> Any:
    return forge_from_args(args)


def _libs(args: argparse.Namespace) -> LibrarySet:
    libs: LibrarySet = forge_from_args(args).open_libraries()
    return libs


def _name(args: argparse.Namespace) -> str:
    return check_tool_name(args.name, allow_builtin=True)


def cmd_list(args: argparse.Namespace) -> int:
    library = _forge_of(args).open_libraries()
    records = library.tools()
    if args.json:
        print(
            json.dumps(
                {
                    "library": str(library.primary.root),
                    "libraries": [
                        {"label": lib.label, "path": str(lib.root), "writable": lib.writable}
                        for lib in library.libraries
                    ],
                    "tools": [
                        {
                            "name": v.name,
                            "version": v.version,
                            "description": v.description,
                            "signature": v.signature,
                            "trusted": v.trusted,
                            "status": v.status,
                            "deprecated": v.deprecated is not None,
                            "location": v.library,
                            "path": str(v.path),
                            "model": v.model,
                            "updated": v.updated,
                        }
                        for v in map(ToolView.of, records)
                    ],
                    "errors": library.errors,
                }
            )
        )
        return 0
    where = ", ".join(f"{lib.label} {lib.root}" for lib in library.libraries)
    print(f"{len(records)} tool(s) in {where}")
    for v in map(ToolView.of, records):
        trust = ("" if v.trusted else "  [untrusted]") + ("  [deprecated]" if v.deprecated else "")
        print(f"  {v.name:24} v{v.version:<3} {v.description[:60]}{trust}")
    for error in library.errors:
        print(f"  skipped: {error}", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    record = _forge_of(args).open_libraries().find(check_tool_name(args.name, allow_builtin=True))
    print(
        f"{record.name} v{record.version}  {record.signature}  ({'trusted' if record.trusted else 'untrusted'})"
    )
    print(f"model: {record.model}  updated: {record.updated}  path: {record.path}")
    print(f"request: {record.request}\n")
    print(record.code)
    for sample in record.samples:
        print(sample.as_doctest())
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    name = check_tool_name(args.name, allow_builtin=True)
    libs = _forge_of(args).open_libraries()
    library = libs.writable_library_of(name)
    callers = [r.name for r in libs.tools() if name in r.depends]
    if callers and not args.force:
        raise LibraryError(
            f"`{name}` is called by {', '.join(callers)}: remove or re-forge them first, or pass --force"
        )
    print(f"removed {library.remove(name)}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    libs = _libs(args)
    hits = libs.index().search(" ".join(args.query), k=args.k, include_deprecated=args.all)
    if args.json:
        rows = [
            {
                "name": h.name,
                "score": h.score,
                "confidence": h.confidence,
                "version": h.entry.version,
                "description": h.entry.description,
                "path": str(h.entry.path),
                "deprecated": h.entry.deprecated,
            }
            for h in hits
        ]
        print(json.dumps({"query": " ".join(args.query), "hits": rows, "errors": libs.errors}))
        return 0
    for hit in hits:
        print(
            f"  {hit.name:24} v{hit.entry.version:<3} {hit.confidence:4.0%}  {hit.entry.description[:60]}"
        )
    if not hits:
        print("no tool matches: forge one with `jupyter-forge create`")
    for error in libs.errors:
        print(f"  skipped: {error}", file=sys.stderr)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    record = _libs(args).find(_name(args))
    for version in reversed(record.versions().versions):
        verdict = {True: "passed", False: "FAILED", None: "?"}[version.passed]
        flags = (" (current)" if version.current else "") + (
            "" if version.reviewed else " [unreviewed]"
        )
        print(
            f"v{version.version:<3} {version.updated:24} {version.model:28} {verdict:7}{flags}  {version.note}"
        )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    history = _libs(args).find(_name(args)).versions()
    old = parse_version(args.old) if args.old else None
    new = parse_version(args.new) if args.new else None
    sys.stdout.write(history.diff(old, new))
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    name = _name(args)
    record = _libs(args).writable_library_of(name).rollback(name, parse_version(args.version))
    print(f"{name} is now v{record.version} (the code of {args.version})")
    return 0


def cmd_deprecate(args: argparse.Namespace) -> int:
    name = _name(args)
    library = _libs(args).writable_library_of(name)
    if args.undo:
        library.undeprecate(name)
        print(f"{name} is no longer deprecated")
    else:
        library.deprecate(name, args.reason)
        print(f"{name} is deprecated (hidden from search and prompts; still loadable by name)")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """The CLI's approval: show the code and a fresh sandbox run, then ask before trusting."""
    from ..core.result import ForgeResult

    name = _name(args)
    libs = _libs(args)
    library = libs.library_of(name)
    record = library.get(name)
    if record.trusted:
        print(f"{name} v{record.version} is already trusted on this machine ({record.path})")
        return 0
    print(f"{name} v{record.version} from {record.path} is NOT trusted on this machine.\n")
    print(record.code, "\n")
    spec = ForgeSpec(name, record.request or record.description, tuple(record.samples))
    result = forge_from_args(args).revalidate(
        ForgeResult(spec=spec, model=record.model), record.code
    )
    if result.report is not None:
        print_samples(result.report.results)
    for finding in result.findings:
        print(f"  finding: {finding}")
    if result.code is None or result.code.strip() != record.code.strip():
        raise LibraryError(
            f"{record.path} holds code besides the tool (top-level statements): remove them first"
        )
    if not result.passed:
        print("its samples do not pass here", file=sys.stderr)
    if not (args.yes or ask(f"Trust {name} v{record.version} on this machine? [y/N] ")):
        print("not trusted (nothing changed)")
        return 1
    library.trust(name)
    print(f"{name} v{record.version} is trusted on this machine")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    libs = _libs(args)
    names = [check_tool_name(n, allow_builtin=True) for n in args.names]
    records = (
        [libs.find(n) for n in names] if names else [r for r in libs.tools() if not r.deprecated]
    )
    if args.module:
        print(f"wrote {export_module(records, args.module, find=libs.find)}")
    else:
        for path in export_notebooks(records, args.to):
            print(f"copied {path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    library = _libs(args).primary
    names = import_notebooks(args.source, library, replace=args.replace)
    print(
        f"imported {', '.join(names)} into {library.root} (untrusted until `jupyter-forge review NAME`)"
    )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from ..core.usage import retirement_suggestions, stats_for

    libs = _libs(args)
    records = libs.tools()
    stats, errors = stats_for(records)
    advice = {
        s.name: s.reason for s in retirement_suggestions(stats, records, idle_days=args.idle_days)
    }
    for record in records:
        s = stats.get(record.name)
        print(
            f"  {record.name:24} v{record.version:<3} calls {s.calls if s else 0:<6} "
            f"failures {s.failures if s else 0:<4} {advice.get(record.name, '')}"
        )
    for error in errors + libs.errors:
        print(f"  note: {error}", file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    """Add the library commands to the ``jupyter-forge`` parser."""
    _add_browsing(sub)
    _add_versions(sub)
    _add_sharing(sub)


def _add(
    sub: Any, command: str, func: Any, help_text: str, *, name: bool = True
) -> argparse.ArgumentParser:
    """A library command: the tool's name (unless ``name`` is False) and ``--library``."""
    p: argparse.ArgumentParser = sub.add_parser(command, help=help_text)
    if name:
        p.add_argument("name", help="the tool's name")
    p.add_argument("--library", "-l", help="project library (default: Forge.library)")
    p.set_defaults(func=func)
    return p


def _add_browsing(sub: Any) -> None:
    """``list``, ``show``, ``remove`` and ``search``."""
    listing = _add(sub, "list", cmd_list, "tools in the library", name=False)
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    _add(sub, "show", cmd_show, "a tool's code and samples")
    remove = _add(sub, "remove", cmd_remove, "delete a tool")
    remove.add_argument("--force", action="store_true", help="even if other tools call it")
    search = _add(
        sub, "search", cmd_search, "tools ranked by how well they match a query", name=False
    )
    search.add_argument("query", nargs="+", help="words describing the tool")
    search.add_argument("-k", type=int, default=10, help="how many results (default: 10)")
    search.add_argument("--all", action="store_true", help="include deprecated tools")
    search.add_argument("--json", action="store_true", help="print the results as JSON")


def _add_versions(sub: Any) -> None:
    """A tool's versions and standing: ``history``, ``diff``, ``rollback``, ``deprecate``,
    ``review``."""
    _add(sub, "history", cmd_history, "a tool's versions")
    diff = _add(
        sub, "diff", cmd_diff, "changes between two versions (default: previous vs current)"
    )
    diff.add_argument("old", nargs="?", help="the older version, e.g. v1")
    diff.add_argument("new", nargs="?", help="the newer version, e.g. v3")
    rollback = _add(sub, "rollback", cmd_rollback, "restore an earlier version as a new one")
    rollback.add_argument("version", help="the version to restore, e.g. v2")
    deprecate = _add(sub, "deprecate", cmd_deprecate, "hide a tool from search and prompts")
    deprecate.add_argument("--reason", default="", help="why, shown with the tool")
    deprecate.add_argument("--undo", action="store_true", help="make it current again")
    review = _add(sub, "review", cmd_review, "review an untrusted tool (sandbox run) and trust it")
    review.add_argument(
        "--yes", action="store_true", help="trust without asking (after reading it)"
    )


def _add_sharing(sub: Any) -> None:
    """``export``, ``import`` and ``stats``."""
    export = _add(
        sub, "export", cmd_export, "copy tool notebooks, or write a plain module", name=False
    )
    export.add_argument(
        "names", nargs="*", help="tools to export (default: every tool not deprecated)"
    )
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", help="a folder to copy the tool notebooks to")
    target.add_argument(
        "--module", help="a .py file to write: the tools and their dependencies, plain Python"
    )
    imp = _add(
        sub, "import", cmd_import, "copy tool notebooks into the project library", name=False
    )
    imp.add_argument("source", help="a library folder or one tool notebook")
    imp.add_argument("--replace", action="store_true", help="overwrite tools of the same name")
    stats = _add(
        sub, "stats", cmd_stats, "calls and failures per tool, and what to retire", name=False
    )
    stats.add_argument(
        "--idle-days",
        type=float,
        default=30.0,
        dest="idle_days",
        help="suggest retiring tools unused for this many days (default: 30)",
    )
