"""Which green forges of a DS run a second answer passing only the samples would dispute.

Why: the forge compares a green tool with its second answer on probes; a difference
makes it doubtful. Whether that second answer must also pass every check from the
words (model-written guesses) or only the person's samples decides how many false
greens are caught and how many right tools turn amber. The forge never changes the
shown code for this, so the recorded candidates replay it exactly: for each forge row
shown green, its last second answer, when it passed the samples but not every check,
is compared with the shown code on the product's probes in the sandbox. No model call.

    python -m benchmarks.ds_opinion_replay benchmarks/results/ds-local-1.5b.json [...]
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

from .ds import prepare, run_hidden
from .ds_tasks import DsTask, all_tasks


@dataclass(frozen=True)
class Replayed:
    """A forge row shown green, and what the wider second opinion makes of it."""

    task: str
    correct: bool  # under the current hidden checks
    disputed_by: int | None  # the second answer's attempt number, when it disputes
    difference: str | None  # the first probe where they differ


def replay(forge_rows: Mapping[str, dict[str, Any]], tasks: Mapping[str, DsTask]) -> list[Replayed]:
    """Every green forge row: disputed now by a sample-passing second answer, or not."""
    out = []
    validate = Forge().validate_code  # as the product runs probes: every hash seed
    for name, row in forge_rows.items():
        task = tasks.get(name)
        if task is None or row.get("verdict") != "passed" or not row.get("code"):
            continue
        p = prepare(task)
        seconds = [c for c in row.get("candidates") or [] if c.get("kind") == "second"]
        other = seconds[-1] if seconds else None
        by, first = None, None
        if other and other.get("code") and other["code"] != row["code"] and other["samples_passed"]:
            found = compare(validate, p.spec, p.namespace)(row["code"], other["code"])
            if found.differences:
                d = found.differences[0]
                by, first = other.get("number"), f"{d.call}: {d.shown} / {d.other}"
        out.append(Replayed(name, run_hidden(p, row["code"])[0], by, first))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path)
    args = parser.parse_args(argv)
    tasks = {t.name: t for t in all_tasks()}
    for path in args.results:
        rows = json.loads(path.read_text())["rows"].get("forge", {})
        found = replay(rows, tasks)
        wrong = [r for r in found if not r.correct]
        print(
            f"{path}: {len(found)} green, {len(wrong)} of them wrong; disputed now: "
            f"{sum(r.disputed_by is not None for r in wrong)} wrong, "
            f"{sum(r.disputed_by is not None for r in found if r.correct)} right"
        )
        for r in found:
            if r.disputed_by is not None:
                what = "right" if r.correct else "WRONG"
                print(f"  {r.task} ({what}) by attempt {r.disputed_by}: {r.difference}"[:240])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
