"""HumanEval results: the per-condition summary and the plot the README shows.

Why: the numbers people compare (pass rate, attempts, tokens, time, reuse) are
computed in one place from the results rows, so a resumed or partial run is
summarised exactly like a complete one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def summarize(rows: list[dict[str, Any]], conditions: Iterable[str]) -> dict[str, Any]:
    """Per condition: hidden-test pass rate, attempts, tokens, time, and reuse counts."""
    summary: dict[str, Any] = {}
    for condition in conditions:
        # A resumed run may add conditions for later problems only: each has its own n.
        outs = [r["conditions"][condition] for r in rows if condition in r["conditions"]]
        n = len(outs)
        if not n:
            continue
        entry: dict[str, Any] = {
            "n": n,
            "hidden_passed": sum(o["hidden_passed"] for o in outs),
            "pass_rate": sum(o["hidden_passed"] for o in outs) / n,
            "mean_attempts": statistics.mean(o["attempts"] for o in outs),
            "prompt_tokens": sum(o["prompt_tokens"] for o in outs),
            "completion_tokens": sum(o["completion_tokens"] for o in outs),
            "mean_prompt_tokens": statistics.mean(o["prompt_tokens"] for o in outs),
            "mean_completion_tokens": statistics.mean(o["completion_tokens"] for o in outs),
            "median_wall_seconds": statistics.median(o["wall_seconds"] for o in outs),
            "mean_wall_seconds": statistics.mean(o["wall_seconds"] for o in outs),
            "mean_llm_seconds": statistics.mean(o["llm_seconds"] for o in outs),
            "extraction_failures": sum(o["extraction_failed"] for o in outs),
            "harness_errors": sum(bool(o.get("error")) for o in outs),
        }
        judged = [o for o in outs if o.get("green") is not None]  # rows that say what was shown
        if judged:
            entry["judged"] = len(judged)
            entry["green"] = sum(bool(o["green"]) for o in judged)
            entry["false_green"] = sum(bool(o["green"]) and not o["hidden_passed"] for o in judged)
            doubtful = [o for o in judged if o.get("verdict") == "doubtful"]
            if condition != "single":
                entry["doubtful"] = len(doubtful)
                entry["doubtful_wrong"] = sum(not o["hidden_passed"] for o in doubtful)
        if condition != "single":
            entry["samples_passed"] = sum(bool(o["samples_passed"]) for o in outs)
            # Forge said yes but the hidden tests say no: the samples were not enough.
            entry["samples_passed_hidden_failed"] = sum(
                bool(o["samples_passed"]) and not o["hidden_passed"] for o in outs
            )
            # Which kind of attempt produced the code that passed the hidden tests.
            kinds = [o.get("shown_kind") for o in outs if o["hidden_passed"]]
            entry["hidden_passed_by_kind"] = {
                k: kinds.count(k) for k in sorted({k for k in kinds if k})
            }
        if condition == "forge+reuse":
            entry.update(reuse_summary([r for r in rows if condition in r["conditions"]]))
        summary[condition] = entry
    for condition in [c for c in summary if c != "single"]:
        if "single" not in summary:
            continue
        # On the problems both ran (the same problems, whatever the segments).
        paired = [r["conditions"] for r in rows if {condition, "single"} <= set(r["conditions"])]
        base = sum(c["single"]["hidden_passed"] for c in paired)
        if base:
            summary[condition]["ratio_vs_single"] = (
                sum(c[condition]["hidden_passed"] for c in paired) / base
            )
            summary[condition]["ratio_n"] = len(paired)
    summary["problems_with_samples"] = sum(bool(r["n_samples"]) for r in rows)
    return summary


def reuse_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How often retrieval fired, was used, and whether it helped (vs plain ``forge``)."""
    outs = [r["conditions"]["forge+reuse"] for r in rows]
    fired = [o for o in outs if o.get("best_match")]
    # "Accept": where best_match fired, the answer is the offered tool; else the forged one.
    accept = [o["best_match_passed"] if o.get("best_match") else o["hidden_passed"] for o in outs]
    used = [o for o in outs if o["reuse_used"]]
    entry: dict[str, Any] = {
        "best_match_fired": len(fired),
        # Hits the product's guard (Forge.reuse_refusal) kept from being offered at all.
        "best_match_refused": sum(bool(o.get("best_match_refused")) for o in outs),
        "best_match_accept_passed": sum(bool(o["best_match_passed"]) for o in fired),
        "best_match_forge_anyway_passed": sum(o["hidden_passed"] for o in fired),
        "pass_rate_if_offers_accepted": sum(map(bool, accept)) / len(outs),
        "context_offered": sum(bool(o["reuse_offered"]) for o in outs),
        "context_tools_offered": sum(len(o["reuse_offered"]) for o in outs),
        "context_used": len(used),
        "context_used_passed": sum(o["hidden_passed"] for o in used),
        "median_search_seconds": statistics.median(o.get("search_seconds", 0.0) for o in outs),
    }
    paired = [r for r in rows if {"forge", "forge+reuse"} <= set(r["conditions"])]
    if paired:
        # Same problems, forge without the library: did reuse help or hurt, and where?
        def flips(sub: list[dict[str, Any]]) -> dict[str, int]:
            pairs = [
                (
                    r["conditions"]["forge"]["hidden_passed"],
                    r["conditions"]["forge+reuse"]["hidden_passed"],
                )
                for r in sub
            ]
            return {
                "both": sum(a and b for a, b in pairs),
                "only_with_reuse": sum(b and not a for a, b in pairs),
                "only_without_reuse": sum(a and not b for a, b in pairs),
                "neither": sum(not a and not b for a, b in pairs),
            }

        entry["vs_forge"] = flips(paired)
        entry["vs_forge_where_context_used"] = flips(
            [r for r in paired if r["conditions"]["forge+reuse"]["reuse_used"]]
        )
    return entry


# The model card's HumanEval pass@1 (Qwen2.5-Coder Technical Report, arXiv:2409.12186).
PUBLISHED_PASS_AT_1 = {"local": 61.6}


def plot(
    summary: dict[str, Any], conditions: list[str], model: str, n: int | str, path: Path
) -> None:
    """Pass rate per condition (plus "offers accepted" for reuse) and median time per problem."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"single": "tab:gray", "forge": "tab:blue", "forge+reuse": "tab:green"}
    for condition in conditions:
        colors.setdefault(condition, "tab:purple")  # derived conditions (--extend)
    bars: list[tuple[str, float, str, str]] = []  # label, rate, annotation, color
    for condition in conditions:
        entry = summary[condition]
        label = f"{entry['hidden_passed']}/{entry['n']}"
        bars.append((condition, entry["pass_rate"], label, colors[condition]))
        if condition == "forge+reuse":
            rate = entry["pass_rate_if_offers_accepted"]
            bars.append(
                (
                    "reuse,\noffers accepted",
                    rate,
                    f"{rate * entry['n']:.0f}/{entry['n']}",
                    "tab:olive",
                )
            )
    fig, (ax, ax_time) = plt.subplots(1, 2, figsize=(10, 4), width_ratios=[3, 2])
    drawn = ax.bar([b[0] for b in bars], [b[1] * 100 for b in bars], color=[b[3] for b in bars])
    # The forge's bar split by the kind of attempt whose code passed (first answer,
    # repair, fresh start, polish): where the gain over single-shot comes from.
    shades = {"first": 1.0, "second": 0.85, "repair": 0.75, "fresh": 0.55, "polish": 0.4}
    for bar, (label, _, _, _) in zip(drawn, bars, strict=True):
        kinds = summary.get(label, {}).get("hidden_passed_by_kind") or {}
        if not label.startswith("forge") or label == "forge+reuse" or not kinds:
            continue
        n, bottom = summary[label]["n"], 0.0
        for kind in [k for k in shades if k in kinds]:
            height = kinds[kind] / n * 100
            ax.bar(
                bar.get_x() + bar.get_width() / 2,
                height,
                width=bar.get_width(),
                bottom=bottom,
                color="tab:blue",
                alpha=shades[kind],
                edgecolor="white",
            )
            if height >= 4:
                ax.annotate(
                    f"{kind} {kinds[kind]}",
                    (bar.get_x() + bar.get_width() / 2, bottom + height / 2),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white",
                )
            bottom += height
    # Above each pass bar, the wrong tools a person was shown: green (false greens, the
    # worst outcome) and, for the forge, amber (marked doubtful: caught before approval).
    wrong_shown = (
        ("false_green", "tab:red", "wrong, shown green (false green)"),
        ("doubtful_wrong", "#9a6700", "wrong, marked doubtful (caught)"),
    )
    tops = [bar.get_height() for bar in drawn]
    labelled: set[str] = set()
    for index, (bar, (label, _, _, _)) in enumerate(zip(drawn, bars, strict=True)):
        entry = summary.get(label, {})
        for key, color, legend in wrong_shown:
            count = entry.get(key) or 0
            if not count:
                continue
            height = count / entry["n"] * 100
            ax.bar(
                bar.get_x() + bar.get_width() / 2,
                height,
                width=bar.get_width(),
                bottom=tops[index],
                color="none",
                edgecolor=color,
                hatch="///",
                label=None if key in labelled else legend,
            )
            labelled.add(key)
            tops[index] += height
    for top, bar, (_, rate, label, _) in zip(tops, drawn, bars, strict=True):
        ax.annotate(
            f"{rate * 100:.0f}%\n({label})",
            (bar.get_x() + bar.get_width() / 2, top),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    published = PUBLISHED_PASS_AT_1.get(model)
    if published is not None:
        ax.axhline(
            published,
            color="tab:red",
            linestyle="--",
            linewidth=1,
            label=f"the model's published pass@1 ({published}%)",
        )
    if published is not None or labelled:
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_ylim(0, 110)
    ax.set_ylabel("hidden-test pass rate (%)")
    ax.set_title(f"HumanEval ({n} problems), model {model}")
    seconds = [summary[c]["median_wall_seconds"] for c in conditions]
    ax_time.bar(conditions, seconds, color=[colors[c] for c in conditions])
    for i, value in enumerate(seconds):
        ax_time.annotate(f"{value:.1f}s", (i, value), ha="center", va="bottom", fontsize=9)
    ax_time.tick_params(axis="x", labelrotation=30, labelsize=8)  # long derived names
    ax_time.set_ylabel("median wall time per problem (s)")
    ax_time.set_title("time (llama.cpp on a shared 2-core CPU)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot: {path}")


Condition = dict[str, Any]


def _merge(
    payload: dict[str, Any],
    extra: dict[str, Any],
    base: str,
    name: str,
    missing: Callable[[str, Condition], str | None],
    replayed: Callable[[str, Condition, Condition], str | None],
) -> int:
    """Add condition ``name``: ``extra``'s forge row where it has one, else ``base``'s.

    ``missing`` says why a problem absent from ``extra`` cannot keep its ``base`` row,
    ``replayed`` why a rerun row does not replay ``base`` (None: fine); either stops
    the merge. Returns how many problems came from ``extra``.
    """
    by_id = {r["task_id"]: r for r in extra["rows"]}
    used = 0
    for row in payload["rows"]:
        task, old = row["task_id"], row["conditions"][base]
        new = by_id.get(task, {}).get("conditions", {}).get("forge")
        problem = missing(task, old) if new is None else replayed(task, old, new)
        if problem is not None:
            raise SystemExit(problem)
        row["conditions"][name] = dict(old) if new is None else new
        used += new is not None
    if name not in payload["conditions"]:
        payload["conditions"].append(name)
    return used


def extend(payload: dict[str, Any], extra: dict[str, Any], name: str) -> int:
    """Add condition ``name``: the forge with a larger budget, from a run that continued
    only the problems whose samples never passed.

    Why this equals one run with that budget: attempts are seeded by their number
    and the first is greedy, so a larger budget replays the same first attempts (checked
    here, attempt by attempt) and differs only after the last one; problems whose samples
    passed stop before that. Returns how many problems came from ``extra``.
    """

    def missing(task: str, old: Condition) -> str | None:
        if old["samples_passed"]:
            return None
        return f"{task} failed its samples but is not in the extension"

    def replayed(task: str, old: Condition, new: Condition) -> str | None:
        if new["attempt_notes"][: len(old["attempt_notes"])] == old["attempt_notes"]:
            return None
        return f"{task}: the extension's first attempts differ from the base run"

    used = _merge(payload, extra, "forge", name, missing, replayed)
    payload.setdefault("derived", {})[name] = {
        "from": extra.get("command"),
        "attempts": extra.get("attempts"),
        "problems_continued": used,
        "checked": "each continued problem's first attempts match the base run's",
    }
    return used


def revise(
    payload: dict[str, Any], extra: dict[str, Any], base: str, name: str, changed_from: int
) -> int:
    """Add condition ``name``: condition ``base`` under a loop change that first acts at
    attempt ``changed_from``, from a run of only the problems that got that far.

    Why this equals one full run: attempts are seeded by their number and the loop
    before ``changed_from`` is unchanged, so a problem ``base`` finished in fewer
    attempts takes the same path and keeps its row. Every other problem must be in
    ``extra`` and replay ``base``'s attempts before ``changed_from`` (both checked).
    Returns how many problems came from ``extra``.
    """

    def missing(task: str, old: Condition) -> str | None:
        if len(old["attempt_notes"]) < changed_from:
            return None
        return f"{task} reached attempt {changed_from} but is not in the rerun"

    def replayed(task: str, old: Condition, new: Condition) -> str | None:
        same = old["attempt_notes"][: changed_from - 1]
        if new["attempt_notes"][: len(same)] == same:
            return None
        return f"{task}: the rerun does not replay {base}'s attempts"

    used = _merge(payload, extra, base, name, missing, replayed)
    payload.setdefault("derived", {})[name] = {
        "from": extra.get("command"),
        "base": base,
        "changed_from_attempt": changed_from,
        "attempts": extra.get("attempts"),
        "problems_rerun": used,
        "checked": f"each rerun problem replays {base}'s attempts before {changed_from}",
    }
    return used


def markdown_table(payload: dict[str, Any]) -> str:
    """The README table of one results JSON (partial runs say "N of M")."""
    summary, conditions = payload["summary"], payload["conditions"]
    done, total = payload["n_done"], payload["n_problems"]
    scope = f"{done} problems" if done == total else f"{done} of {total} problems (partial run)"
    lines = [
        f"HumanEval, {scope}, model `{payload['model']}`:",
        "",
        "| condition | pass (hidden tests) | ratio vs single | attempts | tokens in / out per problem | wall s per problem (median / mean) |",
        "|---|---|---|---|---|---|",
    ]
    for condition in conditions:
        e = summary[condition]
        ratio = f"{e['ratio_vs_single']:.2f}x" if "ratio_vs_single" in e else "n/a"
        if condition == "single":
            ratio = "1.00x"
        lines.append(
            f"| {condition} | {e['pass_rate'] * 100:.1f}% ({e['hidden_passed']}/{e['n']}) | "
            f"{ratio} | {e['mean_attempts']:.2f} | {e['mean_prompt_tokens']:.0f} / "
            f"{e['mean_completion_tokens']:.0f} | {e['median_wall_seconds']:.1f} / "
            f"{e.get('mean_wall_seconds', e['median_wall_seconds']):.1f} |"
        )
        if condition == "forge+reuse":
            n = e["n"]
            rate = e["pass_rate_if_offers_accepted"]
            lines.append(
                f"| reuse, offers accepted | {rate * 100:.1f}% ({round(rate * n)}/{n}) | | | | |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.humaneval_report",
        description="Print the markdown table of HumanEval results (and redraw the PNG).",
    )
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--plot", action="store_true", help="(re)draw RESULTS.png")
    parser.add_argument(
        "--extend",
        type=Path,
        default=None,
        help="a run with a larger --attempts on the problems RESULTS failed: added to "
        "RESULTS (written back) as the condition --as",
    )
    parser.add_argument("--as", dest="name", default=None, help="e.g. forge-5")
    parser.add_argument(
        "--revise",
        type=Path,
        default=None,
        help="a run of the problems that reached --changed-from under a changed loop: "
        "added to RESULTS (written back) as the condition --as, the rest from --base",
    )
    parser.add_argument("--base", default="forge-5", help="the condition --revise reruns")
    parser.add_argument("--changed-from", type=int, default=1, help="first attempt that changed")
    args = parser.parse_args(argv)
    for path in args.results:
        payload = json.loads(path.read_text())
        if args.revise is not None:
            name = args.name or f"{args.base}-revised"
            used = revise(
                payload, json.loads(args.revise.read_text()), args.base, name, args.changed_from
            )
            payload["summary"] = summarize(payload["rows"], payload["conditions"])
            path.write_text(json.dumps(payload, indent=2) + "\n")
            print(f"{name}: {used} problems rerun, from {args.revise}")
        if args.extend is not None:
            name = args.name or f"forge-{json.loads(args.extend.read_text())['attempts']}"
            used = extend(payload, json.loads(args.extend.read_text()), name)
            payload["summary"] = summarize(payload["rows"], payload["conditions"])
            path.write_text(json.dumps(payload, indent=2) + "\n")
            print(f"{name}: {used} problems continued from {args.extend}")
        # Recomputed from the rows: a partial run is summarised like a complete one.
        payload["summary"] = summarize(payload["rows"], payload["conditions"])
        print(markdown_table(payload), end="\n\n")
        if args.plot:
            n = payload["n_done"]
            label = str(n) if n == payload["n_problems"] else f"{n} of {payload['n_problems']}"
            plot(
                payload["summary"],
                payload["conditions"],
                payload["model"],
                label,
                path.with_suffix(".png"),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
