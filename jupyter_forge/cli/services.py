"""``jupyter-forge model``, ``sandbox`` and ``mcp``: what runs beside the library.

The embedded local model's server, the validation sandbox, and the MCP server
offering the library's approved tools.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ..core.errors import ForgeError
from ..llm.models import DEFAULT_MODEL
from .app import forge_from_args


def cmd_model(args: argparse.Namespace) -> int:
    from ..llm import local

    spec = local.resolve_local(args.model or DEFAULT_MODEL)
    if spec is None:
        raise ForgeError(
            f"`{args.model}` is not an embedded local model: use local-1.5b (the default) or local (0.5B)"
        )
    if args.action == "pull":
        started = time.perf_counter()
        last = [-1]

        def show(done: int, total: int) -> None:
            percent = int(done * 100 / total) if total else 100
            if percent != last[0] and percent % 10 == 0:
                last[0] = percent
                print(f"assembling {spec.key}: {percent}%", file=sys.stderr)

        path = local.pull(spec, progress=show)
        print(f"{spec.key}: {path} (SHA-256 verified, {time.perf_counter() - started:.1f} s)")
    elif args.action == "serve":
        keep_alive = args.keep_alive
        if keep_alive is None:  # the settings' (config file, $JUPYTER_FORGE_MODEL_KEEP_ALIVE)
            keep_alive = forge_from_args(args).model_keep_alive
        server = local.ensure_server(
            spec, progress=lambda m: print(m, file=sys.stderr), keep_alive=keep_alive
        )
        print(f"{spec.key} serving at {server.api_base} (pid {server.pid}, log {server.log_path})")
    elif args.action == "status":
        running = local.status(spec)
        cached = local.model_path(spec)
        print(
            f"{spec.key}: model file {'present' if cached.exists() else 'not assembled yet'} at {cached}"
        )
        print(f"server: {local.describe_server(spec, running)}")
    elif args.action == "stop":
        stopped = local.stop_server(spec)
        print("stopped" if stopped else "no server was running")
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    from ..core.spec import Sample
    from ..sandbox import active_layers, missing_layers, validate
    from ..sandbox.check import run_checks
    from ..sandbox.layers import check_policy

    for layer in active_layers():
        print(f"  active   {layer}")
    for layer in missing_layers():
        print(f"  missing  {layer}")
    report = validate("def ok() -> int:\n    return 1\n", "ok", [Sample("ok()", "example", "1\n")])
    print(f"round trip: {'ok' if report.passed else 'FAILED'} in {report.seconds * 1000:.0f} ms")
    outcomes = run_checks()
    for outcome in outcomes:
        verdict = "blocked" if outcome.blocked else "ESCAPED"
        print(f"  {verdict:8} {outcome.attack:40} {outcome.detail}")
    escaped = [o for o in outcomes if not o.blocked]
    print(f"attacks: {len(outcomes) - len(escaped)}/{len(outcomes)} blocked")
    check_policy(frozenset(args.require))  # raises a one-line SandboxError (exit 2)
    return 0 if report.passed and not escaped else 1


def cmd_mcp(args: argparse.Namespace) -> int:
    """Serve the library's trusted, non-deprecated tools over MCP on stdio (see mcp_server)."""
    from ..core.library import Library
    from ..mcp_server import run

    forge = forge_from_args(args)
    library = Library(Path(args.library or forge.library).resolve(), notary_dir=args.notary_dir)
    return run(library, limits=forge.limits(args.timeout))


def _keep_alive(text: str) -> float:
    from ..llm.keep_alive import parse_keep_alive

    try:
        return parse_keep_alive(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a duration: {text!r} (use 300, 5m, 1h, 0 or -1)"
        ) from None


def add_model(sub: Any) -> None:
    """The ``model`` command's arguments."""
    model = sub.add_parser("model", help="the embedded local model")
    model.add_argument(
        "action",
        choices=["pull", "serve", "status", "stop"],
        help="pull: assemble and verify the model; serve: start its server; status; stop",
    )
    model.add_argument(
        "--model",
        "-m",
        default=DEFAULT_MODEL,
        help="local-1.5b (the default) or local (0.5B: smaller, faster)",
    )
    model.add_argument(
        "--keep-alive",
        type=_keep_alive,
        help="serve: idle time before the server exits (300, 5m, 1h; 0: after each forge, "
        "-1: never; default: Forge.model_keep_alive, 5m)",
    )
    model.set_defaults(func=cmd_model)


def add_sandbox(sub: Any) -> None:
    """The ``sandbox`` command's arguments."""
    sandbox = sub.add_parser("sandbox", help="the validation sandbox")
    sandbox.add_argument(
        "action", choices=["check"], help="check: list the layers and try attacks on bait"
    )
    sandbox.add_argument(
        "--require",
        action="append",
        default=[],
        metavar="LAYER",
        help="fail unless this layer is active, e.g. 'seccomp syscall filter'",
    )
    sandbox.set_defaults(func=cmd_sandbox)


def add_mcp(sub: Any) -> None:
    """The ``mcp`` command's arguments."""
    mcp = sub.add_parser("mcp", help="serve the library's approved tools over MCP (stdio)")
    mcp.add_argument("--library", "-l", help="tool library folder (default: Forge.library)")
    mcp.add_argument(
        "--notary-dir",
        help="notebook notary (trust) database folder (default: the Jupyter data dir)",
    )
    mcp.add_argument(
        "--timeout", type=float, help="seconds per call (default: Forge.sample_timeout)"
    )
    mcp.set_defaults(func=cmd_mcp)
