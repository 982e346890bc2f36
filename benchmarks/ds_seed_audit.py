"""Which answers of a DS run pass or fail by Python's hash seed (the order of a set).

Why: a set of strings iterates in an order the process's hash seed decides, so an
answer built on ``list(set(...))`` can pass its sample in one process and fail in the
next; before the sandbox fixed its seed, the same code got different verdicts in
different runs. This replays every recorded answer that builds a set
(:func:`jupyter_forge.core.hash_order.may_depend_on_hash_order`) under each seed
the product validates with, on the person's samples and on the hidden checks,
in the sandbox; no model is called.

    python -m benchmarks.ds_seed_audit benchmarks/results/ds-local-1.5b.json
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jupyter_forge.core.hash_order import FIRST_SEED, OTHER_SEEDS, may_depend_on_hash_order
from jupyter_forge.core.spec import Sample
from jupyter_forge.sandbox import Limits, validate

from .ds import HIDDEN_LIMITS, Prepared, check_inputs, prepare
from .ds_tasks import all_tasks

SEEDS = (FIRST_SEED, *OTHER_SEEDS)


@dataclass(frozen=True)
class SeedAudit:
    """One recorded answer that builds a set, run under every seed."""

    condition: str
    task: str
    attempt: int | None  # the candidate's number (None: a single-shot answer)
    shown: bool  # the answer the row shows (single-shot: its only one)
    samples: tuple[bool, ...]  # the person's samples all passed, per seed of SEEDS
    hidden: tuple[int, ...]  # hidden checks passed, per seed
    hidden_total: int

    @property
    def samples_depend(self) -> bool:
        return len(set(self.samples)) > 1

    @property
    def hidden_depend(self) -> bool:
        return len(set(self.hidden)) > 1

    @property
    def depends(self) -> bool:
        """A verdict that changes with the seed: on the samples or on the hidden checks."""
        return self.samples_depend or self.hidden_depend


def audit(rows: dict[str, dict[str, Any]]) -> list[SeedAudit]:
    """Every set-building answer of every condition, in the rows' order."""
    tasks = {t.name: t for t in all_tasks()}
    found: list[SeedAudit] = []
    for condition, by_task in rows.items():
        for name, row in by_task.items():
            task = tasks.get(name)
            if task is None:
                continue
            prepared = prepare(task)
            for number, code, shown in _answers(row):
                if code and may_depend_on_hash_order(code, prepared.spec.samples):
                    found.append(_run(condition, prepared, number, code, shown))
    return found


def _answers(row: dict[str, Any]) -> list[tuple[int | None, str | None, bool]]:
    """(attempt number, code, shown?) of each answer the row recorded."""
    candidates = row.get("candidates")
    if not candidates:
        return [(None, row.get("code"), True)]
    shown = row.get("code")
    return [(c.get("number"), c.get("code"), c.get("code") == shown) for c in candidates]


def _run(condition: str, p: Prepared, number: int | None, code: str, shown: bool) -> SeedAudit:
    hidden = [c.sample for c in p.checks]
    n = len(p.spec.samples)
    return SeedAudit(
        condition=condition,
        task=p.task.name,
        attempt=number,
        shown=shown,
        samples=tuple(_passed(p, code, p.spec.samples, seed, None) == n for seed in SEEDS),
        hidden=tuple(_passed(p, code, hidden, seed, HIDDEN_LIMITS) for seed in SEEDS),
        hidden_total=len(hidden),
    )


def _passed(
    p: Prepared, code: str, samples: Sequence[Sample], seed: int, limits: Limits | None
) -> int:
    """How many of ``samples`` pass under ``seed`` (0 when the code does not load)."""
    inputs = check_inputs([s.source for s in samples], p.namespace, p.task.name)
    seeded = replace(limits or Limits(), hash_seed=seed)
    report = validate(code, p.task.name, samples, inputs=inputs, limits=seeded)
    return 0 if report.load_error else sum(r.passed for r in report.results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="a ds-*.json results file")
    args = parser.parse_args(argv)
    found = audit(json.loads(args.results.read_text())["rows"])
    for a in found:
        if a.depends:
            which = "single" if a.attempt is None else f"attempt {a.attempt}"
            print(
                f"{a.condition} {a.task} ({which}{', shown' if a.shown else ''}): "
                f"samples {_marks(a.samples)}; hidden "
                + ", ".join(f"{h}/{a.hidden_total}" for h in a.hidden)
                + f" under seeds {', '.join(map(str, SEEDS))}"
            )
    depends = [a for a in found if a.depends]
    print(
        f"{len(found)} answers build a set; {len(depends)} get a verdict that changes with "
        f"the hash seed ({sum(a.samples_depend for a in found)} on the samples, "
        f"{sum(a.hidden_depend for a in found)} on the hidden checks); shown: "
        f"{sum(a.shown for a in depends)}"
    )
    return 0


def _marks(passed: tuple[bool, ...]) -> str:
    return ", ".join("pass" if ok else "fail" for ok in passed)


if __name__ == "__main__":
    raise SystemExit(main())
