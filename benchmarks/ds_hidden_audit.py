"""Do the hidden checks test what the words say? Recorded answers against the reference.

Why: a task's hidden checks are the benchmark's whole definition of a correct tool. An
answer that passes them and still breaks a rule the words state is counted correct,
and if the forge showed it green, that is a false green nobody sees. This takes every
distinct answer recorded runs scored correct, runs it and the task's reference on the
product's probes (edge cases and inputs like the sample's, in the sandbox, both
answers' parameter lists) and lists where they answer differently. A person reads each
difference against the words: many are behaviour the words leave open (a float where
ints were meant, an index's name), the rest are missing hidden checks.

``--rescore`` then scores each file's answers under the tasks' current hidden checks
(no model is called: the forge never sees hidden checks, so what it wrote and showed
is unchanged) and lists every task whose outcome changed; ``--write`` stores the
rescored rows and summary in the file, with what changed under ``hidden_rescored``.

    python -m benchmarks.ds_hidden_audit benchmarks/results/ds-local-1.5b.json [...]
    python -m benchmarks.ds_hidden_audit --rescore [--write] FILE [...]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_forge.evidence import compare
from jupyter_forge.forge import Forge

from ._common import git_commit
from .ds import Prepared, prepare, run_hidden
from .ds_report import summarize
from .ds_tasks import DsTask, all_tasks

Rows = dict[str, dict[str, dict[str, Any]]]  # condition -> task -> row


@dataclass(frozen=True)
class Answer:
    """One distinct piece of code scored correct for ``task``, and where it was recorded."""

    task: str
    code: str
    records: tuple[str, ...]  # "file:condition" (the row's answer) or "file:condition#n"


@dataclass(frozen=True)
class Difference:
    """A probe on which the reference and a correct-scored answer disagree."""

    call: str
    reference: str
    answer: str


@dataclass(frozen=True)
class Change:
    """A row whose outcome differs under the current hidden checks."""

    condition: str
    task: str
    was_correct: bool
    now_correct: bool
    green: bool  # what the product told the person: a green now wrong is a false green
    error: str | None


def scored_correct(files: Mapping[str, dict[str, Any]]) -> list[Answer]:
    """Every distinct (task, code) scored correct in ``files`` (name -> payload): each
    row's answer, and each recorded candidate that passed its samples and every hidden check."""
    found: dict[tuple[str, str], list[str]] = {}
    for file, payload in files.items():
        for condition, rows in payload.get("rows", {}).items():
            for task, row in rows.items():
                total = row.get("hidden_checks") or 0
                if row.get("hidden_passed") and row.get("code"):
                    found.setdefault((task, row["code"]), []).append(f"{file}:{condition}")
                for c in row.get("candidates") or []:
                    whole = total and c.get("hidden_checks_passed") == total
                    if c.get("code") and c.get("samples_passed") and whole:
                        where = f"{file}:{condition}#{c.get('number')}"
                        found.setdefault((task, c["code"]), []).append(where)
    return [Answer(task, code, tuple(where)) for (task, code), where in found.items()]


def differences(p: Prepared, code: str) -> list[Difference]:
    """Where ``code`` and the task's reference answer differently, on probes derived from
    each one's parameter list and the person's samples (run in the sandbox)."""
    differ = compare(Forge().validate_code, p.spec, p.namespace)
    reference = p.task.reference
    found = [Difference(d.call, d.shown, d.other) for d in differ(reference, code).differences]
    found += [Difference(d.call, d.other, d.shown) for d in differ(code, reference).differences]
    unique: dict[str, Difference] = {}
    for d in found:
        unique.setdefault(d.call, d)
    return list(unique.values())


def _green(condition: str, row: dict[str, Any]) -> bool:
    """Single-shot: passing its samples; the forge: the ``passed`` verdict (not doubtful)."""
    if condition.startswith("single"):
        return bool(row.get("samples_passed"))
    return bool(row.get("samples_passed")) and not row.get("flagged")


def rescore(rows: Rows, tasks: Mapping[str, DsTask]) -> tuple[Rows, list[Change]]:
    """``rows`` scored under the current hidden checks (answers and candidates), and the
    rows whose outcome changed. Rows of tasks no longer in the benchmark are kept as they are."""
    out: Rows = {}
    changes: list[Change] = []
    prepared: dict[str, Prepared] = {}
    for condition, by_task in rows.items():
        out[condition] = {}
        for name, row in by_task.items():
            task = tasks.get(name)
            if task is None:
                out[condition][name] = row
                continue
            p = prepared.setdefault(name, prepare(task))
            hidden, passed, error = run_hidden(p, row.get("code"))
            correct = hidden and bool(row.get("samples_passed"))
            if hidden and not row.get("samples_passed"):
                error = "the person's samples fail"
            green = _green(condition, row)
            new = {
                **row,
                "hidden_passed": correct,
                "false_green": green and not correct,
                "hidden_checks": len(p.checks),
                "hidden_checks_passed": passed,
                "hidden_error": error if row.get("code") else row.get("hidden_error"),
            }
            if row.get("candidates"):
                new["candidates"] = [
                    {**c, "hidden_checks_passed": run_hidden(p, c.get("code"))[1]}
                    for c in row["candidates"]
                ]
            out[condition][name] = new
            if correct != bool(row.get("hidden_passed")):
                changes.append(Change(condition, name, not correct, correct, green, error))
    return out, changes


def _print_differences(files: dict[str, dict[str, Any]], tasks: Mapping[str, DsTask]) -> None:
    answers = [a for a in scored_correct(files) if a.task in tasks]
    prepared: dict[str, Prepared] = {}
    differing = 0
    for answer in sorted(answers, key=lambda a: a.task):
        p = prepared.setdefault(answer.task, prepare(tasks[answer.task]))
        found = differences(p, answer.code)
        if not found:
            continue
        differing += 1
        print(f"{answer.task}: {len(answer.records)} record(s), e.g. {answer.records[0]}")
        for d in found[:4]:
            print(
                f"  {d.call}\n    reference: {d.reference[:120]!r}\n    answer:    {d.answer[:120]!r}"
            )
    print(
        f"{differing} of {len(answers)} distinct answers scored correct answer differently "
        "from the reference on some probe"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--rescore", action="store_true", help="score under the current checks")
    parser.add_argument("--write", action="store_true", help="with --rescore: update the files")
    args = parser.parse_args(argv)
    tasks = {t.name: t for t in all_tasks()}
    files = {str(p): json.loads(p.read_text()) for p in args.results}
    if not args.rescore:
        _print_differences({Path(k).name: v for k, v in files.items()}, tasks)
        return 0
    for path, payload in files.items():
        rows, changes = rescore(payload["rows"], tasks)
        print(f"{path}: {len(changes)} outcome(s) changed")
        for c in changes:
            fg = "  now a FALSE GREEN" if c.green and not c.now_correct else ""
            print(f"  {c.condition} {c.task}: correct {c.was_correct} -> {c.now_correct}{fg}")
            print(f"    {c.error}")
        if args.write:
            payload["rows"], payload["summary"] = rows, summarize(rows)
            payload.setdefault("hidden_rescored", []).append(
                {
                    "commit": git_commit(),
                    "changed": [f"{c.condition} {c.task}: {c.now_correct}" for c in changes],
                }
            )
            Path(path).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
