"""Which candidate a DS run's forges would show, and whether a second answer would
dispute it, with the product's selection as it is now: the loop's last step
(``finish`` in :mod:`jupyter_forge.core.repair`), replayed on the recorded candidates.

Why: candidates passing the samples and the same checks from the words are a tie,
settled by how many other candidates behave the same on probes (MBR-exec); a green one
is then compared with a second answer on probes. How the probes are chosen and compared
decides what a person sees and changes nothing before that step, so the recorded
candidates replay it exactly. Ties: for each forge row with two or more candidates
passing the samples, the checks from the words (rebuilt from the recorded reply the
product's way), the samples and the probes run again in the sandbox, and the tie is
settled as the product on the path settles it. Second opinions: each recorded pair is
compared again. Run it with two checkouts on the path to compare two selections on the
same answers (``recorded``: the same choice as the run). No model call.

    python -m benchmarks.ds_choice_replay benchmarks/results/ds-local-1.5b.json [...]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jupyter_forge import model_calls
from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.extract import extract_function
from jupyter_forge.core.loop_steps import settle_ties
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.word_checks import WordChecks
from jupyter_forge.evidence import compare, sample_inputs
from jupyter_forge.forge import Forge
from jupyter_forge.llm.client import Completion

from .ds import Prepared, prepare, run_hidden
from .ds_tasks import DsTask, all_tasks


@dataclass(frozen=True)
class Replayed:
    """One forge row with a tie to settle: which candidate the product shows now."""

    task: str
    tied: tuple[int, ...]  # attempt numbers tied for best before agreement
    shown: int
    recorded: bool  # the product shows now what the run showed
    correct: bool  # under the hidden checks


@dataclass(frozen=True)
class Reopinion:
    """A recorded second opinion compared again: does it dispute the shown code now?"""

    task: str
    shown: int
    other: int
    disputed_then: bool
    disputed_now: bool
    difference: str | None  # the first probe where they differ now
    correct: bool  # the shown code, under the hidden checks (as recorded)


def rebuilt_checks(forge: Forge, p: Prepared, row: Mapping[str, Any]) -> WordChecks:
    """The checks from the words as the product built them from the recorded reply."""
    reply = (row.get("word_checks") or {}).get("reply") or ""

    def recorded(*_args: Any, **_kwargs: Any) -> Completion:
        return Completion(text=reply, model="replay", seconds=0.0)

    variables = forge.prompt_variables(p.spec, p.namespace)
    make = model_calls.checks_maker(
        p.spec, recorded, forge.call_settings(), lambda _t: None, variables
    )
    return make()


def rebuilt_attempt(
    forge: Forge, p: Prepared, candidate: Mapping[str, Any], checks: WordChecks
) -> Attempt:
    """A recorded candidate validated again: samples, notes and checks from the words."""
    code, name = candidate["code"], p.spec.name
    inputs = sample_inputs(p.spec, p.namespace)
    attempt = Attempt(
        number=candidate["number"],
        reply="",
        code=code,
        kind=candidate["kind"],
        notes=list(extract_function(f"```python\n{code}\n```", name).notes),
        report=forge.validate_code(code, name, p.spec.samples, inputs=inputs),
    )
    if attempt.passed and checks.checks:
        attempt.checks_report = forge.run_checks(
            code, name, [c.sample for c in checks.checks], p.namespace
        )
    return attempt


def replay(rows: Mapping[str, dict[str, Any]], tasks: Mapping[str, DsTask]) -> list[Replayed]:
    """Every forge row whose candidates tie, settled as the product settles ties now."""
    forge, out = Forge(), []
    for name, row in rows.items():
        passing = [
            c for c in row.get("candidates") or [] if c.get("samples_passed") and c.get("code")
        ]
        if name not in tasks or len(passing) < 2:
            continue
        p = prepare(tasks[name])
        checks = rebuilt_checks(forge, p, row)
        result = ForgeResult(spec=p.spec, model="replay", word_checks=checks)
        result.attempts = [rebuilt_attempt(forge, p, c, checks) for c in passing]
        tied = tuple(a.number for a in result.tied_for_best())
        if not tied:
            continue
        settle_ties(result, forge.behaviour(p.spec, p.namespace))
        shown = result.choose_best()
        assert shown is not None
        out.append(
            Replayed(
                name,
                tied,
                shown.number,
                shown.code == row.get("code"),
                run_hidden(p, shown.code)[0],
            )
        )
    return out


def reopinions(rows: Mapping[str, dict[str, Any]], tasks: Mapping[str, DsTask]) -> list[Reopinion]:
    """Every recorded second opinion, compared again on the product's probes."""
    forge, out = Forge(), []
    for name, row in rows.items():
        opinion = row.get("second_opinion")
        codes = {c["number"]: c.get("code") for c in row.get("candidates") or []}
        if name not in tasks or not opinion:
            continue
        shown, other = codes.get(opinion["shown"]), codes.get(opinion["other"])
        if not shown or not other:
            continue
        p = prepare(tasks[name])
        found = compare(forge.validate_code, p.spec, p.namespace)(shown, other)
        first = found.differences[0] if found.differences else None
        out.append(
            Reopinion(
                name,
                opinion["shown"],
                opinion["other"],
                bool(opinion.get("differences")),
                bool(found.differences),
                f"{first.call}: {first.shown} / {first.other}" if first else None,
                bool(row.get("hidden_passed")),
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="one JSON object per results file")
    args = parser.parse_args(argv)
    tasks = {t.name: t for t in all_tasks()}
    for path in args.results:
        rows = json.loads(path.read_text())["rows"].get("forge", {})
        found, opinions = replay(rows, tasks), reopinions(rows, tasks)
        if args.json:
            ties, seconds = [asdict(r) for r in found], [asdict(r) for r in opinions]
            print(json.dumps({"results": str(path), "ties": ties, "second_opinions": seconds}))
            continue
        print(
            f"{path}: {len(found)} ties; shown as recorded {sum(r.recorded for r in found)}; "
            f"correct {sum(r.correct for r in found)}"
        )
        for r in found:
            print(
                f"  {r.task}: tied {list(r.tied)}, shows attempt {r.shown} "
                f"({'right' if r.correct else 'wrong'}"
                f"{'' if r.recorded else ', not the recorded choice'})"
            )
        print(
            f"{len(opinions)} second opinions; disputed then {sum(o.disputed_then for o in opinions)}"
            f", now {sum(o.disputed_now for o in opinions)}"
        )
        for o in opinions:
            if o.disputed_then != o.disputed_now:
                now = "disputed" if o.disputed_now else "agrees"
                what = "right" if o.correct else "wrong"
                print(f"  {o.task} ({what}): attempt {o.other} {now} now: {o.difference}"[:240])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
