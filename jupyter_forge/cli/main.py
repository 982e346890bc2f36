"""``jupyter-forge``: the same pipeline without a kernel, for scripts, CI and benchmarks.

With ``--json`` the last line of stdout is one JSON object (a stable contract);
progress goes to stderr. The commands and their parser live here, with the entry
point; the application around them (config files, ``--Forge.NAME=VALUE``, each
command's ``Forge``) is :mod:`.app`, and the library commands are :mod:`.library`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from ..core import auto_approve
from ..core.errors import CANCELLED, ForgeCancelled, ForgeError
from ..core.spec import ForgeSpec, check_tool_name, merge_samples, parse_cell, parse_sample_strings
from ..llm.models import DEFAULT_MODEL
from .app import forge_from_args
from .app import main as run_app
from .library import register
from .terminal import ask, print_samples

# `create --yes` on a tool that passed its samples but needs a person's review (a doubtful
# verdict): not an error of the tool, not a success; scripts can tell it apart.
EXIT_NEEDS_A_PERSON = 3
# `create` when a library tool already does what is asked (retrieval before creation).
EXIT_EXISTING = 4
SETTINGS_HELP = (
    "Every command reads the Forge settings from jupyter_forge_config.py/.json in the "
    "Jupyter config path (jupyter --paths); --Forge.NAME=VALUE sets one for this run "
    "(e.g. --Forge.attempts=3), --config FILE reads another file, --generate-config "
    "writes one listing every setting, --debug shows which files were read, and "
    "--help-all lists every setting. `jupyter forge ...` is the same command."
)


class StderrProgress:
    """Stage lines on stderr; streamed tokens too when stderr is a terminal."""

    def __init__(self, stream: TextIO, *, tokens: bool) -> None:
        self.stream, self.tokens, self._mid_line = stream, tokens, False

    def end_line(self) -> None:
        """Finish a line of streamed tokens, so what follows starts on its own line."""
        if self._mid_line:
            self.stream.write("\n")
            self._mid_line = False

    def stage(self, name: str, message: str) -> None:
        self.end_line()
        self.stream.write(f"forge · {message}\n")
        self.stream.flush()

    def token(self, text: str) -> None:
        if self.tokens:
            self.stream.write(text)
            self.stream.flush()
            self._mid_line = True


def _samples(values: list[str]) -> list[Any]:
    return parse_sample_strings(values, origin="--sample")


def cmd_create(args: argparse.Namespace) -> int:
    name = check_tool_name(args.name)
    spec = parse_cell(name, args.request, origin="request")
    spec = ForgeSpec(name, spec.request, merge_samples(spec.samples, _samples(args.sample)))
    forge = forge_from_args(args)
    compose = _compose_records(forge, args.compose, name)
    if not args.new and forge.reuse_check:
        existing = forge.existing_tool(spec, compose=[r.name for r in compose])
        if existing is not None:
            return _offer_existing(spec, existing, args.json)
    progress = StderrProgress(sys.stderr, tokens=sys.stderr.isatty() and not args.json)
    started = time.perf_counter()
    try:
        result = forge.create(
            spec, attempts=args.attempts, progress=progress, compose=compose, template=args.template
        )
    except KeyboardInterrupt:
        progress.end_line()
        raise ForgeCancelled(CANCELLED) from None
    path: str | None = None
    approved = False
    stepped_back = auto_approve.refusal(result) if result.passed and args.yes else None
    if result.passed and stepped_back is None:
        if not args.json:
            print(result.code)
            print_samples(result.report.results if result.report else [])
            if result.doubtful:
                print(f"warning: {result.status_line()}", file=sys.stderr)
        try:
            approved = args.yes or ask(f"Approve and save `{name}`? [y/N] ")
        except KeyboardInterrupt:
            print(file=sys.stderr)  # after the prompt's line
            raise ForgeCancelled(CANCELLED) from None
        if approved:
            composition = forge.composition(name, compose)
            record = forge.save(
                result,
                approved_how="cli --yes" if args.yes else "cli prompt",
                depends=composition.depends(result.code or "") if composition else (),
            )
            path = str(record.path)
    result.timings["total"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(_result_json(result, path, approved)))
    if stepped_back is not None:
        print(
            f"--yes refused: {stepped_back}; nothing was saved: run without --yes to review "
            "it at the prompt",
            file=sys.stderr,
        )
        print(result.status_line(), file=sys.stderr)
        return EXIT_NEEDS_A_PERSON
    if args.json:
        pass  # the JSON above says it all
    elif path:
        print(f"saved `{name}` v{record.version} to {path}")
    elif result.passed:
        print(
            f"`{name}` passed but was not approved: nothing was saved (use --yes to approve)",
            file=sys.stderr,
        )
    else:
        print(result.status_line(), file=sys.stderr)
        if result.code:
            print(result.code, file=sys.stderr)
    return 0 if (result.passed and path) else 1


def _offer_existing(spec: ForgeSpec, record: Any, as_json: bool) -> int:
    """Retrieval before creation: name the tool that already does this; forge nothing."""
    checked = (
        f"; it passes the {len(spec.samples)} sample(s) in the sandbox" if spec.samples else ""
    )
    line = (
        f"an existing tool already does this: `{record.name}` v{record.version} "
        f"({record.location} library): {record.description.rstrip('.')}{checked}. "
        f"Use it (jupyter-forge show {record.name}), or forge `{spec.name}` anyway with --new"
    )
    if as_json:
        print(
            json.dumps(
                {
                    "name": spec.name,
                    "passed": False,
                    "approved": False,
                    "existing": {
                        "name": record.name,
                        "version": record.version,
                        "location": record.location,
                        "signature": record.signature,
                        "trusted": record.trusted,
                    },
                }
            )
        )
    print(line, file=sys.stderr)
    return EXIT_EXISTING


def _compose_records(forge: Any, raw: str | None, name: str) -> list[Any]:
    """The trusted tools ``--compose`` names; untrusted ones must be reviewed first."""
    from ..core.compose import resolve_compose

    records, warnings = resolve_compose(
        raw,
        name,
        forge.open_libraries().find,
        how_to_review=lambda blocked: "review each with `jupyter-forge review NAME` first",
    )
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return records


def _result_json(result: Any, path: str | None, approved: bool) -> dict[str, Any]:
    return {
        "name": result.spec.name,
        "passed": result.passed,
        "verdict": result.verdict,
        "approved": approved,
        "attempts": len(result.attempts),
        "model": result.model,
        "code": result.code,
        "samples": [r.to_json() for r in (result.report.results if result.report else [])],
        "load_error": result.report.load_error if result.report else None,
        "problems": result.shown.problems if result.shown else [],
        "notes": result.shown.notes if result.shown else [],
        "hinted": result.shown.hinted if result.shown else [],
        "findings": result.findings,
        "requirements": result.requirements,
        "preview": [p.to_json() for p in result.preview],
        "path": path,
        "timings": {k: round(v, 4) for k, v in result.timings.items()},
        "tokens": {
            "prompt": sum(a.prompt_tokens or 0 for a in result.attempts),
            "completion": sum(a.completion_tokens or 0 for a in result.attempts),
        },
        "attempt_log": [a.to_json() for a in result.attempts],
    }


def cmd_validate(args: argparse.Namespace) -> int:
    from ..core.extract import extract_function
    from ..core.findings import static_findings, third_party_imports
    from ..core.hints import missing_hints, suggest
    from ..core.requirements import install_command, missing_requirements

    name = check_tool_name(args.name, allow_builtin=True)
    try:
        code = Path(args.file).read_text(encoding="utf-8")
    except OSError as exc:
        raise ForgeError(f"cannot read {args.file} ({exc.strerror})") from None
    extraction = extract_function(f"```python\n{code}\n```", name)
    samples = _samples(args.sample)
    forge = forge_from_args(args)
    report = forge.validate_code(extraction.code or code, name, samples)
    passed = report.passed and not extraction.problems
    hints: dict[str, str] = {}
    if passed and samples and missing_hints(code, name) != ([], False):
        # Like the forge: the types the samples' own calls passed, to copy into the code.
        observed = forge.validate_code(extraction.code or code, name, samples, observe=True)
        hints = suggest(extraction.code or code, name, observed.observed)
    missing = missing_requirements(third_party_imports(extraction.code or code))
    if args.json:
        payload = report.to_json()
        payload.update(
            passed=passed,
            problems=extraction.problems,
            notes=extraction.notes,
            findings=static_findings(code),
            name=name,
            missing_packages=missing,
            hints_from_samples=hints,
        )
        print(json.dumps(payload))
    else:
        for problem in extraction.problems:
            print(f"problem: {problem}")
        for note in extraction.notes:
            print(f"missing: {note}")
        for param, hint in hints.items():
            where = "returns" if param == "return" else f"`{param}`"
            print(f"hint from the samples: {where} {hint}")
        if report.load_error:
            print(f"load error: {report.load_error}")
        print_samples(report.results)
        for finding in static_findings(code):
            print(f"review: {finding}")
        if missing:
            command = install_command(missing).replace("%pip", "python -m pip")
            print(f"needs {', '.join(missing)}, not installed (to install it yourself: {command})")
        print(
            ("PASSED" if passed else "FAILED")
            + f": {report.summary()} ({report.seconds * 1000:.0f} ms)"
        )
    return 0 if passed else 1


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
    from ..llm.local import parse_keep_alive

    try:
        return parse_keep_alive(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a duration: {text!r} (use 300, 5m, 1h, 0 or -1)"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter-forge", description=__doc__.split("\n")[0], epilog=SETTINGS_HELP
    )
    sub = parser.add_subparsers(dest="command", required=True)

    create = sub.add_parser("create", help="forge a tool from a request")
    create.add_argument("name", help="the tool's (function's) name")
    create.add_argument("request", help="what it does, in plain words")
    create.add_argument(
        "--sample",
        "-s",
        action="append",
        default=[],
        help="a sample, repeatable: '>>> f(1)' and the expected output on the next line, "
        "or 'assert f(1) == 2'",
    )
    create.add_argument(
        "--library", "-l", help="where to save it (default: Forge.library, ./forge_tools)"
    )
    create.add_argument(
        "--model", "-m", help="litellm model or alias (default: Forge.model, local-1.5b)"
    )
    create.add_argument(
        "--api-base", help="base URL of an OpenAI-compatible server (vLLM, LM Studio)"
    )
    create.add_argument(
        "--attempts", "-n", type=int, help="generations, repairs included (default: 5)"
    )
    create.add_argument("--compose", "-c", help="library tools it may call: a,b,c")
    create.add_argument("--template", "-t", help="api, transform, file, parser or your own")
    create.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="approve without asking when the samples and the checks from the words pass "
        "(a doubtful tool is not saved: exit 3)",
    )
    create.add_argument(
        "--new",
        action="store_true",
        help="forge even when a library tool already does this (otherwise: exit 4, naming it)",
    )
    create.add_argument(
        "--json", action="store_true", help="print the result as JSON (the last stdout line)"
    )
    create.set_defaults(func=cmd_create)

    validate = sub.add_parser(
        "validate", help="run samples against a file's function in the sandbox"
    )
    validate.add_argument("file", help="a Python file holding the function")
    validate.add_argument("--name", required=True, help="the function to validate")
    validate.add_argument(
        "--sample",
        "-s",
        action="append",
        default=[],
        help="a sample, repeatable (as for create)",
    )
    validate.add_argument("--json", action="store_true", help="print the report as JSON")
    validate.set_defaults(func=cmd_validate)

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

    register(sub)

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """The ``jupyter-forge`` entry point: the Jupyter application of :mod:`.app`, with
    the commands of :func:`build_parser`."""
    return run_app(build_parser, argv)


if __name__ == "__main__":
    sys.exit(main())
