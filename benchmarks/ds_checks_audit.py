"""How often the checks from the words a DS run recorded are right.

Why: a check from the words is a small model's guess. Run on the task's reference
solution it is right or wrong; run on the near miss it tells a plausible wrong tool
apart or not. Checks that read a notebook table assert values no model call saw,
so they are counted apart from checks that build their own inputs.

    python -m benchmarks.ds_checks_audit benchmarks/results/ds-local-1.5b.json [--tasks a,b]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from jupyter_forge.core.checks import parse_checks
from jupyter_forge.core.variables import sample_free_names
from jupyter_forge.sandbox import validate

from .ds import check_inputs, prepare
from .ds_tasks import all_tasks

READS_TABLE = "reads a notebook table"
OWN_INPUTS = "builds its own inputs"


def audit(rows: dict[str, Any], names: set[str] | None = None) -> Counter[tuple[str, str]]:
    """(kind, verdict) → checks, verdict one of ``right``, ``right and tells``, ``wrong``."""
    tasks = {t.name: t for t in all_tasks()}
    tally: Counter[tuple[str, str]] = Counter()
    for name, row in rows.items():
        texts = (row.get("word_checks") or {}).get("texts") or []
        task = tasks.get(name)
        if task is None or not texts or (names is not None and name not in names):
            continue
        prepared = prepare(task)
        checks, _ = parse_checks("\n\n".join(texts), name)
        if not checks:
            continue
        samples = [c.sample for c in checks]
        inputs = check_inputs([s.source for s in samples], prepared.namespace, name)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
