"""``jupyter-forge create`` and ``validate``: forge a tool from a request, check a file's function.

With ``--json`` the last line of stdout is one JSON object (a stable contract);
progress goes to stderr.
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
from .app import forge_from_args
from .terminal import ask, print_samples

# `create --yes` on a tool that passed its samples but needs a person's review (a doubtful
# verdict): not an error of the tool, not a success; scripts can tell it apart.
EXIT_NEEDS_A_PERSON = 3
# `create` when a library tool already does what is asked (retrieval before creation).
EXIT_EXISTING = 4


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
    started = time.perf_counter()
    result = _forge(forge, spec, compose, args)
    stepped_back = auto_approve.refusal(result) if result.passed and args.yes else None
    record = None
    if result.passed and stepped_back is None:
        record = _approve_and_save(forge, result, compose, args)
    result.timings["total"] = time.perf_counter() - started
    path = None if record is None else str(record.path)
    if args.json:
        print(json.dumps(_result_json(result, path, approved=record is not None)))
    if stepped_back is not None:
        print(
            f"--yes refused: {stepped_back}; nothing was saved: run without --yes to review "
            "it at the prompt",
            file=sys.stderr,
        )
        print(result.status_line(), file=sys.stderr)
        return EXIT_NEEDS_A_PERSON
    if not args.json:  # the JSON above says it all
        _say_outcome(result, record)
    return 0 if (result.passed and path) else 1


def _forge(forge: Any, spec: ForgeSpec, compose: list[Any], args: argparse.Namespace) -> Any:
    """The forge itself, its progress on stderr; Ctrl-C is a cancellation, not a traceback."""
    progress = StderrProgress(sys.stderr, tokens=sys.stderr.isatty() and not args.json)
    try:
        return forge.create(
            spec, attempts=args.attempts, progress=progress, compose=compose, template=args.template
        )
    except KeyboardInterrupt:
        progress.end_line()
        raise ForgeCancelled(CANCELLED) from None


def _approve_and_save(forge: Any, result: Any, compose: list[Any], args: argparse.Namespace) -> Any:
    """Show a passed tool and save it once approved (``--yes`` or the prompt); its record,
    or None when the person said no."""
    name = result.spec.name
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
    if not approved:
        return None
    composition = forge.composition(name, compose)
    return forge.save(
        result,
        approved_how="cli --yes" if args.yes else "cli prompt",
        depends=composition.depends(result.code or "") if composition else (),
    )


def _say_outcome(result: Any, record: Any) -> None:
    """The last words of a `create` without --json: saved where, or why not."""
    name = result.spec.name
    if record is not None:
        print(f"saved `{name}` v{record.version} to {record.path}")
    elif result.passed:
        print(
            f"`{name}` passed but was not approved: nothing was saved (use --yes to approve)",
            file=sys.stderr,
        )
    else:
        print(result.status_line(), file=sys.stderr)
        if result.code:
            print(result.code, file=sys.stderr)


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
        "doubt": result.doubt,
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
        "second_opinion": (
            result.second_opinion.to_json() if result.second_opinion is not None else None
        ),
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


def add_create(sub: Any) -> None:
    """The ``create`` command's arguments."""
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


def add_validate(sub: Any) -> None:
    """The ``validate`` command's arguments."""
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
