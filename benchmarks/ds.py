"""Plain-words data-science requests: one generation vs the forge, judged by hidden checks.

Each task (:mod:`benchmarks.ds_tasks`) is a ``%%forge NAME`` cell as a person would
write it (a sentence or two, one or two samples), run on a notebook namespace built
by the task's setup code. Its hidden checks test every rule the words state; they
run in the sandbox after the fact and are never shown to the model. Conditions,
side by side per task so server noise hits both alike:

* ``single``: one generation exactly like the forge's first attempt (same messages,
  variable descriptions, temperature and seed), code as extracted; the samples are
  run on it afterwards only to count "false greens" (passes the samples, fails hidden);
* ``forge``: ``Forge.create`` with the product's defaults, as ``%%forge`` runs it
  (checks from the words, repair, candidate selection).

Variants, each paired with its baseline in the summary (``paired_<variant>``):
``single-checks`` and ``forge-checks`` show the checks from the words in the prompt
(``Forge.word_checks_in_prompt``); ``single-plan`` ends the first ask with :data:`PLAN`;
``forge-fresh`` is the forge with ``Forge.repairs`` off (fresh answers, never a repair).

    .venv/bin/python -m benchmarks.ds --model local
    .venv/bin/python -m benchmarks.ds --model local --conditions single,forge --limit 10
    .venv/bin/python -m benchmarks.ds --model local --tasks clean_prices,parse_dates
    .venv/bin/python -m benchmarks.ds --model local --resume   # continue a stopped run
    .venv/bin/python -m benchmarks.ds_report benchmarks/results/ds-*.json   # table + plot
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import types
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_forge import __version__
from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.checks import Check, parse_checks
from jupyter_forge.core.errors import ForgeError, SpecError
from jupyter_forge.core.extract import extract_function
from jupyter_forge.core.prompt import with_word_checks
from jupyter_forge.core.spec import ForgeSpec, merge_samples, parse_cell
from jupyter_forge.core.variables import pickle_inputs, sample_free_names
from jupyter_forge.core.word_checks import WordChecks, passed_count
from jupyter_forge.evidence import sample_inputs
from jupyter_forge.forge import Forge, fix_imports
from jupyter_forge.llm.models import DEFAULT_MODEL
from jupyter_forge.sandbox import Limits

from ._common import RESULTS, git_commit, machine_info, slug, validate_hidden, versions
from .ds_report import SCORING, Row, Rows, plot, summarize
from .ds_tasks import DsTask, all_tasks

# ``single-checks`` and ``forge-checks``: the same with the checks from the words in the
# prompt (``Forge.word_checks_in_prompt``), to measure that setting side by side.
# ``single-plan``: the first ask ending with PLAN (a candidate prompt, not the product's:
# measured here before the product adopts it).
# ``forge-fresh``: the forge with ``Forge.repairs`` off (fresh answers, never a repair).
CONDITIONS = ("single", "forge", "single-checks", "forge-checks", "single-plan", "forge-fresh")
PLAN = (
    "Inside the code block, first write one comment line per input format, edge case and "
    "error the task states, then the function, handling each of them."
)
HIDDEN_LIMITS = Limits(timeout=30.0, load_timeout=15.0)
MAX_ERROR = 300


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def is_default_model(model: str) -> bool:
    """Whether ``model`` means the product's default (``local`` and its other spellings)."""
    from jupyter_forge.llm.local import resolve_local

    if model.strip() == DEFAULT_MODEL:
        return True
    mine, default = resolve_local(model), resolve_local(DEFAULT_MODEL)
    return mine is not None and mine == default


@dataclass
class Prepared:
    """A task as the notebook would hold it: namespace, parsed cell, hidden checks."""

    task: DsTask
    spec: ForgeSpec
    namespace: dict[str, Any]
    checks: list[Check]
    skipped: list[str]  # hidden check pieces that did not parse (a task bug: reported)

    @property
    def notebook_names(self) -> set[str]:
        """The variables the task's setup made (not its imports): what a sample may pass."""
        return {
            k
            for k, v in self.namespace.items()
            if not k.startswith("__") and not isinstance(v, types.ModuleType)
        }


def prepare(task: DsTask) -> Prepared:
    namespace: dict[str, Any] = {}
    if task.setup:
        exec(task.setup, namespace)  # trusted benchmark data, like the user's own cells
    spec = parse_cell(task.name, task.cell)
    # What %%forge does with a plain cell: its samples, duplicates dropped.
    spec = ForgeSpec(spec.name, spec.request, merge_samples(spec.samples))
    checks, skipped = parse_checks("\n".join(task.hidden), task.name, origin="hidden")
    return Prepared(task, spec, namespace, checks, skipped)


def check_inputs(sources: Sequence[str], namespace: dict[str, Any], name: str) -> dict[str, bytes]:
    """The namespace variables the checks read, pickled for the sandbox."""
    inputs: dict[str, bytes] = {}
    for free in sample_free_names(sources):
        try:  # a variable that cannot travel makes its check fail in the sandbox
            inputs.update(pickle_inputs([free], namespace, exclude=[name]))
        except SpecError:
            continue
    return inputs


def run_hidden(p: Prepared, code: str | None) -> tuple[bool, int, str | None]:
    """(passed, checks passed, first failure) of the hidden checks, run in the sandbox."""
    if code is None:
        return False, 0, "no code"
    if not p.checks:
        return False, 0, "the task has no hidden checks"
    samples = [c.sample for c in p.checks]
    inputs = check_inputs([s.source for s in samples], p.namespace, p.task.name)
    report = validate_hidden(code, p.task.name, samples, HIDDEN_LIMITS, inputs)
    if report.passed:
        return True, len(p.checks), None
    if report.load_error:
        return False, 0, f"load: {report.load_error}"[:MAX_ERROR]
    passed = sum(r.passed for r in report.results)
    for check, result in zip(p.checks, report.results, strict=False):
        if not result.passed:
            text = " ".join(check.text.split())
            return False, passed, f"{text} -> {result.error or 'failed'}"[:MAX_ERROR]
    return False, passed, "failed"


def blank_row(task: DsTask, **fields: Any) -> Row:
    """Every field of a row, at its "nothing happened" value, then ``fields``."""
    row: Row = {
        "scoring": SCORING,
        "hidden_passed": False,
        "samples_passed": False,
        "false_green": False,
        "flagged": None,  # forge only
        "word_checks": None,  # forge only
        "attempts": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "llm_seconds": 0.0,
        "wall_seconds": 0.0,
        "fixes": [],
        "attempt_kinds": [],
        "category": task.category,
        "hidden_checks": 0,
        "hidden_checks_passed": 0,
        "hidden_skipped": [],
        "code": None,
        "hidden_error": None,
        "error": None,
    }
    row.update(fields)
    for key in ("llm_seconds", "wall_seconds"):
        row[key] = round(row[key], 3)
    return row


def make_row(
    p: Prepared, code: str | None, samples_passed: bool, green: bool, **fields: Any
) -> Row:
    """One task under one condition (hidden checks run here, on ``code``).

    ``hidden_passed`` means a correct tool: the person's samples *and* every hidden
    check pass. ``green``: what the product told the person (single-shot has no
    checks, so passing its samples is its green; the forge's green is the
    ``passed`` verdict, not ``doubtful``). A false green is green and not correct.
    """
    hidden, hidden_ok, hidden_error = run_hidden(p, code)
    correct = hidden and samples_passed
    if hidden and not samples_passed:
        hidden_error = "the person's samples fail"
    return blank_row(
        p.task,
        hidden_passed=correct,
        samples_passed=samples_passed,
        false_green=green and not correct,
        hidden_checks=len(p.checks),
        hidden_checks_passed=hidden_ok,
        hidden_skipped=p.skipped,
        code=code,
        hidden_error=hidden_error,
        **fields,
    )


def run_single(forge: Forge, p: Prepared, *, with_checks: bool = False, plan: bool = False) -> Row:
    """One generation on the forge's own first prompt; samples run only to score it.

    ``with_checks``: first the forge's call for checks from the words, then the one
    generation with them in its prompt (``single-checks``: what they do to a first answer).
    ``plan``: the first ask ends with :data:`PLAN` (``single-plan``).
    """
    spec, started = p.spec, time.perf_counter()
    resolved = forge.resolve()
    generate = forge.generator(resolved)
    messages = forge.first_messages(spec, p.namespace)
    wc = None
    if with_checks:
        variables = forge.prompt_variables(spec, p.namespace)
        wc = forge.checks_maker(spec, resolved, lambda _t: None, variables=variables)()
    if wc is not None:
        messages = with_word_checks(messages, [c.text for c in wc.checks])
    if plan:
        last = messages[-1]
        messages = [*messages[:-1], {**last, "content": f"{last['content']}\n\n{PLAN}"}]
    reply = generate(messages, 1, lambda _text: None)
    extraction = extract_function(reply.text, spec.name)
    wall = time.perf_counter() - started
    samples_ok = False
    if extraction.code is not None and not extraction.problems:
        inputs = sample_inputs(spec, p.namespace)
        report = forge.validate_code(extraction.code, spec.name, spec.samples, inputs=inputs)
        samples_ok = report.passed
    return make_row(
        p,
        extraction.code,
        samples_ok,
        samples_ok,
        attempts=1,
        prompt_tokens=(reply.prompt_tokens or 0) + ((wc.prompt_tokens or 0) if wc else 0),
        completion_tokens=(reply.completion_tokens or 0)
        + ((wc.completion_tokens or 0) if wc else 0),
        llm_seconds=reply.seconds + (wc.seconds if wc else 0.0),
        word_checks=word_checks_field(wc, None),
        wall_seconds=wall,
        attempt_kinds=["first"],
        problems=list(extraction.problems),
        # What the forge's free import fix would have added (not applied: single is raw).
        would_fix=fix_imports(extraction.code)[1] if extraction.code is not None else [],
        reply=reply.text[:2000] if extraction.code is None else None,
    )


def word_checks_field(wc: WordChecks | None, ran: int | None) -> dict[str, Any] | None:
    """The row's record of the checks from the words (``ran``: how many passed on the
    shown code; None when they did not run on it)."""
    if wc is None:
        return None
    return {
        "count": len(wc.checks),
        "passed": ran,
        "skipped": len(wc.skipped),
        "error": wc.error,
        "texts": [c.text for c in wc.checks],
        # The call's own cost: where a forge's time goes, next to the candidates'.
        "completion_tokens": wc.completion_tokens,
        "llm_seconds": round(wc.seconds, 3),
        # The answer itself: why a call gave few or no usable checks is only in it.
        "reply": wc.reply[:1500],
    }


def run_forge(
    forge: Forge, p: Prepared, *, checks_in_prompt: bool | None = None, repairs: bool | None = None
) -> Row:
    """``%%forge`` on the cell: the product's default loop; ``checks_in_prompt`` and
    ``repairs`` override ``Forge.word_checks_in_prompt`` and ``Forge.repairs`` for this
    task only (``forge-checks``, ``forge-fresh``)."""
    started = time.perf_counter()
    defaults = forge.word_checks_in_prompt, forge.repairs
    if checks_in_prompt is not None:
        forge.word_checks_in_prompt = checks_in_prompt
    if repairs is not None:
        forge.repairs = repairs
    try:
        result = forge.create(p.spec, namespace=p.namespace)
    finally:
        forge.word_checks_in_prompt, forge.repairs = defaults
    wall = time.perf_counter() - started
    wc, shown, report = result.word_checks, result.shown, result.checks_report
    ran = passed_count(report) if report is not None else None
    extra_prompt = (wc.prompt_tokens or 0) if wc else 0
    extra_completion = (wc.completion_tokens or 0) if wc else 0
    return make_row(
        p,
        result.code,
        result.passed,
        result.verdict == "passed",
        verdict=result.verdict,
        # What the reviewer saw: "checks from your words: k/N pass" with k < N (amber).
        flagged=result.doubtful,
        word_checks=word_checks_field(wc, ran),
        attempts=len(result.attempts),
        prompt_tokens=sum(a.prompt_tokens or 0 for a in result.attempts) + extra_prompt,
        completion_tokens=sum(a.completion_tokens or 0 for a in result.attempts) + extra_completion,
        llm_seconds=sum(a.llm_seconds for a in result.attempts) + (wc.seconds if wc else 0.0),
        wall_seconds=wall,
        fixes=list(shown.fixes) if shown else [],
        attempt_kinds=[a.kind for a in result.attempts],
        shown_kind=shown.kind if shown else None,
        attempt_notes=[a.summary()[:MAX_ERROR] for a in result.attempts],
        checks_line=result.checks_line(),
        # Another green candidate compared on probes: how many, and where they differed.
        second_opinion=(
            result.second_opinion.to_json() if result.second_opinion is not None else None
        ),
        disputed=result.disputed is not None,
        doubt=result.doubt,  # why amber: checks | disputed | uncorroborated
        candidates=candidate_scores(p, result.attempts),
    )


def candidate_scores(p: Prepared, attempts: Sequence[Attempt]) -> list[dict[str, Any]]:
    """Each answer's code, samples and hidden checks: was a correct tool ever written?

    Why: it tells a selection miss (a correct candidate existed and another was
    shown) from a generation miss (no candidate was correct), which need
    different fixes.
    """
    scores = []
    for attempt in attempts:
        _, hidden_ok, _ = run_hidden(p, attempt.code)
        scores.append(
            {
                "number": attempt.number,
                "kind": attempt.kind,
                "samples_passed": attempt.passed,
                "hidden_checks_passed": hidden_ok,
                # The code as validated (after deterministic fixes), to see why a
                # candidate failed to load or pass without rerunning the model.
                "code": attempt.code,
                "fixes": list(attempt.fixes),
                "completion_tokens": attempt.completion_tokens,
                "llm_seconds": round(attempt.llm_seconds, 3),
            }
        )
    return scores


def run_condition(forge: Forge, p: Prepared, condition: str) -> Row:
    """One condition on one task; a model or sandbox error fails this task, not the run."""
    started = time.perf_counter()
    try:
        if condition.startswith("single"):
            return run_single(
                forge,
                p,
                with_checks=condition == "single-checks",
                plan=condition == "single-plan",
            )
        return run_forge(
            forge,
            p,
            checks_in_prompt=True if condition == "forge-checks" else None,
            repairs=False if condition == "forge-fresh" else None,
        )
    except (ForgeError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        return blank_row(
            p.task,
            hidden_checks=len(p.checks),
            wall_seconds=time.perf_counter() - started,
            error=error,
        )


def progress_line(index: int, total: int, condition: str, name: str, row: Row) -> str:
    def mark(ok: bool) -> str:
        return "✔" if ok else "✘"

    line = (
        f"[{index}/{total}] {condition} {name}: hidden {mark(row['hidden_passed'])} "
        f"samples {mark(row['samples_passed'])} {row['attempts']} attempt"
        f"{'' if row['attempts'] == 1 else 's'} {row['wall_seconds']:.1f} s"
    )
    if row["false_green"]:
        line += " FALSE GREEN" + (" (flagged)" if row["flagged"] else "")
    if row["error"]:
        line += f" ERROR {row['error'][:120]}"
    return line


def model_of(path: Path) -> str:
    """The model a results file measured ("" when it cannot be read)."""
    try:
        return str(json.loads(path.read_text()).get("model", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def select_tasks(tasks: list[DsTask], names: str | None, limit: int | None) -> list[DsTask]:
    if names:
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        by_name = {t.name: t for t in tasks}
        missing = [n for n in wanted if n not in by_name]
        if missing:
            raise SystemExit(f"unknown task(s): {', '.join(missing)}")
        tasks = [by_name[n] for n in wanted]
    return tasks[:limit] if limit is not None else tasks


def write_results(out: Path, payload: dict[str, Any], rows: Rows, tasks: list[DsTask]) -> None:
    """The results JSON, rewritten after every task and condition (``--resume`` reads it)."""
    conditions = payload["conditions"]
    # Complete means the whole benchmark, not only the tasks this run was asked for.
    every = all_tasks()
    payload["complete"] = all(t.name in rows.get(c, {}) for c in conditions for t in every)
    payload["tasks_run"] = min(len(rows.get(c, {})) for c in conditions) if conditions else 0
    payload["tasks_total"] = len(every)
    payload["updated"] = now()
    payload["summary"] = summarize(rows)
    payload["rows"] = rows
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(out)  # a run killed mid-write keeps the previous file


def run(args: argparse.Namespace, tasks: list[DsTask], argv: list[str] | None) -> dict[str, Any]:
    """Every asked condition on every task, resuming from ``args.out`` if asked."""
    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        raise SystemExit(f"unknown condition(s) {unknown}; choose from {', '.join(CONDITIONS)}")
    out = Path(args.out or RESULTS / f"ds-{slug(args.model)}.json")
    rows: Rows = {c: {} for c in conditions}
    started = now()
    if args.resume and out.exists():
        earlier = json.loads(out.read_text())
        if earlier.get("model") != args.model:
            raise SystemExit(f"{out} holds model {earlier.get('model')!r}: pass --out")
        rows = {c: dict(earlier["rows"].get(c, {})) for c in {*earlier["rows"], *conditions}}
        started = earlier.get("started", started)
    forge = Forge(model=args.model, api_base=args.api_base)
    payload: dict[str, Any] = {
        "benchmark": "ds",
        "complete": False,
        "model": args.model,
        "default_model": is_default_model(args.model),
        "command": "python -m benchmarks.ds "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine_info(),
        "jupyter_forge": __version__,
        "commit": git_commit(),
        "versions": versions("litellm", "llama_cpp_python", "pandas", "numpy"),
        "started": started,
        "conditions": [c for c in CONDITIONS if c in rows],
        "forge_settings": {
            "attempts": forge.attempts,
            "word_checks": forge.word_checks,
            "second_opinion": forge.second_opinion,
            "word_checks_in_prompt": forge.word_checks_in_prompt,
            "repairs": forge.repairs,
            "temperature": forge.temperature,
            "repair_temperature": forge.repair_temperature,
            "max_tokens": forge.max_tokens,
        },
        "tasks": len(tasks),
    }
    forge.resolve()  # start a local model server outside the measured tasks
    for index, task in enumerate(tasks, 1):
        todo = [c for c in conditions if task.name not in rows[c]]
        if not todo:
            continue
        try:
            p = prepare(task)
        except Exception as exc:  # a broken task (setup, cell) is reported, the run goes on
            error = f"task: {type(exc).__name__}: {exc}"[:MAX_ERROR]
            for condition in todo:
                rows[condition][task.name] = blank_row(task, error=error)
                line = progress_line(
                    index, len(tasks), condition, task.name, rows[condition][task.name]
                )
                print(line, file=sys.stderr)
            write_results(out, payload, rows, tasks)
            continue
        if p.skipped:
            print(f"warning: {task.name}: hidden checks skipped: {p.skipped}", file=sys.stderr)
        for condition in todo:
            row = run_condition(forge, p, condition)
            rows[condition][task.name] = row
            print(progress_line(index, len(tasks), condition, task.name, row), file=sys.stderr)
            write_results(out, payload, rows, tasks)
    write_results(out, payload, rows, tasks)
    payload["out"] = str(out)
    return payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ds", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--model", default=DEFAULT_MODEL, help="local | local-1.5b | litellm")
    parser.add_argument("--api-base", default=None, help="OpenAI-compatible server URL")
    parser.add_argument(
        "--conditions", default="single,forge", help=f"comma-separated: {', '.join(CONDITIONS)}"
    )
    parser.add_argument("--limit", type=int, default=None, help="first N tasks")
    parser.add_argument("--tasks", default=None, help="task names, comma-separated")
    parser.add_argument("--out", default=None, help="results JSON (default: results/ds-MODEL)")
    parser.add_argument(
        "--resume", action="store_true", help="keep the finished tasks of --out, run the rest"
    )
    args = parser.parse_args(argv)
    from .ds_tasks import all_tasks

    tasks = select_tasks(all_tasks(), args.tasks, args.limit)
    payload = run(args, tasks, argv)
    print(json.dumps(payload["summary"], indent=2))
    out = Path(payload["out"])
    print(f"results: {out}")
    try:
        # One bar group per model: its main file (ds-MODEL.json), not experiments beside it.
        mains = [p for p in out.parent.glob("ds-*.json") if p.stem == f"ds-{slug(model_of(p))}"]
        plot(sorted({*mains, out}), out.parent / "ds.png")
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
