"""Which tools of a DS run change the notebook variable their sample passes them.

Why: the hidden checks build fresh tables, so a tool that adds a column to the
person's DataFrame (or converts one in place) can be counted correct. No request
asks for that, and a data scientist would not approve it knowingly. This runs the
check ``--template transform`` adds (:func:`jupyter_forge.core.templates.
input_unchanged_samples`) on each task's reference, the shown tool and every
scored candidate, in the sandbox.

    python -m benchmarks.ds_input_audit benchmarks/results/ds-local-1.5b.json
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_forge.core.spec import Sample
from jupyter_forge.core.templates import input_unchanged_samples
from jupyter_forge.sandbox import validate

from .ds import check_inputs, prepare
from .ds_tasks import all_tasks

CHANGED = "changed its input"


@dataclass(frozen=True)
class InputAudit:
    """One task: does its reference, its shown tool, each candidate change its input?"""

    task: str
    reference_changes: bool
    shown_changes: bool
    correct: bool  # the shown tool passed every hidden check
    verdict: str
    changing_candidates: tuple[int, ...]  # attempt numbers
    candidates: int


def audit(rows: dict[str, Any]) -> list[InputAudit]:
    """Tasks whose sample passes the tool a notebook variable, in the rows' order."""
    tasks = {t.name: t for t in all_tasks()}
    found: list[InputAudit] = []
    for name, row in rows.items():
        task = tasks.get(name)
        if task is None or not task.setup:
            continue
        prepared = prepare(task)
        notebook = prepared.notebook_names
        checks = input_unchanged_samples(prepared.spec, notebook)
        if not checks:
            continue
        inputs = check_inputs([c.source for c in checks], prepared.namespace, name)
        run = (name, checks, inputs)
        candidates = row.get("candidates") or []
        found.append(
            InputAudit(
                task=name,
                reference_changes=_changes(task.reference, *run),
                shown_changes=_changes(row.get("code"), *run),
                correct=bool(row.get("hidden_passed")),
                verdict=str(row.get("verdict")),
                changing_candidates=tuple(
                    c["number"] for c in candidates if _changes(c["code"], *run)
                ),
                candidates=len(candidates),
            )
        )
    return found


def _changes(code: str | None, name: str, checks: list[Sample], inputs: dict[str, bytes]) -> bool:
    """Whether ``code`` left a variable its sample passed different (in the sandbox)."""
    if not code:
        return False
    report = validate(code, name, checks, inputs=inputs)
    return any(not r.passed and CHANGED in (r.error or "") for r in report.results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="a ds-*.json results file")
    args = parser.parse_args(argv)
    found = audit(json.loads(args.results.read_text())["rows"]["forge"])
    for a in found:
        if a.shown_changes or a.changing_candidates or a.reference_changes:
            mark = "shown tool changes it" if a.shown_changes else "shown tool leaves it"
            right = "correct" if a.correct else "wrong"
            print(
                f"{a.task}: {mark} ({a.verdict}, {right}); "
                f"candidates changing it: {list(a.changing_candidates)} of {a.candidates}"
            )
    shown = [a for a in found if a.shown_changes]
    print(
        f"{len(found)} tasks pass a notebook variable; the shown tool changes it in "
        f"{len(shown)} ({sum(a.correct for a in shown)} of them counted correct); "
        f"{sum(len(a.changing_candidates) for a in found)} of "
        f"{sum(a.candidates for a in found)} candidates change it; references: "
        f"{sum(a.reference_changes for a in found)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
