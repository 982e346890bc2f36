"""How often the checks from the words a DS run recorded are right.

Why: a check from the words is a small model's guess. Run on the task's reference
solution it is right or wrong; run on the near miss it tells a plausible wrong tool
apart or not. Checks that read a notebook table assert values no model call saw,
so they are counted apart from checks that build their own inputs. Last, on the
candidates that passed their samples: how many failing checks broke in their own code,
and how many of those were right checks (none should be: core/check_fault).

    python -m benchmarks.ds_checks_audit benchmarks/results/ds-local-1.5b.json [--tasks a,b]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from jupyter_forge.core.check_fault import failed_in_own_code
from jupyter_forge.core.checks import parse_checks
from jupyter_forge.core.spec import Sample
from jupyter_forge.core.variables import sample_free_names
from jupyter_forge.sandbox import validate

from .ds import Prepared, check_inputs, prepare
from .ds_tasks import DsTask, all_tasks

READS_TABLE = "reads a notebook table"
OWN_INPUTS = "builds its own inputs"


def _recorded_checks(
    name: str, row: dict[str, Any], tasks: dict[str, DsTask], names: set[str] | None
) -> tuple[DsTask, Prepared, list[Sample], dict[str, bytes]] | None:
    """A row's task, its recorded checks as samples and the inputs they read; None when
    the row has none to run."""
    texts = (row.get("word_checks") or {}).get("texts") or []
    task = tasks.get(name)
    if task is None or not texts or (names is not None and name not in names):
        return None
    prepared = prepare(task)
    checks, _ = parse_checks("\n\n".join(texts), name)
    if not checks:
        return None
    samples = [c.sample for c in checks]
    return (
        task,
        prepared,
        samples,
        check_inputs([s.source for s in samples], prepared.namespace, name),
    )


def audit(rows: dict[str, Any], names: set[str] | None = None) -> Counter[tuple[str, str]]:
    """(kind, verdict) → checks, verdict one of ``right``, ``right and tells``, ``wrong``."""
    tasks = {t.name: t for t in all_tasks()}
    tally: Counter[tuple[str, str]] = Counter()
    for name, row in rows.items():
        found = _recorded_checks(name, row, tasks, names)
        if found is None:
            continue
        task, prepared, samples, inputs = found
        on_reference = validate(task.reference, name, samples, inputs=inputs).results
        on_near_miss = validate(task.near_miss, name, samples, inputs=inputs).results
        notebook = prepared.notebook_names
        for sample, right, near in zip(samples, on_reference, on_near_miss, strict=True):
            reads = bool(set(sample_free_names([sample.source])) & notebook)
            verdict = "wrong"
            if right.passed:
                verdict = "right" if near.passed else "right and tells"
            tally[(READS_TABLE if reads else OWN_INPUTS, verdict)] += 1
    return tally


def own_code_failures(rows: dict[str, Any], names: set[str] | None = None) -> Counter[str]:
    """On the recorded candidates that passed their samples: ``failing`` checks, and
    those that broke in their own code (core/check_fault) on a ``right`` or ``wrong``
    check (right: it passes on the task's reference)."""
    tasks = {t.name: t for t in all_tasks()}
    tally: Counter[str] = Counter()
    for name, row in rows.items():
        found = _recorded_checks(name, row, tasks, names)
        if found is None:
            continue
        task, _, samples, inputs = found
        right = [r.passed for r in validate(task.reference, name, samples, inputs=inputs).results]
        for candidate in row.get("candidates") or []:
            if not candidate.get("code") or not candidate.get("samples_passed"):
                continue
            results = validate(candidate["code"], name, samples, inputs=inputs).results
            for result, is_right in zip(results, right, strict=True):
                if result.passed:
                    continue
                tally["failing"] += 1
                if failed_in_own_code(result):
                    tally["right" if is_right else "wrong"] += 1
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="a ds-*.json results file")
    parser.add_argument("--tasks", default=None, help="comma-separated task names")
    args = parser.parse_args(argv)
    rows = json.loads(args.results.read_text())["rows"]["forge"]
    names = set(args.tasks.split(",")) if args.tasks else None
    tally = audit(rows, names)
    for kind in (OWN_INPUTS, READS_TABLE):
        counts = {v: tally[(kind, v)] for v in ("right", "right and tells", "wrong")}
        total = sum(counts.values())
        right = counts["right"] + counts["right and tells"]
        print(f"{kind}: {right} of {total} right ({counts['right and tells']} tell the near miss)")
    own = own_code_failures(rows, names)
    print(
        f"on candidates passing their samples: {own['failing']} failing checks, "
        f"{own['right'] + own['wrong']} broke in their own code ({own['right']} of them right)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
